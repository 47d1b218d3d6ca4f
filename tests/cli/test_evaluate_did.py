"""`kekiz evaluate did` on R did's mpdta reproduces the published numbers (issue #7)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.inprocess import run_kekiz

ATT_GT = {
    (2004, 2004): -0.0105, (2004, 2005): -0.0704, (2004, 2006): -0.1373,
    (2004, 2007): -0.1008, (2006, 2004): 0.0065, (2006, 2005): -0.0028,
    (2006, 2006): -0.0046, (2006, 2007): -0.0412, (2007, 2004): 0.0305,
    (2007, 2005): -0.0027, (2007, 2006): -0.0311, (2007, 2007): -0.0261,
}


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return run_kekiz(args)


def test_mpdta_through_the_command(refdata: Path, tmp_path: Path) -> None:
    out = tmp_path / "did.json"
    done = _run(["evaluate", "did", str(refdata / "mpdta" / "mpdta.csv"), "--outcome", "lemp",
                 "--unit", "countyreal", "--time", "year", "--group", "first.treat",
                 "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert "ATT gesamt" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert round(data["simple"]["att"], 4) == -0.0400
    assert round(data["dynamic"]["att"], 4) == -0.0772
    assert round(data["group"]["att"], 4) == -0.0310
    assert round(data["calendar"]["att"], 4) == -0.0417
    events = [0.0305, -0.0006, -0.0245, -0.0199, -0.0510, -0.1373, -0.1008]
    assert [round(data["dynamic"]["by_event"][str(e)]["att"], 4)
            for e in range(-3, 4)] == events
    assert {g: round(v["att"], 4) for g, v in data["group"]["by_group"].items()} == {
        "2004": -0.0797, "2006": -0.0229, "2007": -0.0261}
    assert {t: round(v["att"], 4) for t, v in data["calendar"]["by_time"].items()} == {
        "2004": -0.0105, "2005": -0.0704, "2006": -0.0488, "2007": -0.0371}
    got = {(c["group"], c["time"]): round(c["att"], 4) for c in data["att_gt"]}
    assert got == ATT_GT
    assert data["pretest_p"] == pytest.approx(0.16812, abs=0.005)
    for key in ("simple", "dynamic", "group", "calendar"):
        assert data[key]["se"] > 0


def test_mpdta_with_covariate(refdata: Path, tmp_path: Path) -> None:
    out = tmp_path / "did.json"
    done = _run(["evaluate", "did", str(refdata / "mpdta" / "mpdta.csv"), "--outcome", "lemp",
                 "--unit", "countyreal", "--time", "year", "--group", "first.treat",
                 "--covariates", "lpop", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    got = {(c["group"], c["time"]): round(c["att"], 4) for c in data["att_gt"]}
    assert got[(2004, 2004)] == -0.0145
    assert got[(2007, 2007)] == -0.0288
    assert data["pretest_p"] == pytest.approx(0.23267, abs=0.005)


def test_bad_column_names_the_problem(refdata: Path, tmp_path: Path) -> None:
    done = _run(["evaluate", "did", str(refdata / "mpdta" / "mpdta.csv"), "--outcome", "lempx",
                 "--unit", "countyreal", "--time", "year", "--group", "first.treat",
                 "-o", str(tmp_path / "x.json")])
    assert done.returncode == 2
    assert "mpdta.csv" in done.stderr and "Spalte 'lempx'" in done.stderr
    assert "Abhilfe" in done.stderr
    assert not (tmp_path / "x.json").exists()
