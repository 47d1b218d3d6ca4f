"""Prevention-chain use cases of the facade: file jobs on offers (issue #5).

Mixed into :class:`kekiz.monitor.Monitor`; none of these needs the store yet.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from kekiz.prevention.directory import KITA, DirectoryImport, DirectoryOptions, read_directory
from kekiz.prevention.filejob import coverage_file
from kekiz.prevention.finder import FinderHit, find_offers
from kekiz.prevention.hsds import read_hsds, write_hsds
from kekiz.prevention.model import Directory
from kekiz.prevention.synthetic import synthetic_offers

__all__ = ["PreventionJobs"]

_HSDS_SUFFIXES = (".json",)


def write_frame(frame: pd.DataFrame, out: Path, lang: str = "de") -> None:
    """CSV in German Excel conventions (``;``, decimal comma) or English, or XLSX;
    column names stay as they are."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".kekiz-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        if out.suffix.lower() == ".xlsx":
            frame.to_excel(tmp, index=False, engine="openpyxl")
        elif lang == "de":
            frame.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        else:
            frame.to_csv(tmp, index=False, encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


class PreventionJobs:
    """Mixed into :class:`kekiz.monitor.Monitor`."""

    def _prevention_lang(self) -> str:
        return str(getattr(self, "lang", "de"))

    def chain_coverage(self, offers: Path, units: Path, *, unit_id: str, population: Path,
                       population_id: str, population_column: str,
                       out: Path | None = None, lat: str | None = None,
                       lon: str | None = None, capacity: str | None = None) -> pd.DataFrame:
        """Offers, places and places per child for every unit; written to ``out``."""
        frame = coverage_file(offers, units, unit_id, population, population_id,
                              population_column, lat=lat, lon=lon, capacity=capacity)
        if out is not None:
            notes = frame.attrs.get("notes", [])
            write_frame(frame, out, self._prevention_lang())
            frame.attrs["notes"] = notes
        return frame

    def load_directory(self, path: Path, *, kita: bool = False, source: str = "",
                       lat: str | None = None, lon: str | None = None) -> DirectoryImport:
        """Read and check a directory file: HSDS JSON, CSV/XLSX or a point file."""
        if path.suffix.lower() in _HSDS_SUFFIXES and not _looks_geojson(path):
            return DirectoryImport(read_hsds(path), 0)
        opts = DirectoryOptions(source=source or path.name, defaults=KITA if kita else
                                DirectoryOptions().defaults, lat=lat, lon=lon,
                                require_coordinates=kita)
        return read_directory(path, opts)

    def directory_to_hsds(self, path: Path, out: Path, *, kita: bool = False,
                          source: str = "", only_published: bool = False,
                          shape: str = "services") -> int:
        """Convert a directory file to HSDS 3.0 JSON; returns the number of services."""
        d = self.load_directory(path, kita=kita, source=source).directory
        return write_hsds(d, out, shape, only_published=only_published)

    def synthetic_directory(self, out: Path | None = None, seed: int = 2012) -> Directory:
        """The SYNTHETIC Köln offers; written as HSDS JSON to ``out``."""
        d = synthetic_offers(seed=seed)
        if out is not None:
            write_hsds(d, out, "services")
        return d

    def find_in_directory(self, path: Path, **filters: Any) -> list[FinderHit]:
        """The family finder on a directory file."""
        d = self.load_directory(path).directory
        return find_offers(d.offers(), **filters)


def _looks_geojson(path: Path) -> bool:
    if not path.is_file():
        return False
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    return '"FeatureCollection"' in head or '"Feature"' in head
