"""The readable API documentation: Swagger UI at ``/api/docs`` beside the raw OpenAPI
description ``/api/openapi.json``.

Swagger UI is vendored from npm under ``static/vendor/swagger-ui`` (no CDN; the page
works offline) and started by ``static/kekiz-apidocs.js``: no inline script, so the page
runs under the application's Content-Security-Policy like every other.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kekiz.web.deps import CurrentUser, Lang, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, user: CurrentUser, lang: Lang) -> HTMLResponse:
    return render(request, "api_docs.html", lang, {
        "openapi_url": request.app.openapi_url or "/api/openapi.json"})
