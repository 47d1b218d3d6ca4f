"""The family finder for parents (issue #19) on the demo store: a way in from the start
page, the area it covers, a street address of the stored (synthetic) street directory or
the device's position as starting point, walking time, every detail the data hold and a
note on those they do not, topics and opening hours in English."""

from __future__ import annotations

import html as htmllib
import math
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kekiz.app import Kekiz
from kekiz.domain.directory import Directory, Service
from kekiz.domain.offers import add_offer
from kekiz.i18n import fmt_number
from kekiz.prevention.hsds import write_hsds
from kekiz.settings import load_settings
from kekiz.web import create_app
from tests.conftest import copy_sqlite


def _monitor(client: TestClient) -> Any:
    return client.app.state.kekiz  # type: ignore[attr-defined]


def _results(html: str) -> list[str]:
    return re.findall(r'<li class="result">(.*?)</li>', html, flags=re.S)


def test_the_start_page_leads_parents_to_the_finder(client: TestClient) -> None:
    html = client.get("/?lang=de").text
    card = html.split('id="finder-card"')[1].split("</li>")[0]
    assert '<a href="/finder">' in card and "Angebote für Familien finden" in card
    html = client.get("/?lang=en").text
    assert "Find offers for families" in html.split('id="finder-card"')[1]
    client.get("/?lang=de")


def test_the_finder_names_the_area_it_covers(client: TestClient) -> None:
    html = client.get("/finder?lang=de").text
    assert "Der Familienwegweiser umfasst die Angebote in: Köln." in html


def test_a_street_address_of_the_directory_is_a_starting_point(client: TestClient) -> None:
    m = _monitor(client)
    start = m.finder.locate("Hauptstraße 12")
    assert start.found and start.synthetic and start.exact
    html = client.get("/finder", params={"near": "Hauptstraße 12", "age": "4",
                                         "lang": "de"}).text
    assert (f"Entfernung gemessen ab: Hauptstraße 12 (Stadtteil {start.unit_name}; Lage "
            "des Straßenabschnitts laut Straßenverzeichnis).") in html
    assert "Straßenverzeichnis der Demo ist synthetisch" in html
    hits = m.finder.find(age=4, near=(start.lat, start.lon), limit=30)
    shown = re.findall(r"Entfernung: ([\d,]+) km · ca\. (\d+) Min\. zu Fuß", html)
    assert shown == [(fmt_number(h.distance_m / 1000, 1, "de"),
                      str(math.ceil(h.distance_m / 75.0))) for h in hits]
    assert "Luftlinie; Gehzeit bei 4,5 km/h" in html
    # without a house number the street of one Stadtteil is found too (the place search
    # finds it as well, labelled synthetic)
    html = client.get("/finder", params={"near": "hauptstrasse", "lang": "de"}).text
    assert "Entfernung gemessen ab: Hauptstraße (Stadtteil" in html
    item = client.get("/api/v1/places", params={"q": "Hauptstraße"}).json()["items"][0]
    assert (item["name"], item["kind"], item["kind_name"]) == \
        ("Hauptstraße", "street", "Straße (synthetisch)")


def test_an_address_not_found_says_why(client: TestClient) -> None:
    html = client.get("/finder", params={"near": "Hauptstrase 3", "lang": "de"}).text
    assert ("Die Straße „Hauptstrase 3“ steht nicht im Straßenverzeichnis. Meinten Sie "
            "„Hauptstraße“?") in htmllib.unescape(html)
    html = client.get("/finder", params={"near": "Hauptstraße 500", "lang": "en"}).text
    assert "“Hauptstraße 500”: this house number is not in the street directory." in \
        htmllib.unescape(html)
    client.get("/?lang=de")


def test_the_device_position_is_asked_for_and_used(client: TestClient) -> None:
    html = client.get("/finder?lang=de").text
    assert 'id="finder-here"' in html and "Meinen Standort verwenden" in html
    assert 'name="here" id="here" value="1" disabled' in html  # sent only when used
    assert "Ohne JavaScript: Koordinaten Ihres Standorts" in html
    html = client.get("/finder", params={"near": "50.93, 6.91", "here": "1"}).text
    assert "Entfernung gemessen ab Ihrem Standort (vom Gerät; nicht gespeichert)." in html


def test_what_the_demo_data_do_not_hold_is_named(client: TestClient) -> None:
    html = client.get("/finder", params={"district": "05315000-102", "age": "4",
                                         "lang": "de"}).text
    kita = next(r for r in _results(html) if "Katholische Kindertagesstätte Herz Jesu" in r)
    assert ("Nicht in den Daten: Adresse, Telefon, E-Mail, Website, Öffnungszeiten, "
            "Sprachen, Kosten.") in kita
    assert "Quelle: OpenStreetMap-Mitwirkende" in kita
    assert '<dd class="offer-position">' in kita  # the OSM point has a position
    sport = next(r for r in _results(html) if "Sportverein" in r)
    assert "<dt>Öffnungszeiten</dt>" in sport and "<dt>Sprachen</dt><dd>Deutsch" in sport


