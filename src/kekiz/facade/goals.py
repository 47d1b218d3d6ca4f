"""Cooperation-network and Leitbild use cases of the facade (issue #6).

Mixed into :class:`kekiz.monitor.Monitor` as :class:`GoalJobs`: import a survey wave of
the cooperation network, compute its metrics and compare waves; import a Leitbild (YAML
or XLSX) and show its status and scorecards with charts.  Every import is validated
completely before one transaction writes it; a rejected file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kekiz.domain.catalogue import CATALOGUE
from kekiz.domain.cooperation import Network
from kekiz.domain.errors import MethodError, NotFound, ValidationReport
from kekiz.domain.goals import GoalStatus, Leitbild
from kekiz.domain.model import Dataset, Indicator
from kekiz.facade.coverage_indicator import CoverageIndicatorJobs
from kekiz.goals.charts import scorecard_chart, target_chart
from kekiz.goals.progress import yearly
from kekiz.goals.scorecard import IndicatorInfo, Scorecard, Series, progress_of, scorecard
from kekiz.ingest.boundaries import match_key, sha256_of
from kekiz.ingest.cooperation import parse_cooperation
from kekiz.ingest.goals import GoalContext, parse_leitbild
from kekiz.ingest.tables import read_table
from kekiz.prevention.cooperation import NetworkMetrics, WaveComparison, compare_waves, metrics

if TYPE_CHECKING:
    from kekiz.storage import Store

__all__ = ["CoopImport", "GoalJobs", "LeitbildImport", "build_cooperation_demo",
           "build_goals_demo"]

USABLE = ("ok", "estimated")
SYNTHETIC_DE = "SYNTHETISCH"


@dataclass
class CoopImport:
    wave: int
    dataset: Dataset
    actors: int
    reports: int
    synthetic: bool
    notes: list[str] = field(default_factory=list)


@dataclass
class LeitbildImport:
    leitbild: Leitbild
    dataset: Dataset
    targets: int
    notes: list[str] = field(default_factory=list)


class GoalJobs(CoverageIndicatorJobs):
    """Mixed into :class:`kekiz.monitor.Monitor`."""

    if TYPE_CHECKING:

        @property
        def store(self) -> Store: ...

        @property
        def lang(self) -> str: ...

        def _user(self) -> str: ...

    # -- cooperation network ----------------------------------------------------------
    def _coop_unit_lookup(self) -> Callable[[str], str | None]:
        index: dict[str, dict[str, str]] = {}
        for level in ("stadtteil", "sozialraum", "stadtbezirk", "gemeinde", "kreis"):
            for scheme, keys in self.store.key_index(level).items():
                for k, v in keys.items():
                    index.setdefault(scheme, {}).setdefault(k, v)
        return lambda key: match_key(key, index)

    def import_cooperation(self, path: Path, wave: int, *, label: str | None = None,
                           sheet: str | None = None, source: str = "") -> CoopImport:
        """Validate a survey export (one row per respondent-partner pair) completely, then
        replace the wave in one transaction."""
        report = ValidationReport(path.name)
        table = read_table(path, report, sheet=sheet, header_hint=["befragte_id",
                                                                   "respondent_id"])
        report.raise_if_failed()
        assert table is not None
        parsed = parse_cooperation(table, wave, report, self._coop_unit_lookup())
        report.raise_if_failed()
        assert parsed is not None
        synthetic = parsed.synthetic or path.name.upper().startswith(SYNTHETIC_DE)
        name = label or f"Kooperationsnetzwerk Welle {wave}"
        if synthetic and SYNTHETIC_DE not in name.upper():
            name = f"{SYNTHETIC_DE}: {name} (erfundene Demo-Daten)"
        net = parsed.network
        ds = Dataset(name=name, kind="cooperation", file=str(path), sha256=sha256_of(path),
                     source=source, user=self._user(), rows=len(table.rows),
                     details={"wave": wave, "synthetic": synthetic,
                              "actors": len(net.partners), "reports": len(net.ties)})
        with self.store.transaction() as tx:
            tx.add_dataset(ds)
            tx.replace_wave(net, label=name, first_date=parsed.first_date,
                            last_date=parsed.last_date, synthetic=synthetic, dataset_id=ds.id)
        return CoopImport(wave, ds, len(net.partners), len(net.ties), synthetic,
                          table.notes + report.notes)

    def cooperation_waves(self) -> list[dict[str, Any]]:
        return self.store.cooperation_waves()

    def cooperation_network(self, wave: int | None = None) -> Network:
        if wave is None:
            known = self.cooperation_waves()
            if not known:
                raise NotFound("Kein Kooperationsnetzwerk im Store. Abhilfe: 'kekiz coop "
                               "import DATEI --wave 1'.",
                               message_en="No cooperation network in the store. Fix: 'kekiz "
                               "coop import FILE --wave 1'.")
            wave = int(known[-1]["wave"])
        return self.store.cooperation_wave(wave)

    def _coop_districts(self, level: str) -> dict[str, str]:
        """unit id -> its unit on ``level`` (itself or an ancestor); others are city-wide."""
        self.store.level(level)
        units = self.store.units_frame()
        parent = dict(zip(units["id"], units["parent_id"], strict=True))
        lvl = dict(zip(units["id"], units["level"], strict=True))
        out: dict[str, str] = {}
        for uid in units["id"]:
            cur: str | None = uid
            while cur is not None and lvl.get(cur) != level:
                cur = parent.get(cur)
            if cur is not None:
                out[uid] = cur
        return out

    def cooperation_metrics(self, wave: int | None = None,
                            level: str = "stadtteil") -> NetworkMetrics:
        """Density, centrality, brokers, isolates, components and transition coverage."""
        net = self.cooperation_network(wave)
        return metrics(net, self._coop_districts(level))

    def compare_cooperation(self, wave_a: int, wave_b: int,
                            level: str = "stadtteil") -> WaveComparison:
        """New and lost ties and the change of density and trust between two waves."""
        return compare_waves(self.cooperation_network(wave_a),
                             self.cooperation_network(wave_b), self._coop_districts(level))

    # -- Leitbild ---------------------------------------------------------------------------
    def _goal_indicator_info(self) -> dict[str, IndicatorInfo]:
        def info(i: Indicator) -> IndicatorInfo:
            return IndicatorInfo(i.id, i.name_de, i.name_en, i.unit, int(i.decimals),
                                 int(i.polarity))

        out = {k: info(v) for k, v in CATALOGUE.items()}
        out.update({i.id: info(i) for i in self.store.indicators()})
        return out

    def _goal_yearly(self, indicator_id: str, unit_id: str
                   ) -> tuple[pd.DataFrame, list[str], list[str]]:
        obs = self.store.observations(indicator_id=indicator_id, unit_ids=[unit_id])
        obs = obs[obs["status"].isin(USABLE)]
        if not obs.empty:
            return yearly(obs), [], []
        ind = next((i for i in self.store.indicators() if i.id == indicator_id), None) \
            or CATALOGUE.get(indicator_id)
        if ind is None or not (ind.numerator and ind.denominator):
            return yearly(obs), [], []
        num = self.store.observations(indicator_id=ind.numerator, unit_ids=[unit_id])
        den = self.store.observations(indicator_id=ind.denominator, unit_ids=[unit_id])
        both = num[num["status"].isin(USABLE)].merge(
            den[den["status"].isin(USABLE)], on="period", suffixes=("_n", "_d"))
        both = both[both["value_d"] > 0]
        if both.empty:
            return yearly(obs), [], []
        frame = pd.DataFrame({"period": both["period"],
                              "value": both["value_n"] / both["value_d"] * ind.scale})
        return yearly(frame), [
            f"Berechnet aus {ind.numerator} / {ind.denominator}"
            f"{' × ' + format(ind.scale, 'g') if ind.scale != 1 else ''} (nicht gespeichert)."
        ], [f"Computed from {ind.numerator} / {ind.denominator}"
            f"{' × ' + format(ind.scale, 'g') if ind.scale != 1 else ''} (not stored)."]

    def goal_series(self, indicator_id: str, unit_id: str) -> Series:
        """The yearly series of an indicator for a unit.

        A ratio indicator that is not stored is computed from its numerator and
        denominator; a kreisfreie Stadt (a Kreis with a single Gemeinde) shares its
        values between the two levels, with a note saying which was used.
        """
        frame, de, en = self._goal_yearly(indicator_id, unit_id)
        if not frame.empty:
            return Series(frame, de, en)
        twin = self._goal_twin(unit_id)
        if twin is not None:
            frame, de, en = self._goal_yearly(indicator_id, twin)
            if not frame.empty:
                return Series(frame, [f"Werte des deckungsgleichen Gebiets {twin} "
                                      "(kreisfreie Stadt: Kreis = Gemeinde).", *de],
                              [f"Values of the congruent unit {twin} (district-free city: "
                               "Kreis = Gemeinde).", *en])
        return Series(frame)

    def _goal_twin(self, unit_id: str) -> str | None:
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
        ctx = GoalContext(indicators=self._goal_indicator_info(),
                          units=dict(zip(units["id"], units["level"], strict=True)),
                          levels=[lv.id for lv in store.levels()],
                          series=lambda i, u: self.goal_series(i, u).frame)
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
                     user=self._user(), rows=n_targets,
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

    def _goal_parents(self) -> dict[str, str | None]:
        units = self.store.units_frame()
        return dict(zip(units["id"], units["parent_id"], strict=True))

    @staticmethod
    def _goal_below(unit_id: str, ancestor: str, parent: dict[str, str | None]) -> bool:
        cur = parent.get(unit_id)
        while cur is not None:
            if cur == ancestor:
                return True
            cur = parent.get(cur)
        return False

    def _goal_info(self, lb: Leitbild) -> dict[str, IndicatorInfo]:
        info = self._goal_indicator_info()
        for d in lb.indicators:
            if d.id not in info:
                info[d.id] = IndicatorInfo(d.id, d.name_de, d.name_en, d.unit, d.decimals,
                                           d.polarity, pending=True, note_de=d.note_de,
                                           note_en=d.note_en)
        return info

    def goal_scorecard(self, unit_id: str | None = None,
                       leitbild_id: str | None = None) -> Scorecard:
        """Every target of the Leitbild that applies to the unit (default: the Leitbild's
        municipality), with baseline, current value, forecast and status."""
        lb = self.leitbild(leitbild_id)
        unit = self.store.unit(unit_id or lb.unit_id)
        below = self._goal_below(unit.id, lb.unit_id, self._goal_parents())
        return scorecard(lb, unit.id, unit.name, unit.level, below_leitbild_unit=below,
                         info=self._goal_info(lb), series=self.goal_series)

    def goal_status(self, unit_id: str | None = None, leitbild_id: str | None = None,
                    lang: str | None = None) -> dict[str, Any]:
        """The scorecard of a unit and, for level targets, the status counts over all
        units of the level (the districts)."""
        card = self.goal_scorecard(unit_id, leitbild_id)
        lang = lang or self.lang
        out = card.to_dict(lang)
        if unit_id is None:
            out["level_targets"] = self._goal_level_summaries(card.leitbild, lang)
        return out

    def _goal_level_summaries(self, lb: Leitbild, lang: str) -> list[dict[str, Any]]:
        """Status counts of each level target over the units of its level."""
        parent = self._goal_parents()
        info = self._goal_info(lb)
        rows = []
        for goal in lb.goals:
            for t in goal.targets:
                if t.level is None:
                    continue
                units = [u for u in self.store.units(level=t.level)
                         if self._goal_below(u.id, lb.unit_id, parent)]
                counts = {s.value: 0 for s in GoalStatus}
                for u in units:
                    p = progress_of(lb, goal, t, u.id, u.name, info, self.goal_series)
                    counts[p.status.value] += 1
                rows.append({"goal_id": goal.id, "indicator_id": t.indicator_id,
                             "indicator": info[t.indicator_id].name_en if lang == "en"
                             and info[t.indicator_id].name_en
                             else info[t.indicator_id].name_de,
                             "level": t.level, "target_value": t.target_value,
                             "target_year": t.target_year, "direction": t.direction.value,
                             "units": len(units), "counts": counts})
        return rows

    def goal_charts(self, card: Scorecard, out_dir: Path, *, fmt: str = "png",
                    lang: str | None = None) -> list[Path]:
        """One chart per target and a scorecard overview, written to ``out_dir``."""
        lang = lang or self.lang
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


# -- demo ---------------------------------------------------------------------------------
def _demo_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("kekiz") / "demo_data"))


def build_cooperation_demo(monitor: GoalJobs) -> list[str]:
    """Import the two synthetic survey waves of the Köln demo network; summary lines."""
    base = _demo_dir() / "cooperation"
    lines = []
    for wave in (1, 2):
        path = base / f"SYNTHETISCH_koeln_kooperation_welle{wave}.csv"
        result = monitor.import_cooperation(
            path, wave, label=f"SYNTHETISCH: Kooperationsnetzwerk Köln, Welle {wave} "
            "(erfundene Demo-Daten)", source="kekiz, synthetisch erzeugt (keine echten "
            "Akteure oder Beziehungen)")
        lines.append(f"{result.dataset.name}: {result.actors} Akteure, {result.reports} "
                     "Nennungen")
    return lines


#: The Kita coverage of the demo, stored as an indicator for the Leitbild's Kita goal.
DEMO_COVERAGE_INDICATOR = "kitas_je_1000_3_6"


def build_goals_demo(monitor: GoalJobs) -> list[str]:
    """Store the Kita coverage of the chain demo as an indicator (Stadtteile,
    Stadtbezirke, city), import the demo Leitbild of Köln and return summary lines."""
    cov = monitor.store_coverage_indicator(
        DEMO_COVERAGE_INDICATOR, levels=("stadtteil", "stadtbezirk", "gemeinde"),
        life_phase="3-6", kind="kita")
    lines = [f"{cov.dataset.name}: {sum(cov.rows.values())} Werte "
             f"({cov.indicator.name_de}, {cov.period})"]
    result = monitor.import_leitbild(_demo_dir() / "goals" / "leitbild_koeln.yaml")
    card = monitor.goal_scorecard(result.leitbild.unit_id, result.leitbild.id)
    counts = card.counts()
    status = ", ".join(f"{GoalStatus(k).label_de} {v}" for k, v in counts.items() if v)
    lines.append(f"{result.dataset.name}: {len(result.leitbild.goals)} Ziele, "
                 f"{result.targets} Zielwerte; Status {card.unit_name}: {status}")
    return lines
