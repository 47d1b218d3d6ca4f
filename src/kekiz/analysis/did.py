"""Staggered difference-in-differences: Callaway & Sant'Anna (2021) group-time effects.

Municipalities (or districts, schools ...) that start a prevention programme in different
years form *cohorts* (groups ``g`` = first year in the programme, ``0`` = never).  For every
cohort ``g`` and period ``t`` the group-time average treatment effect ``ATT(g,t)`` compares
the change of the outcome in cohort ``g`` with the change in a comparison group (never
treated units, or additionally the units not yet treated by ``t``).  The ``ATT(g,t)`` are
then averaged four ways:

``simple``
    all post-treatment ``ATT(g,t)`` weighted by cohort size;
``dynamic`` (event study)
    by event time ``e = t - g``; the overall value averages the event times ``e >= 0``;
``group``
    by cohort; the overall value weights the cohorts by size;
``calendar``
    by calendar period; the overall value averages the periods.

:func:`estimate_did` returns a :class:`DidResult`; ``DidResult.to_dict()`` is the JSON
layout of ``kekiz evaluate did`` (see :meth:`DidResult.to_dict`).

Implementation choice
---------------------
The maintained Python ports were checked first (2026, numpy 2.4 / pandas 3.1):

* ``moderndid`` 0.2.0 installs and reproduces R ``did`` on ``mpdta`` to all printed
  digits, but hard-requires ``polars`` (about 180 MB of native runtime) and
  ``prettytable`` just for this one estimator, and its 0.x API is still changing
  (``bstrap`` became ``boot``).
* ``csdid`` 0.4.3 requires ``twine``, ``plotnine`` and ``drdid`` at run time.
* ``differences`` 0.3.0 requires ``polars`` and ``tqdm``.

Pulling a second dataframe engine into every kekiz installation for one method was not
worth it, so the estimator is implemented here on numpy/scipy (about the size of the R
code), following R ``did`` 2.x (``att_gt`` + ``aggte``) and ``DRDID::drdid_panel``
exactly where it matters for the numbers:

* panel data, doubly robust estimator of Sant'Anna & Zhao (2020) ("traditional",
  locally efficient): logit propensity score (Newton-Raphson), OLS outcome regression on
  the comparison units, control propensity scores of 0.995 and above trimmed;
* base period ``"varying"`` (R's default): post-treatment cells compare with ``g - 1``,
  pre-treatment cells with the period immediately before ``t``;
* covariates enter with their value in the earlier period of each 2x2 comparison, as
  R's ``panel2cs2`` does;
* ``control="notyet"``: never treated units plus units first treated after ``t`` (and not
  in cohort ``g``); without any never treated unit the periods from the last cohort's
  start on are dropped and that cohort serves as comparison (as R does);
* units first treated after the last period count as never treated; units already
  treated in the first period are dropped;
* analytic standard errors from the influence functions (R's ``bstrap = FALSE``),
  including the estimation effect of the aggregation weights;
* the pre-test of parallel trends is R's Wald test on all pre-treatment ``ATT(g,t)``
  with the influence-function covariance.

One deliberate difference: for the overall ``group`` aggregation R ``did`` builds the
weight influence function from the first cohort entries of the ``ATT(g,t)`` list
(``group=group`` in ``compute.aggte``); kekiz uses each cohort's own indicator, as
``moderndid`` does.  Point estimates are unaffected.  Development cross-check against
``moderndid`` 0.2.0 on ``mpdta`` (never/not-yet treated, with and without ``~lpop``):
every ``ATT(g,t)``, aggregate, standard error and pre-test statistic agrees to better
than 1e-10.

Not implemented: sampling weights, anticipation periods, unbalanced panels (incomplete
units are dropped), repeated cross-sections, bootstrap and uniform confidence bands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats

from kekiz.domain.errors import MethodError

__all__ = [
    "CONTROL_GROUPS",
    "ControlGroup",
    "DidResult",
    "Estimate",
    "GroupTimeEffect",
    "estimate_did",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ControlGroup = Literal["never", "notyet"]

#: Accepted values of ``control``.
CONTROL_GROUPS: tuple[str, ...] = ("never", "notyet")

#: Control units with a propensity score at or above this are trimmed (DRDID default).
PS_TRIM_LEVEL = 0.995
#: A propensity score at or above this means the overlap condition fails (R did).
PS_OVERLAP_LIMIT = 0.999
#: Cohorts smaller than this many units (+ number of covariates) get a caveat (R did).
SMALL_COHORT = 5
#: Standard errors at or below this are reported as missing (R did).
_SE_ZERO = math.sqrt(np.finfo(float).eps) * 10


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its analytic standard error (``None`` if not estimable)."""

    att: float
    se: float | None

    def ci(self, level: float = 0.95) -> tuple[float, float] | None:
        """Pointwise normal confidence interval, ``None`` without a standard error."""
        if self.se is None:
            return None
        z = float(stats.norm.ppf(0.5 + level / 2))
        return (self.att - z * self.se, self.att + z * self.se)

    def to_dict(self) -> dict[str, float | None]:
        return {"att": _json_float(self.att), "se": _json_float(self.se)}


