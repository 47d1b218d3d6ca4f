"""`kekiz index mss` (issue #3): the Berlin MSS 2013-2019 from the published shares, a
hand-computed example, and bad input that names file, row and column."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.inprocess import run_kekiz

MSS_DIR = "data/berlin_mss_2013_2019"
COLUMNS = ["id", "status_index", "status_class", "dynamics_index", "dynamics_class"]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return run_kekiz(args, columns=200)


def _published(shared_dir: Path, year: int) -> Path:
    name = f"berlin-lor-monitoring-social-urban-development-{year}-00"
    path = shared_dir / MSS_DIR / name / f"{name}-planning-areas.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path


def _without_repeated_columns(src: Path, dst: Path) -> list[str]:
    """The published file names 'inhabitants' twice (same values); kekiz rejects repeated
    column names, so the second copy is dropped.  Every other cell stays as published."""
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    keep = [i for i, name in enumerate(rows[0]) if name not in rows[0][:i]]
    with dst.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[r[i] for i in keep] for r in rows])
    return [rows[0][i] for i in keep]


def _read_result(path: Path) -> pd.DataFrame:
    # German Excel CSV: semicolon, decimal comma, UTF-8 with BOM
    return pd.read_csv(path, sep=";", decimal=",", dtype={"id": str}, encoding="utf-8-sig")


@pytest.mark.parametrize("year", [2013, 2015, 2017, 2019])
def test_berlin_mss_classes_reproduced(shared_dir: Path, tmp_path: Path, year: int) -> None:
    source = tmp_path / f"mss_{year}.csv"
    header = _without_repeated_columns(_published(shared_dir, year), source)
    status = [c for c in header if c[0] == "s" and c[1].isdigit() and c[2] == "_"]
    dynamics = [c for c in header if c[0] == "d" and c[1].isdigit() and c[2] == "_"]
    # 2013-2017: s1..s4 and d1..d4; 2019: three shares (no long-term unemployment)
    assert len(status) == len(dynamics) == (3 if year == 2019 else 4)
    out = tmp_path / f"out_{year}.csv"
    done = _run(["index", "mss", str(source), "--id", "id", "--population", "inhabitants",
                 "--status", ",".join(status), "--dynamics", ",".join(dynamics),
                 "--min-population", "300", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert "Ergebnis:" in done.stdout and "sehr niedrig" in done.stdout
    result = _read_result(out)
    assert list(result.columns) == COLUMNS + [f"z_{c}" for c in status + dynamics]
    published = pd.read_csv(source, dtype={"id": str}).set_index("id")
    result = result.set_index("id").reindex(published.index)
    status_rate = (result["status_class"] == published["status_index"]).mean()
    dyn_published = published["dynamic_index"].map({"+": 1, "+/-": 2, "-": 3})
    dyn_rate = (result["dynamics_class"] == dyn_published).mean()
    assert status_rate >= 0.99, f"{year}: status classes match {status_rate:.2%}"
    assert dyn_rate >= 0.99, f"{year}: dynamics classes match {dyn_rate:.2%}"
    # the published z-scores of the shares (population SD, 5 decimals)
    for col in status:
        diff = (result[f"z_{col}"] - published[f"z_{col}"].astype(float)).abs()
        assert diff.max() < 2e-5, col


def test_hand_computed_with_exclusions(tmp_path: Path) -> None:
    src = tmp_path / "gebiete.csv"
    src.write_text("Schlüssel;EW;Anteil;Veränderung\n"
                   "A;1000;1,0;0,5\nB;1000;2,0;0,0\nC;1000;3,0;0,0\nD;1000;4,0;-0,5\n"
                   "klein;200;10,0;1,0\nX;900;2,5;0,1\nleer;800;;0,2\n", encoding="utf-8")
    out = tmp_path / "ergebnis.csv"
    done = _run(["index", "mss", str(src), "--id", "Schlüssel", "--population", "EW",
                 "--status", "Anteil", "--dynamics", "Veränderung", "--exclude", "X",
                 "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert "klein: weniger als 300 Einwohner (200)" in done.stdout
    assert "X: ausdrücklich ausgeschlossen" in done.stdout
    assert "leer: fehlende Werte in Anteil" in done.stdout
    result = _read_result(out).set_index("id")
    # shares 1, 2, 3, 4: mean 2.5, population SD sqrt(1.25) = 1.118034
    z = [(v - 2.5) / 1.25 ** 0.5 for v in (1, 2, 3, 4)]
    assert result.loc[["A", "B", "C", "D"], "status_index"].tolist() == pytest.approx(z)
    assert result.loc[["A", "B", "C", "D"], "z_Anteil"].tolist() == pytest.approx(z)
    # -1.342 hoch, -0.447 / 0.447 mittel, 1.342 niedrig (1 < x <= 1.5)
    assert result.loc[["A", "B", "C", "D"], "status_class"].tolist() == [1, 2, 2, 3]
    # changes 0.5, 0, 0, -0.5: SD sqrt(0.125) = 0.353553 -> z 1.414 negativ, -1.414 positiv
    dz = result.loc[["A", "B", "C", "D"], "dynamics_index"].tolist()
    assert dz == pytest.approx([2 ** 0.5, 0.0, 0.0, -(2 ** 0.5)])
    assert result.loc[["A", "B", "C", "D"], "dynamics_class"].tolist() == [3, 2, 2, 1]
    assert result.loc[["klein", "X", "leer"], "status_index"].isna().all()
    # the same as XLSX, numbers as numbers
    xlsx = tmp_path / "ergebnis.xlsx"
    done = _run(["index", "mss", str(src), "--id", "Schlüssel", "--population", "EW",
                 "--status", "Anteil", "--dynamics", "Veränderung", "--exclude", "X",
                 "-o", str(xlsx)])
    assert done.returncode == 0, done.stderr
    sheet = pd.read_excel(xlsx, dtype={"id": str}).set_index("id")
    assert sheet.loc[["A", "B", "C", "D"], "status_class"].tolist() == [1, 2, 2, 3]
    assert sheet.loc["A", "status_index"] == pytest.approx(z[0])


def test_missing_column_is_rejected_with_file_and_column(tmp_path: Path) -> None:
    src = tmp_path / "plr.csv"
    src.write_text("id;ew;s1\n1;500;2,5\n2;600;3,5\n", encoding="utf-8")
    done = _run(["index", "mss", str(src), "--id", "id", "--population", "ew",
                 "--status", "s1,s2", "-o", str(tmp_path / "out.csv")])
    assert done.returncode == 2
    assert "plr.csv" in done.stderr and "Spalte 's2'" in done.stderr
    assert "Spalte nicht gefunden" in done.stderr and "vorhanden: id, ew, s1" in done.stderr
    assert not (tmp_path / "out.csv").exists()


def test_text_in_a_share_column_is_rejected_with_row_and_column(tmp_path: Path) -> None:
    src = tmp_path / "plr.csv"
    src.write_text("id;ew;s1;s2\n1;500;2,5;1\n2;600;viel;2\n3;700;1,5;3\n", encoding="utf-8")
    done = _run(["index", "mss", str(src), "--id", "id", "--population", "ew",
                 "--status", "s1,s2", "-o", str(tmp_path / "out.csv")])
    assert done.returncode == 2
    assert "plr.csv, Zeile 3, Spalte 's1': 'viel' kein Zahlenwert" in done.stderr
    assert not (tmp_path / "out.csv").exists()
    english = _run(["--lang", "en", "index", "mss", str(src), "--id", "id", "--status",
                    "s1,s2", "-o", str(tmp_path / "out.csv")])
    assert english.returncode == 2
    assert "plr.csv, row 3, column 's1': 'viel' not a number" in english.stderr
