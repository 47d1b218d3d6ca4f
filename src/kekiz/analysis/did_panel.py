"""The panel of a staggered difference-in-differences (:mod:`kekiz.analysis.did`).

:func:`prepare_panel` checks the long input table (one row per unit and period) and
turns it into a balanced panel in wide form: units with missing values or periods are
dropped, units first treated after the last period count as never treated, units treated
already in the first period are dropped, and without never treated units the last cohort
serves as comparison (as R ``did`` does).  Every such step is recorded in German and
English notes; unusable input raises :class:`~kekiz.domain.errors.MethodError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import numpy as np
import numpy.typing as npt
import pandas as pd

from kekiz.domain.errors import MethodError

__all__ = ["ControlGroup", "FloatArray", "Panel", "fail", "label", "prepare_panel",
           "show_list"]

FloatArray = npt.NDArray[np.float64]
ControlGroup = Literal["never", "notyet"]


def fail(de: str, en: str) -> NoReturn:
    """Raise the method's error: German message, English in ``message_en``."""
    raise MethodError(de, message_en=en)


def label(value: float) -> str:
    """``2004.0`` -> ``"2004"``; non-integral values keep their decimals."""
    v = float(value)
    return str(int(v)) if v.is_integer() else repr(v)


def show_list(values: Iterable[Any], limit: int = 5) -> str:
    """The first ``limit`` values, comma-separated, ``...`` when there are more."""
    items = [str(v) for v in values]
    text = ", ".join(items[:limit])
    return text + (", ..." if len(items) > limit else "")


@dataclass
class Panel:
    """Balanced panel in wide form after all checks and recodings."""

    units: list[Any]
    periods: FloatArray  # (T,)
    y: FloatArray  # (n, T)
    x: FloatArray  # (n, T, k)
    g: FloatArray  # (n,) first treated period, 0 = never treated
    notes_de: list[str]
    notes_en: list[str]


def prepare_panel(data: pd.DataFrame, outcome: str, unit: str, time: str, group: str,
                  control: ControlGroup, covariates: tuple[str, ...]) -> Panel:
    """The balanced panel of ``data`` (see the module text)."""
    frame, xcols = _long_frame(data, outcome, unit, time, group, covariates)
    notes_de: list[str] = []
    notes_en: list[str] = []
    frame, periods = _balanced(frame, xcols, notes_de, notes_en)
    frame, periods, unit_g = _cohorts(frame, periods, control, group, notes_de, notes_en)
    units = unit_g.index.tolist()

    def wide(column: str) -> FloatArray:
        table = frame.pivot(index="unit", columns="t", values=column)
        return table.reindex(index=units, columns=periods).to_numpy(dtype=float)

    y = wide("y")
    x = np.empty((len(units), len(periods), len(xcols)))
    for i, col in enumerate(xcols):
        x[:, :, i] = wide(col)
    return Panel(units=units, periods=periods.astype(float), y=y, x=x,
                 g=unit_g.to_numpy(dtype=float), notes_de=notes_de, notes_en=notes_en)


def _numeric(frame: pd.DataFrame, column: str, role_de: str, role_en: str) -> pd.Series:
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if isinstance(raw.dtype, pd.StringDtype) or raw.dtype == object:
        bad &= raw.astype("string").str.strip().ne("")
    if bool(bad.any()):
        examples = show_list(pd.unique(raw[bad]).tolist(), 3)
        fail(f"Spalte '{column}' ({role_de}) enthält Werte, die keine Zahlen sind: "
             f"{examples}. Bitte nur Zahlen eintragen (Dezimalpunkt).",
             f"Column '{column}' ({role_en}) holds values that are not numbers: "
             f"{examples}. Please enter numbers only (decimal point).")
    return values.astype(float)


