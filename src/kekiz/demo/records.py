"""SYNTHETIC school-entrance records for the Köln demo, imported like a municipality's file."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kekiz.records.synthetic import PREFIX
from kekiz.services.base import Progress, no_progress
from kekiz.services.records import RecordImport, parse_years

if TYPE_CHECKING:
    from kekiz.app import Kekiz

__all__ = ["build_records_demo"]


def build_records_demo(app: Kekiz, *, years: str | Sequence[int] = "2010-2012",
                       seed: int = 42, level: str = "stadtteil",
                       progress: Progress = no_progress) -> RecordImport:
    """Synthetic school-entrance records for the demo: generated into a temporary file
    and imported through :meth:`RecordService.import_records`, like a municipality's file."""
    year_list = parse_years(years) or []
    with tempfile.TemporaryDirectory(prefix="kekiz-records-") as tmp:
        generated = app.records.generate_records(
            Path(tmp) / f"{PREFIX}schuleingang_koeln.parquet", years=year_list,
            seed=seed, level=level)
        span = f"{year_list[0]}–{year_list[-1]}" if len(year_list) > 1 else str(year_list[0])
        result: RecordImport = app.records.import_records(
            generated.path, level=level, years=year_list,
            dataset=f"SYNTHETISCH: Schuleingangsuntersuchung Köln {span} (Demo)",
            licence="CC BY (abgeleitet)",
            source="Synthetisch erzeugt von kekiz (Seed "
                   f"{seed}) aus Stadt Köln, CC BY (Bevölkerung, Stadtteilgrenzen)",
            extra_details={"generator": generated.info.to_dict()}, progress=progress)
    result.notes.extend(generated.notes)
    return result
