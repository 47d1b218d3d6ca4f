"""Spatial weights and spatial autocorrelation (Moran's I, LISA, empirical-Bayes Moran).

:func:`spatial_weights` builds queen, rook or distance-band weights from a GeoDataFrame with
libpysal (distances in a metric CRS, EPSG:25832 by default); :func:`weights_from_neighbours`
takes a neighbour list (e.g. from a GAL file).  Both give :class:`SpatialWeights`,
row-standardised or binary, listing areas without neighbours (islands) instead of failing
(all three live in :mod:`kekiz.analysis.spatial_weights` and are offered here too).
:func:`moran` (as ``spdep::moran.test``), :func:`local_moran` (as ``spdep::localmoran`` plus
seeded esda permutations, FDR and HH/LL/HL/LH clusters) and :func:`eb_moran` (Assunção-Reis,
as ``spdep::EBImoran``) reproduce spdep's analytic results exactly.  Data are matched to the
weights by index when a Series' index holds the weights' ids, else by position; results are
indexed by the weights' ids.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import esda
import numpy as np
import numpy.typing as npt
import pandas as pd
from libpysal import weights as lpw
from scipy import sparse, stats

from kekiz.analysis.smoothing import global_eb
from kekiz.analysis.spatial_weights import (
    SpatialWeights,
    aligned,
    as_weights,
    spatial_weights,
    weights_from_neighbours,
)
from kekiz.domain.errors import MethodError

__all__ = [
    "CLUSTER_LABELS",
    "NOT_SIGNIFICANT",
    "EBMoranResult",
    "LocalMoranResult",
    "MoranResult",
    "SpatialWeights",
    "eb_moran",
    "local_moran",
    "moran",
    "spatial_weights",
    "weights_from_neighbours",
]

FloatArray = npt.NDArray[np.float64]
Alternative = Literal["greater", "less", "two-sided"]

#: Label of an area whose local Moran is not significant.
NOT_SIGNIFICANT = "nicht signifikant"

#: Display labels (German, English) of the LISA clusters.
CLUSTER_LABELS: dict[str, tuple[str, str]] = {
    "HH": ("Hoch-Hoch (Hotspot)", "High-High (hot spot)"),
    "LL": ("Niedrig-Niedrig (Coldspot)", "Low-Low (cold spot)"),
    "HL": ("Hoch-Niedrig (Ausreißer)", "High-Low (outlier)"),
    "LH": ("Niedrig-Hoch (Ausreißer)", "Low-High (outlier)"),
    NOT_SIGNIFICANT: ("nicht signifikant", "not significant"),
}

DEFAULT_SEED = 20120101


def _fail(message_de: str, message_en: str) -> MethodError:
    return MethodError(message_de, message_en=message_en)


# -------------------------------------------------------------------------- global Moran


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I, as ``spdep::moran.test``.

    Attributes
    ----------
    I
        Moran's I.
    expected
        E[I] = -1 / (n - 1).
    variance_normality, variance_randomisation
        Var[I] under the normality and the randomisation assumption.
    z_normality, z_randomisation
        (I - E[I]) / sqrt(Var[I]).
    p_normality, p_randomisation
        p-values of the z-values for ``alternative``.
    alternative
        ``"greater"`` (positive autocorrelation, spdep's default), ``"less"`` or
        ``"two-sided"``.
    n
        Number of areas used (islands are left out when ``adjust_n``).
    islands
        Ids of areas without neighbours.
    permutations, seed, p_sim
        Permutation test (``p_sim`` is ``None`` without permutations): pseudo p-value
        ``(k + 1) / (permutations + 1)``, k the number of permuted I at least as extreme
        in the direction of the observed I.
    """

    I: float  # noqa: E741 - the statistic's conventional name
    expected: float
    variance_normality: float
    variance_randomisation: float
    z_normality: float
    z_randomisation: float
    p_normality: float
    p_randomisation: float
    alternative: str
    n: int
    islands: list[Hashable]
    permutations: int = 0
    seed: int | None = None
    p_sim: float | None = None


def _constants(matrix: sparse.csr_matrix) -> tuple[float, float, float]:
    s0 = _s0(matrix)
    sym = matrix + matrix.T
    s1 = 0.5 * float(sym.multiply(sym).sum())
    margins = np.asarray(matrix.sum(axis=1)).ravel() + np.asarray(matrix.sum(axis=0)).ravel()
    s2 = float(np.sum(margins**2))
    return s0, s1, s2


