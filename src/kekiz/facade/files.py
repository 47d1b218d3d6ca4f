"""File-based jobs that need no store: a file in, a file out (for planners and DPOs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kekiz.analysis.did import estimate_did
from kekiz.ingest.frames import read_frame

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
