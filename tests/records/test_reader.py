"""Reading record files in chunks: encodings, separators, formats, chunk size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kekiz.domain.errors import ImportFailed
from kekiz.ingest.records import read_records
from kekiz.records.assign import CodeIndex
from kekiz.records.scan import scan_records
from kekiz.records.schema import schema_from_mapping

IDS = ["K-101", "K-102", "K-201"]
CODES = CodeIndex(IDS, {"local": {"101": IDS[0], "102": IDS[1], "201": IDS[2]}})
SCHEMA = schema_from_mapping({
    "columns": {"id": "lfd_nr"}, "assignment": ["code"],
    "findings": {f: {"enabled": False} for f in (
        "feinmotorik_defizit", "grobmotorik_defizit", "uebergewicht", "adipositas",
        "masern_vollstaendig", "u_vollstaendig", "kein_kitabesuch",
        "familiensprache_nicht_deutsch")}}, origin="test.toml")

ROWS = [
    ("A1", "17.05.2006", "01.03.2012", "w", "101", "ja", "1,5", "Müllerstraße"),
    ("A2", "2006-01-02", "2012-02-01", "m", "101", "nein", "3", "Zülpicher Str."),
    ("A3", "03.04.06", "05.03.2012", "m", "102", "", "0", "Aachener Straße"),
    ("A4", "2005-12-24", "2012-01-09", "w", "201", "1", "2", ""),
    ("A5", "2006-07-07", "2012-06-30", "d", "201", "0", "", "Weg"),
]
HEADER = ("lfd_nr", "geburtsdatum", "untersuchungsdatum", "geschlecht", "stadtteil",
          "sprache_defizit", "kita_jahre", "strasse")


def _write(path: Path, sep: str, encoding: str, rows: list[tuple[str, ...]] = ROWS) -> Path:
    quoted = [[f'"{v}"' if sep in v else v for v in r] for r in [HEADER, *rows]]
    text = "\n".join(sep.join(r) for r in quoted) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def _scan(path: Path, chunk: int = 100_000):  # type: ignore[no-untyped-def]
    return scan_records(read_records(path), SCHEMA, n_leaves=3, polygons=None, codes=CODES,
                        streets=None, chunk_rows=chunk)


@pytest.mark.parametrize(("sep", "encoding"), [(";", "cp1252"), (",", "utf-8"),
                                               ("\t", "utf-8-sig"), (";", "utf-16")])
def test_separators_encodings_and_german_formats(tmp_path: Path, sep: str,
                                                 encoding: str) -> None:
    scan = _scan(_write(tmp_path / "seu.csv", sep, encoding))
    assert scan.stats.rows == 5 and scan.stats.used == 5 and scan.stats.invalid == 0
    c = scan.counts
    lang = c.indicators.index("sprachdefizit")
    kita = c.indicators.index("kita_unter_2_jahre")
    assert c.periods == ["2012"]
    assert c.num[:, 0, lang].tolist() == [1, 0, 1] and c.den[:, 0, lang].tolist() == [2, 0, 2]
    assert c.num[:, 0, kita].tolist() == [1, 1, 0] and c.den[:, 0, kita].tolist() == [2, 1, 1]


def test_counts_do_not_depend_on_the_chunk_size(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    rows = []
    for k in range(500):
        rows.append((f"R{k}", f"2006-0{1 + k % 9}-1{k % 10}", f"201{1 + k % 2}-03-0{1 + k % 9}",
                     "m", ["101", "102", "201"][int(rng.integers(3))],
                     ["ja", "nein", ""][int(rng.integers(3))], str(int(rng.integers(5))), ""))
    path = _write(tmp_path / "viele.csv", ";", "utf-8", rows)
    big = _scan(path)
    small = _scan(path, chunk=7)
    assert big.counts.periods == small.counts.periods
    assert np.array_equal(big.counts.num, small.counts.num)
    assert np.array_equal(big.counts.den, small.counts.den)
    assert big.stats.to_dict() == small.stats.to_dict()
    # a duplicate across chunks is still found
    dup = _write(tmp_path / "dup.csv", ";", "utf-8", [*rows, rows[3]])
    with pytest.raises(ImportFailed, match=r"Zeile 502, Spalte 'lfd_nr': 'R3' "
                                           r"Datensatz-Kennung doppelt – schon in Zeile 5"):
        _scan(dup, chunk=7)


def test_row_with_too_many_fields(tmp_path: Path) -> None:
    path = tmp_path / "felder.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join(ROWS[0]) + "\n"
                    + ";".join(ROWS[1]) + ";zuviel\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="Zeile hat nicht so viele Felder"):
        _scan(path)
