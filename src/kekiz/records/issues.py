"""Problems of a record file, counted per kind with a few examples each.

A file of millions of records can hold millions of bad rows; the report names each kind
of problem once with its count and the first examples (file, row, column, value), what
was expected and how to fix it.  Kinds:

``fatal``
    the file cannot be used at all (missing column, wrong coordinate system, mixed
    synthetic flags); nothing is stored.
``invalid``
    a record breaks a rule (impossible date, duplicate id, unknown value); more than
    ``max_invalid`` of them (default: none) reject the import.
``unmatched``
    a record could not be placed in a unit (unknown street, point outside the area);
    more than ``max_unmatched`` (default 2 %) reject the import, fewer are reported and
    counted in the dataset (never dropped silently).
``skipped``
    a record outside the selected years (``--years``); only counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from kekiz.domain.errors import ValidationReport

__all__ = ["EXAMPLES", "IssueKind", "Issues"]

#: Examples kept per kind of problem.
EXAMPLES = 5


@dataclass(frozen=True)
class IssueKind:
    key: str
    category: str  # fatal / invalid / unmatched / skipped
    message_de: str
    message_en: str
    expected: str
    fix: str
    column: str | None = None


@dataclass
class Example:
    row: int | None
    value: Any
    detail_de: str = ""
    detail_en: str = ""


@dataclass
class Issues:
    """Counts and examples per kind of problem (see the module docs)."""

    file: str
    kinds: dict[str, IssueKind] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[Example]] = field(default_factory=dict)

    def add(self, kind: IssueKind, rows: ArrayLike, values: Iterable[Any] | None = None,
            details: Iterable[tuple[str, str]] | None = None) -> None:
        """Count the rows (1-based file rows) and keep the first examples."""
        rows_arr = np.asarray(rows).ravel()
        n = int(rows_arr.size)
        if n == 0:
            return
        self.kinds.setdefault(kind.key, kind)
        self.counts[kind.key] = self.counts.get(kind.key, 0) + n
        kept = self.examples.setdefault(kind.key, [])
        room = EXAMPLES - len(kept)
        if room <= 0:
            return
        vals = list(values)[:room] if values is not None else [None] * min(room, n)
        dets = list(details)[:room] if details is not None else [("", "")] * len(vals)
        for k in range(min(room, n)):
            row = rows_arr[k]
            value = vals[k] if k < len(vals) else None
            de, en = dets[k] if k < len(dets) else ("", "")
            kept.append(Example(None if row is None or int(row) < 0 else int(row),
                                value, de, en))

    def fatal(self, kind: IssueKind, value: Any = None) -> None:
        self.add(kind, [-1], [value])

    def count(self, category: str) -> int:
        return sum(n for k, n in self.counts.items() if self.kinds[k].category == category)

    def by_key(self, category: str) -> dict[str, int]:
        return {k: n for k, n in self.counts.items() if self.kinds[k].category == category}

    @property
    def has_fatal(self) -> bool:
        return self.count("fatal") > 0

    def to_report(self, report: ValidationReport, categories: Iterable[str]) -> None:
        """One problem per kind: the first example as its place, count and further
        examples in the message."""
        wanted = set(categories)
        for key, kind in self.kinds.items():
            if kind.category not in wanted:
                continue
            n = self.counts[key]
            ex = self.examples.get(key, [])
            first = ex[0] if ex else Example(None, None)
            more_de = _more(ex[1:], "de")
            more_en = _more(ex[1:], "en")
            count_de = "" if kind.category == "fatal" else \
                f" ({_number(n)} {'Datensatz' if n == 1 else 'Datensätze'}{more_de})"
            count_en = "" if kind.category == "fatal" else \
                f" ({n:,} record{'' if n == 1 else 's'}{more_en})"
            detail_de = f" – {first.detail_de}" if first.detail_de else ""
            detail_en = f" – {first.detail_en}" if first.detail_en else ""
            report.add(f"{kind.message_de}{detail_de}{count_de}", expected=kind.expected,
                       fix=kind.fix, row=first.row, column=kind.column, value=first.value,
                       message_en=f"{kind.message_en}{detail_en}{count_en}")

    def notes(self, categories: Iterable[str], lang: str = "de") -> list[str]:
        """Short lines for the import summary (counts and examples)."""
        wanted = set(categories)
        out = []
        for key, kind in self.kinds.items():
            if kind.category not in wanted:
                continue
            n = self.counts[key]
            ex = self.examples.get(key, [])
            if lang == "en":
                text = f"{n:,} record(s): {kind.message_en}{_more(ex, 'en', first=True)}"
            else:
                what = "Datensatz" if n == 1 else "Datensätze"
                text = f"{_number(n)} {what}: {kind.message_de}{_more(ex, 'de', first=True)}"
            out.append(text)
        return out


def _more(examples: list[Example], lang: str, first: bool = False) -> str:
    if not examples:
        return ""
    parts = []
    for e in examples:
        place = (f"Zeile {e.row}" if lang == "de" else f"row {e.row}") if e.row else ""
        value = f" '{e.value}'" if e.value not in (None, "") else ""
        detail = (e.detail_de if lang == "de" else e.detail_en)
        parts.append(f"{place}{value}{f' ({detail})' if detail else ''}".strip())
    if first:
        return (": z. B. " if lang == "de" else ": e.g. ") + ", ".join(parts)
    return ("; weitere z. B. " if lang == "de" else "; more e.g. ") + ", ".join(parts)

def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")
