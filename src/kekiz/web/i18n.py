"""Languages of the web pages: German first, English second.

The language of a request is ``?lang=`` (remembered in a cookie), else the cookie, else
the ``lang`` setting (German by default).  Numbers and dates are formatted with Babel in
the German (``1.234,5``; ``01.01.2012``) or British English convention.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

__all__ = ["LANGS", "TEXTS", "Translator", "fmt_date", "fmt_number", "fmt_percent",
           "fmt_value"]

LANGS = ("de", "en")
COOKIE = "kekiz_lang"
_LOCALES = {"de": "de_DE", "en": "en_GB"}

#: User texts: key -> (German, English).
TEXTS: dict[str, tuple[str, str]] = {
    "site": ("kekiz – Kein Kind zurücklassen!", "kekiz – Leave no child behind!"),
    "tagline": ("Sozialräumliches Monitoring für Kommunen und das Landesnetzwerk",
                "Socio-spatial monitoring for municipalities and the state network"),
    "skip": ("Zum Inhalt springen", "Skip to content"),
    "nav": ("Hauptnavigation", "Main navigation"),
    "home": ("Start", "Home"),
    "atlas": ("Atlas", "Atlas"),
    "compare": ("Vergleich", "Comparison"),
    "network": ("Landesnetzwerk", "State network"),
    "sources": ("Quellen und Lizenzen", "Sources and licences"),
    "api": ("Schnittstellen", "APIs"),
    "language": ("Sprache", "Language"),
    "switch_to": ("English", "Deutsch"),
    "footer": ("Daten: siehe Quellen und Lizenzen. Software: kekiz (AGPL-3.0-or-later).",
               "Data: see sources and licences. Software: kekiz (AGPL-3.0-or-later)."),
    "intro": ("kekiz zeigt, wo Kinder in Armut aufwachsen, wie sich Gebiete entwickeln und "
              "welche Kommunen im Landesnetzwerk zusammenarbeiten. Alle Werte sind "
              "veröffentlichte, geheimhaltungsgeprüfte Daten.",
              "kekiz shows where children grow up in poverty, how areas develop and which "
              "municipalities work together in the state network. All values are "
              "published, disclosure-controlled data."),
    "atlas_intro": ("Karte eines Indikators: Ebene, Indikator, Jahr und Klassen wählen, "
                    "dann ein Gebiet anklicken.",
                    "Map of an indicator: choose level, indicator, year and classes, "
                    "then click an area."),
    "compare_intro": ("Zeitreihen mehrerer Gebiete und die Rangfolge aller Gebiete einer "
                      "Ebene.", "Time series of several areas and the ranking of all areas "
                      "of a level."),
    "network_intro": ("Mitglieder, Reichweite und Förderung des Landesnetzwerks.",
                      "Members, reach and funding of the state network."),
    "sources_intro": ("Woher die Daten kommen und unter welcher Lizenz sie stehen.",
                      "Where the data come from and under which licence."),
    "api_intro": ("Maschinenlesbar: REST-API, OpenAPI-Beschreibung und OGC API - "
                  "Features (z. B. für QGIS).", "Machine-readable: REST API, OpenAPI "
                  "description and OGC API - Features (e.g. for QGIS)."),
    "levels": ("Ebenen", "Levels"),
    "level": ("Ebene", "Level"),
    "units": ("Gebiete", "Areas"),
    "unit": ("Gebiet", "Area"),
    "indicator": ("Indikator", "Indicator"),
    "indicators": ("Indikatoren", "Indicators"),
    "period": ("Zeitraum", "Period"),
    "year": ("Jahr", "Year"),
    "years": ("Jahre", "Years"),
    "classification": ("Klassifizierung", "Classification"),
    "classes": ("Klassen", "Classes"),
    "show": ("Anzeigen", "Show"),
    "legend": ("Legende", "Legend"),
    "value": ("Wert", "Value"),
    "values": ("Werte", "Values"),
    "class": ("Klasse", "Class"),
    "status": ("Status", "Status"),
    "rank": ("Rang", "Rank"),
    "name": ("Name", "Name"),
    "key": ("Schlüssel", "Key"),
    "table": ("Tabelle", "Table"),
    "map": ("Karte", "Map"),
    "map_of": ("Karte: {what}", "Map: {what}"),
    "download": ("Herunterladen", "Download"),
    "source": ("Quelle", "Source"),
    "licence": ("Lizenz", "Licence"),
    "definition": ("Definition", "Definition"),
    "unit_of": ("Einheit", "Unit"),
    "suppressed": ("gesperrt (Geheimhaltung)", "withheld (disclosure control)"),
    "missing": ("keine Angabe", "no data"),
    "estimated": ("geschätzt", "estimated"),
    "unreliable": ("eingeschränkt aussagekräftig", "of limited reliability"),
    "ok": ("veröffentlicht", "published"),
    "dot_means": ("„.“ bedeutet: Wert gesperrt. Grund:", "“.” means: value withheld. "
                  "Reason:"),
    "dash_means": ("„–“ bedeutet: kein Wert vorhanden.", "“–” means: no value available."),
    "higher_worse": ("Höhere Werte sind ungünstiger.", "Higher values are worse."),
    "higher_better": ("Höhere Werte sind günstiger.", "Higher values are better."),
    "neutral": ("Höhere Werte sind weder günstiger noch ungünstiger.",
                "Higher values are neither better nor worse."),
    "fallback_indicator": ("Den Indikator gibt es auf dieser Ebene nicht; gezeigt wird "
                           "„{name}“.", "The indicator is not available on this level; "
                           "showing “{name}”."),
    "fallback_period": ("Den Zeitraum {period} gibt es für diesen Indikator nicht; gezeigt "
                        "wird der neueste.", "Period {period} is not available for this "
                        "indicator; showing the latest."),
    "no_indicator": ("Auf dieser Ebene gibt es noch keine Indikatorwerte.",
                     "There are no indicator values on this level yet."),
    "profile": ("Gebietsprofil", "Area profile"),
    "parent": ("Übergeordnetes Gebiet", "Parent area"),
    "city": ("Stadt / Gemeinde", "City / municipality"),
    "median_level": ("Median der Ebene", "Median of the level"),
    "trend": ("Verlauf", "Trend"),
    "children": ("Teilgebiete", "Sub-areas"),
    "peers": ("Nachbargebiete derselben Ebene", "Peer areas of the same level"),
    "compare_with_peers": ("Mit Nachbargebieten vergleichen", "Compare with peers"),
    "key_indicators": ("Kennzahlen", "Key figures"),
    "membership": ("Mitgliedschaft", "Membership"),
    "member_since": ("Mitglied in „{programme}“ seit {date}", "Member of “{programme}” "
                     "since {date}"),
    "member_via": ("über {name}", "through {name}"),
    "member_left": ("ausgetreten {date}", "left {date}"),
    "no_membership": ("Keine Mitgliedschaft in einem Landesnetzwerk gespeichert.",
                      "No state-network membership stored."),
    "on_map": ("Lage", "Location"),
    "no_values": ("Für dieses Gebiet sind keine Werte gespeichert.",
                  "No values are stored for this area."),
    "choose_units": ("Gebiete (mehrere mit Strg/Umschalt)", "Areas (several with Ctrl/Shift)"),
    "series": ("Zeitreihen", "Time series"),
    "ranking": ("Rangfolge {period}", "Ranking {period}"),
    "ranking_note": ("Rang 1 = höchster Wert. Gesperrte und fehlende Werte haben keinen Rang.",
                     "Rank 1 = highest value. Withheld and missing values have no rank."),
    "median": ("Median", "Median"),
    "programme": ("Programm", "Programme"),
    "reach": ("Reichweite", "Reach"),
    "reach_line": ("Reichweite {year}: {share} der Kinder unter {age} Jahren ({n} von {total})",
                   "Reach {year}: {share} of children under {age} ({n} of {total})"),
    "reach_by_year": ("Reichweite je Jahr", "Reach per year"),
    "members": ("Mitglieder", "Members"),
    "members_map": ("Mitgliedskommunen {year}", "Member municipalities {year}"),
    "member_kreis": ("Mitglied (Kreis / kreisfreie Stadt)",
                     "Member (district / district-free city)"),
    "member_gemeinde": ("Mitglied (kreisangehörige Gemeinde)", "Member (municipality)"),
    "not_member": ("kein Mitglied", "not a member"),
    "joined": ("Beitritt", "Joined"),
    "left": ("Austritt", "Left"),
    "active": ("aktiv", "active"),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "children_u18": ("Kinder unter 18", "Children under 18"),
    "children_in_members": ("Kinder in Mitgliedskommunen", "Children in members"),
    "share": ("Anteil", "Share"),
    "funding": ("Förderung", "Funding"),
    "funding_eur": ("Förderung (EUR)", "Funding (EUR)"),
    "eur_per_child": ("EUR je Kind", "EUR per child"),
    "population_source": ("Bevölkerungsquelle", "Population source"),
    "method": ("Methode", "Method"),
    "demo_files": ("Mitgelieferte Demodaten", "Bundled demo data"),
    "file": ("Datei", "File"),
    "attribution": ("Namensnennung", "Attribution"),
    "datasets": ("Datensätze im Store", "Datasets in the store"),
    "dataset": ("Datensatz", "Dataset"),
    "kind": ("Art", "Kind"),
    "revision": ("Revision", "Revision"),
    "rows": ("Zeilen", "Rows"),
    "imported": ("Importiert", "Imported"),
    "error": ("Fehler", "Error"),
    "back_home": ("Zur Startseite", "Back to the start page"),
    "not_found": ("Seite nicht gefunden.", "Page not found."),
    "collections": ("Sammlungen", "Collections"),
    "conformance": ("Konformität", "Conformance"),
    "features": ("Objekte", "Features"),
    "next": ("weiter", "next"),
    "prev": ("zurück", "previous"),
    "matched": ("{returned} von {matched} Objekten", "{returned} of {matched} features"),
    "kind_boundaries": ("Gebietsgrenzen", "boundaries"),
    "kind_indicators": ("Indikatoren", "indicators"),
    "kind_members": ("Mitglieder", "members"),
    "kind_funding": ("Förderung", "funding"),
    "kind_derived": ("abgeleitet", "derived"),
    "openapi": ("OpenAPI-Beschreibung der REST-API", "OpenAPI description of the REST API"),
    "ogcapi": ("OGC API - Features", "OGC API - Features"),
    "ogc_landing_title": ("kekiz: Gebiete und Indikatoren", "kekiz: areas and indicators"),
    "ogc_landing_desc": ("Gebiete jeder Ebene als Objekte mit ihren neuesten "
                         "Indikatorwerten (OGC API - Features, Teil 1).",
                         "Areas of every level as features with their latest indicator "
                         "values (OGC API - Features, Part 1)."),
    "collection_desc": ("Gebiete der Ebene „{level}“ mit ihren neuesten Indikatorwerten.",
                        "Areas of level “{level}” with their latest indicator values."),
}


class Translator:
    """``t("key", **fields)`` -> the text in the request's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "de"

    def __call__(self, key: str, **fields: Any) -> str:
        de, en = TEXTS[key]
        text = en if self.lang == "en" else de
        return text.format(**fields) if fields else text

    def pick(self, de: str, en: str) -> str:
        """The text of a pair kept elsewhere (e.g. indicator names)."""
        return (en or de) if self.lang == "en" else de


def fmt_number(value: Any, decimals: int = 1, lang: str = "de") -> str:
    """``1.234,5`` (German) or ``1,234.5``; rounds half up; ``–`` for no number."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(f):
        return "–"
    q = Decimal(repr(f)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return str(format_decimal(q, format=pattern, locale=_LOCALES.get(lang, "de_DE")))


def fmt_percent(share: Any, decimals: int = 1, lang: str = "de") -> str:
    """A share (0..1) as percent: ``57,7 %`` or ``57.7%``."""
    try:
        text = fmt_number(float(share) * 100, decimals, lang)
    except (TypeError, ValueError):
        return "–"
    return f"{text}%" if lang == "en" else f"{text}\u00a0%"


def fmt_date(value: Any, lang: str = "de") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return str(format_date(value, format="medium", locale=_LOCALES.get(lang, "de_DE")))
    return str(value)


def fmt_value(value: Any, status: str, decimals: int = 1, lang: str = "de") -> str:
    """A published value as shown: ``.`` when suppressed, ``–`` when missing."""
    if status == "suppressed":
        return "."
    return fmt_number(value, decimals, lang)
