"""Charts with axes for reports: trends and funnel plots, drawn as inline SVG by the
shared chart functions of :mod:`kekiz.reporting.svg` (the ones the pages use), with
German number formats in German reports.

Charts are kept under a key made of everything they show (the values, their periods,
labels, language and colour; the last 256): a chart whose data changed gets a new key,
and the same chart in the next report of a batch (or the next run of a report while
the data stay the same) is not drawn again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import pandas as pd
from markupsafe import Markup

from kekiz.i18n import fmt_number
from kekiz.reporting.svg import LINE_COLOURS, FunnelPoint, Series, funnel_chart, line_chart

__all__ = ["clear_charts", "funnel_svg", "trend_svg"]

#: Okabe-Ito colours (distinguishable for colour-blind readers) after the primary colour.
_LINES = [c for c in LINE_COLOURS if c != "#0072b2"]


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
    lines = []
    for name, values in series:
        v = pd.to_numeric(values, errors="coerce").astype(float).sort_index()
        lines.append(Series(name, [(str(p), None if pd.isna(x) else float(x))
                                   for p, x in v.items()]))
    return line_chart(lines, label=label, y_title=y_label, colours=[primary, *_LINES],
                      legend=len(lines) > 1, height=300,
                      fmt=lambda x: fmt_number(float(x), max(decimals, 0), lang))


def funnel_svg(frame: pd.DataFrame, *, label: str, highlight: str | None,
               lang: str) -> Markup:
    """The funnel plot of a frame of :func:`kekiz.network.compare.funnel` as inline SVG
    (:func:`kekiz.reporting.svg.funnel_chart`)."""
    return _kept(("funnel", _digest(frame), label, highlight, lang),
                 lambda: _funnel(frame, label=label, highlight=highlight, lang=lang))


def _funnel(frame: pd.DataFrame, *, label: str, highlight: str | None,
            lang: str) -> Markup:
    f = frame.sort_values("denominator")
    de = lang == "de"
    points = [FunnelPoint(str(u), float(n), float(v), int(o)) for u, n, v, o in zip(
        f["unit_id"], f["denominator"], f["value"], f["outside"], strict=True)]
    limits = list(zip(f["denominator"].astype(float), f["lower_95"].astype(float),
                      f["upper_95"].astype(float), f["lower_998"].astype(float),
                      f["upper_998"].astype(float), strict=True))
    return funnel_chart(points, limits, target=float(f["target"].iloc[0]), label=label,
                        fmt=lambda x: fmt_number(float(x), 1, lang),
                        n_fmt=lambda x: fmt_number(float(x), 0, lang),
                        x_title="Nenner (log. Skala)" if de else "denominator (log scale)",
                        y_title="Anteil in %" if de else "share in %",
                        names=("95 %", "99,8 %" if de else "99.8 %",
                               "Gesamtwert" if de else "overall value"),
                        highlight=highlight)
