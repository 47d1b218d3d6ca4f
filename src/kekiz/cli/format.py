"""German-first number formatting for the terminal (1.234,5)."""

from __future__ import annotations

import math

__all__ = ["fmt_number"]


def fmt_number(value: float | int | None, decimals: int = 1, lang: str = "de") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    from babel.numbers import format_decimal  # only when a number is printed (start-up)

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    locale = "de_DE" if lang == "de" else "en_GB"
    return format_decimal(value, format=pattern, locale=locale)
