"""Map classification through mapclassify, with German legend labels.

Methods (registered by name in :data:`CLASSIFIERS`): ``quantiles``, ``fisher_jenks``
(natural breaks, alias ``natural_breaks``), ``equal_interval``, ``std_mean`` (breaks at
mean + multiples of the sample standard deviation, as mapclassify) and ``manual``.
mapclassify finds the breaks; :func:`classify` assigns every value to a class with one
closure rule for all methods, optionally puts exact zeros into a class of their own, and
writes the legend in German number format (``"1,5 bis unter 3,0"``) and in English.

Closure: ``closed="left"`` (default, the German "von ... bis unter ..." convention) puts a
value equal to a break into the upper class; ``closed="right"`` (mapclassify's own rule)
into the lower one.  For the data-driven methods (quantiles, Fisher-Jenks) the breaks are placed
so that both closures give mapclassify's classes: with ``"left"`` the break is the smallest
value of the upper class.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mapclassify
import numpy as np
import pandas as pd

from kekiz.analysis.indices import quantile_type9
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_K",
    "DEFAULT_METHOD",
    "MAP_METHODS",
    "Classification",
    "classify",
    "map_classes",
    "register_classifier",
    "stored_or_default_classes",
]

#: The one default scheme of every indicator map (``kekiz monitor classes``, the atlas,
#: the report maps and the index classes): type-9 quantiles as the GISD, five classes.
DEFAULT_METHOD = "quantile9"
DEFAULT_K = 5


@dataclass(frozen=True)
class Classification:
    """The result of :func:`classify`.

    Attributes
    ----------
    method, params:
        Registered name and the parameters used (``k`` as asked for).
    bins:
        Upper bound of every non-zero class, mapclassify style: the breaks followed by the
        maximum value.
    breaks:
        The ``k - 1`` inner break points between the non-zero classes.
    minimum:
        The smallest classified (non-zero) value.
    classes:
        Class per input value (same index): 1..k; 0 for exact zeros when ``zero_class``;
        ``<NA>`` for missing values.
    class_ids, labels, labels_en, counts:
        One entry per class in legend order (the zero class first): class number, German
        and English legend label, number of values.
    closed:
        ``"left"`` (``a <= x < b``) or ``"right"`` (``a < x <= b``).
    notes, notes_en:
        Adjustments made (fewer classes than asked for, breaks outside the data).
    """

    method: str
    params: Mapping[str, Any]
    bins: tuple[float, ...]
    breaks: tuple[float, ...]
    minimum: float
    classes: pd.Series
    class_ids: tuple[int, ...]
    labels: tuple[str, ...]
    labels_en: tuple[str, ...]
    counts: tuple[int, ...]
    closed: str
    notes: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of classes without the zero class."""
        return len(self.bins)

    def legend(self, lang: str = "de") -> list[tuple[int, str, int]]:
        """``(class, label, count)`` per class in legend order."""
        labels = self.labels_en if lang == "en" else self.labels
        return list(zip(self.class_ids, labels, self.counts, strict=True))

    def label_of(self, lang: str = "de") -> pd.Series:
        """The legend label of every value (``"keine Angabe"`` / ``"no data"`` if missing)."""
        labels = dict(zip(self.class_ids, self.labels_en if lang == "en" else self.labels,
                          strict=True))
        empty = "no data" if lang == "en" else "keine Angabe"
        return pd.Series([empty if pd.isna(c) else labels[int(c)] for c in self.classes],
                         index=self.classes.index, dtype=object)


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


# A break finder: (sorted distinct-aware values, k, options, closed) -> inner breaks.
BreakFinder = Callable[[np.ndarray, int, Mapping[str, Any], str], np.ndarray]
#: Registered classification methods by name.
CLASSIFIERS: dict[str, BreakFinder] = {}


def register_classifier(*names: str) -> Callable[[BreakFinder], BreakFinder]:
    """Register a break finder under one or more names."""
    def deco(fn: BreakFinder) -> BreakFinder:
        for name in names:
            CLASSIFIERS[name] = fn
        return fn
    return deco