def _s0(matrix: sparse.csr_matrix) -> float:
    s0 = float(matrix.sum())
    if s0 <= 0:
        raise _fail(
            "Kein Gebiet hat Nachbarn; Moran's I ist nicht definiert. Erwartet werden Gewichte "
            "mit Nachbarschaften.",
            "No area has neighbours; Moran's I is undefined. Expected weights with "
            "neighbourhoods.")
    return s0


def _moran_value(z: FloatArray, matrix: sparse.csr_matrix, n: float, s0: float) -> float:
    return float(n / s0 * (z @ (matrix @ z)) / (z @ z))


def _p_normal(z: float, alternative: str) -> float:
    if alternative == "greater":
        return float(stats.norm.sf(z))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    return float(2.0 * stats.norm.sf(abs(z)))


def _check_alternative(alternative: str) -> str:
    if alternative not in ("greater", "less", "two-sided"):
        raise _fail(
            f"Unbekannte Alternativhypothese {alternative!r}. Erwartet: 'greater', 'less' oder "
            "'two-sided'.",
            f"Unknown alternative hypothesis {alternative!r}. Expected 'greater', 'less' or "
            "'two-sided'.")
    return alternative


def _permutation_p(observed: float, z: FloatArray, matrix: sparse.csr_matrix, n: float,
                   s0: float, permutations: int, seed: int | None) -> float:
    """Folded pseudo p-value of a global Moran-type statistic under random permutation."""
    rng = np.random.default_rng(seed)
    block, larger, done, zz = 200, 0, 0, float(z @ z)
    while done < permutations:
        size = min(block, permutations - done)
        shuffled = rng.permuted(np.tile(z, (size, 1)), axis=1)
        lagged = (matrix @ shuffled.T).T
        simulated = n / s0 * np.einsum("ij,ij->i", shuffled, lagged) / zz
        larger += int(np.sum(simulated >= observed))
        done += size
    if permutations - larger < larger:
        larger = permutations - larger
    return (larger + 1.0) / (permutations + 1.0)


def _check_permutations(permutations: int) -> int:
    if int(permutations) != permutations or permutations < 0:
        raise _fail(
            f"Anzahl der Permutationen {permutations!r} ist ungültig. Erwartet wird eine ganze "
            "Zahl ab 0 (z. B. 999).",
            f"Number of permutations {permutations!r} is invalid. Expected a whole number of 0 or "
            "more (e.g. 999).")
    return int(permutations)


def _check_variation(z: FloatArray, name_de: str, name_en: str) -> None:
    if float(z @ z) <= 0.0:
        raise _fail(
            f"{name_de} ist in allen Gebieten gleich; Moran's I ist dann nicht definiert. Erwartet "
            "werden Werte, die sich zwischen den Gebieten unterscheiden.",
            f"{name_en} is the same in every area; Moran's I is undefined. Expected values that "
            "differ between areas.")


