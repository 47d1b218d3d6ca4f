"""Reading HSDS 3.0 JSON: every problem with its JSON path (issue #5); round trips
through the export are tested in tests/prevention/test_hsds.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kekiz.domain.errors import ImportFailed
from kekiz.ingest.hsds import read_hsds


def _bad(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        read_hsds(path)
    return info.value.message + "\n" + info.value.message_en


def test_bad_hsds_json_gives_clear_messages(tmp_path: Path) -> None:
    text = _bad(tmp_path, '{"id": "a", "name": "x",\n "status": "active" "url": 1}')
    assert "bad.json, Zeile 2: kein gültiges JSON: Expecting ',' delimiter" in text
    assert "not valid JSON" in text

    svc = {"id": "5e3c1b9a-54a3-4d7a-9d52-2f1f1d3e9b10", "name": "Kurs",
           "status": "open", "minimum_age": "zwölf", "service_at_locations": {"id": "x"}}
    text = _bad(tmp_path, json.dumps({"contents": [svc, {"foo": 1},
                                                   {"id": "b", "name": "Kurs B",
                                                    "status": "active", "minimum_age": 9,
                                                    "maximum_age": 3},
                                                   {"name": "ohne id", "status": "active"}]}))
    assert "Spalte 'contents[0].status': 'open' Wert nicht erlaubt. Erwartet: einer von: " \
        "active, inactive, defunct, temporarily closed" in text
    assert "Spalte 'contents[0].minimum_age': 'zwölf' kein Zahlenwert" in text
    assert "Spalte 'contents[0].service_at_locations': '{\"id\": \"x\"}' keine Liste" in text
    assert "Spalte 'contents[1]': '{\"foo\": 1}' kein HSDS-Dokument erkannt" in text
    assert "Spalte 'contents[2].minimum_age': '9 > 3' Mindestalter größer als Höchstalter" \
        in text
    assert "Spalte 'contents[3].id': Pflichtfeld 'id' fehlt" in text
    assert "required field 'id' is missing" in text and "value not allowed" in text
    assert "abgelehnt (6 Probleme)" in text
