"""Withheld values stay out of derived figures and keep their stated reason."""

from __future__ import annotations

import json

import pandas as pd

from kekiz.privacy.publish import WithheldFreeReads
from kekiz.privacy.publish import reason as _reason


class _FakeStore:
    def observations(self, **_kwargs: object) -> pd.DataFrame:
        return pd.DataFrame({"unit_id": ["a", "b", "c"], "period": ["2022"] * 3,
                             "value": [120.0, 2.0, 80.0],
                             "status": ["ok", "suppressed", "ok"]})

    def units_frame(self, level: str | None = None) -> pd.DataFrame:
        return pd.DataFrame({"id": ["a"], "level": [level]})

    def scoped(self, scope: object) -> _FakeStore:
        # the public audience reads the public rows only; the fake has no private ones
        return self


def test_suppressed_observations_never_reach_monitoring() -> None:
    frame = WithheldFreeReads(_FakeStore()).observations(  # type: ignore[arg-type]
        indicator_id="einwohner_u18")
    assert list(frame["unit_id"]) == ["a", "c"]
    assert 2.0 not in set(frame["value"])


def test_reason_stored_by_records_disclosure_is_shown() -> None:
    params = json.dumps({"privacy": {"suppressed": ["numerator", "value"],
                                     "reason_de": "Fallzahl unter 3",
                                     "reason_en": "count below 3"}})
    assert _reason(params, "suppressed") == ("Fallzahl unter 3", "count below 3")


def test_reason_falls_back_to_the_default_text() -> None:
    de, en = _reason(json.dumps({"other": 1}), "suppressed")
    assert de and en and "Fallzahl" not in de
