"""What every command shares: the application object from the command's context, the
language, the terminal, progress bars and number formats.

The root command (:mod:`kekiz.cli.main`) puts a :class:`CliState` into the click context;
every command reaches the :class:`~kekiz.app.Kekiz` application object through
:func:`kekiz`, which builds it on first use from the options ``--store``/``--lang``, the
environment and ``kekiz.toml``.  There is no module-global state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console

from kekiz.domain.errors import KekizError
from kekiz.domain.jsonable import clean
from kekiz.i18n import fmt_number

if TYPE_CHECKING:
    from kekiz.app import Kekiz

__all__ = ["CliState", "current_lang", "err", "fmt_number", "kekiz", "num", "out", "pairs",
           "print_json", "print_notes", "print_plain", "progress_bar", "t"]


@dataclass
class CliState:
    """The root options of one ``kekiz`` call and the application object they make."""

    store: str | None = None
    lang: str | None = None
    app: Kekiz | None = field(default=None, repr=False)

    def kekiz(self) -> Kekiz:
        if self.app is None:
            from kekiz.app import Kekiz
            from kekiz.settings import load_settings

            self.app = Kekiz(load_settings({"store": self.store, "lang": self.lang}))
        return self.app

    def close(self) -> None:
        """At the end of the command: if it changed the data, compute what the pages show
        (:meth:`kekiz.app.Kekiz.warm_if_changed`), then close the store."""
        if self.app is not None:
            try:
                self.app.warm_if_changed()
            finally:
                self.app.close()
            self.app = None


def _current_context() -> Any:
    """The click context of the running command (typer vendors click since 0.2x)."""
    try:
        from typer._click import globals as vendored
    except ImportError:  # a typer that uses the click package itself
        import click

        return click.get_current_context()
    return vendored.get_current_context()


def state() -> CliState:
    """The state of the running ``kekiz`` call (from the root click context)."""
    ctx = _current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
        root.call_on_close(root.obj.close)
    return root.obj


def kekiz() -> Kekiz:
    """The application object of the running command."""
    return state().kekiz()


def current_lang() -> str:
    """``--lang`` if given, else the ``lang`` setting (German by default)."""
    chosen = state().lang
    if chosen in ("de", "en"):
        return str(chosen)
    try:
        return kekiz().lang
    except KekizError:
        return "de"


def t(de: str, en: str) -> str:
    """The German or the English text, by the language of the running command."""
    return en if current_lang() == "en" else de


#: The terminal: results on standard output, messages and progress on standard error.
out = Console()
err = Console(stderr=True)


def num(value: Any, decimals: int = 1) -> str:
    """A number as the running command's language writes it (``–`` when missing)."""
    return fmt_number(None if value is None else float(value), decimals, current_lang())


def print_json(data: Any) -> None:
    """``data`` as JSON on standard output (the one JSON cleaner: missing values as null,
    dates as ISO text, other values as text)."""
    import json

    out.print_json(json.dumps(clean(data), ensure_ascii=False, default=str))


def print_plain(text: str) -> None:
    """Text as it is (no rich markup, no highlighting)."""
    out.print(text, markup=False, highlight=False)


def print_notes(notes: list[str]) -> None:
    for note in notes:
        print_plain(f"  - {note}")


def pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``NAME=VALUE`` options as a dict; anything else is a clear error."""
    result: dict[str, str] = {}
    for v in values or []:
        if "=" not in v:
            raise KekizError(f"{option} '{v}': erwartet NAME=WERT.",
                             message_en=f"{option} '{v}': expected NAME=VALUE.")
        k, _, val = v.partition("=")
        result[k.strip()] = val.strip()
    return result


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback ``(task, done, total)`` drawn on a terminal (silent elsewhere)."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    console = err
    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    tasks: dict[str, TaskID] = {}

    def update(task: str, done: int, total: int) -> None:
        if task not in tasks:
            tasks[task] = bar.add_task(task, total=max(total, 1))
        bar.update(tasks[task], completed=done, total=max(total, 1))

    with bar:
        yield update
