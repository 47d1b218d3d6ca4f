"""The YAML report configuration: valid files, and clear errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from kekiz.domain.errors import ConfigurationError
from kekiz.reporting.report_config import (
    MUNICIPALITY_SECTIONS,
    NETWORK_SECTIONS,
    ReportConfig,
    load_config,
    parse_config,
)


def test_defaults() -> None:
    cfg = load_config(None)
    assert cfg.colours == {"primary": "#1f4e79", "accent": "#c0392b"}
    assert cfg.max_profiles is None and cfg.classes == 5
    assert cfg.sections_for("municipality") == list(MUNICIPALITY_SECTIONS)
    assert cfg.sections_for("network") == list(NETWORK_SECTIONS)


def test_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "bericht.yaml"
    path.write_text(
        'title: "Sozialraumbericht Köln 2012"\n'
        "sections: [findings, indicators, network, profiles, sources]\n"
        'colours: {primary: "#003366", accent: "#AA0000"}\n'
        "indicators: [anteil_kinder_u6, seu_sprachdefizit_synth]\n"
        "score: seu_sprachdefizit_synth\nlevel: stadtteil\nclasses: 4\nmax_profiles: 3\n",
        encoding="utf-8")
    cfg = load_config(path)
    assert cfg.title == "Sozialraumbericht Köln 2012"
    assert cfg.colours == {"primary": "#003366", "accent": "#aa0000"}
    assert cfg.indicators == ["anteil_kinder_u6", "seu_sprachdefizit_synth"]
    assert (cfg.score, cfg.level, cfg.classes, cfg.max_profiles) == \
        ("seu_sprachdefizit_synth", "stadtteil", 4, 3)
    # 'network' is not a section of a municipality report; order is kept
    assert cfg.sections_for("municipality") == ["findings", "indicators", "profiles", "sources"]
    assert cfg.sections_for("network") == ["findings", "indicators", "network", "profiles",
                                           "sources"]


def test_errors_name_key_value_expected_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("farben: blau\ncolours: {primary: blue, accent: '#12345'}\n"
                    "classes: 12\nsections: [findings, karten]\nmax_profiles: -1\n",
                    encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_config(path)
    de = info.value.text("de")
    en = info.value.text("en")
    assert "(6 Problem(e))" in de
    assert "bad.yaml, Schlüssel 'farben': Wert 'blau'. Erwartet: einer der Schlüssel" in de
    assert "Schlüssel 'colours.primary': Wert 'blue'. Erwartet: eine Farbe als #RRGGBB" in de
    assert "Schlüssel 'colours.accent': Wert '#12345'" in de
    assert "Schlüssel 'classes': Wert 12. Erwartet: eine ganze Zahl, 2 bis 9" in de
    assert "Schlüssel 'sections': Wert ['karten']" in de
    assert "Schlüssel 'max_profiles': Wert -1" in de
    assert de.count("Abhilfe:") >= 5
    assert "key 'classes': value 12. Expected: a whole number, 2 to 9" in en
    assert "Fix:" in en


def test_not_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.yaml"
    path.write_text("title: [unclosed\nclasses: 3\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"kaputt\.yaml, Zeile \d+, Spalte \d+: kein "
                                                 r"gültiges YAML"):
        load_config(path)


def test_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="YAML-Mapping"):
        parse_config(["findings"], "liste.yaml")
    with pytest.raises(ConfigurationError, match="lässt sich nicht lesen"):
        load_config(tmp_path / "fehlt.yaml")


def test_bool_is_not_a_number() -> None:
    with pytest.raises(ConfigurationError, match="'classes': Wert True"):
        parse_config({"classes": True})
    assert parse_config(None) == ReportConfig(source="Berichtskonfiguration")
