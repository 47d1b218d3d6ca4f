"""The cooperation network of a municipality's partners (issue #6): survey waves, metrics
(density, centrality, brokers, isolates, transition coverage) and the comparison of waves.

Every import is validated completely before one transaction writes it; a rejected file
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kekiz.domain.cooperation import Network
from kekiz.domain.errors import NotFound, ValidationReport
from kekiz.domain.model import Dataset
from kekiz.ingest.boundaries import match_key, sha256_of
from kekiz.ingest.cooperation import parse_cooperation
from kekiz.ingest.tables import read_table
from kekiz.prevention.cooperation import (
    NetworkMetrics,
    WaveComparison,
    compare_waves,
    metrics,
)
from kekiz.services.base import actor
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["SYNTHETIC_DE", "CoopImport", "CooperationService"]

SYNTHETIC_DE = "SYNTHETISCH"


@dataclass
class CoopImport:
    """A stored survey wave: its number, dataset, actors, reported ties and notes."""

    wave: int
    dataset: Dataset
    actors: int
    reports: int
    synthetic: bool
    notes: list[str] = field(default_factory=list)


class CooperationService:
    """Survey waves of the cooperation network and what they show."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def _unit_lookup(self) -> Callable[[str], str | None]:
        index: dict[str, dict[str, str]] = {}
        for level in ("stadtteil", "sozialraum", "stadtbezirk", "gemeinde", "kreis"):
            for scheme, keys in self.store.key_index(level).items():
                for k, v in keys.items():
                    index.setdefault(scheme, {}).setdefault(k, v)
        return lambda key: match_key(key, index)

    def import_wave(self, path: Path, wave: int, *, label: str | None = None,
                           sheet: str | None = None, source: str = "") -> CoopImport:
        """Validate a survey export (one row per respondent-partner pair) completely, then
        replace the wave in one transaction."""
        report = ValidationReport(path.name)
        table = read_table(path, report, sheet=sheet, header_hint=["befragte_id",
                                                                   "respondent_id"])
        report.raise_if_failed()
        assert table is not None
        parsed = parse_cooperation(table, wave, report, self._unit_lookup())
        report.raise_if_failed()
        assert parsed is not None
        synthetic = parsed.synthetic or path.name.upper().startswith(SYNTHETIC_DE)
        name = label or f"Kooperationsnetzwerk Welle {wave}"
        if synthetic and SYNTHETIC_DE not in name.upper():
            name = f"{SYNTHETIC_DE}: {name} (erfundene Demo-Daten)"
        net = parsed.network
        ds = Dataset(name=name, kind="cooperation", file=str(path), sha256=sha256_of(path),
                     source=source, user=actor(self.settings), rows=len(table.rows),
                     details={"wave": wave, "synthetic": synthetic,
                              "actors": len(net.partners), "reports": len(net.ties)})
        with self.store.transaction() as tx:
            tx.add_dataset(ds)
            tx.replace_wave(net, label=name, first_date=parsed.first_date,
                                    last_date=parsed.last_date, synthetic=synthetic,
                                    dataset_id=ds.id)
        return CoopImport(wave, ds, len(net.partners), len(net.ties), synthetic,
                          table.notes + report.notes)

    def waves(self) -> list[dict[str, Any]]:
        return self.store.cooperation_waves()

    def network(self, wave: int | None = None) -> Network:
        if wave is None:
            known = self.waves()
            if not known:
                raise NotFound("Kein Kooperationsnetzwerk im Store. Abhilfe: 'kekiz coop "
                               "import DATEI --wave 1'.",
                               message_en="No cooperation network in the store. Fix: 'kekiz "
                               "coop import FILE --wave 1'.")
            wave = int(known[-1]["wave"])
        return self.store.cooperation_wave(wave)

    def _districts(self, level: str) -> dict[str, str]:
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

    def metrics(self, wave: int | None = None,
                            level: str = "stadtteil") -> NetworkMetrics:
        """Density, centrality, brokers, isolates, components and transition coverage."""
        net = self.network(wave)
        return metrics(net, self._districts(level))

    def compare(self, wave_a: int, wave_b: int,
                            level: str = "stadtteil") -> WaveComparison:
        """New and lost ties and the change of density and trust between two waves."""
        return compare_waves(self.network(wave_a),
                             self.network(wave_b), self._districts(level))
