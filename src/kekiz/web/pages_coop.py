"""The cooperation-network page: graph, metrics by sector, brokers, wave comparison.

The graph is drawn here as SVG from the layout the cooperation service
computes (:func:`kekiz.services.coop_layout.cooperation_layout`); no JavaScript library.  A wave
marked synthetic is labelled so on the page, in the graph title and in the credits.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kekiz.services.views import cooperation as views
from kekiz.web.deps import CurrentUser, Lang, Pages, module_page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/cooperation", response_class=HTMLResponse)
def cooperation(request: Request, m: Pages, user: CurrentUser, lang: Lang,
                wave: Annotated[int | None, Query(ge=0, le=1000)] = None,
                compare: Annotated[int | None, Query(ge=0, le=1000)] = None
                ) -> HTMLResponse:
    if (empty := module_page(request, m, lang, "cooperation")) is not None:
        return empty
    return render(request, "cooperation.html", lang, views.cooperation(m, lang, wave=wave,
                                                                       compare=compare))
