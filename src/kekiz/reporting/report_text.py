"""The texts of the reports: key -> (German, English); German first."""

from __future__ import annotations

__all__ = ["LISA", "PHASES", "SECTORS", "STATUS", "T", "lisa_label"]

STATUS: dict[str, tuple[str, str]] = {
    "ok": ("veröffentlicht", "published"),
    "suppressed": ("gesperrt", "withheld"),
    "missing": ("keine Angabe", "no data"),
    "estimated": ("geschätzt", "estimated"),
    "unreliable": ("eingeschränkt aussagekräftig", "of limited reliability"),
}
LISA: dict[str, tuple[str, str]] = {
    "HH": ("Hot Spot (hoch–hoch)", "hot spot (high–high)"),
    "LL": ("Cold Spot (niedrig–niedrig)", "cold spot (low–low)"),
    "HL": ("Ausreißer (hoch–niedrig)", "outlier (high–low)"),
    "LH": ("Ausreißer (niedrig–hoch)", "outlier (low–high)"),
    "ns": ("nicht signifikant", "not significant"),
    "island": ("ohne Nachbarn", "no neighbours"),
}

PHASES: dict[str, tuple[str, str]] = {
    "pregnancy": ("Schwangerschaft und Geburt", "pregnancy and birth"),
    "0-3": ("0 bis unter 3 Jahre", "0 to under 3"),
    "3-6": ("3 bis unter 6 Jahre", "3 to under 6"),
    "6-10": ("6 bis unter 10 Jahre", "6 to under 10"),
    "10-16": ("10 bis unter 16 Jahre", "10 to under 16"),
    "16-25": ("16 bis unter 25 Jahre", "16 to under 25"),
}
SECTORS: dict[str, tuple[str, str]] = {
    "health": ("Gesundheit", "health"), "education": ("Bildung", "education"),
    "youth_welfare": ("Kinder- und Jugendhilfe", "child and youth welfare"),
    "social": ("Soziales", "social services"), "employment": ("Arbeit und Beruf", "employment"),
    "safety": ("Polizei und Sicherheit", "police and safety"),
    "sport_culture": ("Sport und Kultur", "sport and culture"),
}


def lisa_label(code: object, lang: str) -> str:
    if not isinstance(code, str) or code not in LISA:
        return "–"
    return LISA[code][1 if lang == "en" else 0]


