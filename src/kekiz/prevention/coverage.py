"""Coverage and accessibility of offers.

* :func:`places_per_child`: per unit, the places of the offers a child of the eligible
  age may use, per child of that age, and the offers per 1,000 such children.
* :func:`coverage_by_unit`: the same count for offers given as bare points with places
  (the files of ``kekiz chain coverage``, read by :mod:`kekiz.ingest.points`).
* :func:`fca`: two-step floating catchment area (2SFCA, Luo & Wang 2003) and its
  enhanced form with distance decay (E2SFCA, Luo & Qi 2009), vectorised: a k-d tree finds
  the pairs within the radius, the two steps are sparse products over that pair list.
  Straight-line distances in metres (EPSG:25832 by default).

  Step 1, for every offer ``j``: ``R_j = S_j / sum_i W(d_ij) * P_i`` over the demand
  points ``i`` within ``radius`` (``S`` places, ``P`` children).  Step 2, for every demand
  point: ``A_i = sum_j W(d_ij) * R_j``.  ``W`` is 1 within the radius for 2SFCA; for
  E2SFCA a step function (default zones r/3, 2r/3, r with weights 1, 0.68, 0.22), a
  Gaussian ``exp(-d^2 / (2 sigma^2))`` (sigma default r/2, as PySAL ``access``) or Dai's
  Gaussian ``(exp(-(d/r)^2/2) - exp(-1/2)) / (1 - exp(-1/2))`` that reaches 0 at ``r``.
  ``A_i`` is then places per child within reach; an offer with no demand in reach has
  ``R_j = 0``.
* :func:`accessibility`: the same on frames with WGS84 coordinates, summarised per unit
  as the child-weighted mean.  A :class:`DistanceProvider` (e.g.
  :class:`kekiz.prevention.network_distance.NetworkDistance`, shortest paths over a
  street network) replaces the straight lines: it returns the demand-supply pairs within
  the radius with their distances, and both steps run on that pair list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from kekiz.domain.directory import PHASE_AGES
from kekiz.domain.errors import MethodError
from kekiz.domain.model import LifePhase
from kekiz.prevention.geo import METRIC_CRS, points_in_units, to_metric

__all__ = ["DEFAULT_STEPS", "UNIT_COVERAGE_COLUMNS", "DistanceProvider", "FCAResult",
           "accessibility", "coverage_by_unit", "demand_points", "eligible_offers", "fca",
           "places_per_child", "weights"]

#: Luo & Qi (2009): zones of a third of the radius with weights 1, 0.68, 0.22.
DEFAULT_STEPS: tuple[tuple[float, float], ...] = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))
DECAYS = ("none", "step", "gaussian", "dai")
#: The columns of :func:`coverage_by_unit`.
UNIT_COVERAGE_COLUMNS = ["unit_id", "offers", "capacity", "population", "capacity_per_child"]


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


class DistanceProvider(Protocol):
    """Distances between demand and supply points, limited to a radius.

    ``pairs`` returns ``(i, j, d)``: indices into the demand and supply points (WGS84
    ``lon``/``lat`` arrays) of every pair with ``d <= radius`` metres.  ``label_de`` and
    ``label_en`` say what the distance is (e.g. "Fußweg im Straßennetz").
    """

    label_de: str
    label_en: str

    def pairs(self, demand_lon: np.ndarray, demand_lat: np.ndarray, supply_lon: np.ndarray,
              supply_lat: np.ndarray, radius: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


# -- places per child ----------------------------------------------------------------------

def eligible_offers(offers: pd.DataFrame, *, age: tuple[float, float] | float | None = None,
                    life_phase: str | None = None, sector: str | None = None,
                    only_published: bool = False) -> pd.DataFrame:
    """Active offers a child of the age (or age band ``(lo, hi)``) or life phase may use.

    An offer without ages is judged by the age bands of its life phases.
    """
    keep = offers["status"].fillna("active") == "active"
    if only_published:
        keep &= offers["published"].astype(bool)
    if age is not None:
        lo, hi = (float(age), float(age)) if isinstance(age, int | float) else age
        bounds = [_bounds(a, b, ps) for a, b, ps in
                  zip(offers["age_min"], offers["age_max"], offers["life_phases"],
                      strict=True)]
        keep &= pd.Series([b is not None and b[0] <= hi and b[1] >= lo for b in bounds],
                          index=offers.index)
    if life_phase is not None:
        keep &= offers["life_phases"].map(lambda ps: life_phase in ps)
    if sector is not None:
        keep &= offers["sector"] == sector
    return offers[keep]


def _bounds(age_min: float, age_max: float, phases: Sequence[str]
            ) -> tuple[float, float] | None:
    if not (np.isnan(age_min) and np.isnan(age_max)):
        return (-np.inf if np.isnan(age_min) else age_min,
                np.inf if np.isnan(age_max) else age_max)
    bands = [PHASE_AGES[LifePhase(p)] for p in phases if LifePhase(p) in PHASE_AGES]
    if not bands:
        return None
    return min(b[0] for b in bands), max(b[1] for b in bands) - 1e-9


def places_per_child(offers: pd.DataFrame, children: pd.Series, *,
                     age: tuple[float, float] | float | None = None,
                     life_phase: str | None = None, sector: str | None = None,
                     only_published: bool = False) -> pd.DataFrame:
    """Places and offers per child of the eligible age, per unit.

    ``children``: number of children of the eligible age by ``unit_id``.  Columns:
    ``unit_id, offers, capacity, without_capacity, children, places_per_child,
    offers_per_1000``; ``places_per_child`` is NaN where no child lives.
    """
    sel = eligible_offers(offers, age=age, life_phase=life_phase, sector=sector,
                          only_published=only_published)
    sel = sel[sel["unit_id"].notna()]
    grouped = sel.groupby("unit_id").agg(
        offers=("offer_id", "nunique"), capacity=("capacity", lambda s: s.sum(min_count=1)),
        without_capacity=("capacity", lambda s: int(s.isna().sum())))
    kids = pd.Series(children, dtype="float64")
    kids.index = kids.index.map(str)
    index = kids.index.union(grouped.index.map(str))
    grouped.index = grouped.index.map(str)
    out = grouped.reindex(index)
    out["offers"] = out["offers"].fillna(0).astype(int)
    out["capacity"] = out["capacity"].fillna(0.0).astype("float64")
    out["without_capacity"] = out["without_capacity"].fillna(0).astype(int)
    out["children"] = kids.reindex(index)
    safe = out["children"].where(out["children"] > 0)
    out["places_per_child"] = out["capacity"] / safe
    out["offers_per_1000"] = out["offers"] / safe * 1000.0
    out.index.name = "unit_id"
    return out.reset_index()


def coverage_by_unit(lat: np.ndarray, lon: np.ndarray, capacity: np.ndarray,
                     units: gpd.GeoDataFrame, unit_id: str, population: pd.Series,
                     notes: list[str] | None = None) -> pd.DataFrame:
    """Offers, places, population and places per inhabitant for every unit.

    ``lat``/``lon``/``capacity``: the offers (WGS84; one place each when the file named no
    capacity); ``units``: areas with their key in ``unit_id``; ``population`` by key (a
    key given twice is summed).  Returns :data:`UNIT_COVERAGE_COLUMNS`, one row per unit
    in the order of ``units``; ``capacity_per_child`` is empty where the population is
    missing or 0.  Remarks (offers outside every unit, units without population) are
    added to ``notes`` and are in ``frame.attrs["notes"]``.
    """
    notes = [] if notes is None else notes
    ids = [str(i) for i in units[unit_id]]
    inside = points_in_units(lon, lat, units, unit_id)
    outside = int(inside.isna().sum())
    if outside:
        notes.append(f"{outside} Angebot(e) liegen in keinem Gebiet und werden nicht gezählt")
    pts = pd.DataFrame({"unit_id": inside.to_numpy(), "capacity": capacity})
    pts = pts[pts["unit_id"].notna()]
    counts = pts.groupby("unit_id").agg(offers=("capacity", "size"),
                                        capacity=("capacity", "sum"))
    pop_series = population
    if pop_series.index.duplicated().any():
        dup = sorted(set(pop_series.index[pop_series.index.duplicated()]))[:5]
        notes.append("Bevölkerung: Schlüssel mehrfach, die Werte werden addiert: "
                     + ", ".join(dup))
        pop_series = pop_series.groupby(level=0).sum()
    out = pd.DataFrame({"unit_id": ids})
    out["offers"] = counts["offers"].reindex(ids).fillna(0).astype(int).to_numpy()
    out["capacity"] = counts["capacity"].reindex(ids).fillna(0.0).to_numpy(float)
    out["population"] = pop_series.reindex(ids).to_numpy(float)
    positive = out["population"].where(out["population"] > 0)
    out["capacity_per_child"] = out["capacity"] / positive
    missing = [i for i in ids if i not in pop_series.index]
    if missing:
        notes.append(f"{len(missing)} Gebiet(e) ohne Bevölkerungszahl: "
                     + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""))
    unknown = [k for k in pop_series.index if k not in set(ids)]
    if unknown:
        notes.append(f"{len(unknown)} Schlüssel der Bevölkerungsdatei ohne Gebiet: "
                     + ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else ""))
    out = out[UNIT_COVERAGE_COLUMNS]
    out.attrs["notes"] = notes
    return out


# -- floating catchment ------------------------------------------------------------------

def weights(distance: np.ndarray, radius: float, decay: str = "none", *,
            sigma: float | None = None,
            steps: Sequence[tuple[float, float]] | None = None) -> np.ndarray:
    """Distance weights ``W(d)`` (0 beyond ``radius``); ``steps`` are (fraction of the
    radius, weight) pairs."""
    d = np.asarray(distance, float)
    inside = d <= radius
    if decay == "none":
        w = np.ones_like(d)
    elif decay == "step":
        w = np.zeros_like(d)
        bounds = sorted(steps or DEFAULT_STEPS)
        for upper, weight in reversed(bounds):
            w[d <= upper * radius] = weight
    elif decay == "gaussian":
        s = sigma if sigma is not None else radius / 2.0
        w = np.exp(-d * d / (2.0 * s * s))
    elif decay == "dai":
        c = np.exp(-0.5)
        w = (np.exp(-0.5 * (d / radius) ** 2) - c) / (1.0 - c)
    else:
        raise _err(f"Unbekannte Distanzgewichtung '{decay}'. Möglich: " + ", ".join(DECAYS),
                   f"Unknown distance decay '{decay}'. Possible: " + ", ".join(DECAYS))
    return np.where(inside, w, 0.0)


@dataclass
class FCAResult:
    """Result of :func:`fca`.

    ``accessibility``: ``A_i`` per demand point (supply per unit of demand within reach);
    ``ratio``: ``R_j`` per supply point; ``demand_in_reach``: the weighted demand each
    supply point serves; ``pairs``: demand-supply pairs within the radius.
    """

    accessibility: np.ndarray
    ratio: np.ndarray
    demand_in_reach: np.ndarray
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    pairs: int = 0

    def by_group(self, groups: Sequence[Any], demand: Sequence[float]) -> pd.Series:
        """Demand-weighted mean accessibility per group (e.g. unit)."""
        frame = pd.DataFrame({"g": list(groups), "a": self.accessibility,
                              "w": np.asarray(demand, float)})
        frame["aw"] = frame["a"] * frame["w"]
        sums = frame.groupby("g")[["aw", "w"]].sum()
        return (sums["aw"] / sums["w"].where(sums["w"] > 0)).rename("accessibility")


def fca(demand_xy: np.ndarray, demand: Sequence[float] | np.ndarray,
        supply_xy: np.ndarray, supply: Sequence[float] | np.ndarray, *, radius: float,
        decay: str = "none", sigma: float | None = None,
        steps: Sequence[tuple[float, float]] | None = None,
        pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> FCAResult:
    """Two-step floating catchment (2SFCA; E2SFCA with ``decay``), see the module text.

    ``demand_xy`` (n, 2) and ``supply_xy`` (m, 2) in metres.  ``pairs`` (demand index,
    supply index, distance in metres) replaces the straight-line pairs of the k-d tree
    (e.g. network distances); pairs beyond ``radius`` are dropped.
    """
    dxy = np.asarray(demand_xy, float).reshape(-1, 2)
    sxy = np.asarray(supply_xy, float).reshape(-1, 2)
    p = np.asarray(demand, float)
    s = np.asarray(supply, float)
    if len(p) != len(dxy) or len(s) != len(sxy):
        raise _err("Anzahl der Gewichte passt nicht zur Anzahl der Punkte.",
                   "The number of weights does not match the number of points.")
    if not radius > 0:
        raise _err("Der Radius muss größer als 0 sein.", "The radius must be positive.")
    if np.any(~np.isfinite(dxy)) or np.any(~np.isfinite(sxy)):
        raise _err("Punkte ohne Koordinaten.", "Points without coordinates.")
    if np.any(p < 0) or np.any(s < 0) or np.any(~np.isfinite(p)) or np.any(~np.isfinite(s)):
        raise _err("Nachfrage und Angebot müssen Zahlen ab 0 sein.",
                   "Demand and supply must be numbers of at least 0.")
    method = "2sfca" if decay == "none" else "e2sfca"
    params = {"radius": radius, "decay": decay, "sigma": sigma,
              "steps": list(steps) if steps else None}
    n, m = len(dxy), len(sxy)
    if n == 0 or m == 0:
        return FCAResult(np.zeros(n), np.zeros(m), np.zeros(m), method, params)
    if pairs is None:
        found = cKDTree(dxy).sparse_distance_matrix(cKDTree(sxy), radius,
                                                    output_type="ndarray")
        i, j, dist = found["i"], found["j"], found["v"]
    else:
        i, j, dist = (np.asarray(a) for a in pairs)
        keep = dist <= radius
        i, j, dist = i[keep].astype(np.intp), j[keep].astype(np.intp), dist[keep]
        if len(i) and (i.min() < 0 or i.max() >= n or j.min() < 0 or j.max() >= m):
            raise _err("Entfernungspaare verweisen auf unbekannte Punkte.",
                       "Distance pairs refer to unknown points.")
    w = weights(dist, radius, decay, sigma=sigma, steps=steps)
    # the sparse products W^T P and W R as scatter-adds over the pair list (COO)
    reach = np.bincount(j, weights=w * p[i], minlength=m)
    ratio = np.divide(s, reach, out=np.zeros(m), where=reach > 0)
    acc = np.bincount(i, weights=w * ratio[j], minlength=n)
    return FCAResult(acc, ratio, reach, method, params, len(i))


def demand_points(units: gpd.GeoDataFrame, population: pd.Series | dict[str, float],
                  id_field: str) -> pd.DataFrame:
    """One demand point per unit (a point inside it) weighted by its children.

    Columns ``unit_id, lat, lon, weight``; units without a population count get 0.
    """
    shapes = units.to_crs(4326) if units.crs is not None else units.set_crs(4326)
    pts = shapes.geometry.representative_point()
    pop = pd.Series(population, dtype="float64")
    pop.index = pop.index.map(str)
    ids = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
           for v in shapes[id_field]]
    return pd.DataFrame({"unit_id": ids, "lat": pts.y.to_numpy(float),
                         "lon": pts.x.to_numpy(float),
                         "weight": pop.reindex(ids).fillna(0.0).to_numpy(float)})


def accessibility(offers: pd.DataFrame, demand: pd.DataFrame, *, radius: float,
                  decay: str = "none", sigma: float | None = None,
                  steps: Sequence[tuple[float, float]] | None = None,
                  capacity: str | None = "capacity", crs: int = METRIC_CRS,
                  distance: DistanceProvider | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """2SFCA/E2SFCA on frames with WGS84 ``lat``/``lon``.

    ``demand``: ``lat, lon, weight`` (children) and optionally ``unit_id``;
    ``offers``: ``lat, lon`` and the ``capacity`` column (``None``: every offer counts 1;
    a missing capacity counts 0).  Offers without coordinates are left out.
    ``distance``: network (or other) distances instead of straight lines in ``crs``.
    Returns (demand with ``accessibility``, offers with ``ratio`` and
    ``demand_in_reach``).
    """
    sup = offers[offers["lat"].notna() & offers["lon"].notna()].copy()
    dem = demand.copy()
    if dem[["lat", "lon"]].isna().to_numpy().any():
        raise _err("Nachfragepunkte ohne Koordinaten.", "Demand points without coordinates.")
    cap = np.ones(len(sup)) if capacity is None else \
        sup[capacity].fillna(0.0).to_numpy(float)
    pairs = None
    if distance is not None and len(dem) and len(sup):
        pairs = distance.pairs(dem["lon"].to_numpy(float), dem["lat"].to_numpy(float),
                               sup["lon"].to_numpy(float), sup["lat"].to_numpy(float),
                               radius)
    res = fca(to_metric(dem["lon"], dem["lat"], crs), dem["weight"].to_numpy(float),
              to_metric(sup["lon"], sup["lat"], crs), cap, radius=radius, decay=decay,
              sigma=sigma, steps=steps, pairs=pairs)
    dem["accessibility"] = res.accessibility
    sup["ratio"] = res.ratio
    sup["demand_in_reach"] = res.demand_in_reach
    return dem, sup
