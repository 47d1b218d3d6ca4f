"""Settings in one table: name, default, type, help (German, English).

Precedence: command-line option > environment variable ``KEKIZ_<NAME>`` > ``kekiz.toml``
in the working directory (or the file named by ``KEKIZ_CONFIG``) > default.  Secrets are
read only from the environment, never from the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kekiz.domain.errors import ConfigurationError

__all__ = ["SETTINGS", "Setting", "Settings", "load_settings"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    type: type
    help_de: str
    help_en: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "sqlite:///kekiz.db", str,
            "Adresse des Stores: sqlite:///datei.db oder postgresql+psycopg://benutzer@host/db",
            "Store URL: sqlite:///file.db or postgresql+psycopg://user@host/db"),
    Setting("lang", "de", str, "Sprache der Ausgaben: de oder en",
            "Language of output: de or en"),
    Setting("metric_crs", "EPSG:25832", str,
            "Metrisches Koordinatensystem für Abstände und Flächen",
            "Metric CRS for distances and areas"),
    Setting("min_population", 300, int,
            "Gebiete mit weniger Einwohnern werden bei Indizes ausgeschlossen und nicht "
            "veröffentlicht", "Areas with fewer inhabitants are excluded from indices and not "
            "published"),
    Setting("min_frequency", 3, int,
            "Kleinste veröffentlichte Fallzahl (Geheimhaltung)",
            "Smallest published case count (disclosure control)"),
    Setting("user", "", str, "Name der Person, die importiert (für die Herkunft der Daten)",
            "Name of the person importing (for provenance)"),
    Setting("max_upload", 20 * 1024 * 1024, int,
            "Größte erlaubte Anfrage (Upload) an die Web-Anwendung in Bytes; größere: 413",
            "Largest request body (upload) the web application accepts, bytes; larger: 413"),
    Setting("secure_cookies", "auto", str,
            "Anmelde-Cookies nur über https senden: auto (wenn die Anfrage https ist), on, off",
            "Send login cookies over https only: auto (when the request is https), on, off"),
    Setting("warm", "on", str,
            "Was die Seiten zeigen, nach jedem Schreiben in den Store vorausberechnen: on "
            "oder off (dann beim ersten Aufruf einer Seite)",
            "Compute what the pages show after every write to the store: on, or off (then on "
            "the first view of a page)"),
)


@dataclass(frozen=True)
class Settings:
    """Resolved settings, typed; ``sources`` says where each value came from (``default``,
    the file, ``KEKIZ_<NAME>`` or ``option``).  The fields are those of :data:`SETTINGS`
    (a test keeps them equal)."""

    store: str = "sqlite:///kekiz.db"
    lang: str = "de"
    metric_crs: str = "EPSG:25832"
    min_population: int = 300
    min_frequency: int = 3
    user: str = ""
    max_upload: int = 20 * 1024 * 1024
    secure_cookies: str = "auto"
    warm: str = "on"
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {s.name: getattr(self, s.name) for s in SETTINGS}


def load_settings(overrides: dict[str, Any] | None = None,
                  environ: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    cfg_path = Path(env.get("KEKIZ_CONFIG", str((cwd or Path.cwd()) / "kekiz.toml")))
    file_values: dict[str, Any] = {}
    if cfg_path.exists():
        try:
            file_values = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{cfg_path}: keine gültige TOML-Datei ({exc}).",
                                     message_en=f"{cfg_path}: not a valid TOML file ({exc}).",
                                     status=500) from exc
    known = {s.name for s in SETTINGS}
    unknown = set(file_values) - known
    if unknown:
        raise ConfigurationError(
            f"{cfg_path}: unbekannte Einstellung(en) {', '.join(sorted(unknown))}. "
            f"Bekannt: {', '.join(sorted(known))}.",
            message_en=f"{cfg_path}: unknown setting(s) {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for s in SETTINGS:
        raw: Any = s.default
        source = "default"
        if s.name in file_values and not s.secret:
            raw, source = file_values[s.name], str(cfg_path)
        env_name = f"KEKIZ_{s.name.upper()}"
        if env.get(env_name):
            raw, source = env[env_name], env_name
        if overrides and overrides.get(s.name) is not None:
            raw, source = overrides[s.name], "option"
        try:
            values[s.name] = s.type(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"Einstellung {s.name} ({source}): '{raw}' ist kein {s.type.__name__}.",
                message_en=f"Setting {s.name} ({source}): '{raw}' is not a {s.type.__name__}.",
            ) from exc
        sources[s.name] = source
    if values["warm"] not in ("on", "off"):
        raise ConfigurationError(f"Einstellung warm: '{values['warm']}' unbekannt: on oder off.",
                                 message_en=f"Setting warm: '{values['warm']}' unknown: on or "
                                 "off.")
    if values["lang"] not in ("de", "en"):
        raise ConfigurationError(f"Sprache '{values['lang']}' unbekannt: de oder en.",
                                 message_en=f"Language '{values['lang']}' unknown: de or en.")
    return Settings(**values, sources=sources)
