"""The readable API documentation: Swagger UI at ``/api/docs`` beside the raw OpenAPI
description ``/api/openapi.json``.

Swagger UI is vendored from npm under ``static/vendor/swagger-ui`` (no CDN; the page
works offline) and started by ``static/kekiz-apidocs.js``: no inline script, so the page
runs under the application's Content-Security-Policy like every other.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from kekiz.web.deps import CurrentUser, Lang, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, user: CurrentUser, lang: Lang) -> HTMLResponse:
    return render(request, "api_docs.html", lang, {
        "openapi_url": request.app.openapi_url or "/api/openapi.json"})


@router.get("/api/v1", response_class=JSONResponse)
@router.get("/api/v1/", response_class=JSONResponse)
def api_index(request: Request, user: CurrentUser, lang: Lang) -> JSONResponse:
    """The index of the REST API: every resource with its link and title, and where the
    description and documentation are."""
    links = [{"rel": "self", "href": "/api/v1", "type": "application/json",
              "title": "Index der REST-API" if lang == "de" else "Index of the REST API"},
             {"rel": "service-desc", "href": request.app.openapi_url or "/api/openapi.json",
              "type": "application/vnd.oai.openapi+json;version=3.1", "title": "OpenAPI"},
             {"rel": "service-doc", "href": "/api/docs", "type": "text/html",
              "title": "API-Dokumentation" if lang == "de" else "API documentation"},
             {"rel": "alternate", "href": "/ogcapi", "type": "application/json",
              "title": "OGC API - Features"}]
    paths: dict[str, Any] = request.app.openapi().get("paths", {})
    for path, operations in paths.items():
        get = operations.get("get")
        if not path.startswith("/api/v1/") or not isinstance(get, dict):
            continue
        de, _, en = str(get.get("summary") or path).partition(" / ")
        links.append({"rel": "item", "href": path, "method": "GET",
                      "title": (en or de) if lang == "en" else de,
                      "templated": "{" in path})
    return JSONResponse({"title": "kekiz REST API v1", "links": links})
