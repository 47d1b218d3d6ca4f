"""Chart text stays inside the drawing: long axis titles of the scatter plot wrap."""

from __future__ import annotations

import re

from kekiz.services.views.common import CHAR_PX, axis_title, scatter

LONG_Y = "Erreichbarkeit (2SFCA, Kitas je 1.000 Kinder im Umkreis von 1,5 km)"


def test_axis_title_splits_at_the_space_nearest_the_middle() -> None:
    assert axis_title("Bedarf", 100) == ["Bedarf"]
    # 67 characters at 6.6 px = 442 px > 320 px: two lines of 30 and 36 characters
    assert len(LONG_Y) * CHAR_PX > 320
    assert axis_title(LONG_Y, 320) == ["Erreichbarkeit (2SFCA, Kitas je",
                                       "1.000 Kinder im Umkreis von 1,5 km)"]
    assert axis_title("Donaudampfschifffahrtsgesellschaft", 50) == \
        ["Donaudampfschifffahrtsgesellschaft"]  # no space: one line (squeezed, below)


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>[^<]*</text>", svg)


def test_scatter_wraps_a_long_y_title_and_makes_room_for_it() -> None:
    points = [("A", 1.0, 2.0, "#d7301f", ""), ("B", 3.0, 5.0, "#2b8cbe", "/x")]
    short = str(scatter(points, label="t", x_label="Bedarf", y_label="Angebot", x_split=2,
                        y_split=3, fmt_x=str, fmt_y=str))
    wrapped = str(scatter(points, label="t", x_label="Bedarf", y_label=LONG_Y, x_split=2,
                          y_split=3, fmt_x=str, fmt_y=str))
    assert '<line x1="64" x2="64"' in short  # the y axis at the usual margin
    assert '<line x1="76" x2="76"' in wrapped  # 12 px more for the second line
    rotated = [t for t in _texts(wrapped) if "rotate(-90" in t]
    assert len(rotated) == 2
    assert 'x="12"' in rotated[0] and 'x="24"' in rotated[1]
    assert "textLength" not in wrapped
    # the data the CSV download reads
    assert 'data-x="3" data-y="5"' in wrapped


def test_a_title_without_spaces_is_narrowed_not_cut() -> None:
    points = [("A", 1.0, 2.0, "#d7301f", "")]
    svg = str(scatter(points, label="t", x_label="x" * 120, y_label="y", x_split=1,
                      y_split=2, fmt_x=str, fmt_y=str))
    x_title = next(t for t in _texts(svg) if "x" * 120 in t)
    # the plot is 620 - 64 - 16 = 540 px wide
    assert 'textLength="540" lengthAdjust="spacingAndGlyphs"' in x_title
