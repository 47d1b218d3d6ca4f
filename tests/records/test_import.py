"""Importing records through the facade: the Köln demo, formats, assignment methods,
re-imports, years, and a store without any record-level data."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import inspect

from kekiz.storage import open_store
from tests.records.conftest import (
    DEMO_YEARS,
    RecordsDemo,
    copy_store,
    monitor_for,
    small_schema,
    snapshot_of,
)
from tests.sql import connect

FINDINGS = ("sprachdefizit", "adipositas")
N = 3000  # records in the small file
Z95 = 1.959963984540054


def _wilson(x: float, n: float) -> tuple[float, float]:
    root = Z95 * (Z95 * Z95 + 4 * x * (1 - x / n)) ** 0.5
    return (100 * (2 * x + Z95 * Z95 - root) / (2 * (n + Z95 * Z95)),
            100 * (2 * x + Z95 * Z95 + root) / (2 * (n + Z95 * Z95)))


@pytest.fixture(scope="module")
def small_file(demo_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 synthetic records of 2012 (Parquet), made from the demo store."""
    m = monitor_for(f"sqlite:///{demo_base}")
    try:
        out = tmp_path_factory.mktemp("small") / "seu.parquet"
        return Path(m.records.generate_records(out, years="2012", seed=11, records=N).path)
    finally:
        m.close()


def _import(url: str, path: Path, **kw: Any) -> Any:
    m = monitor_for(url)
    try:
        kw.setdefault("schema", small_schema(*FINDINGS))
        return m.records.import_records(path, **kw)
    finally:
        m.close()


def _observations(url: str, dataset_id: int | None = None) -> Any:
    """Record observations (of one dataset); the demo's records may be in the store too."""
    store = open_store(url)
    try:
        ids = [i.id for i in store.indicators() if i.id.startswith("seu_")]
        obs = store.observations(indicator_id=ids)
        if dataset_id is not None:
            obs = obs[obs["dataset_id"] == dataset_id]
        return obs.drop(columns=["dataset_id"])
    finally:
        store.dispose()


