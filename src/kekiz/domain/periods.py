"""Periods: how a period is written, stored and placed on a time axis (issue #18).

Stored labels (:attr:`Period.label`), one per kind:

========== ============== ==============================================================
kind       label          also read
========== ============== ==============================================================
year       ``2022``       ``2022.0`` (Excel), ``Jahr 2022``
half       ``2022-H1``    ``2022H1``, ``2022 H1``, ``H1 2022``, ``H1/2022``, ``2022-S1``
                          (Eurostat), ``1. Halbjahr 2022``, ``1. Hj. 2022``, ``2022-HJ1``
quarter    ``2022-Q2``    ``2022Q2``, ``Q2 2022``, ``Q2/2022``, ``2. Quartal 2022``,
                          ``2. Vierteljahr 2022``, ``2. Vj. 2022``, ``II. Quartal 2022``
month      ``2022-06``    ``2022M06`` (Eurostat), ``06/2022``, ``06.2022``, ``Juni 2022``
day        ``2022-06-30`` ``30.06.2022``, ``2022-06-30 00:00:00`` (Excel date)
schoolyear ``2022/23``    ``2022/2023``, ``Schuljahr 2022/23``, ``SJ 2022/23`` (1 August
                          to 31 July, as the school-entrance records count)
========== ============== ==============================================================

Time axis: a period is placed at its **start**, in decimal years of the real calendar
(:attr:`Period.time`): ``year + days before the start / days of the year``.  A year stays
the whole number it always was (``2022`` -> 2022.0), ``2022-H2`` is 2022 + 181/365 =
2022.4959, ``2022-Q2`` 2022 + 90/365, ``2022-06-30`` 2022 + 180/365 = 2022.4932 - the
convention of R's ``lubridate::decimal_date`` and of ``stats::time`` for yearly series.
Slopes computed on this axis are per year, whatever the length of the periods.

Methods that need one value per year (:func:`require_yearly`) raise a
:class:`~kekiz.domain.errors.MethodError` naming the periods that stop them and the fix.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from kekiz.domain.errors import MethodError

__all__ = [
    "KIND_NAMES",
    "Period",
    "canonical_period",
    "decimal_time",
    "kinds_of",
    "parse_period",
    "require_period",
    "require_yearly",
    "time_axis",
]

KIND_NAMES: dict[str, tuple[str, str, str, str]] = {
    # kind -> (German singular, German plural, English singular, English plural)
    "year": ("Jahr", "Jahre", "year", "years"),
    "half": ("Halbjahr", "Halbjahre", "half-year", "half-years"),
    "quarter": ("Quartal", "Quartale", "quarter", "quarters"),
    "month": ("Monat", "Monate", "month", "months"),
    "day": ("Stichtag", "Stichtage", "day", "days"),
    "schoolyear": ("Schuljahr", "Schuljahre", "school year", "school years"),
}
_MONTHS = {
    "januar": 1, "jan": 1, "jänner": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3,
    "mär": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7,
    "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_Y = r"(?P<y>(?:19|20)\d\d)"
_N = r"(?P<n>[1-4]|i{1,3}|iv)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p, re.IGNORECASE)) for kind, p in (
        ("year", rf"^(?:jahr\s*)?{_Y}(?:\.0+)?$"),
        ("half", rf"^{_Y}\s*[-/ ]?\s*(?:h|hj|s)\s*{_N}$"),
        ("half", rf"^(?:h|hj|s)\s*{_N}\s*[-/ ]?\s*{_Y}$"),
        ("half", rf"^{_N}\.?\s*(?:halbjahr|hj\.?)\s*{_Y}$"),
        ("quarter", rf"^{_Y}\s*[-/ ]?\s*q\s*{_N}$"),
        ("quarter", rf"^q\s*{_N}\s*[-/ ]?\s*{_Y}$"),
        ("quarter", rf"^{_N}\.?\s*(?:quartal|vierteljahr|vj\.?)\s*{_Y}$"),
        ("month", rf"^{_Y}\s*(?:-|m)\s*(?P<m>\d\d?)$"),
        ("month", rf"^(?P<m>\d\d?)\s*[/.]\s*{_Y}$"),
        ("month", rf"^(?P<mname>[a-zä]+)\.?\s+{_Y}$"),
        ("day", rf"^{_Y}-(?P<m>\d\d?)-(?P<d>\d\d?)(?:[ T]00:00(?::00(?:\.0+)?)?)?$"),
        ("day", rf"^(?P<d>\d\d?)\.(?P<m>\d\d?)\.{_Y}$"),
        ("schoolyear", rf"^(?:schuljahr|sj)?\s*{_Y}\s*/\s*(?P<next>\d\d|\d{{4}})$"),
    ))


@dataclass(frozen=True, order=True)
class Period:
    """A period of the calendar: ``start`` (inclusive) to ``end`` (exclusive)."""

    start: date
    end: date
    kind: str
    label: str

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def time(self) -> float:
        """The start in decimal years (see the module docstring)."""
        return decimal_time(self.start)

    @property
    def years(self) -> float:
        """The length in years of the real calendar (a year is 1.0)."""
        return decimal_time(self.end) - self.time


def decimal_time(day: date | str | Period) -> float:
    """``year + days before the day / days of the year`` (a label: its period's start)."""
    if isinstance(day, str):
        return _require(day).time
    if isinstance(day, Period):
        return day.time
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.toordinal() - date(day.year, 1, 1).toordinal()) / days


