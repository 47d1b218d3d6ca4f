"""The same record import on SQLite and PostgreSQL: indicators, audit, nothing partial."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kekiz.demo import _run_step, demo_dir
from kekiz.domain.errors import ImportFailed
from tests.records.conftest import monitor_for, small_schema, snapshot_of

KOELN = ("boundaries/nrw_kreise_vg5000_2021.geojson",
         "boundaries/nrw_gemeinden_vg5000_2021.geojson",
         "boundaries/koeln_stadtbezirke.geojson", "boundaries/koeln_stadtteile.geojson",
         "koeln/bevoelkerung_koeln_2005_2012.csv")


def _koeln(url: str) -> None:
    """Only the Köln steps of the demo manifest (units and population by age)."""
    manifest = tomllib.loads((demo_dir() / "manifest.toml").read_text(encoding="utf-8"))
    m = monitor_for(url)
    try:
        m.init()
        for step in manifest["step"]:
            if step.get("file") in KOELN:
                _run_step(m, demo_dir(), step)
    finally:
        m.close()


def test_import_audit_and_rollback(store_url: str, tmp_path: Path) -> None:
    _koeln(store_url)
    m = monitor_for(store_url)
    try:
        made = m.records.generate_records(tmp_path / "seu.csv", years="2011-2012", seed=2,
                                  records=4000)
        schema = small_schema("sprachdefizit", "masern_vollstaendig")
        result = m.records.import_records(made.path, schema=schema)
        assert result.periods == ["2011", "2012"] and result.tables == 4
        assert result.observations == 4 * 96 and result.suppressed > 0
        audit = m.records.audit_published(records=made.path, schema=schema)
        assert audit.passed and audit.tables == 4
        obs = m.store.observations(indicator_id=result.indicators)
        published = obs[obs["status"] != "suppressed"]
        assert not published["denominator"].between(1, 2).any()
        assert set(obs["period"]) == {"2011", "2012"}
        ds = m.store.datasets()[-1]
        assert ds.kind == "records" and ds.details["records"]["used"] == 4000
        before = snapshot_of(store_url)
        bad = tmp_path / "SYNTHETISCH_kaputt.csv"
        lines = made.path.read_text(encoding="utf-8").splitlines()
        lines[5] = lines[4]  # a duplicate id
        bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(ImportFailed, match="Datensatz-Kennung doppelt"):
            m.records.import_records(bad, schema=schema)
        assert snapshot_of(store_url) == before
        again = m.records.import_records(made.path, schema=schema)
        assert again.dataset.revision == 2 and again.replaced == 4 * 96
    finally:
        m.close()
