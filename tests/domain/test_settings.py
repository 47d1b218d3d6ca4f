"""Settings are typed: the dataclass fields are the table of settings, values are
converted to the declared type, and the precedence option > environment > file > default
holds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kekiz.domain.errors import ConfigurationError
from kekiz.settings import SETTINGS, Settings, load_settings


def test_the_fields_are_the_table_of_settings() -> None:
    fields = {f.name: f for f in dataclasses.fields(Settings) if f.name != "sources"}
    assert list(fields) == [s.name for s in SETTINGS]
    for s in SETTINGS:
        assert fields[s.name].default == s.default, s.name
        assert fields[s.name].type == s.type.__name__, s.name


def test_precedence_and_types(tmp_path: Path) -> None:
    (tmp_path / "kekiz.toml").write_text('min_frequency = 5\nlang = "en"\n',
                                         encoding="utf-8")
    got = load_settings({"lang": "de"}, environ={"KEKIZ_MIN_FREQUENCY": "7"}, cwd=tmp_path)
    assert got.min_frequency == 7 and isinstance(got.min_frequency, int)
    assert got.lang == "de"
    assert got.sources["min_frequency"] == "KEKIZ_MIN_FREQUENCY"
    assert got.sources["lang"] == "option"
    assert got.sources["store"] == "default"
    assert got.as_dict()["min_frequency"] == 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.lang = "en"  # type: ignore[misc]


def test_a_value_of_the_wrong_type_is_refused_with_its_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ={"KEKIZ_MAX_UPLOAD": "viel"}, cwd=tmp_path)
    assert "max_upload" in str(info.value) and "KEKIZ_MAX_UPLOAD" in str(info.value)
