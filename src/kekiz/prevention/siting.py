"""Sites for new offers: p-median and maximal covering, and what-if scenarios.

* :func:`p_median`: choose ``p`` sites among candidates so that the demand-weighted
  distance to the nearest open site is smallest.  Solved exactly as a mixed-integer
  programme with HiGHS (``scipy.optimize.milp``) in the strong formulation
  (``x_ij <= y_j`` for every pair; ``y`` binary, ``x`` continuous):
  ``min sum w_i d_ij x_ij`` s.t. ``sum_j x_ij = 1``, ``x_ij <= y_j``,
  ``sum_j y_j = p + |fixed|``.  :func:`greedy_interchange` (greedy start, then
  Teitz-Bart swaps until none improves) is the heuristic for instances too large for the
  MIP; with the MIP its value is reported beside the proven optimum.
* :func:`max_covering`: maximise the demand within ``radius`` of an open site (Church &
  ReVelle 1974): ``max sum w_i z_i`` s.t. ``z_i <= sum_{j: d_ij <= r} y_j``.
* Existing offers stay open (``fixed``); ``p`` always counts *new* sites.  Demand is
  weighted by children and, with :func:`need_weights`, by need.
* :func:`what_if`: add, move or remove an offer and recompute the 2SFCA accessibility;
  :func:`parse_change` reads a change as typed on the command line.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import shortest_path
from scipy.spatial.distance import cdist

from kekiz.domain.directory import new_id, parse_coordinate, parse_life_phase
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number
from kekiz.prevention.coverage import DistanceProvider, accessibility
from kekiz.prevention.geo import METRIC_CRS, to_metric

__all__ = ["Change", "ScenarioResult", "SitingResult", "choose_sites", "greedy_interchange",
           "max_covering", "need_weights", "p_median", "parse_change", "read_orlib_pmed",
           "what_if"]

#: Above this number of assignment variables ``method="auto"`` uses the heuristic.
MAX_MIP_VARIABLES = 250_000


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


@dataclass
class SitingResult:
    """Chosen candidate indices (``chosen``, fixed ones included) and the objective.

    ``objective``: weighted distance (p-median) or covered demand (covering); ``bound``:
    the solver's proven bound (equal to the objective when ``optimal``); ``assignment``:
    the chosen site serving each demand point (p-median); ``covered``: demand points
    within reach (covering); ``heuristic``: the greedy+interchange value for comparison.
    """

    method: str
    chosen: list[int]
    objective: float
    bound: float
    optimal: bool
    seconds: float
    assignment: np.ndarray | None = None
    covered: np.ndarray | None = None
    heuristic: float | None = None
    ids: list[Any] = field(default_factory=list)

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) / abs(self.objective)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "chosen": [int(c) for c in self.chosen],
                "ids": [str(i) for i in self.ids], "objective": self.objective,
                "bound": self.bound, "optimal": self.optimal, "gap": self.gap,
                "seconds": self.seconds, "heuristic": self.heuristic}


def read_orlib_pmed(path: Path) -> tuple[np.ndarray, int]:
    """An OR-Library p-median instance: (all-pairs shortest-path distances, p).

    Format: first line ``n m p``, then ``m`` lines ``i j cost`` (undirected, 1-based; a
    later line for the same edge overrides an earlier one).
    """
    tokens = path.read_text().split()
    n, m, p = int(tokens[0]), int(tokens[1]), int(tokens[2])
    edges: dict[tuple[int, int], float] = {}
    vals = tokens[3:3 + 3 * m]
    for k in range(m):
        i, j, c = int(vals[3 * k]) - 1, int(vals[3 * k + 1]) - 1, float(vals[3 * k + 2])
        edges[(min(i, j), max(i, j))] = c
    rows = [e[0] for e in edges]
    cols = [e[1] for e in edges]
    graph = sparse.csr_matrix((list(edges.values()), (rows, cols)), shape=(n, n))
    return shortest_path(graph, directed=False), p


def _prepare(cost: np.ndarray, p: int, weights: Sequence[float] | np.ndarray | None,
             fixed: Sequence[int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    d = np.asarray(cost, float)
    if d.ndim != 2 or not np.all(np.isfinite(d)):
        raise _err("Die Entfernungsmatrix muss endliche Zahlen enthalten.",
                   "The distance matrix must hold finite numbers.")
    n, m = d.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    fx = sorted({int(f) for f in fixed})
    if len(w) != n or np.any(w < 0):
        raise _err("Ein Gewicht (ab 0) je Nachfragepunkt.", "One weight (>= 0) per demand "
                   "point.")
    if p < 0 or p + len(fx) > m or p + len(fx) == 0 or any(not 0 <= f < m for f in fx):
        raise _err(f"p = {p} neue Standorte passen nicht zu {m} Kandidaten "
                   f"({len(fx)} fest).", f"p = {p} new sites do not fit {m} candidates "
                   f"({len(fx)} fixed).")
    return d, w, fx


def _value(d: np.ndarray, w: np.ndarray, open_: Sequence[int]) -> float:
    return float(w @ d[:, list(open_)].min(axis=1))


def greedy_interchange(cost: np.ndarray, p: int,
                       weights: Sequence[float] | np.ndarray | None = None,
                       fixed: Sequence[int] = ()) -> SitingResult:
    """Greedy adding, then best-improvement swaps (Teitz & Bart 1968) until none helps."""
    start = time.perf_counter()
    d, w, fx = _prepare(cost, p, weights, fixed)
    n = d.shape[0]
    open_ = list(fx)
    cur = d[:, open_].min(axis=1) if open_ else np.full(n, np.inf)
    for _ in range(p):
        totals = (w[:, None] * np.minimum(cur[:, None], d)).sum(axis=0)
        totals[open_] = np.inf
        j = int(np.argmin(totals))
        open_.append(j)
        cur = np.minimum(cur, d[:, j])
    best = _value(d, w, open_)
    improved = True
    while improved and p > 0:
        improved = False
        sub = d[:, open_]
        order = np.argsort(sub, axis=1)
        d1 = sub[np.arange(n), order[:, 0]]
        d2 = sub[np.arange(n), order[:, 1]] if len(open_) > 1 else np.full(n, np.inf)
        move: tuple[float, int, int] = (best, -1, -1)
        for pos, j in enumerate(open_):
            if j in fx:
                continue
            base = np.where(order[:, 0] == pos, d2, d1)
            totals = (w[:, None] * np.minimum(base[:, None], d)).sum(axis=0)
            totals[open_] = np.inf
            k = int(np.argmin(totals))
            if totals[k] < move[0] - 1e-9:
                move = (float(totals[k]), pos, k)
        if move[1] >= 0:
            open_[move[1]] = move[2]
            best = move[0]
            improved = True
    assign = np.asarray(open_)[np.argmin(d[:, open_], axis=1)]
    return SitingResult("greedy+interchange", sorted(open_), best, 0.0, False,
                        time.perf_counter() - start, assignment=assign)


def p_median(cost: np.ndarray, p: int, weights: Sequence[float] | np.ndarray | None = None,
             *, fixed: Sequence[int] = (), method: str = "auto",
             time_limit: float = 120.0) -> SitingResult:
    """The p-median (see the module text); ``method``: ``mip``, ``heuristic`` or ``auto``.
    """
    d, w, fx = _prepare(cost, p, weights, fixed)
    heur = greedy_interchange(d, p, w, fx)
    n, m = d.shape
    if method == "heuristic" or (method == "auto" and n * m > MAX_MIP_VARIABLES):
        return heur
    if method not in ("mip", "auto"):
        raise _err(f"Unbekanntes Verfahren '{method}'.", f"Unknown method '{method}'.")
    start = time.perf_counter()
    nx = n * m
    c = np.concatenate([(w[:, None] * d).ravel(), np.zeros(m)])
    rows = np.repeat(np.arange(n), m)
    assign = sparse.csr_matrix((np.ones(nx), (rows, np.arange(nx))), shape=(n, nx + m))
    k = np.arange(nx)
    link = sparse.csr_matrix(
        (np.concatenate([np.ones(nx), -np.ones(nx)]),
         (np.concatenate([k, k]), np.concatenate([k, nx + k % m]))), shape=(nx, nx + m))
    count = sparse.csr_matrix((np.ones(m), (np.zeros(m, int), nx + np.arange(m))),
                              shape=(1, nx + m))
    lower = np.zeros(nx + m)
    lower[nx + np.asarray(fx, int)] = 1.0
    res = milp(c, constraints=[LinearConstraint(assign, 1, 1),
                               LinearConstraint(link, -np.inf, 0),
                               LinearConstraint(count, p + len(fx), p + len(fx))],
               integrality=np.concatenate([np.zeros(nx), np.ones(m)]),
               bounds=Bounds(lower, np.ones(nx + m)),
               options={"time_limit": time_limit, "disp": False})
    seconds = time.perf_counter() - start
    if res.x is None:
        heur.seconds += seconds
        return heur
    chosen = sorted(int(j) for j in np.flatnonzero(res.x[nx:] > 0.5))
    value = _value(d, w, chosen)
    bound = float(getattr(res, "mip_dual_bound", value) or value)
    optimal = res.status == 0
    if not optimal and heur.objective < value:
        heur.bound, heur.seconds = bound, seconds + heur.seconds
        return heur
    best = np.asarray(chosen)[np.argmin(d[:, chosen], axis=1)]
    return SitingResult("p-median (MIP, HiGHS)", chosen, value, value if optimal else bound,
                        optimal, seconds, assignment=best, heuristic=heur.objective)


def max_covering(cost: np.ndarray, p: int, radius: float,
                 weights: Sequence[float] | np.ndarray | None = None, *,
                 fixed: Sequence[int] = (), time_limit: float = 120.0) -> SitingResult:
    """Maximal covering location (see the module text), solved with HiGHS."""
    d, w, fx = _prepare(cost, p, weights, fixed)
    n, m = d.shape
    start = time.perf_counter()
    reach = sparse.csr_matrix(d <= radius, dtype=float)
    # variables: y (m) then z (n); minimise -w.z
    c = np.concatenate([np.zeros(m), -w])
    cover = sparse.hstack([-reach, sparse.identity(n)]).tocsr()
    count = sparse.csr_matrix(np.concatenate([np.ones(m), np.zeros(n)])[None, :])
    lower = np.zeros(m + n)
    lower[np.asarray(fx, int)] = 1.0
    res = milp(c, constraints=[LinearConstraint(cover, -np.inf, 0),
                               LinearConstraint(count, p + len(fx), p + len(fx))],
               integrality=np.concatenate([np.ones(m), np.zeros(n)]),
               bounds=Bounds(lower, np.ones(m + n)),
               options={"time_limit": time_limit, "disp": False})
    if res.x is None:
        raise _err("Das Abdeckungsproblem wurde nicht gelöst.",
                   "The covering problem was not solved.")
    chosen = sorted(int(j) for j in np.flatnonzero(res.x[:m] > 0.5))
    covered = np.asarray((d[:, chosen] <= radius).any(axis=1), dtype=bool)
    value = float(w[covered].sum())
    bound = -float(getattr(res, "mip_dual_bound", -value) or -value)
    return SitingResult("maximal covering (MIP, HiGHS)", chosen, value,
                        value if res.status == 0 else bound, res.status == 0,
                        time.perf_counter() - start, covered=covered)


def need_weights(children: Sequence[float] | np.ndarray, need: Sequence[float] | np.ndarray,
                 strength: float = 1.0) -> np.ndarray:
    """Demand weights ``children * (1 + strength * (need - min) / (max - min))``: the
    neediest point counts ``1 + strength`` times its children, the least needy once."""
    kids = np.asarray(children, float)
    nd = np.asarray(need, float)
    span = np.nanmax(nd) - np.nanmin(nd) if len(nd) else 0.0
    scaled = np.zeros_like(nd) if span == 0 else (nd - np.nanmin(nd)) / span
    weights: NDArray[Any] = kids * (1.0 + strength * np.nan_to_num(scaled))
    return weights


def choose_sites(demand: pd.DataFrame, candidates: pd.DataFrame, k: int, *,
                 existing: pd.DataFrame | None = None, objective: str = "median",
                 radius: float | None = None, weight: str = "weight",
                 crs: int = METRIC_CRS, method: str = "auto") -> SitingResult:
    """Choose ``k`` new sites among ``candidates`` (``id, lat, lon``) for ``demand``
    (``lat, lon`` and ``weight``); ``existing`` offers (``lat, lon``) stay open.

    ``objective``: ``median`` (least weighted straight-line distance) or ``covering``
    (most demand within ``radius`` metres).
    """
    old = existing if existing is not None else pd.DataFrame(columns=["lat", "lon"])
    old = old[old["lat"].notna() & old["lon"].notna()]
    sites = pd.concat([old[["lat", "lon"]].assign(id=[f"bestand:{i}" for i in
                                                      range(len(old))]),
                       candidates[["id", "lat", "lon"]]], ignore_index=True)
    dist = cdist(to_metric(demand["lon"], demand["lat"], crs),
                 to_metric(sites["lon"], sites["lat"], crs))
    fixed = list(range(len(old)))
    w = demand[weight].to_numpy(float)
    if objective == "covering":
        if radius is None:
            raise _err("Für die Abdeckung bitte einen Radius angeben.",
                       "Please give a radius for covering.")
        res = max_covering(dist, k, radius, w, fixed=fixed)
    elif objective == "median":
        res = p_median(dist, k, w, fixed=fixed, method=method)
    else:
        raise _err(f"Unbekanntes Ziel '{objective}' (median oder covering).",
                   f"Unknown objective '{objective}' (median or covering).")
    res.ids = [sites["id"].iloc[j] for j in res.chosen if j not in fixed]
    return res


# -- what-if ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One change of a scenario: ``add`` (lat, lon, capacity, name, life phases),
    ``move`` (offer_id, lat, lon) or ``remove`` (offer_id)."""

    action: str
    offer_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    capacity: float | None = None
    name: str = ""
    life_phases: tuple[str, ...] = ()

    def text(self, lang: str = "de") -> str:
        """The change in words, e.g. "neu: Kita Ost (50,95, 6,95; 40 Plätze)"."""
        de = lang == "de"
        where = "" if self.lat is None or self.lon is None else \
            f"{fmt_number(self.lat, 5, lang)}, {fmt_number(self.lon, 5, lang)}"
        if self.action == "add":
            cap = "" if self.capacity is None else \
                f"; {fmt_number(self.capacity, 0, lang)} {'Plätze' if de else 'places'}"
            return f"{'neu' if de else 'new'}: {self.name} ({where}{cap})"
        if self.action == "move":
            return f"{'verlegt' if de else 'moved'}: {self.name or self.offer_id} → {where}"
        return f"{'entfernt' if de else 'removed'}: {self.name or self.offer_id}"


