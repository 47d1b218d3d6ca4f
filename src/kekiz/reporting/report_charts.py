"""Charts with axes for reports, drawn with matplotlib and inlined as SVG.

Bare :class:`~matplotlib.figure.Figure` objects on the Agg canvas (no pyplot state); text
stays text in the SVG (``svg.fonttype = none``), the output carries no date, and the
XML prologue is removed so the SVG can sit inside HTML.  German tick labels use a
decimal comma.

Drawing a chart costs about a tenth of a second, so the last 256 charts are kept under
a key made of everything they show (the values, their periods, labels, language and
colour): a chart whose data changed gets a new key, and the same chart in the next
report of a batch (or the next run of a report while the data stay the same) is not
drawn again.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import matplotlib
import pandas as pd
from markupsafe import Markup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kekiz.i18n import fmt_number
from kekiz.reporting.funnel import funnel_figure

__all__ = ["clear_charts", "figure_svg", "funnel_svg", "trend_svg"]

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
#: Okabe-Ito colours (distinguishable for colour-blind readers) after the primary colour.
_LINES = ["#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"]
_DASHES = ["-", "--", ":", "-.", "-", "--"]


_CHARTS: OrderedDict[Hashable, Markup] = OrderedDict()
_CHARTS_LOCK = threading.Lock()
_CHARTS_MAX = 256


def _kept(key: Hashable, draw: Callable[[], Markup]) -> Markup:
    with _CHARTS_LOCK:
        found = _CHARTS.get(key)
        if found is not None:
            _CHARTS.move_to_end(key)
            return found
    made = draw()
    with _CHARTS_LOCK:
        _CHARTS[key] = made
        while len(_CHARTS) > _CHARTS_MAX:
            _CHARTS.popitem(last=False)
    return made


def clear_charts() -> None:
    """Forget the kept charts."""
    with _CHARTS_LOCK:
        _CHARTS.clear()


def _digest(frame: pd.DataFrame) -> str:
    """A digest of a frame's columns, index and values."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(list(frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


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
    data = tuple((name, _digest(pd.DataFrame({"v": pd.to_numeric(values, errors="coerce")
                                                    .astype(float)},
                                                   index=[str(p) for p in values.index])))
                 for name, values in series)
    return _kept(("trend", data, label, y_label, decimals, lang, primary),
                 lambda: _trend(series, label=label, y_label=y_label, decimals=decimals,
                                lang=lang, primary=primary))


def _trend(series: Sequence[tuple[str, pd.Series]], *, label: str, y_label: str,
           decimals: int, lang: str, primary: str) -> Markup:
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
    # fixed margins (room for tick labels of up to seven characters and the axis label):
    # tight_layout would draw the figure once more only to measure them
    fig.subplots_adjust(left=0.115, right=0.985, top=0.965, bottom=0.1)
    return figure_svg(fig, label)


def funnel_svg(frame: pd.DataFrame, *, label: str, highlight: str | None,
               lang: str) -> Markup:
    """The funnel plot of :func:`kekiz.reporting.funnel.funnel_figure` as inline SVG."""
    return _kept(("funnel", _digest(frame), label, highlight, lang),
                 lambda: _funnel(frame, label=label, highlight=highlight, lang=lang))


def _funnel(frame: pd.DataFrame, *, label: str, highlight: str | None,
            lang: str) -> Markup:
    title = textwrap.fill(label, 80)
    fig = funnel_figure(frame, highlight=highlight, lang=lang, title=title, tight=False)
    fig.set_size_inches(7.2, 4.2)
    # fixed margins: the title's lines (12 pt) on top, tick and axis labels below and left
    lines = title.count("\n") + 1
    fig.subplots_adjust(left=0.1, right=0.985, bottom=0.12,
                        top=1 - (0.12 + 0.21 * lines) / 4.2)
    return figure_svg(fig, label)
