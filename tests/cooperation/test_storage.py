"""Tables of migration 0004 on SQLite and PostgreSQL: schema, round trips, replacement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import kekiz.storage.schema_cooperation as sc
from kekiz.domain.cooperation import Direction as TieDirection
from kekiz.domain.cooperation import Network, Partner, Tie, TieType
from kekiz.domain.goals import (
    DeclaredIndicator,
    Direction,
    Goal,
    Leitbild,
    Measure,
    MeasureKind,
    Programme,
    Target,
)
from kekiz.storage.migrate import SCHEMA_HEAD
from kekiz.storage.schema import metadata
from tests.cooperation.conftest import GoalMonitor, good_csv, make_monitor
from tests.sql import connect

OURS = {"coop_waves", "coop_actors", "coop_ties", "leitbilder", "leitbild_goals",
        "leitbild_targets", "leitbild_programmes", "leitbild_indicators"}


@pytest.fixture
def m(store_url: str) -> Iterator[GoalMonitor]:
    monitor = make_monitor(store_url)
    yield monitor
    monitor.close()


def _tables_in(diff: Any) -> set[str]:
    """Table names named anywhere in an alembic autogenerate diff entry."""
    if isinstance(diff, list):
        return set().union(*(_tables_in(d) for d in diff)) if diff else set()
    names = set()
    for item in diff if isinstance(diff, tuple) else (diff,):
        name = getattr(item, "name", None) if not isinstance(item, str) else item
        table = getattr(getattr(item, "table", None), "name", None)
        names |= {n for n in (name, table) if isinstance(n, str)}
    return names


def test_migration_matches_the_tables(m: GoalMonitor) -> None:
    assert m.store.schema_version() == SCHEMA_HEAD
    assert set(metadata.tables) >= OURS
    assert sc.coop_ties.metadata is metadata
    with connect(m.store.url) as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert set(conn.dialect.get_table_names(conn)) >= OURS
    assert not [d for d in diff if _tables_in(d) & OURS], diff


def test_wave_round_trip(m: GoalMonitor, tmp_path: Path) -> None:
    net = Network(3, {"a": Partner("a", "A", "health", ("0-3", "all"), "05315000-101", True),
                      "b": Partner("b", "B", "education", (), None)},
                  [Tie("a", "b", (TieType.REFERRAL, TieType.AGREEMENT), TieDirection.IN, 4,
                       3.5, 2.0)], label="W3")
    with m.store.transaction() as tx:
        tx.replace_wave(net, synthetic=True)
    back = m.store.cooperation_wave(3)
    assert back.partners == net.partners and back.ties == net.ties and back.label == "W3"
    assert m.store.cooperation_waves()[0]["synthetic"] is True
    m.cooperation.import_wave(good_csv(tmp_path / "w.csv"), 1)
    before = m.store.snapshot()
    m.cooperation.import_wave(good_csv(tmp_path / "w.csv"), 1)  # the same file again
    after = m.store.snapshot()
    assert after["coop_actors"] == before["coop_actors"]
    assert after["coop_ties"] == before["coop_ties"]


def test_leitbild_round_trip_and_replacement(m: GoalMonitor) -> None:
    lb = Leitbild("lb", "Leitbild", "05315000", baseline_year=2017, forecast_window=8,
                  synthetic=True, note="Demo",
                  indicators=[DeclaredIndicator("x_neu", "Neu", "New", "%", -1, 2, "kommt")],
                  goals=[Goal("Z1", "Ergebnis", "Result", life_phase="3-6", sector="health",
                              targets=[Target("gisd_score", 0.2, 2030, Direction.DECREASE,
                                              unit_id="05315000"),
                                       Target("x_neu", 10, 2030, Direction.MAINTAIN,
                                              level="stadtteil", tolerance=1.5, position=1)],
                              programmes=[Programme("P1", "Programm", "Programme", "Amt", [
                                  Measure("K1", MeasureKind.HOW_WELL, "Quote", "Rate", "%",
                                          {2023: 50.0, 2024: 55.5}, 70.0, True)], True)])])
    with m.store.transaction() as tx:
        tx.replace_leitbild(lb)
    back = m.store.leitbild("lb")
    assert back == lb
    lb.goals = lb.goals[:1]
    lb.goals[0].targets = lb.goals[0].targets[:1]
    lb.goals[0].programmes = []
    with m.store.transaction() as tx:
        tx.replace_leitbild(lb)
    snap = m.store.snapshot()
    assert len(snap["leitbild_targets"]) == 1 and snap["leitbild_programmes"] == []
    assert m.store.leitbild_ids() == [("lb", "Leitbild", "05315000")]