def moran(values: Any, weights: Any, *, alternative: Alternative = "greater",
          adjust_n: bool = True, permutations: int = 0,
          seed: int | None = DEFAULT_SEED) -> MoranResult:
    """Global Moran's I with analytic inference, as ``spdep::moran.test``.

    Parameters
    ----------
    values
        One value per area (Series indexed by area id, or in the weights' order).
    weights
        :class:`SpatialWeights` or a libpysal ``W``.
    alternative
        ``"greater"`` (default), ``"less"`` or ``"two-sided"``.
    adjust_n
        Leave areas without neighbours out of n (spdep's ``adjust.n = TRUE``); their
        values still count in the mean and the variance of the data.
    permutations, seed
        Number of random permutations for ``p_sim`` (0: none) and the random seed.
    """
    sw = as_weights(weights)
    alt = _check_alternative(alternative)
    count = _check_permutations(permutations)
    x = aligned(values, sw, "Die Werte", "The values")
    matrix = sw.matrix
    n = float(x.size - len(sw.islands) if adjust_n else x.size)
    if n < 4:
        raise _fail(
            f"Moran's I braucht mindestens 4 Gebiete mit Nachbarn, erhalten: {int(n)}.",
            f"Moran's I needs at least 4 areas with neighbours, got {int(n)}.")
    z = x - x.mean()
    _check_variation(z, "Der Wert", "The value")
    s0, s1, s2 = _constants(matrix)
    value = _moran_value(z, matrix, n, s0)
    kurtosis = x.size * float(np.sum(z**4)) / float(z @ z) ** 2
    expected = -1.0 / (n - 1.0)
    nn = n * n
    var_norm = (nn * s1 - n * s2 + 3.0 * s0**2) / (s0**2 * (nn - 1.0)) - expected**2
    var_rand = (n * (s1 * (nn - 3.0 * n + 3.0) - n * s2 + 3.0 * s0**2)
                - kurtosis * (s1 * (nn - n) - 2.0 * n * s2 + 6.0 * s0**2))
    var_rand = var_rand / ((n - 1.0) * (n - 2.0) * (n - 3.0) * s0**2) - expected**2
    z_norm = (value - expected) / np.sqrt(var_norm)
    with np.errstate(invalid="ignore"):
        z_rand = (value - expected) / np.sqrt(var_rand) if var_rand > 0 else float("nan")
    p_sim = _permutation_p(value, z, matrix, n, s0, count, seed) if count else None
    return MoranResult(
        I=value, expected=expected, variance_normality=float(var_norm),
        variance_randomisation=float(var_rand), z_normality=float(z_norm),
        z_randomisation=float(z_rand), p_normality=_p_normal(float(z_norm), alt),
        p_randomisation=_p_normal(float(z_rand), alt), alternative=alt, n=int(n),
        islands=list(sw.islands), permutations=count, seed=seed if count else None,
        p_sim=p_sim)


# --------------------------------------------------------------------------- local Moran


@dataclass(frozen=True)
class LocalMoranResult:
    """Local Moran's I (LISA) per area.

    Attributes
    ----------
    table
        One row per area (index: area ids) with the columns

        ``value``      the input value;
        ``I``          local Moran I_i in spdep's scaling, z_i / m2 * sum_j w_ij z_j
                       with z the deviations from the mean and m2 = sum(z²) / n;
        ``expected``   E[I_i] under randomisation, as ``spdep::localmoran``:
                       conditional (default) -z_i² w_i / ((n - 1) m2), total
                       -w_i / (n - 1), with w_i the sum of area i's weights;
        ``variance``   Var[I_i] under the same randomisation;
        ``z``          (I_i - E[I_i]) / sqrt(Var[I_i]);
        ``p_z``        two-sided normal p-value of ``z``;
        ``p_sim``      pseudo p-value from conditional permutation (esda, one-sided in
                       the direction of the observed I_i; NaN without permutations);
        ``p_fdr``      ``p_sim`` adjusted by Benjamini-Hochberg (NaN unless ``fdr``);
        ``quadrant``   HH, LL, HL or LH from the sign of the value's deviation and its
                       spatial lag, regardless of significance;
        ``cluster``    the quadrant where significant, else "nicht signifikant";
        ``island``     True for an area without neighbours (never significant).
    mean_I
        Mean of I_i (equals the global Moran's I for row-standardised weights).
    alpha, fdr, permutations, seed, conditional
        Settings that made the table.
    islands
        Ids of areas without neighbours.
    """

    table: pd.DataFrame
    mean_I: float
    alpha: float
    fdr: bool
    permutations: int
    seed: int | None
    islands: list[Hashable]
    conditional: bool = True

    def counts(self) -> pd.Series:
        """Number of areas per cluster label."""
        order = ["HH", "LL", "HL", "LH", NOT_SIGNIFICANT]
        return self.table["cluster"].value_counts().reindex(order, fill_value=0)


