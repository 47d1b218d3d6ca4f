"""The ``kekiz`` command line: thin commands over the application object.

Commands are registered by name in :data:`COMMANDS` and imported only when they run (or
when their own help is asked for), so that ``kekiz --help`` and small commands start as
fast as a small command-line tool: no pandas, scipy, matplotlib or web framework is
imported before a command needs it.  The application object (:class:`kekiz.app.Kekiz`)
travels in the click context (:mod:`kekiz.cli.context`).
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kekiz.cli.context import CliState, current_lang, err
from kekiz.domain.errors import ImportFailed, KekizError

__all__ = ["COMMANDS", "app", "command_tree", "run"]


@dataclass(frozen=True)
class Entry:
    """A command of the root: where it lives and its one-line help (German)."""

    module: str
    attr: str
    help: str
    #: the name inside ``attr`` when ``attr`` is a Typer app holding several commands
    inner: str | None = None

    def load(self) -> Any:
        """The click command (or group) of this entry, imported now."""
        obj = getattr(importlib.import_module(f"kekiz.cli.{self.module}"), self.attr)
        holder = typer.Typer()
        if isinstance(obj, typer.Typer) and self.inner is not None:
            holder = obj  # several commands of the root in one module
        elif isinstance(obj, typer.Typer):
            holder.add_typer(obj, name=self.attr)  # a group, as add_typer makes it
        else:
            holder.command(self.attr)(obj)
            holder.command("_")(_placeholder)  # two commands: the holder stays a group
        group: Any = typer.main.get_command(holder)
        return group.commands[self.inner or self.attr]


def _placeholder() -> None:
    """Never invoked: keeps a one-command holder a group."""


def _data(name: str, text: str) -> Entry:
    return Entry("data_cmd", "commands", text, inner=name)


#: Every command of the root, in the order of ``kekiz --help``.
COMMANDS: dict[str, Entry] = {
    "init": _data("init", "Store anlegen (oder mit --upgrade aktualisieren)."),
    "demo": _data("demo", "Demo-Store aus den mitgelieferten echten Daten (NRW, Köln) "
                  "aufbauen."),
    "import": Entry("import_cmd", "import_app",
                    "Dateien importieren (Grenzen, Indikatortabellen)."),
    "levels": Entry("levels_cmd", "levels_app", "Eigene Gebietsebenen einer Kommune "
                    "festlegen und auflisten."),
    "aggregate": _data("aggregate", "Zählwerte und Quoten entlang der Gebietshierarchie nach "
                       "oben aggregieren."),
    "delete": Entry("delete_cmd", "delete_app", "Datensätze, Indikatoren, Gebiete oder "
                    "Zeiträume löschen (mit abgeleiteten Werten)."),
    "rollup": Entry("rollup_cmd", "rollup", "Werte feiner Gebiete in gröbere zusammenfassen "
                    "(nach Schlüsselpräfix, Zuordnungstabelle oder räumlich)."),
    "units": _data("units", "Gebiete auflisten."),
    "indicators": _data("indicators", "Indikatoren mit Zeiträumen auflisten."),
    "show": _data("show", "Werte eines Gebiets zeigen."),
    "export": _data("export", "Werte exportieren: CSV (Excel, deutsch), XLSX, GeoJSON, "
                    "GeoPackage."),
    "members": _data("members", "Mitgliedskommunen des Landesnetzwerks auflisten."),
    "monitor": Entry("monitor_cmd", "monitor_app", "Sozialräumliches Monitoring: Quoten, "
                     "Klassen, LISA, Trends, Prioritäten."),
    "index": Entry("monitor_cmd", "index_app", "Indizes aus Dateien berechnen (ohne Store)."),
    "chain": Entry("chain_cmd", "chain_app", "Präventionskette: Angebote importieren, prüfen, "
                   "exportieren; Präventionsmatrix, Abdeckung, Lücken, Standorte, "
                   "Familienwegweiser."),
    "coop": Entry("goals_cmd", "coop_app", "Kooperationsnetzwerk der Präventionskette: "
                  "Befragungswellen importieren, Kennzahlen, Vergleich der Wellen."),
    "goals": Entry("goals_cmd", "goals_app", "Leitbild: Ziele, Indikatoren, Zielwerte, Status "
                   "und Scorecards."),
    "records": Entry("records_cmd", "records_app", "Einzeldaten (z. B. "
                     "Schuleingangsuntersuchung) zu Indikatoren je Gebiet, mit "
                     "Geheimhaltung."),
    "network": Entry("network_cmd", "network_app", "Landesnetzwerk: Mitglieder, Reichweite."),
    "evaluate": Entry("tools_cmd", "evaluate_app",
                      "Wirkungen evaluieren (Differenz-von-Differenzen)."),
    "privacy": Entry("tools_cmd", "privacy_app",
                     "Geheimhaltung (statistische Geheimhaltung von Tabellen)."),
    "report": Entry("report_cmd", "report", "Sozialraumbericht einer Kommune oder Bericht des "
                    "Landesnetzwerks (HTML oder PDF)."),
    "report-batch": Entry("report_cmd", "report_batch", "Berichte für alle Mitglieder des "
                          "Landesnetzwerks und den Netzwerkbericht."),
    "private": Entry("private_cmd", "private_app", "Private Indikatoren und Datensätze "
                     "einer Kommune markieren, freigeben, auflisten."),
    "serve": Entry("serve_cmd", "serve", "Web-Anwendung starten: Atlas, Gebietsprofile, "
                   "Landesnetzwerk, REST-API, OGC API."),
    "admin": Entry("admin_cmd", "admin_app", "Benutzer, Rollen, API-Tokens, Freigaben und "
                   "Protokoll der Web-Anwendung."),
}


class LazyGroup(TyperGroup):
    """The root group: commands are imported when used; errors are printed, not traced."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = entry.load()
        command.name = cmd_name
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, entry.help) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KekizError as exc:
            # the language of this call, for the message printed by run()
            exc.add_note(f"{_LANG_NOTE}{current_lang()}")
            raise


app = typer.Typer(cls=LazyGroup,
                  help="kekiz — Kein Kind zurücklassen!: Monitoring, Präventionskette, Leitbild.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None)


@app.callback()
def main(
    ctx: typer.Context,
    store: Annotated[str | None, typer.Option(
        "--store", help="Store-Adresse (sonst KEKIZ_STORE oder sqlite:///kekiz.db).")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Sprache: de (Standard) oder en.")] = None,
) -> None:
    """kekiz: sozialräumliches Monitoring für Kommunen.

    Beispiel: kekiz --store sqlite:///kekiz.db demo
    """
    state = CliState(store=store, lang=lang)
    ctx.obj = state
    ctx.call_on_close(state.close)


_LANG_NOTE = "kekiz-lang:"


def run() -> None:
    """Entry point: usage errors exit 2 (click), a rejected import 2, every other kekiz
    error 1; nothing prints a traceback."""
    try:
        app()
    except KekizError as exc:
        notes = [n for n in getattr(exc, "__notes__", []) if n.startswith(_LANG_NOTE)]
        lang = notes[-1][len(_LANG_NOTE):] if notes else "de"
        err.print(exc.text(lang), markup=False, highlight=False)
        sys.exit(2 if isinstance(exc, ImportFailed) else 1)


def command_tree() -> Any:
    """The root click group with every command imported (for the generated reference and
    the tests that walk all commands; a normal call imports only the command it runs)."""
    root: Any = typer.main.get_command(app)
    ctx = typer.Context(root)
    for name in root.list_commands(ctx):
        root.commands[name] = root.get_command(ctx, name)
    return root
