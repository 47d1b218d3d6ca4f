"""Charts with axes for reports, drawn with matplotlib and inlined as SVG.

Bare :class:`~matplotlib.figure.Figure` objects on the Agg canvas (no pyplot state); text
stays text in the SVG (``svg.fonttype = none``), the output carries no date, and the
XML prologue is removed so the SVG can sit inside HTML.  German tick labels use a
decimal comma.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence

import matplotlib
import pandas as pd
from markupsafe import Markup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kekiz.i18n import fmt_number
from kekiz.reporting.funnel import funnel_figure

__all__ = ["figure_svg", "funnel_svg", "trend_svg"]

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
#: Okabe-Ito colours (distinguishable for colour-blind readers) after the primary colour.
_LINES = ["#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"]
_DASHES = ["-", "--", ":", "-.", "-", "--"]


def figure_svg(fig: Figure, label: str) -> Markup:
    """``fig`` as an inline SVG element with an accessible label."""
    FigureCanvasAgg(fig)
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kekiz"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = _PROLOGUE.sub("", buf.getvalue(), count=1)
    text = text.replace("<svg ", f'<svg class="chart" role="img" aria-label="{_attr(label)}" ',
                        1)
    text = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", text, count=1)
    return Markup(text)


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def trend_svg(series: Sequence[tuple[str, pd.Series]], *, label: str, y_label: str,
              decimals: int, lang: str, primary: str) -> Markup:
    """Lines over periods: ``series`` are (name, values indexed by period); ``NaN``
    (withheld or missing) leaves a gap."""
    fig = Figure(figsize=(7.2, 3.2))
    ax = fig.add_subplot()
    colours = [primary, *_LINES]
    for n, (name, values) in enumerate(series):
        s = values.sort_index()
        ax.plot([str(p) for p in s.index], s.to_numpy(dtype=float), _DASHES[n % len(_DASHES)],
                marker="o", markersize=3, color=colours[n % len(colours)], linewidth=1.8,
                label=name)
    ax.set_ylabel(y_label, fontsize=8)
    ax.tick_params(labelsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _p: fmt_number(float(v), max(decimals, 0), lang)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(series) > 1:
        ax.legend(fontsize=7, loc="best", frameon=False)
    fig.tight_layout()
    return figure_svg(fig, label)


def funnel_svg(frame: pd.DataFrame, *, label: str, highlight: str | None,
               lang: str) -> Markup:
    """The funnel plot of :func:`kekiz.reporting.funnel.funnel_figure` as inline SVG."""
    fig = funnel_figure(frame, highlight=highlight, lang=lang,
                        title=textwrap.fill(label, 80))
    fig.set_size_inches(7.2, 4.2)
    return figure_svg(fig, label)
