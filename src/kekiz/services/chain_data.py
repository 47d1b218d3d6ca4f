"""The stored data of the prevention chain as its analyses read them (issue #5).

:class:`ChainData` is given to the directory, the chain analyses and the family finder:
the stored units, offers, population counts and need measure.  Also the helpers they share
(tables in German Excel conventions, JSON-ready records, offers of a kind, demand points).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kekiz.domain.directory import slug
from kekiz.domain.errors import MethodError, NotFound
from kekiz.domain.jsonable import clean
from kekiz.ingest.boundaries import match_key
from kekiz.prevention.geo import METRIC_CRS, points_in_units
from kekiz.reporting.export import atomic_target
from kekiz.services.base import language
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["NEED_INDICATOR", "PHASE_POPULATION", "ChainData", "demand_points", "kind_label",
           "kind_mask", "parse_point", "records", "write_frame"]

#: Default population indicator (children of the phase's ages) of a life phase.
PHASE_POPULATION = {"0-3": "einwohner_u3", "3-6": "einwohner_3_6", "6-10": "einwohner_6_10"}
#: Stored indicator of need used when present (written by ``kekiz monitor``).
NEED_INDICATOR = "anteil_kinder_u6"
_KIND_WORDS = {
    "kita": ("kita", "kindertagesbetreuung", "kindertagesstaette", "kindergarten",
             "kindertageseinrichtung"),
    "schule": ("schule", "grundschule", "weiterfuehrende-schule", "berufskolleg"),
}


def write_frame(frame: pd.DataFrame, out: Path, lang: str = "de") -> None:
    """CSV in German Excel conventions (``;``, decimal comma) or English, or XLSX;
    column names stay as they are."""
    fd, tmp = atomic_target(out)
    os.close(fd)
    try:
        if out.suffix.lower() == ".xlsx":
            frame.to_excel(tmp, index=False, engine="openpyxl")
        elif lang == "de":
            frame.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        else:
            frame.to_csv(tmp, index=False, encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [clean(r) for r in frame.to_dict("records")]


class ChainData:
    """Units, offers, counts and need of the stored data, for the prevention chain."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def lang(self) -> str:
        return language(self.settings)

    # -- units -------------------------------------------------------------------------
    def default_level(self) -> str:
        counts = self.store.count_units()
        for lv in sorted(self.store.levels(), key=lambda x: -x.rank):
            if counts.get(lv.id):
                return lv.id
        raise MethodError("Im Store sind noch keine Gebiete. Abhilfe: 'kekiz import "
                          "boundaries' (oder 'kekiz demo').",
                          message_en="The store holds no units yet. Fix: 'kekiz import "
                          "boundaries' (or 'kekiz demo').")

    def shapes(self, level: str) -> gpd.GeoDataFrame:
        self.store.level(level)
        frame = self.store.geometries(level)
        frame = frame[frame["geometry"].notna()]
        if frame.empty:
            raise MethodError(f"Auf der Ebene '{level}' gibt es keine Gebiete mit Grenzen. "
                              "Abhilfe: Grenzen importieren oder eine andere Ebene wählen.",
                              message_en=f"Level '{level}' has no units with boundaries.")
        return gpd.GeoDataFrame(frame[["id", "name", "parent_id"]].reset_index(drop=True),
                                geometry=shapely.from_wkb(frame["geometry"].to_numpy()),
                                crs=4326)

    def unit(self, text: str) -> tuple[str, str, str]:
        """(id, name, level) of a unit given by id, key or exact name."""
        try:
            u = self.store.unit(text)
            return u.id, u.name, u.level
        except NotFound:
            pass
        rank = {lv.id: lv.rank for lv in self.store.levels()}
        frame = self.store.units_frame()
        hits = frame[frame["name"].map(lambda n: slug(str(n))) == slug(text)]
        if hits.empty:
            for lv in sorted(rank, key=lambda x: -rank[x]):
                found = match_key(text, self.store.key_index(lv))
                if found:
                    u = self.store.unit(found)
                    return u.id, u.name, u.level
            raise NotFound(f"Gebiet '{text}' nicht gefunden. Bitte Schlüssel oder genauen "
                           "Namen angeben ('kekiz units --level stadtteil' listet sie).",
                           message_en=f"Unit '{text}' not found. Please give its key or "
                           "exact name.")
        best = hits.assign(r=hits["level"].map(rank)).sort_values("r").iloc[-1]
        return str(best["id"]), str(best["name"]), str(best["level"])

    def offers(self, level: str) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
        """Stored offers with ``unit_id`` of ``level`` (NaN outside) and the level's units.
        """
        offers = self.store.load_directory().offers()
        if offers.empty:
            raise MethodError("Im Store sind keine Angebote. Abhilfe: 'kekiz chain import "
                              "DATEI' (oder 'kekiz demo').",
                              message_en="The store holds no offers. Fix: 'kekiz chain "
                              "import FILE' (or 'kekiz demo').")
        shapes = self.shapes(level)
        has = offers["lat"].notna() & offers["lon"].notna()
        units = self.store.units_frame().set_index("id")
        ids = set(shapes["id"])

        def lift(uid: Any) -> Any:
            while isinstance(uid, str) and uid in units.index and uid not in ids:
                uid = units.at[uid, "parent_id"]
            return uid if isinstance(uid, str) and uid in ids else None

        out = offers.copy()
        out["unit_id"] = [lift(u) for u in out["unit_id"]]
        if has.any():
            found = points_in_units(out.loc[has, "lon"], out.loc[has, "lat"], shapes, "id")
            out.loc[has, "unit_id"] = found.to_numpy()
        return out, shapes

    # -- population and need -----------------------------------------------------------
    def counts(self, indicator_ids: tuple[str, ...], level: str, period: str | None
                ) -> tuple[pd.Series, str]:
        """Sum of count indicators per unit in one period (latest common one by default)."""
        frames = [self.store.observations(indicator_id=i, level=level) for i in indicator_ids]
        for ind, f in zip(indicator_ids, frames, strict=True):
            if f.empty:
                self.store.indicator(ind)
                raise MethodError(f"Keine Werte von '{ind}' auf der Ebene '{level}'.",
                                  message_en=f"No values of '{ind}' on level '{level}'.")
        common = set.intersection(*(set(f["period"]) for f in frames))
        if period is None:
            if not common:
                raise MethodError("Die Bevölkerungsangaben haben keinen gemeinsamen Zeitraum.",
                                  message_en="The population counts share no period.")
            period = max(common)
        elif period not in common:
            raise MethodError(f"Zeitraum {period} fehlt; vorhanden: "
                              f"{', '.join(sorted(common))}.",
                              message_en=f"Period {period} missing; present: "
                              f"{', '.join(sorted(common))}.")
        total = None
        for f in frames:
            rows = f[f["period"] == period].set_index("unit_id")
            # a withheld or missing count is unknown: it never feeds a published figure
            part = rows["value"].where(~rows["status"].isin(["missing", "suppressed"]))
            total = part if total is None else total.add(part)
        assert total is not None
        return total.astype("float64"), period

    def need(self, level: str, need_indicator: str | None, period: str | None
              ) -> tuple[pd.Series, dict[str, Any]]:
        """The need measure per unit and its description (which indicator, how made)."""
        ind_id = need_indicator or NEED_INDICATOR
        stored = self.store.observations(indicator_id=ind_id, level=level)
        stored = stored[~stored["status"].isin(["missing", "suppressed"]) &
                        stored["value"].notna()]
        if not stored.empty:
            ind = self.store.indicator(ind_id)
            per = period if period in set(stored["period"]) else max(stored["period"])
            values = stored[stored["period"] == per].set_index("unit_id")["value"]
            how = f" = {ind.definition_de}" if ind.definition_de else ""
            how_en = f" = {ind.definition_en}" if ind.definition_en else how
            if ind_id == NEED_INDICATOR:
                how += (" (aus dem Monitoring); ein Sozialindex je Gebiet liegt nicht vor, der "
                        "Kinderanteil steht für den Bedarf an Angeboten für kleine Kinder")
                how_en += (" (from the monitoring); there is no social index per unit, the "
                           "share of children stands for the need of offers for young "
                           "children")
            return values, {"indicator": ind_id, "name_de": ind.name_de,
                            "name_en": ind.name_en, "unit": ind.unit, "period": per,
                            "how_de": f"gespeicherter Indikator '{ind_id}'{how}",
                            "how_en": f"stored indicator '{ind_id}'{how_en}"}
        if need_indicator is not None and need_indicator != NEED_INDICATOR:
            self.store.indicator(need_indicator)
            raise MethodError(f"Keine Werte von '{need_indicator}' auf der Ebene '{level}'.",
                              message_en=f"No values of '{need_indicator}' on level "
                              f"'{level}'.")
        kids, per = self.counts(("einwohner_u3", "einwohner_3_6"), level, period)
        pop, _ = self.counts(("einwohner",), level, per)
        share = (kids / pop.where(pop > 0) * 100.0).dropna()
        return share, {
            "indicator": NEED_INDICATOR, "unit": "%", "period": per,
            "name_de": "Anteil der Kinder unter 6 Jahren an der Bevölkerung",
            "name_en": "Share of children under 6 in the population",
            "how_de": "berechnet aus den gespeicherten Zählwerten (einwohner_u3 + "
                      "einwohner_3_6) / einwohner × 100; ein Sozialindex je Gebiet liegt "
                      "nicht vor, der Kinderanteil steht für den Bedarf an Angeboten für "
                      "kleine Kinder",
            "how_en": "computed from the stored counts (einwohner_u3 + einwohner_3_6) / "
                      "einwohner × 100; there is no social index per unit, the share of "
                      "children stands for the need of offers for young children"}


