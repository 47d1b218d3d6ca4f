"""GISD-style principal component composite and R's type-9 quantiles (split from
:mod:`kekiz.analysis.indices`, where the method is registered as ``pca``)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kekiz.analysis.indices import (
    IndexResult,
    IndicatorsLike,
    PreparedInput,
    _DomainComposite,
    _err,
    register_index,
    zscore,
)

__all__ = ["PCAComposite", "quantile_classes", "quantile_type9"]


# -- PCA / GISD ----------------------------------------------------------------------------
def quantile_type9(values: Iterable[float], probs: Iterable[float]) -> np.ndarray:
    """Sample quantiles as R's ``quantile(x, probs, type = 9)`` (approximately unbiased
    for normal data; plotting position ``a = 3/8``)."""
    x = np.sort(np.asarray(list(values), dtype=float))
    p = np.asarray(list(probs), dtype=float)
    if x.size == 0 or np.isnan(x).any():
        raise _err("Quantile brauchen mindestens einen Wert und keine fehlenden Werte.",
                   "Quantiles need at least one value and no missing values.")
    if ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise _err(f"Wahrscheinlichkeiten {p.tolist()}: erwartet Zahlen von 0 bis 1.",
                   f"Probabilities {p.tolist()}: expected numbers in 0..1.")
    n = x.size
    fuzz = 4 * np.finfo(float).eps
    nppm = 3 / 8 + p * (n + 1 / 4)
    j = np.floor(nppm + fuzz).astype(int)
    h = nppm - j
    h[np.abs(h) < fuzz] = 0.0
    padded = np.concatenate([[x[0], x[0]], x, [x[-1], x[-1]]])  # R: x[j+2], x[j+3]
    lo = padded[np.clip(j + 1, 0, n + 3)]
    hi = padded[np.clip(j + 2, 0, n + 3)]
    out: NDArray[Any] = lo.copy()
    out[h == 1] = hi[h == 1]
    other = (h > 0) & (h < 1) & (lo != hi)
    out[other] = ((1 - h) * lo + h * hi)[other]
    return out


def quantile_classes(values: pd.Series, n: int = 5) -> pd.Series:
    """Classes 1..n by type-9 quantiles; intervals closed on the right, the lowest one
    includes the minimum (R: ``cut(x, quantile(x, 0:n/n, type = 9), include.lowest = TRUE)``).
    Missing values stay missing."""
    if n < 2:
        raise _err(f"Anzahl der Quantilklassen {n}: erwartet mindestens 2.",
                   f"Number of quantile classes {n}: expected at least 2.")
    valid = values.dropna()
    breaks = quantile_type9(valid.to_numpy(dtype=float), np.arange(1, n) / n)
    cls = 1 + np.searchsorted(breaks, valid.to_numpy(dtype=float), side="left")
    return pd.Series(cls, index=valid.index).reindex(values.index).astype("Int64")


@register_index("pca")
class PCAComposite(_DomainComposite):
    """GISD-style composite: first principal component per domain, domains min-max scaled
    and combined with weights, rescaled to 0..1, type-9 quantile classes (``n_classes``)."""

    label = "Hauptkomponenten-Index (GISD-Verfahren)"
    label_en = "Principal component composite (GISD method)"

    def __init__(self, indicators: IndicatorsLike, *, n_classes: int = 5,
                 **kwargs: Any) -> None:
        super().__init__(indicators, **kwargs)
        self.n_classes = int(n_classes)

    def params(self) -> dict[str, Any]:
        return {**super().params(), "n_classes": self.n_classes}

    def _pca(self, oriented: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        comp = pd.DataFrame({c: zscore(oriented[c]) for c in oriented.columns})
        domains: dict[str, pd.Series] = {}
        rows: list[dict[str, Any]] = []
        for d in self.domain_names:
            cols = [s.column for s in self._specs if s.domain == d]
            z = comp[cols].to_numpy()
            eigval, eigvec = np.linalg.eigh(z.T @ z / len(z))
            lam, vec = float(eigval[-1]), eigvec[:, -1]
            # every column is already oriented (higher = worse): align the component so
            # that its loadings point the same way; on a tie follow the largest loading.
            total = float(vec.sum())
            if total < 0 or (abs(total) < 1e-12 and vec[np.argmax(np.abs(vec))] < 0):
                vec = -vec
            score = pd.Series(z @ vec / math.sqrt(lam), index=comp.index)
            lo, hi = float(score.min()), float(score.max())
            domains[d] = (score - lo) / (hi - lo) if hi > lo else score * 0.0
            share = lam / float(eigval.sum())
            rows += [{"domain": d, "indicator": c, "weight": float(v),
                      "loading": float(v) * math.sqrt(lam), "eigenvalue": lam,
                      "explained": share} for c, v in zip(cols, vec, strict=True)]
        return comp, pd.DataFrame(domains, index=oriented.index), pd.DataFrame(rows)

    def _compute(self, prepared: PreparedInput) -> IndexResult:
        comp, domains, loadings = self._pca(self._oriented(prepared.data))
        raw = self._combine(domains)
        lo, hi = float(raw.min()), float(raw.max())
        index = (raw - lo) / (hi - lo) if hi > lo else raw * 0.0
        out = pd.DataFrame({"index": index, "class": quantile_classes(index, self.n_classes),
                            "raw": raw})
        out["rank"] = index.rank(ascending=False, method="min").astype("Int64")
        table = self._table(prepared, pd.concat([out, domains.add_prefix("domain_")], axis=1))
        worse = self.higher_is == "worse"
        de = ("Je Bereich die erste Hauptkomponente der z-standardisierten, nach Polarität "
              "ausgerichteten Indikatoren (Vorzeichen so, dass ein hoher Wert "
              f"{'mehr Benachteiligung' if worse else 'eine günstigere Lage'} bedeutet); "
              "Bereichswerte auf 0 bis 1 skaliert, gewichtet gemittelt und auf 0 bis 1 "
              f"skaliert; {self.n_classes} Quantilklassen nach R-Typ 9 (Klasse 1 = niedrigste "
              "Werte).")
        en = ("Per domain the first principal component of the z-standardised indicators "
              "oriented by polarity (sign so that a high value means "
              f"{'more disadvantage' if worse else 'a better situation'}); domain scores "
              "scaled to 0..1, combined by weighted mean and rescaled to 0..1; "
              f"{self.n_classes} quantile classes with R type 9 (class 1 = lowest values).")
        return IndexResult(self.name, self.params(), table, comp, domains, prepared.excluded,
                           de, en, loadings=loadings)

