"""Shares and rates from numerators and denominators, with confidence intervals.

Everything here is vectorised: numerators and denominators may be scalars, lists, numpy
arrays or pandas Series.  The two table functions, :func:`proportions` (shares) and
:func:`rates`, return one row per input value with these columns:

``value``
    numerator / denominator * multiplier (``NaN`` when the value is missing).
``lower``, ``upper``
    the confidence limits on the same scale as ``value``.
``status``
    ``"ok"``, ``"unreliable"`` or ``"missing"`` (the values of
    :class:`kekiz.domain.model.Status`).
``reason``
    why a value is unreliable or missing, in German by default (``lang="en"`` for
    English); several reasons are joined with ``"; "``; empty when the status is ``"ok"``.
``method``
    the interval method used for the row (``"wilson"``, ``"clopper-pearson"``,
    ``"exact"``, ``"byar"``); empty for missing rows.

The table's ``attrs`` record the method, confidence level, multiplier and the
reliability thresholds that made it.

Interval methods follow the conventions of the UKHSA ``PHEindicatormethods`` package:
Wilson score intervals for proportions (Clopper-Pearson on request), and for rates the
exact Poisson interval below 10 events and Byar's approximation from 10 events on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from kekiz.domain.errors import MethodError

__all__ = [
    "PROPORTION_METHODS",
    "RATE_METHODS",
    "byar_interval",
    "clopper_pearson_interval",
    "exact_poisson_interval",
    "normal_quantile",
    "poisson_interval",
    "proportions",
    "rates",
    "wilson_interval",
]

FloatArray = npt.NDArray[np.float64]
Values = float | int | Sequence[float] | Sequence[int] | npt.ArrayLike | pd.Series
Interval = tuple[FloatArray, FloatArray]

#: Number of events from which rates use Byar's method instead of the exact interval.
BYAR_MIN_EVENTS = 10

OK = "ok"
UNRELIABLE = "unreliable"
MISSING = "missing"


# --------------------------------------------------------------------------- confidence


def _confidence(confidence: float) -> float:
    """Confidence level as a fraction; accepts 0.95 as well as 95 (percent)."""
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise MethodError(
            f"Konfidenzniveau {confidence!r} ist keine Zahl. Erwartet wird z. B. 0.95 "
            "oder 95 (Prozent).",
            message_en=f"Confidence level {confidence!r} is not a number. Expected e.g. "
            "0.95 or 95 (percent).",
        ) from None
    if 1.0 < level < 100.0:
        level /= 100.0
    if not 0.5 <= level < 1.0:
        raise MethodError(
            f"Konfidenzniveau {confidence!r} liegt außerhalb des gültigen Bereichs. "
            "Erwartet wird ein Anteil von 0.5 bis unter 1 (z. B. 0.95) oder ein Prozentwert "
            "von 50 bis unter 100 (z. B. 99.8).",
            message_en=f"Confidence level {confidence!r} is out of range. Expected a "
            "fraction from 0.5 to below 1 (e.g. 0.95) or a percentage from 50 to below 100 "
            "(e.g. 99.8).",
        )
    return level


def normal_quantile(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level (1.96 for 95%)."""
    level = _confidence(confidence)
    return float(stats.norm.ppf(0.5 + level / 2.0))


# ----------------------------------------------------------------------- input handling


