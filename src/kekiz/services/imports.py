"""Imports of boundaries, indicator tables, the members of a state network and the street
directory.

Every import validates its file completely first (one report of every problem, each naming
file, row, column and value), then writes in one transaction: it lands whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from kekiz.domain.errors import KekizError, ValidationReport
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers
from kekiz.domain.model import Dataset, Indicator
from kekiz.domain.streets import STREET_KIND, StreetEntry
from kekiz.ingest.boundaries import (
    BoundaryOptions,
    ParentCandidates,
    read_boundaries,
    sha256_of,
)
from kekiz.ingest.funding import parse_funding
from kekiz.ingest.indicators import IndicatorOptions, parse_indicators
from kekiz.ingest.members import MemberOptions, parse_members
from kekiz.ingest.streets import read_street_directory
from kekiz.ingest.tables import read_table
from kekiz.records.assign import CodeIndex
from kekiz.services.base import Progress, actor, no_progress
from kekiz.services.network import DEFAULT_PROGRAMME
from kekiz.services.rollups import RollupService
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["BoundaryOptions", "ImportResult", "ImportService", "IndicatorOptions"]


@dataclass
class ImportResult:
    """A stored import: its dataset, the number of rows, notes and replaced values."""

    dataset: Dataset
    count: int
    notes: list[str] = field(default_factory=list)
    replaced: int = 0
    #: values that datasets of another name held before: dataset name -> number
    overwritten: dict[str, int] = field(default_factory=dict)


class ImportService:
    """Boundaries, indicator tables and member lists from files into the store."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def boundaries(self, path: Path, opts: BoundaryOptions, *, dataset: str | None = None,
                   licence: str = "", source: str = "",
                   attribution: dict[str, str] | None = None,
                   progress: Progress = no_progress) -> ImportResult:
        """Validate a boundary file completely, then write it in one transaction."""
        store = self.store
        store.level(opts.level)
        report = ValidationReport(path.name)
        parents = self._parent_candidates(opts)
        progress("Prüfen", 0, 1)
        units = read_boundaries(path, opts, report, parents)
        report.raise_if_failed()
        progress("Prüfen", 1, 1)
        ds = Dataset(name=dataset or f"{path.stem} ({opts.level})", kind="boundaries",
                     file=str(path), sha256=sha256_of(path), licence=licence, source=source,
                     user=actor(self.settings), rows=len(units),
                     details={"level": opts.level, "id_field": opts.id_field,
                              "repaired": len(report.notes),
                              **({"attribution": attribution} if attribution else {})})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            for u in units:
                u.dataset_id = ds.id
            progress("Speichern", 0, len(units))
            tx.upsert_units(units)
            progress("Speichern", len(units), len(units))
        return ImportResult(ds, len(units), report.notes)

    def _parent_candidates(self, opts: BoundaryOptions) -> ParentCandidates | None:
        level = opts.parent_level
        if level is None and opts.parent_field:
            level = self.store.level(opts.level).parent_id  # a declared hierarchy
        if level is None and opts.parent_field:
            rank = self.store.level(opts.level).rank
            above = [lv for lv in self.store.levels() if lv.rank < rank]
            counts = self.store.count_units()
            filled = [lv for lv in above if counts.get(lv.id)]
            level = filled[-1].id if filled else None
        if level is None:
            return None
        self.store.level(level)
        geoms = None
        if opts.parent_field is None:
            frame = self.store.geometries(level)
            frame = frame[frame["geometry"].notna()]
            geoms = gpd.GeoDataFrame(
                frame[["id"]], geometry=shapely.from_wkb(frame["geometry"].to_numpy()),
                crs=4326)
        return ParentCandidates(level=level, keys=self.store.key_index(level), geometries=geoms)

    def indicators(self, path: Path, opts: IndicatorOptions, *,
                   dataset: str | None = None, licence: str = "", source: str = "",
                   encoding: str = "auto", separator: str = "auto",
                   sheet: str | None = None, metadata: dict[str, Any] | None = None,
                   attribution: dict[str, str] | None = None,
                   private_to: str | None = None, private_state: bool = False,
                   mapping: Path | None = None, partial: bool = False,
                   progress: Progress = no_progress) -> ImportResult:
        """Validate an indicator table completely, then write it in one transaction.

        Re-importing a dataset of the same name creates a new revision that replaces
        the values of the earlier one (no duplicates).  With ``private_to`` (a
        municipality's unit id) the dataset and the indicators it creates are private to
        that municipality; ``private_state`` lets the state office read them (issue #20).
        With ``mapping`` (fine key; coarse key; weight) the table's keys are fine units that
        need not be stored: their values are rolled up into the units of ``opts.level``.
        """
        store = self.store
        if private_to is not None:
            store.unit(private_to)  # an unknown owner is refused before reading the file
        levels = [lv.strip() for lv in opts.level.split(",") if lv.strip()]
        index: dict[str, dict[str, str]] = {}
        for level in reversed(levels):  # the first level named wins on a shared key
            store.level(level)
            for scheme, keys in store.key_index(level).items():
                index.setdefault(scheme, {}).update(keys)
        fine_map = None
        if mapping is not None:
            fine_map = RollupService(store, self.settings).read_mapping(mapping, levels[0])
            index = {"id": {str(f): str(f) for f in fine_map["fine"]}}
        report = ValidationReport(path.name)
        table = read_table(path, report, encoding=encoding, separator=separator, sheet=sheet,
                           header_hint=[opts.key_column] if opts.key_column else None)
        report.raise_if_failed()
        assert table is not None
        known = {i.id: i for i in store.indicators()}
        progress("Prüfen", 0, len(table.rows))
        opts.metadata = {**(metadata or {}), **opts.metadata}
        parsed = parse_indicators(table, opts, report, index, known)
        report.raise_if_failed()
        assert parsed is not None
        progress("Prüfen", len(table.rows), len(table.rows))
        indicators = [_marked(_with_provenance(i, licence, source), known, private_to,
                              private_state) for i in parsed.indicators]
        frame, map_notes = parsed.observations, list[str]()
        if fine_map is not None and mapping is not None:
            frame, map_notes = RollupService(store, self.settings).map_table(
                frame, fine_map.drop(columns=["row"]), indicators, known, mapping.name,
                partial=partial)
        ds = Dataset(name=dataset or f"{path.stem} ({opts.level})", kind="indicators",
                     file=str(path), sha256=sha256_of(path), licence=licence, source=source,
                     user=actor(self.settings), rows=len(parsed.observations),
                     details={"level": opts.level, "layout": parsed.layout,
                              "encoding": table.encoding, "separator": table.separator,
                              "indicators": [i.id for i in indicators],
                              **({"mapping": str(mapping)} if mapping else {}),
                              **({"attribution": attribution} if attribution else {})},
                     private_to=private_to, private_state=private_state and bool(private_to))
        with store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            replaced = tx.delete_observations_of(tx.previous_revisions(ds.name, ds.id))
            tx.upsert_indicators(indicators)
            frame = frame.assign(dataset_id=ds.id)
            overwritten = tx.replaced_values(frame, ds.name)
            total = len(frame)
            tx.upsert_observations(frame, progress=lambda n: progress("Speichern", n, total))
        notes = [*table.notes, *report.notes, *map_notes,
                 *_overwritten_notes(overwritten, ds.name)]
        return ImportResult(ds, len(frame), notes, replaced, overwritten)

    def members(self, path: Path, programme: str, *, dataset: str | None = None,
                source: str = "", sheet: str | None = None,
                joined: date | None = None) -> ImportResult:
        """Replace a programme's member list with the validated file."""
        store = self.store
        index: dict[str, dict[str, str]] = {}
        for level in ("gemeinde", "kreis"):
            for scheme, keys in store.key_index(level).items():
                index.setdefault(scheme, {}).update(keys)
        report = ValidationReport(path.name)
        table = read_table(path, report, sheet=sheet)
        report.raise_if_failed()
        assert table is not None
        members = parse_members(table, MemberOptions(programme, joined), report, index)
        report.raise_if_failed()
        ds = Dataset(name=dataset or f"Mitglieder {programme}", kind="members",
                     file=str(path), sha256=sha256_of(path), source=source,
                     user=actor(self.settings), rows=len(members), details={"programme": programme})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            for m in members:
                m.dataset_id = ds.id
            tx.replace_members(programme, members)
        return ImportResult(ds, len(members), table.notes)


    def streets(self, path: Path, *, level: str = "stadtteil", dataset: str | None = None,
                source: str = "", licence: str = "", synthetic: bool = False
                ) -> ImportResult:
        """Replace the stored street directory with the validated file (sections with
        house numbers, side, postcode, a unit of ``level`` and an optional position)."""
        store = self.store
        units = [u.id for u in store.units(level)]
        report = ValidationReport(path.name)
        if not units:
            report.add(f"Die Ebene '{level}' hat keine Gebiete",
                       expected="eine Ebene mit importierten Grenzen, z. B. stadtteil",
                       fix="zuerst die Grenzen der Ebene importieren oder --level angeben",
                       message_en=f"the level '{level}' has no units")
            report.raise_if_failed()
        codes = CodeIndex(units, store.key_index(level))
        directory = read_street_directory(path, report,
                                          lambda key: int(codes.lookup([key])[0][0]))
        report.raise_if_failed()
        assert directory is not None
        entries = [StreetEntry(s.street, s.first, s.last, s.side, s.postcode, units[s.unit],
                               s.lat, s.lon, s.row)
                   for sections in directory.sections.values() for s in sections]
        entries.sort(key=lambda e: e.row)
        prefix = "SYNTHETISCH: " if synthetic and not (dataset or "").upper().startswith(
            "SYNTHETISCH") else ""
        ds = Dataset(name=prefix + (dataset or f"Straßenverzeichnis {path.stem}"),
                     kind=STREET_KIND, file=str(path), sha256=sha256_of(path), source=source,
                     licence=licence, user=actor(self.settings), rows=len(entries),
                     details={"level": level, "synthetic": synthetic,
                              "streets": len(directory.sections),
                              "positions": sum(e.lat is not None for e in entries)})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            tx.replace_streets(entries, ds.id)
        return ImportResult(ds, len(entries), [])

    def funding(self, path: Path, programme: str = DEFAULT_PROGRAMME, source: str = "", *,
                missing: MissingMarkers = DEFAULT_MISSING) -> ImportResult:
        """Replace a programme's funding ledger with the validated file."""
        store = self.store
        index: dict[str, dict[str, str]] = {}
        for level in ("gemeinde", "kreis"):
            for scheme, keys in store.key_index(level).items():
                index.setdefault(scheme, {}).update(keys)
        report = ValidationReport(path.name)
        table = read_table(path, report)
        report.raise_if_failed()
        assert table is not None
        rows = parse_funding(table, programme, store.members(programme), report, index,
                             missing=missing)
        report.raise_if_failed()
        ds = Dataset(name=f"Förderung {programme}", kind="funding", file=str(path),
                     sha256=sha256_of(path), source=source, user=actor(self.settings),
                     rows=len(rows),
                     details={"programme": programme})
        with store.transaction() as tx:
            tx.add_dataset(ds)
            assert ds.id is not None
            tx.replace_funding(programme, rows, ds.id)
        return ImportResult(ds, len(rows), table.notes + report.notes)


