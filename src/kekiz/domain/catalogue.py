"""The built-in indicator catalogue and the column names under which files carry them.

An import names its indicators by id; when a file's column is known here (e.g. INKAR's
'Arbeitslose' or GISD's 'gisd_score'), its full metadata comes from this catalogue.
"""

from __future__ import annotations

from kekiz.domain.model import Aggregation, Indicator, Polarity

__all__ = ["CATALOGUE", "COLUMN_ALIASES", "lookup"]

_BBSR = "BBSR Bonn, INKAR"
_DL_DE = "dl-de/by-2-0"

CATALOGUE: dict[str, Indicator] = {i.id: i for i in [
    Indicator("einwohner", "Einwohnerinnen und Einwohner", "Inhabitants",
              "Bevölkerung am Ort der Hauptwohnung zum Stichtag",
              "Population at the main residence on the reference date",
              unit="Personen", aggregation=Aggregation.SUM, decimals=0,
              sector="general", update_interval="jährlich"),
    Indicator("einwohner_u3", "Kinder unter 3 Jahren", "Children under 3",
              "Einwohner im Alter von 0 bis unter 3 Jahren",
              "Inhabitants aged 0 to under 3", unit="Personen",
              aggregation=Aggregation.SUM, life_phase="0-3", decimals=0),
    Indicator("einwohner_3_6", "Kinder von 3 bis unter 6 Jahren", "Children aged 3 to under 6",
              "Einwohner im Alter von 3 bis unter 6 Jahren", "Inhabitants aged 3 to under 6",
              unit="Personen", aggregation=Aggregation.SUM, life_phase="3-6", decimals=0),
    Indicator("einwohner_6_10", "Kinder von 6 bis unter 10 Jahren",
              "Children aged 6 to under 10", "Einwohner im Alter von 6 bis unter 10 Jahren",
              "Inhabitants aged 6 to under 10", unit="Personen", aggregation=Aggregation.SUM,
              life_phase="6-10", decimals=0),
    Indicator("einwohner_10_15", "Kinder von 10 bis unter 15 Jahren",
              "Children aged 10 to under 15", "Einwohner im Alter von 10 bis unter 15 Jahren",
              "Inhabitants aged 10 to under 15", unit="Personen",
              aggregation=Aggregation.SUM, life_phase="10-16", decimals=0),
    Indicator("einwohner_15_18", "Jugendliche von 15 bis unter 18 Jahren",
              "Young people aged 15 to under 18",
              "Einwohner im Alter von 15 bis unter 18 Jahren", "Inhabitants aged 15 to under 18",
              unit="Personen", aggregation=Aggregation.SUM, life_phase="10-16", decimals=0),
    Indicator("einwohner_u18", "Kinder und Jugendliche unter 18 Jahren",
              "Children and young people under 18", "Einwohner unter 18 Jahren",
              "Inhabitants under 18", unit="Personen", aggregation=Aggregation.SUM,
              decimals=0),
    Indicator("gisd_score", "Sozioökonomische Deprivation (GISD)",
              "Socioeconomic deprivation (GISD)",
              "German Index of Socioeconomic Deprivation des RKI: gewichtete Hauptkomponenten "
              "aus Bildung, Beschäftigung und Einkommen, 0 (geringste) bis 1 (höchste "
              "Deprivation)",
              "RKI German Index of Socioeconomic Deprivation: weighted principal components of "
              "education, employment and income, 0 (least) to 1 (most deprived)",
              unit="Index", polarity=Polarity.HIGHER_IS_WORSE, sector="social",
              aggregation=Aggregation.NONE, source="Robert Koch-Institut, GISD (Release 2022, "
              "Update 2025-01-31)", licence="CC BY 4.0", update_interval="jährlich",
              decimals=3),
    Indicator("arbeitslose", "Arbeitslose", "Unemployed persons",
              "Arbeitslose nach SGB II und SGB III am Wohnort (Jahresdurchschnitt)",
              "Registered unemployed at place of residence (annual average)",
              unit="Personen", polarity=Polarity.HIGHER_IS_WORSE, sector="employment",
              aggregation=Aggregation.SUM, source=_BBSR, licence=_DL_DE, decimals=0),
    Indicator("erwerbsfaehige", "Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)",
              "Working-age population (15 to under 65)",
              "Einwohner im Alter von 15 bis unter 65 Jahren", "Inhabitants aged 15 to under 65",
              unit="Personen", sector="employment", aggregation=Aggregation.SUM,
              source=_BBSR, licence=_DL_DE, decimals=0),
    Indicator("arbeitslosenanteil", "Arbeitslose je 100 Erwerbsfähige",
              "Unemployed per 100 working-age inhabitants",
              "Arbeitslose je 100 Einwohner im Alter von 15 bis unter 65 Jahren",
              "Unemployed per 100 inhabitants aged 15 to under 65", unit="%",
              numerator="arbeitslose", denominator="erwerbsfaehige",
              polarity=Polarity.HIGHER_IS_WORSE, sector="employment",
              aggregation=Aggregation.RATIO, scale=100.0, source=_BBSR, licence=_DL_DE),
    Indicator("schulabgaenger_ohne_abschluss", "Schulabgänger ohne Abschluss",
              "School leavers without qualification",
              "Anteil der Schulabgänger ohne Hauptschulabschluss an allen Schulabgängern in %",
              "Share of school leavers without a lower-secondary certificate, %", unit="%",
              polarity=Polarity.HIGHER_IS_WORSE, sector="education", life_phase="10-16",
              aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE),
    Indicator("kinderarmut", "Kinderarmut (SGB II, unter 15 Jahren)",
              "Child poverty (SGB II, under 15)",
              "Nicht erwerbsfähige Leistungsberechtigte nach SGB II unter 15 Jahren je 100 "
              "Einwohner unter 15 Jahren",
              "Non-employable SGB II beneficiaries under 15 per 100 inhabitants under 15",
              unit="%", polarity=Polarity.HIGHER_IS_WORSE, sector="social",
              aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE),
    Indicator("schuldnerquote", "Schuldnerquote", "Over-indebtedness rate",
              "Überschuldete Personen je 100 Einwohner ab 18 Jahren",
              "Over-indebted persons per 100 inhabitants aged 18 and over",
              unit="%", polarity=Polarity.HIGHER_IS_WORSE, sector="social",
              aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE),
    Indicator("kitas", "Kindertageseinrichtungen", "Day-care centres",
              "Anzahl der Kindertageseinrichtungen", "Number of day-care centres",
              unit="Einrichtungen", polarity=Polarity.HIGHER_IS_BETTER, sector="education",
              life_phase="3-6", aggregation=Aggregation.SUM, source=_BBSR, licence=_DL_DE,
              decimals=0),
    Indicator("anteil_unter_6", "Anteil der Kinder unter 6 Jahren", "Share of children under 6",
              "Einwohner unter 6 Jahren je 100 Einwohner", "Inhabitants under 6 per 100",
              unit="%", aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE),
    Indicator("anteil_6_18", "Anteil der Einwohner von 6 bis unter 18 Jahren",
              "Share of inhabitants aged 6 to under 18",
              "Einwohner von 6 bis unter 18 Jahren je 100 Einwohner (INKAR, Kreisebene)",
              "Inhabitants aged 6 to under 18 per 100 (INKAR, Kreis level)", unit="%",
              aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE),
    Indicator("anteil_ab_65", "Anteil der Einwohner ab 65 Jahren", "Share of inhabitants 65+",
              "Einwohner ab 65 Jahren je 100 Einwohner", "Inhabitants 65 and over per 100",
              unit="%", aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE),
    Indicator("beschaeftigtenquote", "Beschäftigtenquote", "Employment rate",
              "Sozialversicherungspflichtig Beschäftigte am Wohnort je 100 Einwohner im "
              "erwerbsfähigen Alter", "Employees subject to social insurance at place of "
              "residence per 100 working-age inhabitants", unit="%",
              polarity=Polarity.HIGHER_IS_BETTER, sector="employment",
              aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE),
    Indicator("kaufkraft", "Kaufkraft je Einwohner", "Purchasing power per inhabitant",
              "Kaufkraft in Euro je Einwohner", "Purchasing power in euro per inhabitant",
              unit="EUR", polarity=Polarity.HIGHER_IS_BETTER, sector="social",
              aggregation=Aggregation.NONE, source=_BBSR, licence=_DL_DE, decimals=0),
]}