def _quiet(build: Callable[[], Any]) -> Any:
    """Run a mapclassify constructor, silencing only its two known, handled warnings:
    fewer classes than asked for (we report it in ``notes``) and the pure-Python fallback
    of Fisher-Jenks when numba is not installed (correct, only slower)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Not enough unique values",
                                category=UserWarning)
        warnings.filterwarnings("ignore", message="Numba not installed",
                                category=UserWarning)
        return build()


def _snap(upper: np.ndarray, y: np.ndarray, closed: str) -> np.ndarray:
    """mapclassify's classes are ``a < x <= b``; for ``closed="left"`` use the smallest
    value above each break instead, so that both closures keep mapclassify's classes."""
    if closed == "right":
        return upper
    ys = np.sort(y)
    pos = np.searchsorted(ys, upper, side="right")
    return np.array([ys[p] for p in pos if p < ys.size], dtype=float)


@register_classifier("quantiles")
def _quantiles(y: np.ndarray, k: int, _: Mapping[str, Any], closed: str) -> np.ndarray:
    upper = np.asarray(_quiet(lambda: mapclassify.Quantiles(y, k=k)).bins[:-1], dtype=float)
    return _snap(upper, y, closed)


@register_classifier("equal_interval")
def _equal_interval(y: np.ndarray, k: int, _: Mapping[str, Any], closed: str) -> np.ndarray:
    return np.asarray(mapclassify.EqualInterval(y, k=k).bins[:-1], dtype=float)


@register_classifier("fisher_jenks", "natural_breaks")
def _fisher_jenks(y: np.ndarray, k: int, _: Mapping[str, Any], closed: str) -> np.ndarray:
    upper = np.asarray(_quiet(lambda: mapclassify.FisherJenks(y, k=k)).bins[:-1], dtype=float)
    return _snap(upper, y, closed)


@register_classifier("std_mean")
def _std_mean(y: np.ndarray, k: int, options: Mapping[str, Any], closed: str) -> np.ndarray:
    multiples = list(options.get("multiples", (-2, -1, 1, 2)))
    clf = mapclassify.StdMean(y, multiples=multiples)
    return np.asarray(clf.bins[: len(multiples)], dtype=float)


@register_classifier("manual")
def _manual(y: np.ndarray, k: int, options: Mapping[str, Any], closed: str) -> np.ndarray:
    breaks = np.asarray(list(options["breaks"]), dtype=float)
    return breaks


def classify(values: pd.Series | Sequence[float] | np.ndarray, method: str = "quantiles",
             k: int = 5, *, breaks: Iterable[float] | None = None,
             multiples: Sequence[float] = (-2, -1, 1, 2), zero_class: bool = False,
             closed: str = "left", decimals: int = 1,
             open_ends: bool | None = None) -> Classification:
    """Classify ``values`` for a map legend.

    ``method``: one of :data:`CLASSIFIERS`; ``k``: number of classes (not for ``manual``
    and ``std_mean``); ``breaks``: inner break points for ``manual`` (increasing);
    ``multiples``: standard deviations for ``std_mean``; ``zero_class``: exact zeros form
    class 0 with the label ``"0"`` and the other values are classified among themselves;
    ``decimals``: digits in the labels; ``open_ends``: label the outer classes ``"unter
    a"`` / ``"b und mehr"`` instead of with the data's minimum and maximum (default: only
    for ``manual``).
    """
    if method not in CLASSIFIERS:
        raise _err(f"Unbekanntes Klassifizierungsverfahren '{method}'. Erwartet: eines von "
                   f"{sorted(CLASSIFIERS)}.",
                   f"Unknown classification method '{method}'. Expected one of "
                   f"{sorted(CLASSIFIERS)}.")
    if closed not in ("left", "right"):
        raise _err(f"closed={closed!r}: erwartet 'left' (bis unter) oder 'right'.",
                   f"closed={closed!r}: expected 'left' or 'right'.")
    series = _as_series(values)
    valid = series.dropna()
    mask_zero = (valid == 0) if zero_class else pd.Series(False, index=valid.index)
    y = valid[~mask_zero].to_numpy(dtype=float)
    options: dict[str, Any] = {"multiples": tuple(multiples)}
    notes: list[tuple[str, str]] = []
    if method == "manual":
        if breaks is None:
            raise _err("Für manuelle Klassengrenzen fehlen die Grenzen (breaks=[...]).",
                       "Manual classification needs the break points (breaks=[...]).")
        options["breaks"] = _check_breaks(breaks)
        k = len(options["breaks"]) + 1
    elif method != "std_mean" and k < 1:
        raise _err(f"Anzahl der Klassen k={k}: erwartet mindestens 1.",
                   f"Number of classes k={k}: expected at least 1.")
    cuts = _find_breaks(method, y, k, options, closed, notes)
    classes = pd.Series(pd.NA, index=series.index, dtype="Int64")
    if y.size:
        pos = (np.searchsorted(cuts, y, side="right") if closed == "left"
               else np.searchsorted(cuts, y, side="left"))
        classes[valid.index[~mask_zero.to_numpy()]] = 1 + pos
    if zero_class:
        classes[valid.index[mask_zero.to_numpy()]] = 0
    lo = float(y.min()) if y.size else math.nan
    hi = float(y.max()) if y.size else math.nan
    ends = (method == "manual") if open_ends is None else open_ends
    ids, de, en = _legend(cuts, lo, hi, closed, decimals, ends, zero_class)
    counts = tuple(int((classes == i).sum()) for i in ids)
    params = {"k": k, "breaks": list(options.get("breaks", [])), "multiples": list(multiples),
              "zero_class": zero_class, "closed": closed, "decimals": decimals}
    bins = (*map(float, cuts), hi) if y.size else tuple(map(float, cuts))
    return Classification(method, params, bins, tuple(map(float, cuts)),
                          lo, classes, ids, de, en, counts, closed,
                          tuple(n[0] for n in notes), tuple(n[1] for n in notes))


