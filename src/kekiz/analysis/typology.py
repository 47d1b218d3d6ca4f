"""District typology: clusters of areas with a similar indicator profile.

The indicators are z-standardised (ddof 0) over the included areas, then clustered by a
registered method (:data:`TYPOLOGY_METHODS`): ``kmeans`` (scikit-learn, seeded, several
starts) or ``ward`` (agglomerative, Ward linkage; deterministic, the seed is not needed).
Rows are clustered in the order of their ids, so the result does not depend on the row
order of the input.  Types are numbered in a stable order: ascending by the mean of
``order_by`` (default: the first indicator), ties by size (larger first) and then by first
appearance.  Every type gets a profile in plain words (German and English): which
indicators lie clearly above or below the average of all areas (``threshold`` standard
deviations, default 0.5).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans

from kekiz.analysis.indices import Exclusion, zscore
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number

__all__ = [
    "TYPOLOGY_METHODS",
    "TypologyResult",
    "register_typology",
    "typology",
]

# A clustering step: (standardised values n x p, k, seed, n_init) -> labels 0..k-1.
Clusterer = Callable[[np.ndarray, int, int | None, int], np.ndarray]
#: Registered clustering methods by name.
TYPOLOGY_METHODS: dict[str, Clusterer] = {}


def register_typology(name: str) -> Callable[[Clusterer], Clusterer]:
    """Register a clustering step under ``name``."""
    def deco(fn: Clusterer) -> Clusterer:
        TYPOLOGY_METHODS[name] = fn
        return fn
    return deco


@register_typology("kmeans")
def _kmeans(z: np.ndarray, k: int, seed: int | None, n_init: int) -> np.ndarray:
    model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    return np.asarray(model.fit_predict(z))


@register_typology("ward")
def _ward(z: np.ndarray, k: int, seed: int | None, n_init: int) -> np.ndarray:
    return np.asarray(AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(z))


@dataclass(frozen=True)
class TypologyResult:
    """The result of :func:`typology`.

    Attributes
    ----------
    method, k, seed, params:
        How the typology was made.
    types:
        Type 1..k per input unit (indexed by unit id; ``<NA>`` for excluded units).
    sizes:
        Number of areas per type.
    centers:
        Mean of the raw indicator values per type (rows: type, columns: indicator).
    z_centers:
        Mean z-score per type: the deviation from the average of all included areas in
        standard deviations.  The profiles are written from it.
    profiles, profiles_en:
        One plain-words description per type (German, English).
    excluded:
        Units left out (missing values), with reasons.
    inertia:
        Within-type sum of squared distances in z units (smaller = tighter types).
    """

    method: str
    k: int
    seed: int | None
    params: Mapping[str, Any]
    types: pd.Series
    sizes: pd.Series
    centers: pd.DataFrame
    z_centers: pd.DataFrame
    profiles: Mapping[int, str]
    profiles_en: Mapping[int, str]
    excluded: tuple[Exclusion, ...]
    inertia: float


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


def typology(frame: pd.DataFrame, indicators: Sequence[str], k: int, *,
             method: str = "kmeans", seed: int | None = 0, id_col: str | None = "id",
             labels: Mapping[str, str] | None = None,
             labels_en: Mapping[str, str] | None = None, order_by: str | None = None,
             threshold: float = 0.5, n_init: int = 10) -> TypologyResult:
    """Cluster the areas of ``frame`` into ``k`` types by ``indicators``.

    ``labels``/``labels_en`` name the indicators in the profiles (default: column names);
    ``seed`` makes k-means reproducible (``None`` only when you accept different results
    on every run).
    """
    if method not in TYPOLOGY_METHODS:
        raise _err(f"Unbekanntes Typisierungsverfahren '{method}'. Erwartet: eines von "
                   f"{sorted(TYPOLOGY_METHODS)}.",
                   f"Unknown typology method '{method}'. Expected one of "
                   f"{sorted(TYPOLOGY_METHODS)}.")
    cols = list(indicators)
    order_col = order_by or (cols[0] if cols else "")
    data, excluded = _prepare(frame, cols, id_col)
    if order_col not in cols:
        raise _err(f"order_by='{order_col}' ist keiner der Indikatoren {cols}.",
                   f"order_by='{order_col}' is not one of the indicators {cols}.")
    distinct = len(data.drop_duplicates())
    if not 2 <= k <= distinct:
        raise _err(f"k={k} Typen: erwartet 2 bis {distinct} (Zahl der verschiedenen Gebiets"
                   "profile).",
                   f"k={k} types: expected 2 to {distinct} (number of distinct area profiles).")
    z = pd.DataFrame({c: zscore(data[c], name=c) for c in cols})
    raw_labels = TYPOLOGY_METHODS[method](z.to_numpy(), k, seed, n_init)
    types = _stable_numbers(raw_labels, data[order_col].to_numpy())
    typed = pd.Series(types, index=data.index)
    sizes = typed.value_counts().sort_index()
    centers = data.groupby(typed).mean()
    z_centers = z.groupby(typed).mean()
    inertia = float(sum(((z[typed == t] - z_centers.loc[t]) ** 2).to_numpy().sum()
                        for t in sizes.index))
    names = {c: (labels or {}).get(c, c) for c in cols}
    names_en = {c: (labels_en or {}).get(c, names[c]) for c in cols}
    profiles = {int(t): _profile(int(t), int(sizes[t]), z_centers.loc[t], names, threshold,
                                 "de") for t in sizes.index}
    profiles_en = {int(t): _profile(int(t), int(sizes[t]), z_centers.loc[t], names_en,
                                    threshold, "en") for t in sizes.index}
    all_ids = _ids(frame, id_col)
    params = {"indicators": cols, "order_by": order_col, "threshold": threshold,
              "n_init": n_init, "id_col": id_col}
    return TypologyResult(method, k, seed, params,
                          typed.reindex(all_ids).astype("Int64"), sizes, centers, z_centers,
                          profiles, profiles_en, excluded, inertia)


def _ids(frame: pd.DataFrame, id_col: str | None) -> pd.Index:
    if id_col is None:
        index: pd.Index = frame.index
        return index
    if id_col not in frame.columns:
        raise _err(f"Id-Spalte '{id_col}' fehlt. Erwartet: eine Spalte mit Gebietsschlüsseln.",
                   f"Id column '{id_col}' missing. Expected a column of area keys.")
    ids: pd.Index = pd.Index(frame[id_col], name=id_col)
    return ids


def _prepare(frame: pd.DataFrame, cols: list[str],
             id_col: str | None) -> tuple[pd.DataFrame, tuple[Exclusion, ...]]:
    ids = _ids(frame, id_col)
    if ids.hasnans or ids.has_duplicates:
        raise _err("Gebietsschlüssel fehlen oder sind doppelt. Erwartet: ein eindeutiger "
                   "Schlüssel je Zeile.",
                   "Area keys are missing or duplicated. Expected one unique key per row.")
    if not cols:
        raise _err("Keine Indikatoren angegeben. Erwartet: mindestens eine Spalte.",
                   "No indicators given. Expected at least one column.")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise _err(f"Spalte(n) {missing} fehlen.", f"Column(s) {missing} missing.")
    for c in cols:
        if pd.api.types.is_bool_dtype(frame[c]) or not pd.api.types.is_numeric_dtype(frame[c]):
            raise _err(f"Spalte '{c}' ist nicht numerisch. Erwartet: Zahlen.",
                       f"Column '{c}' is not numeric. Expected numbers.")
    data = frame[cols].astype(float).set_axis(ids, axis=0)
    finite = np.isfinite(data.to_numpy())
    bad = ~finite.all(axis=1)
    gaps = [", ".join(c for c, ok in zip(cols, row, strict=True) if not ok) for row in finite]
    excluded = tuple(Exclusion(i, f"fehlende Werte in {g}", f"missing values in {g}")
                     for i, g, b in zip(data.index, gaps, bad, strict=True) if b)
    kept = data[~bad]
    # a canonical row order, so that the clusters do not depend on the input's row order
    try:
        order = np.argsort(kept.index.to_numpy(), kind="stable")
    except TypeError:
        order = np.argsort(kept.index.astype(str).to_numpy(), kind="stable")
    return kept.iloc[order], excluded


def _stable_numbers(raw: np.ndarray, order_values: np.ndarray) -> np.ndarray:
    """Renumber cluster labels 1..k: ascending mean of ``order_values``, then larger size,
    then first appearance."""
    keys: list[tuple[float, int, int, Hashable]] = []
    for lab in np.unique(raw):
        member = raw == lab
        keys.append((float(order_values[member].mean()), -int(member.sum()),
                     int(np.argmax(member)), lab))
    mapping = {key[3]: n for n, key in enumerate(sorted(keys), start=1)}
    return np.array([mapping[lab] for lab in raw], dtype=int)


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " und " if lang == "de" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _profile(t: int, size: int, zc: pd.Series, names: Mapping[str, str], threshold: float,
             lang: str) -> str:
    def part(mask: pd.Series) -> str:
        sel = zc[mask].reindex(zc[mask].abs().sort_values(ascending=False).index)
        return _join([f"{names[str(c)]} ({fmt_number(float(v), 1, lang, sign=True)})"
                      for c, v in sel.items()], lang)

    above, below = part(zc >= threshold), part(zc <= -threshold)
    thr = fmt_number(threshold, 1, lang)
    if lang == "en":
        head = f"Type {t} ({size} area{'s' if size != 1 else ''})"
        if not above and not below:
            return f"{head}: no indicator differs clearly from the average (±{thr} SD)."
        bits = ([f"clearly above average in {above}"] if above else []) + (
            [f"clearly below average in {below}"] if below else [])
        return f"{head}, deviation from the average in standard deviations: " + \
            "; ".join(bits) + "."
    head = f"Typ {t} ({size} {'Gebiet' if size == 1 else 'Gebiete'})"
    if not above and not below:
        return (f"{head}: keine Kennzahl weicht deutlich vom Durchschnitt ab (±{thr} "
                "Standardabweichungen).")
    bits = ([f"deutlich über dem Durchschnitt bei {above}"] if above else []) + (
        [f"deutlich unter dem Durchschnitt bei {below}"] if below else [])
    return f"{head}, Abweichung vom Durchschnitt in Standardabweichungen: " + \
        "; ".join(bits) + "."
