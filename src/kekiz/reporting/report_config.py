"""The report configuration: sections, corporate colours and choices, from a small YAML file.

Example (every key optional)::

    title: "Sozialraumbericht Köln 2012"
    sections: [findings, indicators, monitoring, chain, goals, profiles, methods, sources]
    colours:
      primary: "#1f4e79"     # headings, lines
      accent: "#c0392b"      # highlighted unit, warnings
    indicators: [anteil_kinder_u6, seu_sprachdefizit_synth]
    score: seu_sprachdefizit_synth   # index classes, hot spots, priority districts
    level: stadtteil                 # the districts of the report
    classes: 5                       # map classes (2..9)
    max_indicators: 8
    max_profiles: 20                 # district profile pages (default: all)

Every problem is reported in German (and English) with the key, the value, what was
expected and how to fix it; all problems of a file are collected into one error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kekiz.domain.errors import ConfigurationError

__all__ = ["MUNICIPALITY_SECTIONS", "NETWORK_SECTIONS", "SECTIONS", "ReportConfig",
           "load_config", "parse_config"]

#: Section id -> (German, English) title; the order is the default order.
SECTIONS: dict[str, tuple[str, str]] = {
    "findings": ("Das Wichtigste in Kürze", "Key findings"),
    "network": ("Das Landesnetzwerk", "The state network"),
    "indicators": ("Karten und Indikatoren", "Maps and indicators"),
    "funnel": ("Auffällige Gebiete (Funnel-Plot)", "Unusual areas (funnel plot)"),
    "monitoring": ("Indexklassen, Hot Spots und Prioritätsgebiete",
                   "Index classes, hot spots and priority areas"),
    "chain": ("Präventionskette: Lücken", "Prevention chain: gaps"),
    "goals": ("Leitbild: Stand der Ziele", "Leitbild: status of the goals"),
    "profiles": ("Gebietsprofile", "Area profiles"),
    "methods": ("Methoden und Geheimhaltung", "Methods and disclosure control"),
    "sources": ("Datenquellen und Lizenzen", "Data sources and licences"),
}
MUNICIPALITY_SECTIONS = ("findings", "indicators", "funnel", "monitoring", "chain", "goals",
                         "profiles", "methods", "sources")
NETWORK_SECTIONS = ("findings", "network", "indicators", "funnel", "monitoring", "profiles",
                    "methods", "sources")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_KEYS = ("title", "sections", "colours", "indicators", "score", "level", "classes",
         "max_indicators", "max_profiles")
_COLOUR_KEYS = ("primary", "accent")


@dataclass
class ReportConfig:
    """Validated report settings; ``None`` means "choose from the data"."""

    title: str | None = None
    sections: list[str] | None = None
    colours: dict[str, str] = field(default_factory=lambda: {"primary": "#1f4e79",
                                                             "accent": "#c0392b"})
    indicators: list[str] | None = None
    score: str | None = None
    level: str | None = None
    classes: int = 5
    max_indicators: int = 8
    max_profiles: int | None = None
    source: str = ""

    def sections_for(self, kind: str) -> list[str]:
        """The sections of a report of ``kind`` (``municipality`` or ``network``)."""
        allowed = MUNICIPALITY_SECTIONS if kind == "municipality" else NETWORK_SECTIONS
        wanted = self.sections if self.sections is not None else list(allowed)
        return [s for s in wanted if s in allowed]


class _Problems:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.de: list[str] = []
        self.en: list[str] = []

    def add(self, key: str, value: Any, expected_de: str, expected_en: str, fix_de: str,
            fix_en: str) -> None:
        self.de.append(f"{self.origin}, Schlüssel '{key}': Wert {value!r}. Erwartet: "
                       f"{expected_de}. Abhilfe: {fix_de}.")
        self.en.append(f"{self.origin}, key '{key}': value {value!r}. Expected: "
                       f"{expected_en}. Fix: {fix_en}.")

    def raise_if_any(self) -> None:
        if self.de:
            head_de = f"Die Berichtskonfiguration ist fehlerhaft ({len(self.de)} Problem(e)):"
            head_en = f"The report configuration is invalid ({len(self.en)} problem(s)):"
            raise ConfigurationError("\n".join([head_de, *(f"- {p}" for p in self.de)]),
                                     message_en="\n".join([head_en,
                                                           *(f"- {p}" for p in self.en)]))


def _ids(p: _Problems, key: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        p.add(key, value, "eine Liste von Namen, z. B. [a, b]", "a list of names, e.g. [a, b]",
              f"'{key}: [name1, name2]' schreiben", f"write '{key}: [name1, name2]'")
        return None
    return list(value)


def _int(p: _Problems, key: str, value: Any, lo: int, hi: int | None) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo \
            or (hi is not None and value > hi):
        rng = f"{lo} bis {hi}" if hi is not None else f"mindestens {lo}"
        rng_en = f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        p.add(key, value, f"eine ganze Zahl, {rng}", f"a whole number, {rng_en}",
              f"z. B. '{key}: {lo if hi is None else min(max(lo, 5), hi)}'",
              f"e.g. '{key}: {lo if hi is None else min(max(lo, 5), hi)}'")
        return None
    return int(value)


def parse_config(data: Any, origin: str = "Berichtskonfiguration") -> ReportConfig:
    """A :class:`ReportConfig` from parsed YAML (a mapping); all problems in one error."""
    p = _Problems(origin)
    cfg = ReportConfig(source=origin)
    if data is None:
        return cfg
    if not isinstance(data, dict):
        p.add("(Datei)", type(data).__name__, "eine Zuordnung 'schlüssel: wert' (YAML-Mapping)",
              "a mapping 'key: value' (YAML mapping)", "die Datei wie im Beispiel der Doku "
              "aufbauen", "structure the file as in the documented example")
        p.raise_if_any()
    for key in data:
        if key not in _KEYS:
            p.add(str(key), data[key], f"einer der Schlüssel {', '.join(_KEYS)}",
                  f"one of the keys {', '.join(_KEYS)}", "den Schlüssel umbenennen oder löschen",
                  "rename or delete the key")
    if "title" in data:
        if not isinstance(data["title"], str) or not data["title"].strip():
            p.add("title", data["title"], "ein nicht leerer Text", "a non-empty text",
                  "'title: \"Sozialraumbericht 2024\"' schreiben",
                  "write 'title: \"Social report 2024\"'")
        else:
            cfg.title = data["title"].strip()
    sections = _ids(p, "sections", data.get("sections"))
    if sections is not None:
        bad = [s for s in sections if s not in SECTIONS]
        if bad:
            p.add("sections", bad, f"Abschnitte aus {', '.join(SECTIONS)}",
                  f"sections out of {', '.join(SECTIONS)}",
                  "unbekannte Abschnitte streichen oder richtig schreiben",
                  "remove or correct the unknown sections")
        cfg.sections = [s for s in sections if s in SECTIONS]
    colours = data.get("colours")
    if colours is not None:
        if not isinstance(colours, dict):
            p.add("colours", colours, "eine Zuordnung mit primary und accent",
                  "a mapping with primary and accent",
                  "'colours: {primary: \"#1f4e79\", accent: \"#c0392b\"}' schreiben",
                  "write 'colours: {primary: \"#1f4e79\", accent: \"#c0392b\"}'")
        else:
            for name, value in colours.items():
                key = f"colours.{name}"
                if name not in _COLOUR_KEYS:
                    p.add(key, value, f"einer der Farbschlüssel {', '.join(_COLOUR_KEYS)}",
                          f"one of the colour keys {', '.join(_COLOUR_KEYS)}",
                          "den Schlüssel umbenennen oder löschen", "rename or delete the key")
                elif not isinstance(value, str) or not _COLOUR.match(value):
                    p.add(key, value, "eine Farbe als #RRGGBB, z. B. \"#1f4e79\"",
                          "a colour as #RRGGBB, e.g. \"#1f4e79\"",
                          "die Farbe hexadezimal in Anführungszeichen angeben",
                          "give the colour in hex, in quotes")
                else:
                    cfg.colours[name] = value.lower()
    cfg.indicators = _ids(p, "indicators", data.get("indicators"))
    for key in ("score", "level"):
        value = data.get(key)
        if value is not None:
            if not isinstance(value, str) or not value.strip():
                p.add(key, value, "ein Name (Text)", "a name (text)",
                      f"'{key}: name' schreiben oder den Schlüssel löschen",
                      f"write '{key}: name' or delete the key")
            else:
                setattr(cfg, key, value.strip())
    if "classes" in data:
        cfg.classes = _int(p, "classes", data["classes"], 2, 9) or cfg.classes
    if "max_indicators" in data:
        cfg.max_indicators = _int(p, "max_indicators", data["max_indicators"], 1, 30) \
            or cfg.max_indicators
    if data.get("max_profiles") is not None:
        cfg.max_profiles = _int(p, "max_profiles", data["max_profiles"], 0, None)
    p.raise_if_any()
    return cfg


def load_config(path: Path | None) -> ReportConfig:
    """Read and validate a YAML report configuration (``None``: the defaults)."""
    if path is None:
        return ReportConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"Die Berichtskonfiguration {path} lässt sich nicht lesen ({exc.strerror}). "
            "Abhilfe: Pfad prüfen.",
            message_en=f"Cannot read the report configuration {path} ({exc.strerror}). "
            "Fix: check the path.") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", Zeile {mark.line + 1}, Spalte {mark.column + 1}" if mark else ""
        where_en = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigurationError(
            f"{path.name}{where}: kein gültiges YAML ({getattr(exc, 'problem', exc)}). "
            "Erwartet: Zeilen 'schlüssel: wert'. Abhilfe: Einrückung und Doppelpunkte prüfen.",
            message_en=f"{path.name}{where_en}: not valid YAML "
            f"({getattr(exc, 'problem', exc)}). Expected: lines 'key: value'. Fix: check "
            "indentation and colons.") from exc
    return parse_config(data, path.name)
