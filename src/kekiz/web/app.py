"""The web application: pages, REST API and OGC API - Features over the application object.

``create_app(settings, kekiz)`` builds the FastAPI application; ``app_from_env()`` is
the factory ``kekiz serve`` hands to uvicorn (each worker process builds its own app and
store connection from the settings in the environment).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kekiz import __version__
from kekiz.app import Kekiz
from kekiz.domain.errors import KekizError
from kekiz.i18n import COOKIE, LANGS, Translator
from kekiz.settings import Settings, load_settings
from kekiz.web.access import csrf_protect
from kekiz.web.api import router as api_router
from kekiz.web.auth import api_router as auth_api_router
from kekiz.web.auth import router as auth_router
from kekiz.web.cache import ResponseCache
from kekiz.web.deps import HERE, get_lang, render
from kekiz.web.limits import DEFAULT_MAX_UPLOAD, BodyLimit
from kekiz.web.ogc import router as ogc_router
from kekiz.web.pages import router as pages_router
from kekiz.web.pages_more import router as more_pages_router
from kekiz.web.ui_routes import router as ui_router
from kekiz.web.warm import WarmAfterWrites, Warmer

__all__ = ["SECURITY_HEADERS", "app_from_env", "create_app"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(self)",
}


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, and the language
    cookie when a request chose a language with ``?lang=``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        chosen = next((v for v in query.get("lang", []) if v in LANGS), None)

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() not in {k for k, _ in self._headers}]
                headers.extend(self._headers)
                if chosen:
                    headers.append((b"set-cookie", f"{COOKIE}={chosen}; Path=/; "
                                    "Max-Age=31536000; SameSite=Lax; HttpOnly".encode()))
                headers.append((b"vary", b"Cookie"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)


#: Modules some pages import on their first use; a worker imports them before it
#: answers, so that no reader waits for them (issue #17).
WARM = ("kekiz.services.monitoring", "kekiz.services.derived", "kekiz.services.trends",
        "kekiz.analysis.spatial", "kekiz.analysis.priority", "kekiz.analysis.indices",
        "kekiz.storage.cooperation", "kekiz.storage.services")


def _warm_imports() -> None:
    for name in WARM:
        importlib.import_module(name)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api", "/ogcapi"))


def _lang(request: Request) -> str:
    return get_lang(request, request.query_params.get("lang"), request.cookies.get(COOKIE))


def _error(request: Request, status: int, message: str, code: str,
           detail: Any = None) -> Response:
    if _wants_json(request):
        body: dict[str, Any] = {"code": code, "description": message, "status": status}
        if detail is not None:
            body["detail"] = detail
        return JSONResponse(body, status_code=status)
    return render(request, "error.html", _lang(request),
                  {"status": status, "message": message}, status_code=status)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(KekizError)
    async def kekiz_error(request: Request, exc: KekizError) -> Response:
        return _error(request, exc.status, exc.text(_lang(request)), type(exc).__name__)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        t = Translator(_lang(request))
        message = t("not_found") if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, message, "HTTPError")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        de = "Ungültige Anfrage: " if _lang(request) == "de" else "Invalid request: "
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors())
        status = 400 if request.url.path.startswith("/ogcapi") else 422
        return _error(request, status, de + problems, "InvalidParameterValue",
                      detail=[{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))}
                              for e in exc.errors()])


def create_app(settings: Settings | None = None, kekiz: Kekiz | None = None) -> FastAPI:
    """The kekiz web application over ``kekiz`` (made from ``settings`` if not given)."""
    if settings is None:
        settings = kekiz.settings if kekiz is not None else load_settings()
    application = kekiz if kekiz is not None else Kekiz(settings)
    owns_application = kekiz is None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(_warm_imports)
        yield
        await anyio.to_thread.run_sync(warmer.stop, 30.0)
        if owns_application:
            application.close()

    app = FastAPI(
        title="kekiz", version=__version__, lifespan=lifespan,
        description="Sozialräumliches Monitoring „Kein Kind zurücklassen!“: Gebiete, "
        "Indikatoren, Werte, Landesnetzwerk (REST) und OGC API - Features. / Socio-spatial "
        "monitoring: areas, indicators, values, state network (REST) and OGC API - Features.",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
        swagger_ui_oauth2_redirect_url=None, dependencies=[Depends(csrf_protect)])
    app.state.kekiz = application
    app.state.settings = settings
    _install_errors(app)
    app.include_router(pages_router)
    app.include_router(more_pages_router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(auth_router)
    app.include_router(auth_api_router, prefix="/api/v1")
    app.include_router(ogc_router, prefix="/ogcapi")
    app.include_router(ui_router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(ResponseCache)
    warmer = Warmer(application)
    app.state.warmer = warmer
    app.add_middleware(WarmAfterWrites, warmer=warmer)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(BodyLimit, max_bytes=getattr(settings, "max_upload", DEFAULT_MAX_UPLOAD))
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers: settings from the environment (``KEKIZ_*``)."""
    return create_app(load_settings())
