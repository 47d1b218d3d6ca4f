"""Spatial weights and spatial autocorrelation (Moran's I, LISA, empirical-Bayes Moran).

:func:`spatial_weights` builds queen, rook or distance-band weights from a GeoDataFrame with
libpysal (distances in a metric CRS, EPSG:25832 by default); :func:`weights_from_neighbours`
takes a neighbour list (e.g. from a GAL file).  Both give :class:`SpatialWeights`,
row-standardised or binary, listing areas without neighbours (islands) instead of failing.
:func:`moran` (as ``spdep::moran.test``), :func:`local_moran` (as ``spdep::localmoran`` plus
seeded esda permutations, FDR and HH/LL/HL/LH clusters) and :func:`eb_moran` (Assunção-Reis,
as ``spdep::EBImoran``) reproduce spdep's analytic results exactly.  Data are matched to the
weights by index when a Series' index holds the weights' ids, else by position; results are
indexed by the weights' ids.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import esda
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from libpysal import weights as lpw
from pyproj.exceptions import CRSError
from scipy import sparse, stats

from kekiz.analysis.smoothing import global_eb
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
METHODS = ("queen", "rook", "distance")
TRANSFORMS = ("r", "b")


# ------------------------------------------------------------------------------ weights


@dataclass(frozen=True)
class SpatialWeights:
    """Spatial weights for a set of areas.

    Attributes
    ----------
    w
        The libpysal ``W`` (weights already transformed; its ``id_order`` is the area
        order of every result).
    method
        ``"queen"``, ``"rook"``, ``"distance"`` or ``"neighbours"`` (given list).
    transform
        ``"r"`` (row-standardised: each area's weights sum to 1) or ``"b"`` (binary).
    islands
        Ids of areas without any neighbour (empty list when there are none).
    threshold
        Distance band in CRS units (metres) for ``method="distance"``, else ``None``.
    crs
        The CRS the distances were computed in, if any.
    """

    w: lpw.W
    method: str
    transform: str
    islands: list[Hashable] = field(default_factory=list)
    threshold: float | None = None
    crs: str | None = None

    @property
    def ids(self) -> list[Hashable]:
        """Area ids in the order of the weights."""
        return list(self.w.id_order)

    @property
    def n(self) -> int:
        return int(self.w.n)

    @property
    def matrix(self) -> sparse.csr_matrix:
        """The weights as a sparse n x n matrix in the order of :attr:`ids`."""
        return sparse.csr_matrix(self.w.sparse, dtype=np.float64)

    @property
    def neighbour_counts(self) -> pd.Series:
        """Number of neighbours per area."""
        return pd.Series({i: len(self.w.neighbors[i]) for i in self.ids}, dtype=int)

    def describe(self, lang: str = "de") -> str:
        """A one-line summary for users, naming the islands."""
        mean = f"{self.neighbour_counts.mean():.1f}"
        if lang == "en":
            text = f"{self.n} areas, {self.method} neighbours, on average {mean} each"
            islands = f"; {len(self.islands)} without neighbours: "
        else:
            text = (f"{self.n} Gebiete, Nachbarschaft {self.method}, im Mittel "
                    f"{mean.replace('.', ',')} Nachbarn")
            islands = f"; {len(self.islands)} ohne Nachbarn: "
        return text + (islands + _list(self.islands) if self.islands else "")


def _fail(message_de: str, message_en: str) -> MethodError:
    return MethodError(message_de, message_en=message_en)


def _check_unique(ids: Sequence[Hashable]) -> None:
    if len(set(ids)) != len(ids):
        raise _fail(
            "Die Gebietskennungen sind nicht eindeutig. Erwartet wird jede Kennung genau einmal.",
            "The area ids are not unique. Expected every id exactly once.")


def _list(items: Sequence[Hashable], limit: int = 10) -> str:
    text = ", ".join(str(i) for i in items[:limit])
    return text + (" ..." if len(items) > limit else "")


def _check_transform(transform: str) -> str:
    key = str(transform).lower()
    if key not in TRANSFORMS:
        raise _fail(
            f"Unbekannte Gewichtung {transform!r}. Erwartet: 'r' (zeilenstandardisiert) oder 'b' "
            "(binär).",
            f"Unknown weights transformation {transform!r}. Expected 'r' (row-standardised) or 'b' "
            "(binary).")
    return key


def weights_from_neighbours(neighbours: Mapping[Any, Iterable[Any]], *,
                            ids: Sequence[Hashable] | None = None, transform: str = "r",
                            method: str = "neighbours") -> SpatialWeights:
    """Spatial weights from a neighbour list ``{id: [neighbour ids]}``.

    ``ids`` fixes the area order (default: the order of ``neighbours``); areas in ``ids``
    missing from ``neighbours`` are islands.  Links are taken as given (an asymmetric
    list stays asymmetric); self-links are dropped.
    """
    key = _check_transform(transform)
    order = list(neighbours) if ids is None else list(ids)
    _check_unique(order)
    known = set(order)
    neighbour_lists: dict[Hashable, list[Hashable]] = {}
    for area in order:
        links = [j for j in dict.fromkeys(neighbours.get(area, [])) if j != area]
        unknown = [j for j in links if j not in known]
        if unknown:
            raise _fail(
                f"Gebiet {area!r} hat unbekannte Nachbarn: {_list(unknown)}. Erwartet werden "
                "Nachbarn aus der Liste der Gebiete.",
                f"Area {area!r} has unknown neighbours: {_list(unknown)}. Expected neighbours from "
                "the list of areas.")
        neighbour_lists[area] = links
    weight_lists = {
        area: [1.0 / max(len(links), 1) if key == "r" else 1.0] * len(links)
        for area, links in neighbour_lists.items()
    }
    w = lpw.W(neighbour_lists, weight_lists, id_order=order, silence_warnings=True)
    islands = [area for area in order if not neighbour_lists[area]]
    return SpatialWeights(w=w, method=method, transform=key, islands=islands)


def spatial_weights(frame: gpd.GeoDataFrame, method: str = "queen", *,
                    transform: str = "r", threshold: float | None = None,
                    metric_crs: str | None = "EPSG:25832",
                    id_column: str | None = None) -> SpatialWeights:
    """Spatial weights for the areas of a GeoDataFrame, built with libpysal.

    Parameters
    ----------
    frame
        Areas (polygons for queen/rook; any geometry for a distance band, measured
        between centroids).
    method
        ``"queen"`` (shared point), ``"rook"`` (shared edge) or ``"distance"``.
    transform
        ``"r"`` row-standardised (default) or ``"b"`` binary.
    threshold
        For ``"distance"``: neighbours are areas whose centroids lie at most this far
        apart, in units of ``metric_crs`` (metres).
    metric_crs
        CRS in which distances are computed (EPSG:25832 for NRW).  ``None`` uses the
        coordinates of ``frame`` as they are.
    id_column
        Column with the area ids (default: the frame's index).
    """
    name = str(method).lower()
    if name not in METHODS:
        raise _fail(
            f"Unbekannte Nachbarschaft {method!r}. Erwartet: {', '.join(METHODS)}.",
            f"Unknown neighbourhood {method!r}. Expected one of: {', '.join(METHODS)}.")
    key = _check_transform(transform)
    ids = _frame_ids(frame, id_column)
    if name == "distance":
        return _distance_weights(frame, ids, key, threshold, metric_crs)
    kinds = frame.geometry.geom_type
    if not kinds.isin(["Polygon", "MultiPolygon"]).all():
        bad = sorted(set(kinds[~kinds.isin(["Polygon", "MultiPolygon"])].astype(str)))
        raise _fail(
            f"Nachbarschaft {name} braucht Flächen, gefunden: {', '.join(bad)}. Für Punkte "
            "method='distance' verwenden.",
            f"Neighbourhood {name} needs polygons, found: {', '.join(bad)}. Use method='distance' "
            "for points.")
    builder = lpw.Queen if name == "queen" else lpw.Rook
    contiguity = builder.from_dataframe(frame, ids=ids, silence_warnings=True)
    # libpysal's contiguity is symmetric and free of self-links: transform it in place
    # instead of rebuilding it from the neighbour lists (same weights, ~10x faster)
    contiguity.transform = key
    islands = [area for area in ids if not contiguity.neighbors[area]]
    return SpatialWeights(w=contiguity, method=name, transform=key, islands=islands)


def _frame_ids(frame: Any, id_column: str | None) -> list[Hashable]:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise _fail(
            f"Geodaten erwartet (GeoDataFrame), erhalten: {type(frame).__name__}.",
            f"Expected geodata (GeoDataFrame), got {type(frame).__name__}.")
    if len(frame) < 2:
        raise _fail(
            f"Räumliche Gewichte brauchen mindestens 2 Gebiete, erhalten: {len(frame)}.",
            f"Spatial weights need at least 2 areas, got {len(frame)}.")
    geometry = frame.geometry
    empty = (geometry.isna() | geometry.is_empty).to_numpy()
    if empty.any():
        raise _fail(
            f"{int(empty.sum())} Gebiete ohne Geometrie (Zeilen "
            f"{_list([int(i) + 1 for i in np.flatnonzero(empty)])}). Erwartet wird für jedes "
            "Gebiet eine Geometrie.",
            f"{int(empty.sum())} areas without geometry (rows "
            f"{_list([int(i) + 1 for i in np.flatnonzero(empty)])}). Expected a geometry for every "
            "area.")
    if id_column is not None and id_column not in frame.columns:
        raise _fail(
            f"Spalte {id_column!r} fehlt. Erwartet wird eine Spalte mit den Gebietskennungen.",
            f"Column {id_column!r} is missing. Expected a column with the area ids.")
    ids = list(frame[id_column] if id_column is not None else frame.index)
    _check_unique(ids)
    return ids


def _distance_weights(frame: gpd.GeoDataFrame, ids: list[Hashable], transform: str,
                      threshold: float | None, metric_crs: str | None) -> SpatialWeights:
    if threshold is None or not np.isfinite(threshold) or threshold <= 0:
        raise _fail(
            f"Abstandsband {threshold!r} ist ungültig. Erwartet wird eine Entfernung über 0 in "
            "Metern (threshold=...).",
            f"Distance band {threshold!r} is invalid. Expected a distance above 0 in metres "
            "(threshold=...).")
    geometry = frame.geometry
    crs_name = None
    if metric_crs is not None:
        if frame.crs is None:
            raise _fail(
                "Die Geodaten haben kein Koordinatenbezugssystem. Erwartet wird eines (z. B. "
                "EPSG:4326), damit Entfernungen in Metern gerechnet werden können; sonst "
                "metric_crs=None setzen.",
                "The geodata have no coordinate reference system. Expected one (e.g. EPSG:4326) "
                "so distances can be computed in metres; otherwise set metric_crs=None.")
        try:
            geometry = geometry.to_crs(metric_crs)
        except (CRSError, ValueError) as error:
            raise _fail(
                f"Umrechnung nach {metric_crs} nicht möglich ({error}). Erwartet werden Geodaten "
                "mit einem bekannten Koordinatenbezugssystem.",
                f"Cannot transform to {metric_crs} ({error}). Expected geodata with a known "
                "coordinate reference system.") from None
        crs_name = str(metric_crs)
    elif geometry.crs is not None and geometry.crs.is_geographic:
        raise _fail(
            "Die Geodaten sind in Längen-/Breitengraden; ein Abstandsband in Grad ist nicht "
            "sinnvoll. Erwartet wird ein metrisches Bezugssystem (metric_crs).",
            "The geodata are in longitude/latitude; a distance band in degrees makes no sense. "
            "Expected a metric reference system (metric_crs).")
    centres = geometry.centroid
    coords = np.column_stack([centres.x.to_numpy(), centres.y.to_numpy()])
    band = lpw.DistanceBand(coords, threshold=float(threshold), binary=True, ids=ids,
                            silence_warnings=True)
    result = weights_from_neighbours(band.neighbors, ids=ids, transform=transform,
                                     method="distance")
    return SpatialWeights(w=result.w, method="distance", transform=transform,
                          islands=result.islands, threshold=float(threshold), crs=crs_name)


def _as_weights(weights: Any) -> SpatialWeights:
    if isinstance(weights, SpatialWeights):
        return weights
    if isinstance(weights, lpw.W):
        islands = [i for i in weights.id_order if not weights.neighbors[i]]
        transform = "r" if str(weights.transform).lower() == "r" else "b"
        return SpatialWeights(w=weights, method="neighbours", transform=transform,
                              islands=islands)
    raise _fail(
        "Räumliche Gewichte erwartet (SpatialWeights oder libpysal W), erhalten: "
        f"{type(weights).__name__}.",
        f"Expected spatial weights (SpatialWeights or libpysal W), got {type(weights).__name__}.")


def _aligned(values: Any, sw: SpatialWeights, name_de: str, name_en: str) -> FloatArray:
    """Values in the order of the weights' ids (by index if it holds the ids, else by
    position for a default index)."""
    ids = sw.ids
    if isinstance(values, pd.Series):
        matches = len(values) == len(ids) and set(values.index) == set(ids)
        if matches:
            values = values.reindex(ids)
        elif not isinstance(values.index, pd.RangeIndex):
            raise _fail(
                f"{name_de}: die Gebiete im Index passen nicht zu den Gewichten. Erwartet werden "
                f"dieselben {len(ids)} Gebietskennungen.",
                f"{name_en}: the areas in the index do not match the weights. Expected the same "
                f"{len(ids)} area ids.")
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise _fail(
            f"{name_de} enthält Werte, die keine Zahlen sind.",
            f"{name_en} contains values that are not numbers.") from None
    if array.size != len(ids):
        raise _fail(
            f"{name_de}: {array.size} Werte, aber {len(ids)} Gebiete in den Gewichten. Erwartet "
            "wird ein Wert je Gebiet.",
            f"{name_en}: {array.size} values but {len(ids)} areas in the weights. Expected one "
            "value per area.")
    if not np.isfinite(array).all():
        raise _fail(
            f"{name_de} enthält fehlende oder unendliche Werte. Erwartet wird für jedes Gebiet ein "
            "Wert; Gebiete ohne Wert vorher aus Daten und Gewichten entfernen.",
            f"{name_en} contains missing or infinite values. Expected a value for every area; "
            "remove areas without a value from data and weights first.")
    return array


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
    sw = _as_weights(weights)
    alt = _check_alternative(alternative)
    count = _check_permutations(permutations)
    x = _aligned(values, sw, "Die Werte", "The values")
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
    sw = _as_weights(weights)
    count = _check_permutations(permutations)
    if not 0.0 < alpha < 1.0:
        raise _fail(
            f"Signifikanzniveau {alpha!r} ist ungültig. Erwartet wird ein Wert zwischen 0 und 1 "
            "(z. B. 0.05).",
            f"Significance level {alpha!r} is invalid. Expected a value between 0 and 1 (e.g. "
            "0.05).")
    x = _aligned(values, sw, "Die Werte", "The values")
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
    sw = _as_weights(weights)
    count = _check_permutations(permutations)
    ev = _aligned(events, sw, "Die Fallzahl", "The event count")
    pop = _aligned(population, sw, "Die Bevölkerung", "The population")
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
