"""Benchmark: reports for the 40 members of the state network (issue #9).

On a demo store (built first unless ``--store`` names one): the 40 member reports of
"Kein Kind zurücklassen!" as HTML, and one report (Köln, 86 Stadtteile with 86 profile
pages) as PDF.  Baselines measured in the same run:

* *data*: only fetching the published data of the 40 reports through the facade
  (:meth:`Monitor.report_input`), i.e. what any report needs before drawing anything;
* *to_html*: writing the same tables (every indicator table of each report) with
  ``pandas.DataFrame.to_html`` — a report without maps, charts, findings and profiles.

Since issue #17 it also times ``kekiz report-batch`` as the command runs it, over one
process per core (:mod:`kekiz.cli.report_pool`), beside the same batch one after the
other in this process.

Run: ``.venv/bin/python bench/bench_reports.py [--store sqlite:////tmp/x/demo.db]
[--members 40] [--skip-pdf]``
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

from kekiz.app import Kekiz
from kekiz.cli.report_pool import default_workers, report_batch
from kekiz.demo import build_demo
from kekiz.reporting.report_config import ReportConfig
from kekiz.reporting.report_html import render_html
from kekiz.reporting.report_pdf import html_to_pdf
from kekiz.settings import load_settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="existing demo store URL (else a fresh one is built)")
    ap.add_argument("--members", type=int, default=40)
    ap.add_argument("--skip-pdf", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kekiz-bench-reports-"))
    url = args.store or f"sqlite:///{tmp / 'demo.db'}"
    m = Kekiz(load_settings({"store": url, "lang": "de"}, environ={}))
    if not args.store:
        t = time.perf_counter()
        build_demo(m)
        print(f"demo store built in {time.perf_counter() - t:.1f} s")
    cfg = ReportConfig()
    members = sorted({x.unit_id for x in m.store.members("Kein Kind zurücklassen!")})
    members = members[:args.members]
    m.reports.report_input(members[0], cfg)  # warm imports and caches for all three

    t = time.perf_counter()
    inputs = [m.reports.report_input(uid, cfg) for uid in members]
    t_data = time.perf_counter() - t

    t = time.perf_counter()
    size_pd = 0
    for inp in inputs:
        parts = [d.values.to_html(index=False, na_rep=".") for d in inp.indicators]
        size_pd += len("".join(parts))
    t_pandas = time.perf_counter() - t

    t = time.perf_counter()
    size = 0
    for uid in members:
        html = render_html(m.reports.report_input(uid, cfg), cfg, "de")
        (tmp / f"{uid}.html").write_text(html, encoding="utf-8")
        size += len(html)
    t_html = time.perf_counter() - t

    t = time.perf_counter()
    batch = report_batch(m, tmp / "batch", limit=len(members), lang="de")
    t_batch = time.perf_counter() - t

    t = time.perf_counter()
    html = render_html(m.reports.report_input("05315000", cfg), cfg, "de")
    t_koeln_html = time.perf_counter() - t
    t = time.perf_counter()
    pdf = b"" if args.skip_pdf else html_to_pdf(html, tmp / "koeln.pdf")
    t_pdf = time.perf_counter() - t

    n = len(members)
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}, output in {tmp}")
    rows = [
        ("baseline: fetch published data (facade)", t_data, "-"),
        ("baseline: tables with pandas.to_html", t_data + t_pandas, f"{size_pd / 1e6:.1f} MB"),
        (f"kekiz: {n} member reports as HTML", t_html, f"{size / 1e6:.1f} MB"),
        (f"kekiz report-batch: network + {n} members, {default_workers()} processes",
         t_batch, f"{sum(r.size for r in batch) / 1e6:.1f} MB"),
        ("kekiz: Köln report HTML (86 Stadtteile)", t_koeln_html, f"{len(html) / 1e6:.1f} MB"),
        ("kekiz: Köln report HTML -> PDF (WeasyPrint)", t_pdf, f"{len(pdf) / 1e6:.1f} MB"),
    ]
    print(pd.DataFrame(rows, columns=["what", "seconds", "size"]).to_string(
        index=False, float_format=lambda v: f"{v:.1f}"))
    print(f"per member report: {t_html / n:.2f} s (data alone {t_data / n:.2f} s)")


if __name__ == "__main__":
    main()
