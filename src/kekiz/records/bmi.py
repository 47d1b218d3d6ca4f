"""BMI percentiles by age and sex with the LMS method (Cole & Green 1992).

The German reference for children is Kromeyer-Hauschild et al. (2001), *Perzentile für
den Body-mass-Index für das Kindes- und Jugendalter*, Monatsschrift Kinderheilkunde 149,
807–818: overweight is a BMI above the 90th, obesity above the 97th percentile for age
and sex.  Its LMS table is published in that article and is **not bundled** with kekiz
(the article's rights are held by the publisher); a municipality that holds BMI or
height and weight instead of a percentile gives the table as a CSV file with the columns

    alter;geschlecht;L;M;S
    6.0;m;-1.72;15.53;0.089
    ...

(``alter`` in years, decimals allowed; ``geschlecht`` m/w; German or English number
format).  Between two ages L, M and S are interpolated linearly.  Records that already
carry the percentile or a yes/no flag need no table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import ndtr

from kekiz.domain.errors import ConfigurationError

__all__ = ["LmsReference", "lms_percentile", "lms_z", "read_lms_reference"]

FloatArray = NDArray[np.float64]


def lms_z(value: FloatArray, lam: FloatArray, mu: FloatArray, sigma: FloatArray) -> FloatArray:
    """z-score of ``value`` given the LMS parameters (vectorised).

    ``z = ((value / M) ** L - 1) / (L * S)``, and ``ln(value / M) / S`` where ``L = 0``.
    """
    value = np.asarray(value, dtype=np.float64)
    lam = np.asarray(lam, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    ratio = value / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        small = np.abs(lam) < 1e-9
        safe_lam = np.where(small, 1.0, lam)
        power = (np.power(ratio, safe_lam) - 1.0) / (safe_lam * sigma)
        log = np.log(ratio) / sigma
    return np.where(small, log, power)


def lms_percentile(value: FloatArray, lam: FloatArray, mu: FloatArray,
                   sigma: FloatArray) -> FloatArray:
    """Percentile (0..100) of ``value`` given the LMS parameters."""
    return np.asarray(100.0 * ndtr(lms_z(value, lam, mu, sigma)), dtype=np.float64)


@dataclass(frozen=True)
class LmsReference:
    """LMS parameters by sex (``"m"``/``"w"``) and age in years, sorted by age."""

    ages: dict[str, FloatArray]
    params: dict[str, FloatArray]  # sex -> (n, 3) array of L, M, S
    source: str = ""

    def percentile(self, bmi: FloatArray, age: FloatArray, sex: NDArray[np.str_]
                   ) -> FloatArray:
        """Percentile of each BMI; ``NaN`` where sex is unknown or the age outside the
        table."""
        bmi = np.asarray(bmi, dtype=np.float64)
        age = np.asarray(age, dtype=np.float64)
        out = np.full(bmi.shape, np.nan)
        for s in ("m", "w"):
            rows = np.flatnonzero(np.asarray(sex) == s)
            if rows.size == 0 or s not in self.ages:
                continue
            ages = self.ages[s]
            a = age[rows]
            inside = (a >= ages[0]) & (a <= ages[-1])
            rows, a = rows[inside], a[inside]
            lms = [np.interp(a, ages, self.params[s][:, k]) for k in range(3)]
            out[rows] = lms_percentile(bmi[rows], *lms)
        return out


def read_lms_reference(path: Path) -> LmsReference:
    """Read an LMS table (see the module docs); errors name the row and the fix."""
    if not path.exists():
        raise ConfigurationError(
            f"BMI-Referenztabelle {path} nicht gefunden. Abhilfe: [bmi] reference im Schema "
            "korrigieren oder die Perzentile bzw. ein Übergewichts-Kennzeichen liefern.",
            message_en=f"BMI reference table {path} not found. Fix: correct [bmi] reference "
            "in the schema or deliver percentiles or an overweight flag.", status=422)
    text = path.read_text(encoding="utf-8-sig")
    sep = ";" if text.count(";") >= text.count(",") else ","
    frame = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig")
    frame.columns = [c.strip().lower() for c in frame.columns]
    need = ["alter", "geschlecht", "l", "m", "s"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ConfigurationError(
            f"{path.name}: Spalte(n) {', '.join(missing)} fehlen. Erwartet: "
            "alter;geschlecht;L;M;S. Abhilfe: die Kopfzeile anpassen.",
            message_en=f"{path.name}: column(s) {', '.join(missing)} missing. Expected "
            "alter;geschlecht;L;M;S. Fix: adjust the header.", status=422)
    numbers = {}
    for col in ("alter", "l", "m", "s"):
        text_col = frame[col].str.strip()
        if sep == ";":
            text_col = text_col.str.replace(",", ".", regex=False)
        values = pd.to_numeric(text_col, errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ConfigurationError(
                f"{path.name}, Zeile {row + 2}, Spalte '{col}': {frame[col].iloc[row]!r} ist "
                "keine Zahl. Erwartet: eine Zahl (z. B. 15,53). Abhilfe: den Wert korrigieren.",
                message_en=f"{path.name}, row {row + 2}, column '{col}': "
                f"{frame[col].iloc[row]!r} is not a number. Fix: correct the value.",
                status=422)
        numbers[col] = values.to_numpy(dtype=np.float64)
    sexes = frame["geschlecht"].str.strip().str.lower().map(
        {"m": "m", "männlich": "m", "jungen": "m", "w": "w", "weiblich": "w", "f": "w",
         "mädchen": "w"})
    if sexes.isna().any():
        row = int(np.flatnonzero(sexes.isna().to_numpy())[0])
        raise ConfigurationError(
            f"{path.name}, Zeile {row + 2}, Spalte 'geschlecht': "
            f"{frame['geschlecht'].iloc[row]!r} ist unbekannt. Erwartet: m oder w.",
            message_en=f"{path.name}, row {row + 2}, column 'geschlecht': unknown value. "
            "Expected m or w.", status=422)
    ages: dict[str, FloatArray] = {}
    params: dict[str, FloatArray] = {}
    for s in ("m", "w"):
        rows = np.flatnonzero(sexes.to_numpy() == s)
        if rows.size == 0:
            continue
        order = rows[np.argsort(numbers["alter"][rows])]
        ages[s] = numbers["alter"][order]
        params[s] = np.column_stack([numbers["l"][order], numbers["m"][order],
                                     numbers["s"][order]])
    return LmsReference(ages, params, path.name)
