"""Empirical Bayes smoothing of rates and shares for small areas.

Small districts have unstable crude rates: two cases among forty children is 5%, three
cases 7.5%.  Empirical Bayes (EB) estimates pull every crude rate towards a reference
rate, the more the fewer people are at risk.  Three methods, as in R ``spdep``:

:func:`global_eb`
    Marshall (1991) global EB for Poisson rates, method of moments: reference rate
    ``b = sum(events) / sum(population)``, between-area variance
    ``a = s² - b / mean(population)`` with ``s² = sum(n_i (r_i - b)²) / sum(n_i)``,
    clipped at 0 as ``spdep::EBest`` does (esda does not clip).  Smoothed rate
    ``b + a (r_i - b) / (a + b / n_i)``.
:func:`local_eb`
    Marshall's local EB (``spdep::EBlocal``): the same estimate, but the reference rate
    and the variance come from each area together with its neighbours.
:func:`binomial_eb`
    Martuzzi & Elliott (1996) EB for shares of non-rare conditions
    (``spdep::EBest(family = "binomial")``): ``rho_i p_i + (1 - rho_i) b``.

Every function returns a result object with the documented attributes; ``to_frame()``
gives one row per area.  Rates are per person (multiply by 1000 for "per 1,000").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from libpysal.weights import W
from scipy import sparse

from kekiz.domain.errors import MethodError

__all__ = [
    "BinomialEBResult",
    "GlobalEBResult",
    "LocalEBResult",
    "SmoothingResult",
    "binomial_eb",
    "global_eb",
    "local_eb",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SmoothingResult:
    """Common part of all smoothing results.

    Attributes
    ----------
    method
        ``"global_eb"``, ``"local_eb"`` or ``"binomial_eb"``.
    raw
        Crude rates (events / population), one per area, indexed like the input.
    smoothed
        Empirical Bayes estimates on the same scale as ``raw``.
    events, population
        The input counts as Series.
    """

    method: str
    raw: pd.Series
    smoothed: pd.Series
    events: pd.Series
    population: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """One row per area: events, population, raw, smoothed."""
        return pd.DataFrame({"events": self.events, "population": self.population,
                             "raw": self.raw, "smoothed": self.smoothed})


@dataclass(frozen=True)
class GlobalEBResult(SmoothingResult):
    """Global empirical Bayes (Marshall 1991, Poisson).

    Attributes
    ----------
    a
        Between-area variance of the true rates (method of moments), clipped at 0.
    b
        Global reference rate, sum of events / sum of population.
    a_unclipped
        The moment estimate of ``a`` before clipping (negative when the crude rates vary
        less than Poisson noise alone would make them).
    shrinkage
        Weight of the crude rate per area, ``a / (a + b / n_i)`` (0: fully smoothed to
        ``b``; 1: the crude rate is kept).
    """

    a: float = 0.0
    b: float = 0.0
    a_unclipped: float = 0.0
    shrinkage: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


@dataclass(frozen=True)
class LocalEBResult(SmoothingResult):
    """Local (spatial) empirical Bayes after Marshall (1991), as ``spdep::EBlocal``.

    Attributes
    ----------
    a
        Local between-area variance per area (from the area and its neighbours),
        clipped at 0.
    m
        Local reference rate per area: events / population summed over the area and its
        neighbours.
    shrinkage
        Weight of the crude rate per area, ``a_i / (a_i + m_i / n_i)``.
    """

    a: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    m: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    shrinkage: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


@dataclass(frozen=True)
class BinomialEBResult(SmoothingResult):
    """Binomial empirical Bayes for shares (Martuzzi & Elliott 1996).

    Attributes
    ----------
    b
        Global share, sum of cases / sum of totals.
    s2
        Weighted variance of the crude shares around ``b``, ``sum(n_i (p_i - b)²) /
        sum(n_i)`` (what ``spdep`` reports as parameter ``a``).
    variance
        Estimated between-area variance of the true shares, ``s2 - b (1 - b) /
        mean(n)``, clipped at 0; when it is 0 every share is smoothed to ``b``.
    shrinkage
        Weight ``rho_i`` of the crude share per area (clipped to 0..1); smoothed share
        ``rho_i p_i + (1 - rho_i) b``.
    """

    b: float = 0.0
    s2: float = 0.0
    variance: float = 0.0
    shrinkage: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


# ---------------------------------------------------------------------------- helpers


def _series(values: Any, index: pd.Index | None, name_de: str, name_en: str) -> pd.Series:
    if isinstance(values, pd.Series):
        series = values
    else:
        array = np.atleast_1d(np.asarray(values))
        series = pd.Series(array, index=index)
    try:
        return series.astype(np.float64)
    except (TypeError, ValueError):
        raise MethodError(
            f"{name_de} enthält Werte, die keine Zahlen sind. Erwartet werden Anzahlen.",
            message_en=f"{name_en} contains values that are not numbers. Expected counts.",
        ) from None


def _positions(mask: npt.NDArray[np.bool_], index: pd.Index, limit: int = 5) -> str:
    """Area labels where ``mask`` holds; 1-based positions for a default index."""
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        labels = [f"Nr. {i + 1}" for i in np.flatnonzero(mask)[:limit]]
    else:
        labels = [str(x) for x in index[mask][:limit]]
    return ", ".join(labels) + (" ..." if int(mask.sum()) > limit else "")


def _counts(events: Any, population: Any) -> tuple[pd.Series, pd.Series]:
    """Validate events and population at risk: same length, no gaps, population > 0."""
    index = events.index if isinstance(events, pd.Series) else (
        population.index if isinstance(population, pd.Series) else None)
    ev = _series(events, index, "Die Fallzahl", "The event count")
    pop = _series(population, index, "Die Bevölkerung", "The population")
    if len(ev) != len(pop):
        raise MethodError(
            f"Fallzahlen ({len(ev)} Werte) und Bevölkerung ({len(pop)} Werte) sind "
            "unterschiedlich lang. Erwartet wird je Gebiet eine Fallzahl und eine "
            "Bevölkerungszahl.",
            message_en=f"Events ({len(ev)} values) and population ({len(pop)} values) "
            "differ in length. Expected one event count and one population per area.",
        )
    if not ev.index.equals(pop.index):
        raise MethodError(
            "Fallzahlen und Bevölkerung haben unterschiedliche Indizes. Erwartet werden "
            "dieselben Gebiete in derselben Reihenfolge.",
            message_en="Events and population have different indexes. Expected the same "
            "areas in the same order.",
        )
    if len(ev) < 2:
        raise MethodError(
            f"Empirische Bayes-Glättung braucht mindestens 2 Gebiete, erhalten: {len(ev)}. "
            "Erwartet werden Fallzahlen und Bevölkerung für alle Gebiete einer Ebene.",
            message_en=f"Empirical Bayes smoothing needs at least 2 areas, got {len(ev)}. "
            "Expected events and population for all areas of a level.",
        )
    checks = [
        (ev.isna().to_numpy(), "Fehlende Fallzahlen", "Missing event counts"),
        (pop.isna().to_numpy(), "Fehlende Bevölkerungszahlen", "Missing population"),
        ((ev < 0).to_numpy(), "Negative Fallzahlen", "Negative event counts"),
        ((pop <= 0).to_numpy(), "Bevölkerung 0 oder negativ", "Population 0 or negative"),
    ]
    for mask, what_de, what_en in checks:
        if mask.any():
            raise MethodError(
                f"{what_de} in den Gebieten {_positions(mask, ev.index)}. "
                "Erwartet wird je Gebiet eine Fallzahl ab 0 und eine Bevölkerung über 0; "
                "Gebiete ohne Bevölkerung vor der Glättung entfernen.",
                message_en=f"{what_en} in areas {_positions(mask, ev.index)}. "
                "Expected an event count of 0 or more and a population above 0 per area; "
                "remove areas without population before smoothing.",
            )
    return ev, pop


def _weights_matrix(weights: Any, index: pd.Index) -> sparse.csr_matrix:
    """Binary neighbour matrix (without the diagonal) in the order of ``index``.

    ``weights`` is a libpysal ``W`` or an object with a ``w`` attribute holding one (such
    as :class:`kekiz.analysis.spatial.SpatialWeights`).  Data are matched to the weights
    by their index when it holds the weights' ids, otherwise by position.
    """
    w = getattr(weights, "w", weights)
    if not isinstance(w, W):
        raise MethodError(
            f"Räumliche Gewichte erwartet (libpysal W oder SpatialWeights), erhalten: "
            f"{type(weights).__name__}.",
            message_en=f"Expected spatial weights (libpysal W or SpatialWeights), got "
            f"{type(weights).__name__}.",
        )
    if w.n != len(index):
        raise MethodError(
            f"Die Gewichte beschreiben {w.n} Gebiete, die Daten {len(index)}. Erwartet "
            "werden Gewichte für genau die Gebiete der Daten.",
            message_en=f"The weights describe {w.n} areas, the data {len(index)}. "
            "Expected weights for exactly the areas of the data.",
        )
    ids = list(w.id_order)
    matrix = sparse.csr_matrix(w.sparse, dtype=np.float64)
    matrix.data = np.ones_like(matrix.data)
    if set(ids) == set(index) and ids != list(index):
        position = {key: i for i, key in enumerate(ids)}
        order = np.array([position[key] for key in index])
        matrix = matrix[order][:, order]
    matrix.setdiag(0.0)
    matrix.eliminate_zeros()
    return sparse.csr_matrix(matrix)


# ---------------------------------------------------------------------------- methods


def global_eb(events: Any, population: Any) -> GlobalEBResult:
    """Global empirical Bayes smoothing of Poisson rates (Marshall 1991).

    Parameters
    ----------
    events
        Number of events per area (Series, array or sequence).
    population
        Population at risk per area (> 0), same length and index as ``events``.

    Returns
    -------
    GlobalEBResult
        With ``a`` (between-area variance, clipped at 0), ``b`` (global rate),
        ``raw``, ``smoothed`` and ``shrinkage``.
    """
    ev, pop = _counts(events, population)
    n = pop.to_numpy()
    raw = ev.to_numpy() / n
    b = float(ev.sum() / pop.sum())
    s2 = float(np.sum(n * (raw - b) ** 2) / n.sum())
    a_moment = s2 - b / float(n.mean())
    a = max(a_moment, 0.0)
    weight = _shrink(a, b / n)
    smoothed = b + weight * (raw - b)
    return GlobalEBResult(
        method="global_eb", raw=pd.Series(raw, index=ev.index),
        smoothed=pd.Series(smoothed, index=ev.index), events=ev, population=pop,
        a=a, b=b, a_unclipped=a_moment, shrinkage=pd.Series(weight, index=ev.index))


def _shrink(a: float | FloatArray, noise: FloatArray) -> FloatArray:
    """a / (a + noise), with 0 where both are 0 (nothing to learn from the area)."""
    total = a + noise
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total > 0, a / np.where(total > 0, total, 1.0), 0.0)
    return np.asarray(weight, dtype=np.float64)


def local_eb(events: Any, population: Any, weights: Any) -> LocalEBResult:
    """Local (spatial) empirical Bayes smoothing after Marshall (1991).

    For every area the reference rate ``m_i`` and the variance ``a_i`` are estimated from
    the area itself and its neighbours (binary contiguity, whatever the weights'
    transformation), as ``spdep::EBlocal``:
    ``m_i = sum(r_j) / sum(n_j)``, ``a_i = sum(n_j (x_j - m_i)²) / sum(n_j) - m_i /
    mean(n_j)`` (clipped at 0) over j in {i} ∪ N(i), and the smoothed rate
    ``m_i + (x_i - m_i) a_i / (a_i + m_i / n_i)``.  An area without neighbours is
    smoothed with itself only, so it keeps its crude rate.

    Parameters
    ----------
    events, population
        As for :func:`global_eb`.
    weights
        libpysal ``W`` or :class:`kekiz.analysis.spatial.SpatialWeights` for the areas.
    """
    ev, pop = _counts(events, population)
    matrix = _weights_matrix(weights, ev.index)
    with_self = matrix + sparse.identity(matrix.shape[0], format="csr")
    n = pop.to_numpy()
    raw = ev.to_numpy() / n
    size = np.asarray(with_self.sum(axis=1)).ravel()
    events_sum = with_self @ ev.to_numpy()
    pop_sum = with_self @ n
    m = events_sum / pop_sum
    mean_pop = pop_sum / size
    # sum_j n_j (x_j - m_i)^2 = sum n_j x_j^2 - 2 m_i sum n_j x_j + m_i^2 sum n_j
    spread = (with_self @ (n * raw**2)) - 2.0 * m * (with_self @ (n * raw)) + m**2 * pop_sum
    a = np.maximum(spread / pop_sum - m / mean_pop, 0.0)
    weight = _shrink(a, m / n)
    smoothed = m + (raw - m) * weight
    return LocalEBResult(
        method="local_eb", raw=pd.Series(raw, index=ev.index),
        smoothed=pd.Series(smoothed, index=ev.index), events=ev, population=pop,
        a=pd.Series(a, index=ev.index), m=pd.Series(m, index=ev.index),
        shrinkage=pd.Series(weight, index=ev.index))


def binomial_eb(cases: Any, totals: Any) -> BinomialEBResult:
    """Binomial empirical Bayes smoothing of shares (Martuzzi & Elliott 1996).

    Follows ``spdep::EBest(family = "binomial")``: with the crude shares ``p_i``, the
    global share ``b`` and ``s2 = sum(n_i (p_i - b)²) / sum(n_i)``,
    ``rho_i = (n_i s2 - (n_i / mean(n)) b(1-b)) / ((n_i - 1) s2 + ((mean(n) - n_i) /
    mean(n)) b(1-b))`` and the smoothed share is ``rho_i p_i + (1 - rho_i) b``.
    Unlike spdep, a negative between-area variance ``s2 - b(1-b)/mean(n)`` is clipped at
    0 (every share is then smoothed to ``b``) and ``rho_i`` is kept within 0..1.

    Parameters
    ----------
    cases
        Number of cases per area (e.g. children with a finding).
    totals
        Number examined per area (> 0, not below ``cases``).
    """
    ev, pop = _counts(cases, totals)
    too_many = (ev > pop).to_numpy()
    if too_many.any():
        raise MethodError(
            f"Mehr Fälle als Untersuchte in den Gebieten {_positions(too_many, ev.index)}. "
            "Erwartet werden höchstens so viele Fälle wie Untersuchte.",
            message_en=f"More cases than examined in areas "
            f"{_positions(too_many, ev.index)}. Expected at most as many cases as "
            "examined.",
        )
    n = pop.to_numpy()
    raw = ev.to_numpy() / n
    b = float(ev.sum() / pop.sum())
    s2 = float(np.sum(n * (raw - b) ** 2) / n.sum())
    mean_n = float(n.mean())
    binom = b * (1.0 - b)
    variance = max(s2 - binom / mean_n, 0.0)
    if variance == 0.0:
        rho = np.zeros_like(raw)
    else:
        numerator = n * s2 - (n / mean_n) * binom
        denominator = (n - 1.0) * s2 + ((mean_n - n) / mean_n) * binom
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(denominator > 0, numerator / np.where(denominator > 0,
                                                                 denominator, 1.0), 1.0)
        rho = np.clip(rho, 0.0, 1.0)
    smoothed = rho * raw + (1.0 - rho) * b
    return BinomialEBResult(
        method="binomial_eb", raw=pd.Series(raw, index=ev.index),
        smoothed=pd.Series(smoothed, index=ev.index), events=ev, population=pop,
        b=b, s2=s2, variance=variance, shrinkage=pd.Series(rho, index=ev.index))
