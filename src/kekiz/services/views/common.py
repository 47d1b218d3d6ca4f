"""What the view models of the pages share: caches, credits, classes, scatter plots,
rows of published frames."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from kekiz.i18n import fmt_number
from kekiz.reporting.svg import palette, swatch
from kekiz.services.pages import PageService as Pages

__all__ = [
    "Classes",
    "axis_title",
    "cached",
    "credits",
    "quantile_classes",
    "scatter",
    "swatch",
    "withheld_units",
]

def unit_href(unit_id: str) -> str:
    return f"/unit/{quote(str(unit_id), safe='')}"


def cached(m: Pages, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """``make()`` once per data version of the store (see the read model's cache)."""
    return m.cached(key, make)


def credits(m: Pages, kinds: Iterable[str]) -> list[dict[str, Any]]:
    """The stored datasets of these kinds with source and licence (for the page footer)."""
    wanted = set(kinds)
    frame = m.publish(m.sources()["datasets"])
    frame = frame[frame["kind"].isin(wanted)]
    return [{"name": str(r.name), "source": str(r.source or ""),
             "licence": str(r.licence or ""),
             "synthetic": "SYNTHETISCH" in str(r.name).upper(),
             "labelled": str(r.name).upper().startswith("SYNTHETISCH")}
            for r in each_row(frame)]


def withheld_units(m: Pages, level: str, indicator_id: str,
                   period: str) -> dict[str, tuple[str, str]]:
    """unit id -> (reason de, reason en) of the units whose value is withheld."""
    data = m.atlas(level, indicator_id, period)
    units = data.units
    hidden = units[units["status"] == "suppressed"]
    return {str(r.id): (str(r.reason_de or ""), str(r.reason_en or ""))
            for r in each_row(hidden)}


@dataclass
class Classes:
    """Quantile classes of a measure: colour of each unit, legend rows."""

    fill: dict[str, str]
    legend: list[tuple[str, str, int]]


def quantile_classes(values: pd.Series, k: int, decimals: int, lang: str) -> Classes:
    """Up to ``k`` quantile classes (fewer when values repeat); ``values`` by unit id."""
    known = values.dropna().astype(float)
    if known.empty:
        return Classes({}, [])
    qs = np.unique(np.quantile(known.to_numpy(), np.linspace(0, 1, k + 1)))
    if len(qs) < 2:
        qs = np.array([qs[0], qs[0]])
    n = len(qs) - 1
    colours = palette(n, 1)
    idx = np.clip(np.searchsorted(qs, known.to_numpy(), side="right") - 1, 0, n - 1)
    fill = {str(u): colours[int(i)] for u, i in zip(known.index, idx, strict=True)}
    legend = []
    for i in range(n):
        lo, hi = fmt_number(qs[i], decimals, lang), fmt_number(qs[i + 1], decimals, lang)
        last = i == n - 1
        word = ("bis" if last else "bis unter") if lang == "de" else \
            ("to" if last else "to under")
        legend.append((colours[i], f"{lo} {word} {hi}", int((idx == i).sum())))
    return Classes(fill, legend)


#: Width of a character of the 11 px chart text, generously (DejaVu Sans is wide).
CHAR_PX = 11 * 0.6


def axis_title(text: str, room: float) -> list[str]:
    """An axis title in one line, or in two (split at the space nearest the middle)
    when one line would be longer than ``room`` pixels."""
    if len(text) * CHAR_PX <= room or " " not in text.strip():
        return [text]
    words = text.split()
    cut = min(range(1, len(words)),
              key=lambda i: abs(len(" ".join(words[:i])) - len(text) / 2))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _squeeze(line: str, room: float) -> str:
    """``textLength`` for a line that is still longer than ``room``: the glyphs are
    narrowed instead of the text being cut off at the edge of the drawing."""
    if len(line) * CHAR_PX <= room:
        return ""
    return f' textLength="{room:.0f}" lengthAdjust="spacingAndGlyphs"'


def scatter(points: Sequence[tuple[str, float, float, str, str]], *, label: str,
            x_label: str, y_label: str, x_split: float, y_split: float, fmt_x: Any,
            fmt_y: Any, width: int = 620, height: int = 380) -> Markup:
    """Need (x) against supply (y) with the two median lines; one dot per unit.

    ``points``: (title, x, y, fill colour, href).  Every dot is a link with a title.
    """
    pts = [p for p in points if math.isfinite(p[1]) and math.isfinite(p[2])]
    if not pts:
        return Markup("")
    right, top, bottom = 16, 14, 46
    y_lines = axis_title(y_label, height - top - bottom)
    left = 64 + 12 * (len(y_lines) - 1)  # room for a second line of the y title
    pw, ph = width - left - right, height - top - bottom
    x_lines = axis_title(x_label, pw)
    xs = [p[1] for p in pts] + [x_split]
    ys = [p[2] for p in pts] + [y_split]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0

    def px(v: float) -> float:
        return left + (v - x0) / sx * pw

    def py(v: float) -> float:
        return top + ph - (v - y0) / sy * ph

    out = [f'<svg class="chart scatter" viewBox="0 0 {width} {height}" role="group" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title>",
           f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#666666"/>',
           f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" '
           'stroke="#666666"/>',
           f'<line x1="{px(x_split):.1f}" x2="{px(x_split):.1f}" y1="{top}" '
           f'y2="{top + ph}" stroke="#999999" stroke-dasharray="4 3"/>',
           f'<line x1="{left}" x2="{left + pw}" y1="{py(y_split):.1f}" '
           f'y2="{py(y_split):.1f}" stroke="#999999" stroke-dasharray="4 3"/>']
    # the outer ticks are anchored inwards, so that they stay inside the drawing
    for v, anchor in ((x0, "start"), (x_split, "middle"), (x1, "end")):
        out.append(f'<text x="{px(v):.1f}" y="{top + ph + 16}" text-anchor="{anchor}" '
                   f'class="tick">{escape(fmt_x(v))}</text>')
    for v in (y0, y_split, y1):
        out.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end" '
                   f'class="tick">{escape(fmt_y(v))}</text>')
    for i, line in enumerate(x_lines):
        baseline = height - 6 - 12 * (len(x_lines) - 1 - i)
        out.append(f'<text x="{left + pw / 2:.1f}" y="{baseline}" text-anchor="middle" '
                   f'class="tick"{_squeeze(line, pw)}>{escape(line)}</text>')
    for i, line in enumerate(y_lines):
        tx, cy = 12 + 12 * i, top + ph / 2
        out.append(f'<text x="{tx}" y="{cy:.1f}" text-anchor="middle" class="tick" '
                   f'transform="rotate(-90 {tx} {cy:.1f})"{_squeeze(line, ph)}>'
                   f"{escape(line)}</text>")
    for title, x, y, fill, href in pts:
        dot = (f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4.5" fill="{escape(fill)}" '
               f'stroke="#333333" stroke-width="0.6" data-x="{x:.10g}" data-y="{y:.10g}">'
               f"<title>{escape(title)}</title></circle>")
        out.append(f'<a href="{escape(href)}">{dot}</a>' if href else dot)
    out.append("</svg>")
    return Markup("".join(out))


def json_value(v: Any) -> Any:
    """A JSON-safe value: NaN/NA -> None, numpy scalars -> Python, dates -> ISO."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def each_row(frame: pd.DataFrame) -> list[Any]:
    """Rows of a frame as named tuples (attribute access; cells typed ``Any``)."""
    return list(frame.itertuples(index=False))


def series_index(frame: pd.DataFrame) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(unit id, indicator id) -> its published rows as dicts, oldest period first."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    ordered = frame.sort_values(["unit_id", "indicator_id", "period"])
    for rec in records(ordered):
        out.setdefault((str(rec["unit_id"]), str(rec["indicator_id"])), []).append(rec)
    return out


def at_period(rows: list[dict[str, Any]], period: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["period"] == period), None)


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of a published frame as JSON-safe dicts."""
    cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    return [{c: json_value(v) for c, v in zip(cols, row, strict=True)}
            for row in frame[cols].itertuples(index=False, name=None)]