def _local_analytic(x: FloatArray, matrix: sparse.csr_matrix,
                    conditional: bool) -> dict[str, FloatArray]:
    """spdep::localmoran (mlvar = TRUE): I_i, E[I_i], Var[I_i], Z_i.

    ``conditional`` selects the moments under conditional randomisation (Sokal et al.
    1998, eqs. A7/A8; spdep's default since 1.2) or under total randomisation (eqs.
    A3/A4, spdep's ``conditional = FALSE``).
    """
    n = float(x.size)
    z = x - x.mean()
    lag = matrix @ z
    m2 = float(z @ z) / n
    local = z / m2 * lag + 0.0  # + 0.0 turns -0.0 of islands into 0.0
    wi = np.asarray(matrix.sum(axis=1)).ravel()
    wi2 = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    if conditional:
        expected = -(z**2 * wi) / ((n - 1.0) * m2)
        variance = ((z / m2) ** 2 * (n / (n - 2.0)) * (wi2 - wi**2 / (n - 1.0))
                    * (m2 - z**2 / (n - 1.0)))
    else:
        expected = -wi / (n - 1.0)
        b2 = (float(np.sum(z**4)) / n) / m2**2
        a_term = (n - b2) / (n - 1.0)
        b_term = (2.0 * b2 - n) / ((n - 1.0) * (n - 2.0))
        variance = a_term * wi2 + b_term * (wi**2 - wi2) - expected**2
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = np.where(variance > 0, (local - expected) / np.sqrt(np.fmax(variance, 0)),
                        np.nan)
    return {"I": local, "expected": expected, "variance": variance, "z": zval, "lag": lag,
            "dev": z}


def _permutation_local(x: FloatArray, sw: SpatialWeights, permutations: int,
                       seed: int | None) -> FloatArray:
    """Conditional-permutation pseudo p-values from esda.Moran_Local (seeded)."""
    if permutations == 0:
        return np.full(x.size, np.nan)
    # A fresh W: esda sets the transformation on the object it gets.
    w = lpw.W(sw.w.neighbors, sw.w.weights, id_order=sw.ids, silence_warnings=True)
    with warnings.catch_warnings():
        # esda 2.x announces a future change of the default alternative hypothesis on
        # every call of Moran_Local (which cannot pass one); the directed p-value used
        # here is documented in LocalMoranResult.
        warnings.filterwarnings("ignore", category=DeprecationWarning,
                                message="The alternative hypothesis for conditional")
        # Islands have no simulated spread: esda divides 0 by 0 for their z_sim (unused
        # here; their p-values are set to NaN by the caller).
        with np.errstate(invalid="ignore", divide="ignore"):
            local = esda.Moran_Local(x, w, transformation="O", permutations=permutations,
                                     seed=seed)
    return np.asarray(local.p_sim, dtype=np.float64)


def local_moran(values: Any, weights: Any, *, permutations: int = 999,
                seed: int | None = DEFAULT_SEED, alpha: float = 0.05,
                fdr: bool = False, conditional: bool = True) -> LocalMoranResult:
    """Local Moran's I (LISA) with analytic and permutation inference.

    Parameters
    ----------
    values
        One value per area (Series indexed by area id, or in the weights' order).
    weights
        :class:`SpatialWeights` or a libpysal ``W`` (row-standardised is usual).
    permutations
        Conditional permutations for ``p_sim`` (default 999; 0 skips them and the
        clusters then use ``p_z``).
    seed
        Random seed of the permutations (a fixed default, so results repeat).
    alpha
        Significance level for the clusters.
    fdr
        Adjust ``p_sim`` by Benjamini-Hochberg (false discovery rate) before comparing
        with ``alpha``.
    conditional
        Analytic moments under conditional randomisation (default, as spdep >= 1.2) or,
        with ``False``, under total randomisation.
    """
    sw = as_weights(weights)
    count = _check_permutations(permutations)
    if not 0.0 < alpha < 1.0:
        raise _fail(
            f"Signifikanzniveau {alpha!r} ist ungültig. Erwartet wird ein Wert zwischen 0 und 1 "
            "(z. B. 0.05).",
            f"Significance level {alpha!r} is invalid. Expected a value between 0 and 1 (e.g. "
            "0.05).")
    x = aligned(values, sw, "Die Werte", "The values")
    if x.size < 4:
        raise _fail(
            f"Lokales Moran's I braucht mindestens 4 Gebiete, erhalten: {x.size}.",
            f"Local Moran's I needs at least 4 areas, got {x.size}.")
    _check_variation(x - x.mean(), "Der Wert", "The value")
    parts = _local_analytic(x, sw.matrix, conditional)
    island = np.isin(np.array(sw.ids, dtype=object), np.array(sw.islands, dtype=object))
    p_z = 2.0 * stats.norm.sf(np.abs(parts["z"]))
    p_sim = _permutation_local(x, sw, count, seed)
    p_sim[island] = np.nan
    p_fdr = np.full(x.size, np.nan)
    base = p_sim if count else p_z
    if fdr:
        usable = ~np.isnan(base)
        if usable.any():
            p_fdr[usable] = stats.false_discovery_control(base[usable], method="bh")
        base = p_fdr
    quadrant = np.select(
        [(parts["dev"] > 0) & (parts["lag"] > 0), (parts["dev"] <= 0) & (parts["lag"] <= 0),
         (parts["dev"] > 0) & (parts["lag"] <= 0)],
        ["HH", "LL", "HL"], default="LH")
    significant = ~island & (np.nan_to_num(base, nan=1.0) <= alpha)
    cluster = np.where(significant, quadrant, NOT_SIGNIFICANT)
    table = pd.DataFrame(
        {"value": x, "I": parts["I"], "expected": parts["expected"],
         "variance": parts["variance"], "z": parts["z"], "p_z": p_z, "p_sim": p_sim,
         "p_fdr": p_fdr, "quadrant": pd.array(quadrant.tolist(), dtype=object),
         "cluster": pd.array(cluster.tolist(), dtype=object), "island": island},
        index=pd.Index(sw.ids, name="id"))
    return LocalMoranResult(table=table, mean_I=float(np.mean(parts["I"])), alpha=alpha,
                            fdr=fdr, permutations=count, seed=seed if count else None,
                            islands=list(sw.islands), conditional=conditional)