# ----------------------------------------------------------------------- the demo
def test_demo_has_school_entrance_indicators_per_stadtteil_and_stadtbezirk(
        records_demo: RecordsDemo) -> None:
    store = open_store(records_demo.url)
    try:
        inds = {i.id: i for i in store.indicators() if i.id.startswith("seu_")}
        assert len(inds) == 10
        for ind in inds.values():
            assert ind.id.endswith("_synth")
            assert "SYNTHETISCH" in ind.name_de and "SYNTHETIC" in ind.name_en
            assert "SYNTHETISCHE DATEN" in ind.definition_de
            assert "SYNTHETIC DATA" in ind.definition_en
            assert ind.unit == "%" and ind.disclosure_rule
        periods = store.periods()
        for ind in inds:
            assert periods[ind] == [str(y) for y in DEMO_YEARS]
        for level, n in (("stadtteil", 86), ("stadtbezirk", 9), ("gemeinde", 1)):
            obs = store.observations(indicator_id="seu_sprachdefizit_synth", level=level)
            assert len(obs) == n * len(DEMO_YEARS), level
        obs = store.observations(indicator_id=list(inds))
        assert set(obs["status"]) <= {"ok", "unreliable", "suppressed", "missing"}
        bezirke = obs[obs["unit_id"].str.fullmatch(r"05315000-\d")]
        assert (bezirke["status"] == "ok").mean() > 0.9  # Stadtbezirke are large
        sup = obs[obs["status"] == "suppressed"]
        assert len(sup) > 20  # the deliberately small Stadtteile
        assert sup["value"].isna().all() and sup["lower"].isna().all()
        for params in sup["params"]:
            privacy = json.loads(params)["privacy"]
            assert "Geheimhaltung" in privacy["reason_de"]
            assert "confidentiality" in privacy["reason_en"]
            assert privacy["rules"]["min_frequency"] == 3
        ok = obs[obs["status"] == "ok"]
        np.testing.assert_allclose(ok["value"], 100 * ok["numerator"] / ok["denominator"])
        row = ok.iloc[len(ok) // 2]
        lower, upper = _wilson(row["numerator"], row["denominator"])
        assert (row["lower"], row["upper"]) == (pytest.approx(lower), pytest.approx(upper))
        city = obs[(obs["unit_id"] == "05315000")
                   & (obs["indicator_id"] == "seu_sprachdefizit_synth")]
        assert (city["value"].between(20, 30)).all()  # ~25 % language deficits
        ds = next(d for d in store.datasets() if d.kind == "records")
        assert ds.name.startswith("SYNTHETISCH:") and len(ds.sha256) == 64
        assert ds.details["synthetic"] is True
        rec = ds.details["records"]
        assert rec["records"] == rec["used"] > 20_000
        assert rec["unmatched"] == 0 and rec["unmatched_rate"] == 0.0
        assert rec["assigned_by"] == {"coordinates": rec["records"]}
        assert ds.details["privacy"]["tables"] == 30
        assert ds.details["generator"]["seed"] == 42
        assert ds.rows == len(obs)
    finally:
        store.dispose()


def test_store_never_holds_record_level_data(records_demo: RecordsDemo,
                                             demo_records_file: Path) -> None:
    ids = set(pq.read_table(demo_records_file, columns=["id"]).column("id").to_pylist())
    births = {str(d) for d in pq.read_table(demo_records_file, columns=["geburtsdatum"])
              .column("geburtsdatum").to_pylist()[:2000]}
    snap = snapshot_of(records_demo.url)
    found_ids = found_births = 0
    for rows in snap.values():
        for row in rows:
            for cell in row:
                text = str(cell)
                if text.startswith("SYN") and text[:12] in ids:
                    found_ids += 1
                if text in births:
                    found_births += 1
                if isinstance(cell, str) and "SYN0" in cell:
                    found_ids += 1
    assert found_ids == 0 and found_births == 0
    store = open_store(records_demo.url)
    try:
        with connect(records_demo.url) as conn:
            inspector = inspect(conn)
            names = {c["name"].lower() for t in snap for c in inspector.get_columns(t)}
        assert not names & {"record_id", "geburtsdatum", "birth_date", "x", "y", "strasse"}
        obs = store.observations(indicator_id=[i.id for i in store.indicators()
                                               if i.id.endswith("_synth")])
    finally:
        store.dispose()
    num, den = obs["numerator"].to_numpy(), obs["denominator"].to_numpy()
    for values in (num, den, den - num):
        v = values[~np.isnan(values)]
        assert not ((v > 0) & (v < 3)).any()  # no count 1 or 2, no denominator 1
    assert ((obs["denominator"] > 0) & (obs["denominator"] < 10) & obs["value"].notna()).sum() == 0
    # the number of records is only known as a total in the dataset
    assert len(obs) == 10 * 3 * (86 + 9 + 1)


# ----------------------------------------------------------------------- formats
def test_csv_xlsx_and_parquet_give_the_same_indicators(base_url: str, small_file: Path,
                                                       tmp_path: Path) -> None:
    table = pq.read_table(small_file)
    csv_path = tmp_path / "seu.csv"
    german = table.set_column(table.column_names.index("geburtsdatum"), "geburtsdatum",
                              pa.array([d.strftime("%d.%m.%Y") for d in
                                        table.column("geburtsdatum").to_pylist()]))
    german = german.set_column(german.column_names.index("sprache_defizit"),
                               "sprache_defizit",
                               pa.array(["ja" if v else "nein" for v in
                                         table.column("sprache_defizit").to_pylist()]))
    xs = [f"{v:.1f}".replace(".", ",") for v in table.column("x").to_pylist()]
    german = german.set_column(german.column_names.index("x"), "x", pa.array(xs))
    pacsv.write_csv(german, csv_path, write_options=pacsv.WriteOptions(delimiter=";"))
    xlsx_path = tmp_path / "seu.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Schuleingangsuntersuchung 2012 (Export)"])  # a title row
    ws.append(table.column_names)
    for row in table.to_pylist():
        ws.append(list(row.values()))
    wb.save(xlsx_path)
    results = {}
    for name, path in (("parquet", small_file), ("csv", csv_path), ("xlsx", xlsx_path)):
        url = copy_store(Path(base_url.removeprefix("sqlite:///")), tmp_path / f"{name}.db")
        result = _import(url, path)
        assert result.stats["used"] == N, name
        results[name] = _observations(url).sort_values(["indicator_id", "unit_id"]) \
            .reset_index(drop=True)
    for name in ("csv", "xlsx"):
        assert results[name][["unit_id", "numerator", "denominator", "status"]].equals(
            results["parquet"][["unit_id", "numerator", "denominator", "status"]]), name


