"""Numbers and dates for people: the one formatter of kekiz (terminal, pages, reports,
messages).

German first (``1.234,5``, ``57,7 %``, ``04.12.2026``), English second (``1,234.5``,
``57.7%``, ``4 Dec 2026``).  Numbers round half up (kaufmännisch) and never show
``-0,0``; anything that is no finite number is shown as ``–``.  The de_DE and en_GB
number patterns (``#,##0.0…``) are written out, because Babel is about 100 times slower
for lists of thousands of areas and costs start-up time; dates use Babel, imported when a
date is first shown.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["LOCALES", "fmt_date", "fmt_number", "fmt_percent", "fmt_short", "fmt_value"]

#: The Babel locale of each language.
LOCALES = {"de": "de_DE", "en": "en_GB"}


def _german(text: str) -> str:
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (not a number, NaN, infinite)."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_number(value: Any, decimals: int = 1, lang: str = "de", *, sign: bool = False
               ) -> str:
    """``1.234,5`` (German) or ``1,234.5``; ``sign`` adds ``+`` to positive numbers."""
    f = _finite(value)
    if f is None:
        return "–"
    decimals = max(int(decimals), 0)
    q = Decimal(repr(f)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    text = format(q, f",.{decimals}f")
    if lang != "en":
        text = _german(text)
    return f"+{text}" if sign and q > 0 else text


def fmt_percent(share: Any, decimals: int = 1, lang: str = "de") -> str:
    """A share (0..1) as percent: ``57,7 %`` or ``57.7%``."""
    try:
        text = fmt_number(float(share) * 100, decimals, lang)
    except (TypeError, ValueError):
        return "–"
    if text == "–":
        return text
    return f"{text}%" if lang == "en" else f"{text}\u00a0%"


def fmt_short(value: Any, lang: str = "de") -> str:
    """A number as short as it is exact, for messages: ``75``, ``12,5`` (de), ``12.5``."""
    f = _finite(value)
    if f is None:
        return "–"
    text = f"{int(f):,}" if f == int(f) else f"{f:,.10g}"
    return _german(text) if lang != "en" else text


def fmt_value(value: Any, status: str, decimals: int = 1, lang: str = "de") -> str:
    """A published value as shown: ``.`` when suppressed, ``–`` when missing."""
    if status == "suppressed":
        return "."
    return fmt_number(value, decimals, lang)


def fmt_date(value: Any, lang: str = "de") -> str:
    """A date in the medium form of the language (``04.12.2026``, ``4 Dec 2026``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        from babel.dates import format_date  # only when a date is shown (start-up)

        return str(format_date(value, format="medium", locale=LOCALES.get(lang, "de_DE")))
    return str(value)
