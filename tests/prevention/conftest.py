"""Fixtures of the prevention-chain tests (issue #5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Validate = Callable[[str, Any], list[str]]


@pytest.fixture(scope="session")
def hsds_dir(shared_dir: Path) -> Path:
    path = shared_dir / "specs" / "hsds-3.0"
    if not path.is_dir():
        pytest.skip(f"HSDS 3.0 schemas not found at {path}")
    return path


@pytest.fixture(scope="session")
def hsds_validate(hsds_dir: Path) -> Validate:
    """validate(schema_name, instance) -> list of error texts, against HSDS 3.0.

    ``schema_name`` is ``compiled/service`` (fully nested documents) or a table such as
    ``phone`` (rows of the tabular form; refs between the schema files are resolved).
    """
    import jsonschema
    import referencing
    from referencing.jsonschema import DRAFT202012

    resources = []
    schemas: dict[str, Any] = {}
    for f in sorted((hsds_dir / "schema").glob("*.json")):
        if f.name == "openapi.json":
            continue
        contents = json.loads(f.read_text(encoding="utf-8"))
        schemas[f.stem] = contents
        resources.append((f.name, referencing.Resource.from_contents(
            contents, default_specification=DRAFT202012)))
    for f in sorted((hsds_dir / "schema" / "compiled").glob("*.json")):
        schemas[f"compiled/{f.stem}"] = json.loads(f.read_text(encoding="utf-8"))
    registry = referencing.Registry().with_resources(resources)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER

    def validate(name: str, instance: Any) -> list[str]:
        validator = jsonschema.Draft202012Validator(schemas[name], registry=registry,
                                                    format_checker=checker)
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(instance)]

    return validate


CSV_GOOD = """Kennung;Angebot;Träger;Lebensphase;Übergang;Bereich;Plätze;Alter von;Alter bis;\
Zielgruppen;Themen;Sprachen;Kosten;Öffnungszeiten;Straße;PLZ;Ort;Stadtteil;lat;lon;\
veröffentlicht;E-Mail;Telefon
FZ1;Familienzentrum Nippes;Stadt Köln;0-3, 3-6;Familie → Kita;Kinder- und Jugendhilfe;40;0;\
6;Familien;Familienbildung, Beratung;Deutsch, Türkisch;kostenlos;Mo–Fr 8–16 Uhr;\
Neusser Str. 1;50733;Köln;05315000-505;50,9610;6,9520;ja;fz@example.de;0221 123
HB1;Hebammensprechstunde;Gesundheitsamt;Schwangerschaft;;Gesundheit;;;;Schwangere;\
Geburtsvorbereitung;Deutsch;0;Di 10–12 Uhr;;;;05315000-101;50,9400;6,9600;ja;;
EK1;Elternkurs Starke Eltern;Kinderschutzbund;;;Soziales;12;2,5;12;Eltern;Erziehung;\
Deutsch, Arabisch;25 €;;;;;;;;nein;;
SP1;Sprachförderung Kalk;Stadt Köln;;Kita → Grundschule;Bildung;15;6 Monate;6,5;;\
Sprachförderung;Deutsch;0;;Kalker Hauptstr. 2;51103;Köln;05315000-801;50,9380;7,0050;ja;;
"""


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    path = tmp_path / "angebote.csv"
    path.write_text(CSV_GOOD, encoding="utf-8")
    return path