T: dict[str, tuple[str, str]] = {
    "title_municipality": ("Sozialraumbericht {name}", "Social area report {name}"),
    "title_network": ("Bericht des Landesnetzwerks „{name}“",
                      "Report of the state network “{name}”"),
    "contents": ("Inhalt", "Contents"),
    "created": ("Erstellt am", "Created on"),
    "generator": ("Erstellt mit kekiz (AGPL-3.0-or-later) aus geheimhaltungsgeprüften Daten.",
                  "Made with kekiz (AGPL-3.0-or-later) from disclosure-controlled data."),
    "page": ("Seite", "Page"),
    "of_pages": ("von", "of"),
    "map_of": ("Karte: {what}", "Map: {what}"),
    "ranking_of": ("Rangfolge: {what}", "Ranking: {what}"),
    "trend_of": ("Verlauf: {what}", "Trend: {what}"),
    "funnel_of": ("Funnel-Plot: {what}", "Funnel plot: {what}"),
    "classes_map": ("Indexklassen: {what}", "Index classes: {what}"),
    "location_of": ("Lage: {what}", "Location: {what}"),
    "median_of": ("Median der {level}", "median of the {level}"),
    "the_median": ("dem Median aller Gebiete", "the median of all areas"),
    "suppressed_mark": ("„.“ gesperrt (Geheimhaltung)", "“.” withheld (disclosure control)"),
    "missing_mark": ("„–“ keine Angabe", "“–” no data"),
    "legend": ("Legende", "Legend"),
    "class": ("Klasse", "Class"),
    "classes": ("Klassen", "Classes"),
    "count": ("Anzahl", "Count"),
    "area": ("Gebiet", "Area"),
    "value": ("Wert", "Value"),
    "numerator": ("Zähler", "Numerator"),
    "denominator": ("Nenner", "Denominator"),
    "rank": ("Rang", "Rank"),
    "status": ("Status", "Status"),
    "reason": ("Grund", "Reason"),
    "period": ("Zeitraum", "Period"),
    "indicator": ("Indikator", "Indicator"),
    "definition": ("Definition", "Definition"),
    "source": ("Quelle", "Source"),
    "licence": ("Lizenz", "Licence"),
    "reference": ("Vergleichswert", "Reference"),
    "points": ("Punkte", "Points"),
    "lisa": ("LISA", "LISA"),
    "reasons": ("Begründung", "Reasons"),
    "priority_areas": ("Prioritätsgebiete", "Priority areas"),
    "no_priority": ("Kein Gebiet erfüllt die Prioritätsregel.",
                    "No area meets the priority rule."),
    "hotspots": ("Hot Spots", "Hot spots"),
    "no_hotspots": ("Keine signifikanten Hot Spots.", "No significant hot spots."),
    "ranking_top": ("Rangfolge (höchste Punktzahl zuerst)", "Ranking (highest points first)"),
    "computed_note": ("Für diesen Bericht berechnet (nicht im Store gespeichert).",
                      "Computed for this report (not stored).",),
    "stored_note": ("Aus den gespeicherten Ergebnissen des Monitorings.",
                    "From the stored monitoring results."),
    "table_of": ("Tabelle: {what}", "Table: {what}"),
    "subject_value": ("Wert {who}", "Value {who}"),
    "median": ("Median", "Median"),
    "no_monitoring": ("Für diese Gebiete gibt es keinen Indexwert mit Richtung; Indexklassen, "
                      "Hot Spots und Prioritätsgebiete entfallen.",
                      "There is no index with a direction for these areas; index classes, "
                      "hot spots and priority areas are omitted."),
    "finding_above": ("In {n} von {total} {area} liegt „{name}“ ({period}) über {ref} "
                      "({value}).", "In {n} of {total} {area}, “{name}” ({period}) is above "
                      "{ref} ({value})."),
    "finding_range": ("Den höchsten Wert hat {hi} ({hi_v}), den niedrigsten {lo} ({lo_v}).",
                      "The highest value is in {hi} ({hi_v}), the lowest in {lo} ({lo_v})."),
    "finding_suppressed": ("{n} von {total} Werten sind zur Wahrung der statistischen "
                           "Geheimhaltung gesperrt („.“).",
                           "{n} of {total} values are withheld for statistical "
                           "confidentiality (“.”)."),
    "finding_trend": ("In {who} {word} „{name}“ von {v0} ({p0}) auf {v1} ({p1}).",
                      "In {who}, “{name}” {word} from {v0} ({p0}) to {v1} ({p1})."),
    "rose": ("stieg", "rose"),
    "fell": ("sank", "fell"),
    "stayed": ("blieb", "stayed"),
    "finding_priority": ("Nach der Prioritätsregel ({score}) sind {n} Gebiete "
                         "Prioritätsgebiete, zuerst: {names}.", "By the priority rule "
                         "({score}), {n} areas are priority areas, first: {names}."),
    "finding_hotspots": ("{n} Gebiete bilden räumliche Hot Spots von {score} (LISA): {names}.",
                         "{n} areas form spatial hot spots of {score} (LISA): {names}."),
    "finding_funnel": ("Bei „{name}“ liegen {n} Gebiete über der 99,8-%-Grenze des "
                       "Funnel-Plots: {names}.", "For “{name}”, {n} areas lie above the "
                       "99.8% limit of the funnel plot: {names}."),
    "finding_chain": ("Die Präventionskette hat {n} Lücken (Lebensphase und Bereich ohne "
                      "Angebot).", "The prevention chain has {n} gaps (life phase and "
                      "sector without an offer)."),
    "finding_goals": ("Von {n} Zielwerten des Leitbilds sind {on} auf Kurs, {risk} gefährdet, "
                      "{off} nicht auf Kurs; für {none} fehlen Daten.",
                      "Of {n} targets of the Leitbild, {on} are on track, {risk} at risk, "
                      "{off} off track; {none} lack data."),
    "about": ("Über diesen Bericht", "About this report"),
    "about_districts": ("Der Bericht beschreibt {name} ({level}) in {n} {area}. Alle Zahlen "
                        "sind veröffentlichte, geheimhaltungsgeprüfte Werte.",
                        "The report describes {name} ({level}) in {n} {area}. All numbers "
                        "are published, disclosure-controlled values."),
    "about_peers": ("{name} hat im Store keine Teilgebiete; der Bericht zeigt {name} im "
                    "Vergleich mit allen {n} {area} des Landes.",
                    "{name} has no sub-areas in the store; the report shows {name} compared "
                    "with all {n} {area} of the state."),
    "about_state": ("Der Bericht zeigt die Mitglieder des Landesnetzwerks im Vergleich mit "
                    "allen {n} {area} des Landes (Mitglieder umrandet).",
                    "The report shows the members of the state network compared with all {n} "
                    "{area} of the state (members outlined)."),
    "profiles_limited": ("Gezeigt werden {n} von {total} Gebietsprofilen (Einstellung "
                         "max_profiles).", "Showing {n} of {total} area profiles (setting "
                         "max_profiles)."),
    "members": ("Mitglieder", "Members"),
    "finding_members": ("{year} sind {n} Kommunen Mitglied; in ihnen leben {share} % der Kinder "
                        "unter 18 Jahren des Landes ({children} von {total}).",
                        "In {year}, {n} municipalities are members; {share}% of the state's "
                        "children under 18 live in them ({children} of {total})."),
    "finding_funding": ("Die Förderung summiert sich über {years} Jahre auf {amount} EUR.",
                        "Funding adds up to EUR {amount} over {years} years."),
    "joined": ("Beitritt", "Joined"),
    "level": ("Ebene", "Level"),
    "key": ("Schlüssel", "Key"),
    "reach": ("Reichweite", "Reach"),
    "year": ("Jahr", "Year"),
    "share_children": ("Anteil der Kinder", "Share of children"),
    "children_in_members": ("Kinder in Mitgliedskommunen", "Children in members"),
    "funding_eur": ("Förderung (EUR)", "Funding (EUR)"),
    "membership_map": ("Mitgliedskommunen {year}", "Member municipalities {year}"),
    "member_kreis": ("Mitglied (Kreis / kreisfreie Stadt)",
                     "Member (district / district-free city)"),
    "member_gemeinde": ("Mitglied (kreisangehörige Gemeinde)", "Member (municipality)"),
    "not_member": ("kein Mitglied", "not a member"),
    "chain_gaps": ("Lücken der Präventionskette", "Gaps of the prevention chain"),
    "chain_matrix": ("Angebote je Lebensphase und Bereich", "Offers per life phase and sector"),
    "no_gaps": ("Keine Lücken.", "No gaps."),
    "goal": ("Ziel", "Goal"),
    "target": ("Zielwert", "Target"),
    "current": ("Aktueller Wert", "Current value"),
    "forecast": ("Prognose", "Forecast"),
    "datasets": ("Datensätze", "Datasets"),
    "dataset": ("Datensatz", "Dataset"),
    "attribution": ("Namensnennung", "Attribution"),
    "bundled": ("Mitgelieferte Daten (Demo)", "Bundled data (demo)"),
    "indicator_sources": ("Indikatoren dieses Berichts", "Indicators of this report"),
    "methods_classes": ("Kartenklassen: Quantile ({k} Klassen, gleich viele Gebiete je Klasse) "
                        "über die veröffentlichten Werte; gesperrte und fehlende Werte bleiben "
                        "ohne Klasse und sind schraffiert.",
                        "Map classes: quantiles ({k} classes, equal numbers of areas per "
                        "class) over the published values; withheld and missing values have "
                        "no class and are hatched."),
    "methods_median": ("Mediane, Ränge und Vergleiche verwenden nur veröffentlichte Werte, "
                       "damit sie keinen gesperrten Wert verraten.",
                       "Medians, ranks and comparisons use published values only, so they "
                       "cannot reveal a withheld value."),
    "methods_funnel": ("Funnel-Plot: Anteil je Gebiet gegen seinen Nenner; Grenzen aus der "
                       "Binomialverteilung um den Gesamtanteil (95 % und 99,8 %). Punkte "
                       "außerhalb der 99,8-%-Grenze sind kaum durch Zufall erklärbar.",
                       "Funnel plot: share per area against its denominator; limits from the "
                       "binomial distribution around the pooled share (95% and 99.8%). Points "
                       "outside the 99.8% limit are hardly explained by chance."),
    "methods_lisa": ("Hot Spots: lokaler Moran-Index (LISA, Queen-Nachbarschaft, 999 "
                     "Permutationen, Seed fest, p < 0,05).",
                     "Hot spots: local Moran's I (LISA, queen contiguity, 999 permutations, "
                     "fixed seed, p < 0.05)."),
    "methods_privacy": ("Geheimhaltung: Jede Zahl dieses Berichts durchläuft die "
                        "Veröffentlichungsprüfung von kekiz. Gesperrte Werte erscheinen als "
                        "„.“ mit ihrem Grund; aus ihnen abgeleitete Zahlen (Zähler, Nenner, "
                        "Intervalle, Klassen) werden ebenfalls nicht gezeigt.",
                        "Disclosure control: every number of this report passes kekiz' "
                        "publication check. Withheld values appear as “.” with their reason; "
                        "numbers derived from them (numerator, denominator, intervals, "
                        "classes) are not shown either."),
    "dot_reason": ("„.“ = Wert gesperrt (Geheimhaltung), „–“ = kein Wert vorhanden.",
                   "“.” = value withheld (disclosure control), “–” = no value available."),
    "synthetic_note": ("Hinweis: Indikatoren mit „SYNTHETISCH“ im Namen sind erfundene "
                       "Demo-Daten und sagen nichts über die Gebiete aus.",
                       "Note: indicators with “SYNTHETIC” in their name are invented demo "
                       "data and say nothing about the areas."),
}