def kind_mask(offers: pd.DataFrame, kind: str) -> pd.Series:
    """Offers of a kind: a topic, term or target group names it, or the name holds it."""
    key = slug(kind)
    words = _KIND_WORDS.get(key, (key,))
    labels = [[*a, *b, *c] for a, b, c in
              zip(offers["topics"], offers["terms"], offers["target_groups"], strict=True)]
    hits = [any(slug(str(x)) in words for x in ls) or any(w in slug(str(n)) for w in words)
            for ls, n in zip(labels, offers["name"], strict=True)]
    return pd.Series(hits, index=offers.index, dtype=bool)


def kind_label(kind: str | None, lang: str = "de") -> str:
    if not kind:
        return "Angebote" if lang == "de" else "offers"
    labels = {"kita": ("Kitas", "day-care centres"), "schule": ("Schulen", "schools")}
    pair = labels.get(slug(kind))
    return kind if pair is None else pair[0 if lang == "de" else 1]


def demand_points(shapes: gpd.GeoDataFrame, children: pd.Series, how: str,
                   cell: float) -> pd.DataFrame:
    """Demand points ``unit_id, lat, lon, weight`` (see ``PreventionJobs.coverage``)."""
    inner = shapes.geometry.representative_point()
    units = pd.DataFrame({"unit_id": shapes["id"].to_numpy(), "lat": inner.y.to_numpy(float),
                          "lon": inner.x.to_numpy(float)})
    kids = shapes["id"].map(children).fillna(0.0).to_numpy(float)
    if how == "units":
        return units.assign(weight=kids)
    if how != "grid" or not cell > 0:
        raise MethodError(f"Unbekannte Nachfragepunkte '{how}' (grid oder units).",
                          message_en=f"Unknown demand points '{how}' (grid or units).")
    metric = shapes.to_crs(METRIC_CRS)
    x0, y0, x1, y1 = metric.total_bounds
    xs = np.arange(np.floor(x0 / cell) * cell + cell / 2, x1, cell)
    ys = np.arange(np.floor(y0 / cell) * cell + cell / 2, y1, cell)
    gx, gy = np.meshgrid(xs, ys)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(gx.ravel(), gy.ravel()),
                           crs=METRIC_CRS)
    joined = gpd.sjoin(pts, metric[["id", "geometry"]], predicate="within", how="inner")
    joined = joined[~joined.index.duplicated()]
    wgs = joined.to_crs(4326)
    grid = pd.DataFrame({"unit_id": joined["id"].to_numpy(), "lat": wgs.geometry.y.to_numpy(),
                         "lon": wgs.geometry.x.to_numpy()})
    missing = units[~units["unit_id"].isin(set(grid["unit_id"]))]
    grid = pd.concat([grid, missing], ignore_index=True)
    per_unit = grid.groupby("unit_id")["unit_id"].transform("size").to_numpy(float)
    weight = grid["unit_id"].map(dict(zip(shapes["id"], kids, strict=True))).to_numpy(float)
    return grid.assign(weight=weight / per_unit)


def parse_point(near: str | tuple[float, float]) -> tuple[float, float] | None:
    if isinstance(near, tuple):
        return float(near[0]), float(near[1])
    a, sep, b = near.partition(",")
    if not sep:
        return None
    try:
        return float(a), float(b)
    except ValueError:
        return None

