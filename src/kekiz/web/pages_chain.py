"""The prevention-chain page: matrix, coverage map and need against supply.

One municipality (all units of the level the offers are assigned to, e.g. Köln's
Stadtteile) or one of its units.  Every table passes :func:`publish`; counts of children
that are withheld make the analyses that use them unpublished (a note says why).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kekiz.services.views import chain as views
from kekiz.web.deps import CurrentUser, Lang, Pages, module_page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/chain", response_class=HTMLResponse)
def chain_page(request: Request, m: Pages, user: CurrentUser, lang: Lang,
               unit: str | None = None, phase: str = "3-6",
               measure: str = "offers_per_1000") -> HTMLResponse:
    if (empty := module_page(request, m, lang, "chain")) is not None:
        return empty
    return render(request, "chain.html", lang, views.chain_page(m, lang, unit=unit, phase=phase,
                                                                measure=measure))
