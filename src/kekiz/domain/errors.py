"""One error hierarchy for kekiz.

Every error carries a user message (German by default, English available) and an HTTP
status, so the CLI prints it and the web layer maps it without guessing.  Validation
collects every problem of an input into one :class:`ValidationReport` before anything
is written.
"""

from __future__ import annotations

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


@dataclass
class ValidationReport:
    """All problems of one input, collected before anything is written."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    max_problems: int = 1000

    def add(self, message: str, *, expected: str, fix: str, row: int | None = None,
            column: str | None = None, value: Any = None,
            message_en: str | None = None) -> None:
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(self.file, message, expected, fix, row, column,
                                         value, message_en))
        else:
            self._dropped = getattr(self, "_dropped", 0) + 1

    def note(self, text: str) -> None:
        """A non-fatal remark (e.g. a repaired geometry) shown with the import summary."""
        self.notes.append(text)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self, lang: str = "de") -> str:
        lines = [p.render(lang) for p in self.problems]
        dropped = getattr(self, "_dropped", 0)
        if dropped:
            lines.append(f"... und {dropped} weitere Probleme" if lang == "de"
                         else f"... and {dropped} more problems")
        return "\n".join(lines)

    def raise_if_failed(self) -> None:
        if self.problems:
            raise ImportFailed(self)


class ImportFailed(KekizError):
    """An input had problems; nothing was written."""

    status = 422

    def __init__(self, report: ValidationReport) -> None:
        n = len(report.problems) + getattr(report, "_dropped", 0)
        de = (f"Import von {report.file} abgelehnt ({n} Problem{'e' if n != 1 else ''}); "
              f"es wurde nichts gespeichert.\n{report.render('de')}")
        en = (f"Import of {report.file} rejected ({n} problem{'s' if n != 1 else ''}); "
              f"nothing was stored.\n{report.render('en')}")
        super().__init__(de, message_en=en)
        self.report = report