def _bad_change(action: str, text: str, expected: str, expected_en: str) -> MethodError:
    example = {"add": '--add "Kita Ost;50.95;6.95;40;3-6"',
               "move": "--move ID:50.95,6.95", "remove": "--remove ID"}[action]
    return _err(f"Änderung --{action} '{text}': erwartet {expected}. Abhilfe: z. B. "
                f"{example}.", f"Change --{action} '{text}': expected {expected_en}. Fix: "
                f"e.g. {example}.")


def _coordinate(action: str, text: str, value: str, what: str, lo: float, hi: float) -> float:
    number = parse_coordinate(value)
    if number is None or not lo <= number <= hi:
        raise _bad_change(action, text, f"{what} in Grad (WGS84, {lo} bis {hi}), nicht "
                          f"'{value}'", f"{what} in degrees (WGS84, {lo} to {hi}), not "
                          f"'{value}'")
    return number


def parse_change(action: str, text: str) -> Change:
    """A change as typed on the command line.

    * ``add``: ``"NAME;LAT;LON[;CAPACITY[;LIFE_PHASES]]"`` (``;``-separated, so decimal
      commas work; life phases comma-separated, e.g. ``0-3,3-6``),
    * ``move``: ``"ID:LAT,LON"`` (decimal points) or ``"ID:LAT;LON"``,
    * ``remove``: ``"ID"`` (an offer id, its unique beginning, or the exact name).
    """
    raw = text.strip()
    if action == "remove":
        if not raw:
            raise _bad_change(action, text, "die Kennung oder den Namen eines Angebots",
                              "the id or name of an offer")
        return Change("remove", raw)
    if action == "move":
        ident, sep, where = raw.rpartition(":")
        parts = [x.strip() for x in where.split(";" if ";" in where else ",")]
        if not sep or not ident.strip() or len(parts) != 2:
            raise _bad_change(action, text, "KENNUNG:BREITE,LÄNGE", "ID:LAT,LON")
        return Change("move", ident.strip(),
                      lat=_coordinate(action, text, parts[0], "Breite", -90, 90),
                      lon=_coordinate(action, text, parts[1], "Länge", -180, 180))
    if action != "add":
        raise _err(f"Unbekannte Änderung '{action}' (add, move, remove).",
                   f"Unknown change '{action}' (add, move, remove).")
    parts = [x.strip() for x in raw.split(";")]
    if len(parts) < 3 or len(parts) > 5 or not parts[0]:
        raise _bad_change(action, text, "NAME;BREITE;LÄNGE[;PLÄTZE[;LEBENSPHASEN]]",
                          "NAME;LAT;LON[;CAPACITY[;LIFE_PHASES]]")
    capacity = None
    if len(parts) > 3 and parts[3]:
        capacity = parse_coordinate(parts[3])
        if capacity is None or capacity < 0:
            raise _bad_change(action, text, f"eine Platzzahl ab 0, nicht '{parts[3]}'",
                              f"a number of places of at least 0, not '{parts[3]}'")
    phases: list[str] = []
    for item in (parts[4].split(",") if len(parts) > 4 and parts[4] else []):
        phase = parse_life_phase(item.strip())
        if phase is None:
            raise _bad_change(action, text, f"Lebensphasen wie 0-3, 3-6, 6-10, nicht "
                              f"'{item.strip()}'", f"life phases such as 0-3, 3-6, 6-10, "
                              f"not '{item.strip()}'")
        phases.append(phase.value)
    return Change("add", None, lat=_coordinate(action, text, parts[1], "Breite", -90, 90),
                  lon=_coordinate(action, text, parts[2], "Länge", -180, 180),
                  capacity=capacity, name=parts[0], life_phases=tuple(phases))