# ---------------------------------------------------------------------- EB Moran (rates)


@dataclass(frozen=True)
class EBMoranResult:
    """Empirical-Bayes Moran's I for rates (Assunção & Reis 1999), as spdep::EBImoran.

    Attributes
    ----------
    I
        EB Moran's I of the standardised rates.
    a, b
        Global EB parameters (between-area variance clipped at 0, global rate).
    standardised
        Per area ``(r_i - b) / sqrt(a + b / n_i)`` (index: area ids).
    n
        The n in the statistic (all areas unless ``adjust_n``).
    islands
        Ids of areas without neighbours.
    permutations, seed, p_sim
        Permutation test of the standardised rates (``p_sim`` ``None`` without).
    """

    I: float  # noqa: E741 - the statistic's conventional name
    a: float
    b: float
    standardised: pd.Series
    n: int
    islands: list[Hashable]
    permutations: int = 0
    seed: int | None = None
    p_sim: float | None = None


def eb_moran(events: Any, population: Any, weights: Any, *, permutations: int = 0,
             seed: int | None = DEFAULT_SEED, adjust_n: bool = False) -> EBMoranResult:
    """Empirical-Bayes Moran's I for rates with unequal populations at risk.

    Each crude rate is standardised with the global EB parameters (Marshall 1991, see
    :func:`kekiz.analysis.smoothing.global_eb`): ``z_i = (r_i - b) / sqrt(a + b / n_i)``;
    then ``I = n / S0 * sum(z_i' (W z')_i) / sum(z_i'²)`` with ``z' = z - mean(z)``.
    Like ``spdep::EBImoran.mc``, n counts all areas (``adjust_n=False``).
    """
    sw = as_weights(weights)
    count = _check_permutations(permutations)
    ev = aligned(events, sw, "Die Fallzahl", "The event count")
    pop = aligned(population, sw, "Die Bevölkerung", "The population")
    eb = global_eb(pd.Series(ev, index=sw.ids), pd.Series(pop, index=sw.ids))
    if eb.b <= 0:
        raise _fail(
            "In keinem Gebiet gibt es Fälle; die Rate ist überall 0 und EB-Moran nicht definiert. "
            "Erwartet werden Fallzahlen über 0 in mindestens einem Gebiet.",
            "There are no events in any area; the rate is 0 everywhere and the EB Moran is "
            "undefined. Expected events in at least one area.")
    standard = (eb.raw.to_numpy() - eb.b) / np.sqrt(eb.a + eb.b / pop)
    z = standard - standard.mean()
    _check_variation(z, "Die standardisierte Rate", "The standardised rate")
    matrix = sw.matrix
    n = float(ev.size - len(sw.islands) if adjust_n else ev.size)
    s0 = _s0(matrix)
    value = _moran_value(z, matrix, n, s0)
    p_sim = _permutation_p(value, z, matrix, n, s0, count, seed) if count else None
    return EBMoranResult(I=value, a=eb.a, b=eb.b,
                         standardised=pd.Series(standard, index=pd.Index(sw.ids, name="id")),
                         n=int(n), islands=list(sw.islands), permutations=count,
                         seed=seed if count else None, p_sim=p_sim)
