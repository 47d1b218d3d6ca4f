"""The family service finder (issue #5)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.ingest.directory import read_directory
from kekiz.prevention.finder import find_offers


@pytest.fixture
def offers(good_csv: Path) -> pd.DataFrame:
    return read_directory(good_csv).directory.offers()


def _names(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.name for h in hits]


def test_filters(offers: pd.DataFrame) -> None:
    # unpublished "Elternkurs Starke Eltern" is never found
    assert "Elternkurs Starke Eltern" not in _names(find_offers(offers))
    # age 2: Familienzentrum (0-6) and Sprachförderung (0.5-6.5); the midwife has no ages
    # and only the pregnancy phase
    assert _names(find_offers(offers, age=2.0)) == ["Familienzentrum Nippes",
                                                    "Sprachförderung Kalk"]
    assert _names(find_offers(offers, age=6.25)) == ["Sprachförderung Kalk"]
    assert _names(find_offers(offers, life_phase="Schwangerschaft")) == [
        "Hebammensprechstunde"]
    assert _names(find_offers(offers, topic="sprach")) == ["Sprachförderung Kalk"]
    assert _names(find_offers(offers, topic="Beratung")) == ["Familienzentrum Nippes"]
    assert _names(find_offers(offers, topic="Schwangere")) == ["Hebammensprechstunde"]
    assert _names(find_offers(offers, district="05315000-801")) == ["Sprachförderung Kalk"]
    assert _names(find_offers(offers, language="Türkisch")) == ["Familienzentrum Nippes"]
    assert len(find_offers(offers, free_only=True)) == 3
    assert _names(find_offers(offers, age=2.0, limit=1)) == ["Familienzentrum Nippes"]


def test_distance_ranking(offers: pd.DataFrame) -> None:
    here = (50.9610, 6.9520)  # Neusser Str. 1
    hits = find_offers(offers, near=here)
    # Familienzentrum 0 m, Hebamme 2.4 km, Sprachförderung 4.4 km
    assert _names(hits) == ["Familienzentrum Nippes", "Hebammensprechstunde",
                            "Sprachförderung Kalk"]
    assert hits[0].distance_m == pytest.approx(0.0, abs=0.01)
    assert hits[1].distance_m == pytest.approx(2400, rel=0.02)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert _names(find_offers(offers, near=here, radius_m=3000)) == [
        "Familienzentrum Nippes", "Hebammensprechstunde"]


def test_descriptions_in_plain_language(offers: pd.DataFrame) -> None:
    hit = find_offers(offers, age=2.0, near=(50.9610, 6.9520))[0]
    assert hit.description_de == (
        "Familienzentrum Nippes – Stadt Köln. Für ein Alter von 0 bis 6 Jahren. Kostenlos. "
        "Sprachen: Deutsch, Türkisch. Zeiten: Mo–Fr 8–16 Uhr. Adresse: Neusser Str. 1, "
        "50733 Köln. Entfernung: 0,0 km (Luftlinie). Telefon: 0221 123.")
    assert hit.text("en") == (
        "Familienzentrum Nippes – Stadt Köln. For ages 0 to 6 years. Free of charge. "
        "Languages: German, Turkish. Times: Mo–Fr 8–16 Uhr. Address: Neusser Str. 1, "
        "50733 Köln. Distance: 0.0 km (straight line). Phone: 0221 123.")
    sp = find_offers(offers, topic="Sprachförderung")[0]
    assert "Für ein Alter von 0,5 bis 6,5 Jahren." in sp.description_de
    hb = find_offers(offers, life_phase="pregnancy")[0]
    assert "Für Schwangere und werdende Eltern." in hb.description_de
    assert hb.to_dict()["name"] == "Hebammensprechstunde"


def test_bad_queries(offers: pd.DataFrame) -> None:
    with pytest.raises(MethodError, match="Alter"):
        find_offers(offers, age=120)
    with pytest.raises(MethodError, match="Ausgangspunkt"):
        find_offers(offers, radius_m=500)
    with pytest.raises(MethodError, match="Lebensphase"):
        find_offers(offers, life_phase="Teenager")
