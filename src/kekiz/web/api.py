"""REST API ``/api/v1``: levels, units, indicators, observations, datasets, members,
reach, funding, atlas GeoJSON and downloads.  Every table passes through
:func:`publish`; suppressed values arrive as ``null`` with status ``suppressed``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

import orjson
import pandas as pd
import shapely
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kekiz.domain.errors import NotFound
from kekiz.domain.model import Indicator, Unit
from kekiz.i18n import Translator
from kekiz.services.views.common import at_period, each_row, json_value, records, series_index
from kekiz.web.deps import CurrentUser, Lang, Pages

__all__ = ["GEOJSON", "feature_collection", "router"]

router = APIRouter(tags=["REST API v1"])
GEOJSON = "application/geo+json"
ProgrammeQ = Annotated[str | None, Query(description="Programm, z. B. „Kein Kind "
                                                      "zurücklassen!“ / programme")]


class LevelOut(BaseModel):
    id: str
    name: str
    name_de: str
    name_en: str
    rank: int
    units: int


class UnitOut(BaseModel):
    id: str
    name: str
    level: str
    parent_id: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    keys: dict[str, str] = Field(default_factory=dict)


class UnitPage(BaseModel):
    number_matched: int
    items: list[UnitOut]


class IndicatorOut(BaseModel):
    id: str
    name: str
    name_de: str
    name_en: str
    definition: str
    unit: str
    polarity: int = Field(description="-1: höher ist ungünstiger / higher is worse; 0; 1")
    sector: str
    life_phase: str
    aggregation: str
    source: str
    licence: str
    update_interval: str
    decimals: int
    periods: dict[str, list[str]] = Field(description="Ebene -> Zeiträume / level -> periods")


class ObservationOut(BaseModel):
    indicator_id: str
    unit_id: str
    name: str | None = None
    level: str | None = None
    period: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    status: str
    lower: float | None = None
    upper: float | None = None
    reason: str | None = None


class ObservationPage(BaseModel):
    number_matched: int
    limit: int
    offset: int
    items: list[ObservationOut]


class DatasetOut(BaseModel):
    id: int | None
    name: str
    kind: str
    revision: int
    licence: str
    source: str
    rows: int
    imported_at: datetime | None = None
    sha256: str = ""


class MemberOut(BaseModel):
    unit_id: str
    name: str
    programme: str
    joined: date
    left: date | None = None
    level: str | None = None


class ReachMember(BaseModel):
    unit_id: str
    name: str
    level: str | None
    joined: str
    children: float
    counted: bool
    note: str


class ReachOut(BaseModel):
    year: int
    age_max: int
    share: float
    children_in_members: float
    children_total: float
    members: list[ReachMember]
    population_source: str
    population_year: str
    estimated: bool
    method: str


class Point(BaseModel):
    period: str
    value: float | None
    status: str


class ProfileIndicator(BaseModel):
    id: str
    name: str
    unit: str
    period: str
    value: float | None
    status: str
    reason: str | None
    parent_value: float | None
    median: float | None
    n: int
    series: list[Point]


class ProfileOut(BaseModel):
    unit: UnitOut
    ancestors: list[UnitOut]
    children: list[UnitOut]
    peers: list[UnitOut]
    memberships: list[dict[str, Any]]
    indicators: list[ProfileIndicator]


def _unit(u: Unit) -> UnitOut:
    return UnitOut(id=u.id, name=u.name, level=u.level, parent_id=u.parent_id,
                   valid_from=u.valid_from, valid_to=u.valid_to, keys=dict(u.keys))


def _indicator(i: Indicator, periods: dict[str, list[str]], t: Translator) -> IndicatorOut:
    return IndicatorOut(
        id=i.id, name=t.pick(i.name_de, i.name_en), name_de=i.name_de, name_en=i.name_en,
        definition=t.pick(i.definition_de, i.definition_en), unit=i.unit,
        polarity=int(i.polarity), sector=str(i.sector), life_phase=str(i.life_phase),
        aggregation=str(i.aggregation), source=i.source, licence=i.licence,
        update_interval=i.update_interval, decimals=int(i.decimals), periods=periods)


def _reason(row: Mapping[Any, Any], lang: str) -> str | None:
    text = row.get("reason_en" if lang == "en" else "reason_de")
    return text or None


@router.get("/levels", response_model=list[LevelOut], summary="Ebenen / levels")
def levels(m: Pages, user: CurrentUser, lang: Lang) -> list[LevelOut]:
    t = Translator(lang)
    return [LevelOut(id=e["level"].id, name=t.pick(e["level"].name_de, e["level"].name_en),
                     name_de=e["level"].name_de, name_en=e["level"].name_en,
                     rank=e["level"].rank, units=e["units"])
            for e in m.web_catalogue()["levels"]]


@router.get("/units", response_model=UnitPage, summary="Gebiete / units")
def units(m: Pages, user: CurrentUser, lang: Lang,
          level: Annotated[str | None, Query(description="Ebene / level")] = None,
          parent: Annotated[str | None, Query(description="Elterngebiet / parent")] = None,
          limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
          offset: Annotated[int, Query(ge=0)] = 0) -> UnitPage:
    found = m.units_of(level, parent)
    return UnitPage(number_matched=len(found),
                    items=[_unit(u) for u in found[offset:offset + limit]])


@router.get("/units/{unit_id}", response_model=UnitOut, summary="Ein Gebiet / one unit")
def unit(unit_id: str, m: Pages, user: CurrentUser, lang: Lang) -> UnitOut:
    return _unit(m.unit_profile(unit_id).unit)


@router.get("/units/{unit_id}/profile", response_model=ProfileOut,
            summary="Gebietsprofil / unit profile")
def profile(unit_id: str, m: Pages, user: CurrentUser, lang: Lang) -> ProfileOut:
    t = Translator(lang)
    p = m.unit_profile(unit_id)
    obs = m.publish(p.observations)
    parent = p.ancestors[0].id if p.ancestors else None
    medians = {(r.indicator_id, r.period): (r.median, int(r.n))
               for r in each_row(p.medians)}
    index = series_index(obs)
    out = []
    for ind in p.indicators:
        mine = index.get((p.unit.id, ind.id))
        if not mine:
            continue
        last = mine[-1]
        par = at_period(index.get((parent or "", ind.id), []), last["period"])
        med, n = medians.get((ind.id, last["period"]), (None, 0))
        out.append(ProfileIndicator(
            id=ind.id, name=t.pick(ind.name_de, ind.name_en), unit=ind.unit,
            period=str(last["period"]), value=last["value"], status=str(last["status"]),
            reason=_reason(last, lang),
            parent_value=par["value"] if par is not None else None,
            median=json_value(med), n=n,
            series=[Point(period=str(r["period"]), value=r["value"], status=str(r["status"]))
                    for r in mine]))
    return ProfileOut(unit=_unit(p.unit), ancestors=[_unit(a) for a in p.ancestors],
                      children=[_unit(c) for c in p.children],
                      peers=[_unit(c) for c in p.peers],
                      memberships=[{k: json_value(v) for k, v in ms.items()}
                                   for ms in p.memberships],
                      indicators=out)


@router.get("/indicators", response_model=list[IndicatorOut],
            summary="Indikatoren / indicators")
def indicators(m: Pages, user: CurrentUser, lang: Lang) -> list[IndicatorOut]:
    t = Translator(lang)
    return [_indicator(e["indicator"], e["periods"], t) for e in m.web_catalogue()["indicators"]]


@router.get("/indicators/{indicator_id}", response_model=IndicatorOut,
            summary="Ein Indikator / one indicator")
def indicator(indicator_id: str, m: Pages, user: CurrentUser, lang: Lang) -> IndicatorOut:
    t = Translator(lang)
    for e in m.web_catalogue()["indicators"]:
        if e["indicator"].id == indicator_id:
            return _indicator(e["indicator"], e["periods"], t)
    raise NotFound(f"Unbekannter Indikator '{indicator_id}'. /api/v1/indicators listet die "
                   "vorhandenen.", message_en=f"Unknown indicator '{indicator_id}'. "
                   "/api/v1/indicators lists the known ones.")


@router.get("/observations", response_model=ObservationPage,
            summary="Werte mit Filtern / observations with filters")
def observations(m: Pages, user: CurrentUser, lang: Lang,
                 indicator: Annotated[str | None, Query(description="Indikator")] = None,
                 unit: Annotated[str | None, Query(description="Gebiet / unit")] = None,
                 level: Annotated[str | None, Query(description="Ebene / level")] = None,
                 period: Annotated[str | None, Query(description="Zeitraum")] = None,
                 limit: Annotated[int, Query(ge=1, le=10000)] = 100,
                 offset: Annotated[int, Query(ge=0)] = 0) -> ObservationPage:
    total, page = m.observations_page(indicator_id=indicator, unit_id=unit, level=level,
                                      period=period, limit=limit, offset=offset)
    rows = records(m.publish(page))
    return ObservationPage(number_matched=total, limit=limit, offset=offset, items=[
        ObservationOut(**{k: v for k, v in r.items() if k in ObservationOut.model_fields},
                       reason=_reason(r, lang)) for r in rows])


@router.get("/datasets", response_model=list[DatasetOut], summary="Datensätze / datasets")
def datasets(m: Pages, user: CurrentUser) -> list[DatasetOut]:
    frame = m.publish(m.sources()["datasets"])
    return [DatasetOut(**{k: v for k, v in r.items() if k in DatasetOut.model_fields})
            for r in records(frame)]


@router.get("/members", response_model=list[MemberOut],
            summary="Mitglieder des Landesnetzwerks / network members")
def members(m: Pages, user: CurrentUser, programme: ProgrammeQ = None) -> list[MemberOut]:
    frame = m.publish(m.network_members(programme))
    return [MemberOut(**{k: v for k, v in r.items() if k in MemberOut.model_fields})
            for r in records(frame)]


@router.get("/reach", response_model=ReachOut,
            summary="Reichweite des Netzwerks / reach of the network")
def reach(m: Pages, user: CurrentUser, lang: Lang,
          year: Annotated[int, Query(ge=1900, le=2200)],
          age_max: Annotated[int, Query(ge=1, le=30)] = 18,
          programme: ProgrammeQ = None) -> ReachOut:
    prog = programme or m.network_programmes()[1]
    r = m.reach(year, age_max, prog)
    rows = records(m.publish(pd.DataFrame(r.members)))
    return ReachOut(
        year=r.year, age_max=r.age_max, share=r.share,
        children_in_members=r.children_in_members, children_total=r.children_total,
        members=[ReachMember(**row) for row in rows],
        population_source=r.population_source_en if lang == "en" else r.population_source_de,
        population_year=str(r.population_year), estimated=bool(r.estimated),
        method=r.method_en if lang == "en" else r.method_de)


@router.get("/funding", summary="Förderung je Jahr / funding per year")
def funding(m: Pages, user: CurrentUser, programme: ProgrammeQ = None,
            year: Annotated[int | None, Query(ge=1900, le=2200)] = None) -> dict[str, Any]:
    prog = programme or m.network_programmes()[1]
    data = m.funding_ledger(prog, year)
    return {"programme": data["programme"],
            "by_year": {str(k): {kk: json_value(vv) for kk, vv in v.items()}
                        for k, v in data["by_year"].items()},
            "by_source": records(m.publish(pd.DataFrame(data["by_source"]))),
            "by_member": records(m.publish(pd.DataFrame(data["by_member"]))),
            "notes": list(data["notes"])}


def feature_collection(features: list[str], extra: dict[str, Any]) -> str:
    """A FeatureCollection as JSON text from pre-serialised features."""
    head = orjson.dumps({"type": "FeatureCollection", **extra}).decode()
    return head[:-1] + ',"features":[' + ",".join(features) + "]}"


def geometries_json(m: Pages, level: str) -> dict[str, str]:
    """Unit id -> GeoJSON geometry text of a level (cached per data version)."""
    def make() -> dict[str, str]:
        shapes = m.level_shapes(level)
        texts = shapely.to_geojson(shapes["geometry"].to_numpy())
        return {str(i): ("null" if g is None else str(t))
                for i, g, t in zip(shapes["id"], shapes["geometry"], texts, strict=True)}

    hit: dict[str, str] = m.cached(("geojson", level), make)
    return hit


def feature(fid: str, geometry: Any, properties: dict[str, Any],
            links: list[dict[str, Any]] | None = None, *, geometry_json: str | None = None
            ) -> str:
    geom = geometry_json if geometry_json is not None else \
        "null" if geometry is None else shapely.to_geojson(geometry)
    body: dict[str, Any] = {"type": "Feature", "id": fid, "properties": properties}
    if links is not None:
        body["links"] = links
    text = orjson.dumps(body).decode()
    return text[:-1] + f',"geometry":{geom}}}'


@router.get("/atlas", summary="Atlas als GeoJSON / atlas as GeoJSON",
            response_class=Response,
            responses={200: {"content": {GEOJSON: {}},
                             "description": "FeatureCollection mit Wert, Klasse, Status"}})
def atlas_geojson(m: Pages, user: CurrentUser, lang: Lang,
                  level: Annotated[str, Query(description="Ebene / level")],
                  indicator: Annotated[str, Query(description="Indikator")],
                  period: Annotated[str | None, Query(description="Zeitraum")] = None,
                  method: Annotated[str, Query(description="standard (wie kekiz monitor "
                                               "classes), quantile9, quantiles, "
                                               "fisher_jenks, equal_interval, "
                                               "std_mean")] = "standard",
                  k: Annotated[int, Query(ge=2, le=9)] = 5) -> Response:
    data = m.atlas(level, indicator, period, method=method, k=k)
    frame = m.publish(data.units)
    shapes = geometries_json(m, data.level.id)
    labels = {e["class"]: e["label_en" if lang == "en" else "label_de"] for e in data.legend}
    feats = []
    for r in each_row(frame):
        klass = None if pd.isna(r.klass) else int(r.klass)
        props = {"id": r.id, "name": r.name, "parent_id": json_value(r.parent_id),
                 "value": json_value(r.value), "status": r.status, "class": klass,
                 "class_label": labels.get(klass) if klass is not None else None,
                 "reason": (r.reason_en if lang == "en" else r.reason_de) or None}
        feats.append(feature(str(r.id), r.geometry, props, geometry_json=shapes.get(r.id)))
    text = feature_collection(feats, {
        "indicator": data.indicator.id, "level": data.level.id, "period": data.period,
        "method": data.method, "legend": data.legend})
    return Response(text, media_type=GEOJSON)


@router.get("/download", summary="Download: CSV, XLSX, GeoJSON, GeoPackage",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}, GEOJSON: {},
                                         "application/geopackage+sqlite3": {},
                                         "application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet": {}},
                             "description": "Datei / file"}})
def download(m: Pages, user: CurrentUser, lang: Lang,
             format: Annotated[Literal["csv", "xlsx", "geojson", "gpkg"],
                               Query(description="csv (Excel, deutsch), xlsx, geojson, "
                                     "gpkg")] = "csv",
             indicator: Annotated[str | None, Query(description="Indikator")] = None,
             level: Annotated[str | None, Query(description="Ebene / level")] = None,
             period: Annotated[str | None, Query(description="Zeitraum")] = None,
             full_precision: Annotated[bool, Query(
                 description="Werte ungerundet (sonst auf die Nachkommastellen des "
                 "Indikators gerundet) / values unrounded")] = False) -> Response:
    content, name, media = m.download(format, indicator_id=indicator, level=level,
                                      period=period, lang=lang,
                                      full_precision=full_precision)
    return Response(content, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/health", summary="Betriebsbereit? / ready?")
def health(m: Pages, user: CurrentUser) -> dict[str, Any]:
    return {"status": "ok", "data_version": m.data_version()}