def test_topics_and_opening_hours_in_english(client: TestClient) -> None:
    html = client.get("/finder?lang=en").text
    select = html.split('<select name="topic"')[1].split("</select>")[0]
    assert '<option value="Kindertagesbetreuung" >Day care</option>' in select
    labels = re.findall(r">([^<]+)</option>", select)
    assert "Kindertagesbetreuung" not in labels and "Counselling" in labels
    html = client.get("/finder", params={"topic": "Vorsorge", "lang": "en"}).text
    assert "<dt>Topics</dt><dd>Check-ups, Health</dd>" in html
    assert "Mon–Fri 8–12 h, Mon/Tue/Thu 15–18 h" in html and "Uhr" not in \
        html.split('id="results"')[1].split("</ol>")[0]
    client.get("/?lang=de")


def _full_offer(path: Path) -> None:
    d = Directory()
    svc = Service(id="test-fz", name="Familienzentrum Testplatz", url="https://fz.example.org",
                  email="info@fz.example.org", age_min=0.0, age_max=6.0,
                  topics=["Familienbildung"])
    add_offer(d, svc, organization="Verein T", lat=50.9225, lon=6.9430,
              street="Testplatz 1", postal_code="50674", city="Köln",
              languages=[("de", "Deutsch"), ("tr", "Türkisch")], cost=(0.0, "kostenlos"),
              schedule="Mo–Fr 8–16 Uhr", phone="0221 123 45-6")
    bad = Service(id="test-bad", name="Elterncafe Skript", url="javascript:alert(1)",
                  age_min=0.0, age_max=3.0)
    add_offer(d, bad, organization="Verein U", lat=50.9226, lon=6.9431)
    write_hsds(d, path, "services")


def test_every_detail_the_data_hold_is_shown(web_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "finder.db"
    copy_sqlite(web_db, db)
    hsds = tmp_path / "angebote.hsds.json"
    _full_offer(hsds)
    settings = load_settings({"store": f"sqlite:///{db}", "lang": "de"}, environ={})
    m = Kekiz(settings)
    try:
        m.directory.import_services(hsds, fmt="hsds", dataset="Testangebote",
                                    level="stadtteil")
    finally:
        m.close()
    with TestClient(create_app(settings)) as c:
        html = c.get("/finder", params={"near": "50.9225, 6.9430", "radius": "0.5"}).text
        [full] = [r for r in _results(html) if "Familienzentrum Testplatz" in r]
        for part in ('<dd class="offer-address">Testplatz 1, 50674 Köln (Neustadt/Süd)</dd>',
                     '<dd class="offer-hours">Mo–Fr 8–16 Uhr</dd>',
                     '<a href="tel:0221123456">0221 123 45-6</a>',
                     '<a href="mailto:info@fz.example.org">info@fz.example.org</a>',
                     '<a href="https://fz.example.org" rel="noopener">',
                     "<dd>Deutsch, Türkisch</dd>", "<dd>kostenlos</dd>",
                     '<dd class="offer-position">50,923° N, 6,943° O (auf etwa 100 m)</dd>'):
            assert part in full, part
        assert "Nicht in den Daten" not in full
        assert "Entfernung: 0,0 km · ca. 1 Min. zu Fuß" in full
        [bad] = [r for r in _results(html) if "Elterncafe Skript" in r]
        assert "javascript:" not in bad and "Website" in bad.split("Nicht in den Daten")[1]


def test_import_streets_command(tmp_path: Path, web_db: Path) -> None:
    from kekiz.cli import main

    db = tmp_path / "k.db"
    copy_sqlite(web_db, db)
    path = tmp_path / "strassen.csv"
    path.write_text("strasse;hausnummer_von;hausnummer_bis;gebiet;lat;lon\n"
                    "Testallee;1;99;102;50,9300;6,9500\n", encoding="utf-8")
    result = CliRunner().invoke(main.app, ["--store", f"sqlite:///{db}", "import", "streets",
                                           str(path), "--dataset", "Testverzeichnis"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "1 Straßenabschnitte importiert: Testverzeichnis (Revision 1)" in result.output
    m = Kekiz(load_settings({"store": f"sqlite:///{db}"}, environ={}))
    try:
        start = m.finder.locate("Testallee 5")
        assert (start.lat, start.lon, start.unit_id) == (50.93, 6.95, "05315000-102")
        assert m.finder.locate("Hauptstraße 12").reason == "unknown_street"  # replaced
        assert m.finder.streets_synthetic() is False
    finally:
        m.close()
