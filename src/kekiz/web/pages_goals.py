"""The Leitbild scorecard page: every target of a unit with its status and a chart.

The municipality of the Leitbild by default; its districts (the units of the levels that
level targets name) on choice.  The status rule is the goals service's sentence
(:meth:`Scorecard.rule`).  Charts (actual values, target path, trend forecast with its
95 % interval) are drawn with :mod:`kekiz.reporting.svg`; values come only from published
(usable) observations, as the goals service reads them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kekiz.services.views import goals as views
from kekiz.web.deps import CurrentUser, Lang, Pages, module_page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/goals", response_class=HTMLResponse)
def goals(request: Request, m: Pages, user: CurrentUser, lang: Lang,
          unit: str | None = None, leitbild: str | None = None) -> HTMLResponse:
    if (empty := module_page(request, m, lang, "goals")) is not None:
        return empty
    return render(request, "goals.html", lang, views.goals(m, lang, unit=unit, leitbild=leitbild))
