"""Parts of the reports service (:mod:`kekiz.services.reports`): small helpers over the
published report data, and :class:`VersionMemo`, which keeps what the reports of one
batch have in common (levels, units, indicators, projected areas) for as long as the
store's data version stays the same."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from kekiz.domain.errors import KekizError
from kekiz.domain.model import Dataset
from kekiz.network.compare import funnel
from kekiz.reporting.report_model import USABLE, FunnelInput, IndicatorInput
from kekiz.storage.protocol import Store

__all__ = ["VersionMemo", "dataset_table", "dative", "funnel_input", "plural", "privacy_rules",
           "rerank"]

T = TypeVar("T")


class VersionMemo:
    """Values computed from the store, kept while ``store.data_version()`` is unchanged:
    the first call after any write (in this process or another) starts afresh.

    ``key()`` names the store and its data version for caches outside this object
    (e.g. :func:`kekiz.reporting.report_svg.project_cached`): the store's URL, or for a
    store in memory an object of this memo, so two stores never share a key.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        url = store.safe_url()
        self._name: Hashable = url if url.startswith(("sqlite:///", "postgresql")) and \
            ":memory:" not in url else object()
        self._version: int | None = None
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def key(self) -> tuple[Hashable, int]:
        """(store, data version) now."""
        return self._name, self._store.data_version()

    def get(self, name: Hashable, make: Callable[[], T]) -> T:
        """The value of ``name`` at the current data version (``make()`` if not kept)."""
        version = self._store.data_version()
        with self._lock:
            if version != self._version:
                self._values.clear()
                self._version = version
            if name in self._values:
                found: T = self._values[name]
                return found
        value = make()
        with self._lock:
            if version == self._version:
                self._values[name] = value
        return value


def rerank(table: pd.DataFrame) -> pd.DataFrame:
    """Ranks within the report's areas (by points, then the earlier rank)."""
    t = table.copy()
    t["points"] = pd.to_numeric(t["points"], errors="coerce")
    t["_old"] = pd.to_numeric(t["rank"], errors="coerce")
    t = t.sort_values(["points", "_old"], ascending=[False, True], na_position="last")
    t["rank"] = np.where(t["points"].notna(), np.arange(1, len(t) + 1), np.nan)
    return t.drop(columns=["_old"]).reset_index(drop=True)


def plural(name: str) -> str:
    return {"Stadtteil": "Stadtteilen", "Stadtbezirk": "Stadtbezirken",
            "Gemeinde": "Gemeinden", "Kreis / kreisfreie Stadt": "Kreisen und kreisfreien "
            "Städten", "Sozialraum": "Sozialräumen", "Baublock": "Baublöcken"}.get(name, name)


def dative(plural: str) -> str:
    """The dative of a German plural ("in 58 Prognoseräumen")."""
    return plural if plural.endswith(("n", "s")) else f"{plural}n"


def dataset_table(datasets: list[Dataset]) -> pd.DataFrame:
    rows = [{"name": d.name, "source": d.source, "licence": d.licence, "kind": d.kind}
            for d in datasets]
    frame = pd.DataFrame(rows, columns=["name", "source", "licence", "kind"])
    return frame.drop_duplicates(subset=["name"]).reset_index(drop=True)


def privacy_rules(inputs: list[IndicatorInput]) -> list[tuple[str, str]]:
    out = []
    for d in inputs:
        rule = d.indicator.disclosure_rule
        if rule:
            out.append((f"{d.indicator.name_de}: {rule}", f"{d.indicator.name_en}: {rule}"))
    return out


def funnel_input(inputs: list[IndicatorInput]) -> FunnelInput | None:
    """The funnel plot of the first share (in %, with counts for at least five areas),
    indicators with a direction first."""
    for data in sorted(inputs, key=lambda d: d.indicator.polarity == 0):
        ind = data.indicator
        if float(ind.scale or 0) != 100.0 or ind.unit != "%":
            continue
        v = data.values
        ok = v[v["status"].isin(USABLE) & v["value"].notna()].dropna(
            subset=["numerator", "denominator"])
        ok = ok[pd.to_numeric(ok["denominator"], errors="coerce") > 0]
        if len(ok) < 5:
            continue
        try:
            frame = funnel(ok[["unit_id", "numerator", "denominator"]].astype(
                {"numerator": float, "denominator": float}))
        except KekizError:  # no funnel for this share (e.g. all rates equal): the next one
            continue
        return FunnelInput(ind, frame)
    return None
