"""File-based jobs that need no store: a file in, a file out (for planners and DPOs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kekiz.analysis.did import estimate_did
from kekiz.ingest.frames import read_frame
from kekiz.privacy import parse_by, parse_dominance, protect_records

__all__ = ["FileJobs"]


def _write_json(data: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(out)


class FileJobs:
    """Mixed into :class:`kekiz.monitor.Monitor`."""

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
