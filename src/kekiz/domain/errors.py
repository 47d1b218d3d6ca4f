"""One error hierarchy for kekiz.

Every error carries a user message (German by default, English available) and an HTTP
status, so the CLI prints it and the web layer maps it without guessing.  Validation
collects every problem of an input into one :class:`ValidationReport` before anything
is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ConfigurationError",
    "ImportFailed",
    "KekizError",
    "MethodError",
    "NotFound",
    "Problem",
    "SchemaVersionError",
    "StoreError",
    "ValidationReport",
    "problem_kind",
]


class KekizError(Exception):
    """Base class of all errors kekiz raises on purpose.

    ``message`` is the German user message, ``message_en`` the English one (falls back to
    the German text).  ``status`` is the HTTP status the web layer answers with.
    """

    status: int = 400

    def __init__(self, message: str, *, message_en: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        if status is not None:
            self.status = status

    def text(self, lang: str = "de") -> str:
        return self.message_en if lang == "en" else self.message


class ConfigurationError(KekizError):
    status = 500


class StoreError(KekizError):
    status = 503


class SchemaVersionError(StoreError):
    status = 503


class NotFound(KekizError):
    status = 404


class MethodError(KekizError):
    """A statistical method was called with input it cannot use."""

    status = 422


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the 1-based line number as a spreadsheet program shows it (the header is
    row 1), or ``None`` when the problem concerns the whole file.
    """

    file: str
    message: str
    expected: str
    fix: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    message_en: str | None = None

    def render(self, lang: str = "de") -> str:
        place = [self.file]
        if self.row is not None:
            place.append(f"Zeile {self.row}" if lang == "de" else f"row {self.row}")
        if self.column is not None:
            place.append(f"Spalte '{self.column}'" if lang == "de" else f"column '{self.column}'")
        head = ", ".join(place)
        msg = self.message_en if (lang == "en" and self.message_en) else self.message
        value = "" if self.value is None else f" {_show(self.value)}"
        if lang == "en":
            return f"{head}:{value} {msg}. Expected: {self.expected}. Fix: {self.fix}"
        return f"{head}:{value} {msg}. Erwartet: {self.expected}. Abhilfe: {self.fix}"


def _show(value: Any) -> str:
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"'{text}'"


#: Problems shown in full; beyond them the report counts the problems per kind.
SHOWN_IN_FULL = 20
_QUOTED = re.compile(r"'[^']*'")
_NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")


def problem_kind(message: str) -> str:
    """The kind of a problem: its message with quoted values and numbers left out
    ("'12,5' ist keine Anzahl" and "'7,1' ist keine Anzahl" are one kind)."""
    return _NUMBERS.sub("…", _QUOTED.sub("'…'", message))


@dataclass
class ValidationReport:
    """All problems of one input, collected before anything is written.

    ``render`` shows the first :data:`SHOWN_IN_FULL` problems in full; with more it adds
    one line per kind of problem (:func:`problem_kind`) with its count and its first place,
    so that a file with thousands of bad rows gives a short, complete answer.  Problems
    beyond ``max_problems`` are not kept but still counted per kind.
    """

    file: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    max_problems: int = 1000
    #: kind -> [count, first problem of the kind]
    kinds: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    dropped: int = 0

    def add(self, message: str, *, expected: str, fix: str, row: int | None = None,
            column: str | None = None, value: Any = None,
            message_en: str | None = None) -> None:
        problem = Problem(self.file, message, expected, fix, row, column, value, message_en)
        kind = self.kinds.setdefault(problem_kind(message), [0, problem])
        kind[0] += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(problem)
        else:
            self.dropped += 1

    def note(self, text: str) -> None:
        """A non-fatal remark (e.g. a repaired geometry) shown with the import summary."""
        self.notes.append(text)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        """All problems found, also those not kept."""
        return len(self.problems) + self.dropped

    def render(self, lang: str = "de") -> str:
        lines = [p.render(lang) for p in self.problems[:SHOWN_IN_FULL]]
        rest = self.count - len(lines)
        if rest <= 0:
            return "\n".join(lines)
        de = lang != "en"
        lines.append(f"... und {rest} weitere Probleme. Alle {self.count} Probleme nach Art:"
                     if de else f"... and {rest} more problems. All {self.count} problems "
                     "by kind:")
        ranked = sorted(self.kinds.items(), key=lambda kv: -int(kv[1][0]))
        for kind, (n, first) in ranked:
            name = kind if de or not first.message_en else problem_kind(first.message_en)
            where = _place(first, de)
            lines.append(f"- {name}: {n}-mal, zuerst {where}" if de else
                         f"- {name}: {n} times, first {where}")
        return "\n".join(lines)

    def raise_if_failed(self) -> None:
        if self.problems:
            raise ImportFailed(self)


def _place(problem: Problem, de: bool) -> str:
    parts = []
    if problem.row is not None:
        parts.append(f"Zeile {problem.row}" if de else f"row {problem.row}")
    if problem.column is not None:
        parts.append(f"Spalte '{problem.column}'" if de else f"column '{problem.column}'")
    if problem.value is not None:
        parts.append(_show(problem.value))
    return ", ".join(parts) or ("die ganze Datei" if de else "the whole file")


class ImportFailed(KekizError):
    """An input had problems; nothing was written."""

    status = 422

    def __init__(self, report: ValidationReport) -> None:
        n = report.count
        de = (f"Import von {report.file} abgelehnt ({n} Problem{'e' if n != 1 else ''}); "
              f"es wurde nichts gespeichert.\n{report.render('de')}")
        en = (f"Import of {report.file} rejected ({n} problem{'s' if n != 1 else ''}); "
              f"nothing was stored.\n{report.render('en')}")
        super().__init__(de, message_en=en)
        self.report = report