def _as_series(values: pd.Series | Sequence[float] | np.ndarray) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    if series.isna().all():
        series = series.astype(float)
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        sample = next((v for v in series.tolist() if not pd.isna(v)), None)
        raise _err(f"Werte sind nicht numerisch (z. B. {sample!r}). Erwartet: Zahlen.",
                   f"Values are not numeric (e.g. {sample!r}). Expected numbers.")
    series = series.astype(float)
    if np.isinf(series.to_numpy()).any():
        raise _err("Werte enthalten unendlich. Erwartet: endliche Zahlen.",
                   "Values contain infinity. Expected finite numbers.")
    return series


def _check_breaks(breaks: Iterable[float]) -> tuple[float, ...]:
    out = tuple(float(b) for b in breaks)
    if not out or any(not math.isfinite(b) for b in out) or list(out) != sorted(set(out)):
        raise _err(f"Klassengrenzen {list(out)}: erwartet endliche, streng aufsteigende Zahlen.",
                   f"Breaks {list(out)}: expected finite, strictly increasing numbers.")
    return out


def _find_breaks(method: str, y: np.ndarray, k: int, options: Mapping[str, Any], closed: str,
                 notes: list[tuple[str, str]]) -> np.ndarray:
    if method == "manual":
        return np.asarray(options["breaks"], dtype=float)
    distinct = np.unique(y).size
    if method != "std_mean" and 0 < distinct < k:
        what = "verschiedener Wert" if distinct == 1 else "verschiedene Werte"
        notes.append((f"Nur {distinct} {what}: {distinct} statt {k} Klassen.",
                      f"Only {distinct} distinct value(s): {distinct} instead of {k} classes."))
        k = distinct
    if distinct <= 1:
        return np.array([], dtype=float)
    cuts = CLASSIFIERS[method](y, k, options, closed)
    lo, hi = y.min(), y.max()
    keep = (cuts > lo) & (cuts <= hi) if closed == "left" else (cuts >= lo) & (cuts < hi)
    inside = np.unique(cuts[keep])
    if method != "std_mean" and inside.size < k - 1:
        notes.append((f"Wegen gleicher Werte nur {inside.size + 1} statt {k} Klassen.",
                      f"Tied values: {inside.size + 1} instead of {k} classes."))
    elif method == "std_mean" and inside.size < cuts.size:
        notes.append(("Grenzen außerhalb des Wertebereichs weggelassen.",
                      "Breaks outside the range of values left out."))
    return inside