def _as_float_array(values: Values, name_de: str, name_en: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise MethodError(
            f"{name_de} enthält Werte, die keine Zahlen sind. Erwartet werden Zahlen "
            "(leere Werte sind erlaubt).",
            message_en=f"{name_en} contains values that are not numbers. Expected numbers "
            "(empty values are allowed).",
        ) from None
    return np.atleast_1d(array)


def _positions(mask: npt.NDArray[np.bool_], limit: int = 5) -> str:
    where = [str(i + 1) for i in np.flatnonzero(mask)[:limit]]
    more = " ..." if int(mask.sum()) > limit else ""
    return ", ".join(where) + more


def _check_non_negative(array: FloatArray, name_de: str, name_en: str) -> None:
    with np.errstate(invalid="ignore"):
        negative = array < 0
    if negative.any():
        raise MethodError(
            f"{name_de} enthält negative Werte (Position {_positions(negative)}). "
            "Erwartet werden Anzahlen von 0 an.",
            message_en=f"{name_en} contains negative values (position "
            f"{_positions(negative)}). Expected counts of 0 or more.",
        )


def _index_of(*values: Values) -> pd.Index | None:
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


def _inputs(numerator: Values, denominator: Values) -> tuple[FloatArray, FloatArray]:
    num = _as_float_array(numerator, "Der Zähler", "The numerator")
    den = _as_float_array(denominator, "Der Nenner", "The denominator")
    if num.ndim != 1 or den.ndim != 1:
        raise MethodError(
            "Zähler und Nenner müssen eindimensional sein (eine Zahl je Gebiet).",
            message_en="Numerator and denominator must be one-dimensional (one number "
            "per area).",
        )
    if num.size != den.size:
        if num.size == 1:
            num = np.full(den.size, num[0])
        elif den.size == 1:
            den = np.full(num.size, den[0])
        else:
            raise MethodError(
                f"Zähler ({num.size} Werte) und Nenner ({den.size} Werte) sind "
                "unterschiedlich lang. Erwartet wird je Gebiet ein Zähler und ein Nenner.",
                message_en=f"Numerator ({num.size} values) and denominator ({den.size} "
                "values) differ in length. Expected one numerator and one denominator "
                "per area.",
            )
    if isinstance(numerator, pd.Series) and isinstance(denominator, pd.Series) and not (
        numerator.index.equals(denominator.index)
    ):
        raise MethodError(
            "Zähler und Nenner haben unterschiedliche Indizes. Erwartet werden zwei "
            "Reihen mit denselben Gebieten in derselben Reihenfolge.",
            message_en="Numerator and denominator have different indexes. Expected two "
            "series with the same areas in the same order.",
        )
    _check_non_negative(num, "Der Zähler", "The numerator")
    _check_non_negative(den, "Der Nenner", "The denominator")
    return num, den


# -------------------------------------------------------------------- interval methods


def wilson_interval(numerator: Values, denominator: Values,
                    confidence: float = 0.95) -> Interval:
    """Wilson score interval for the proportion numerator/denominator (limits in 0..1).

    Uses the formula of Wilson (1927) as in PHEindicatormethods:
    ``(2x + z² ± z·sqrt(z² + 4x(1 - x/n))) / (2(n + z²))``.
    """
    x = _as_float_array(numerator, "Der Zähler", "The numerator")
    n = _as_float_array(denominator, "Der Nenner", "The denominator")
    z = normal_quantile(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = z * np.sqrt(z * z + 4.0 * x * (1.0 - x / n))
        lower = (2.0 * x + z * z - root) / (2.0 * (n + z * z))
        upper = (2.0 * x + z * z + root) / (2.0 * (n + z * z))
        share = x / n
    # Rounding must not push the limits past 0, 1 or the point estimate.
    lower = np.clip(np.fmin(lower, share), 0.0, 1.0)
    upper = np.clip(np.fmax(upper, share), 0.0, 1.0)
    return lower, upper


def clopper_pearson_interval(numerator: Values, denominator: Values,
                             confidence: float = 0.95) -> Interval:
    """Clopper-Pearson ("exact") interval for a proportion, from beta quantiles."""
    x = _as_float_array(numerator, "Der Zähler", "The numerator")
    n = _as_float_array(denominator, "Der Nenner", "The denominator")
    alpha = 1.0 - _confidence(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(x > 0, stats.beta.ppf(alpha / 2.0, np.fmax(x, 1e-300),
                                               n - x + 1.0), 0.0)
        upper = np.where(x < n, stats.beta.ppf(1.0 - alpha / 2.0, x + 1.0,
                                               np.fmax(n - x, 1e-300)), 1.0)
    invalid = np.isnan(x) | np.isnan(n) | (n <= 0)
    lower = np.where(invalid, np.nan, lower)
    upper = np.where(invalid, np.nan, upper)
    return lower.astype(np.float64), upper.astype(np.float64)


def exact_poisson_interval(count: Values, confidence: float = 0.95) -> Interval:
    """Exact Poisson interval for an observed count, from chi-square quantiles.

    lower = χ²(α/2; 2x) / 2 (0 for x = 0), upper = χ²(1 - α/2; 2x + 2) / 2.
    """
    x = _as_float_array(count, "Die Anzahl", "The count")
    alpha = 1.0 - _confidence(confidence)
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, stats.chi2.ppf(alpha / 2.0, 2.0 * np.fmax(x, 1e-300)) / 2.0,
                         0.0)
        upper = stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * x + 2.0) / 2.0
    lower = np.where(np.isnan(x), np.nan, lower)
    return lower.astype(np.float64), np.asarray(upper, dtype=np.float64)


def byar_interval(count: Values, confidence: float = 0.95) -> Interval:
    """Byar's approximation to the Poisson interval for an observed count.

    lower = x(1 - 1/(9x) - z/(3√x))³, upper = (x+1)(1 - 1/(9(x+1)) + z/(3√(x+1)))³.
    Where the bracket of the lower limit turns negative (very small counts at high
    confidence) the approximation fails and the lower limit is ``NaN``, as in the
    PHEindicatormethods test oracle; :func:`poisson_interval` avoids that range.
    """
    x = _as_float_array(count, "Die Anzahl", "The count")
    z = normal_quantile(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))
        lower = np.where(x == 0, 0.0, np.where(base >= 0, x * base**3, np.nan))
        up = x + 1.0
        upper = up * (1.0 - 1.0 / (9.0 * up) + z / (3.0 * np.sqrt(up))) ** 3
    return lower.astype(np.float64), np.asarray(upper, dtype=np.float64)


