"""BMI percentiles with the LMS method, against hand-computed values."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kekiz.domain.errors import ConfigurationError
from kekiz.records.bmi import lms_percentile, lms_z, read_lms_reference


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_lms_z_by_hand() -> None:
    # L = -1, M = 16, S = 0.1, BMI 17.6: ((17.6/16)^-1 - 1) / (-1 * 0.1) = 0.909090...
    assert lms_z(np.array([17.6]), np.array([-1.0]), np.array([16.0]),
                 np.array([0.1]))[0] == pytest.approx(0.9090909, abs=1e-6)
    # L = 0: ln(17.6/16) / 0.1 = 0.953102
    assert lms_z(np.array([17.6]), np.array([0.0]), np.array([16.0]),
                 np.array([0.1]))[0] == pytest.approx(math.log(1.1) / 0.1, abs=1e-9)
    pct = lms_percentile(np.array([17.6]), np.array([-1.0]), np.array([16.0]),
                         np.array([0.1]))[0]
    assert pct == pytest.approx(100 * _phi(0.9090909), abs=1e-5)
    assert pct == pytest.approx(81.83, abs=0.01)


def test_reference_table_interpolates_by_age_and_sex(tmp_path: Path) -> None:
    # a made-up table (NOT the Kromeyer-Hauschild values, which are not bundled)
    path = tmp_path / "lms.csv"
    path.write_text("alter;geschlecht;L;M;S\n5,0;m;-1;15;0,1\n7,0;m;-1;17;0,1\n"
                    "5,0;w;-1;14;0,1\n7,0;w;-1;16;0,1\n", encoding="utf-8")
    ref = read_lms_reference(path)
    pct = ref.percentile(np.array([17.6, 17.6, 17.6, 17.6]), np.array([6.0, 6.0, 6.0, 9.0]),
                         np.array(["m", "w", "", "m"]))
    # age 6: boys M = 16 (interpolated) -> 81.83; girls M = 15
    assert pct[0] == pytest.approx(81.83, abs=0.01)
    assert pct[1] == pytest.approx(100 * _phi(((17.6 / 15) ** -1 - 1) / -0.1), abs=1e-6)
    assert np.isnan(pct[2]) and np.isnan(pct[3])  # unknown sex, age outside the table


def test_reference_table_errors_name_row(tmp_path: Path) -> None:
    path = tmp_path / "lms.csv"
    path.write_text("alter;geschlecht;L;M;S\n5;m;-1;x;0,1\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"Zeile 2, Spalte 'm'"):
        read_lms_reference(path)
    path.write_text("alter;sex;L;M;S\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="geschlecht"):
        read_lms_reference(path)