def _legend(cuts: np.ndarray, lo: float, hi: float, closed: str, decimals: int,
            open_ends: bool, zero_class: bool) -> tuple[tuple[int, ...], tuple[str, ...],
                                                        tuple[str, ...]]:
    def f(v: float, lang: str) -> str:
        return fmt_number(v, decimals, lang)

    ids: list[int] = [0] if zero_class else []
    de: list[str] = ["0"] if zero_class else []
    en: list[str] = ["0"] if zero_class else []
    if math.isnan(lo) and cuts.size == 0:
        return tuple(ids), tuple(de), tuple(en)
    bounds = [lo, *cuts.tolist(), hi]
    n = len(bounds) - 1
    for i in range(n):
        a, b = bounds[i], bounds[i + 1]
        first, last = i == 0, i == n - 1
        ids.append(i + 1)
        if a == b and not (open_ends and (first or last)):
            de.append(f(a, "de"))
            en.append(f(a, "en"))
        elif n == 1 and not open_ends:
            de.append(f"{f(a, 'de')} bis {f(b, 'de')}")
            en.append(f"{f(a, 'en')} to {f(b, 'en')}")
        elif closed == "left":
            if first and open_ends:
                de.append(f"unter {f(b, 'de')}")
                en.append(f"under {f(b, 'en')}")
            elif last:
                de.append(f"{f(a, 'de')} und mehr" if open_ends
                          else f"{f(a, 'de')} bis {f(b, 'de')}")
                en.append(f"{f(a, 'en')} and more" if open_ends
                          else f"{f(a, 'en')} to {f(b, 'en')}")
            else:
                de.append(f"{f(a, 'de')} bis unter {f(b, 'de')}")
                en.append(f"{f(a, 'en')} to under {f(b, 'en')}")
        elif first:
            de.append(f"bis {f(b, 'de')}" if open_ends else f"{f(a, 'de')} bis {f(b, 'de')}")
            en.append(f"up to {f(b, 'en')}" if open_ends else f"{f(a, 'en')} to {f(b, 'en')}")
        elif last and open_ends:
            de.append(f"über {f(a, 'de')}")
            en.append(f"over {f(a, 'en')}")
        else:
            de.append(f"über {f(a, 'de')} bis {f(b, 'de')}")
            en.append(f"over {f(a, 'en')} to {f(b, 'en')}")
    return tuple(ids), tuple(de), tuple(en)


#: Every name :func:`map_classes` accepts (``quantile9`` and the registered methods).
MAP_METHODS = ("quantile9", "quantiles", "fisher_jenks", "natural_breaks", "equal_interval",
               "std_mean", "manual")


def map_classes(values: pd.Series, method: str = DEFAULT_METHOD, k: int = DEFAULT_K, *,
                breaks: Sequence[float] | None = None, decimals: int = 1,
                closed: str | None = None, open_ends: bool | None = None) -> Classification:
    """The classes of an indicator map: the one function behind ``kekiz monitor classes``,
    the atlas and the report maps, so one indicator and period has the same classes
    everywhere.

    ``quantile9``: type-9 quantiles (R, as the GISD), intervals closed on the right;
    ``manual``: the given inner ``breaks`` (closed left unless ``closed`` says otherwise,
    e.g. stored breaks of an earlier classification, ``open_ends`` as :func:`classify`);
    any other name of :data:`CLASSIFIERS`.
    """
    if method == "quantile9":
        if k < 2:
            raise _err(f"Anzahl der Klassen {k}: erwartet mindestens 2.",
                       f"Number of classes {k}: expected at least 2.")
        known = values.dropna().astype(float)
        if known.empty:
            return classify(values, "quantiles", k, decimals=decimals)
        cuts = np.unique(quantile_type9(known.to_numpy(float), np.arange(1, k) / k))
        cuts = cuts[(cuts >= known.min()) & (cuts < known.max())]
        if cuts.size == 0:  # one distinct value: one class
            return classify(values, "quantiles", 1, decimals=decimals)
        return classify(values, "manual", breaks=cuts.tolist(), closed="right",
                        decimals=decimals, open_ends=False)
    if method not in CLASSIFIERS:
        known_names = ", ".join(MAP_METHODS)
        raise _err(f"Unbekanntes Klassifizierungsverfahren '{method}'. Erwartet: "
                   f"{known_names}.",
                   f"Unknown classification method '{method}'. Expected: {known_names}.")
    if method == "manual" and breaks is not None and not list(breaks):
        # stored breaks of values that were all equal: one class
        return classify(values, "quantiles", 1, decimals=decimals)
    return classify(values, method, k, breaks=breaks, decimals=decimals,
                    closed=closed or "left", open_ends=open_ends)


def stored_or_default_classes(values: pd.Series, stored: Mapping[str, Any] | None, *,
                              method: str | None = None, k: int | None = None,
                              decimals: int = 1) -> Classification:
    """The classes of a map: with ``method`` that method; else the ``stored`` breaks of
    the indicator's classification (``{"method", "breaks", "closed"}`` as written by
    ``kekiz monitor classes``), else :data:`DEFAULT_METHOD` with ``k`` (default
    :data:`DEFAULT_K`) classes."""
    if method is None and stored is not None:
        return map_classes(values, "manual", breaks=list(stored["breaks"]),
                           closed=str(stored["closed"]), decimals=decimals,
                           open_ends=stored["method"] == "manual")
    return map_classes(values, method or DEFAULT_METHOD, k or DEFAULT_K, decimals=decimals)