@dataclass(frozen=True)
class GroupTimeEffect:
    """``ATT(g,t)``: effect for cohort ``group`` (first treated period) in ``time``."""

    group: float
    time: float
    att: float
    se: float | None

    @property
    def event_time(self) -> float:
        return self.time - self.group

    @property
    def post(self) -> bool:
        return self.time >= self.group

    def to_dict(self) -> dict[str, Any]:
        return {"group": _json_number(self.group), "time": _json_number(self.time),
                "att": _json_float(self.att), "se": _json_float(self.se)}


@dataclass(frozen=True)
class DidResult:
    """Result of :func:`estimate_did`.

    ``by_event``, ``by_group`` and ``by_time`` map event time, cohort and calendar period
    (numbers, in the unit of the time column) to an :class:`Estimate`.  ``pretest_p`` is
    ``None`` when there is no pre-treatment cell to test.  ``notes_de``/``notes_en``
    record what was done to the data (dropped or recoded units); they are repeated in the
    caveats.
    """

    outcome: str
    unit: str
    time: str
    group_column: str
    control: ControlGroup
    covariates: tuple[str, ...]
    n_units: int
    periods: tuple[float, ...]
    cohort_sizes: Mapping[float, int]
    att_gt: tuple[GroupTimeEffect, ...]
    simple: Estimate
    dynamic: Estimate
    by_event: Mapping[float, Estimate]
    group: Estimate
    by_group: Mapping[float, Estimate]
    calendar: Estimate
    by_time: Mapping[float, Estimate]
    pretest_p: float | None
    pretest_stat: float | None
    pretest_df: int
    notes_de: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()
    assumptions_de: tuple[str, ...] = field(default=(), repr=False)
    assumptions_en: tuple[str, ...] = field(default=(), repr=False)
    caveats_de: tuple[str, ...] = field(default=(), repr=False)
    caveats_en: tuple[str, ...] = field(default=(), repr=False)

    def assumptions(self, lang: str = "de") -> tuple[str, ...]:
        return self.assumptions_en if lang == "en" else self.assumptions_de

    def caveats(self, lang: str = "de") -> tuple[str, ...]:
        return self.caveats_en if lang == "en" else self.caveats_de

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready layout (NaN becomes ``None``)::

            simple    {att, se}
            dynamic   {att, se, by_event: {"-1": {att, se}, "0": ..., ...}}
            group     {att, se, by_group: {"2004": {att, se}, ...}}
            calendar  {att, se, by_time:  {"2004": {att, se}, ...}}
            att_gt    [{group, time, att, se}, ...]
            pretest_p number or null (Wald test of all pre-treatment ATT(g,t) = 0)
            pretest_stat, pretest_df
            assumptions_de, assumptions_en, caveats_de, caveats_en   lists of sentences
            method    settings and sample description
        """
        return {
            "simple": self.simple.to_dict(),
            "dynamic": {**self.dynamic.to_dict(), "by_event": _by_label(self.by_event)},
            "group": {**self.group.to_dict(), "by_group": _by_label(self.by_group)},
            "calendar": {**self.calendar.to_dict(), "by_time": _by_label(self.by_time)},
            "att_gt": [cell.to_dict() for cell in self.att_gt],
            "pretest_p": _json_float(self.pretest_p),
            "pretest_stat": _json_float(self.pretest_stat),
            "pretest_df": self.pretest_df,
            "assumptions_de": list(self.assumptions_de),
            "assumptions_en": list(self.assumptions_en),
            "caveats_de": list(self.caveats_de),
            "caveats_en": list(self.caveats_en),
            "method": {
                "estimator": "Callaway & Sant'Anna (2021), doubly robust "
                             "(Sant'Anna & Zhao 2020), panel data",
                "implementation": "kekiz.analysis.did (port of R did 2.x / DRDID)",
                "control": self.control,
                "base_period": "varying",
                "standard_errors": "analytic (influence function), pointwise",
                "outcome": self.outcome,
                "unit": self.unit,
                "time": self.time,
                "group": self.group_column,
                "covariates": list(self.covariates),
                "n_units": self.n_units,
                "periods": [_json_number(p) for p in self.periods],
                "cohort_sizes": {_label(g): n for g, n in self.cohort_sizes.items()},
                "notes_de": list(self.notes_de),
                "notes_en": list(self.notes_en),
            },
        }


# ----------------------------------------------------------------------------- helpers


def _fail(de: str, en: str) -> NoReturn:
    raise MethodError(de, message_en=en)


def _label(value: float) -> str:
    """``2004.0`` -> ``"2004"``; non-integral values keep their decimals."""
    v = float(value)
    return str(int(v)) if v.is_integer() else repr(v)


def _json_number(value: float) -> int | float:
    v = float(value)
    return int(v) if v.is_integer() else v


def _json_float(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _by_label(values: Mapping[float, Estimate]) -> dict[str, dict[str, float | None]]:
    return {_label(k): v.to_dict() for k, v in sorted(values.items())}


def _fmt_de(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _show_list(values: Iterable[Any], limit: int = 5) -> str:
    items = [str(v) for v in values]
    text = ", ".join(items[:limit])
    return text + (", ..." if len(items) > limit else "")


def _se_or_none(inf: FloatArray) -> float | None:
    """Analytic SE of an aggregated parameter from its influence function (R getSE)."""
    n = inf.shape[0]
    se = math.sqrt(float(np.mean(inf**2)) / n)
    return None if (not math.isfinite(se) or se <= _SE_ZERO) else se


# ----------------------------------------------------------------------------- input


@dataclass
class _Panel:
    """Balanced panel in wide form after all checks and recodings."""

    units: list[Any]
    periods: FloatArray  # (T,)
    y: FloatArray  # (n, T)
    x: FloatArray  # (n, T, k)
    g: FloatArray  # (n,) first treated period, 0 = never treated
    notes_de: list[str]
    notes_en: list[str]


def _numeric(frame: pd.DataFrame, column: str, role_de: str, role_en: str) -> pd.Series:
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if isinstance(raw.dtype, pd.StringDtype) or raw.dtype == object:
        bad &= raw.astype("string").str.strip().ne("")
    if bool(bad.any()):
        examples = _show_list(pd.unique(raw[bad]).tolist(), 3)
        _fail(f"Spalte '{column}' ({role_de}) enthält Werte, die keine Zahlen sind: "
              f"{examples}. Bitte nur Zahlen eintragen (Dezimalpunkt).",
              f"Column '{column}' ({role_en}) holds values that are not numbers: "
              f"{examples}. Please enter numbers only (decimal point).")
    return values.astype(float)


def _prepare(data: pd.DataFrame, outcome: str, unit: str, time: str, group: str,
             control: ControlGroup, covariates: tuple[str, ...]) -> _Panel:
    if not isinstance(data, pd.DataFrame):
        _fail("Die Eingabe muss eine Tabelle (pandas DataFrame) sein.",
              "The input must be a table (pandas DataFrame).")
    needed = [outcome, unit, time, group, *covariates]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        shown = ", ".join(f"'{c}'" for c in missing)
        have = _show_list((f"'{c}'" for c in data.columns), 12)
        _fail(f"Spalte(n) {shown} fehlen in den Daten. Vorhandene Spalten: {have}.",
              f"Column(s) {shown} missing from the data. Available columns: {have}.")
    if len(set(needed)) != len(needed):
        _fail("Zielgröße, Einheit, Zeit, Startzeitpunkt und Kontrollvariablen müssen "
              f"verschiedene Spalten sein (angegeben: {', '.join(needed)}).",
              "Outcome, unit, time, first-treatment and covariate columns must be "
              f"different columns (given: {', '.join(needed)}).")
    if data.empty:
        _fail("Die Daten enthalten keine Zeilen.", "The data has no rows.")

    frame = pd.DataFrame({"unit": data[unit].to_numpy()})
    if bool(frame["unit"].isna().any()):
        _fail(f"Spalte '{unit}' (Einheit) hat leere Zellen; jede Zeile braucht eine "
              "Kennung der Kommune bzw. Einheit.",
              f"Column '{unit}' (unit) has empty cells; every row needs a unit id.")
    frame["t"] = _numeric(data, time, "Zeit", "time").to_numpy()
    frame["g"] = _numeric(data, group, "Startzeitpunkt", "first treated period").to_numpy()
    frame["y"] = _numeric(data, outcome, "Zielgröße", "outcome").to_numpy()
    for i, cov in enumerate(covariates):
        frame[f"x{i}"] = _numeric(data, cov, "Kontrollvariable", "covariate").to_numpy()
    xcols = [f"x{i}" for i in range(len(covariates))]

    if bool(frame["t"].isna().any()):
        rows = _show_list((np.flatnonzero(frame["t"].isna().to_numpy()) + 2).tolist())
        _fail(f"Spalte '{time}' (Zeit) hat leere Zellen (Zeilen {rows}).",
              f"Column '{time}' (time) has empty cells (rows {rows}).")
    if bool(frame["g"].isna().any()):
        rows = _show_list((np.flatnonzero(frame["g"].isna().to_numpy()) + 2).tolist())
        _fail(f"Spalte '{group}' (Startzeitpunkt) hat leere Zellen (Zeilen {rows}). "
              "Tragen Sie das erste Programmjahr ein oder 0 für Einheiten, die nie am "
              "Programm teilnehmen.",
              f"Column '{group}' (first treated period) has empty cells (rows {rows}). "
              "Enter the first programme period, or 0 for never treated units.")
    frame.loc[np.isinf(frame["g"].to_numpy()) & (frame["g"] > 0), "g"] = 0.0
    if bool((frame["g"] < 0).any()):
        _fail(f"Spalte '{group}' (Startzeitpunkt) enthält negative Werte; erlaubt sind "
              "Zeitpunkte und 0 für nie behandelt.",
              f"Column '{group}' (first treated period) holds negative values; allowed "
              "are periods and 0 for never treated.")

    dup = frame.duplicated(["unit", "t"], keep=False)
    if bool(dup.any()):
        ex = frame.loc[dup, ["unit", "t"]].drop_duplicates().head(3)
        shown = "; ".join(f"{u} / {_label(t)}" for u, t in ex.itertuples(index=False))
        _fail(f"Einheit und Zeit kommen mehrfach vor (z. B. {shown}). Jede Einheit darf "
              "pro Zeitpunkt nur eine Zeile haben.",
              f"Unit and time occur more than once (e.g. {shown}). Each unit may have "
              "only one row per period.")

    n_groups = frame.groupby("unit", sort=False)["g"].nunique()
    if bool((n_groups > 1).any()):
        bad_units = _show_list(n_groups.index[n_groups > 1].tolist())
        _fail(f"Der Startzeitpunkt in Spalte '{group}' ist nicht für jede Einheit gleich "
              f"(Einheiten: {bad_units}). Er muss in allen Zeilen einer Einheit derselbe "
              "sein (erstes Programmjahr, 0 = nie).",
              f"The first treated period in column '{group}' is not constant within "
              f"units (units: {bad_units}). It must be the same in every row of a unit "
              "(first programme period, 0 = never).")

    notes_de: list[str] = []
    notes_en: list[str] = []

    incomplete = frame[["y", *xcols]].isna().any(axis=1)
    if bool(incomplete.any()):
        drop = pd.unique(frame.loc[incomplete, "unit"])
        frame = frame[~frame["unit"].isin(drop)]
        notes_de.append(f"{len(drop)} Einheit(en) mit fehlenden Werten der Zielgröße oder "
                        f"der Kontrollvariablen wurden entfernt ({_show_list(drop)}).")
        notes_en.append(f"{len(drop)} unit(s) with missing outcome or covariate values were "
                        f"dropped ({_show_list(drop)}).")

    periods = np.unique(frame["t"].to_numpy(dtype=float))
    counts = frame.groupby("unit", sort=False)["t"].size()
    unbalanced = counts.index[counts < len(periods)]
    if len(unbalanced):
        frame = frame[~frame["unit"].isin(unbalanced)]
        notes_de.append(f"{len(unbalanced)} Einheit(en) ohne Werte in allen Zeiträumen "
                        f"wurden entfernt ({_show_list(unbalanced)}); das Verfahren braucht "
                        "ein vollständiges Panel.")
        notes_en.append(f"{len(unbalanced)} unit(s) not observed in every period were "
                        f"dropped ({_show_list(unbalanced)}); the method needs a balanced "
                        "panel.")

    if frame.empty:
        _fail("Keine Einheit hat vollständige Werte in allen Zeiträumen "
              f"({_show_list(_label(p) for p in periods)}). Das Verfahren braucht ein "
              "vollständiges Panel: jede Einheit mit einer Zeile je Zeitraum.",
              "No unit has complete values in every period "
              f"({_show_list(_label(p) for p in periods)}). The method needs a balanced "
              "panel: one row per unit and period.")
    if len(periods) < 2:
        _fail("Für die Differenz-von-Differenzen-Schätzung werden mindestens zwei "
              "Zeiträume mit vollständigen Daten gebraucht.",
              "Difference-in-differences needs at least two periods with complete data.")

    unit_g = frame.groupby("unit", sort=True)["g"].first()
    t_first, t_last = float(periods[0]), float(periods[-1])

    late = unit_g.index[unit_g > t_last]
    if len(late):
        unit_g[late] = 0.0
        notes_de.append(f"{len(late)} Einheit(en) beginnen erst nach dem letzten Zeitraum "
                        f"({_label(t_last)}) und zählen als nie behandelt.")
        notes_en.append(f"{len(late)} unit(s) start after the last period "
                        f"({_label(t_last)}) and count as never treated.")
    early = unit_g.index[(unit_g > 0) & (unit_g <= t_first)]
    if len(early):
        unit_g = unit_g.drop(early)
        frame = frame[~frame["unit"].isin(early)]
        notes_de.append(f"{len(early)} Einheit(en) waren schon im ersten Zeitraum "
                        f"({_label(t_first)}) im Programm und wurden entfernt: für sie gibt "
                        "es keinen Vergleich vor dem Start.")
        notes_en.append(f"{len(early)} unit(s) were already treated in the first period "
                        f"({_label(t_first)}) and were dropped: they have no pre-treatment "
                        "period.")

    if not bool((unit_g == 0).any()):
        if control == "never":
            _fail("Es gibt keine Einheiten, die nie am Programm teilnehmen (Startzeitpunkt "
                  "0). Mit der Vergleichsgruppe 'never' ist keine Schätzung möglich; "
                  "wählen Sie '--control notyet' (noch nicht behandelte Einheiten).",
                  "There are no never treated units (first treated period 0). With "
                  "control group 'never' nothing can be estimated; use "
                  "'--control notyet' (not-yet-treated units).")
        g_max = float(unit_g.max())
        periods = periods[periods < g_max]
        frame = frame[frame["t"] < g_max]
        unit_g[unit_g == g_max] = 0.0
        notes_de.append("Es gibt keine nie behandelten Einheiten: Zeiträume ab "
                        f"{_label(g_max)} wurden weggelassen und die zuletzt startende "
                        f"Kohorte ({_label(g_max)}) dient als Vergleichsgruppe.")
        notes_en.append("There are no never treated units: periods from "
                        f"{_label(g_max)} on were dropped and the last cohort "
                        f"({_label(g_max)}) serves as comparison group.")
        if len(periods) < 2:
            _fail("Ohne nie behandelte Einheiten bleiben vor dem Start der letzten Kohorte "
                  "weniger als zwei Zeiträume; keine Schätzung möglich.",
                  "Without never treated units fewer than two periods remain before the "
                  "last cohort starts; nothing can be estimated.")
        unit_g[unit_g > float(periods[-1])] = 0.0

    if not bool((unit_g > 0).any()):
        _fail("Keine Einheit nimmt im Beobachtungszeitraum am Programm teil "
              f"(Spalte '{group}' ist überall 0 oder liegt außerhalb der Zeiträume).",
              "No unit is treated within the observed periods "
              f"(column '{group}' is 0 everywhere or outside the periods).")

    units = unit_g.index.tolist()

    def wide(column: str) -> FloatArray:
        table = frame.pivot(index="unit", columns="t", values=column)
        return table.reindex(index=units, columns=periods).to_numpy(dtype=float)

    y = wide("y")
    x = np.empty((len(units), len(periods), len(xcols)))
    for i, col in enumerate(xcols):
        x[:, :, i] = wide(col)
    return _Panel(units=units, periods=periods.astype(float), y=y, x=x,
                  g=unit_g.to_numpy(dtype=float), notes_de=notes_de, notes_en=notes_en)


# ----------------------------------------------------------------------------- estimator


def _logit(x: FloatArray, d: FloatArray, where: str) -> FloatArray:
    """Maximum-likelihood logit fit by Newton-Raphson; returns fitted probabilities."""
    share = float(np.mean(d))
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(share / (1 - share))
    converged = False
    for _ in range(100):
        p = special.expit(x @ beta)
        hess = x.T @ (x * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(hess, x.T @ (d - p))
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)):
            break
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-10:
            converged = True
            break
    if not converged:
        _fail(f"Das Propensity-Score-Modell ({where}) konvergiert nicht. Wahrscheinlich "
              "trennen die Kontrollvariablen Programm- und Vergleichseinheiten vollständig "
              "oder sind voneinander abhängig; entfernen Sie Kontrollvariablen.",
              f"The propensity score model ({where}) does not converge. The covariates "
              "probably separate treated and comparison units perfectly or are collinear; "
              "remove covariates.")
    return np.asarray(special.expit(x @ beta), dtype=float)


def _drdid_panel(dy: FloatArray, d: FloatArray, x: FloatArray,
                 where: str) -> tuple[float, FloatArray]:
    """Doubly robust DiD for two-period panel data (``DRDID::drdid_panel``).

    ``x`` includes the intercept column.  Returns the ATT and its influence function
    (one value per row of the input).
    """
    n = d.shape[0]
    # With the intercept only, the logit MLE is the treated share.
    ps = _logit(x, d, where) if x.shape[1] > 1 else np.full(n, float(np.mean(d)))
    if float(np.max(ps)) >= PS_OVERLAP_LIMIT:
        _fail(f"Überlappung verletzt ({where}): Für manche Einheiten sagen die "
              "Kontrollvariablen die Programmteilnahme praktisch sicher voraus, es gibt "
              "keine vergleichbaren Einheiten. Entfernen Sie Kontrollvariablen.",
              f"Overlap violated ({where}): for some units the covariates predict "
              "treatment almost surely; there are no comparable units. Remove covariates.")
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.ones(n, dtype=bool)
    trim[d == 0] = ps[d == 0] < PS_TRIM_LEVEL

    ctrl = d == 0
    xc = x[ctrl]
    xpx = xc.T @ xc / n
    if np.linalg.cond(xpx) > 1 / np.finfo(float).eps:
        _fail(f"Zu wenige Vergleichseinheiten für die Regression ({where}) oder "
              "Kontrollvariablen ohne Streuung/voneinander abhängig. Entfernen Sie "
              "Kontrollvariablen.",
              f"Too few comparison units for the outcome regression ({where}), or "
              "covariates without variation / collinear. Remove covariates.")
    coef = np.linalg.solve(xc.T @ xc, xc.T @ dy[ctrl])
    out_delta = x @ coef

    w_treat = trim * d
    w_cont = trim * ps * (1 - d) / (1 - ps)
    if not (float(np.sum(w_treat)) > 0 and float(np.sum(w_cont)) > 0):
        _fail(f"Überlappung verletzt ({where}): Nach dem Kürzen extremer "
              "Propensity-Scores bleiben keine vergleichbaren Einheiten. Entfernen Sie "
              "Kontrollvariablen.",
              f"Overlap violated ({where}): after trimming extreme propensity scores no "
              "comparable units remain. Remove covariates.")
    resid = dy - out_delta
    att_treat = w_treat * resid
    att_cont = w_cont * resid
    eta_treat = float(np.mean(att_treat) / np.mean(w_treat))
    eta_cont = float(np.mean(att_cont) / np.mean(w_cont))
    att = eta_treat - eta_cont

    # Influence function (Sant'Anna & Zhao 2020, as in DRDID).
    w_ols = 1 - d
    asy_ols = (w_ols * resid)[:, None] * x @ np.linalg.inv(xpx)
    weight = ps * (1 - ps)
    hess_ps = np.linalg.inv(x.T @ (x * weight[:, None])) * n
    asy_ps = ((d - ps)[:, None] * x) @ hess_ps

    inf_treat_1 = att_treat - w_treat * eta_treat
    m1 = np.mean(w_treat[:, None] * x, axis=0)
    inf_treat = (inf_treat_1 - asy_ols @ m1) / np.mean(w_treat)

    inf_cont_1 = att_cont - w_cont * eta_cont
    m2 = np.mean((w_cont * (resid - eta_cont))[:, None] * x, axis=0)
    m3 = np.mean(w_cont[:, None] * x, axis=0)
    inf_control = (inf_cont_1 + asy_ps @ m2 - asy_ols @ m3) / np.mean(w_cont)
    return att, np.asarray(inf_treat - inf_control, dtype=float)


@dataclass
class _Cells:
    group: FloatArray
    time: FloatArray
    att: FloatArray
    inf: FloatArray  # (n, K)


def _att_gt(panel: _Panel, control: ControlGroup) -> _Cells:
    n, n_t = panel.y.shape
    periods = panel.periods
    g_unit = panel.g
    cohorts = np.unique(g_unit[g_unit > 0])
    groups: list[float] = []
    times: list[float] = []
    atts: list[float] = []
    infs: list[FloatArray] = []
    for g in cohorts:
        treated = g_unit == g
        pre_idx = np.flatnonzero(periods < g)
        for tt in range(1, n_t):
            current = float(periods[tt])
            base = int(pre_idx[-1]) if g <= current else tt - 1
            if control == "never":
                comp = g_unit == 0
            else:
                comp = (g_unit == 0) | ((g_unit > current) & (g_unit != g))
            where_de = f"Kohorte {_label(g)}, Zeitraum {_label(current)}"
            if not bool(comp.any()):
                _fail(f"Keine Vergleichseinheiten für {where_de}.",
                      f"No comparison units for cohort {_label(g)}, period "
                      f"{_label(current)}.")
            keep = treated | comp
            n1 = int(keep.sum())
            dy = panel.y[keep, tt] - panel.y[keep, base]
            d = treated[keep].astype(float)
            x = np.column_stack([np.ones(n1), panel.x[keep, base, :]])
            att, inf = _drdid_panel(dy, d, x, where_de)
            full = np.zeros(n)
            full[keep] = inf * (n / n1)
            groups.append(float(g))
            times.append(current)
            atts.append(att)
            infs.append(full)
    return _Cells(group=np.array(groups), time=np.array(times), att=np.array(atts),
                  inf=np.column_stack(infs))


def _weight_if(keep: npt.NDArray[np.intp], pg: FloatArray, cell_group: FloatArray,
               g_unit: FloatArray) -> FloatArray:
    """Influence function of estimated cohort-share weights (R did ``wif``)."""
    total = float(pg[keep].sum())
    dev = np.column_stack([(g_unit == cell_group[k]).astype(float) - pg[k] for k in keep])
    return np.asarray(dev / total - np.outer(dev.sum(axis=1), pg[keep] / total**2),
                      dtype=float)


def _aggregate(att: FloatArray, inf: FloatArray, keep: npt.NDArray[np.intp],
               pg: FloatArray, cell_group: FloatArray,
               g_unit: FloatArray) -> tuple[float, FloatArray]:
    """Cohort-size weighted average of cells ``keep`` and its influence function."""
    weights = pg[keep] / pg[keep].sum()
    value = float(np.sum(att[keep] * weights))
    influence = inf[:, keep] @ weights + _weight_if(keep, pg, cell_group, g_unit) @ att[keep]
    return value, np.asarray(influence, dtype=float)


def _se_cells(inf: FloatArray) -> list[float | None]:
    n = inf.shape[0]
    out: list[float | None] = []
    for v in np.diag(inf.T @ inf / n):
        se = math.sqrt(max(float(v), 0.0) / n)
        out.append(None if se <= _SE_ZERO else se)
    return out


def _pretest(cells: _Cells, ses: Sequence[float | None]) -> tuple[float | None, float | None,
                                                                  int]:
    n = cells.inf.shape[0]
    pre = np.array([i for i in range(len(cells.att))
                    if cells.group[i] > cells.time[i] and ses[i] is not None], dtype=np.intp)
    if pre.size == 0:
        return None, None, 0
    v = cells.inf[:, pre].T @ cells.inf[:, pre] / n
    if np.linalg.cond(v) > 1 / np.finfo(float).eps:
        return None, None, int(pre.size)
    a = cells.att[pre]
    stat = float(n * a @ np.linalg.solve(v, a))
    return float(stats.chi2.sf(stat, pre.size)), stat, int(pre.size)


# ----------------------------------------------------------------------------- texts


def _texts(control: ControlGroup, covariates: tuple[str, ...], pretest_p: float | None,
           pretest_df: int, cohort_sizes: Mapping[float, int], notes_de: list[str],
           notes_en: list[str]) -> tuple[tuple[str, ...], tuple[str, ...],
                                         tuple[str, ...], tuple[str, ...]]:
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
    c_de: list[str] = []
    c_en: list[str] = []
    if pretest_p is None:
        c_de.append("Ein Vortest auf parallele Trends war nicht möglich (keine oder nicht "
                    "auswertbare Zeiträume vor Programmbeginn).")
        c_en.append("No pre-test of parallel trends was possible (no usable "
                    "pre-treatment periods).")
    elif pretest_p < 0.05:
        c_de.append(f"Der Vortest findet unterschiedliche Trends schon vor Programmbeginn "
                    f"(p = {_fmt_de(pretest_p)}, {pretest_df} Vergleiche): Die Annahme "
                    "paralleler Trends ist fraglich, die Effekte sind mit großer Vorsicht "
                    "zu lesen.")
        c_en.append(f"The pre-test finds different trends before the programme started "
                    f"(p = {pretest_p:.3f}, {pretest_df} comparisons): parallel trends are "
                    "doubtful; read the effects with great caution.")
    else:
        c_de.append(f"Der Vortest findet keine deutlichen Trendunterschiede vor "
                    f"Programmbeginn (p = {_fmt_de(pretest_p)}, {pretest_df} Vergleiche). "
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
        shown = ", ".join(f"{_label(g)} ({cohort_sizes[g]})" for g in small)
        c_de.append(f"Sehr kleine Kohorte(n) – Startzeitpunkt (Anzahl Einheiten): {shown}; "
                    "ihre Schätzungen sind sehr unsicher.")
        c_en.append(f"Very small cohort(s) – first period (number of units): {shown}; "
                    "their estimates are very uncertain.")
    c_de += notes_de
    c_en += notes_en
    return tuple(a_de), tuple(a_en), tuple(c_de), tuple(c_en)


# ----------------------------------------------------------------------------- public API


def estimate_did(data: pd.DataFrame, *, outcome: str, unit: str, time: str, group: str,
                 control: str = "never",
                 covariates: Sequence[str] | str | None = None) -> DidResult:
    """Callaway & Sant'Anna (2021) staggered DiD on long panel data.

    :param data: one row per unit and period.
    :param outcome: numeric outcome column.
    :param unit: unit id column (e.g. municipality key).
    :param time: numeric period column (e.g. year).
    :param group: first period in the programme, constant within a unit; ``0`` for
        units never treated (``inf`` is read as ``0`` too).
    :param control: ``"never"`` (never treated units) or ``"notyet"`` (never and not
        yet treated units) as comparison group.
    :param covariates: numeric covariate columns (a list, or one comma-separated string),
        used with their base-period value.
    :raises MethodError: with a German message (English in ``message_en``) on unusable
        input.
    """
    if control not in CONTROL_GROUPS:
        _fail(f"Unbekannte Vergleichsgruppe '{control}'. Erlaubt: 'never' (nie behandelte "
              "Einheiten) oder 'notyet' (noch nicht behandelte Einheiten).",
              f"Unknown control group '{control}'. Allowed: 'never' (never treated units) "
              "or 'notyet' (not-yet-treated units).")
    ctrl: ControlGroup = "never" if control == "never" else "notyet"
    if covariates is None:
        covs: tuple[str, ...] = ()
    elif isinstance(covariates, str):
        covs = tuple(c.strip() for c in covariates.split(",") if c.strip())
    else:
        covs = tuple(covariates)

    panel = _prepare(data, outcome, unit, time, group, ctrl, covs)
    cells = _att_gt(panel, ctrl)
    ses = _se_cells(cells.inf)
    pretest_p, pretest_stat, pretest_df = _pretest(cells, ses)

    g_unit = panel.g
    cohorts = np.unique(g_unit[g_unit > 0])
    pgg = np.array([float(np.mean(g_unit == g)) for g in cohorts])
    pg = pgg[np.searchsorted(cohorts, cells.group)]
    post = cells.group <= cells.time

    # simple
    keep = np.flatnonzero(post)
    value, inf_simple = _aggregate(cells.att, cells.inf, keep, pg, cells.group, g_unit)
    simple = Estimate(value, _se_or_none(inf_simple))

    # dynamic (event study)
    event = cells.time - cells.group
    by_event: dict[float, Estimate] = {}
    event_infs: dict[float, FloatArray] = {}
    for e in np.unique(event):
        keep = np.flatnonzero(event == e)
        value, inf_e = _aggregate(cells.att, cells.inf, keep, pg, cells.group, g_unit)
        by_event[float(e)] = Estimate(value, _se_or_none(inf_e))
        event_infs[float(e)] = inf_e
    pos = [e for e in by_event if e >= 0]
    inf_dyn = np.mean(np.column_stack([event_infs[e] for e in pos]), axis=1)
    dynamic = Estimate(float(np.mean([by_event[e].att for e in pos])), _se_or_none(inf_dyn))

    # group (cohort)
    by_group: dict[float, Estimate] = {}
    group_infs: list[FloatArray] = []
    group_att: list[float] = []
    for g in cohorts:
        keep = np.flatnonzero((cells.group == g) & post)
        value = float(np.mean(cells.att[keep]))
        inf_g = np.asarray(cells.inf[:, keep].mean(axis=1), dtype=float)
        by_group[float(g)] = Estimate(value, _se_or_none(inf_g))
        group_infs.append(inf_g)
        group_att.append(value)
    att_g = np.array(group_att)
    weights = pgg / pgg.sum()
    all_groups = np.arange(len(cohorts), dtype=np.intp)
    inf_group = (np.column_stack(group_infs) @ weights
                 + _weight_if(all_groups, pgg, cohorts, g_unit) @ att_g)
    group_est = Estimate(float(np.sum(att_g * weights)), _se_or_none(inf_group))

    # calendar
    by_time: dict[float, Estimate] = {}
    time_infs: list[FloatArray] = []
    for t in np.unique(cells.time):
        if t < cohorts.min():
            continue
        keep = np.flatnonzero((cells.time == t) & post)
        value, inf_t = _aggregate(cells.att, cells.inf, keep, pg, cells.group, g_unit)
        by_time[float(t)] = Estimate(value, _se_or_none(inf_t))
        time_infs.append(inf_t)
    inf_cal = np.mean(np.column_stack(time_infs), axis=1)
    calendar = Estimate(float(np.mean([v.att for v in by_time.values()])),
                        _se_or_none(inf_cal))

    att_gt = tuple(GroupTimeEffect(float(g), float(t), float(a), s)
                   for g, t, a, s in zip(cells.group, cells.time, cells.att, ses,
                                         strict=True))
    cohort_sizes = {float(g): int(np.sum(g_unit == g)) for g in cohorts}
    a_de, a_en, c_de, c_en = _texts(ctrl, covs, pretest_p, pretest_df, cohort_sizes,
                                    panel.notes_de, panel.notes_en)
    return DidResult(
        outcome=outcome, unit=unit, time=time, group_column=group, control=ctrl,
        covariates=covs, n_units=len(panel.units),
        periods=tuple(float(p) for p in panel.periods), cohort_sizes=cohort_sizes,
        att_gt=att_gt, simple=simple, dynamic=dynamic, by_event=by_event,
        group=group_est, by_group=by_group, calendar=calendar, by_time=by_time,
        pretest_p=pretest_p, pretest_stat=pretest_stat, pretest_df=pretest_df,
        notes_de=tuple(panel.notes_de), notes_en=tuple(panel.notes_en),
        assumptions_de=a_de, assumptions_en=a_en, caveats_de=c_de, caveats_en=c_en,
    )
