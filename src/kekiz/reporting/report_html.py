"""Render a report view (:func:`kekiz.reporting.report_model.build_view`) to one
self-contained HTML document: CSS inline, maps and charts as inline SVG, no external
resources, so the file opens offline and prints (and converts) to A4."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kekiz.reporting.report_config import ReportConfig
from kekiz.reporting.report_model import ReportInput, build_view

__all__ = ["render_html", "render_view"]


@cache
def _env() -> Environment:
    folder = str(resources.files("kekiz.reporting") / "templates")
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(
        ["html", "j2"], default_for_string=True), undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)


def _css_text(text: str) -> str:
    """``text`` inside a CSS string: quotes and backslashes escaped, no markup."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            .replace("<", "\\3c ").replace(">", "\\3e "))


def _css(view: dict[str, Any]) -> str:
    css = (resources.files("kekiz.reporting") / "templates" / "report.css").read_text(
        encoding="utf-8")
    colours = view["colours"]
    en = view["lang"] == "en"
    return (css.replace("--primary: #1f4e79", f"--primary: {colours['primary']}")
            .replace("--accent: #c0392b", f"--accent: {colours['accent']}")
            .replace("PAGE_WORD", "Page" if en else "Seite")
            .replace("OF_WORD", "of" if en else "von")
            .replace("FOOTER_TEXT", _css_text(f"{view['title']} · {view['created']}")))


def render_view(view: dict[str, Any]) -> str:
    """The HTML document of a view."""
    return _env().get_template("report.html.j2").render(css=_css(view), **view)


def render_html(inp: ReportInput, cfg: ReportConfig, lang: str = "de") -> str:
    """The HTML document of a report."""
    return render_view(build_view(inp, cfg, lang))
