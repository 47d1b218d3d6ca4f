"""The stored service directory (issue #5): schema, round trips on SQLite and PostgreSQL,
re-imports, duplicates, exports, and bad input that leaves the store unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kekiz.app import Kekiz
from kekiz.domain.directory import Directory
from kekiz.domain.errors import ImportFailed, KekizError, ValidationReport
from kekiz.domain.model import Dataset, Unit
from kekiz.ingest.directory import DirectoryOptions, read_directory
from kekiz.ingest.hsds import parse_hsds
from kekiz.prevention.hsds import export_hsds
from kekiz.settings import load_settings
from kekiz.storage import Store, open_store
from kekiz.storage import schema_services as s
from kekiz.storage.schema import metadata
from kekiz.storage.writer import SqlWriter
from tests.prevention.conftest import Validate
from tests.sql import connect

EXAMPLES = ["service_full", "organization_full", "service_at_location_list", "tabular",
            "taxonomy_term_list"]
NIPPES = "05315000-505"


def _square(x0: float, y0: float, d: float = 0.02) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d],
                             [x0, y0]]]}


def _store_with_units(url: str) -> Store:
    """A store with two Stadtteile around the offers of ``CSV_GOOD``."""
    import shapely

    store = open_store(url)
    with store.transaction() as tx:
        tx.upsert_units([
            Unit(id="05315000", name="Köln", level="gemeinde"),
            Unit(id=NIPPES, name="Riehl (Test)", level="stadtteil", parent_id="05315000",
                 geometry=shapely.to_wkb(shapely.geometry.shape(_square(6.94, 50.95)))),
            Unit(id="05315000-801", name="Kalk (Test)", level="stadtteil",
                 parent_id="05315000",
                 geometry=shapely.to_wkb(shapely.geometry.shape(_square(6.99, 50.93))))])
    return store


def _monitor(store: Store) -> Kekiz:
    return Kekiz(load_settings({"store": store.url}), store)


def _same(a: Directory, b: Directory) -> None:
    for name in ("organizations", "services", "locations", "service_at_locations",
                 "taxonomies", "taxonomy_terms", "records"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.links == b.links


def _table_of(item: Any) -> str:
    """The table a difference of ``compare_metadata`` is about."""
    if isinstance(item, list):
        item = item[0]
    op, obj = item[0], item[1]
    if op.endswith("_table"):
        return str(obj.name)
    if op.endswith("_fk"):
        return str(obj.parent.name)
    if op.endswith(("_index", "_constraint")):
        return str(obj.table.name)
    return str(item[2])


def test_service_tables_match_their_migration(store_url: str) -> None:
    store = open_store(store_url)
    try:
        # the services came with 0005; later migrations (0006 auth, ...) build on it
        assert (store.schema_version() or "") >= "0005"
        mine = {t.name for t in s.SERVICE_TABLES}
        with connect(store_url) as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert [d for d in diff if _table_of(d) in mine] == []
    finally:
        store.dispose()


@pytest.mark.parametrize("name", EXAMPLES)
def test_hsds_examples_round_trip_through_the_store(store_url: str, hsds_dir: Path,
                                                    name: str) -> None:
    data = json.loads((hsds_dir / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    report = ValidationReport(name)
    directory = parse_hsds(data, report)
    assert report.ok
    store = open_store(store_url)
    try:
        ds = Dataset(name=f"HSDS {name}", kind="services")
        with store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            tx.replace_directory(directory, ds.id)
        loaded = store.load_directory()
        _same(loaded, directory)
        loaded.meta = directory.meta
        assert export_hsds(loaded) == export_hsds(directory)
    finally:
        store.dispose()


def test_csv_import_round_trip_and_reimport_replaces(store_url: str, good_csv: Path) -> None:
    store = _store_with_units(store_url)
    try:
        m = _monitor(store)
        first = m.directory.import_services(good_csv, dataset="Angebote Test")
        assert (first.services, first.locations, first.organizations) == (4, 3, 3)
        assert first.dataset.kind == "services" and first.dataset.revision == 1
        assert first.level == "stadtteil" and first.synthetic is False
        expected = read_directory(good_csv, DirectoryOptions(source=good_csv.name)).directory
        loaded = store.load_directory()
        units = {loc.id: loc.unit_id for loc in loaded.locations.values()}
        # given keys resolve; the unknown '05315000-101' falls back to its coordinates
        assert sorted(units.values(), key=str) == ["05315000-505", "05315000-801", None]
        assert any("im Store unbekannt (05315000-101)" in n for n in first.notes)
        for loc in expected.locations.values():
            loc.unit_id = units[loc.id]
        _same(loaded, expected)
        again = m.directory.import_services(good_csv, dataset="Angebote Test")
        assert again.dataset.revision == 2 and again.replaced == 4
        assert len(store.load_directory().services) == 4
        rows = store.service_datasets()
        assert [(r.name, r.revision, r.services, r.published) for r in rows] == \
            [("Angebote Test", 2, 4, 3)]
    finally:
        store.dispose()


def test_duplicates_of_stored_offers_are_reported_and_left_out(store_url: str,
                                                               good_csv: Path) -> None:
    store = _store_with_units(store_url)
    try:
        m = _monitor(store)
        m.directory.import_services(good_csv, dataset="Quelle A")
        other = good_csv.with_name("quelle_b.csv")
        other.write_text(good_csv.read_text(encoding="utf-8").replace(
            "Familienzentrum Nippes;Stadt Köln", "Familienzentrum Nippes e.V.;Stadt Köln"),
            encoding="utf-8")
        result = m.directory.import_services(other, dataset="Quelle B")
        # three of the four offers have a place; each is the same offer as in source A
        assert len(result.duplicates) == 3 and result.services == 1
        assert "Familienzentrum Nippes e.V." in set(result.duplicates["name_b"])
        assert "ist vermutlich dasselbe Angebot wie" in result.duplicates["message_de"][0]
        kept = m.directory.import_services(other, dataset="Quelle B", keep_duplicates=True)
        assert kept.services == 4 and kept.replaced == 1 and len(kept.duplicates) == 3
        # the very same file under another name (same ids): each of the three located
        # offers is a duplicate of its twin in source A and in source B
        same = m.directory.import_services(good_csv, dataset="Quelle C")
        assert len(same.duplicates) == 6 and same.duplicates["offer_b"].nunique() == 3
        assert same.services == 1
        assert set(same.duplicates["offer_b"]) <= set(same.duplicates["offer_a"])
    finally:
        store.dispose()


def test_a_file_of_nothing_but_stored_offers_is_refused(store_url: str,
                                                        good_csv: Path) -> None:
    store = _store_with_units(store_url)
    try:
        m = _monitor(store)
        m.directory.import_services(good_csv, dataset="Quelle A")
        located = good_csv.with_name("nur_orte.csv")
        located.write_text("".join(line for line in good_csv.read_text(encoding="utf-8")
                                   .splitlines(keepends=True)
                                   if not line.startswith("EK1;")), encoding="utf-8")
        before = store.snapshot()
        with pytest.raises(ImportFailed) as failed:
            m.directory.import_services(located, dataset="Quelle B")
        text = str(failed.value.text("de"))
        assert "Alle 3 Angebote der Datei stehen schon im Store" in text
        assert "nur_orte.csv" in text and "--keep-duplicates" in text
        assert store.snapshot() == before
        kept = m.directory.import_services(located, dataset="Quelle B", keep_duplicates=True)
        assert kept.services == 3
    finally:
        store.dispose()


def test_synthetic_import_is_labelled_everywhere(store_url: str, good_csv: Path) -> None:
    store = _store_with_units(store_url)
    try:
        result = _monitor(store).directory.import_services(good_csv, synthetic=True,
                                                 dataset="Beispielangebote")
        assert result.synthetic
        assert result.dataset.name == ("SYNTHETISCH: Beispielangebote (erfundene "
                                       "Demo-Daten)")
        loaded = store.load_directory()
        assert all(x.synthetic and x.name.startswith("[synthetisch] ")
                   for x in loaded.services.values())
        assert all(o.name.startswith("[synthetisch] ") for o in loaded.organizations.values())
    finally:
        store.dispose()


def test_public_export_has_only_published_services_and_validates(
        store_url: str, good_csv: Path, tmp_path: Path, hsds_validate: Validate) -> None:
    store = _store_with_units(store_url)
    try:
        m = _monitor(store)
        m.directory.import_services(good_csv)
        out = tmp_path / "oeffentlich.json"
        assert m.directory.export_services(out) == 3
        page = json.loads(out.read_text(encoding="utf-8"))
        assert page["total_items"] == 3
        assert "Elternkurs Starke Eltern" not in {x["name"] for x in page["contents"]}
        for doc in page["contents"]:
            assert hsds_validate("compiled/service", doc) == []
        assert m.directory.export_services(tmp_path / "alle.json", include_unpublished=True) == 4
        table = tmp_path / "angebote.csv"
        assert m.directory.export_services(table) == 3
        text = table.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("offer_id;service_id;")
        assert "0-3, 3-6" in text and "Familienzentrum Nippes" in text
        with pytest.raises(KekizError, match=r"Unbekanntes Format '\.txt'"):
            m.directory.export_services(tmp_path / "x.txt")
    finally:
        store.dispose()


def test_bad_input_leaves_the_store_unchanged(store_url: str, good_csv: Path,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store_with_units(store_url)
    try:
        m = _monitor(store)
        m.directory.import_services(good_csv, dataset="Bestand")
        before = store.snapshot()
        bad = tmp_path / "kaputt.csv"
        bad.write_text("Angebot;Plätze;Alter von;Alter bis;lat;lon\n"
                       "Kita A;viele;3;6;50,96;6,95\nKita B;10;8;6;50,96;6,95\n",
                       encoding="utf-8")
        with pytest.raises(ImportFailed) as info:
            m.directory.import_services(bad, dataset="Bestand")
        text = info.value.message
        assert "Zeile 2, Spalte 'Plätze': 'viele' keine Platzzahl" in text
        assert "Mindestalter größer als Höchstalter" in text
        broken = tmp_path / "kaputt.json"
        broken.write_text('{"contents": [{"id": "x", "name": "A"', encoding="utf-8")
        with pytest.raises(ImportFailed, match="kein gültiges JSON"):
            m.directory.import_services(broken, dataset="Bestand")
        empty = tmp_path / "leer.json"
        empty.write_text('{"contents": []}', encoding="utf-8")
        with pytest.raises(ImportFailed, match="keine Angebote"):
            m.directory.import_services(empty, dataset="Bestand")
        assert store.snapshot() == before

        def fail(*_args: Any, **_kw: Any) -> int:  # a failure after the first rows
            raise KekizError("Abbruch im Test", message_en="test abort")

        real = SqlWriter.replace_directory

        def half(tx: SqlWriter, directory: Directory, dataset_id: int) -> int:
            real(tx, directory, dataset_id)
            return fail()

        monkeypatch.setattr(SqlWriter, "replace_directory", half)
        with pytest.raises(KekizError, match="Abbruch im Test"):
            m.directory.import_services(good_csv, dataset="Bestand")
        assert store.snapshot() == before
    finally:
        store.dispose()


def test_xlsx_import_into_a_store_without_units(store_url: str, good_csv: Path,
                                                tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(good_csv, sep=";", dtype=str, keep_default_na=False)
    xlsx = tmp_path / "angebote.xlsx"
    frame.to_excel(xlsx, index=False)
    store = open_store(store_url)
    try:
        result = _monitor(store).directory.import_services(xlsx)
        assert (result.services, result.level, result.assigned) == (4, None, 0)
        assert "Im Store sind noch keine Gebiete: die Orte bleiben ohne Gebiet" in result.notes
        assert result.dataset.name == "Angebote: angebote.xlsx"
        d = store.load_directory()
        assert {s.name for s in d.services.values()} == set(frame["Angebot"])
        assert all(loc.unit_id is None for loc in d.locations.values())
    finally:
        store.dispose()
