"""State-network use cases of the facade: reach."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kekiz.domain.errors import MethodError
from kekiz.network.reach import ChildCounts, ReachResult, compute_reach, estimate_children

if TYPE_CHECKING:
    from kekiz.storage import Store

__all__ = ["NetworkJobs"]

DEFAULT_PROGRAMME = "Kein Kind zurücklassen!"


class NetworkJobs:
    """Mixed into :class:`kekiz.monitor.Monitor`."""

    if TYPE_CHECKING:

        @property
        def store(self) -> Store: ...

    def reach(self, year: int, age_max: int = 18,
              programme: str = DEFAULT_PROGRAMME) -> ReachResult:
        members = self.store.members(programme)
        if not members:
            raise MethodError(f"Keine Mitglieder für das Programm '{programme}' im Store. "
                              "Abhilfe: 'kekiz import members'.",
                              message_en=f"No members of programme '{programme}' in the store."
                              " Fix: 'kekiz import members'.")
        units = pd.concat([self.store.units_frame("kreis"), self.store.units_frame("gemeinde")])
        return compute_reach(members, units, self._children(age_max, year), year, age_max)

    def _children(self, age_max: int, year: int) -> ChildCounts:
        store = self.store
        direct = store.observations(indicator_id=f"einwohner_u{age_max}", level="kreis")
        if not direct.empty:
            period = _best_period(direct, year)
            k = direct[direct["period"] == period].set_index("unit_id")["value"]
            g = store.observations(indicator_id=f"einwohner_u{age_max}", level="gemeinde",
                                   period=period).set_index("unit_id")["value"]
            ind = store.indicator(f"einwohner_u{age_max}")
            return ChildCounts(k, g, f"{ind.name_de} ({ind.source or 'Store'}), {period}",
                               f"{ind.name_en} ({ind.source or 'store'}), {period}", period,
                               estimated=False)
        pops = store.observations(indicator_id="einwohner", level="kreis")
        if pops.empty:
            raise MethodError("Keine Einwohnerzahlen der Kreise im Store.",
                              message_en="No inhabitants of the Kreise in the store.")
        period = _best_period(pops, year)

        def series(ind: str, level: str, per: str | None) -> pd.Series:
            frame = store.observations(indicator_id=ind, level=level, period=per)
            if frame.empty:
                raise MethodError(f"Für die Schätzung fehlt der Indikator '{ind}' ({level}).",
                                  message_en=f"Indicator '{ind}' ({level}) is missing for "
                                  "the estimate.")
            last = sorted(frame["period"].unique())[-1]
            return frame[frame["period"] == last].set_index("unit_id")["value"]

        gem_units = store.units_frame("gemeinde").set_index("id")["parent_id"]
        kreis, gem = estimate_children(
            series("einwohner", "kreis", period), series("anteil_unter_6", "kreis", None),
            series("anteil_6_18", "kreis", None), series("einwohner", "gemeinde", period),
            series("anteil_unter_6", "gemeinde", None), gem_units, age_max)
        src_de = (f"Geschätzt: Einwohner {period} (VG250-EW, © GeoBasis-DE / BKG) × "
                  "Altersanteile (INKAR 2022/23, © BBSR Bonn)")
        src_en = (f"Estimated: inhabitants {period} (VG250-EW, © GeoBasis-DE / BKG) × age "
                  "shares (INKAR 2022/23, © BBSR Bonn)")
        return ChildCounts(kreis, gem, src_de, src_en, period, estimated=True)


def _best_period(frame: pd.DataFrame, year: int) -> str:
    """The period nearest to ``year`` among those with the most units covered."""
    coverage = frame.groupby("period")["unit_id"].nunique()
    full = [str(p) for p, n in coverage.items() if n == coverage.max()]
    return _nearest(full, year)


def _nearest(periods: list[Any], year: int) -> str:
    years = {int(str(p)[:4]): str(p) for p in periods}
    before = [y for y in years if y <= year]
    return years[max(before)] if before else years[min(years)]
