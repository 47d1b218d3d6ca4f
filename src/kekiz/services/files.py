"""File-based jobs that need no store: a file in, a file out (for planners and DPOs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from kekiz.analysis.did import estimate_did
from kekiz.ingest.directory import DirectoryImport
from kekiz.ingest.frames import read_frame
from kekiz.ingest.points import read_offer_points, read_population, read_unit_shapes
from kekiz.prevention.coverage import coverage_by_unit
from kekiz.prevention.finder import FinderHit, find_offers
from kekiz.prevention.hsds import write_hsds
from kekiz.privacy import parse_by, parse_dominance, protect_records
from kekiz.services.base import language
from kekiz.services.chain_data import write_frame
from kekiz.services.directory import read_directory_file
from kekiz.settings import Settings

__all__ = ["FileService"]


def _write_json(data: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(out)


class FileService:
    """Jobs on a file without the store: difference-in-differences, table protection,
    coverage of offers, checks and conversions of service directories, the finder."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def evaluate_did(self, path: Path, *, outcome: str, unit: str, time: str, group: str,
                     control: str = "never", covariates: list[str] | None = None,
                     out: Path | None = None) -> dict[str, Any]:
        """Staggered DiD (Callaway & Sant'Anna) on a panel file; JSON as in the docs."""
        covs = list(covariates or [])
        frame = read_frame(path, required=[unit], numeric=[outcome, time, group, *covs])
        result = estimate_did(frame, outcome=outcome, unit=unit, time=time, group=group,
                              control=control, covariates=covs)
        data = result.to_dict()
        if out is not None:
            _write_json(data, out)
        return data

    def privacy_protect(self, path: Path, *, by: str, value: str | None = None,
                        min_frequency: int | None = 3, dominance: str | None = None,
                        p_percent: float | None = None, lang: str = "de",
                        out: Path | None = None, with_reason: bool = False) -> Any:
        """Tabulate individual records by ``by`` with all margins and protect the table.

        ``by``: ``"stadtbezirk>stadtteil,geschlecht"`` (``>`` joins the levels of one
        hierarchy).  The records are read, counted and dropped; only the protected table
        is written.
        """
        items = parse_by(by)
        columns = [c for item in items for c in ([item] if isinstance(item, str) else item)]
        frame = read_frame(path, required=columns, numeric=[value] if value else [])
        table = protect_records(frame, by=items, value=value, min_frequency=min_frequency,
                                dominance=parse_dominance(dominance) if dominance else None,
                                p_percent=p_percent, lang=lang, with_reason=with_reason)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(out.suffix + ".tmp")
            table.to_csv(tmp, index=False, encoding="utf-8")
            tmp.replace(out)
        return table

    # -- the prevention chain on files -----------------------------------------------------
    def chain_coverage(self, offers: Path, units: Path, *, unit_id: str, population: Path,
                       population_id: str, population_column: str,
                       out: Path | None = None, lat: str | None = None,
                       lon: str | None = None, capacity: str | None = None) -> pd.DataFrame:
        """Offers, places and places per child for every unit; written to ``out``."""
        notes: list[str] = []
        plat, plon, places = read_offer_points(Path(offers), lat=lat, lon=lon,
                                               capacity=capacity, notes=notes)
        frame = coverage_by_unit(plat, plon, places, read_unit_shapes(Path(units), unit_id),
                                 unit_id, read_population(Path(population), population_id,
                                                          population_column), notes)
        if out is not None:
            notes = frame.attrs.get("notes", [])
            write_frame(frame, out, language(self.settings))
            frame.attrs["notes"] = notes
        return frame

    def load_directory(self, path: Path, *, kita: bool = False, source: str = "",
                       lat: str | None = None, lon: str | None = None) -> DirectoryImport:
        """Read and check a directory file: HSDS JSON, CSV/XLSX or a point file."""
        return read_directory_file(path, kita=kita, source=source, lat=lat, lon=lon)

    def directory_to_hsds(self, path: Path, out: Path, *, kita: bool = False,
                          source: str = "", only_published: bool = False,
                          shape: str = "services") -> int:
        """Convert a directory file to HSDS 3.0 JSON; returns the number of services."""
        d = self.load_directory(path, kita=kita, source=source).directory
        return write_hsds(d, out, shape, only_published=only_published)

    def find_in_directory(self, path: Path, **filters: Any) -> list[FinderHit]:
        """The family finder on a directory file."""
        d = self.load_directory(path).directory
        return find_offers(d.offers(), **filters)
