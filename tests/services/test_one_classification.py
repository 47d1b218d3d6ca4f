"""One classification (issue #18): the classes of an indicator and period are the same in
`kekiz monitor classes`, the atlas (page model and GeoJSON API) and the report maps, with
the default scheme and with the breaks stored by a chosen classification."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from kekiz.analysis.classify import map_classes
from kekiz.app import Kekiz
from kekiz.domain.model import Dataset
from kekiz.reporting.report_config import ReportConfig
from kekiz.reporting.report_model import build_view
from kekiz.settings import load_settings
from kekiz.web import create_app

KOELN = "05315000"
LEVEL = "stadtteil"
#: shares with one decimal, a count and a rate per 1,000 (one period only)
INDICATORS = ["anteil_kinder_u18", "seu_sprachdefizit_synth", "einwohner_u3",
              "kitas_je_1000_3_6"]


@pytest.fixture(scope="module")
def demo_url(demo_module_url: str) -> str:
    """A copy of the session's demo store for this module."""
    return demo_module_url


@pytest.fixture
def kekiz(demo_url: str) -> Iterator[Kekiz]:
    k = Kekiz(load_settings({"store": demo_url}, environ={}))
    try:
        yield k
    finally:
        k.close()


def _cli(url: str, *args: str) -> dict[str, int]:
    done = subprocess.run([sys.executable, "-m", "kekiz", "--store", url, "monitor", "classes",
                           *args, "--json"], capture_output=True, text=True, check=False,
                          env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    return {r["unit_id"]: int(r["class"]) for r in rows}


def _report(k: Kekiz) -> dict[str, tuple[str, dict[str, int]]]:
    cfg = ReportConfig(indicators=list(INDICATORS), level=LEVEL)
    inp = k.reports.report_input(KOELN, cfg)
    view = build_view(inp, cfg)
    out = {}
    for d, v in zip(inp.indicators, view["indicators"], strict=True):
        out[d.indicator.id] = (d.period, {r["id"]: int(r["klass"]) for r in v["rows"]
                                          if r["klass"] != ""})
    return out


def _atlas(k: Kekiz, client: TestClient, ind: str, period: str) -> dict[str, int]:
    data = k.pages().atlas(LEVEL, ind, period)
    page = {str(r.id): int(r.klass) for r in data.units.itertuples() if r.klass is not None
            and str(r.klass) != "<NA>"}
    got = client.get("/api/v1/atlas", params={"level": LEVEL, "indicator": ind,
                                               "period": period})
    assert got.status_code == 200, got.text
    api = {f["properties"]["id"]: f["properties"]["class"] for f in got.json()["features"]
           if f["properties"]["class"] is not None}
    assert api == page
    return page


def test_default_classes_equal_in_cli_atlas_api_and_report(kekiz: Kekiz, demo_url: str,
                                                           tmp_path: Path) -> None:
    report = _report(kekiz)
    assert set(report) == set(INDICATORS)
    with TestClient(create_app(kekiz.settings)) as client:
        for ind in INDICATORS:
            period, in_report = report[ind]
            # before any `monitor classes`: the default scheme everywhere
            atlas = _atlas(kekiz, client, ind, period)
            assert len(atlas) >= 80
            assert atlas == in_report, ind
            # the CLI computes and stores the same classes (type-9 quintiles)
            cli = _cli(demo_url, "--indicator", ind, "--level", LEVEL, "--period", period)
            assert cli == atlas, ind
            assert max(cli.values()) == 5


def test_stored_breaks_of_a_chosen_method_reach_atlas_and_report(kekiz: Kekiz,
                                                                 demo_url: str) -> None:
    ind = "seu_sprachdefizit_synth"
    period = _report(kekiz)[ind][0]
    cli = _cli(demo_url, "--indicator", ind, "--level", LEVEL, "--period", period,
               "--method", "fisher_jenks", "--k", "4")
    assert max(cli.values()) == 4
    with TestClient(create_app(kekiz.settings)) as client:
        assert _atlas(kekiz, client, ind, period) == cli
    assert _report(kekiz)[ind][1] == cli


def test_map_classes_of_equal_values_is_one_class() -> None:
    clf = map_classes(pd.Series([7.0, 7.0, 7.0], index=["a", "b", "c"]), decimals=0)
    assert clf.classes.tolist() == [1, 1, 1] and clf.labels == ("7",)


def test_stored_breaks_of_values_imported_since_are_not_used(kekiz: Kekiz,
                                                              demo_url: str) -> None:
    ind = "kitas_je_1000_3_6"
    period = _report(kekiz)[ind][0]
    chosen = _cli(demo_url, "--indicator", ind, "--level", LEVEL, "--period", period,
                  "--method", "equal_interval", "--k", "3")
    assert max(chosen.values()) == 3
    # a new delivery of the same values after the classification: its breaks are stale
    obs = kekiz.store.observations(indicator_id=ind, level=LEVEL, period=period)
    with kekiz.store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Neue Lieferung", kind="indicators"))
        tx.upsert_observations(obs.assign(dataset_id=ds.id))
    default = kekiz.monitoring.compute_classes(ind, LEVEL, period, "quantile9", 5, None)
    expected = dict(zip(default.table["unit_id"], default.table["class"].astype(int),
                        strict=True))
    with TestClient(create_app(kekiz.settings)) as client:
        assert _atlas(kekiz, client, ind, period) == expected
    assert _report(kekiz)[ind][1] == expected
