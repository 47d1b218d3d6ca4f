"""Coordinates as cells of a file hold them: decimal comma or point (#5, #16)."""

from __future__ import annotations

import pytest

from kekiz.domain.directory import parse_coordinate


@pytest.mark.parametrize(("cell", "value"), [
    ("50,9375", 50.9375), ("50.9375", 50.9375), ("356.560,5", 356560.5),
    ("356,560.5", 356560.5), ("1 234,5", 1234.5), ("\u00a06,95", 6.95),
    ("", None), ("Nord", None), ("nan", None), ("inf", None),
])
def test_coordinates_with_decimal_comma_or_point(cell: str, value: float | None) -> None:
    assert parse_coordinate(cell) == value
