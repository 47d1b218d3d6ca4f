"""The report of an area from its profile (issue #19): ``/unit/{id}/report.pdf`` and
``/unit/{id}/report.html``, built on demand by the report service (the public report,
through the publication gate) and cached per data version, language and format.

The PDF opens in the browser; the HTML report is a download (it carries its own styles,
which the site's Content-Security-Policy does not allow inline).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from kekiz.web.deps import App, Lang, Pages

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@router.get("/unit/{unit_id}/report.{fmt}")
def unit_report(unit_id: str, fmt: Literal["html", "pdf"], m: Pages, app: App,
                lang: Lang) -> Response:
    unit = m.unit_profile(unit_id).unit  # an unknown unit: 404
    data: bytes = m.cached(("report", unit.id, fmt, lang),
                           lambda: app.reports.render(unit.id, fmt, lang=lang))
    how = "inline" if fmt == "pdf" else "attachment"
    return Response(data, media_type=_MEDIA[fmt], headers={
        "Content-Disposition": f'{how}; filename="kekiz-bericht-{unit.id}.{fmt}"'})
