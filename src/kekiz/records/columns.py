"""Converting record columns (Arrow arrays) to numpy, vectorised, with the bad rows.

Every converter accepts the typed columns of a Parquet file as well as the text columns of
a CSV or XLSX file (German or English number and date formats) and returns the values
plus a mask of the rows whose non-empty cell could not be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from kekiz.domain.missing import OFFICIAL_SIGNS, MissingMarkers, MissingTally

__all__ = ["as_codes", "as_days", "as_float", "as_text", "is_empty", "without_markers"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# a number in text: 12, -1.5, .5, 1e-3 (after "," -> "."); "nan" and "inf" are not values
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$"
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MIN_DAY, _MAX_DAY = -25567.0, 47482.0  # 1900-01-01 .. 2100-01-01
_DATE_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"^(?P<g0>\d{4})-(?P<g1>\d{1,2})-(?P<g2>\d{1,2})(?:[T ][0-9:.]*)?$", ("y", "m", "d")),
    (r"^(?P<g0>\d{1,2})\.(?P<g1>\d{1,2})\.(?P<g2>\d{4})$", ("d", "m", "y")),
    (r"^(?P<g0>\d{1,2})\.(?P<g1>\d{1,2})\.(?P<g2>\d{2})$", ("d", "m", "yy")),
    (r"^(?P<g0>\d{4})/(?P<g1>\d{1,2})/(?P<g2>\d{1,2})$", ("y", "m", "d")),
    (r"^(?P<g0>\d{1,2})/(?P<g1>\d{1,2})/(?P<g2>\d{4})$", ("d", "m", "y")),
)


def _array(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def _strings(arr: pa.Array) -> pa.Array:
    """Trimmed text; empty text becomes null."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def is_empty(col: pa.Array | pa.ChunkedArray) -> BoolArray:
    """Rows without a value (null or blank text)."""
    arr = _array(col)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or \
            pa.types.is_dictionary(arr.type):
        arr = _strings(arr)
    if pa.types.is_floating(arr.type):
        return np.asarray(pc.is_nan(arr).fill_null(True).to_numpy(zero_copy_only=False),
                          dtype=bool)
    return np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def as_text(col: pa.Array | pa.ChunkedArray) -> NDArray[np.object_]:
    """Trimmed text per row (``None`` where empty)."""
    arr = _array(col)
    if pa.types.is_floating(arr.type):
        values = arr.to_numpy(zero_copy_only=False)
        out = np.array([None if v != v else (str(int(v)) if float(v).is_integer() else str(v))
                        for v in values], dtype=object)
        return out
    return np.asarray(_strings(arr).to_numpy(zero_copy_only=False), dtype=object)


def as_float(col: pa.Array | pa.ChunkedArray) -> tuple[FloatArray, BoolArray]:
    """Numbers (``NaN`` where empty) and the rows whose text is not a number.

    Text accepts a decimal comma (``12,5``) and a decimal point (``12.5``); thousands
    separators are not expected in record files.
    """
    arr = _array(col)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or \
            pa.types.is_boolean(arr.type) or pa.types.is_decimal(arr.type):
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(values, dtype=np.float64), np.zeros(len(arr), dtype=bool)
    text = pc.replace_substring(_strings(arr), ",", ".")
    number = pc.match_substring_regex(text, _NUMBER, ignore_case=True)
    values = pc.cast(pc.if_else(number, text, pa.scalar(None, text.type)), pa.float64())
    bad = np.asarray(pc.invert(number).fill_null(False).to_numpy(zero_copy_only=False),
                     dtype=bool)  # non-empty text that is not a number (reported by the caller)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64), bad


def without_markers(col: pa.Array | pa.ChunkedArray, values: FloatArray, bad: BoolArray,
                    missing: MissingMarkers, tally: MissingTally, column: str, *,
                    share: bool = False) -> tuple[FloatArray, BoolArray]:
    """:func:`as_float`'s result with the missing-value markers (kekiz.domain.missing) read
    as missing: their cells become ``NaN`` and are no longer bad; the count per marker goes
    to ``tally``.  Empty cells are missing as before and not counted."""
    values = values.copy()
    bad = bad.copy()
    arr = _array(col)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or \
            pa.types.is_dictionary(arr.type):
        text = pc.replace_substring(_strings(arr), " ", "")
        # text 'nan'/'inf' stay bad in record files (a number column that lost its values
        # in an export, #4); the statistics offices' signs and the markers are missing
        for sign in sorted((set(OFFICIAL_SIGNS) - {"", "nan", "NaN"}) | set(missing.texts)):
            hit = np.asarray(pc.equal(text, sign).fill_null(False)
                             .to_numpy(zero_copy_only=False), dtype=bool)
            if hit.any():
                tally.count(sign, column, int(hit.sum()))
                values[hit] = np.nan
                bad[hit] = False
    for code in sorted(missing.codes | missing.share_codes):
        hit = values == code
        if not hit.any():
            continue
        marker = missing.code_marker(code, share)
        if marker is not None:
            tally.count(marker, column, int(hit.sum()))
            values[hit] = np.nan
        elif (kept := missing.kept_code(code, share)) is not None:
            tally.keep(kept, column, int(hit.sum()))
    return values, bad


def _iso_days(text: pa.Array) -> FloatArray | None:
    """Days since 1970 (``NaN`` where empty or no calendar date, 2012-02-31) when every
    cell has the shape ``YYYY-MM-DD``, else None.  Year, month and day are read by position,
    which is faster than the general date patterns of :func:`as_days`."""
    shaped = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}$")
    if not pc.all(shaped).as_py():  # nulls are skipped
        return None
    filled = pc.fill_null(text, "1970-01-01")
    year, month, day = (np.asarray(pc.cast(pc.utf8_slice_codeunits(filled, a, b), pa.int64())
                                   .to_numpy(zero_copy_only=False), dtype=np.int64)
                        for a, b in ((0, 4), (5, 7), (8, 10)))
    days, _ = _civil_days(year, month, day)
    return np.where(np.asarray(text.is_null().to_numpy(zero_copy_only=False), dtype=bool),
                    np.nan, days)


