"""``kekiz records generate | import | audit | schema`` through the real command line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.records.conftest import CliResult, snapshot_of

SCHEMA = """
[findings.feinmotorik_defizit]
enabled = false
[findings.grobmotorik_defizit]
enabled = false
[findings.uebergewicht]
enabled = false
[findings.masern_vollstaendig]
enabled = false
[findings.u_vollstaendig]
enabled = false
[findings.kita_unter_2_jahre]
enabled = false
[findings.kein_kitabesuch]
enabled = false
[findings.familiensprache_nicht_deutsch]
enabled = false
"""


def test_generate_import_audit(cli: Callable[..., CliResult], base_url: str,
                               tmp_path: Path) -> None:
    done = cli(base_url, "records", "generate", "--out", tmp_path / "seu.parquet", "--years",
               "2012", "--seed", "3", "--records", "3000")
    assert done.code == 0, done.text
    path = tmp_path / "SYNTHETISCH_seu.parquet"
    assert path.exists()
    assert "SYNTHETISCH: 3.000 Datensätze geschrieben nach" in done.text
    assert "absichtlich kleine Gebiete" in done.text
    schema = tmp_path / "schema.toml"
    schema.write_text(SCHEMA, encoding="utf-8")
    done = cli(base_url, "records", "import", path, "--schema", schema, "--years", "2012")
    assert done.code == 0, done.text
    assert "3.000 Datensätze gelesen, 3.000 verwendet, 0 ohne Gebiet (0,00 %)" in done.text
    assert "Werte in 2 Tabellen" in done.text and "gesperrt" in done.text
    assert "SYNTHETISCHE Daten" in done.text
    done = cli(base_url, "records", "audit")
    assert done.code == 0, done.text
    assert re.search(r"\d+ veröffentlichte Tabellen, keine Verletzung", done.text)
    done = cli(base_url, "--lang", "en", "records", "audit", "--records", path, "--schema",
               schema, "--json")
    assert done.code == 0, done.text
    data = json.loads(done.out)
    assert data["passed"] is True and data["with_records"] is True and data["tables"] >= 2
    done = cli(base_url, "--lang", "en", "records", "import", path, "--schema", schema,
               "--json")
    data = json.loads(done.out)
    assert data["observations"] == 2 * 96 and data["synthetic"] is True
    assert data["records"]["unmatched_rate"] == 0.0


def test_bad_file_exit_code_and_message(cli: Callable[..., CliResult], base_url: str,
                                        tmp_path: Path) -> None:
    bad = tmp_path / "seu.csv"
    bad.write_text("id;geburtsdatum;untersuchungsdatum;x;y\n"
                   "A1;2006-03-01;2012-02-01;356000;5645000\n", encoding="utf-8")
    before = snapshot_of(base_url)
    done = cli(base_url, "records", "import", bad)
    assert done.code == 2
    assert "Import von seu.csv abgelehnt" in done.text
    assert "Pflichtspalte fehlt: Sprachauffälligkeiten" in done.text
    assert snapshot_of(base_url) == before
    done = cli(base_url, "--lang", "en", "records", "import", bad)
    assert done.code == 2 and "required column missing" in done.text
    done = cli(base_url, "records", "import", bad, "--years", "zwanzig")
    assert done.code == 1 and "--years 'zwanzig' ist ungültig" in done.text


def test_schema_template(cli: Callable[..., CliResult], base_url: str,
                         tmp_path: Path) -> None:
    done = cli(base_url, "records", "schema", "-o", tmp_path / "s.toml")
    assert done.code == 0
    text = (tmp_path / "s.toml").read_text(encoding="utf-8")
    assert "[findings.sprachdefizit]" in text and 'crs = "EPSG:25832"' in text
    done = cli(base_url, "records", "audit")
    assert done.code == 0  # nothing (or only the demo's protected tables) published
    done = cli(base_url, "records", "audit", "--records", tmp_path / "s.toml")
    assert done.code == 1 and "keinen importierten Datensatz" in done.text
