"""Exports: CSV in German Excel conventions, XLSX, GeoJSON and GeoPackage.

The writers receive frames; they never query the store.  Suppressed values are written
as ``.`` (the German official sign) with the status beside them, and text cells that a
spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["COLUMN_LABELS", "atomic_target", "neutralise", "round_values", "wide", "write_geo",
           "write_table"]

COLUMN_LABELS = {
    "de": {"unit_id": "Schlüssel", "name": "Gebiet", "level": "Ebene",
           "indicator_id": "Indikator", "period": "Zeitraum", "value": "Wert",
           "numerator": "Zähler", "denominator": "Nenner", "status": "Status",
           "lower": "Untere Grenze (95 %)", "upper": "Obere Grenze (95 %)"},
    "en": {"unit_id": "key", "name": "area", "level": "level", "indicator_id": "indicator",
           "period": "period", "value": "value", "numerator": "numerator",
           "denominator": "denominator", "status": "status", "lower": "lower limit (95%)",
           "upper": "upper limit (95%)"},
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would evaluate as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value.replace(",", "."))
            return value
        except ValueError:
            return "'" + value
    return value


_NUMBERS = ("value", "numerator", "denominator", "lower", "upper")


def _number_text(value: object, decimal: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):.15g}"  # type: ignore[arg-type]
    return text.replace(".", decimal) if decimal != "." else text


def _publishable(frame: pd.DataFrame, decimal: str | None = None) -> pd.DataFrame:
    """Neutralise formula text; suppressed numbers become '.'.

    With ``decimal`` the number columns become text with that decimal sign (CSV);
    without, they stay numbers (XLSX), and only suppressed cells hold '.'.
    """
    out = frame.copy()
    for col in out.columns:
        if col not in _NUMBERS and (out[col].dtype == object or
                                    str(out[col].dtype).startswith(("str", "string"))):
            out[col] = out[col].map(neutralise).astype(object)
    hidden = (out["status"] == "suppressed") if "status" in out.columns else \
        pd.Series(False, index=out.index)
    for col in _NUMBERS:
        if col not in out.columns:
            continue
        if decimal is not None:
            out[col] = [_number_text(v, decimal) for v in out[col]]
        elif hidden.any():
            out[col] = out[col].astype(object)
        if hidden.any():
            out.loc[hidden, col] = "."
    return out


def atomic_target(out: Path) -> tuple[int, Path]:
    """A new temporary file beside ``out`` (moved onto it when complete), created with
    mode 0666 less the umask like any other file (``0644`` under the usual umask) – not
    the 0600 of :func:`tempfile.mkstemp`, so an export is readable by the group."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        tmp = out.parent / f".kekiz-{secrets.token_hex(8)}{out.suffix}"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {out}")


def round_values(frame: pd.DataFrame, decimals: Mapping[str, int]) -> pd.DataFrame:
    """Values and interval limits rounded half up to the decimals of their indicator
    (``decimals`` by indicator id; others stay as they are), as the pages show them."""
    out = frame.copy()
    if "indicator_id" not in out.columns or out.empty:
        return out
    places = out["indicator_id"].map(decimals)
    known = places.notna().to_numpy()
    factor = np.power(10.0, places.fillna(0).to_numpy(float))
    for col in ("value", "lower", "upper"):
        if col not in out.columns:
            continue
        x = pd.to_numeric(out[col], errors="coerce").to_numpy(float)
        rounded = np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + 1e-9) / factor
        out[col] = np.where(known & np.isfinite(x), rounded, x)
    return out


def write_table(frame: pd.DataFrame, out: Path, fmt: str, lang: str = "de") -> None:
    decimal = ("," if lang == "de" else ".") if fmt == "csv" else None
    data = _publishable(frame, decimal).rename(columns=COLUMN_LABELS.get(lang, {}))
    fd, tmp = atomic_target(out)
    os.close(fd)
    try:
        if fmt == "csv":
            if lang == "de":
                data.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")
            else:
                data.to_csv(tmp, index=False, encoding="utf-8")
        else:
            data.to_excel(tmp, index=False, engine="openpyxl",
                          sheet_name="Werte" if lang == "de" else "values")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as one column per indicator and period (``gisd_score_2021``)."""
    if frame.empty:
        return pd.DataFrame(columns=["unit_id"])
    keyed = frame.assign(col=frame["indicator_id"] + "_" + frame["period"].astype(str))
    keyed.loc[keyed["status"] == "suppressed", "value"] = float("nan")
    table = keyed.pivot_table(index="unit_id", columns="col", values="value", aggfunc="first")
    table.columns.name = None
    return table.reset_index()


def write_geo(gdf: gpd.GeoDataFrame, out: Path, fmt: str) -> None:
    fd, tmp = atomic_target(out)
    os.close(fd)
    tmp.unlink()
    try:
        driver = "GeoJSON" if fmt == "geojson" else "GPKG"
        layer = re.sub(r"[^A-Za-z0-9_]", "_", out.stem) or "kekiz"
        gdf.to_file(tmp, driver=driver, engine="pyogrio", layer=layer)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
