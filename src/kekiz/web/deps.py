"""What every route shares: the application object and the read model for the user, the
language, the templates, JSON helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import Cookie, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kekiz.app import Kekiz
from kekiz.domain.errors import KekizError
from kekiz.i18n import LANGS, Translator, fmt_date, fmt_number, fmt_percent
from kekiz.services.pages import PageService
from kekiz.services.views.common import each_row, records, swatch
from kekiz.services.views.modules import empty_module, modules
from kekiz.web.access import User, current_user

__all__ = [
    "App",
    "CurrentUser",
    "Lang",
    "Pages",
    "each_row",
    "get_app",
    "get_lang",
    "get_pages",
    "module_page",
    "records",
    "render",
    "templates",
]

HERE = Path(__file__).resolve().parent


def get_app(request: Request) -> Kekiz:
    """The application object of the web application."""
    kekiz: Kekiz = request.app.state.kekiz
    return kekiz


def get_pages(request: Request, user: Annotated[User, Depends(current_user)]) -> PageService:
    """The read model of the pages for ``user``: every value it hands out has passed the
    publication gate for the user's audience (role, tenant and own units)."""
    kekiz = get_app(request)
    return kekiz.pages(kekiz.audience(user.account))


def get_lang(request: Request,
             lang: Annotated[str | None, Query(
                 description="Sprache / language: de (Standard) oder en; wird im Cookie "
                 "gemerkt.")] = None,
             kekiz_lang: Annotated[str | None, Cookie(include_in_schema=False)] = None,
             ) -> str:
    """``?lang=`` > cookie > the ``lang`` setting (German by default)."""
    for candidate in (lang, kekiz_lang):
        if candidate in LANGS:
            return str(candidate)
    default = str(request.app.state.settings.lang)
    return default if default in LANGS else "de"


Pages = Annotated[PageService, Depends(get_pages)]
App = Annotated[Kekiz, Depends(get_app)]
Lang = Annotated[str, Depends(get_lang)]
CurrentUser = Annotated[User, Depends(current_user)]


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["ifnone"] = lambda v, d="": d if v is None else v
    return env


templates = Jinja2Templates(env=_env())


def url_with(request: Request, **changes: Any) -> str:
    """The current URL with query parameters changed (``None`` removes one)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for k, v in changes.items():
        if v is None:
            continue
        if isinstance(v, list | tuple):
            params.extend((k, str(x)) for x in v)
        else:
            params.append((k, str(v)))
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


def render(request: Request, name: str, lang: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    t = Translator(lang)
    other = "en" if lang == "de" else "de"
    base = {
        "t": t, "lang": lang, "other_lang": other,
        "switch_url": url_with(request, lang=other),
        "num": lambda v, d=1: fmt_number(v, d, lang),
        "pct": lambda v, d=1: fmt_percent(v, d, lang),
        "date": lambda v: fmt_date(v, lang),
        "path": request.url.path,
        "url_with": lambda **kw: url_with(request, **kw),
        "swatch": swatch,
        "menu": _menu(request),
    }
    response = templates.TemplateResponse(request, name, {**base, **context},
                                          status_code=status_code)
    response.headers["Content-Language"] = lang
    return response


def _menu(request: Request) -> dict[str, bool]:
    """Which modules the menu shows for the reader (all where that cannot be told)."""
    try:
        return modules(get_pages(request, current_user(request)))
    except KekizError:
        return {}


def module_page(request: Request, m: PageService, lang: str,
                module: str) -> HTMLResponse | None:
    """The page saying what would fill ``module`` when it has no data for this reader."""
    if modules(m).get(module, True):
        return None
    return render(request, "empty.html", lang, empty_module(lang, module))
