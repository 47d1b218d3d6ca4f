"""The assumptions and caveats of a staggered difference-in-differences, in German and
English, as :class:`kekiz.analysis.did.DidResult` carries them."""

from __future__ import annotations

from collections.abc import Mapping

from kekiz.analysis.did_panel import ControlGroup, label
from kekiz.i18n import fmt_number

__all__ = ["SMALL_COHORT", "assumptions_and_caveats"]

#: Cohorts smaller than this many units (+ number of covariates) get a caveat (R did).
SMALL_COHORT = 5

Texts = tuple[tuple[str, ...], tuple[str, ...]]


def assumptions_and_caveats(control: ControlGroup, covariates: tuple[str, ...],
                            pretest_p: float | None, pretest_df: int,
                            cohort_sizes: Mapping[float, int], notes_de: list[str],
                            notes_en: list[str]) -> tuple[Texts, Texts]:
    """((assumptions German, English), (caveats German, English)); the caveats end with
    the notes on the data."""
    caveats = _caveats(covariates, pretest_p, pretest_df, cohort_sizes)
    return _assumptions(control, covariates), (caveats[0] + tuple(notes_de),
                                               caveats[1] + tuple(notes_en))


def _assumptions(control: ControlGroup, covariates: tuple[str, ...]) -> Texts:
    comp_de = ("Einheiten, die nie am Programm teilnehmen" if control == "never" else
               "Einheiten, die (noch) nicht am Programm teilnehmen")
    comp_en = ("never treated units" if control == "never" else
               "units not (yet) treated")
    cov = ", ".join(covariates)
    a_de = [
        "Parallele Trends: Ohne das Programm hätte sich die Zielgröße in den "
        f"Programmeinheiten im Mittel genauso entwickelt wie bei den {comp_de}"
        + (f" – jeweils unter Einheiten mit gleichen Werten von {cov}." if covariates
           else "."),
        "Keine Vorwegnahme: Vor dem Startjahr wirkt das Programm noch nicht auf die "
        "Zielgröße (auch nicht durch Ankündigung oder Vorbereitung).",
        "Dauerhafte Teilnahme: Wer einmal im Programm ist, bleibt es; ein Ausstieg "
        "wird nicht abgebildet.",
        "Keine Übertragung: Das Programm einer Einheit verändert die Zielgröße anderer "
        "Einheiten nicht (z. B. durch Umzüge oder gemeinsame Angebote).",
        "Überlappung: Zu jeder Programmeinheit gibt es vergleichbare Einheiten ohne "
        "laufendes Programm.",
    ]
    a_en = [
        "Parallel trends: without the programme the outcome of treated units would on "
        f"average have developed like that of the {comp_en}"
        + (f", among units with the same values of {cov}." if covariates else "."),
        "No anticipation: the programme does not affect the outcome before its start "
        "(not even through announcement or preparation).",
        "Staggered, irreversible adoption: once in the programme, a unit stays in it.",
        "No spillovers: one unit's programme does not change other units' outcomes "
        "(e.g. through moving families or shared services).",
        "Overlap: for every treated unit there are comparable units without the "
        "programme running.",
    ]
    return tuple(a_de), tuple(a_en)


def _caveats(covariates: tuple[str, ...], pretest_p: float | None, pretest_df: int,
             cohort_sizes: Mapping[float, int]) -> Texts:
    cov = ", ".join(covariates)
    c_de: list[str] = []
    c_en: list[str] = []
    if pretest_p is None:
        c_de.append("Ein Vortest auf parallele Trends war nicht möglich (keine oder nicht "
                    "auswertbare Zeiträume vor Programmbeginn).")
        c_en.append("No pre-test of parallel trends was possible (no usable "
                    "pre-treatment periods).")
    elif pretest_p < 0.05:
        c_de.append(f"Der Vortest findet unterschiedliche Trends schon vor Programmbeginn "
                    f"(p = {fmt_number(pretest_p, 3)}, {pretest_df} Vergleiche): Die Annahme "
                    "paralleler Trends ist fraglich, die Effekte sind mit großer Vorsicht "
                    "zu lesen.")
        c_en.append(f"The pre-test finds different trends before the programme started "
                    f"(p = {pretest_p:.3f}, {pretest_df} comparisons): parallel trends are "
                    "doubtful; read the effects with great caution.")
    else:
        c_de.append(f"Der Vortest findet keine deutlichen Trendunterschiede vor "
                    f"Programmbeginn (p = {fmt_number(pretest_p, 3)}, {pretest_df} Vergleiche). "
                    "Das beweist keine parallelen Trends: Er prüft nur die Zeit vor dem "
                    "Start und übersieht bei wenigen Einheiten auch größere Abweichungen.")
        c_en.append(f"The pre-test finds no clear trend differences before the programme "
                    f"started (p = {pretest_p:.3f}, {pretest_df} comparisons). This does "
                    "not prove parallel trends: it only looks at the pre-programme periods "
                    "and has little power with few units.")
    c_de += [
        "Beobachtungsdaten: Andere Veränderungen, die zeitgleich mit dem Programm "
        "eintreten (z. B. weitere Förderprogramme), können die geschätzten Effekte "
        "verzerren.",
        "Standardfehler und 95-%-Intervalle sind analytisch (Einflussfunktion) und "
        "gelten je Wert einzeln, nicht gemeinsam für den ganzen Verlauf; das R-Paket "
        "did zeigt standardmäßig Bootstrap-Fehler, die leicht abweichen.",
        "In der Ereignisstudie vergleichen die Werte vor Programmbeginn jeweils zwei "
        "aufeinanderfolgende Zeiträume; sie sind nicht direkt mit den Werten nach "
        "Beginn vergleichbar.",
        "Späte Ereigniszeiten beruhen nur auf früh gestarteten Kohorten; Unterschiede "
        "im Verlauf können auch daher kommen, welche Kohorten beitragen.",
        "Die Ergebnisse beschreiben Einheiten (z. B. Kommunen) als Ganzes, nicht "
        "einzelne Kinder oder Familien.",
    ]
    c_en += [
        "Observational data: other changes happening together with the programme "
        "(e.g. other funding schemes) can bias the estimated effects.",
        "Standard errors and 95 % intervals are analytic (influence function) and "
        "pointwise, not simultaneous over the whole profile; R's did shows bootstrap "
        "errors by default, which differ slightly.",
        "In the event study the pre-programme values each compare two consecutive "
        "periods; they are not directly comparable with the post-programme values.",
        "Late event times rest only on early cohorts; changes along the profile may "
        "also reflect which cohorts contribute.",
        "Results describe units (e.g. municipalities) as a whole, not individual "
        "children or families.",
    ]
    if covariates:
        c_de.append(f"Kontrollvariablen ({cov}) gehen mit ihrem Wert im jeweiligen "
                    "Basiszeitraum ein; sie sollten vom Programm unbeeinflusst sein.")
        c_en.append(f"Covariates ({cov}) enter with their value in the base period of "
                    "each comparison; they should not be affected by the programme.")
    small = [g for g, size in cohort_sizes.items() if size < SMALL_COHORT + len(covariates)]
    if small:
        shown = ", ".join(f"{label(g)} ({cohort_sizes[g]})" for g in small)
        c_de.append(f"Sehr kleine Kohorte(n) – Startzeitpunkt (Anzahl Einheiten): {shown}; "
                    "ihre Schätzungen sind sehr unsicher.")
        c_en.append(f"Very small cohort(s) – first period (number of units): {shown}; "
                    "their estimates are very uncertain.")
    return tuple(c_de), tuple(c_en)