COLUMN_ALIASES: dict[str, str] = {
    "ewz": "einwohner",
    "einwohner": "einwohner",
    "bevölkerung": "einwohner",
    "gisd_score": "gisd_score",
    "arbeitslose": "arbeitslose",
    "erwerbsfähige bevölkerung (15 bis unter 65 jahre)": "erwerbsfaehige",
    "schulabgänger ohne abschluss": "schulabgaenger_ohne_abschluss",
    "schuldnerquote": "schuldnerquote",
    "child_poverty": "kinderarmut",
    "kinderarmut": "kinderarmut",
    "daycare": "kitas",
    "age_below_6": "anteil_unter_6",
    "age_65": "anteil_ab_65",
    "emp_rate": "beschaeftigtenquote",
    "purchasing_power": "kaufkraft",
    "00 - < 03": "einwohner_u3",
    "03 - < 06": "einwohner_3_6",
    "06 - < 10": "einwohner_6_10",
    "10 - < 15": "einwohner_10_15",
    "15 - < 18": "einwohner_15_18",
}


def lookup(name: str) -> Indicator | None:
    """The catalogue entry for an indicator id or a known column name."""
    key = name.strip()
    if key in CATALOGUE:
        return CATALOGUE[key]
    alias = COLUMN_ALIASES.get(key.lower())
    return CATALOGUE[alias] if alias else None