@dataclass
class ScenarioResult:
    """Accessibility per demand point and per unit before and after the changes."""

    demand: pd.DataFrame  # demand with accessibility_before/after/change
    by_unit: pd.DataFrame  # unit_id, before, after, change
    offers: pd.DataFrame  # offers after the changes
    summary_de: list[str]
    summary_en: list[str]


def _apply(offers: pd.DataFrame, changes: Sequence[Change]) -> pd.DataFrame:
    out = offers.copy()
    for n, ch in enumerate(changes):
        if ch.action == "add":
            if ch.lat is None or ch.lon is None:
                raise _err("Ein neues Angebot braucht Koordinaten.",
                           "A new offer needs coordinates.")
            row: dict[str, Any] = {c: None for c in out.columns}
            row.update(offer_id=ch.offer_id or new_id("scenario", n, ch.lat, ch.lon),
                       name=ch.name or "neues Angebot", lat=ch.lat, lon=ch.lon,
                       capacity=ch.capacity, status="active")
            if "life_phases" in out.columns:
                row["life_phases"] = ch.life_phases
            out = pd.concat([out, pd.DataFrame([row]).astype(out.dtypes.to_dict(),
                                                             errors="ignore")],
                            ignore_index=True)
            continue
        hit = out["offer_id"] == ch.offer_id
        if not hit.any():
            raise _err(f"Angebot '{ch.offer_id}' nicht gefunden.",
                       f"Offer '{ch.offer_id}' not found.")
        if ch.action == "remove":
            out = out[~hit].reset_index(drop=True)
        elif ch.action == "move":
            out.loc[hit, ["lat", "lon"]] = [ch.lat, ch.lon]
        else:
            raise _err(f"Unbekannte Änderung '{ch.action}' (add, move, remove).",
                       f"Unknown change '{ch.action}' (add, move, remove).")
    return out


