"""Reference pages generated from the code: every CLI command, every setting, the OpenAPI.

``python -m kekiz.docgen`` (re)writes ``docs/reference/cli.md``,
``docs/reference/settings.md``, ``docs/reference/openapi.json`` and
``docs/reference/endpoints.md`` from the typer application, :data:`kekiz.settings.SETTINGS`
and ``create_app().openapi()``.  ``tests/docs/test_reference.py`` regenerates them and
fails when the committed pages differ, so no command, option or setting can go
undocumented.  ``--check`` does the same comparison without writing.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kekiz.settings import SETTINGS

__all__ = ["cli_markdown", "endpoints_markdown", "generate", "iter_commands",
           "openapi_document", "settings_markdown"]

GENERATED = ("<!-- Erzeugt von `python -m kekiz.docgen` aus dem Code; nicht von Hand "
             "ändern. / Generated from the code; do not edit. -->")


def _root() -> Any:
    from kekiz.cli.main import command_tree

    return command_tree()


def iter_commands(cmd: Any = None, path: tuple[str, ...] = ("kekiz",)
                  ) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the ``kekiz`` app with its path, groups included, depth first."""
    cmd = _root() if cmd is None else cmd
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from iter_commands(sub, (*path, name))


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _type_name(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return "Schalter"
    # click's parameter type (typer's annotation is not kept by every typer version)
    name = str(getattr(param.type, "name", "text")).lower()
    text = {"text": "Text", "str": "Text", "integer": "Ganzzahl", "int": "Ganzzahl",
            "int range": "Ganzzahl", "float": "Zahl", "float range": "Zahl", "path": "Datei",
            "boolean": "ja/nein", "file": "Datei"}.get(name, "Text")
    return f"{text} (mehrfach)" if getattr(param, "multiple", False) else text


def _default(param: Any) -> str:
    if param.required:
        return "**Pflicht**"
    value = param.default
    if value is None or value == [] or value == ():
        return "–"
    if isinstance(value, bool):
        return "an" if value else "aus"
    return f"`{value}`"


def _help_blocks(text: str) -> tuple[str, str]:
    """Split a docstring into its description and the example after 'Beispiel:'."""
    before, _, example = text.partition("Beispiel:")
    return before.strip(), " ".join(example.split())


def cli_markdown() -> str:
    lines = [GENERATED, "", "# Kommandozeile (Referenz)", "",
             "*Command-line reference (German help texts; `kekiz --lang en` prints English "
             "messages).*", "",
             "Jeder Befehl hat `--help`. Globale Optionen stehen vor dem Befehl: "
             "`kekiz --store URL --lang en BEFEHL ...`.", "",
             "Exit-Codes: 0 Erfolg, 1 Fehler (Meldung nennt Ursache und Abhilfe), "
             "2 abgelehnter Import oder falscher Aufruf.", ""]
    index: list[str] = []
    body: list[str] = []
    for path, cmd in iter_commands():
        name = " ".join(path)
        is_group = hasattr(cmd, "commands")
        if is_group and len(path) > 1:
            body += [f"## `{name}`", "", _cell(cmd.help or ""), ""]
            continue
        level = "##" if len(path) <= 2 else "###"
        if len(path) > 1:
            anchor = "-".join(path)
            index.append(f"- [`{name}`](#{anchor})")
            body += [f'{level} `{name}` {{#{anchor}}}', ""]
        description, example = _help_blocks(cmd.help or "")
        if description:
            body += [description, ""]
        if example:
            body += ["Beispiel:", "", "```sh", example, "```", ""]
        params = [p for p in cmd.params if not getattr(p, "hidden", False)]
        if params:
            body += ["| Option | Typ | Standard | Beschreibung |", "|---|---|---|---|"]
            for p in params:
                if p.param_type_name == "argument":
                    opt = f"`{p.name.upper()}` (Argument)"
                else:
                    opt = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                    if getattr(p, "multiple", False):
                        opt += " (mehrfach)"
                body.append(f"| {opt} | {_type_name(p)} | {_default(p)} | "
                            f"{_cell(p.help or '')} |")
            body.append("")
    return "\n".join([*lines, "## Übersicht", "", *index, "", "## Globale Optionen", "",
                      *body]) + "\n"


def settings_markdown() -> str:
    lines = [GENERATED, "", "# Einstellungen (Referenz)", "",
             "*Settings reference.*", "",
             "Reihenfolge: Kommandozeilenoption > Umgebungsvariable `KEKIZ_<NAME>` > "
             "Datei `kekiz.toml` im Arbeitsverzeichnis (oder die Datei in `KEKIZ_CONFIG`) > "
             "Standardwert. Geheimnisse werden nur aus der Umgebung gelesen.", "",
             "| Einstellung | Umgebung | Standard | Typ | Bedeutung | Meaning |",
             "|---|---|---|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default != "" else "(leer)"
        lines.append(f"| `{s.name}` | `KEKIZ_{s.name.upper()}` | {default} | "
                     f"{s.type.__name__} | {_cell(s.help_de)} | {_cell(s.help_en)} |")
    lines += ["", "Beispiel `kekiz.toml`:", "", "```toml"]
    for s in SETTINGS:
        if s.secret:
            continue
        value = json.dumps(s.default, ensure_ascii=False)
        lines.append(f"{s.name} = {value}")
    lines += ["```", ""]
    return "\n".join(lines)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the web application (built over an empty temporary store)."""
    from kekiz.app import Kekiz
    from kekiz.settings import load_settings
    from kekiz.web import create_app

    with tempfile.TemporaryDirectory(prefix="kekiz-docgen-") as tmp:
        settings = load_settings({"store": f"sqlite:///{tmp}/docgen.db"}, environ={},
                                 cwd=Path(tmp))
        app = Kekiz(settings)
        try:
            doc: dict[str, Any] = create_app(settings, app).openapi()
        finally:
            app.close()
    return doc


def endpoints_markdown(doc: dict[str, Any]) -> str:
    lines = [GENERATED, "", "# REST-API und OGC API: Endpunkte", "",
             f"Version {doc.get('info', {}).get('version', '')}. Das vollständige "
             "OpenAPI-Dokument: [openapi.json](openapi.json) (auch live unter "
             "`/api/openapi.json` des laufenden Servers).", "",
             "| Methode | Pfad | Zusammenfassung | Parameter |", "|---|---|---|---|"]
    for path, ops in sorted(doc.get("paths", {}).items()):
        for method, op in sorted(ops.items()):
            params = ", ".join(f"`{p['name']}`" for p in op.get("parameters", []))
            lines.append(f"| {method.upper()} | `{path}` | {_cell(op.get('summary', ''))} | "
                         f"{params or '–'} |")
    return "\n".join(lines) + "\n"


def generate(docs: Path) -> dict[Path, str]:
    """The generated pages as {path: text}."""
    ref = docs / "reference"
    doc = openapi_document()
    return {ref / "cli.md": cli_markdown(), ref / "settings.md": settings_markdown(),
            ref / "openapi.json": json.dumps(doc, ensure_ascii=False, indent=1,
                                             sort_keys=True) + "\n",
            ref / "endpoints.md": endpoints_markdown(doc)}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    docs = Path(args[0]) if args else Path("docs")
    stale = []
    for path, text in generate(docs).items():
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"geschrieben: {path}")
    if stale:
        print("veraltet / stale: " + ", ".join(stale)
              + " — neu erzeugen mit: .venv/bin/python -m kekiz.docgen", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
