"""Goal status computed when the data change (issue #17): after ``warm`` a fresh process
reads the status of the municipality and of every Stadtteil of a level target from the
store's derived results, equal to a fresh computation; a write makes it unreachable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kekiz.app import Kekiz
from kekiz.services.goals import GoalService
from kekiz.settings import load_settings
from tests.goals.conftest import GOOD_YAML, build_store, write


def _app(url: str) -> Kekiz:
    return Kekiz(load_settings({"store": url, "lang": "de"}, environ={}))


def test_goal_status_is_kept_at_write_time(store_url: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    build_store(store_url)
    m = _app(store_url)
    try:
        m.goals.import_leitbild(write(tmp_path / "leitbild.yaml", GOOD_YAML))
        fresh = m.goals._status(None, None, "de")
        fresh_unit = m.goals._status("05315000-101", None, "de")
        done = m.warm()
        assert done.goal_units > 0
    finally:
        m.close()
    assert fresh["level_targets"][0]["counts"]  # the Stadtteile of seu_sprache counted

    def computed(*args: object) -> object:
        raise AssertionError("goal status computed although warm kept it")

    with monkeypatch.context() as patch:
        patch.setattr(GoalService, "_status", computed)
        other = _app(store_url)  # another process: reads what warm kept
        try:
            assert other.goals.status() == fresh
            assert other.goals.status("05315000-101") == fresh_unit
        finally:
            other.close()
    other = _app(store_url)
    try:
        with other.store.transaction() as tx:  # a new value: the kept status is stale
            tx.upsert_observations(pd.DataFrame([{
                "indicator_id": "seu_sprache", "unit_id": "05315000-101", "period": "2024",
                "value": 1.0, "status": "ok", "dataset_id": None}]))
        after = other.goals.status("05315000-101")
        assert after == other.goals._status("05315000-101", None, "de")
        assert after != fresh_unit
    finally:
        other.close()
