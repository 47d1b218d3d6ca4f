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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats

from kekiz.analysis.did_panel import ControlGroup, FloatArray, Panel, fail, label, prepare_panel
from kekiz.analysis.did_texts import assumptions_and_caveats

__all__ = [
    "CONTROL_GROUPS",
    "ControlGroup",
    "DidResult",
    "Estimate",
    "GroupTimeEffect",
    "estimate_did",
]


#: Accepted values of ``control``.
CONTROL_GROUPS: tuple[str, ...] = ("never", "notyet")

#: Control units with a propensity score at or above this are trimmed (DRDID default).
PS_TRIM_LEVEL = 0.995
#: A propensity score at or above this means the overlap condition fails (R did).
PS_OVERLAP_LIMIT = 0.999
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
            "dynamic": {**self.dynamic.to_dict(), "by_event": _bylabel(self.by_event)},
            "group": {**self.group.to_dict(), "by_group": _bylabel(self.by_group)},
            "calendar": {**self.calendar.to_dict(), "by_time": _bylabel(self.by_time)},
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
                "cohort_sizes": {label(g): n for g, n in self.cohort_sizes.items()},
                "notes_de": list(self.notes_de),
                "notes_en": list(self.notes_en),
            },
        }


# ----------------------------------------------------------------------------- helpers


def _json_number(value: float) -> int | float:
    v = float(value)
    return int(v) if v.is_integer() else v