def what_if(offers: pd.DataFrame, demand: pd.DataFrame, changes: Sequence[Change], *,
            radius: float, decay: str = "none", sigma: float | None = None,
            steps: Sequence[tuple[float, float]] | None = None,
            capacity: str | None = "capacity",
            distance: DistanceProvider | None = None) -> ScenarioResult:
    """Recompute 2SFCA/E2SFCA accessibility after adding, moving or removing offers.

    ``distance``: network (or other) distances instead of straight lines.
    """
    kw: dict[str, Any] = {"radius": radius, "decay": decay, "sigma": sigma, "steps": steps,
                          "capacity": capacity, "distance": distance}
    before, _ = accessibility(offers, demand, **kw)
    changed = _apply(offers, changes)
    after, _ = accessibility(changed, demand, **kw)
    dem = demand.copy()
    dem["accessibility_before"] = before["accessibility"].to_numpy()
    dem["accessibility_after"] = after["accessibility"].to_numpy()
    dem["change"] = dem["accessibility_after"] - dem["accessibility_before"]
    units = dem["unit_id"] if "unit_id" in dem else pd.Series(["gesamt"] * len(dem))
    w = dem["weight"].to_numpy(float)
    frame = pd.DataFrame({"unit_id": units.astype(str).to_numpy(), "w": w,
                          "b": dem["accessibility_before"] * w,
                          "a": dem["accessibility_after"] * w})
    sums = frame.groupby("unit_id")[["w", "b", "a"]].sum()
    wsum = sums["w"].where(sums["w"] > 0)
    by_unit = pd.DataFrame({"before": sums["b"] / wsum, "after": sums["a"] / wsum})
    by_unit["change"] = by_unit["after"] - by_unit["before"]
    by_unit = by_unit.reset_index()
    total = w.sum() or 1.0
    mb = float((dem["accessibility_before"] * w).sum() / total)
    ma = float((dem["accessibility_after"] * w).sum() / total)
    zb = float(w[dem["accessibility_before"].to_numpy() == 0].sum() / total)
    za = float(w[dem["accessibility_after"].to_numpy() == 0].sum() / total)
    de = [f"Erreichbarkeit im Mittel: {fmt_number(mb, 3)} vorher, {fmt_number(ma, 3)} "
          f"nachher (je Kind, Radius {fmt_number(radius / 1000, 1)} km).",
          f"Kinder ohne erreichbares Angebot: {fmt_number(zb * 100, 1)} % vorher, "
          f"{fmt_number(za * 100, 1)} % nachher."]
    en = [f"Mean accessibility: {fmt_number(mb, 3, 'en')} before, "
          f"{fmt_number(ma, 3, 'en')} after (per child, radius "
          f"{fmt_number(radius / 1000, 1, 'en')} km).",
          f"Children without an offer in reach: {fmt_number(zb * 100, 1, 'en')}% before, "
          f"{fmt_number(za * 100, 1, 'en')}% after."]
    if len(by_unit) > 1 and by_unit["change"].abs().max() > 0:
        top = by_unit.iloc[int(np.argmax(by_unit["change"].abs().to_numpy()))]
        de.append(f"Größte Änderung in {top['unit_id']}: "
                  f"{fmt_number(float(top['change']), 3, sign=True)}.")
        en.append(f"Largest change in {top['unit_id']}: "
                  f"{fmt_number(float(top['change']), 3, 'en', sign=True)}.")
    return ScenarioResult(dem, by_unit, changed, de, en)
