"""The report of an area from its profile (issue #19): ``/unit/{id}/report.pdf`` and
``/unit/{id}/report.html``, built on demand by the report service (the public report,
through the publication gate, the same for every reader) and kept per data version,
language and format for all readers of the process.

The PDF opens in the browser; the HTML report is a download (it carries its own styles,
which the site's Content-Security-Policy does not allow inline).
"""

from __future__ import annotations

import threading
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from kekiz.web.deps import App, Lang, Pages

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
#: (unit, format, language) -> (data version, report); the public report, so one for all
_BUILT: dict[tuple[str, str, str], tuple[int, bytes]] = {}
_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}
_LOCK = threading.Lock()


@router.get("/unit/{unit_id}/report.{fmt}")
def unit_report(unit_id: str, fmt: Literal["html", "pdf"], m: Pages, app: App,
                lang: Lang) -> Response:
    unit = m.unit_profile(unit_id).unit  # an unknown unit: 404
    key, version = (unit.id, fmt, lang), m.data_version()
    with _LOCK:
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:  # one build per report; other areas' reports are built meanwhile
        hit = _BUILT.get(key)
        if hit is None or hit[0] != version:
            hit = (version, app.reports.render(unit.id, fmt, lang=lang))
            _BUILT[key] = hit
    data = hit[1]
    how = "inline" if fmt == "pdf" else "attachment"
    return Response(data, media_type=_MEDIA[fmt], headers={
        "Content-Disposition": f'{how}; filename="kekiz-bericht-{unit.id}.{fmt}"'})
