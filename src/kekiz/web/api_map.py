"""Vector data of the interactive maps: ``/api/v1/map`` and ``/api/v1/places``.

``/map?level=stadtteil&zoom=11`` is a GeoJSON FeatureCollection of a level's areas (id,
name, parent, a label point inside the area, the area's box), simplified for a zoom
bucket: the Douglas-Peucker tolerance is half a screen pixel at the bucket's zoom (Web
Mercator, 256 px tiles); with the rounding of the coordinates to the precision that
tolerance needs, every border stays within one pixel of the true one at that zoom
(tests/web/test_api_map.py), while the state overview loads fewer coordinates.  Layers
are cached per data version, reader scope and bucket.

``/places?q=Chorweiler`` searches the names of the units of every level (and of the
streets of the street directory: ``app.state.streets``, a
:class:`~kekiz.services.views.places.StreetSource`, if set, else the stored one) and
answers each place with its box and a centre point, for the map's search box.

Both read through the read model of the user's audience, which publishes every frame
through the publication gate (:mod:`kekiz.privacy.publish`).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

import numpy as np
import pandas as pd
import shapely
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kekiz.i18n import Translator
from kekiz.services.views.common import cached
from kekiz.services.views.places import (
    Place,
    StoredStreets,
    StreetSource,
    search,
    street_places,
    unit_places,
)
from kekiz.web.api import GEOJSON
from kekiz.web.deps import CurrentUser, Lang, Pages

__all__ = ["ZOOMS", "layer_json", "router", "tolerance", "zoom_bucket"]

router = APIRouter(tags=["Karten / maps"])
#: Zoom buckets of the simplified layers (Web Mercator zoom levels).
ZOOMS = (4, 6, 8, 10, 12, 14, 16)


def zoom_bucket(zoom: float) -> int:
    """The bucket whose layer serves a map at ``zoom``: the finest bucket not finer
    than ``zoom`` (the coarsest one below it)."""
    below = [b for b in ZOOMS if b <= math.floor(zoom)]
    return below[-1] if below else ZOOMS[0]


def tolerance(bucket: int, latitude: float) -> float:
    """Half a pixel at zoom ``bucket`` in degrees, at ``latitude`` (the smaller of the
    longitude and latitude extent of a pixel there)."""
    degrees_per_pixel = 360.0 / (256.0 * 2.0 ** bucket)
    return 0.5 * degrees_per_pixel * math.cos(math.radians(min(abs(latitude), 85.0)))


def _rings(polygon: Any, decimals: int) -> list[list[list[float]]]:
    rings = [shapely.get_exterior_ring(polygon)]
    rings += [shapely.get_interior_ring(polygon, i)
              for i in range(int(shapely.get_num_interior_rings(polygon)))]
    out = []
    for ring in rings:
        coords = np.round(shapely.get_coordinates(ring), decimals)
        keep = np.ones(len(coords), dtype=bool)
        keep[1:] = np.any(np.diff(coords, axis=0) != 0, axis=1)
        coords = coords[keep]
        if len(coords) >= 4:  # a closed ring of at least three corners
            out.append(coords.tolist())
        elif not out:
            return []  # the exterior collapsed at this precision: drop the part
    return out


def geometry_dict(geom: Any, decimals: int) -> dict[str, Any] | None:
    """A (Multi)Polygon as a GeoJSON MultiPolygon with rounded coordinates."""
    if geom is None or shapely.is_empty(geom):
        return None
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) == 3]
    polygons = [r for r in (_rings(p, decimals) for p in parts) if r]
    return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None


def layer_json(shapes: pd.DataFrame, level: str, bucket: int) -> str:
    """The GeoJSON text of a level's areas simplified for zoom ``bucket``."""
    geoms = shapes["geometry"].to_numpy()
    valid = np.array([g is not None and not shapely.is_empty(g) for g in geoms], dtype=bool)
    box = [float(v) for v in shapely.total_bounds(geoms[valid])] if valid.any() else []
    tol = tolerance(bucket, (box[1] + box[3]) / 2 if box else 51.0)
    decimals = max(0, math.ceil(-math.log10(tol / 2)))
    features = []
    if valid.any():
        rows = shapes[valid]
        simple = shapely.simplify(geoms[valid], tol, preserve_topology=True)
        inner = shapely.get_coordinates(shapely.point_on_surface(geoms[valid]))
        bounds = shapely.bounds(geoms[valid])
        for (uid, name, parent), shape, point, bb in zip(
                rows[["id", "name", "parent_id"]].itertuples(index=False, name=None),
                simple, inner, bounds, strict=True):
            features.append({
                "type": "Feature", "id": str(uid),
                "properties": {"id": str(uid), "name": str(name),
                               "parent_id": None if parent is None or parent != parent
                               else str(parent),
                               "label": [round(float(point[0]), 6),
                                         round(float(point[1]), 6)]},
                "bbox": [round(float(v), 6) for v in bb],
                "geometry": geometry_dict(shape, decimals)})
    return json.dumps({"type": "FeatureCollection", "level": level, "zoom": bucket,
                       "tolerance": tol, "bbox": [round(v, 6) for v in box],
                       "features": features}, ensure_ascii=False, separators=(",", ":"))


