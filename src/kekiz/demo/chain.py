"""The prevention chain of the demo: real OSM Kitas and schools of Köln, SYNTHETIC other
offers of the chain (invented, labelled in name, flag and dataset name) and a SYNTHETIC
street directory (the bundled data hold no streets)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kekiz.demo import demo_dir
from kekiz.demo.offers import synthetic_offers
from kekiz.demo.streets import write_synthetic_streets
from kekiz.prevention.hsds import write_hsds

if TYPE_CHECKING:
    from kekiz.app import Kekiz

__all__ = ["build_chain_demo"]


def build_chain_demo(app: Kekiz) -> dict[str, Any]:
    """Add the Köln offers to the demo store: the real OSM Kitas and schools (as points,
    through :meth:`DirectoryService.import_services`) and the SYNTHETIC other offers of the
    chain (invented, labelled in name, flag and dataset name)."""
    base = demo_dir() / "koeln"
    osm = ("OpenStreetMap-Mitwirkende (Knoten mit amenity-Tag im Rechteck um Köln, ca. "
           "2017, über KoelnAPI)")
    done = [
        app.directory.import_services(base / "osm_kitas.geojson", fmt="points", kind="kita",
                                dataset="OSM Kitas Köln (ca. 2017)", source=osm,
                                licence="ODbL 1.0", level="stadtteil"),
        app.directory.import_services(base / "osm_schulen.geojson", fmt="points", kind="schule",
                                dataset="OSM Schulen Köln (ca. 2017)", source=osm,
                                licence="ODbL 1.0", level="stadtteil"),
    ]
    with tempfile.TemporaryDirectory(prefix="kekiz-demo-") as tmp:
        path = Path(tmp) / "SYNTHETISCH_koeln_angebote.hsds.json"
        write_hsds(synthetic_offers(), path, "services")
        done.append(app.directory.import_services(
            path, fmt="hsds", synthetic=True, level="stadtteil",
            origin="kekiz.demo.offers.synthetic_offers(seed=2012)",
            dataset="SYNTHETISCH: Angebote der Präventionskette Köln (erfundene "
                    "Demo-Daten)",
            source="kekiz: synthetische Beispielangebote (keine echten Angebote)"))
        streets = Path(tmp) / "SYNTHETISCH_koeln_strassen.csv"
        write_synthetic_streets(streets)
        directory = app.imports.streets(
            streets, level="stadtteil", synthetic=True,
            dataset="SYNTHETISCH: Straßenverzeichnis Köln (erfundene Straßen und Lagen)",
            source="kekiz: synthetisches Straßenverzeichnis (keine echten Straßenabschnitte; "
                   "die gebündelten Daten enthalten keine Straßen)")
    extra = [f"{r.dataset.name}: {r.services} Angebote, {r.assigned} Orte in Stadtteilen"
             + (f", {r.outside} außerhalb" if r.outside else "") for r in done]
    extra.append(f"{directory.dataset.name}: {directory.count} Abschnitte")
    return {"imports": [r.to_dict() for r in done], "extra": extra}
