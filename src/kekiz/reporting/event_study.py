"""Event-study chart for a staggered difference-in-differences result.

Draws the dynamic aggregation of :func:`kekiz.analysis.did.estimate_did`: the average
effect by event time (periods since the programme started) with pointwise 95 %
confidence bars, pre-programme values in grey and post-programme values in colour, a
zero line and a dashed line at the programme start.  Labels are German by default
(``lang="en"`` for English); German tick labels use a decimal comma.

The chart is drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas, so it
never touches pyplot's global state or an interactive backend.  It accepts either the
:class:`~kekiz.analysis.did.DidResult` or its ``to_dict()`` form (the JSON written by
``kekiz evaluate did``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kekiz.analysis.did import DidResult
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number

__all__ = ["event_study_figure", "write_event_study"]

#: Normal quantile for the pointwise 95 % bars.
Z95 = 1.959963984540054

_TEXT = {
    "de": {
        "title": "Ereignisstudie: Effekt nach Zeit seit Programmbeginn",
        "x": "Zeit relativ zum Programmbeginn (0 = Startjahr)",
        "y": "Geschätzter Effekt auf {outcome}",
        "y_plain": "Geschätzter Effekt (ATT)",
        "pre": "vor Programmbeginn",
        "post": "nach Programmbeginn",
        "ci": "Balken: 95-%-Konfidenzintervall (punktweise)",
        "overall": "Mittlerer Effekt nach Beginn: {att} (SE {se})",
        "pretest": "Vortest parallele Trends: p = {p}",
        "empty": "Das Ergebnis enthält keine Ereignisstudie (dynamic.by_event fehlt).",
    },
    "en": {
        "title": "Event study: effect by time since programme start",
        "x": "Time relative to programme start (0 = first year)",
        "y": "Estimated effect on {outcome}",
        "y_plain": "Estimated effect (ATT)",
        "pre": "before programme start",
        "post": "after programme start",
        "ci": "Bars: 95 % confidence interval (pointwise)",
        "overall": "Average effect after start: {att} (SE {se})",
        "pretest": "Pre-test parallel trends: p = {p}",
        "empty": "The result holds no event study (dynamic.by_event is missing).",
    },
}


def _num(value: float, lang: str, digits: int = 3) -> str:
    text = fmt_number(value, digits, lang)
    return text.replace("-", "−") if lang == "de" else text


def _points(
    result: DidResult | Mapping[str, Any],
) -> tuple[list[tuple[float, float, float | None]], dict[str, Any]]:
    """``[(event_time, att, se), ...]`` sorted, plus summary fields."""
    if isinstance(result, DidResult):
        points = [(float(e), est.att, est.se) for e, est in result.by_event.items()]
        info: dict[str, Any] = {"outcome": result.outcome, "att": result.dynamic.att,
                                "se": result.dynamic.se, "p": result.pretest_p}
    else:
        dynamic = result.get("dynamic") or {}
        by_event = dynamic.get("by_event") if isinstance(dynamic, Mapping) else None
        if not by_event:
            raise MethodError(_TEXT["de"]["empty"], message_en=_TEXT["en"]["empty"])
        points = [(float(e), float(v["att"]), None if v.get("se") is None else float(v["se"]))
                  for e, v in by_event.items() if v.get("att") is not None]
        method = result.get("method") or {}
        info = {"outcome": method.get("outcome") if isinstance(method, Mapping) else None,
                "att": dynamic.get("att"), "se": dynamic.get("se"),
                "p": result.get("pretest_p")}
    if not points:
        raise MethodError(_TEXT["de"]["empty"], message_en=_TEXT["en"]["empty"])
    return sorted(points), info


def event_study_figure(result: DidResult | Mapping[str, Any], *, lang: str = "de",
                       title: str | None = None, outcome_label: str | None = None,
                       width: float = 8.0, height: float = 4.8) -> Figure:
    """Event-study chart (ATT by event time with 95 % bars) as a matplotlib Figure."""
    lang = "en" if lang == "en" else "de"
    text = _TEXT[lang]
    points, info = _points(result)

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)

    for is_post, color, marker in ((False, "#7f7f7f", "o"), (True, "#1f5fa8", "s")):
        sel = [p for p in points if (p[0] >= 0) == is_post]
        if not sel:
            continue
        xs = [p[0] for p in sel]
        ys = [p[1] for p in sel]
        errs = [Z95 * p[2] if p[2] is not None else 0.0 for p in sel]
        ax.errorbar(xs, ys, yerr=errs, fmt=marker, color=color, ecolor=color,
                    elinewidth=1.6, capsize=4, markersize=6,
                    label=text["post"] if is_post else text["pre"])

    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="#444444", linewidth=0.8, linestyle="--")
    xs_all = [p[0] for p in points]
    if all(float(x).is_integer() for x in xs_all):
        ax.set_xticks(xs_all)
    if lang == "de":
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos: _num(v, lang, 0) if float(v).is_integer() else _num(v, lang, 1)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _num(v, lang, 2)))

    outcome = outcome_label or info.get("outcome")
    ax.set_xlabel(text["x"])
    ax.set_ylabel(text["y"].format(outcome=outcome) if outcome else text["y_plain"])
    ax.set_title(title or text["title"])
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="best", fontsize="small", frameon=False)

    foot = [text["ci"]]
    att, se = info.get("att"), info.get("se")
    if isinstance(att, (int, float)) and math.isfinite(att):
        se_text = _num(float(se), lang) if isinstance(se, (int, float)) else "–"
        foot.append(text["overall"].format(att=_num(float(att), lang), se=se_text))
    p = info.get("p")
    if isinstance(p, (int, float)) and math.isfinite(p):
        foot.append(text["pretest"].format(p=_num(float(p), lang)))
    fig.text(0.01, 0.01, " · ".join(foot), fontsize="x-small", color="#333333",
             ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def write_event_study(result: DidResult | Mapping[str, Any], path: str | Path, *,
                      lang: str = "de", title: str | None = None,
                      outcome_label: str | None = None, dpi: int = 150) -> Path:
    """Write the event-study chart as PNG or SVG (by file suffix); returns the path."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise MethodError(
            f"Dateiendung '{target.suffix}' wird für die Grafik nicht unterstützt; "
            "erlaubt sind .png und .svg.",
            message_en=f"File suffix '{target.suffix}' is not supported for the chart; "
            "use .png or .svg.",
        )
    fig = event_study_figure(result, lang=lang, title=title, outcome_label=outcome_label)
    fig.savefig(target, format=fmt, dpi=dpi)
    return target
