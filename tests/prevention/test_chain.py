"""The chain matrix: life phase x sector per unit and in total (issue #5)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kekiz.domain.directory import Directory, Service
from kekiz.domain.errors import MethodError
from kekiz.domain.offers import add_offer
from kekiz.prevention.chain import TOTAL, chain_matrix


def _directory() -> Directory:
    d = Directory()

    def offer(key: str, unit: str | None, **kw: object) -> None:
        svc = Service(id=key, name=key, **kw)  # type: ignore[arg-type]
        add_offer(d, svc, organization="Träger", lat=50.9 if unit else None,
                  lon=6.9 if unit else None, unit_id=unit)

    offer("hebamme", "U1", sector="health", life_phases=["pregnancy", "0-3"], capacity=10.0)
    offer("kita_a", "U1", sector="youth_welfare", life_phases=["0-3", "3-6"],
          transitions=["family-kita"], capacity=50.0)
    offer("kita_b", "U2", sector="youth_welfare", life_phases=["3-6"],
          transitions=["family-kita", "kita-primary"], capacity=30.0)
    offer("beratung", "U2", sector="social", life_phases=["all"])
    offer("sport", "U2", sector="sport_culture", age_min=6.0, age_max=16.0, capacity=40.0)
    offer("hotline", None, sector="health")  # no phase, no ages: unassigned
    offer("alt", "U1", sector="education", life_phases=["6-10"], status="inactive")
    return d


def test_chain_matrix_hand_computed() -> None:
    m = chain_matrix(_directory().offers(), units=["U1", "U2", "U3"],
                     names={"U1": "Altstadt"})
    assert m.sectors == ["health", "education", "youth_welfare", "social", "sport_culture"]
    assert m.unassigned == 1
    total = m.matrix(TOTAL)
    assert total.shape == (6, 5)
    assert total.loc["pregnancy", "health"] == 1 and total.loc["0-3", "health"] == 1
    assert total.loc["0-3", "youth_welfare"] == 1 and total.loc["3-6", "youth_welfare"] == 2
    assert (total["social"] == 1).all()  # "all" counts in every phase
    assert total.loc["6-10", "sport_culture"] == 1 and total.loc["10-16", "sport_culture"] == 1
    # ages 6 to 16 (inclusive: a 16-year-old may come) reach into 16-25 as well
    assert total.loc["16-25", "sport_culture"] == 1 and total.loc["3-6", "sport_culture"] == 0
    assert total.loc["6-10", "education"] == 0  # the inactive offer does not count
    cap = m.matrix(TOTAL, value="capacity")
    assert cap.loc["3-6", "youth_welfare"] == 80 and cap.loc["pregnancy", "health"] == 10
    assert math.isnan(cap.loc["0-3", "social"])  # an offer, but its places are unknown
    assert cap.loc["6-10", "education"] == 0
    u1, u2 = m.matrix("U1"), m.matrix("U2")
    assert u1.loc["3-6", "youth_welfare"] == 1 and u2.loc["3-6", "youth_welfare"] == 1
    assert m.matrix("U2", value="capacity").loc["3-6", "youth_welfare"] == 30
    assert int(m.matrix("U3").to_numpy().sum()) == 0
    assert len(m.empty_cells("U3")) == 30 and m.empty_cells("U3")["empty"].all()
    empty_total = m.empty_cells(TOTAL)
    # filled: health 2 + youth welfare 2 + social 6 + sport 3 = 13 of 30 cells
    assert len(empty_total) == 30 - 13
    trans = m.matrix(TOTAL, dimension="transition")
    assert trans.loc["family-kita", "youth_welfare"] == 2
    assert trans.loc["kita-primary", "youth_welfare"] == 1
    assert trans.loc["school-work", "youth_welfare"] == 0
    tcap = m.matrix(TOTAL, value="capacity", dimension="transition")
    assert tcap.loc["family-kita", "youth_welfare"] == 80


def test_empty_cells_in_plain_words() -> None:
    m = chain_matrix(_directory().offers(), units=["U1"], names={"U1": "Altstadt"})
    text = m.gaps_text("U1")
    assert "Kein Angebot in Altstadt für 6 bis unter 10 Jahre im Bereich Bildung." in text
    assert ("Kein Angebot in Altstadt für den Übergang Kita → Grundschule im Bereich "
            "Kinder- und Jugendhilfe.") in text
    assert "No offer in Altstadt for 6 to under 10 years in education." in m.gaps_text(
        "U1", "en")
    assert m.gaps_text()[0].startswith("Kein Angebot in der Kommune für")
    with pytest.raises(MethodError):
        m.matrix("U9")


def test_only_published_and_fixed_sectors() -> None:
    offers = _directory().offers()
    offers.loc[offers["name"] == "kita_b", "published"] = False
    m = chain_matrix(offers, only_published=True, sectors=["youth_welfare"])
    assert m.sectors == ["youth_welfare"] and m.units == ["U1", "U2"]
    assert m.matrix(TOTAL).loc["3-6", "youth_welfare"] == 1
    assert isinstance(m.to_dict()["phases"], list)
    assert isinstance(m.phases, pd.DataFrame)