def _overwritten_notes(overwritten: dict[str, int], name: str) -> list[str]:
    """One note per earlier dataset whose values this import replaced."""
    return [f"{n} Werte des Datensatzes '{old}' ersetzt; sie gehören jetzt zu '{name}' / "
            f"{n} values of dataset '{old}' replaced; dataset '{name}' holds them now"
            for old, n in sorted(overwritten.items())]


def _with_provenance(ind: Indicator, licence: str, source: str) -> Indicator:
    """The import's licence and source for an indicator that states none (a copy)."""
    return replace(ind, licence=ind.licence or licence, source=ind.source or source)


def _marked(ind: Indicator, known: dict[str, Indicator], private_to: str | None,
            private_state: bool) -> Indicator:
    """An imported indicator with its private mark: a new indicator of a private import
    is private to the importing municipality; a stored one keeps its mark (the values of
    a private dataset are private through the dataset); a stored indicator private to
    another municipality is refused."""
    stored = known.get(ind.id)
    if stored is not None and stored.private_to and private_to and \
            stored.private_to != private_to:
        raise KekizError(
            f"Der Indikator '{ind.id}' ist privat für {stored.private_to}; ein Import für "
            f"{private_to} kann ihm keine Werte geben. Abhilfe: eine andere Indikator-ID "
            "wählen (--indicator oder --column).",
            message_en=f"The indicator '{ind.id}' is private to {stored.private_to}; an "
            f"import for {private_to} cannot add values to it. Fix: choose another "
            "indicator id (--indicator or --column).")
    if stored is not None:
        return replace(ind, private_to=stored.private_to,
                       private_state=stored.private_state)
    if private_to is None:
        return ind
    return replace(ind, private_to=private_to, private_state=private_state)
