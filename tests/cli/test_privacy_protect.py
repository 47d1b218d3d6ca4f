"""`kekiz privacy protect` on sdcTable's microdata1 reproduces the reference (issue #4)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd

from tests.inprocess import run_kekiz


def _protect(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_kekiz(["privacy", "protect", str(src), "--by", "region,gender", "-o", str(out),
                      *extra])


def _status(out: Path) -> dict[tuple[str, str], str]:
    frame = pd.read_csv(out, dtype=str)
    return {(r.region, r.gender): r.status for r in frame.itertuples()}


def test_frequency_rule_and_secondary_pattern(refdata: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    done = _protect(refdata / "sdc" / "microdata1.csv", out)
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(out, dtype=str)
    assert list(frame.columns) == ["region", "gender", "count", "status"]
    assert len(frame) == 15  # (Insgesamt, A..D) x (Insgesamt, female, male)
    status = _status(out)
    assert {k for k, v in status.items() if v == "primary"} == {("A", "female")}
    assert {k for k, v in status.items() if v == "secondary"} == {
        ("A", "male"), ("C", "male"), ("C", "female")}
    published = frame[frame.status == "published"]
    assert (published["count"].astype(int) >= 3).all()
    assert (frame.loc[frame.status != "published", "count"] == ".").all()
    margins = frame[(frame.region == "Insgesamt") & (frame.gender == "Insgesamt")]
    assert margins["count"].tolist() == ["100"]


def test_dominance_and_p_percent(refdata: Path, tmp_path: Path) -> None:
    for rule in (["--dominance", "2,75"], ["--p-percent", "70"]):
        out = tmp_path / f"out{rule[0]}.csv"
        done = _protect(refdata / "sdc" / "microdata1.csv", out, "--value", "val",
                        "--min-frequency", "0", *rule)
        assert done.returncode == 0, done.stderr
        primary = {k for k, v in _status(out).items() if v == "primary"}
        assert primary == {("A", "female"), ("D", "male")}, rule


def test_english_labels_and_missing_column(refdata: Path, tmp_path: Path) -> None:
    out = tmp_path / "en.csv"
    done = run_kekiz(["--lang", "en", "privacy", "protect",
                      str(refdata / "sdc" / "microdata1.csv"), "--by", "region,gender",
                      "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert "Total" in set(pd.read_csv(out, dtype=str)["region"])
    bad = _protect(refdata / "sdc" / "microdata1.csv", tmp_path / "x.csv", "--value", "nope")
    assert bad.returncode == 2 and "Spalte 'nope'" in bad.stderr
    assert not (tmp_path / "x.csv").exists()