def poisson_interval(count: Values, confidence: float = 0.95) -> Interval:
    """Poisson interval by the PHE convention: exact below 10 events, Byar from 10 on."""
    x = _as_float_array(count, "Die Anzahl", "The count")
    exact_low, exact_up = exact_poisson_interval(x, confidence)
    byar_low, byar_up = byar_interval(x, confidence)
    use_exact = _uses_exact(x, byar_low)
    return np.where(use_exact, exact_low, byar_low), np.where(use_exact, exact_up, byar_up)


def _uses_exact(x: FloatArray, byar_low: FloatArray) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return (x < BYAR_MIN_EVENTS) | (np.isnan(byar_low) & ~np.isnan(x))


ProportionMethod = Callable[[Values, Values, float], Interval]
CountMethod = Callable[[Values, float], Interval]

#: Interval methods for proportions (shares), by name.
PROPORTION_METHODS: dict[str, ProportionMethod] = {
    "wilson": wilson_interval,
    "clopper-pearson": clopper_pearson_interval,
}

#: Interval methods for event counts (rates), by name.  ``"phe"`` is exact below 10
#: events and Byar's from 10 on.
RATE_METHODS: dict[str, CountMethod] = {
    "phe": poisson_interval,
    "exact": exact_poisson_interval,
    "byar": byar_interval,
}


def _method(name: str, registry: dict[str, Any], kind_de: str, kind_en: str) -> str:
    key = str(name).strip().lower().replace("_", "-")
    if key not in registry:
        known = ", ".join(sorted(registry))
        raise MethodError(
            f"Unbekanntes Intervallverfahren {name!r} für {kind_de}. Erwartet: {known}.",
            message_en=f"Unknown interval method {name!r} for {kind_en}. Expected one of: "
            f"{known}.",
        )
    return key


# ------------------------------------------------------------------------- reliability


