"""Staggered difference-in-differences (Callaway & Sant'Anna) against published results.

Reference: ``../shared/refdata/mpdta`` with the numbers of R ``did`` 2.5.1 listed in
REFERENCE.md.  Analytic standard errors are compared with the independent analytic values
given there within +-0.0001 (they are printed to 4 decimals).  Input checks use small
synthetic panels, so they also run on a fresh clone without ``../shared``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kekiz.analysis.did import DidResult, estimate_did
from kekiz.domain.errors import MethodError

MPDTA = {"outcome": "lemp", "unit": "countyreal", "time": "year", "group": "first.treat"}

# REFERENCE.md, mpdta/ (R did 2.5.1, never-treated controls, no covariates).
REF_ATT_GT = {
    (2004, 2004): -0.0105, (2004, 2005): -0.0704, (2004, 2006): -0.1373,
    (2004, 2007): -0.1008,
    (2006, 2004): 0.0065, (2006, 2005): -0.0028, (2006, 2006): -0.0046,
    (2006, 2007): -0.0412,
    (2007, 2004): 0.0305, (2007, 2005): -0.0027, (2007, 2006): -0.0311,
    (2007, 2007): -0.0261,
}
REF_OVERALL = {"simple": -0.0400, "dynamic": -0.0772, "group": -0.0310, "calendar": -0.0417}
REF_EVENT = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373,
             3: -0.1008}
REF_GROUP = {2004: -0.0797, 2006: -0.0229, 2007: -0.0261}
REF_CALENDAR = {2004: -0.0105, 2005: -0.0704, 2006: -0.0488, 2007: -0.0371}
REF_PRETEST_P = 0.16812
REF_ANALYTIC_SE = {"simple": 0.0120, "dynamic": 0.0200, "group": 0.0124, "calendar": 0.0160}
SE_TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def mpdta(refdata: Path) -> pd.DataFrame:
    path = refdata / "mpdta" / "mpdta.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def result(mpdta: pd.DataFrame) -> DidResult:
    return estimate_did(mpdta, **MPDTA)


@pytest.fixture(scope="module")
def result_lpop(mpdta: pd.DataFrame) -> DidResult:
    return estimate_did(mpdta, **MPDTA, covariates=["lpop"])


def _cell(res: DidResult, g: int, t: int) -> float:
    (att,) = [c.att for c in res.att_gt if (c.group, c.time) == (g, t)]
    return att


# ----------------------------------------------------------------------------- mpdta


def test_mpdta_att_gt_matches_reference(result: DidResult) -> None:
    assert len(result.att_gt) == len(REF_ATT_GT)
    for (g, t), expected in REF_ATT_GT.items():
        assert round(_cell(result, g, t), 4) == expected, (g, t)


def test_mpdta_overall_aggregates_match_reference(result: DidResult) -> None:
    for name, expected in REF_OVERALL.items():
        assert round(getattr(result, name).att, 4) == expected, name


def test_mpdta_event_study_matches_reference(result: DidResult) -> None:
    assert sorted(result.by_event) == sorted(REF_EVENT)
    for e, expected in REF_EVENT.items():
        assert round(result.by_event[e].att, 4) == expected, e


def test_mpdta_group_and_calendar_match_reference(result: DidResult) -> None:
    assert {g: round(v.att, 4) for g, v in result.by_group.items()} == REF_GROUP
    assert {t: round(v.att, 4) for t, v in result.by_time.items()} == REF_CALENDAR


def test_mpdta_pretest_p(result: DidResult) -> None:
    assert result.pretest_p is not None
    assert abs(result.pretest_p - REF_PRETEST_P) <= 0.005
    assert round(result.pretest_p, 5) == REF_PRETEST_P  # R rounds the p-value to 5 digits
    assert result.pretest_df == 5  # ATT(2006, 2004..2005), ATT(2007, 2004..2006)


def test_mpdta_analytic_standard_errors(result: DidResult) -> None:
    for name, expected in REF_ANALYTIC_SE.items():
        se = getattr(result, name).se
        assert se is not None
        assert abs(se - expected) <= SE_TOLERANCE, (name, se)
    assert all(c.se is not None and 0.01 < c.se < 0.05 for c in result.att_gt)


def test_mpdta_covariate_lpop(mpdta: pd.DataFrame, result_lpop: DidResult) -> None:
    assert round(_cell(result_lpop, 2004, 2004), 4) == -0.0145
    assert round(_cell(result_lpop, 2007, 2007), 4) == -0.0288
    assert result_lpop.pretest_p is not None
    assert abs(result_lpop.pretest_p - 0.23267) <= 0.005
    assert round(result_lpop.pretest_p, 5) == 0.23267
    # a comma-separated string works like a list
    again = estimate_did(mpdta, **MPDTA, covariates="lpop")
    assert again.simple.att == pytest.approx(result_lpop.simple.att, abs=1e-12)
    assert any("lpop" in text for text in result_lpop.caveats_de)


def test_mpdta_not_yet_treated_controls(mpdta: pd.DataFrame, result: DidResult) -> None:
    res = estimate_did(mpdta, **MPDTA, control="notyet")
    assert res.control == "notyet"
    assert len(res.att_gt) == 12
    # no cohort starts after 2007, so ATT(2007, 2007) has the same controls as "never"
    assert _cell(res, 2007, 2007) == pytest.approx(_cell(result, 2007, 2007), abs=1e-12)
    # earlier cells also use the not-yet-treated cohorts and change
    assert abs(_cell(res, 2004, 2004) - _cell(result, 2004, 2004)) > 1e-3
    # cross-check values from moderndid 0.2.0 (control_group="notyettreated")
    assert round(_cell(res, 2004, 2004), 4) == -0.0194
    assert round(res.simple.att, 4) == -0.0398
    assert res.simple.se is not None and round(res.simple.se, 4) == 0.0121
    assert res.pretest_p is not None and round(res.pretest_p, 5) == 0.16814


def test_mpdta_no_never_treated(mpdta: pd.DataFrame) -> None:
    treated_only = mpdta[mpdta["first.treat"] > 0]
    with pytest.raises(MethodError) as err:
        estimate_did(treated_only, **MPDTA, control="never")
    assert "nie am Programm" in err.value.message
    assert "--control notyet" in err.value.message
    assert "never treated" in err.value.message_en
    res = estimate_did(treated_only, **MPDTA, control="notyet")
    # periods from 2007 on are dropped; the 2007 cohort is the comparison group
    assert res.periods == (2003.0, 2004.0, 2005.0, 2006.0)
    assert set(res.by_group) == {2004.0, 2006.0}
    assert any("2007" in note for note in res.notes_de)


def test_mpdta_to_dict_layout(result: DidResult) -> None:
    out = result.to_dict()
    text = json.dumps(out, allow_nan=False, ensure_ascii=False)
    back = json.loads(text)
    for key in ("simple", "dynamic", "group", "calendar"):
        assert set(back[key]) >= {"att", "se"}
        assert isinstance(back[key]["att"], float) and isinstance(back[key]["se"], float)
    assert round(back["simple"]["att"], 4) == -0.0400
    assert list(back["dynamic"]["by_event"]) == ["-3", "-2", "-1", "0", "1", "2", "3"]
    assert round(back["dynamic"]["by_event"]["2"]["att"], 4) == -0.1373
    assert set(back["group"]["by_group"]) == {"2004", "2006", "2007"}
    assert set(back["calendar"]["by_time"]) == {"2004", "2005", "2006", "2007"}
    assert back["att_gt"][0] == {"group": 2004, "time": 2004, "att": pytest.approx(-0.0105,
                                 abs=5e-5), "se": pytest.approx(0.0233, abs=5e-5)}
    assert all(set(c) == {"group", "time", "att", "se"} for c in back["att_gt"])
    assert round(back["pretest_p"], 5) == REF_PRETEST_P
    assert back["caveats_de"] and back["assumptions_de"]
    assert back["caveats_en"] and back["assumptions_en"]
    assert back["method"]["n_units"] == 500
    assert back["method"]["cohort_sizes"] == {"2004": 20, "2006": 40, "2007": 131}


def test_mpdta_plain_german_texts(result: DidResult) -> None:
    assert any("Parallele Trends" in a for a in result.assumptions_de)
    assert any("Vorwegnahme" in a for a in result.assumptions_de)
    assert any("p = 0,168" in c for c in result.caveats_de)
    assert any("Parallel trends" in a for a in result.assumptions_en)
    assert result.caveats("en") == result.caveats_en
    assert result.assumptions() == result.assumptions_de


# ----------------------------------------------------------------------------- synthetic


def _panel(seed: int = 1, effect: float = 1.0, noise: float = 0.05) -> pd.DataFrame:
    """Three cohorts (2012, 2014, never) x 2010-2015 with a constant effect after start."""
    rng = np.random.default_rng(seed)
    rows = []
    cohorts = [2012] * 12 + [2014] * 12 + [0] * 16
    for i, g in enumerate(cohorts):
        level = rng.normal(10, 2)
        for t in range(2010, 2016):
            y = level + 0.3 * (t - 2010) + (effect if g and t >= g else 0.0)
            rows.append({"ags": f"K{i:03d}", "jahr": t, "start": g,
                         "quote": y + rng.normal(0, noise),
                         "einwohner": level * 1000 + rng.normal(0, 50)})
    return pd.DataFrame(rows)


SYN = {"outcome": "quote", "unit": "ags", "time": "jahr", "group": "start"}


def test_synthetic_constant_effect_recovered() -> None:
    res = estimate_did(_panel(), **SYN)
    assert res.n_units == 40
    for cell in res.att_gt:
        target = 1.0 if cell.post else 0.0
        assert cell.att == pytest.approx(target, abs=0.15)
    assert res.simple.att == pytest.approx(1.0, abs=0.05)
    assert res.simple.se is not None and 0 < res.simple.se < 0.05
    assert res.pretest_p is not None and 0 <= res.pretest_p <= 1
    ci = res.simple.ci()
    assert ci is not None and ci[0] < res.simple.att < ci[1]
    with_cov = estimate_did(_panel(), **SYN, covariates=["einwohner"], control="notyet")
    assert with_cov.simple.att == pytest.approx(1.0, abs=0.05)


def test_missing_columns() -> None:
    with pytest.raises(MethodError) as err:
        estimate_did(_panel(), outcome="wert", unit="ags", time="jahr", group="beginn")
    assert "'wert'" in err.value.message and "'beginn'" in err.value.message
    assert "fehlen" in err.value.message
    assert "missing" in err.value.message_en
    with pytest.raises(MethodError, match="fehlen"):
        estimate_did(_panel(), **SYN, covariates=["kita"])


def test_group_not_constant_within_unit() -> None:
    df = _panel()
    df.loc[(df["ags"] == "K000") & (df["jahr"] == 2015), "start"] = 2014
    with pytest.raises(MethodError) as err:
        estimate_did(df, **SYN)
    assert "nicht für jede Einheit gleich" in err.value.message
    assert "K000" in err.value.message
    assert "constant" in err.value.message_en


def test_no_never_treated_with_control_never() -> None:
    df = _panel()
    df = df[df["start"] > 0]
    with pytest.raises(MethodError, match="nie am Programm teilnehmen"):
        estimate_did(df, **SYN, control="never")


def test_bad_values_raise_german_errors() -> None:
    df = _panel()
    df["quote"] = df["quote"].astype(object)
    df.loc[3, "quote"] = "k.A."
    with pytest.raises(MethodError, match="keine Zahlen"):
        estimate_did(df, **SYN)
    df = _panel()
    df.loc[2, "start"] = np.nan
    with pytest.raises(MethodError, match="leere Zellen"):
        estimate_did(df, **SYN)
    df = _panel()
    with pytest.raises(MethodError, match="mehrfach"):
        estimate_did(pd.concat([df, df.head(1)]), **SYN)
    with pytest.raises(MethodError, match="Unbekannte Vergleichsgruppe"):
        estimate_did(df, **SYN, control="alle")
    with pytest.raises(MethodError, match="verschiedene Spalten"):
        estimate_did(df, **SYN, covariates=["quote"])
    df = _panel()
    df["start"] = 0
    with pytest.raises(MethodError, match="Keine Einheit nimmt"):
        estimate_did(df, **SYN)


def test_incomplete_units_are_dropped_with_note() -> None:
    df = _panel()
    df = df[~((df["ags"] == "K001") & (df["jahr"] == 2013))]
    df.loc[df["ags"] == "K002", "quote"] = np.where(
        df.loc[df["ags"] == "K002", "jahr"] == 2011, np.nan, df.loc[df["ags"] == "K002", "quote"])
    res = estimate_did(df, **SYN)
    assert res.n_units == 38
    assert any("K001" in n for n in res.notes_de)
    assert any("K002" in n for n in res.notes_de)
    assert all(n in res.caveats_de for n in res.notes_de)


def test_first_period_and_late_starters() -> None:
    df = _panel()
    df.loc[df["ags"] == "K030", "start"] = 2010  # treated from the first period: dropped
    df.loc[df["ags"] == "K031", "start"] = 2020  # starts after the data: never treated
    res = estimate_did(df, **SYN)
    assert res.n_units == 39
    assert res.cohort_sizes == {2012.0: 12, 2014.0: 12}
    assert len(res.notes_de) == 2
