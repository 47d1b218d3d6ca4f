"""``kekiz report-batch`` over worker processes (issue #17): the same files as one after
the other, in the order of the batch.  The SVG drawings number their element ids with a
counter of the process (``kzr<n>``), so the files are compared with those numbers
masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kekiz.app import Kekiz
from kekiz.cli.report_pool import default_workers, report_batch
from kekiz.domain.errors import MethodError


def _masked(path: Path) -> str:
    return re.sub(r"kzr\d+", "kzr#", path.read_text(encoding="utf-8"))


def test_processes_write_the_same_reports(monitor: Kekiz, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    pooled = report_batch(monitor, tmp_path / "pool", limit=3, workers=2,
                          progress=lambda _t, n, total: seen.append((n, total)))
    alone = monitor.reports.report_batch(tmp_path / "alone", limit=3)
    assert [r.path.name for r in pooled] == [r.path.name for r in alone]
    assert pooled[0].path.name == "netzwerk.html" and len(pooled) == 4
    for a, b in zip(pooled, alone, strict=True):
        assert _masked(a.path) == _masked(b.path), a.path.name
        assert (a.key, a.name) == (b.key, b.name)
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    assert default_workers() >= 1


def test_a_wrong_format_fails_before_any_process_starts(monitor: Kekiz,
                                                       tmp_path: Path) -> None:
    with pytest.raises(MethodError, match="Berichtsformat 'docx'"):
        report_batch(monitor, tmp_path, fmt="docx", workers=2)
