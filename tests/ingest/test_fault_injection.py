"""An import that fails halfway through writing leaves the store exactly as it was.

A fault is injected into the store's writer after part of the import has been written
(``SqlWriter._upsert`` raises on its N-th call; chunks are made small so that several
chunks go out first).  The store's snapshot must equal the one taken before, on SQLite
and PostgreSQL, and a re-run without the fault must succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kekiz.app import Kekiz
from kekiz.domain.errors import StoreError
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions
from kekiz.settings import load_settings
from kekiz.storage import open_store
from kekiz.storage import writer as writer_module
from kekiz.storage.writer import SqlWriter

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
BEZIRKE = ("--level", "stadtbezirk", "--id-field", "NR", "--name-field", "NAME",
           "--id-prefix", "05315000-", "--parent-level", "gemeinde")

Cli = Callable[..., Any]
Snap = Callable[[str], Any]


class Fault:
    """Replace ``SqlWriter._upsert``: pass calls through, raise on the ``at``-th call that
    writes ``table`` (any table when ``None``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: int, table: str | None = None,
                 error: BaseException | None = None) -> None:
        self.at, self.table, self.calls, self.rows_written = at, table, 0, 0
        self.error = error  # None: the driver's own error, as from a full disk
        original = SqlWriter._upsert
        fault = self

        def upsert(writer: Any, table: str, rows: list[dict[str, Any]],
                   keys: list[str]) -> None:
            if fault.table is None or table == fault.table:
                fault.calls += 1
                if fault.calls == fault.at:
                    raise fault.error or writer._conn.dialect.operational(
                        "disk I/O error (injected fault)")
                fault.rows_written += len(rows)
            original(writer, table, rows, keys)

        self._original, self._chunk = original, writer_module._CHUNK
        self._monkeypatch = monkeypatch
        monkeypatch.setattr(SqlWriter, "_upsert", upsert)
        monkeypatch.setattr(writer_module, "_CHUNK", 2)

    def remove(self) -> None:
        self._monkeypatch.setattr(SqlWriter, "_upsert", self._original)
        self._monkeypatch.setattr(writer_module, "_CHUNK", self._chunk)


def _monitor(url: str) -> Kekiz:
    return Kekiz(load_settings({"store": url}, environ={}))


def test_boundary_import_fails_halfway_via_cli(cli: Cli, snapshot: Snap, base_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(base_url)
    fault = Fault(monkeypatch, at=2, table="units")  # first chunk of 2 units written
    result = cli(base_url, "import", "boundaries", GOOD / "koeln_stadtbezirke.geojson",
                 *BEZIRKE)
    assert fault.calls == 2 and fault.rows_written == 2
    assert result.code == 1, result.err
    assert "Schreibfehler im Store" in result.text
    assert "Es wurde nichts gespeichert" in result.text
    assert "Traceback" not in result.err
    assert snapshot(base_url) == before

    fault.remove()
    again = cli(base_url, "import", "boundaries", GOOD / "koeln_stadtbezirke.geojson",
                *BEZIRKE)
    assert again.code == 0, again.err
    assert "3 Gebiete importiert" in again.stdout
    store = open_store(base_url)
    try:
        units = store.units(level="stadtbezirk")
        assert [(u.id, u.name, u.parent_id, u.keys) for u in units] == [
            ("05315000-1", "Innenstadt", "05315000", {"local": "1"}),
            ("05315000-2", "Rodenkirchen", "05315000", {"local": "2"}),
            ("05315000-3", "Lindenthal", "05315000", {"local": "3"}),
        ]
        assert [d.name for d in store.datasets()].count("koeln_stadtbezirke (stadtbezirk)") == 1
    finally:
        store.dispose()


def test_boundary_import_fails_after_units_before_keys(snapshot: Snap, base_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """All units are written, then writing their keys fails: the units go too."""
    before = snapshot(base_url)
    fault = Fault(monkeypatch, at=1, table="unit_keys", error=RuntimeError("injected"))
    m = _monitor(base_url)
    opts = BoundaryOptions(level="stadtbezirk", id_field="NR", name_field="NAME",
                           id_prefix="05315000-", parent_level="gemeinde")
    try:
        with pytest.raises(RuntimeError, match="injected"):
            m.imports.boundaries(GOOD / "koeln_stadtbezirke.geojson", opts)
    finally:
        m.close()
    assert fault.calls == 1
    assert snapshot(base_url) == before

    fault.remove()
    m = _monitor(base_url)
    try:
        result = m.imports.boundaries(GOOD / "koeln_stadtbezirke.geojson", opts)
        assert result.count == 3
        assert m.store.count_units() == {"kreis": 3, "gemeinde": 6, "stadtbezirk": 3}
    finally:
        m.close()


def test_indicator_reimport_fails_halfway_via_cli(cli: Cli, snapshot: Snap, base_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-import first deletes the previous revision's values, then writes the new ones
    in chunks; a fault on the second chunk must bring the old values back."""
    before = snapshot(base_url)
    fault = Fault(monkeypatch, at=2, table="observations")
    result = cli(base_url, "import", "indicators", GOOD / "base_einwohner.csv",
                 "--level", "gemeinde")
    assert fault.calls == 2 and fault.rows_written == 2
    assert result.code == 1, result.err
    assert "Es wurde nichts gespeichert" in result.text
    assert snapshot(base_url) == before

    fault.remove()
    again = cli(base_url, "import", "indicators", GOOD / "base_einwohner.csv",
                "--level", "gemeinde")
    assert again.code == 0, again.err
    assert "6 Werte importiert: base_einwohner (gemeinde) (Revision 2)" in again.stdout
    store = open_store(base_url)
    try:
        obs = store.observations(indicator_id="einwohner")
        revisions = {d.id: d.revision for d in store.datasets()
                     if d.name == "base_einwohner (gemeinde)"}
        assert sorted(revisions.values()) == [1, 2]
        assert len(obs) == 6
        assert {revisions[int(i)] for i in obs["dataset_id"]} == {2}
    finally:
        store.dispose()


def test_new_indicator_import_fails_after_first_chunk(snapshot: Snap, base_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``upsert_observations`` writes one chunk and then the connection breaks."""
    before = snapshot(base_url)
    original = SqlWriter.upsert_observations
    written: list[int] = []

    def upsert_observations(writer: Any, frame: Any, *, progress: Any = None) -> int:
        written.append(original(writer, frame.iloc[:2], progress=progress))
        # the driver's own error, as when the server closes the connection
        raise writer._conn.dialect.operational("server closed the connection")

    monkeypatch.setattr(SqlWriter, "upsert_observations", upsert_observations)
    m = _monitor(base_url)
    opts = IndicatorOptions(level="gemeinde", indicator="kinder_u6")
    try:
        with pytest.raises(StoreError, match="nichts gespeichert"):
            m.imports.indicators(GOOD / "breit_jahre.csv", opts,
                                metadata={"unit": "Personen", "aggregation": "sum"})
    finally:
        m.close()
    assert written == [2]
    assert snapshot(base_url) == before

    monkeypatch.setattr(SqlWriter, "upsert_observations", original)
    m = _monitor(base_url)
    try:
        result = m.imports.indicators(GOOD / "breit_jahre.csv", opts,
                                     metadata={"unit": "Personen", "aggregation": "sum"})
        assert result.count == 9
        assert len(m.store.observations(indicator_id="kinder_u6")) == 9
    finally:
        m.close()
