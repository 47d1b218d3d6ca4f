"""The public family service finder (Familienwegweiser): a GET form, no JavaScript needed.

Searches the stored offers through the finder service (only published, active offers) by the
child's age, life phase, topic, Stadtteil and a starting point with a distance.  The
starting point is a street address of the stored street directory, a unit name (its inner
point), the street address of a published offer, coordinates ``lat, lon`` or the device's
position (asked for by a button, with the browser's consent); there is no geocoder (no
internet).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kekiz.services.views import finder as views
from kekiz.web.deps import CurrentUser, Lang, Pages, module_page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/finder", response_class=HTMLResponse)
def finder(request: Request, m: Pages, user: CurrentUser, lang: Lang,
           age: str | None = None, phase: str | None = None, topic: str | None = None,
           district: str | None = None, near: str | None = None,
           radius: str | None = None, here: str | None = None) -> HTMLResponse:
    if (empty := module_page(request, m, lang, "finder")) is not None:
        return empty
    return render(request, "finder.html", lang, views.finder(m, lang, age=age, phase=phase,
                                                             topic=topic, district=district,
                                                             near=near, radius=radius,
                                                             here=here == "1"))
