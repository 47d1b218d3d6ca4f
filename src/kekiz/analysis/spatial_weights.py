"""Spatial weights: which areas are neighbours, and how much each counts.

:func:`spatial_weights` builds queen, rook or distance-band weights from a GeoDataFrame
with libpysal (distances in a metric CRS, EPSG:25832 by default);
:func:`weights_from_neighbours` takes a neighbour list (e.g. from a GAL file).  Both give
:class:`SpatialWeights`, row-standardised or binary, listing areas without neighbours
(islands) instead of failing.  :func:`as_weights` and :func:`aligned` bring the weights
and the values of :mod:`kekiz.analysis.spatial` into the same order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from libpysal import weights as lpw
from pyproj.exceptions import CRSError
from scipy import sparse

from kekiz.domain.errors import MethodError

__all__ = ["METHODS", "TRANSFORMS", "SpatialWeights", "aligned", "as_weights",
           "spatial_weights", "weights_from_neighbours"]

FloatArray = npt.NDArray[np.float64]

METHODS = ("queen", "rook", "distance")
TRANSFORMS = ("r", "b")


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


def as_weights(weights: Any) -> SpatialWeights:
    """:class:`SpatialWeights` of a libpysal ``W`` (or the weights themselves)."""
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


def aligned(values: Any, sw: SpatialWeights, name_de: str, name_en: str) -> FloatArray:
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
