"""File-based jobs that need no store: a file in, a file out (for planners and DPOs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kekiz.analysis.did import estimate_did
from kekiz.analysis.indices import DYNAMICS_CLASSES, STATUS_CLASSES, compute_index
from kekiz.domain.errors import KekizError
from kekiz.domain.jsonable import clean_dict
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers
from kekiz.ingest.directory import DirectoryImport
from kekiz.ingest.frames import read_frame, read_numbers
from kekiz.ingest.points import read_offer_points, read_population, read_unit_shapes
from kekiz.prevention.coverage import coverage_by_unit
from kekiz.prevention.finder import FinderHit, find_offers
from kekiz.prevention.hsds import write_hsds
from kekiz.privacy import parse_by, parse_dominance, protect_records
from kekiz.records.schema import RecordSchema, load_schema, schema_toml
from kekiz.reporting.export import neutralise
from kekiz.services.base import language
from kekiz.services.chain_data import write_frame
from kekiz.services.directory import read_directory_file
from kekiz.settings import Settings

__all__ = ["DYNAMICS_CLASSES", "STATUS_CLASSES", "FileService", "MSSFileResult"]


def _write_json(data: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(out)


@dataclass
class MSSFileResult:
    """The result of :meth:`IndexService.mss_file`."""

    table: pd.DataFrame
    excluded: list[dict[str, str]]
    status_counts: dict[int, int]
    dynamics_counts: dict[int, int]
    description: str
    description_en: str
    out: Path | None
    #: the markers read as missing, per marker and column (German, English)
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return clean_dict({"areas": len(self.table), "excluded": self.excluded,
                      "notes": self.notes, "notes_en": self.notes_en,
                       "status_classes": {str(k): v for k, v in self.status_counts.items()},
                       "dynamics_classes": {str(k): v for k, v in self.dynamics_counts.items()},
                       "method_de": self.description, "method_en": self.description_en,
                       "output": None if self.out is None else str(self.out)})


class FileService:
    """Jobs on a file without the store: difference-in-differences, table protection,
    the Berlin MSS index, coverage of offers, checks and conversions of service
    directories, the finder, the record schema template."""

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

    # -- the MSS index of a file ----------------------------------------------------------
    def mss_file(self, path: Path, *, id_col: str, status: Sequence[str],
                 dynamics: Sequence[str] = (), population: str | None = None,
                 min_population: float | None = None, exclude: Sequence[str] = (),
                 out: Path | None = None, sheet: str | None = None,
                 missing: MissingMarkers | None = DEFAULT_MISSING) -> MSSFileResult:
        """Berlin MSS status and dynamics index from a file of shares, without a store.

        Writes ``id, status_index, status_class, dynamics_index, dynamics_class`` and the
        z-score of every share (``z_<column>``) to ``out`` (CSV in German Excel format or
        XLSX).  Empty share cells exclude the area (named with its reason); text in a
        share column rejects the file (file, row, column).  The usual missing-value markers
        (``missing``: ``-9999``, ``-999``, ``-1`` in a share, dashes, the official signs)
        are read as missing and counted in the notes; such a value is never used.
        """
        status, dynamics = list(status), list(dynamics)
        numeric = [*status, *dynamics, *([population] if population else [])]
        read = read_numbers(path, required=[id_col], numeric=numeric, allow_missing=numeric,
                            shares=status, missing=missing, sheet=sheet)
        frame = read.frame
        frame[id_col] = frame[id_col].astype(str)
        if population and min_population is None:
            min_population = float(self.settings.min_population)
        result = compute_index("mss", frame, status=status, dynamics=dynamics or None,
                               id_col=id_col, population_col=population,
                               min_population=min_population if population else None,
                               exclude_ids=[str(e) for e in exclude], missing=missing)
        t = result.table
        table = pd.DataFrame({"id": t.index.astype(str),
                              "status_index": t["status_index"].to_numpy(dtype=float),
                              "status_class": t["status_class"].astype("Int64").array})
        table["dynamics_index"] = (t["dynamics_index"].to_numpy(dtype=float)
                                   if dynamics else np.nan)
        table["dynamics_class"] = (t["dynamics_class"].astype("Int64").array
                                   if dynamics else pd.array([pd.NA] * len(t), dtype="Int64"))
        comps = result.components.reindex(t.index)
        for col in [*status, *dynamics]:
            table[f"z_{col}"] = comps[col].to_numpy(dtype=float)
        if out is not None:
            fmt = out.suffix.lower().lstrip(".")
            if fmt not in ("csv", "xlsx"):
                raise KekizError(f"Ausgabeformat '{out.suffix}' nicht möglich. Erwartet: .csv "
                                 "oder .xlsx.", message_en=f"Output format '{out.suffix}' not "
                                 "possible. Expected .csv or .xlsx.")
            _write_table(table, out, fmt, language(self.settings))
        counts = t["status_class"].value_counts()
        dcounts = t["dynamics_class"].value_counts() if dynamics else pd.Series(dtype=int)
        return MSSFileResult(
            table, [{"id": str(e.id), "reason": e.reason, "reason_en": e.reason_en}
                    for e in result.excluded],
            {c: int(counts.get(c, 0)) for c in STATUS_CLASSES},
            {c: int(dcounts.get(c, 0)) for c in DYNAMICS_CLASSES} if dynamics else {},
            result.description, result.description_en, out,
            read.notes("de") + result.notes("de"), read.notes("en") + result.notes("en"))

    # -- records ---------------------------------------------------------------------------
    def records_schema_toml(self, schema: RecordSchema | Path | None = None) -> str:
        """The (default) record schema as TOML: a template for a municipality's file."""
        return schema_toml(schema if isinstance(schema, RecordSchema) else load_schema(schema))


def _write_table(table: pd.DataFrame, out: Path, fmt: str, lang: str) -> None:
    """CSV as German Excel reads it (``;``, decimal comma, UTF-8 with BOM; English: ``,``
    and ``.``) or XLSX; written to a temporary file first, then moved into place."""
    data = table.assign(id=table["id"].map(neutralise))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    try:
        if fmt == "xlsx":
            data.to_excel(tmp, index=False, engine="openpyxl", sheet_name="MSS")
        elif lang == "en":
            data.to_csv(tmp, index=False, encoding="utf-8")
        else:
            data.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
