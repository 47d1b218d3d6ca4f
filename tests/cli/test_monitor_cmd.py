"""`kekiz monitor ...` on the demo store (issue #3): GISD classes, LISA clusters of the
2021 GISD, its trend since 2012 and a priority list for Gemeinden and Kreise; rates with
intervals for the unemployment share; Köln's child shares per Stadtteil."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.inprocess import run_kekiz


def _run(store: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_kekiz(["--store", store, *args], columns=250)


@pytest.fixture(scope="module")
def demo_store(demo_module_url: str) -> str:
    return demo_module_url


def _wilson(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson (1927) score interval in percent, written out by hand."""
    root = z * (z * z + 4 * x * (1 - x / n)) ** 0.5
    return (100 * (2 * x + z * z - root) / (2 * (n + z * z)),
            100 * (2 * x + z * z + root) / (2 * (n + z * z)))


@pytest.mark.parametrize("level", ["gemeinde", "kreis"])
def test_monitoring_run_prints_every_part(demo_store: str, level: str) -> None:
    done = _run(demo_store, "monitor", "run", "--level", level, "--since", "2012")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    # rates with intervals
    assert "Arbeitslose je 100 Erwerbsfähige (arbeitslosenanteil)" in text
    assert "Wilson-Intervall 95 %" in text and "95-%-Intervall" in text
    # GISD classes (type-9 quintiles)
    assert "Klassen: Sozioökonomische Deprivation (GISD) (gisd_score)" in text
    assert "Verfahren quantile9" in text and "über" in text
    # LISA of the 2021 score
    assert f"Ebene {level}, 2021: Moran's I = " in text
    assert "999 Permutationen, Startwert 20120101" in text
    assert "Hoch-Hoch (Hotspot)" in text
    # trend since 2012
    assert f"Trend: Sozioökonomische Deprivation (GISD) (gisd_score), Ebene {level}, " \
           "2012–2021" in text
    # priority list with reasons
    assert "Prioritäre Gebiete" in text and "1. " in text
    assert "Status sehr niedrig (Statusklasse 4): +4 Punkte" in text
    assert text.count("Gespeichert:") == 5


def test_kreis_json_numbers(demo_store: str) -> None:
    done = _run(demo_store, "monitor", "run", "--level", "kreis", "--since", "2012", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    by_kind = {r["kind"]: r for r in data["results"]}
    assert set(by_kind) == {"rates", "classes", "lisa", "trend", "priority"}
    rates = {(r["unit_id"], r["period"]): r for r in by_kind["rates"]["rows"]}
    gelsenkirchen = rates[("05513", "2021")]  # 19 452 unemployed of 165 586 (INKAR)
    x, n = gelsenkirchen["numerator"], gelsenkirchen["denominator"]
    assert gelsenkirchen["value"] == pytest.approx(100 * x / n)
    assert (gelsenkirchen["lower"], gelsenkirchen["upper"]) == pytest.approx(_wilson(x, n))
    classes = by_kind["classes"]
    assert classes["period"] == "2021"
    assert [c["count"] for c in classes["summary"]["legend"]] == [11, 10, 11, 10, 11]
    lisa = by_kind["lisa"]["summary"]
    assert lisa["period"] == "2021" and lisa["seed"] == 20120101
    assert sum(lisa["counts"].values()) == 53
    trend = by_kind["trend"]["summary"]
    assert (trend["since"], trend["until"], trend["units"]) == (2012, 2021, 53)
    rows = {r["unit_id"]: r for r in by_kind["trend"]["rows"]}
    assert rows["05513"]["change"] == pytest.approx(
        rows["05513"]["value_until"] - rows["05513"]["value_since"])
    prio = by_kind["priority"]["rows"]
    assert [r["rank"] for r in prio] == list(range(1, 54))
    assert prio[0]["reasons"].startswith("Sozioökonomische Deprivation (GISD) 2021: ")


def test_rates_zero_denominator_and_english(demo_store: str) -> None:
    done = _run(demo_store, "monitor", "rates", "--indicator", "arbeitslosenanteil",
                "--level", "gemeinde", "--period", "2016", "--limit", "20")
    assert done.returncode == 0, done.stderr
    # INKAR has 0 working-age inhabitants for six Gemeinden in 2016: missing, with reason
    assert "Status: ok 8.310, missing 6" in done.stdout
    for name in ("Kerken", "Schöppingen", "Bad Driburg", "Borgentreich", "Hemer", "Unna"):
        assert name in done.stdout
    assert done.stdout.count("Nenner ist 0") == 6
    english = _run(demo_store, "--lang", "en", "monitor", "rates", "--indicator",
                   "arbeitslosenanteil", "--level", "kreis")
    assert english.returncode == 0, english.stderr
    assert "Unemployed per 100 working-age inhabitants" in english.stdout
    assert "Wilson interval 95%" in english.stdout


def test_koeln_child_shares_per_stadtteil(demo_store: str) -> None:
    done = _run(demo_store, "monitor", "run", "--level", "stadtteil", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    kinds = {(r["kind"], r["indicator"]) for r in data["results"]}
    assert kinds == {("rates", "anteil_kinder_u6"), ("rates", "anteil_kinder_u18")}
    rows = next(r for r in data["results"] if r["indicator"] == "anteil_kinder_u6")["rows"]
    assert len(rows) == 86 * 8 and all(r["status"] == "ok" for r in rows)
    for r in rows[:20]:
        assert r["lower"] < r["value"] < r["upper"]
        assert (r["lower"], r["upper"]) == pytest.approx(_wilson(r["numerator"],
                                                                 r["denominator"]))
    assert any("gisd_score" in n for n in data["notes"])


def test_single_commands(demo_store: str, tmp_path: Path) -> None:
    classes = _run(demo_store, "monitor", "classes", "--indicator", "gisd_score", "--level",
                   "kreis", "--method", "fisher_jenks", "--k", "4")
    assert classes.returncode == 0, classes.stderr
    assert "Verfahren fisher_jenks" in classes.stdout
    lisa = _run(demo_store, "monitor", "lisa", "--indicator", "gisd_score", "--level",
                "gemeinde", "--period", "2021", "--fdr", "--permutations", "499")
    assert lisa.returncode == 0, lisa.stderr
    assert "FDR-korrigiert" in lisa.stdout and "499 Permutationen" in lisa.stdout
    trend = _run(demo_store, "monitor", "trend", "--indicator", "gisd_score", "--level",
                 "kreis", "--since", "2012")
    assert trend.returncode == 0 and "2012–2021" in trend.stdout
    prio = _run(demo_store, "monitor", "priority", "--level", "kreis", "--since", "2012",
                "--limit", "3")
    assert prio.returncode == 0 and "3. " in prio.stdout and "4. " not in prio.stdout
    bad = _run(demo_store, "monitor", "lisa", "--indicator", "gisd_score", "--level",
               "gemeinde", "--period", "1990")
    assert bad.returncode == 1 and "Keine Werte für 'gisd_score'" in bad.stderr