def test_code_and_address_assignment_agree_with_coordinates(base_url: str, small_file: Path,
                                                            tmp_path: Path) -> None:
    table = pq.read_table(small_file)
    by_xy = _import(base_url, small_file)
    expected = _observations(base_url).sort_values(["indicator_id", "unit_id"]) \
        .reset_index(drop=True)
    # the same records without coordinates: district code
    codes = table.drop_columns(["x", "y"])
    code_path = tmp_path / "SYNTHETISCH_codes.parquet"
    pq.write_table(codes, code_path)
    again = _import(base_url, code_path)
    assert again.stats["assigned_by"] == {"code": N}
    got = _observations(base_url).sort_values(["indicator_id", "unit_id"]) \
        .reset_index(drop=True)
    assert got[["unit_id", "numerator", "denominator"]].equals(
        expected[["unit_id", "numerator", "denominator"]])
    # and by address through a street directory (one fictitious street per Stadtteil,
    # even numbers on one side, odd on the other); 1 % misspelled: reported, not dropped
    stt = table.column("stadtteil").to_pylist()
    streets = [f"Teststraße {c}" for c in stt]
    for k in range(0, N, 100):
        streets[k] = f"Testsrasse {stt[k]}"
    numbers = [str(1 + (k % 40)) + ("a" if k % 7 == 0 else "") for k in range(N)]
    address = codes.drop_columns(["stadtteil"]).append_column(
        "strasse", pa.array(streets)).append_column("hausnummer", pa.array(numbers))
    addr_path = tmp_path / "SYNTHETISCH_adressen.csv"
    pacsv.write_csv(address, addr_path, write_options=pacsv.WriteOptions(delimiter=";"))
    directory = tmp_path / "strassen.csv"
    lines = ["strasse;hausnummer_von;hausnummer_bis;seite;plz;gebiet"]
    for c in sorted(set(stt)):
        lines += [f"Teststr. {c};1;99;ungerade;;{c}", f"Test-Strasse {c};2;98;gerade;;{c}"]
    directory.write_text("\n".join(lines) + "\n", encoding="utf-8")
    by_address = _import(base_url, addr_path, streets=directory)
    assert by_address.stats["assigned_by"] == {"address": N - N // 100}
    assert by_address.stats["unmatched"] == N // 100
    assert by_address.stats["unmatched_by_reason"] == {"unknown_street": N // 100}
    note = " ".join(by_address.notes)
    assert "Straße nicht im Straßenverzeichnis" in note and "Zeile 2" in note
    assert "meinten Sie 'Teststr." in note
    store = open_store(base_url)
    try:
        ds = store.datasets()[-1]
        assert ds.details["records"]["unmatched"] == N // 100
        assert ds.details["records"]["unmatched_rate"] == pytest.approx(0.01)
    finally:
        store.dispose()
    del by_xy


def test_reimport_replaces_and_years_filter(base_url: str, small_file: Path,
                                            tmp_path: Path) -> None:
    first = _import(base_url, small_file)
    n = len(_observations(base_url, first.dataset.id))
    total = len(_observations(base_url))
    second = _import(base_url, small_file)
    assert second.dataset.revision == 2 and second.replaced == n
    assert len(_observations(base_url, second.dataset.id)) == n
    assert len(_observations(base_url)) == total  # replaced, nothing doubled
    none = _import(base_url, small_file, years="2012")
    assert none.stats["outside_years"] == 0
    table = pq.read_table(small_file)
    shifted = table.set_column(
        table.column_names.index("untersuchungsdatum"), "untersuchungsdatum",
        pa.array([d + timedelta(days=366) if k % 2 else d for k, d in
                  enumerate(table.column("untersuchungsdatum").to_pylist())], pa.date32()))
    two_years = tmp_path / "SYNTHETISCH_zwei.parquet"
    pq.write_table(shifted, two_years)
    only = _import(base_url, two_years, years="2013", dataset="zwei Jahre")
    assert only.periods == ["2013"] and only.stats["outside_years"] == N // 2


def test_school_year_periods(base_url: str, small_file: Path, tmp_path: Path) -> None:
    result = _import(base_url, small_file, schema=small_schema(*FINDINGS, period="schoolyear"))
    assert result.periods == ["2011/12"]
    obs = _observations(base_url, result.dataset.id)
    assert set(obs["period"]) == {"2011/12"}
