"""HSDS 3.0 import and export of the service directory (issue #5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kekiz.demo.offers import synthetic_offers
from kekiz.domain.errors import ValidationReport
from kekiz.ingest.directory import read_directory
from kekiz.ingest.hsds import parse_hsds
from kekiz.prevention.hsds import export_hsds
from tests.prevention.conftest import Validate

EXAMPLES = ["base", "location", "organization_full", "organization_list",
            "service_at_location_full", "service_at_location_list", "service_full",
            "service_list", "tabular", "taxonomy", "taxonomy_list", "taxonomy_term",
            "taxonomy_term_list"]


def _leaves(x: Any, path: str = "") -> set[tuple[str, str]]:
    """Every (path, JSON value) of a document; list items keyed by their id."""
    out: set[tuple[str, str]] = set()
    if isinstance(x, dict):
        for k, v in x.items():
            out |= _leaves(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            key = v.get("id", i) if isinstance(v, dict) else i
            out |= _leaves(v, f"{path}[{key}]")
    else:
        out.add((path, json.dumps(x)))
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_hsds_examples_round_trip_without_losing_fields(hsds_dir: Path, name: str) -> None:
    data = json.loads((hsds_dir / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    report = ValidationReport(f"{name}.json")
    directory = parse_hsds(data, report)
    assert report.ok, report.render()
    again = export_hsds(directory)  # the shape it came in
    if name == "tabular":
        for table, rows in data.items():
            got = {r["id"]: r for r in again[table]}
            for row in rows:
                assert {k: got[row["id"]].get(k) for k in row} == row, (table, row["id"])
        return
    if isinstance(data, dict) and "contents" in data:
        assert {k: again[k] for k in data if k != "contents"} == \
            {k: v for k, v in data.items() if k != "contents"}
        data, again = data["contents"], again["contents"]
    lost = _leaves(data) - _leaves(again)
    assert not lost, sorted(lost)[:10]


@pytest.mark.parametrize("name,schema", [("service_full", "compiled/service"),
                                         ("organization_full", "compiled/organization"),
                                         ("service_at_location_full",
                                          "compiled/service_at_location"),
                                         ("location", "location")])
def test_reexported_examples_still_validate(hsds_dir: Path, hsds_validate: Validate,
                                            name: str, schema: str) -> None:
    data = json.loads((hsds_dir / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    assert hsds_validate(schema, data) == []  # the example itself is valid
    again = export_hsds(parse_hsds(data, ValidationReport(name)))
    assert hsds_validate(schema, again) == []


def _validate_all(directory: Any, hsds_validate: Validate) -> int:
    page = export_hsds(directory, "services")
    checked = 0
    for doc in page["contents"]:
        assert hsds_validate("compiled/service", doc) == [], doc["name"]
        checked += 1
    for doc in export_hsds(directory, "organizations")["contents"]:
        assert hsds_validate("compiled/organization", doc) == [], doc["name"]
    tables = export_hsds(directory, "tabular")
    by_path = {"service_at_location.csv": "service_at_location",
               "taxonomies.csv": "taxonomy", "funding.csv": "funding",
               "accessibility.csv": "accessibility", "addresses.csv": "address"}
    for path, rows in tables.items():
        table = by_path.get(path, path.removesuffix(".csv").removesuffix("s"))
        for row in rows:
            assert hsds_validate(table, row) == [], (path, row)
    return checked


def test_exported_directory_validates_against_hsds_schemas(good_csv: Path,
                                                           hsds_validate: Validate) -> None:
    directory = read_directory(good_csv).directory
    assert _validate_all(directory, hsds_validate) == 4
    page = export_hsds(directory, "services")
    fz = next(d for d in page["contents"] if d["name"] == "Familienzentrum Nippes")
    assert fz["minimum_age"] == 0 and fz["maximum_age"] == 6
    assert fz["organization"]["name"] == "Stadt Köln"
    loc = fz["service_at_locations"][0]["location"]
    assert (loc["latitude"], loc["longitude"]) == (50.961, 6.952)
    assert loc["addresses"][0]["postal_code"] == "50733"
    assert {lang["code"] for lang in fz["languages"]} == {"de", "tr"}
    assert fz["cost_options"][0]["amount"] == 0
    codes = {a["taxonomy_term"]["code"]: a["value"] for a in fz["attributes"]}
    assert codes["kekiz:life_phase:0-3"] == "0-3" and codes["kekiz:capacity"] == "40"
    assert codes["kekiz:sector:youth_welfare"] == "youth_welfare"
    assert codes["kekiz:transition:family-kita"] == "family-kita"
    assert codes["kekiz:published"] == "true"


def test_synthetic_directory_validates_too(hsds_validate: Validate) -> None:
    directory = synthetic_offers(scale=0.2)
    assert _validate_all(directory, hsds_validate) == len(directory.services)


def test_kekiz_fields_survive_export_and_import(good_csv: Path) -> None:
    directory = read_directory(good_csv).directory
    for shape in ("services", "organizations", "tabular"):
        data = json.loads(json.dumps(export_hsds(directory, shape)))
        report = ValidationReport("x.json")
        back = parse_hsds(data, report)
        assert report.ok, report.render()
        assert back.services == directory.services, shape
        assert back.locations.keys() == directory.locations.keys(), shape
        assert {k: v.unit_id for k, v in back.locations.items()} == \
            {k: v.unit_id for k, v in directory.locations.items()}
        cols = ["offer_id", "name", "life_phases", "capacity", "age_min", "age_max",
                "languages", "cost", "published", "unit_id", "address", "schedule"]
        a = directory.offers()[cols].sort_values("offer_id").reset_index(drop=True)
        b = back.offers()[cols].sort_values("offer_id").reset_index(drop=True)
        assert a.equals(b), shape


def test_only_published_export(good_csv: Path) -> None:
    directory = read_directory(good_csv).directory
    names = {d["name"] for d in export_hsds(directory, "services",
                                            only_published=True)["contents"]}
    assert "Elternkurs Starke Eltern" not in names and len(names) == 3


def test_non_uuid_ids_are_exported_as_stable_uuids(hsds_validate: Validate) -> None:
    data = {"id": "org-1", "name": "Träger", "description": "",
            "services": [{"id": "svc-1", "name": "Kurs", "status": "active"}]}
    report = ValidationReport("x.json")
    directory = parse_hsds(data, report)
    assert report.ok and any("keine UUIDs" in n for n in report.notes)
    out = export_hsds(directory)
    assert hsds_validate("compiled/organization", out) == []
    again = export_hsds(directory)
    assert out["id"] == again["id"] != "org-1"
    assert out["services"][0]["organization_id"] == out["id"]
