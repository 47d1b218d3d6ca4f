"""OGC API - Features - Part 1: Core, at ``/ogcapi``.

One collection per level that holds units (``kreis``, ``gemeinde``, ``stadtteil`` ...).
A feature is a unit with its geometry (CRS84) and, as properties, its latest published
value of every indicator of the level: ``<indicator>``, ``<indicator>_period`` and
``<indicator>_status`` (the same keys on every feature, ``null`` where there is no value).
``datetime`` restricts the periods considered.  Responses are GeoJSON
(``application/geo+json``) or HTML (``f=html``, or a browser's ``Accept``).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from kekiz.domain.errors import KekizError, NotFound
from kekiz.i18n import Translator
from kekiz.services.views.common import each_row, json_value
from kekiz.web.api import GEOJSON, feature, feature_collection, geometries_json
from kekiz.web.deps import CurrentUser, Lang, Pages, render

__all__ = ["CONFORMANCE", "router"]

router = APIRouter(tags=["OGC API - Features"])
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OPENAPI = "application/vnd.oai.openapi+json;version=3.1"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
MAX_LIMIT = 10000
Format = Annotated[Literal["json", "html"] | None,
                   Query(description="Ausgabeformat / output format: json oder html")]
CollectionId = Annotated[str, Path(description="Ebene / level, z. B. gemeinde")]


class BadRequest(KekizError):
    status = 400


def _check(request: Request, allowed: set[str]) -> None:
    """Unknown query parameters are an error (OGC API - Features, /req/core/query-param-
    unknown)."""
    unknown = sorted(set(request.query_params) - allowed - {"f", "lang"})
    if unknown:
        raise BadRequest(f"Unbekannte Parameter: {', '.join(unknown)}.",
                         message_en=f"Unknown parameters: {', '.join(unknown)}.")


def _html(request: Request, f: str | None) -> bool:
    if f is not None:
        return f == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split("text/html")[0]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _json(body: dict[str, Any], media: str = "application/json") -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type=media)


def _link(href: str, rel: str, kind: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": kind, "title": title}


@router.get("", summary="Landing page", response_class=Response,
            responses={200: {"content": {"application/json": {}, "text/html": {}},
                             "description": "Landing page"}})
def landing(request: Request, m: Pages, user: CurrentUser, lang: Lang,
            f: Format = None) -> Response:
    _check(request, set())
    t = Translator(lang)
    base = _base(request)
    links = [
        _link(f"{base}/ogcapi?f=json", "self" if not _html(request, f) else "alternate",
              "application/json", "JSON"),
        _link(f"{base}/ogcapi?f=html", "alternate" if not _html(request, f) else "self",
              "text/html", "HTML"),
        _link(f"{base}/api/openapi.json", "service-desc", OPENAPI, "OpenAPI"),
        _link(f"{base}/", "service-doc", "text/html", t("site")),
        _link(f"{base}/ogcapi/conformance", "conformance", "application/json",
              t("conformance")),
        _link(f"{base}/ogcapi/collections", "data", "application/json", t("collections")),
    ]
    body = {"title": t("ogc_landing_title"), "description": t("ogc_landing_desc"),
            "links": links}
    if _html(request, f):
        return render(request, "ogc/landing.html", lang, {"body": body})
    return _json(body)


@router.get("/conformance", summary="Conformance classes", response_class=Response,
            responses={200: {"content": {"application/json": {}, "text/html": {}},
                             "description": "conformsTo"}})
def conformance(request: Request, user: CurrentUser, lang: Lang,
                f: Format = None) -> Response:
    _check(request, set())
    body = {"conformsTo": CONFORMANCE}
    if _html(request, f):
        return render(request, "ogc/conformance.html", lang, {"body": body})
    return _json(body)


def _interval(first: str | None, last: str | None) -> list[list[str | None]]:
    def year(p: str | None) -> int | None:
        m = re.match(r"^(\d{4})", p or "")
        return int(m.group(1)) if m else None

    a, b = year(first), year(last)
    return [[f"{a:04d}-01-01T00:00:00Z" if a else None,
             f"{b:04d}-12-31T23:59:59Z" if b else None]]


def _collection(c: dict[str, Any], base: str, t: Translator) -> dict[str, Any]:
    lv = c["level"]
    url = f"{base}/ogcapi/collections/{lv.id}"
    extent: dict[str, Any] = {}
    if c["bbox"]:
        extent["spatial"] = {"bbox": [c["bbox"]], "crs": CRS84}
    if c["first"]:
        extent["temporal"] = {"interval": _interval(c["first"], c["last"]),
                              "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    name = t.pick(lv.name_de, lv.name_en)
    return {
        "id": lv.id, "title": name,
        "description": t("collection_desc", level=name), "extent": extent,
        "itemType": "feature", "crs": [CRS84],
        "links": [
            _link(url, "self", "application/json", name),
            _link(f"{url}?f=html", "alternate", "text/html", name),
            _link(f"{url}/items?f=json", "items", GEOJSON, t("features")),
            _link(f"{url}/items?f=html", "items", "text/html", t("features")),
        ]}


def _find(m: Any, collection_id: str) -> dict[str, Any]:
    for c in m.feature_collections():
        if c["level"].id == collection_id:
            return dict(c)
    raise NotFound(f"Keine Sammlung '{collection_id}'.",
                   message_en=f"No collection '{collection_id}'.")


@router.get("/collections", summary="Collections", response_class=Response,
            responses={200: {"content": {"application/json": {}, "text/html": {}},
                             "description": "Collections"}})
def collections(request: Request, m: Pages, user: CurrentUser, lang: Lang,
                f: Format = None) -> Response:
    _check(request, set())
    t = Translator(lang)
    base = _base(request)
    body = {"links": [_link(f"{base}/ogcapi/collections?f=json", "self", "application/json",
                            t("collections")),
                      _link(f"{base}/ogcapi/collections?f=html", "alternate", "text/html",
                            t("collections"))],
            "collections": [_collection(c, base, t) for c in m.feature_collections()]}
    if _html(request, f):
        return render(request, "ogc/collections.html", lang, {"body": body})
    return _json(body)


@router.get("/collections/{collection_id}", summary="Collection", response_class=Response,
            responses={200: {"content": {"application/json": {}, "text/html": {}},
                             "description": "Collection"}})
def collection(request: Request, collection_id: CollectionId, m: Pages, user: CurrentUser,
               lang: Lang, f: Format = None) -> Response:
    _check(request, set())
    body = _collection(_find(m, collection_id), _base(request), Translator(lang))
    if _html(request, f):
        return render(request, "ogc/collection.html", lang, {"body": body})
    return _json(body)


def _bbox(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    ok = len(values) in (4, 6) and all(v == v and abs(v) != float("inf") for v in values)
    if ok:
        lat = (values[1], values[3]) if len(values) == 4 else (values[1], values[4])
        ok = all(-90 <= v <= 90 for v in lat) and lat[0] <= lat[1]
    if not ok:
        raise BadRequest(f"bbox '{text}': erwartet 4 oder 6 Zahlen, z. B. 6.7,50.8,7.2,51.1.",
                         message_en=f"bbox '{text}': expected 4 or 6 numbers, e.g. "
                         "6.7,50.8,7.2,51.1.")
    return values


_INSTANT = re.compile(r"^(\d{4})(-\d{2}(-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def _years(text: str | None) -> tuple[str | None, str | None]:
    """``datetime`` (instant or interval, RFC 3339) -> (first year, last year)."""
    if text is None:
        return None, None
    parts = text.split("/")
    if len(parts) > 2 or not text:
        parts = ["?"]
    years: list[str | None] = []
    for part in parts:
        if part in ("", "..") and len(parts) == 2:
            years.append(None)
            continue
        m = _INSTANT.match(part)
        if not m:
            raise BadRequest(f"datetime '{text}': erwartet einen Zeitpunkt oder ein "
                             "Intervall nach RFC 3339, z. B. 2017 oder 2010/2015.",
                             message_en=f"datetime '{text}': expected an RFC 3339 instant "
                             "or interval, e.g. 2017 or 2010/2015.")
        years.append(m.group(1))
    if len(years) == 1:
        return years[0], years[0]
    if years[0] and years[1] and years[0] > years[1]:
        raise BadRequest(f"datetime '{text}': Beginn nach Ende.",
                         message_en=f"datetime '{text}': start after end.")
    return years[0], years[1]


Latest = dict[str, dict[str, tuple[Any, str, str]]]


def _latest(values: pd.DataFrame) -> Latest:
    """unit id -> indicator id -> (value, period, status) of a published frame."""
    out: Latest = {}
    for unit, ind, value, period, status in zip(
            values["unit_id"], values["indicator_id"], values["value"], values["period"],
            values["status"], strict=True):
        out.setdefault(str(unit), {})[str(ind)] = (json_value(value), str(period),
                                                   str(status))
    return out


def _properties(unit: Any, latest: Latest, indicators: list[str]) -> dict[str, Any]:
    props: dict[str, Any] = {"name": unit.name, "parent_id": json_value(unit.parent_id)}
    mine = latest.get(str(unit.id), {})
    for ind in indicators:
        value, period, status = mine.get(ind, (None, None, None))
        props[ind] = value
        props[f"{ind}_period"] = period
        props[f"{ind}_status"] = status
    return props


@router.get("/collections/{collection_id}/items", summary="Features",
            response_class=Response,
            responses={200: {"content": {GEOJSON: {}, "text/html": {}},
                             "description": "FeatureCollection"}})
def items(request: Request, collection_id: CollectionId, m: Pages, user: CurrentUser,
          lang: Lang, f: Format = None,
          bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy (CRS84)")] = None,
          limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
          offset: Annotated[int, Query(ge=0)] = 0,
          datetime_: Annotated[str | None, Query(
              alias="datetime", description="Zeitpunkt oder Intervall der Indikatorwerte / "
              "instant or interval of the indicator values, z. B. 2017 oder 2010/2015")]
          = None) -> Response:
    _check(request, {"bbox", "limit", "offset", "datetime"})
    _find(m, collection_id)
    box = _bbox(bbox)
    start, end = _years(datetime_)
    page = m.features(collection_id, bbox=box, limit=limit, offset=offset, start=start,
                      end=end)
    values = m.publish(page.values)
    latest = _latest(values)
    base = _base(request)
    url = f"{base}/ogcapi/collections/{collection_id}/items"
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "f")}

    def page_url(off: int, fmt: str = "json") -> str:
        return f"{url}?{urlencode({**params, 'offset': off, 'f': fmt})}"

    html = _html(request, f)
    links = [_link(page_url(offset, "html" if html else "json"), "self",
                   "text/html" if html else GEOJSON, "self"),
             _link(page_url(offset, "json" if html else "html"), "alternate",
                   GEOJSON if html else "text/html", "alternate"),
             _link(f"{base}/ogcapi/collections/{collection_id}", "collection",
                   "application/json", collection_id)]
    if offset + limit < page.matched:
        links.append(_link(page_url(offset + limit, "html" if html else "json"), "next",
                           "text/html" if html else GEOJSON, "next"))
    if offset > 0:
        links.append(_link(page_url(max(offset - limit, 0), "html" if html else "json"),
                           "prev", "text/html" if html else GEOJSON, "prev"))
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if html:
        rows = [{"id": u.id, "name": u.name,
                 "props": _properties(u, latest, page.indicators)}
                for u in each_row(page.units)]
        return render(request, "ogc/items.html", lang, {
            "collection_id": collection_id, "rows": rows, "links": links,
            "matched": page.matched, "returned": len(rows), "offset": offset})
    shapes = geometries_json(m, collection_id)
    feats = [feature(str(u.id), u.geometry,
                     _properties(u, latest, page.indicators),
                     geometry_json=shapes.get(u.id))
             for u in each_row(page.units)]
    text = feature_collection(feats, {"links": links, "numberMatched": page.matched,
                                      "numberReturned": len(feats), "timeStamp": stamp})
    return Response(text, media_type=GEOJSON)


@router.get("/collections/{collection_id}/items/{feature_id}", summary="Feature",
            response_class=Response,
            responses={200: {"content": {GEOJSON: {}, "text/html": {}},
                             "description": "Feature"}})
def item(request: Request, collection_id: CollectionId,
         feature_id: Annotated[str, Path(description="Gebietsschlüssel / unit id")],
         m: Pages, user: CurrentUser, lang: Lang, f: Format = None,
         datetime_: Annotated[str | None, Query(
             alias="datetime", description="Zeitpunkt oder Intervall der Indikatorwerte / "
             "instant or interval of the indicator values")] = None) -> Response:
    _check(request, {"datetime"})
    _find(m, collection_id)
    start, end = _years(datetime_)
    page = m.features(collection_id, unit_id=feature_id, limit=1, start=start, end=end)
    values = m.publish(page.values)
    u = each_row(page.units)[0]
    props = _properties(u, _latest(values), page.indicators)
    base = _base(request)
    url = f"{base}/ogcapi/collections/{collection_id}/items/{quote(feature_id, safe='')}"
    links = [_link(f"{url}?f=json", "self", GEOJSON, u.name),
             _link(f"{url}?f=html", "alternate", "text/html", u.name),
             _link(f"{base}/ogcapi/collections/{collection_id}", "collection",
                   "application/json", collection_id)]
    if _html(request, f):
        return render(request, "ogc/item.html", lang, {
            "collection_id": collection_id, "unit": u, "props": props, "links": links})
    return Response(feature(str(u.id), u.geometry, props, links), media_type=GEOJSON)
