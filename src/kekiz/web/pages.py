"""Server-rendered pages: index, atlas, area profile, comparison, state network, sources.

Each handler asks the read model (services/pages.py and its views, where every table
passes the publication gate) and hands plain values to a template.  German first;
``?lang=en`` switches.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kekiz.services.views import pages as views
from kekiz.web.deps import CurrentUser, Lang, Pages, module_page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, m: Pages, user: CurrentUser, lang: Lang) -> HTMLResponse:
    return render(request, "index.html", lang, views.index(m, lang, user))


@router.get("/atlas", response_class=HTMLResponse)
def atlas(request: Request, m: Pages, user: CurrentUser, lang: Lang,
          level: str | None = None, indicator: str | None = None, period: str | None = None,
          method: str = "standard",
          k: Annotated[int, Query(ge=2, le=9)] = 5) -> HTMLResponse:
    return render(request, "atlas.html", lang, views.atlas(m, lang, level=level,
                                                           indicator=indicator, period=period,
                                                           method=method, k=k))


@router.get("/unit/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, unit_id: str, m: Pages, user: CurrentUser,
              lang: Lang) -> HTMLResponse:
    return render(request, "unit.html", lang, views.unit_page(m, lang, unit_id=unit_id))


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, m: Pages, user: CurrentUser, lang: Lang,
            indicator: str | None = None,
            unit: Annotated[list[str] | None, Query()] = None,
            period: str | None = None, level: str | None = None) -> HTMLResponse:
    return render(request, "compare.html", lang, views.compare(m, lang, indicator=indicator,
                                                               unit=unit, period=period,
                                                               level=level))


@router.get("/network", response_class=HTMLResponse)
def network(request: Request, m: Pages, user: CurrentUser, lang: Lang,
            programme: str | None = None,
            year: Annotated[int | None, Query(ge=1900, le=2200)] = None) -> HTMLResponse:
    if (empty := module_page(request, m, lang, "network")) is not None:
        return empty
    return render(request, "network.html", lang, views.network(m, lang, programme=programme,
                                                               year=year))


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, m: Pages, user: CurrentUser, lang: Lang) -> HTMLResponse:
    return render(request, "sources.html", lang, views.sources(m, lang))
