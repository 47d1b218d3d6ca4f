"""Display and exports (issue #18): exports are rounded to each indicator's decimals
unless full precision is asked for; exported files are readable by the group (0644
under the usual umask, not the 0600 of a temporary file); new count indicators are shown
without decimals."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import Aggregation, Dataset, Indicator
from kekiz.ingest.indicator_meta import MetadataPlan
from kekiz.settings import load_settings
from kekiz.web import create_app
from tests.services.test_monitoring import _build


@pytest.fixture
def url(tmp_path: Path) -> str:
    out = f"sqlite:///{tmp_path / 'precision.db'}"
    _build(out)
    k = Kekiz(load_settings({"store": out}, environ={}))
    with k.store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Genau", kind="indicators"))
        tx.upsert_indicators([
            Indicator("quote", "Quote", "rate", unit="%", decimals=1),
            Indicator("menschen", "Menschen", "people", unit="Personen",
                      aggregation=Aggregation.SUM, decimals=0)])
        tx.upsert_observations(pd.DataFrame({
            "indicator_id": ["quote", "quote", "menschen"], "unit_id": ["G00", "G01", "G00"],
            "period": "2021", "value": [12.3456, 7.25, 811334.4], "status": "ok",
            "dataset_id": ds.id}))
    k.close()
    return out


@pytest.fixture
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _export(url: str, out: Path, *extra: str) -> str:
    done = subprocess.run([sys.executable, "-m", "kekiz", "--store", url, "export", "-o",
                           str(out), "--level", "gemeinde", "--period", "2021", *extra],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8-sig")


def _values(text: str, indicator: str) -> list[str]:
    lines = [line.split(";") for line in text.splitlines()]
    head = lines[0]
    return [row[head.index("Wert")] for row in lines[1:] if row[head.index("Indikator")]
            == indicator]


def test_cli_export_rounds_to_the_indicator_unless_full_precision(
        url: str, tmp_path: Path, usual_umask: None) -> None:
    text = _export(url, tmp_path / "werte.csv")
    assert _values(text, "quote") == ["12,3", "7,3"]  # half up, as the pages show
    assert _values(text, "menschen") == ["811334"]
    full = _export(url, tmp_path / "voll.csv", "--full-precision")
    assert _values(full, "quote") == ["12,3456", "7,25"]
    assert _values(full, "menschen") == ["811334,4"]
    for name in ("werte.csv", "voll.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


@pytest.mark.parametrize("fmt", ["xlsx", "geojson", "gpkg"])
def test_other_export_formats_are_0644(url: str, tmp_path: Path, usual_umask: None,
                                       fmt: str) -> None:
    k = Kekiz(load_settings({"store": url}, environ={}))
    try:
        out = tmp_path / f"werte.{fmt}"
        k.data.export(out, level="gemeinde", period="2021")
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        if fmt == "geojson":
            feats = {f["properties"]["id"]: f["properties"]
                     for f in json.loads(out.read_text())["features"]}
            assert feats["G00"]["quote_2021"] == 12.3
            assert feats["G00"]["menschen_2021"] == 811334.0
    finally:
        k.close()


def test_web_download_rounds_unless_full_precision(url: str) -> None:
    with TestClient(create_app(load_settings({"store": url}, environ={}))) as client:
        base = "/api/v1/download?format=geojson&level=gemeinde&period=2021&indicator=quote"
        feats = {f["properties"]["id"]: f["properties"]
                 for f in client.get(base).json()["features"]}
        assert (feats["G00"]["quote_2021"], feats["G01"]["quote_2021"]) == (12.3, 7.3)
        full = {f["properties"]["id"]: f["properties"]
                for f in client.get(base + "&full_precision=true").json()["features"]}
        assert full["G00"]["quote_2021"] == 12.3456


def test_a_new_count_indicator_has_no_decimals() -> None:
    report = ValidationReport("werte.csv")
    for given in ({"unit": "Personen"}, {"aggregation": "sum"}):
        plan = MetadataPlan.of(given, {}, report)
        assert plan is not None
        assert plan.indicator("ew_gesamt", "EW").decimals == 0
    share = MetadataPlan.of({"unit": "%"}, {}, report)
    assert share is not None and share.indicator("quote_neu", "Q").decimals == 1