@router.get("/map", summary="Gebiete einer Ebene als GeoJSON, je Zoomstufe vereinfacht / "
            "areas of a level as GeoJSON, simplified per zoom",
            response_class=Response,
            responses={200: {"content": {GEOJSON: {}}, "description":
                             "FeatureCollection: id, name, parent_id, label (Punkt im "
                             "Gebiet / point inside), bbox; zoom = Stufe der Vereinfachung"}})
def map_layer(request: Request, m: Pages, user: CurrentUser,
              level: Annotated[str, Query(description="Ebene / level, z. B. stadtteil")],
              zoom: Annotated[float, Query(ge=0, le=24, description="Zoomstufe der Karte "
                                           "(Web Mercator) / map zoom")] = 8.0) -> Response:
    m.units_of(level)  # an unknown level is a 404 with the known ones
    bucket = zoom_bucket(zoom)

    def make() -> str:
        return layer_json(m.publish(m.level_shapes(level)), level, bucket)

    text: str = cached(m, ("map-layer", level, bucket, str(user.role)), make)
    version = str(m.data_version())
    etag = f'W/"map-{version}-{level}-{bucket}-{len(text)}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(text, media_type=GEOJSON, headers={
        "ETag": etag, "Cache-Control": "private, max-age=60"})


class PlaceOut(BaseModel):
    id: str
    name: str
    kind: str = Field(description="Ebene des Gebiets (z. B. stadtteil) oder 'street' / "
                      "level of the unit or 'street'")
    kind_name: str
    context: str = Field(description="übergeordnetes Gebiet; bei Straßen deren Gebiete / "
                         "parent unit; for streets their units")
    bbox: list[float] = Field(description="minx, miny, maxx, maxy (EPSG:4326)")
    centre: list[float] = Field(description="lon, lat: ein Punkt im Gebiet / a point inside")
    units: list[str] = Field(default_factory=list, description="Gebiete einer Straße")


class PlacePage(BaseModel):
    query: str
    items: list[PlaceOut]


def street_source(request: Request, m: Pages) -> StreetSource | None:
    """The application's street directory: ``app.state.streets`` if one is configured,
    else the stored one (``kekiz import streets``), else none."""
    source: StreetSource | None = getattr(request.app.state, "streets", None)
    if source is not None:
        return source
    synthetic = m.cached(("streets-synthetic",), m.streets_synthetic)
    if synthetic is None:
        return None
    return StoredStreets(m.street_pairs, bool(synthetic))


Streets = Annotated[StreetSource | None, Depends(street_source)]


def place_index(m: Pages, user: Any, streets: StreetSource | None) -> list[Place]:
    """Every place the reader may find: the units of every level, then the streets."""
    def make() -> list[Place]:
        levels = [e["level"] for e in m.web_catalogue()["levels"]]
        shapes = {lv.id: m.publish(m.level_shapes(lv.id)) for lv in levels}
        units = unit_places(shapes, {lv.id: (lv.name_de, lv.name_en) for lv in levels},
                            {lv.id: int(lv.rank) for lv in levels})
        if streets is None:
            return units
        return units + street_places(streets(), units,
                                     synthetic=bool(getattr(streets, "synthetic", False)))

    key = getattr(streets, "cache_key", id(streets))
    found: list[Place] = cached(m, ("places", key, str(user.role)), make)
    return found


@router.get("/places", response_model=PlacePage,
            summary="Ortssuche: Gebiete aller Ebenen und Straßen / place search")
def places(m: Pages, user: CurrentUser, lang: Lang, streets: Streets,
           q: Annotated[str, Query(min_length=1, max_length=100,
                                   description="Name oder Namensteil; ohne Rücksicht auf "
                                   "Groß-/Kleinschreibung, Umlaute und ß / name or part")],
           level: Annotated[str | None, Query(description="Ebene der Karte: ihre Gebiete "
                                              "zuerst / level shown first")] = None,
           limit: Annotated[int, Query(ge=1, le=50)] = 10) -> PlacePage:
    t = Translator(lang)
    found = search(place_index(m, user, streets), q, limit=limit, prefer=level)
    return PlacePage(query=q, items=[PlaceOut(
        id=p.id, name=p.name, kind=p.kind, kind_name=t.pick(p.kind_name_de, p.kind_name_en),
        context=p.context, bbox=list(p.bbox), centre=list(p.centre), units=list(p.units))
        for p in found])
