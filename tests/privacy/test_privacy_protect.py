"""protect_records (the layout of ``kekiz privacy protect``), publication, room rules."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

import kekiz.privacy
from kekiz.domain.errors import MethodError
from kekiz.privacy import (
    SUPPRESSED,
    parse_by,
    parse_dominance,
    protect_cells,
    protect_microdata,
    protect_records,
    render_publication,
)


@pytest.fixture(scope="module")
def microdata1(refdata: Path) -> pd.DataFrame:
    return pd.read_csv(refdata / "sdc" / "microdata1.csv")


def _row(frame: pd.DataFrame, region: str, gender: str) -> pd.Series:
    return frame[(frame["region"] == region) & (frame["gender"] == gender)].iloc[0]


def test_protect_records_layout_german(microdata1: pd.DataFrame) -> None:
    out = protect_records(microdata1, by=["region", "gender"])
    assert list(out.columns) == ["region", "gender", "count", "status"]
    assert len(out) == 5 * 3  # every cell including margins
    assert _row(out, "Insgesamt", "Insgesamt")["count"] == 100
    assert _row(out, "A", "Insgesamt")["count"] == 20  # margins stay published
    a_f = _row(out, "A", "female")
    assert a_f["count"] == SUPPRESSED == "." and a_f["status"] == "primary"
    assert set(out["status"]) == {"published", "primary", "secondary"}
    secondary = out[out["status"] == "secondary"]
    assert {(r.region, r.gender) for r in secondary.itertuples()} == {
        ("A", "male"), ("C", "male"), ("C", "female")}
    assert (secondary["count"] == ".").all()
    published = out[out["status"] == "published"]
    assert all(isinstance(c, int) for c in published["count"])


def test_protect_records_english_with_value_and_reasons(microdata1: pd.DataFrame) -> None:
    out = protect_records(microdata1, by=["region", "gender"], value="val",
                          dominance=(2, 75), p_percent=70, lang="en", with_reason=True)
    assert list(out.columns) == ["region", "gender", "count", "val", "status", "reason"]
    assert _row(out, "Total", "Total")["val"] == pytest.approx(1284.0)
    d_m = _row(out, "D", "male")
    assert d_m["status"] == "primary" and d_m["val"] == "." and d_m["count"] == "."
    assert d_m["reason"] == "dominance rule (2,75%); p% rule (70%)"
    sec = out[out["status"] == "secondary"]
    assert len(sec) and sec["reason"].str.startswith("secondary suppression").all()
    assert (out[out["status"] == "published"]["reason"] == "").all()


def test_protect_records_csv_roundtrip(microdata1: pd.DataFrame, tmp_path: Path) -> None:
    """What the file command writes: suppressed values as '.' in the CSV."""
    out = protect_records(microdata1, by=["region", "gender"])
    path = tmp_path / "out.csv"
    out.to_csv(path, index=False)
    back = pd.read_csv(path, dtype=str)
    assert back.loc[(back["region"] == "A") & (back["gender"] == "female"), "count"].item() == "."
    assert back.loc[(back["region"] == "B") & (back["gender"] == "male"), "count"].item() == "14"


def test_render_publication(microdata1: pd.DataFrame) -> None:
    result = protect_microdata(microdata1, ["region", "gender"], value="val")
    pub = render_publication(result, "de")
    assert list(pub.columns) == ["region", "gender", "Anzahl", "val", "Status", "Grund"]
    total = pub[(pub["region"] == "Insgesamt") & (pub["gender"] == "Insgesamt")].iloc[0]
    assert total["val"] == "1.284,0" and total["Anzahl"] == "100"
    a_f = pub[(pub["region"] == "A") & (pub["gender"] == "female")].iloc[0]
    assert (a_f["Anzahl"], a_f["val"], a_f["Status"]) == (".", ".", "primär gesperrt")
    assert a_f["Grund"] == "Fallzahl unter 3"
    en = render_publication(result, "en")
    assert "reason" in en.columns and en.iloc[0]["val"] == "1,284.0"


def test_hierarchical_by_and_parsers() -> None:
    assert parse_by("stadtbezirk>stadtteil,geschlecht") == [
        ["stadtbezirk", "stadtteil"], "geschlecht"]
    assert parse_dominance("2,75") == (2, 75.0)
    assert parse_dominance("3/85.5") == (3, 85.5)
    with pytest.raises(MethodError, match="--dominance"):
        parse_dominance("zwei")
    with pytest.raises(MethodError):
        parse_by(" , ")
    cells = pd.DataFrame({"bezirk": ["N", "N", "S", "S"], "teil": ["N1", "N2", "S1", "S2"],
                          "n": [1, 30, 40, 50]})
    result = protect_cells(cells, [["bezirk", "teil"]], count="n")
    frame = result.frame("de")
    assert list(frame.columns) == ["bezirk", "teil", "count", "status"]
    assert frame.iloc[0][["bezirk", "teil", "count"]].tolist() == ["Insgesamt", "Insgesamt", 121]
    n1 = frame[frame["teil"] == "N1"].iloc[0]
    assert n1["status"] == "primary"
    assert (frame["status"] == "secondary").sum() == 1  # N2 (cheaper than N and S)


def test_dominance_needs_value_column(microdata1: pd.DataFrame) -> None:
    with pytest.raises(MethodError) as err:
        protect_records(microdata1, by=["region"], dominance=(2, 85))
    assert "--value" in err.value.text("de") and "--value" in err.value.text("en")


def test_privacy_never_imports_storage_web_or_cli() -> None:
    """Only the store's protocol (for the types of the publication gate's views)."""
    forbidden = ("kekiz.storage", "kekiz.web", "kekiz.cli")
    allowed = ("kekiz.storage.protocol",)
    room = Path(kekiz.privacy.__file__).parent
    for path in room.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden) or name.startswith(allowed), \
                    f"{path.name} imports {name}"


def test_summary_and_empty_input(microdata1: pd.DataFrame) -> None:
    result = protect_microdata(microdata1, ["region", "gender"])
    assert result.summary("de").startswith("15 Zellen einschließlich Summen; 1 primär und 3 ")
    assert "LP audit passed" in result.summary("en")
    with pytest.raises(MethodError, match="Keine Datensätze"):
        protect_records(microdata1.iloc[:0], by=["region"])