def _json_float(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _bylabel(values: Mapping[float, Estimate]) -> dict[str, dict[str, float | None]]:
    return {label(k): v.to_dict() for k, v in sorted(values.items())}


def _se_or_none(inf: FloatArray) -> float | None:
    """Analytic SE of an aggregated parameter from its influence function (R getSE)."""
    n = inf.shape[0]
    se = math.sqrt(float(np.mean(inf**2)) / n)
    return None if (not math.isfinite(se) or se <= _SE_ZERO) else se


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
        fail(f"Das Propensity-Score-Modell ({where}) konvergiert nicht. Wahrscheinlich "
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
        fail(f"Überlappung verletzt ({where}): Für manche Einheiten sagen die "
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
        fail(f"Zu wenige Vergleichseinheiten für die Regression ({where}) oder "
              "Kontrollvariablen ohne Streuung/voneinander abhängig. Entfernen Sie "
              "Kontrollvariablen.",
              f"Too few comparison units for the outcome regression ({where}), or "
              "covariates without variation / collinear. Remove covariates.")
    coef = np.linalg.solve(xc.T @ xc, xc.T @ dy[ctrl])
    out_delta = x @ coef

    w_treat = trim * d
    w_cont = trim * ps * (1 - d) / (1 - ps)
    if not (float(np.sum(w_treat)) > 0 and float(np.sum(w_cont)) > 0):
        fail(f"Überlappung verletzt ({where}): Nach dem Kürzen extremer "
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


def _att_gt(panel: Panel, control: ControlGroup) -> _Cells:
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
            where_de = f"Kohorte {label(g)}, Zeitraum {label(current)}"
            if not bool(comp.any()):
                fail(f"Keine Vergleichseinheiten für {where_de}.",
                      f"No comparison units for cohort {label(g)}, period "
                      f"{label(current)}.")
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


# ----------------------------------------------------------------------------- aggregation


@dataclass(frozen=True)
class _Weights:
    """What the four aggregations weight the ``ATT(g,t)`` with."""

    g_unit: FloatArray  # first treated period of each unit
    cohorts: FloatArray  # the cohorts, sorted
    pgg: FloatArray  # share of the units in each cohort
    pg: FloatArray  # share of the units in the cohort of each cell
    post: npt.NDArray[np.bool_]  # cell after the cohort's start

    @classmethod
    def of(cls, cells: _Cells, g_unit: FloatArray) -> _Weights:
        cohorts = np.unique(g_unit[g_unit > 0])
        pgg = np.array([float(np.mean(g_unit == g)) for g in cohorts])
        return cls(g_unit, cohorts, pgg, pgg[np.searchsorted(cohorts, cells.group)],
                   cells.group <= cells.time)


def _simple(cells: _Cells, w: _Weights) -> Estimate:
    """All post-treatment cells weighted by cohort size."""
    keep = np.flatnonzero(w.post)
    value, inf = _aggregate(cells.att, cells.inf, keep, w.pg, cells.group, w.g_unit)
    return Estimate(value, _se_or_none(inf))


def _dynamic(cells: _Cells, w: _Weights) -> tuple[Estimate, dict[float, Estimate]]:
    """The event study: by event time; overall the mean of the event times ``e >= 0``."""
    event = cells.time - cells.group
    by_event: dict[float, Estimate] = {}
    event_infs: dict[float, FloatArray] = {}
    for e in np.unique(event):
        keep = np.flatnonzero(event == e)
        value, inf_e = _aggregate(cells.att, cells.inf, keep, w.pg, cells.group, w.g_unit)
        by_event[float(e)] = Estimate(value, _se_or_none(inf_e))
        event_infs[float(e)] = inf_e
    pos = [e for e in by_event if e >= 0]
    inf_dyn = np.mean(np.column_stack([event_infs[e] for e in pos]), axis=1)
    return (Estimate(float(np.mean([by_event[e].att for e in pos])), _se_or_none(inf_dyn)),
            by_event)


def _by_cohort(cells: _Cells, w: _Weights) -> tuple[Estimate, dict[float, Estimate]]:
    """By cohort; overall the cohorts weighted by size."""
    by_group: dict[float, Estimate] = {}
    group_infs: list[FloatArray] = []
    group_att: list[float] = []
    for g in w.cohorts:
        keep = np.flatnonzero((cells.group == g) & w.post)
        value = float(np.mean(cells.att[keep]))
        inf_g = np.asarray(cells.inf[:, keep].mean(axis=1), dtype=float)
        by_group[float(g)] = Estimate(value, _se_or_none(inf_g))
        group_infs.append(inf_g)
        group_att.append(value)
    att_g = np.array(group_att)
    weights = w.pgg / w.pgg.sum()
    all_groups = np.arange(len(w.cohorts), dtype=np.intp)
    inf_group = (np.column_stack(group_infs) @ weights
                 + _weight_if(all_groups, w.pgg, w.cohorts, w.g_unit) @ att_g)
    return Estimate(float(np.sum(att_g * weights)), _se_or_none(inf_group)), by_group


def _calendar(cells: _Cells, w: _Weights) -> tuple[Estimate, dict[float, Estimate]]:
    """By calendar period; overall the mean of the periods."""
    by_time: dict[float, Estimate] = {}
    time_infs: list[FloatArray] = []
    for t in np.unique(cells.time):
        if t < w.cohorts.min():
            continue
        keep = np.flatnonzero((cells.time == t) & w.post)
        value, inf_t = _aggregate(cells.att, cells.inf, keep, w.pg, cells.group, w.g_unit)
        by_time[float(t)] = Estimate(value, _se_or_none(inf_t))
        time_infs.append(inf_t)
    inf_cal = np.mean(np.column_stack(time_infs), axis=1)
    return (Estimate(float(np.mean([v.att for v in by_time.values()])),
                     _se_or_none(inf_cal)), by_time)


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
        fail(f"Unbekannte Vergleichsgruppe '{control}'. Erlaubt: 'never' (nie behandelte "
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

    panel = prepare_panel(data, outcome, unit, time, group, ctrl, covs)
    cells = _att_gt(panel, ctrl)
    ses = _se_cells(cells.inf)
    pretest_p, pretest_stat, pretest_df = _pretest(cells, ses)
    w = _Weights.of(cells, panel.g)
    dynamic, by_event = _dynamic(cells, w)
    group_est, by_group = _by_cohort(cells, w)
    calendar, by_time = _calendar(cells, w)
    att_gt = tuple(GroupTimeEffect(float(g), float(t), float(a), s)
                   for g, t, a, s in zip(cells.group, cells.time, cells.att, ses,
                                         strict=True))
    cohort_sizes = {float(g): int(np.sum(panel.g == g)) for g in w.cohorts}
    (a_de, a_en), (c_de, c_en) = assumptions_and_caveats(
        ctrl, covs, pretest_p, pretest_df, cohort_sizes, panel.notes_de, panel.notes_en)
    return DidResult(
        outcome=outcome, unit=unit, time=time, group_column=group, control=ctrl,
        covariates=covs, n_units=len(panel.units),
        periods=tuple(float(p) for p in panel.periods), cohort_sizes=cohort_sizes,
        att_gt=att_gt, simple=_simple(cells, w), dynamic=dynamic, by_event=by_event,
        group=group_est, by_group=by_group, calendar=calendar, by_time=by_time,
        pretest_p=pretest_p, pretest_stat=pretest_stat, pretest_df=pretest_df,
        notes_de=tuple(panel.notes_de), notes_en=tuple(panel.notes_en),
        assumptions_de=a_de, assumptions_en=a_en, caveats_de=c_de, caveats_en=c_en,
    )