def as_days(col: pa.Array | pa.ChunkedArray) -> tuple[FloatArray, BoolArray]:
    """Days since 1970-01-01 (``NaN`` where empty) and the rows that are not a date.

    Text: ``2012-03-01``, ``01.03.2012``, ``01.03.12``, ``2012/03/01``, ``01/03/2012``;
    an Excel date number (days since 1899-12-30) is accepted as well.
    """
    arr = _array(col)
    n = len(arr)
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        days = pc.cast(pc.cast(arr, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False)
        return np.asarray(days, dtype=np.float64), np.zeros(n, dtype=bool)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        serial = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        days = np.floor(np.asarray(serial, dtype=np.float64)) - 25569.0
        bad = ~np.isnan(days) & ((days < -36500) | (days > 73000))
        return np.where(bad, np.nan, days), bad
    text = _strings(arr)
    out = np.full(n, np.nan)
    todo = np.asarray(text.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    days = _iso_days(text)  # fast path: every cell an ISO date
    if days is not None:
        ok = ~np.isnan(days) & (days >= _MIN_DAY) & (days <= _MAX_DAY)
        if ok.sum() == todo.sum():
            return days, np.zeros(n, dtype=bool)
    # otherwise the patterns below read every cell; cells no pattern reads come back as bad
    for pattern, roles in _DATE_PATTERNS:
        if not todo.any():
            break
        parts = pc.extract_regex(text, pattern)
        valid = np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), dtype=bool) & todo
        if not valid.any():
            continue
        rows = np.flatnonzero(valid)
        sub = parts.take(pa.array(rows))
        numbers = {role: np.asarray(pc.cast(sub.field(f"g{k}"), pa.int64())
                                    .to_numpy(zero_copy_only=False), dtype=np.int64)
                   for k, role in enumerate(roles)}
        year = numbers["y"] if "y" in numbers else _century(numbers["yy"])
        days, ok = _civil_days(year, numbers["m"], numbers["d"])
        out[rows[ok]] = days[ok]
        todo[rows[ok]] = False
    if todo.any():  # Excel serial numbers exported as text (1900..2099)
        rest = np.flatnonzero(todo)
        serial, not_number = as_float(text.take(pa.array(rest)))
        excel = ~not_number & (serial >= 1) & (serial <= 73051)
        out[rest[excel]] = np.floor(serial[excel]) - 25569.0
        todo[rest[excel]] = False
    return out, todo


def _century(yy: NDArray[np.int64]) -> NDArray[np.int64]:
    pivot = date.today().year % 100
    return np.where(yy <= pivot, 2000 + yy, 1900 + yy)


def _civil_days(year: NDArray[np.int64], month: NDArray[np.int64], day: NDArray[np.int64]
                ) -> tuple[FloatArray, BoolArray]:
    """Days since 1970-01-01 of valid calendar dates 1900..2100 (no lenient 31.02.).

    Integer arithmetic of the proleptic Gregorian calendar (H. Hinnant, days_from_civil)."""
    ok = (year >= 1900) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1)
    m = np.where(ok, month, 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    ok &= day <= _MONTH_DAYS[m - 1] + ((m == 2) & leap)
    y = year - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return np.where(ok, days, np.nan).astype(np.float64), ok


def as_codes(col: pa.Array | pa.ChunkedArray, mapping: dict[str, int]
             ) -> tuple[NDArray[np.int8], BoolArray]:
    """Category codes from text or numbers via ``mapping`` (lower-case text -> code);
    -1 where empty, and the rows whose value is not in ``mapping``.

    Booleans map through ``"true"``/``"false"``; numbers through their text (``1``).
    """
    arr = _array(col)
    n = len(arr)
    if pa.types.is_boolean(arr.type):
        values = np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False),
                            dtype=bool)
        t, f = mapping.get("true", 1), mapping.get("false", 0)
        out = np.where(values, t, f).astype(np.int8)
        if arr.null_count:
            out[~np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)] = -1
        return out, np.zeros(n, dtype=bool)
    if pa.types.is_floating(arr.type):
        floats = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        whole = ~np.isnan(floats) & (np.floor(floats) == floats)
        as_int = np.nan_to_num(floats).astype(np.int64).astype(str)
        texts = [None if f != f else (i if w else str(f))
                 for f, i, w in zip(floats.tolist(), as_int.tolist(), whole.tolist(),
                                    strict=True)]
        arr = pa.array(texts, type=pa.string())
    encoded = pc.dictionary_encode(_strings(arr))
    dictionary = encoded.dictionary.to_pylist()
    lut = np.array([mapping.get(str(v).strip().lower(), -2) for v in dictionary] or [-2],
                   dtype=np.int8)
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    valid = np.asarray(encoded.indices.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    out = np.full(n, -1, dtype=np.int8)
    out[valid] = lut[idx[valid].astype(np.int64)]
    bad = out == -2
    out[bad] = -1
    return out, bad


def code_map(groups: Sequence[tuple[Sequence[str], int]]) -> dict[str, int]:
    """``[(["ja", "1"], 1), (["nein", "0"], 0)]`` -> ``{"ja": 1, "1": 1, ...}``."""
    out: dict[str, int] = {}
    for names, code in groups:
        for name in names:
            out.setdefault(str(name).strip().lower(), code)
    return out
