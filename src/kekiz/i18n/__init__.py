"""Languages: German first, English second; the texts and the one number formatter.

The language of a request is ``?lang=`` (remembered in a cookie), else the cookie, else
the ``lang`` setting (German by default).  Numbers and dates follow the German
(``1.234,5``; ``01.01.2012``) or British English convention (:mod:`kekiz.i18n.numbers`).
"""

from __future__ import annotations

from typing import Any

from kekiz.i18n.finder_texts import FINDER_TEXTS
from kekiz.i18n.numbers import fmt_date, fmt_number, fmt_percent, fmt_short, fmt_value
from kekiz.i18n.ui_texts import UI_TEXTS

__all__ = ["LANGS", "TEXTS", "Translator", "fmt_date", "fmt_number", "fmt_percent",
           "fmt_short", "fmt_value"]

LANGS = ("de", "en")
COOKIE = "kekiz_lang"

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
    # -- prevention chain, cooperation network, goals, family finder ----------------------
    "chain": ("Präventionskette", "Prevention chain"),
    "chain_intro": ("Welche Angebote gibt es für welche Lebensphase in welchem Bereich? "
                    "Leere Felder sind Lücken der Kette. Dazu: Versorgung je Stadtteil und "
                    "Bedarf gegen Angebot.", "Which offers exist for which life phase in "
                    "which sector? Empty cells are gaps in the chain. Also: coverage per "
                    "district and need against supply."),
    "whole_city": ("Gesamte Kommune {city}", "Whole municipality {city}"),
    "life_phase": ("Lebensphase", "Life phase"),
    "measure": ("Maß", "Measure"),
    "chain_offers": ("{where}: {n} Angebote, davon {s} synthetisch (erfundene Demo-Daten).",
                     "{where}: {n} offers, {s} of them synthetic (invented demo data)."),
    "chain_matrix": ("Matrix: Lebensphase × Bereich", "Matrix: life phase × sector"),
    "matrix_note": ("Zahl der Angebote je Feld; „S“ = davon synthetisch. Ein Angebot kann "
                    "mehreren Lebensphasen dienen. Leere Felder (0) sind hervorgehoben.",
                    "Number of offers per cell; “S” = synthetic among them. One offer may "
                    "serve several life phases. Empty cells (0) are highlighted."),
    "empty_cell": ("leer", "empty"),
    "transitions": ("Übergänge × Bereich", "Transitions × sector"),
    "transition": ("Übergang", "Transition"),
    "empty_cells_list": ("Alle leeren Felder in Worten ({n})", "All empty cells in words ({n})"),
    "coverage": ("Versorgung", "Coverage"),
    "coverage_line": ("{n} {kind} für {children} Kinder: {per} je 1.000 Kinder.",
                      "{n} {kind} for {children} children: {per} per 1,000 children."),
    "coverage_line_hidden": ("{n} {kind}; die Gesamtzahl der Kinder ist gesperrt.",
                             "{n} {kind}; the total number of children is withheld."),
    "demand_en": ("", "Demand points: a 250 m grid inside the units; each unit's children "
                  "are spread evenly over its points (no finer population data)."),
    "chain_withheld": ("Kinderzahlen einzelner Gebiete sind gesperrt: diese Gebiete sind "
                       "schraffiert, die Erreichbarkeit (2SFCA, sie verteilt die Kinder auf "
                       "Nachbargebiete) und die Bedarfsanalyse werden nicht veröffentlicht.",
                       "Child counts of some units are withheld: these units are hatched; "
                       "accessibility (2SFCA, which spreads children over neighbouring "
                       "units) and the need analysis are not published."),
    "quantile_note": ("Klassen: Quantile (gleich viele Gebiete je Klasse).",
                      "Classes: quantiles (equal number of areas per class)."),
    "children_n": ("Kinder", "Children"),
    "offers_n": ("{kind}", "{kind}"),
    "per_1000": ("{kind} je 1.000 Kinder", "{kind} per 1,000 children"),
    "accessibility": ("Erreichbarkeit (2SFCA)", "Accessibility (2SFCA)"),
    "kind_kita": ("Kitas", "day-care centres"),
    "kind_schule": ("Schulen", "schools"),
    "need_supply": ("Bedarf gegen Angebot", "Need against supply"),
    "need": ("Bedarf", "Need"),
    "supply": ("Angebot", "Supply"),
    "split_rule": ("Schwellen: Median des Bedarfs ({need}) und des Angebots ({supply}); "
                   "„Lücke“ = Bedarf über, Angebot höchstens beim Median.",
                   "Thresholds: median need ({need}) and median supply ({supply}); "
                   "“gap” = need above, supply at most at the median."),
    "gap_list": ("Lücken, größte zuerst", "Gaps, largest first"),
    "gaps_withheld": ("Die Bedarfsanalyse ist für diese Lebensphase nicht veröffentlicht "
                      "(gesperrte Kinderzahlen).", "The need analysis is not published for "
                      "this life phase (withheld child counts)."),
    "quadrant_gap": ("Lücke: hoher Bedarf, wenig Angebot", "gap: high need, low supply"),
    "quadrant_served": ("hoher Bedarf, viel Angebot", "high need, high supply"),
    "quadrant_low": ("niedriger Bedarf, wenig Angebot", "low need, low supply"),
    "quadrant_surplus": ("niedriger Bedarf, viel Angebot", "low need, high supply"),
    "quadrant_unknown": ("nicht eingeordnet", "not classified"),
    "data_credits": ("Daten dieser Seite", "Data on this page"),
    "synthetic_label": ("SYNTHETISCH", "SYNTHETIC"),
    "demo_label": ("Demo", "Demo"),
    "credits_more": ("Alle Quellen und Lizenzen:", "All sources and licences:"),
    "cooperation": ("Kooperationsnetzwerk", "Cooperation network"),
    "coop_intro": ("Wer arbeitet mit wem zusammen? Netzwerk aus einer Befragung der Akteure: "
                   "Dichte innerhalb und zwischen Bereichen, Vermittler, Isolierte, "
                   "Komponenten und der Vergleich der Befragungswellen.",
                   "Who works with whom? Network from a survey of the actors: density "
                   "within and between sectors, brokers, isolates, components and the "
                   "comparison of survey waves."),
    "coop_synthetic": ("Dieses Netzwerk ist erfunden (Demo-Daten); Akteure und Beziehungen "
                       "sind nicht echt.", "This network is invented (demo data); actors "
                       "and ties are not real."),
    "wave": ("Welle", "Wave"),
    "compare_with": ("Vergleich mit", "Compare with"),
    "coop_graph": ("Netzwerk, Welle {wave}", "Network, wave {wave}"),
    "graph_note": ("Kreisgröße: Zahl der Partner; dunkler Rand: Vermittler; dickere Linie: "
                   "beidseitig genannt.", "Circle size: number of partners; dark ring: "
                   "broker; thicker line: named by both."),
    "metrics": ("Kennzahlen", "Metrics"),
    "actors": ("Akteure", "Actors"),
    "respondents": ("Antwortende", "Respondents"),
    "ties": ("Beziehungen", "Ties"),
    "density": ("Dichte", "Density"),
    "density_within": ("Dichte innerhalb der Bereiche", "Density within sectors"),
    "density_between": ("Dichte zwischen den Bereichen", "Density between sectors"),
    "reciprocity": ("Gegenseitigkeit", "Reciprocity"),
    "trust": ("Vertrauen (Mittel, in % des Höchstwerts 4)", "Trust (mean, % of the maximum 4)"),
    "benefit": ("Nutzen (Mittel, in % des Höchstwerts 4)", "Benefit (mean, % of the maximum 4)"),
    "components": ("Komponenten", "Components"),
    "largest_component": ("größte: {n} Akteure", "largest: {n} actors"),
    "isolates": ("Isolierte", "Isolates"),
    "brokers": ("Vermittler", "Brokers"),
    "metrics_note": ("Dichte = vorhandene / mögliche Beziehungen. Vermittler verbinden "
                     "Partner verschiedener Bereiche, die sonst nicht verbunden sind, oder "
                     "halten das Netz zusammen (Schnittpunkt).", "Density = existing / "
                     "possible ties. Brokers join partners of different sectors who are not "
                     "linked otherwise, or hold the network together (cut point)."),
    "density_by_sector": ("Dichte je Bereichspaar", "Density per pair of sectors"),
    "sector": ("Bereich", "Sector"),
    "possible": ("möglich", "possible"),
    "top_brokers": ("Wichtigste Vermittler", "Main brokers"),
    "degree": ("Partner", "Partners"),
    "betweenness": ("Zwischenzentralität", "Betweenness"),
    "brokerage": ("Vermittlungen", "Brokerage"),
    "cutpoint": ("Schnittpunkt", "Cut point"),
    "wave_comparison": ("Vergleich Welle {a} → Welle {b}", "Comparison wave {a} → wave {b}"),
    "change": ("Veränderung", "Change"),
    "ties_change": ("{new} neue, {lost} verlorene und {kept} gebliebene Beziehungen; "
                    "{with_actor} der verlorenen mit einem ausgeschiedenen Akteur.",
                    "{new} new, {lost} lost and {kept} kept ties; {with_actor} of the lost "
                    "ones with an actor who left."),
    "actors_new": ("Neue Akteure", "New actors"),
    "actors_left": ("Ausgeschiedene Akteure", "Actors who left"),
    "goals": ("Leitbild und Ziele", "Mission and goals"),
    "goals_intro": ("Ziele des Leitbilds mit Ausgangs-, Ist- und Zielwert, Trendprognose und "
                    "Status, für die Kommune und ihre Stadtteile.", "Goals of the mission "
                    "statement with baseline, current and target value, trend forecast and "
                    "status, for the municipality and its districts."),
    "goals_synthetic": ("Zielwerte und einige Indikatoren sind illustrativ bzw. synthetisch.",
                        "Targets and some indicators are illustrative or synthetic."),
    "leitbild": ("Leitbild", "Mission statement"),
    "scorecard": ("Zielerreichung", "Scorecard"),
    "no_targets": ("Für dieses Gebiet hat das Leitbild keine Zielwerte.",
                   "The mission statement has no targets for this area."),
    "goal": ("Ziel", "Goal"),
    "direction": ("Richtung", "Direction"),
    "target_value": ("Zielwert", "Target"),
    "baseline": ("Ausgangswert", "Baseline"),
    "current": ("Ist-Wert", "Current"),
    "forecast": ("Trendprognose", "Trend forecast"),
    "actual": ("Ist-Werte", "Observed"),
    "target_path": ("Zielpfad", "Target path"),
    "interval_low": ("95-%-Prognoseintervall, unten", "95% prediction interval, lower"),
    "interval_high": ("95-%-Prognoseintervall, oben", "95% prediction interval, upper"),
    "chart_goal": ("Ist, Zielpfad und Trendprognose", "observed, target path and forecast"),
    "in_year": ("im Jahr {year}", "in {year}"),
    "district_targets": ("Ziele für alle Stadtteile", "Targets for every district"),
    "district_hint": ("Einen Stadtteil oben auswählen, um seine Ziele zu sehen.",
                      "Choose a district above to see its targets."),
    "finder": ("Familienwegweiser", "Family service finder"),
    "finder_intro": ("Angebote für Familien finden: nach dem Alter des Kindes, der "
                     "Lebensphase, dem Thema, dem Stadtteil oder der Entfernung.",
                     "Find offers for families: by the child's age, life phase, topic, "
                     "district or distance."),
    "finder_age": ("Alter des Kindes (Jahre)", "Age of the child (years)"),
    "finder_age_help": ("z. B. 4 oder 1,5", "e.g. 4 or 1.5"),
    "any": ("egal", "any"),
    "any_distance": ("beliebig", "any"),
    "topic": ("Thema", "Topic"),
    "district": ("Stadtteil", "District"),
    "finder_near": ("In der Nähe von", "Near"),
    "finder_radius": ("Entfernung höchstens", "Distance at most"),
    "search": ("Suchen", "Search"),
    "results": ("Ergebnisse", "Results"),
    "finder_count": ("{n} Angebote gefunden.", "{n} offers found."),
    "finder_count_one": ("1 Angebot gefunden.", "1 offer found."),
    "finder_limit": ("Gezeigt werden die ersten {n}; bitte die Suche eingrenzen.",
                     "Showing the first {n}; please narrow the search."),
    "finder_none": ("Kein passendes Angebot. Bitte weniger Angaben machen oder die "
                    "Entfernung vergrößern.", "No matching offer. Please give fewer details "
                    "or a larger distance."),
    "finder_start": ("Entfernung gemessen ab: {name} (Luftlinie).",
                     "Distance measured from: {name} (straight line)."),
    "finder_start_coords": ("Entfernung gemessen ab den angegebenen Koordinaten (Luftlinie).",
                            "Distance measured from the given coordinates (straight line)."),
    "finder_bad_age": ("Alter „{value}“ ist keine Zahl. Bitte z. B. 4 oder 1,5 eingeben.",
                       "Age “{value}” is not a number. Please enter e.g. 4 or 1.5."),
    "finder_bad_phase": ("Unbekannte Lebensphase.", "Unknown life phase."),
    "finder_bad_district": ("Unbekannter Stadtteil.", "Unknown district."),
    "finder_bad_start": ("„{value}“ ist weder ein Stadtteil noch eine Straße des "
                         "Straßenverzeichnisses noch die Adresse eines Angebots noch "
                         "Koordinaten (z. B. 50.94, 6.96).",
                         "“{value}” is neither a district, nor a street of the street "
                         "directory, nor the address of an offer, nor coordinates (e.g. "
                         "50.94, 6.96)."),
    "finder_radius_needs_start": ("Für die Entfernung bitte „In der Nähe von“ ausfüllen.",
                                  "For the distance please fill in “Near”."),
    "distance": ("Entfernung", "Distance"),
    "straight_line": ("Luftlinie", "straight line"),
    "finder_published_only": ("Gezeigt werden nur veröffentlichte, aktive Angebote. Einträge "
                              "mit „[synthetisch]“ sind erfundene Beispiele.",
                              "Only published, active offers are shown. Entries marked "
                              "“[synthetisch]” are invented examples."),
}
TEXTS.update(UI_TEXTS)
TEXTS.update(FINDER_TEXTS)


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

    def group(self, prefix: str) -> dict[str, str]:
        """Every text whose key starts with ``prefix``, by the rest of the key (the
        scripts' texts: ``group("js_")``)."""
        return {k[len(prefix):]: (en if self.lang == "en" else de)
                for k, (de, en) in TEXTS.items() if k.startswith(prefix)}