def parse_period(text: object) -> Period | None:
    """The period a cell means, or ``None`` when it is none (see the module table)."""
    if isinstance(text, datetime):
        text = text.date()
    if isinstance(text, date):
        return _day(text.year, text.month, text.day)
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        return None
    cell = " ".join(text.strip().split())
    for kind, pattern in _PATTERNS:
        m = pattern.match(cell)
        if m is None:
            continue
        found = _build(kind, m)
        if found is not None:
            return found
    return None


def _number(group: str) -> int:
    return _ROMAN[group.lower()] if group.lower() in _ROMAN else int(group)


def _build(kind: str, m: re.Match[str]) -> Period | None:
    y = int(m.group("y"))
    if kind == "year":
        return Period(date(y, 1, 1), date(y + 1, 1, 1), "year", str(y))
    if kind == "half":
        n = _number(m.group("n"))
        if n > 2:
            return None
        return Period(date(y, 6 * n - 5, 1), _next(y, 6 * n), "half", f"{y}-H{n}")
    if kind == "quarter":
        n = _number(m.group("n"))
        return Period(date(y, 3 * n - 2, 1), _next(y, 3 * n), "quarter", f"{y}-Q{n}")
    if kind == "schoolyear":
        following = m.group("next")
        if int(following) not in ((y + 1) % 100, y + 1) or \
                (len(following) == 2 and int(following) != (y + 1) % 100):
            return None
        return Period(date(y, 8, 1), date(y + 1, 8, 1), "schoolyear",
                      f"{y}/{(y + 1) % 100:02d}")
    if kind == "month":
        groups = m.groupdict()
        month = _MONTHS.get(groups["mname"].lower()) if groups.get("mname") else \
            int(groups["m"])
        if month is None or not 1 <= month <= 12:
            return None
        return Period(date(y, month, 1), _next(y, month), "month", f"{y}-{month:02d}")
    return _day(y, int(m.group("m")), int(m.group("d")))


def _next(year: int, month: int) -> date:
    """The first day after the month ``month`` of ``year``."""
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def _day(y: int, month: int, d: int) -> Period | None:
    if not (1 <= month <= 12 and 1 <= d <= calendar.monthrange(y, month)[1]):
        return None
    start = date(y, month, d)
    return Period(start, date.fromordinal(start.toordinal() + 1), "day", start.isoformat())


def canonical_period(text: object) -> str | None:
    """The stored label of a period (``"1. Halbjahr 2022"`` -> ``"2022-H1"``), or None."""
    found = parse_period(text)
    return None if found is None else found.label


def _require(label: str) -> Period:
    found = parse_period(label)
    if found is None:
        raise MethodError(
            f"Zeitraum '{label}' ist kein Jahr, Halbjahr, Quartal, Monat oder Stichtag. "
            "Erwartet: z. B. 2022, 2022-H1, 2022-Q2, 2022-06 oder 2022-06-30.",
            message_en=f"Period '{label}' is not a year, half-year, quarter, month or day. "
            "Expected e.g. 2022, 2022-H1, 2022-Q2, 2022-06 or 2022-06-30.")
    return found


def require_period(label: str) -> Period:
    """The period of a stored label; a :class:`MethodError` naming it when there is none."""
    return _require(str(label))


def time_axis(labels: Iterable[object]) -> list[float]:
    """Decimal times of period labels (numbers are taken as they are: years)."""
    out = []
    for label in labels:
        if isinstance(label, int | float) and not isinstance(label, bool):
            out.append(float(label))
        else:
            out.append(_require(str(label)).time)
    return out


def kinds_of(labels: Iterable[object]) -> dict[str, list[str]]:
    """The labels grouped by kind (``year``, ``half`` ...), each list sorted by time."""
    out: dict[str, list[Period]] = {}
    for label in labels:
        p = _require(str(label))
        out.setdefault(p.kind, []).append(p)
    return {k: [p.label for p in sorted(set(v))] for k, v in out.items()}


def _show(labels: list[str], n: int = 6) -> str:
    shown = ", ".join(labels[:n])
    return shown + (f" … ({len(labels)})" if len(labels) > n else "")


def require_yearly(labels: Iterable[object], *, method_de: str, method_en: str) -> list[int]:
    """The years of ``labels`` when every label is a year (or every label a school year,
    one per year: its first year); else a :class:`MethodError` that names the periods that
    are not years and how to proceed."""
    labels = [str(x) for x in labels]
    kinds = kinds_of(labels)
    if set(kinds) == {"schoolyear"}:
        return sorted({int(x[:4]) for x in kinds["schoolyear"]})
    other = {k: v for k, v in kinds.items() if k != "year"}
    if not other:
        return sorted({int(x) for x in kinds.get("year", [])})
    found_de = "; ".join(f"{KIND_NAMES[k][1]}: {_show(v)}" for k, v in other.items())
    found_en = "; ".join(f"{KIND_NAMES[k][3]}: {_show(v)}" for k, v in other.items())
    raise MethodError(
        f"{method_de} braucht Jahreswerte, die Daten haben andere Zeiträume ({found_de}). "
        "Abhilfe: die Werte zu Jahren zusammenfassen (z. B. den Wert zum 31.12. oder den "
        "Jahresdurchschnitt als Jahr importieren) oder mit --period einen Jahreszeitraum "
        "wählen.",
        message_en=f"{method_en} needs yearly values, the data have other periods "
        f"({found_en}). Fix: aggregate the values to years (e.g. import the value at 31 "
        "December or the annual mean as the year) or choose a yearly period with --period.")