def _number(value: float, lang: str) -> str:
    """A number in the user's format: 1.234,5 (German) or 1,234.5 (English)."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    if lang == "en":
        return text
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _check_positive(value: float | None, name: str) -> None:
    if value is not None and not (np.isfinite(value) and value > 0):
        raise MethodError(
            f"Parameter {name} = {value!r} ist ungültig. Erwartet wird eine positive Zahl.",
            message_en=f"Parameter {name} = {value!r} is invalid. Expected a positive "
            "number.",
        )


def _table(value: FloatArray, lower: FloatArray, upper: FloatArray, method: Sequence[str],
           num: FloatArray, den: FloatArray, *, min_denominator: float | None,
           max_relative_width: float | None, min_numerator: float | None,
           lang: str, index: pd.Index | None) -> pd.DataFrame:
    reasons: list[list[str]] = [[] for _ in range(value.size)]
    status = np.full(value.size, OK, dtype=object)
    en = lang == "en"

    def flag(mask: npt.NDArray[np.bool_], new_status: str, de: str, english: str) -> None:
        for i in np.flatnonzero(mask):
            if new_status == MISSING or status[i] != MISSING:
                status[i] = new_status
                reasons[i].append(english if en else de)

    flag(np.isnan(num), MISSING, "Zähler fehlt", "numerator missing")
    flag(np.isnan(den), MISSING, "Nenner fehlt", "denominator missing")
    flag(den == 0, MISSING, "Nenner ist 0", "denominator is 0")
    if min_numerator is not None:
        k = _number(min_numerator, lang)
        flag(num < min_numerator, UNRELIABLE, f"Zähler unter dem Mindestwert {k}",
             f"numerator below the minimum of {k}")
    if min_denominator is not None:
        k = _number(min_denominator, lang)
        flag(den < min_denominator, UNRELIABLE, f"Nenner unter dem Mindestwert {k}",
             f"denominator below the minimum of {k}")
    if max_relative_width is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = (upper - lower) / np.abs(value)
        k = _number(max_relative_width, lang)
        flag((value > 0) & ~(relative <= max_relative_width), UNRELIABLE,
             f"Konfidenzintervall zu breit (mehr als das {k}-Fache des Werts)",
             f"confidence interval too wide (more than {k} times the value)")

    missing = status == MISSING
    frame = pd.DataFrame(
        {
            "value": np.where(missing, np.nan, value),
            "lower": np.where(missing, np.nan, lower),
            "upper": np.where(missing, np.nan, upper),
            "status": pd.array(status.tolist(), dtype=object),
            "reason": pd.array(["; ".join(r) for r in reasons], dtype=object),
            "method": pd.array([("" if m else str(x)) for x, m in zip(method, missing,
                                                                  strict=True)],
                               dtype=object),
        },
        index=index,
    )
    return frame


def _reliability_args(min_denominator: float | None, max_relative_width: float | None,
                      min_numerator: float | None, multiplier: float, lang: str) -> None:
    if lang not in ("de", "en"):
        raise MethodError(
            f"Unbekannte Sprache {lang!r} für die Begründungen. Erwartet: 'de' oder 'en'.",
            message_en=f"Unknown language {lang!r} for the reasons. Expected 'de' or 'en'.",
        )
    _check_positive(multiplier, "multiplier")
    _check_positive(min_denominator, "min_denominator")
    _check_positive(max_relative_width, "max_relative_width")
    _check_positive(min_numerator, "min_numerator")


# -------------------------------------------------------------------------- the tables


def proportions(numerator: Values, denominator: Values, *, method: str = "wilson",
                confidence: float = 0.95, multiplier: float = 100.0,
                min_denominator: float | None = 30, max_relative_width: float | None = None,
                min_numerator: float | None = None, lang: str = "de") -> pd.DataFrame:
    """Shares (numerator out of denominator) with confidence intervals and a reliability flag.

    Parameters
    ----------
    numerator, denominator
        Counts per area (scalars, sequences, arrays or Series of equal length; a Series
        index is kept).  Empty values give status ``"missing"``; negative counts and
        numerators larger than their denominator raise :class:`MethodError`.
    method
        ``"wilson"`` (default) or ``"clopper-pearson"``.
    confidence
        Confidence level, as a fraction (0.95, 0.998) or a percentage (95, 99.8).
    multiplier
        Scale of value and limits: 100 (default) for percent, 1 for a proportion.
    min_denominator
        Values with a smaller denominator are ``"unreliable"`` (``None`` switches it off).
    max_relative_width
        Values whose interval is wider than this multiple of the value are
        ``"unreliable"`` (``None``, the default, switches it off; skipped for a value of 0,
        where the relative width is undefined).
    min_numerator
        Values with fewer events are ``"unreliable"`` (off by default).
    lang
        Language of the ``reason`` column, ``"de"`` (default) or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, lower, upper, status, reason, method`` (see the module docs).
    """
    name = _method(method, PROPORTION_METHODS, "Anteile", "proportions")
    _reliability_args(min_denominator, max_relative_width, min_numerator, multiplier, lang)
    num, den = _inputs(numerator, denominator)
    with np.errstate(invalid="ignore"):
        too_big = num > den
    if too_big.any():
        raise MethodError(
            f"Zähler größer als Nenner (Position {_positions(too_big)}). Erwartet wird bei "
            "einem Anteil ein Zähler, der Teil des Nenners ist; für Raten ohne diese Grenze "
            "rates() verwenden.",
            message_en=f"Numerator larger than denominator (position "
            f"{_positions(too_big)}). Expected a numerator that is part of the denominator "
            "for a share; use rates() for rates without that bound.",
        )
    valid = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    safe_den = np.where(valid, den, 1.0)
    safe_num = np.where(valid, num, 0.0)
    lower, upper = PROPORTION_METHODS[name](safe_num, safe_den, confidence)
    value = safe_num / safe_den
    table = _table(value * multiplier, lower * multiplier, upper * multiplier,
                   [name] * num.size, num, den, min_denominator=min_denominator,
                   max_relative_width=max_relative_width, min_numerator=min_numerator,
                   lang=lang, index=_index_of(numerator, denominator))
    table.attrs.update(kind="proportion", method=name, confidence=_confidence(confidence),
                       multiplier=multiplier, min_denominator=min_denominator,
                       max_relative_width=max_relative_width, min_numerator=min_numerator)
    return table


def rates(numerator: Values, denominator: Values, *, method: str = "phe",
          confidence: float = 0.95, multiplier: float = 1000.0,
          min_denominator: float | None = 30, max_relative_width: float | None = None,
          min_numerator: float | None = None, lang: str = "de") -> pd.DataFrame:
    """Rates (events per population at risk) with Poisson confidence intervals.

    The interval treats the numerator as a Poisson count and divides its limits by the
    denominator.  The denominator may also be an expected count (an indirectly
    standardised ratio) or any positive exposure.

    Parameters
    ----------
    numerator, denominator
        Events and population at risk per area (see :func:`proportions`); the numerator
        may exceed the denominator.
    method
        ``"phe"`` (default: exact Poisson below 10 events, Byar's method from 10 on),
        ``"exact"`` or ``"byar"``.
    confidence
        Confidence level, as a fraction (0.95, 0.998) or a percentage (95, 99.8).
    multiplier
        Rate per how many: 1000 (default), 100, 100000 ...
    min_denominator, max_relative_width, min_numerator, lang
        Reliability rules and language of ``reason``, as in :func:`proportions`.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, lower, upper, status, reason, method`` (see the module docs).
    """
    name = _method(method, RATE_METHODS, "Raten", "rates")
    _reliability_args(min_denominator, max_relative_width, min_numerator, multiplier, lang)
    num, den = _inputs(numerator, denominator)
    valid = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    safe_den = np.where(valid, den, 1.0)
    safe_num = np.where(valid, num, 0.0)
    low_count, up_count = RATE_METHODS[name](safe_num, confidence)
    if name == "phe":
        byar_low, _ = byar_interval(safe_num, confidence)
        used = np.where(_uses_exact(safe_num, byar_low), "exact", "byar").tolist()
    else:
        used = [name] * num.size
    scale = multiplier / safe_den
    table = _table(safe_num * scale, low_count * scale, up_count * scale, used, num, den,
                   min_denominator=min_denominator, max_relative_width=max_relative_width,
                   min_numerator=min_numerator, lang=lang,
                   index=_index_of(numerator, denominator))
    table.attrs.update(kind="rate", method=name, confidence=_confidence(confidence),
                       multiplier=multiplier, min_denominator=min_denominator,
                       max_relative_width=max_relative_width, min_numerator=min_numerator)
    return table
