"""Offers of several sources: units of their places, duplicates, one directory.

:func:`assign_units` sets the unit each location lies in; :func:`find_duplicates` reports
offers that two sources both list (same normalised name within N metres) and
:func:`combine` merges sources without them.  Reading directory files is
:mod:`kekiz.ingest.directory`; adding one offer is :func:`kekiz.domain.offers.add_offer`.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from kekiz.domain.directory import Directory
from kekiz.domain.offers import name_key
from kekiz.prevention.geo import points_in_units, to_metric

__all__ = ["assign_units", "combine", "find_duplicates", "normalise_name"]


def assign_units(d: Directory, units: gpd.GeoDataFrame, id_field: str, *, prefix: str = "",
                 overwrite: bool = False) -> int:
    """Set ``Location.unit_id`` to the unit each location lies in (``prefix`` + id, e.g.
    ``"05315000-"`` for Köln's Stadtteile); returns the number of locations assigned.
    Locations with a unit keep it unless ``overwrite``."""
    todo = [loc for loc in d.locations.values() if loc.latitude is not None and
            loc.longitude is not None and (overwrite or not loc.unit_id)]
    if not todo:
        return 0
    found = points_in_units(np.array([loc.longitude for loc in todo], dtype=float),
                            np.array([loc.latitude for loc in todo], dtype=float), units,
                            id_field)
    n = 0
    for loc, unit in zip(todo, found, strict=True):
        if unit is not None:
            loc.unit_id = f"{prefix}{unit}"
            n += 1
    return n


# == duplicates =============================================================================

_STOP = {"e", "v", "ev", "ggmbh", "gmbh", "ug", "der", "die", "das", "des", "und", "st",
         "staedtische", "staedt", "staedtischer", "kath", "katholische", "evangelische",
         "evang"}
_KITA_WORDS = {"kita", "kindertagesstaette", "kindertageseinrichtung", "kindergarten",
               "kiga", "tagesstaette", "kinderhaus", "kindertagesstatte"}


def normalise_name(name: str) -> str:
    """Name for comparing sources: lower case, umlauts folded, legal forms and articles
    dropped, all words for Kita made ``kita`` (``Städt. Kindergarten Sonnenschein e.V.``
    -> ``kita sonnenschein``)."""
    t = name_key(name).replace("_", " ")
    words = []
    for w in t.split():
        if w in _STOP:
            continue
        words.append("kita" if w in _KITA_WORDS else w)
    return " ".join(words)


def find_duplicates(offers: pd.DataFrame, max_distance_m: float = 50.0, *,
                    crs: int = 25832) -> pd.DataFrame:
    """Pairs of offers with the same normalised name within ``max_distance_m`` metres.

    Columns: ``offer_a, offer_b, name_a, name_b, source_a, source_b, distance_m,
    message_de, message_en`` (``a`` is the earlier row).
    """
    cols = ["offer_a", "offer_b", "name_a", "name_b", "source_a", "source_b", "distance_m",
            "message_de", "message_en"]
    ok = offers["lat"].notna() & offers["lon"].notna()
    frame = offers[ok].reset_index(drop=True)
    if len(frame) < 2:
        return pd.DataFrame(columns=cols)
    xy = to_metric(frame["lon"].to_numpy(), frame["lat"].to_numpy(), crs)
    names = [normalise_name(str(n)) for n in frame["name"]]
    pairs = cKDTree(xy).query_pairs(max_distance_m, output_type="ndarray")
    rows = []
    for i, j in sorted((int(a), int(b)) for a, b in pairs):
        if not names[i] or names[i] != names[j]:
            continue
        a, b = frame.iloc[i], frame.iloc[j]
        dist = float(np.hypot(*(xy[i] - xy[j])))
        de = (f"'{b['name']}' ({b['source'] or 'ohne Quelle'}) ist vermutlich dasselbe "
              f"Angebot wie '{a['name']}' ({a['source'] or 'ohne Quelle'}), "
              f"{dist:.0f} m entfernt")
        en = (f"'{b['name']}' ({b['source'] or 'no source'}) is probably the same offer as "
              f"'{a['name']}' ({a['source'] or 'no source'}), {dist:.0f} m apart")
        rows.append([a["offer_id"], b["offer_id"], a["name"], b["name"], a["source"],
                     b["source"], dist, de, en])
    return pd.DataFrame(rows, columns=cols)


def combine(directories: Sequence[Directory], max_distance_m: float = 50.0
            ) -> tuple[Directory, pd.DataFrame]:
    """Merge sources in order; an offer of a later source that duplicates an earlier
    one is left out (and reported)."""
    merged = Directory()
    reported = []
    for d in directories:
        if merged.services:
            before = merged.offers()
            incoming = d.offers()
            both = pd.concat([before.assign(_new=False), incoming.assign(_new=True)],
                             ignore_index=True)
            dups = find_duplicates(both, max_distance_m)
            new_ids = set(incoming["offer_id"])
            old_ids = set(before["offer_id"])
            dups = dups[dups["offer_a"].isin(old_ids) & dups["offer_b"].isin(new_ids)]
            skip = set(incoming.loc[incoming["offer_id"].isin(dups["offer_b"]), "service_id"])
            part = Directory()
            part.update(d)
            for sid in skip:
                part.remove_service(sid)
            merged.update(part)
            reported.append(dups)
        else:
            merged.update(d)
    cols = find_duplicates(pd.DataFrame(columns=["lat", "lon"])).columns
    out = pd.concat(reported, ignore_index=True) if reported else pd.DataFrame(columns=cols)
    return merged, out
