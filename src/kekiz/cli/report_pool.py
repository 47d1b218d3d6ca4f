"""``kekiz report-batch`` on every core (issue #17): the reports of a batch spread over
worker processes.

Each worker process opens the store once with the command's settings and writes whole
reports (:meth:`kekiz.services.reports.ReportService.report`), so a report is the same
file whether it was written here or one after the other.  Workers are started with
``spawn``: a forked child would inherit the parent's open database connections.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from kekiz.app import Kekiz
from kekiz.services.base import Progress, no_progress
from kekiz.services.reports import ReportResult
from kekiz.settings import Settings

__all__ = ["default_workers", "report_batch"]

_APP: list[Kekiz] = []


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _start(settings: Settings) -> None:
    _APP.append(Kekiz(settings))


def _write(key: str, out: Path, fmt: str, cfg: Any, lang: str | None,
           programme: str | None) -> ReportResult:
    return _APP[0].reports.report(key, out, fmt=fmt, config=cfg, lang=lang,
                                  programme=programme)


def report_batch(app: Kekiz, out_dir: Path, *, programme: str | None = None,
                 fmt: str = "html", config: Any = None,
                 lang: str | None = None, limit: int | None = None,
                 workers: int | None = None,
                 progress: Progress = no_progress) -> list[ReportResult]:
    """The reports of :meth:`ReportService.report_batch`, written by ``workers``
    processes (default: one per core; 1: in this process).  ``config``: a report
    configuration file or object (None: the default)."""
    reports = app.reports
    cfg = reports.config(config)
    jobs = reports.batch_jobs(out_dir, programme=programme, fmt=fmt, limit=limit)
    count = min(workers or default_workers(), len(jobs))
    if count <= 1:
        return reports.report_batch(out_dir, programme=programme, fmt=fmt, config=cfg,
                                    lang=lang, limit=limit, progress=progress)
    results: dict[int, ReportResult] = {}
    progress("Berichte", 0, len(jobs))
    context: Any = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context, initializer=_start,
                             initargs=(app.settings,)) as pool:
        futures = {pool.submit(_write, key, out, fmt, cfg, lang, prog): n
                   for n, (key, out, prog) in enumerate(jobs)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            progress("Berichte", len(results), len(jobs))
    return [results[n] for n in range(len(jobs))]
