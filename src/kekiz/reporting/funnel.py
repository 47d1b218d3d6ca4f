"""Funnel plot of a share: each unit against the pooled value with 95 % / 99.8 % limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

__all__ = ["funnel_figure", "write_funnel"]


def _de(x: float, _pos: object = None) -> str:
    return f"{x:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def funnel_figure(frame: pd.DataFrame, *, highlight: str | None = None, lang: str = "de",
                  title: str = "", tight: bool = True) -> Figure:
    """``frame`` as returned by :func:`kekiz.network.compare.funnel`; ``tight=False``
    leaves the margins to the caller (``tight_layout`` draws the figure once more)."""
    fig = Figure(figsize=(8, 5))
    ax = fig.add_subplot()
    f = frame.sort_values("denominator")
    n = f["denominator"].to_numpy(dtype=float)
    for lo, hi, style, label in (("lower_95", "upper_95", "--", "95 %"),
                                 ("lower_998", "upper_998", ":", "99,8 %" if lang == "de"
                                  else "99.8%")):
        ax.plot(n, f[lo], style, color="#555555", linewidth=1, label=label)
        ax.plot(n, f[hi], style, color="#555555", linewidth=1)
    ax.axhline(float(f["target"].iloc[0]), color="#1f4e79", linewidth=1,
               label="Gesamtwert" if lang == "de" else "overall value")
    colors = np.where(f["outside"].to_numpy() != 0, "#c0392b", "#7f8c8d")
    ax.scatter(n, f["value"], s=12, c=colors, alpha=0.8, zorder=3)
    if highlight is not None and highlight in set(f["unit_id"]):
        h = f[f["unit_id"] == highlight].iloc[0]
        ax.scatter([h["denominator"]], [h["value"]], s=80, facecolors="none",
                   edgecolors="#000000", linewidths=1.5, zorder=4)
        ax.annotate(str(highlight), (h["denominator"], h["value"]), xytext=(6, 6),
                    textcoords="offset points", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("Nenner (log. Skala)" if lang == "de" else "denominator (log scale)")
    ax.set_ylabel("Anteil in %" if lang == "de" else "share in %")
    if lang == "de":
        ax.yaxis.set_major_formatter(FuncFormatter(_de))
    ax.set_title(title or ("Funnel-Plot" if lang == "de" else "Funnel plot"))
    ax.legend(loc="upper right", fontsize=8)
    if tight:
        fig.tight_layout()
    return fig


def write_funnel(frame: pd.DataFrame, path: Path, **kwargs: object) -> Path:
    fig = funnel_figure(frame, **kwargs)  # type: ignore[arg-type]
    fig.savefig(path, format=path.suffix.lstrip(".").lower() or "png", dpi=120)
    return path
