"""The declared record schema: defaults, TOML overrides, errors that name the fix."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kekiz.domain.errors import ConfigurationError
from kekiz.records.schema import default_schema, load_schema, schema_from_mapping, schema_toml


def test_default_is_the_school_entrance_set_of_ten_indicators() -> None:
    schema = default_schema()
    assert [f.id for f in schema.findings] == [
        "sprachdefizit", "feinmotorik_defizit", "grobmotorik_defizit", "uebergewicht",
        "adipositas", "masern_vollstaendig", "u_vollstaendig", "kita_unter_2_jahre",
        "kein_kitabesuch", "familiensprache_nicht_deutsch"]
    assert schema.finding("uebergewicht").above == 90.0
    assert schema.finding("adipositas").above == 97.0
    assert "Kromeyer-Hauschild" in schema.finding("adipositas").definition_de
    assert schema.finding("familiensprache_nicht_deutsch").count is False
    assert schema.min_frequency == 3 and schema.min_denominator == 10
    assert schema.age_max == 10 and schema.crs == "EPSG:25832"
    for f in schema.findings:
        assert f.name_de and f.name_en and f.definition_de and f.definition_en


def test_toml_overrides_columns_findings_and_limits(tmp_path: Path) -> None:
    path = tmp_path / "schema.toml"
    path.write_text('''
name = "SEU Musterstadt"
period = "schoolyear"
[columns]
id = "lfd_nr"
birth_date = ["geb", "geburtsdatum"]
[coordinates]
crs = "EPSG:4326"
[limits]
max_unmatched = 0.05
[privacy]
min_denominator = 20
[values]
true = ["J", "ja"]
[findings.sprachdefizit]
column = "sprache"
[findings.grobmotorik_defizit]
enabled = false
[findings.hoeren_auffaellig]
name_de = "Auffälliger Hörtest"
name_en = "Abnormal hearing test"
kind = "flag"
column = "hoertest"
''', encoding="utf-8")
    schema = load_schema(path)
    assert schema.name == "SEU Musterstadt" and schema.period == "schoolyear"
    assert schema.columns["id"] == ("lfd_nr",)
    assert schema.columns["birth_date"] == ("geb", "geburtsdatum")
    assert schema.crs == "EPSG:4326" and schema.max_unmatched == 0.05
    assert schema.min_denominator == 20 and schema.true_values == ("j", "ja")
    ids = [f.id for f in schema.findings]
    assert "grobmotorik_defizit" not in ids and ids[-1] == "hoeren_auffaellig"
    assert schema.finding("sprachdefizit").column == ("sprache",)
    assert schema.finding("sprachdefizit").name_de.startswith("Sprachauffälligkeiten")
    assert schema.source == "schema.toml"
    assert schema.fingerprint() != default_schema().fingerprint()


@pytest.mark.parametrize(("text", "says"), [
    ("[privasy]\nmin_frequency = 5\n", "meinten Sie 'privacy'"),
    ("[privacy]\nmin_frequency = 'drei'\n", "ganze Zahl"),
    ("period = 'monat'\n", "schoolyear"),
    ("[limits]\nmax_unmatched = 5\n", "Anteil zwischen 0 und 1"),
    ("[findings.neu]\nname_de = 'x'\n", "name_en, kind"),
    ("[findings.sprachdefizit]\nkind = 'text'\n", "flag, range oder bmi"),
    ("[columns]\nidd = 'x'\n", "meinten Sie 'columns.id'"),
    ("name = \n", "keine gültige TOML-Datei"),
])
def test_bad_schema_names_key_and_fix(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_schema(path)
    message = err.value.text("de")
    assert "bad.toml" in message and says in message
    assert "Abhilfe" in message
    assert err.value.text("en") != message


def test_missing_schema_file() -> None:
    with pytest.raises(ConfigurationError, match="nicht gefunden"):
        load_schema(Path("/nonexistent/schema.toml"))


def test_schema_toml_round_trip() -> None:
    text = schema_toml()
    data = tomllib.loads(text)
    again = schema_from_mapping(data, origin="x")
    assert again.fingerprint() == default_schema().fingerprint()


# ------------------------------------------------------------------ relations (#20)
def test_default_relations_are_real_and_follow_the_findings() -> None:
    from kekiz.records.schema import DEFAULT_RELATIONS, Relation

    schema = default_schema()
    assert schema.relations == DEFAULT_RELATIONS
    nested = {r.findings for r in schema.relations if r.kind == "nested"}
    assert nested == {("adipositas", "uebergewicht"), ("kein_kitabesuch", "kita_unter_2_jahre")}
    # nested by definition: the same column and validity, a stricter threshold
    obese, over = schema.finding("adipositas"), schema.finding("uebergewicht")
    assert obese.column == over.column and obese.above > over.above  # type: ignore[operator]
    none, short = schema.finding("kein_kitabesuch"), schema.finding("kita_unter_2_jahre")
    assert none.column == short.column and none.below < short.below  # type: ignore[operator]
    assert (none.valid_min, none.valid_max) == (short.valid_min, short.valid_max)
    # switching a finding off drops its default relations; a population keeps the rest
    smaller = schema_from_mapping({"findings": {"adipositas": {"enabled": False}}})
    assert all("adipositas" not in r.findings for r in smaller.relations)
    assert Relation("nested", ("kein_kitabesuch", "kita_unter_2_jahre")) in smaller.relations
    population = [r for r in smaller.relations if r.kind == "population"]
    assert len(population) == 1 and len(population[0].findings) == 7


def test_relations_declared_in_toml(tmp_path: Path) -> None:
    from kekiz.records.schema import Relation

    path = tmp_path / "schema.toml"
    path.write_text('''
[findings.kita_kurz]
name_de = "Kita-Besuch ein halbes bis unter zwei Jahre"
name_en = "Day care half a year to under two years"
kind = "range"
column = "kita_jahre"
at_least = 0.5
below = 2

[[relations]]
kind = "partition"
parts = ["kein_kitabesuch", "kita_kurz"]

[[relations]]
kind = "nested"
inner = "adipositas"
outer = "uebergewicht"
''', encoding="utf-8")
    schema = load_schema(path)
    assert schema.relations == (Relation("partition", ("kein_kitabesuch", "kita_kurz")),
                                Relation("nested", ("adipositas", "uebergewicht")))
    again = schema_from_mapping(tomllib.loads(schema_toml(schema)))
    assert again.relations == schema.relations
    none = schema_from_mapping({"relations": []})
    assert none.relations == () and "relations = []" in schema_toml(none)
    assert schema_from_mapping(tomllib.loads(schema_toml(none))).relations == ()
    assert none.fingerprint() != default_schema().fingerprint()


@pytest.mark.parametrize("relations, says", [
    ([{"kind": "subset", "inner": "a"}], "'relations[1].kind' = 'subset'"),
    ([{"kind": "nested", "inner": "adipositas"}], "'relations[1].outer' = None"),
    ([{"kind": "nested", "inner": "adipositas", "outer": "uebergewicht", "x": 1}],
     "unbekannter Schlüssel 'relations[1].x'"),
    ([{"kind": "nested", "inner": "adipositaz", "outer": "uebergewicht"}],
     "meinten Sie 'adipositas'"),
    ([{"kind": "population", "findings": ["sprachdefizit"]}], "mindestens zwei"),
    ([{"kind": "partition", "parts": ["adipositas", "adipositas"]}], "verschiedene"),
    ([{"kind": "partition", "parts": ["adipositas", "uebergewicht"], "complete": "ja"}],
     "'relations[1].complete'"),
])
def test_bad_relations_name_the_entry(relations: list[dict[str, object]], says: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        schema_from_mapping({"relations": relations}, origin="s.toml")
    assert says in err.value.message and "s.toml" in err.value.message
