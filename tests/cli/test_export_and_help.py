"""Exports in German Excel conventions and GIS formats; every command has an example."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from kekiz.cli.main import app, command_tree
from tests.inprocess import run_kekiz


@pytest.fixture(scope="module")
def demo_env(demo_module_url: str) -> dict[str, str]:
    return {**os.environ, "KEKIZ_STORE": demo_module_url}


def _kekiz(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_kekiz(args, env=env)


def test_csv_german_excel(demo_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "gisd.csv"
    done = _kekiz(demo_env, "export", "-o", str(out), "--indicator", "gisd_score",
                  "--level", "gemeinde", "--period", "2021")
    assert done.returncode == 0, done.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:3] == ["Schlüssel", "Gebiet", "Ebene"]
    frame = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Schlüssel": str})
    assert len(frame) == 396
    koeln = frame[frame["Schlüssel"] == "05315000"].iloc[0]
    assert 0 < koeln["Wert"] < 1 and "," in text.split("05315000")[1].splitlines()[0]


def test_xlsx_geojson_gpkg(demo_env: dict[str, str], tmp_path: Path) -> None:
    xlsx = tmp_path / "ew.xlsx"
    assert _kekiz(demo_env, "export", "-o", str(xlsx), "--indicator", "einwohner",
                  "--level", "kreis", "--period", "2022").returncode == 0
    frame = pd.read_excel(xlsx, dtype={"Schlüssel": str})
    assert len(frame) == 53 and frame["Wert"].sum() == 18_139_116
    for fmt in ("geojson", "gpkg"):
        out = tmp_path / f"kreise.{fmt}"
        done = _kekiz(demo_env, "export", "-o", str(out), "--indicator", "gisd_score",
                      "--level", "kreis")
        assert done.returncode == 0, done.stderr
        gdf = gpd.read_file(out)
        assert len(gdf) == 53 and gdf.crs.to_epsg() == 4326
        assert "gisd_score_2021" in gdf.columns
        assert gdf.loc[gdf["id"] == "05315", "gisd_score_1998"].notna().all()


def test_english_export_and_unknown_format(demo_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "en.csv"
    assert _kekiz(demo_env, "--lang", "en", "export", "-o", str(out), "--indicator",
                  "gisd_score", "--level", "kreis", "--period", "2020").returncode == 0
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("key,area,level")
    bad = _kekiz(demo_env, "export", "-o", str(tmp_path / "x.pdf"))
    assert bad.returncode == 1 and "Unbekanntes Format 'pdf'" in bad.stderr


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    click_group = command_tree() if not hasattr(group, "commands") else group
    found: list[tuple[str, ...]] = []
    for name, cmd in getattr(click_group, "commands", {}).items():
        if hasattr(cmd, "commands"):
            found += _commands(cmd, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_command_has_help_with_example() -> None:
    runner = CliRunner()
    commands = _commands(app)
    assert len(commands) >= 15
    for cmd in commands:
        result = runner.invoke(app, [*cmd, "--help"])
        assert result.exit_code == 0, cmd
        assert "Beispiel:" in result.output, f"{' '.join(cmd)} has no example"