def _check_columns(data: pd.DataFrame, needed: list[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        fail("Die Eingabe muss eine Tabelle (pandas DataFrame) sein.",
             "The input must be a table (pandas DataFrame).")
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        shown = ", ".join(f"'{c}'" for c in missing)
        have = show_list((f"'{c}'" for c in data.columns), 12)
        fail(f"Spalte(n) {shown} fehlen in den Daten. Vorhandene Spalten: {have}.",
             f"Column(s) {shown} missing from the data. Available columns: {have}.")
    if len(set(needed)) != len(needed):
        fail("Zielgröße, Einheit, Zeit, Startzeitpunkt und Kontrollvariablen müssen "
             f"verschiedene Spalten sein (angegeben: {', '.join(needed)}).",
             "Outcome, unit, time, first-treatment and covariate columns must be "
             f"different columns (given: {', '.join(needed)}).")
    if data.empty:
        fail("Die Daten enthalten keine Zeilen.", "The data has no rows.")


def _long_frame(data: pd.DataFrame, outcome: str, unit: str, time: str, group: str,
                covariates: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]]:
    """The checked columns as ``unit, t, g, y, x0...`` and the covariate column names."""
    _check_columns(data, [outcome, unit, time, group, *covariates])
    frame = pd.DataFrame({"unit": data[unit].to_numpy()})
    if bool(frame["unit"].isna().any()):
        fail(f"Spalte '{unit}' (Einheit) hat leere Zellen; jede Zeile braucht eine "
             "Kennung der Kommune bzw. Einheit.",
             f"Column '{unit}' (unit) has empty cells; every row needs a unit id.")
    frame["t"] = _numeric(data, time, "Zeit", "time").to_numpy()
    frame["g"] = _numeric(data, group, "Startzeitpunkt", "first treated period").to_numpy()
    frame["y"] = _numeric(data, outcome, "Zielgröße", "outcome").to_numpy()
    for i, cov in enumerate(covariates):
        frame[f"x{i}"] = _numeric(data, cov, "Kontrollvariable", "covariate").to_numpy()
    xcols = [f"x{i}" for i in range(len(covariates))]

    if bool(frame["t"].isna().any()):
        rows = show_list((np.flatnonzero(frame["t"].isna().to_numpy()) + 2).tolist())
        fail(f"Spalte '{time}' (Zeit) hat leere Zellen (Zeilen {rows}).",
             f"Column '{time}' (time) has empty cells (rows {rows}).")
    if bool(frame["g"].isna().any()):
        rows = show_list((np.flatnonzero(frame["g"].isna().to_numpy()) + 2).tolist())
        fail(f"Spalte '{group}' (Startzeitpunkt) hat leere Zellen (Zeilen {rows}). "
             "Tragen Sie das erste Programmjahr ein oder 0 für Einheiten, die nie am "
             "Programm teilnehmen.",
             f"Column '{group}' (first treated period) has empty cells (rows {rows}). "
             "Enter the first programme period, or 0 for never treated units.")
    frame.loc[np.isinf(frame["g"].to_numpy()) & (frame["g"] > 0), "g"] = 0.0
    if bool((frame["g"] < 0).any()):
        fail(f"Spalte '{group}' (Startzeitpunkt) enthält negative Werte; erlaubt sind "
             "Zeitpunkte und 0 für nie behandelt.",
             f"Column '{group}' (first treated period) holds negative values; allowed "
             "are periods and 0 for never treated.")
    _check_rows(frame, group)
    return frame, xcols


def _check_rows(frame: pd.DataFrame, group: str) -> None:
    """One row per unit and period; one first treated period per unit."""
    dup = frame.duplicated(["unit", "t"], keep=False)
    if bool(dup.any()):
        ex = frame.loc[dup, ["unit", "t"]].drop_duplicates().head(3)
        shown = "; ".join(f"{u} / {label(t)}" for u, t in ex.itertuples(index=False))
        fail(f"Einheit und Zeit kommen mehrfach vor (z. B. {shown}). Jede Einheit darf "
             "pro Zeitpunkt nur eine Zeile haben.",
             f"Unit and time occur more than once (e.g. {shown}). Each unit may have "
             "only one row per period.")

    n_groups = frame.groupby("unit", sort=False)["g"].nunique()
    if bool((n_groups > 1).any()):
        bad_units = show_list(n_groups.index[n_groups > 1].tolist())
        fail(f"Der Startzeitpunkt in Spalte '{group}' ist nicht für jede Einheit gleich "
             f"(Einheiten: {bad_units}). Er muss in allen Zeilen einer Einheit derselbe "
             "sein (erstes Programmjahr, 0 = nie).",
             f"The first treated period in column '{group}' is not constant within "
             f"units (units: {bad_units}). It must be the same in every row of a unit "
             "(first programme period, 0 = never).")


def _balanced(frame: pd.DataFrame, xcols: list[str], notes_de: list[str],
              notes_en: list[str]) -> tuple[pd.DataFrame, FloatArray]:
    """The units with every value in every period, and the periods."""
    incomplete = frame[["y", *xcols]].isna().any(axis=1)
    if bool(incomplete.any()):
        drop = pd.unique(frame.loc[incomplete, "unit"])
        frame = frame[~frame["unit"].isin(drop)]
        notes_de.append(f"{len(drop)} Einheit(en) mit fehlenden Werten der Zielgröße oder "
                        f"der Kontrollvariablen wurden entfernt ({show_list(drop)}).")
        notes_en.append(f"{len(drop)} unit(s) with missing outcome or covariate values were "
                        f"dropped ({show_list(drop)}).")

    periods = np.unique(frame["t"].to_numpy(dtype=float))
    counts = frame.groupby("unit", sort=False)["t"].size()
    unbalanced = counts.index[counts < len(periods)]
    if len(unbalanced):
        frame = frame[~frame["unit"].isin(unbalanced)]
        notes_de.append(f"{len(unbalanced)} Einheit(en) ohne Werte in allen Zeiträumen "
                        f"wurden entfernt ({show_list(unbalanced)}); das Verfahren braucht "
                        "ein vollständiges Panel.")
        notes_en.append(f"{len(unbalanced)} unit(s) not observed in every period were "
                        f"dropped ({show_list(unbalanced)}); the method needs a balanced "
                        "panel.")

    if frame.empty:
        fail("Keine Einheit hat vollständige Werte in allen Zeiträumen "
             f"({show_list(label(p) for p in periods)}). Das Verfahren braucht ein "
             "vollständiges Panel: jede Einheit mit einer Zeile je Zeitraum.",
             "No unit has complete values in every period "
             f"({show_list(label(p) for p in periods)}). The method needs a balanced "
             "panel: one row per unit and period.")
    if len(periods) < 2:
        fail("Für die Differenz-von-Differenzen-Schätzung werden mindestens zwei "
             "Zeiträume mit vollständigen Daten gebraucht.",
             "Difference-in-differences needs at least two periods with complete data.")
    return frame, periods


def _cohorts(frame: pd.DataFrame, periods: FloatArray, control: ControlGroup, group: str,
             notes_de: list[str], notes_en: list[str]
             ) -> tuple[pd.DataFrame, FloatArray, pd.Series]:
    """The first treated period of every unit kept (0 = never) after the recodings."""
    unit_g = frame.groupby("unit", sort=True)["g"].first()
    t_first, t_last = float(periods[0]), float(periods[-1])

    late = unit_g.index[unit_g > t_last]
    if len(late):
        unit_g[late] = 0.0
        notes_de.append(f"{len(late)} Einheit(en) beginnen erst nach dem letzten Zeitraum "
                        f"({label(t_last)}) und zählen als nie behandelt.")
        notes_en.append(f"{len(late)} unit(s) start after the last period "
                        f"({label(t_last)}) and count as never treated.")
    early = unit_g.index[(unit_g > 0) & (unit_g <= t_first)]
    if len(early):
        unit_g = unit_g.drop(early)
        frame = frame[~frame["unit"].isin(early)]
        notes_de.append(f"{len(early)} Einheit(en) waren schon im ersten Zeitraum "
                        f"({label(t_first)}) im Programm und wurden entfernt: für sie gibt "
                        "es keinen Vergleich vor dem Start.")
        notes_en.append(f"{len(early)} unit(s) were already treated in the first period "
                        f"({label(t_first)}) and were dropped: they have no pre-treatment "
                        "period.")

    if not bool((unit_g == 0).any()):
        frame, periods, unit_g = _last_cohort_as_comparison(frame, periods, unit_g, control,
                                                            notes_de, notes_en)

    if not bool((unit_g > 0).any()):
        fail("Keine Einheit nimmt im Beobachtungszeitraum am Programm teil "
             f"(Spalte '{group}' ist überall 0 oder liegt außerhalb der Zeiträume).",
             "No unit is treated within the observed periods "
             f"(column '{group}' is 0 everywhere or outside the periods).")
    return frame, periods, unit_g


def _last_cohort_as_comparison(frame: pd.DataFrame, periods: FloatArray, unit_g: pd.Series,
                               control: ControlGroup, notes_de: list[str],
                               notes_en: list[str]
                               ) -> tuple[pd.DataFrame, FloatArray, pd.Series]:
    """Without never treated units: drop the periods from the last cohort's start on and
    let that cohort serve as comparison."""
    if control == "never":
        fail("Es gibt keine Einheiten, die nie am Programm teilnehmen (Startzeitpunkt "
             "0). Mit der Vergleichsgruppe 'never' ist keine Schätzung möglich; "
             "wählen Sie '--control notyet' (noch nicht behandelte Einheiten).",
             "There are no never treated units (first treated period 0). With "
             "control group 'never' nothing can be estimated; use "
             "'--control notyet' (not-yet-treated units).")
    g_max = float(unit_g.max())
    unit_g = unit_g.copy()
    periods = periods[periods < g_max]
    frame = frame[frame["t"] < g_max]
    unit_g[unit_g == g_max] = 0.0
    notes_de.append("Es gibt keine nie behandelten Einheiten: Zeiträume ab "
                    f"{label(g_max)} wurden weggelassen und die zuletzt startende "
                    f"Kohorte ({label(g_max)}) dient als Vergleichsgruppe.")
    notes_en.append("There are no never treated units: periods from "
                    f"{label(g_max)} on were dropped and the last cohort "
                    f"({label(g_max)}) serves as comparison group.")
    if len(periods) < 2:
        fail("Ohne nie behandelte Einheiten bleiben vor dem Start der letzten Kohorte "
             "weniger als zwei Zeiträume; keine Schätzung möglich.",
             "Without never treated units fewer than two periods remain before the "
             "last cohort starts; nothing can be estimated.")
    unit_g[unit_g > float(periods[-1])] = 0.0
    return frame, periods, unit_g
