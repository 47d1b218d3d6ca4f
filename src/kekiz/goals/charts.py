"""Charts of the Leitbild: actual values, target and the trend forecast ("turn the curve").

The x axis is the calendar in years: half-years, quarters, months and days lie at their
start (:mod:`kekiz.goals.series`), so a series may change its rhythm without bending.

:func:`target_chart` draws one target: the observed series, the baseline, the target
(value in the target year, with the path from the baseline to it), and the forecast with
its 95 % prediction band.  :func:`scorecard_chart` draws all targets of a scorecard as
small multiples with their status.  Both return PNG or SVG bytes for the reporting and
web layers.  German labels with a decimal comma by default (``lang="en"`` for English).

Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot state,
no interactive backend); SVG output carries no date and fixed ids, so the same input
gives the same bytes.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kekiz.domain.errors import MethodError
from kekiz.domain.goals import GoalStatus
from kekiz.domain.periods import decimal_time
from kekiz.goals.progress import TargetProgress, forecast_band
from kekiz.i18n import fmt_number

__all__ = ["STATUS_COLOURS", "scorecard_chart", "target_chart"]

STATUS_COLOURS = {GoalStatus.ON_TRACK: "#1a9850", GoalStatus.AT_RISK: "#f59e0b",
                  GoalStatus.OFF_TRACK: "#d73027", GoalStatus.NO_DATA: "#9ca3af"}
_ACTUAL, _TARGET, _FORECAST = "#1f4e79", "#7b3294", "#4d4d4d"

_TEXT = {
    "de": {"actual": "Ist-Werte", "baseline": "Ausgangswert {y}", "target": "Ziel {y}",
           "path": "Zielpfad", "forecast": "Trendprognose", "band": "95-%-Prognoseintervall",
           "year": "Jahr", "status": "Status: {s}", "empty": "keine Werte im Store",
           "synthetic": "Demo – Zielwerte illustrativ"},
    "en": {"actual": "observed", "baseline": "baseline {y}", "target": "target {y}",
           "path": "target path", "forecast": "trend forecast",
           "band": "95% prediction interval", "year": "year", "status": "status: {s}",
           "empty": "no values in the store", "synthetic": "demo – targets illustrative"},
}


def _check(lang: str, fmt: str) -> None:
    if lang not in _TEXT:
        raise MethodError(f"Sprache '{lang}': erwartet de oder en.",
                          message_en=f"Language '{lang}': expected de or en.")
    if fmt not in ("png", "svg"):
        raise MethodError(f"Format '{fmt}': erwartet png oder svg.",
                          message_en=f"Format '{fmt}': expected png or svg.")


def _title(p: TargetProgress, lang: str, width: int) -> str:
    unit = f" ({p.indicator_unit})" if p.indicator_unit else ""
    return textwrap.fill(f"{p.indicator_name(lang)}{unit} – {p.unit_name or p.unit_id}",
                         width=width)


def _draw(ax: Axes, p: TargetProgress, lang: str, *, legend: bool, small: bool) -> None:
    txt = _TEXT[lang]
    t = p.target
    dec = max(p.decimals, 0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_number(v, dec, lang)))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5 if small else 8))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: str(int(v))))
    ax.grid(True, color="#e5e7eb", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if p.forecast is not None:
        band = forecast_band(p.forecast, p.target_time or t.target_year)
        ax.fill_between(band["time"], band["low"], band["high"], color=_FORECAST, alpha=0.15,
                        linewidth=0, label=txt["band"])
        ax.plot(band["time"], band["forecast"], color=_FORECAST, linestyle="--",
                linewidth=1.4, label=txt["forecast"])
    if not p.series.empty:  # every period at its place on the calendar (issue #18)
        ax.plot(p.series["time"], p.series["value"], color=_ACTUAL, marker="o",
                markersize=2.5 if small else 3.5, linewidth=1.6, label=txt["actual"])
    if p.baseline_year is not None and p.baseline_value is not None:
        where = decimal_time(p.baseline_period) if p.baseline_period else p.baseline_year
        shown = p.baseline_period or p.baseline_year
        ax.plot([where, p.target_time or t.target_year], [p.baseline_value, t.target_value],
                color=_TARGET, linestyle=":", linewidth=1.2, label=txt["path"])
        ax.plot([where], [p.baseline_value], marker="s", color=_ACTUAL,
                markersize=5, linestyle="none", label=txt["baseline"].format(y=shown))
    ax.plot([p.target_time or t.target_year], [t.target_value], marker="*", color=_TARGET,
            markersize=12,
            linestyle="none", label=txt["target"].format(y=t.target_year))
    if p.series.empty:
        ax.text(0.5, 0.9, txt["empty"], transform=ax.transAxes, ha="center", va="top",
                color="#6b7280", fontsize=8 if small else 10)
        ax.set_xlim(t.target_year - 10, t.target_year + 1)
    colour = STATUS_COLOURS[p.status]
    ax.set_title(_title(p, lang, 48 if small else 70), fontsize=8 if small else 11,
                 loc="left")
    ax.text(1.0, 1.01, txt["status"].format(s=p.status.label(lang)), transform=ax.transAxes,
            ha="right", va="bottom", fontsize=7 if small else 9, color="white",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": colour, "edgecolor": colour})
    if not small:
        ax.set_xlabel(txt["year"])
    if legend:
        ax.legend(fontsize=7 if small else 8, frameon=False, loc="best")


def _render(fig: Figure, fmt: str) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "kekiz", "svg.fonttype": "none"}):
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buf, format="png", dpi=120, metadata={"Software": None})
    return buf.getvalue()


def target_chart(progress: TargetProgress, *, lang: str = "de", fmt: str = "png",
                 note: str | None = None) -> bytes:
    """One target: actual values, baseline, target path, forecast band; PNG/SVG bytes."""
    _check(lang, fmt)
    fig = Figure(figsize=(7.5, 4.4), layout="constrained")
    ax = fig.add_subplot()
    _draw(ax, progress, lang, legend=True, small=False)
    footer = [progress.reason_en if lang == "en" else progress.reason_de]
    if note:
        footer.append(note)
    fig.supxlabel(textwrap.fill("  ".join(f for f in footer if f), width=150), x=0.01,
                  ha="left", fontsize=7, color="#4b5563")
    return _render(fig, fmt)


def scorecard_chart(rows: Sequence[TargetProgress], *, title: str = "", lang: str = "de",
                    fmt: str = "png", columns: int = 2, note: str | None = None) -> bytes:
    """All targets of a scorecard as small multiples with their status; PNG/SVG bytes."""
    _check(lang, fmt)
    if not rows:
        raise MethodError("Keine Ziele für dieses Gebiet: nichts zu zeichnen.",
                          message_en="No targets for this unit: nothing to draw.")
    cols = max(1, min(columns, len(rows)))
    nrows = math.ceil(len(rows) / cols)
    fig = Figure(figsize=(5.2 * cols, 3.2 * nrows + 0.6), layout="constrained")
    axes: list[Any] = list(fig.subplots(nrows, cols, squeeze=False).ravel())
    for i, (ax, p) in enumerate(zip(axes, rows, strict=False)):
        _draw(ax, p, lang, legend=i == 0, small=True)
    for ax in axes[len(rows):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=12)
    if note:
        fig.supxlabel(note, x=0.01, ha="left", fontsize=7, color="#4b5563")
    return _render(fig, fmt)
