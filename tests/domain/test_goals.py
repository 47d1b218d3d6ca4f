"""The Leitbild's targets (#6, #16)."""

from __future__ import annotations

from kekiz.domain.goals import Direction, Target


def test_a_targets_stated_baseline() -> None:
    target = Target("gisd_score", 0.17, 2030, Direction.DECREASE)
    assert target.stated_baseline(2017) == (2017, None)  # the Leitbild's year, value from data
    own = Target("gisd_score", 0.17, 2030, Direction.DECREASE, baseline_year=2019,
                 baseline_value=0.2)
    assert own.stated_baseline(2017) == (2019, 0.2) and own.stated_baseline(None) == (2019, 0.2)
