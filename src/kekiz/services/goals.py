"""The Leitbild of a municipality (issue #6): goals, indicators, targets and programmes;
scorecards with baseline, current value, forecast and status; charts.

A Leitbild (YAML or XLSX) is validated completely before one transaction replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kekiz.domain.catalogue import CATALOGUE
from kekiz.domain.errors import MethodError, NotFound, ValidationReport
from kekiz.domain.goals import GoalStatus, IndicatorInfo, Leitbild
from kekiz.domain.model import Dataset, Indicator
from kekiz.goals.charts import scorecard_chart, target_chart
from kekiz.goals.progress import baseline_of
from kekiz.goals.scorecard import Scorecard, Series, progress_of
from kekiz.goals.scorecard import scorecard as build_scorecard
from kekiz.goals.series import time_series
from kekiz.ingest.boundaries import sha256_of
from kekiz.ingest.goals import GoalContext, parse_leitbild
from kekiz.services.base import actor, language
from kekiz.services.coverage_indicator import CoverageIndicator, store_coverage_indicator
from kekiz.services.stored import StoredResults, scope_of
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["GoalService", "LeitbildImport"]

USABLE = ("ok", "estimated")


@dataclass
class LeitbildImport:
    """A stored Leitbild: the Leitbild, its dataset, the number of targets and notes."""

    leitbild: Leitbild
    dataset: Dataset
    targets: int
    notes: list[str] = field(default_factory=list)


class GoalService:
    """The Leitbild: import, scorecards, status, charts; coverage stored as an indicator."""

    def __init__(self, store: Store, settings: Settings, chain: Any) -> None:
        self.store = store
        self.settings = settings
        self._chain = chain
        self._stored = StoredResults(store, scope_of(store))
        self._by_unit: dict[str, tuple[int, dict[str, Any], pd.DataFrame]] = {}
        self._made: dict[tuple[str, str], tuple[int, tuple[pd.DataFrame, list[str],
                                                            list[str]]]] = {}

    def _observations(self, indicator_id: str, unit_id: str) -> pd.DataFrame:
        """The usable values of an indicator for a unit, from one read of the indicator's
        values of every unit, kept per data version: a status over all districts reads
        each indicator once instead of once per district."""
        version = self.store.data_version()
        hit = self._by_unit.get(indicator_id)
        if hit is None or hit[0] != version:
            obs = self.store.observations(indicator_id=indicator_id)
            obs = obs[obs["status"].isin(USABLE)].reset_index(drop=True)
            rows = {str(u): r for u, r in obs.groupby("unit_id", sort=False).indices.items()}
            if len(self._by_unit) > 64:
                self._by_unit.clear()
            hit = (version, rows, obs)
            self._by_unit[indicator_id] = hit
        found = hit[1].get(unit_id)
        return hit[2].iloc[found if found is not None else []]

    def _indicator_info(self) -> dict[str, IndicatorInfo]:
        def info(i: Indicator) -> IndicatorInfo:
            return IndicatorInfo(i.id, i.name_de, i.name_en, i.unit, int(i.decimals),
                                 int(i.polarity))

        out = {k: info(v) for k, v in CATALOGUE.items()}
        out.update({i.id: info(i) for i in self.store.indicators()})
        return out

    def _series(self, indicator_id: str, unit_id: str
                ) -> tuple[pd.DataFrame, list[str], list[str]]:
        """The series of a unit (kept per data version; callers do not modify it)."""
        version = self.store.data_version()
        hit = self._made.get((indicator_id, unit_id))
        if hit is not None and hit[0] == version:
            frame, de, en = hit[1]
            return frame, list(de), list(en)
        made = self._make_series(indicator_id, unit_id)
        if len(self._made) > 20000:
            self._made.clear()
        self._made[(indicator_id, unit_id)] = (version, made)
        return made[0], list(made[1]), list(made[2])

    def _make_series(self, indicator_id: str, unit_id: str
                     ) -> tuple[pd.DataFrame, list[str], list[str]]:
        obs = self._observations(indicator_id, unit_id)
        if not obs.empty:
            return time_series(obs), [], []
        ind = next((i for i in self.store.indicators() if i.id == indicator_id), None) \
            or CATALOGUE.get(indicator_id)
        if ind is None or not (ind.numerator and ind.denominator):
            return time_series(obs), [], []
        num = self._observations(ind.numerator, unit_id)
        den = self._observations(ind.denominator, unit_id)
        both = num.merge(den, on="period", suffixes=("_n", "_d"))
        both = both[both["value_d"] > 0]
        if both.empty:
            return time_series(obs), [], []
        frame = pd.DataFrame({"period": both["period"],
                              "value": both["value_n"] / both["value_d"] * ind.scale})
        return time_series(frame), [
            f"Berechnet aus {ind.numerator} / {ind.denominator}"
            f"{' × ' + format(ind.scale, 'g') if ind.scale != 1 else ''} (nicht gespeichert)."
        ], [f"Computed from {ind.numerator} / {ind.denominator}"
            f"{' × ' + format(ind.scale, 'g') if ind.scale != 1 else ''} (not stored)."]

    def series(self, indicator_id: str, unit_id: str) -> Series:
        """The series of an indicator for a unit (every period on the real time axis).

        A ratio indicator that is not stored is computed from its numerator and
        denominator; a kreisfreie Stadt (a Kreis with a single Gemeinde) shares its
        values between the two levels, with a note saying which was used.
        """
        frame, de, en = self._series(indicator_id, unit_id)
        if not frame.empty:
            return Series(frame, de, en)
        twin = self._twin(unit_id)
        if twin is not None:
            frame, de, en = self._series(indicator_id, twin)
            if not frame.empty:
                return Series(frame, [f"Werte des deckungsgleichen Gebiets {twin} "
                                      "(kreisfreie Stadt: Kreis = Gemeinde).", *de],
                              [f"Values of the congruent unit {twin} (district-free city: "
                               "Kreis = Gemeinde).", *en])
        return Series(frame)

    def _twin(self, unit_id: str) -> str | None:
        """The congruent unit of a kreisfreie Stadt on the other level, if any."""
        try:
            unit = self.store.unit(unit_id)
        except NotFound:
            return None
        if unit.level == "gemeinde" and unit.parent_id:
            siblings = self.store.units(level="gemeinde", parent_id=unit.parent_id)
            return unit.parent_id if len(siblings) == 1 else None
        if unit.level == "kreis":
            children = self.store.units(level="gemeinde", parent_id=unit.id)
            return children[0].id if len(children) == 1 else None
        return None

    def import_leitbild(self, path: Path) -> LeitbildImport:
        """Validate a Leitbild (YAML/XLSX) completely, then replace it in one transaction."""
        store = self.store
        units = store.units_frame()
        ctx = GoalContext(indicators=self._indicator_info(),
                          units=dict(zip(units["id"], units["level"], strict=True)),
                          levels=[lv.id for lv in store.levels()],
                          baseline=lambda t, u, year: baseline_of(
                              self.series(t.indicator_id, u).frame, t, year))
        report = ValidationReport(path.name)
        parsed = parse_leitbild(path, report, ctx)
        report.raise_if_failed()
        assert parsed is not None
        lb = parsed.leitbild
        n_targets = sum(len(g.targets) for g in lb.goals)
        name = f"Leitbild {lb.id}"
        if lb.synthetic:
            name = f"{name} (Demo, Zielwerte illustrativ)"
        ds = Dataset(name=name, kind="leitbild", file=str(path), sha256=sha256_of(path),
                     user=actor(self.settings), rows=n_targets,
                     details={"leitbild": lb.id, "goals": [g.id for g in lb.goals],
                              "synthetic": lb.synthetic,
                              "pending_indicators": sorted(parsed.info)})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            tx.replace_leitbild(lb, ds.id)
        lb.dataset_id = ds.id
        return LeitbildImport(lb, ds, n_targets, parsed.notes)

    def leitbilder(self) -> list[tuple[str, str, str]]:
        return self.store.leitbild_ids()

    def leitbild(self, leitbild_id: str | None = None) -> Leitbild:
        known = self.leitbilder()
        if not known:
            raise NotFound("Kein Leitbild im Store. Abhilfe: 'kekiz goals import "
                           "leitbild.yaml'.",
                           message_en="No Leitbild in the store. Fix: 'kekiz goals import "
                           "leitbild.yaml'.")
        if leitbild_id is None:
            if len(known) > 1:
                raise MethodError(
                    "Mehrere Leitbilder im Store: bitte --leitbild angeben ("
                    + ", ".join(k[0] for k in known) + ").",
                    message_en="Several Leitbilder in the store: please give --leitbild ("
                    + ", ".join(k[0] for k in known) + ").")
            leitbild_id = known[0][0]
        return self.store.leitbild(leitbild_id)

    def _parents(self) -> dict[str, str | None]:
        units = self.store.units_frame()
        return dict(zip(units["id"], units["parent_id"], strict=True))

    @staticmethod
    def _below(unit_id: str, ancestor: str, parent: dict[str, str | None]) -> bool:
        cur = parent.get(unit_id)
        while cur is not None:
            if cur == ancestor:
                return True
            cur = parent.get(cur)
        return False

    def _info(self, lb: Leitbild) -> dict[str, IndicatorInfo]:
        info = self._indicator_info()
        for d in lb.indicators:
            if d.id not in info:
                info[d.id] = IndicatorInfo(d.id, d.name_de, d.name_en, d.unit, d.decimals,
                                           d.polarity, pending=True, note_de=d.note_de,
                                           note_en=d.note_en)
        return info

    def scorecard(self, unit_id: str | None = None,
                       leitbild_id: str | None = None) -> Scorecard:
        """Every target of the Leitbild that applies to the unit (default: the Leitbild's
        municipality), with baseline, current value, forecast and status."""
        made: Scorecard = self._stored.get("goals:scorecard", (unit_id, leitbild_id),
                                           lambda: self._scorecard(unit_id, leitbild_id))
        return made

    def _scorecard(self, unit_id: str | None, leitbild_id: str | None) -> Scorecard:
        lb = self.leitbild(leitbild_id)
        unit = self.store.unit(unit_id or lb.unit_id)
        below = self._below(unit.id, lb.unit_id, self._parents())
        return build_scorecard(lb, unit.id, unit.name, unit.level, below_leitbild_unit=below,
                         info=self._info(lb), series=self.series)

    def status(self, unit_id: str | None = None, leitbild_id: str | None = None,
                    lang: str | None = None) -> dict[str, Any]:
        """The scorecard of a unit and, for level targets, the status counts over all
        units of the level (the districts); kept in the store per data version (computed
        when the data change, see :meth:`kekiz.app.Kekiz.warm`)."""
        lang = lang or language(self.settings)
        made: dict[str, Any] = self._stored.get(
            "goals:status", (unit_id, leitbild_id, lang),
            lambda: self._status(unit_id, leitbild_id, lang))
        return made

    def _status(self, unit_id: str | None, leitbild_id: str | None,
                lang: str) -> dict[str, Any]:
        card = self.scorecard(unit_id, leitbild_id)
        out = card.to_dict(lang)
        if unit_id is None:
            out["level_targets"] = self._level_summaries(card.leitbild, lang)
        return out

    def _level_summaries(self, lb: Leitbild, lang: str) -> list[dict[str, Any]]:
        """Status counts of each level target over the units of its level."""
        parent = self._parents()
        info = self._info(lb)
        rows = []
        for goal in lb.goals:
            for t in goal.targets:
                if t.level is None:
                    continue
                units = [u for u in self.store.units(level=t.level)
                         if self._below(u.id, lb.unit_id, parent)]
                counts = {s.value: 0 for s in GoalStatus}
                for u in units:
                    p = progress_of(lb, goal, t, u.id, u.name, info, self.series)
                    counts[p.status.value] += 1
                rows.append({"goal_id": goal.id, "indicator_id": t.indicator_id,
                             "indicator": info[t.indicator_id].name_en if lang == "en"
                             and info[t.indicator_id].name_en
                             else info[t.indicator_id].name_de,
                             "level": t.level, "target_value": t.target_value,
                             "target_year": t.target_year, "direction": t.direction.value,
                             "units": len(units), "counts": counts})
        return rows

    def charts(self, card: Scorecard, out_dir: Path, *, fmt: str = "png",
                    lang: str | None = None) -> list[Path]:
        """One chart per target and a scorecard overview, written to ``out_dir``."""
        lang = lang or language(self.settings)
        out_dir.mkdir(parents=True, exist_ok=True)
        note = _demo_note(card.leitbild, lang)
        written = []
        for r in card.rows:
            path = out_dir / f"ziel_{_safe(r.goal_id)}_{_safe(r.target.indicator_id)}_" \
                             f"{_safe(r.unit_id)}.{fmt}"
            _write(path, target_chart(r, lang=lang, fmt=fmt, note=note))
            written.append(path)
        if card.rows:
            path = out_dir / f"scorecard_{_safe(card.unit_id)}.{fmt}"
            title = f"{card.leitbild.name} – {card.unit_name}"
            _write(path, scorecard_chart(card.rows, title=title, lang=lang, fmt=fmt,
                                         note=note))
            written.append(path)
        return written


    def store_coverage_indicator(self, indicator_id: str, **options: Any) -> CoverageIndicator:
        """The coverage of an offer of the chain stored as an indicator (see
        :func:`~kekiz.services.coverage_indicator.store_coverage_indicator`)."""
        return store_coverage_indicator(self.store, self.settings, self._chain, indicator_id,
                                        **options)

def _demo_note(lb: Leitbild, lang: str) -> str | None:
    if not lb.synthetic:
        return None
    return ("Demo: Zielwerte und Maßnahmenzahlen sind illustrativ/synthetisch."
            if lang == "de" else "Demo: targets and programme figures are illustrative/"
            "synthetic.")


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
