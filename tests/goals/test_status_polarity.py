"""The goal status follows the direction and the indicator's polarity and never says
"auf Kurs" when the value moved away from the target since the baseline (issue #19);
the status says the rule in plain German."""

from __future__ import annotations

import pandas as pd
import pytest

from kekiz.domain.goals import Direction, GoalStatus, Target
from kekiz.goals.progress import RULE_DE, assess, got_worse


def _assess(values: dict[int, float], target: float, direction: Direction,
            polarity: int) -> object:
    series = pd.DataFrame({"year": list(values), "value": list(values.values())})
    return assess("Z", Target("x", target, 2025, direction, unit_id="u",
                              baseline_year=min(values)), series, unit_id="u",
                  polarity=polarity, decimals=1)


def test_a_value_that_got_worse_is_never_on_track() -> None:
    # child poverty (higher is worse) to be lowered to at most 20 %: 10 % in 2015, 14 % in
    # 2016 - still under the target, but it moved away from it: at risk, not on track
    p = _assess({2015: 10.0, 2016: 14.0}, 20.0, Direction.DECREASE, -1)
    assert p.status is GoalStatus.AT_RISK  # type: ignore[attr-defined]
    assert "verschlechtert (10,0 → 14,0)" in p.reason_de  # type: ignore[attr-defined]
    assert "nicht auf Kurs" in p.reason_de  # type: ignore[attr-defined]
    # the same values for a rate to be raised to at least 8: they moved towards it
    p = _assess({2015: 10.0, 2016: 14.0}, 8.0, Direction.INCREASE, 1)
    assert p.status is GoalStatus.ON_TRACK  # type: ignore[attr-defined]
    # 'halten' follows the polarity: higher is worse, so a rise is worse
    p = _assess({2015: 10.0, 2016: 14.0}, 20.0, Direction.MAINTAIN, -1)
    assert p.status is GoalStatus.AT_RISK  # type: ignore[attr-defined]
    p = _assess({2015: 14.0, 2016: 10.0}, 20.0, Direction.MAINTAIN, -1)
    assert p.status is GoalStatus.ON_TRACK  # type: ignore[attr-defined]


def test_a_forecast_on_track_despite_a_worse_last_value_is_at_risk() -> None:
    # to be lowered to at most 12 by 2025; the trend of 20, 16, 10, 11, 12 falls (OLS
    # slope -2.3 per year) so the forecast reaches the target - but 12 is better than 20,
    # so the status stays on track; with 20, 22, 21, 21, 23 against a target of 30 the
    # forecast (rising) reaches at most 30 only as a bound: worse than 20 -> not on track
    better = _assess({2015: 20.0, 2016: 16.0, 2017: 10.0, 2018: 11.0, 2019: 12.0}, 12.0,
                     Direction.DECREASE, -1)
    assert better.status is GoalStatus.ON_TRACK  # type: ignore[attr-defined]
    assert better.reason_de.startswith(  # type: ignore[attr-defined]
        "Bei gleichbleibender Entwicklung wird das Ziel 2025 voraussichtlich erreicht")
    worse = _assess({2015: 20.0, 2016: 22.0, 2017: 21.0, 2018: 21.0, 2019: 20.5}, 30.0,
                    Direction.DECREASE, -1)
    assert worse.status is GoalStatus.AT_RISK  # type: ignore[attr-defined]
    assert "Bei gleichbleibender Entwicklung wird das Ziel 2025 voraussichtlich erreicht" \
        in worse.reason_de  # type: ignore[attr-defined]
    assert "verschlechtert (20,0 → 20,5)" in worse.reason_de  # type: ignore[attr-defined]


@pytest.mark.parametrize(("direction", "polarity", "base", "now", "worse"), [
    (Direction.DECREASE, 0, 10.0, 11.0, True), (Direction.DECREASE, 1, 10.0, 9.0, False),
    (Direction.INCREASE, -1, 10.0, 9.0, True), (Direction.INCREASE, 0, 10.0, 11.0, False),
    (Direction.MAINTAIN, 1, 10.0, 9.0, True), (Direction.MAINTAIN, 0, 10.0, 99.0, False),
])
def test_got_worse(direction: Direction, polarity: int, base: float, now: float,
                   worse: bool) -> None:
    assert got_worse(base, now, Target("x", 0.0, 2025, direction), polarity) is worse


def test_the_rule_says_it() -> None:
    assert "heißt es nie „auf Kurs“" in RULE_DE
