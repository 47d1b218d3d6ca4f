"""Benchmark: the reports of issues #9 and #17, beside the code before #17's report work.

On a demo store (built first unless ``--store`` names one) it times, in one process per
code version and one after the other in the same run (so both see the same load):

* *data*: fetching the published data of the N member reports of "Kein Kind
  zurücklassen!" (:meth:`ReportService.report_input`), the least any report needs;
* one member report as HTML (the first of the batch, data and drawing, nothing kept yet)
  and all N member reports as HTML, one after the other;
* the Köln report (86 Stadtteile with 86 profile pages) as HTML and as PDF (WeasyPrint).

The *baseline* is the same measurement on the code of ``--baseline-ref`` (default: the
commit where this branch left ``arch``), exported with ``git archive`` into a temporary
folder and run there.  ``--batch`` also times ``kekiz report-batch`` over one process
per core (:mod:`kekiz.cli.report_pool`) on the current code.

Run: ``.venv/bin/python bench/bench_reports.py [--store sqlite:////tmp/x/demo.db]
[--members 40] [--skip-pdf] [--baseline-ref REF | --no-baseline] [--batch]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

KOELN = "05315000"
ROOT = Path(__file__).resolve().parents[1]


def measure(url: str, n_members: int, pdf: bool, out: Path) -> dict[str, Any]:
    """Times of the code importable as ``kekiz`` in this process (seconds, bytes)."""
    import weasyprint  # noqa: F401  (imports are not what is measured)

    from kekiz.app import Kekiz
    from kekiz.reporting.report_config import ReportConfig
    from kekiz.reporting.report_html import render_html
    from kekiz.reporting.report_pdf import html_to_pdf
    from kekiz.settings import load_settings

    out.mkdir(parents=True, exist_ok=True)
    m = Kekiz(load_settings({"store": url, "lang": "de"}, environ={}))
    cfg = ReportConfig()
    members = sorted({x.unit_id for x in m.store.members("Kein Kind zurücklassen!")})
    members = members[:n_members]
    r: dict[str, Any] = {"members": len(members)}
    t = time.perf_counter()
    html = render_html(m.reports.report_input(members[0], cfg), cfg, "de")
    r["one_member"] = time.perf_counter() - t
    t = time.perf_counter()
    size = 0
    for uid in members:
        html = render_html(m.reports.report_input(uid, cfg), cfg, "de")
        (out / f"{uid}.html").write_text(html, encoding="utf-8")
        size += len(html)
    r["members_html"], r["members_size"] = time.perf_counter() - t, size
    t = time.perf_counter()
    for uid in members:
        m.reports.report_input(uid, cfg)
    r["members_data"] = time.perf_counter() - t
    t = time.perf_counter()
    html = render_html(m.reports.report_input(KOELN, cfg), cfg, "de")
    r["koeln_html"], r["koeln_html_size"] = time.perf_counter() - t, len(html)
    (out / "koeln.html").write_text(html, encoding="utf-8")
    if pdf:
        t = time.perf_counter()
        data = html_to_pdf(html, out / "koeln.pdf")
        r["koeln_pdf"], r["koeln_pdf_size"] = time.perf_counter() - t, len(data)
    m.close()
    return r


def baseline(ref: str, url: str, n_members: int, pdf: bool, out: Path) -> dict[str, Any]:
    """:func:`measure` on the code of ``ref``, in a child process."""
    src = Path(tempfile.mkdtemp(prefix="kekiz-bench-base-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    env = {**os.environ, "PYTHONPATH": str(src / "src")}
    args = [sys.executable, __file__, "--measure-only", "--store", url, "--members",
            str(n_members), "--out", str(out)] + ([] if pdf else ["--skip-pdf"])
    done = subprocess.run(args, env=env, check=False, capture_output=True, text=True)
    if done.returncode != 0:  # e.g. a store of a newer schema than the baseline knows
        raise SystemExit(f"the baseline ({ref}) failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="existing demo store URL (else a fresh one is built)")
    ap.add_argument("--members", type=int, default=40)
    ap.add_argument("--skip-pdf", action="store_true")
    ap.add_argument("--baseline-ref", help="git ref of the baseline code (default: the "
                    "merge base of HEAD and arch)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--batch", action="store_true", help="also time kekiz report-batch")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.store, args.members, not args.skip_pdf,
                                 Path(args.out))))
        return
    tmp = Path(tempfile.mkdtemp(prefix="kekiz-bench-reports-"))
    url = args.store or f"sqlite:///{tmp / 'demo.db'}"
    if not args.store:
        from kekiz.app import Kekiz
        from kekiz.demo import build_demo
        from kekiz.settings import load_settings
        t = time.perf_counter()
        build_demo(Kekiz(load_settings({"store": url, "lang": "de"}, environ={})))
        print(f"demo store built in {time.perf_counter() - t:.1f} s")
    print(f"machine: {os.cpu_count()} cores, python {platform.python_version()}, "
          f"output in {tmp}; load average at start {_load()}")
    base: dict[str, Any] = {}
    if not args.no_baseline:
        ref = args.baseline_ref or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "arch"], check=True,
            capture_output=True, text=True).stdout.strip()
        print(f"baseline: code of {ref[:12]}")
        base = baseline(ref, url, args.members, not args.skip_pdf, tmp / "baseline")
        print(f"load average after the baseline {_load()}")
    now = measure(url, args.members, not args.skip_pdf, tmp / "now")
    print(f"load average after the current code {_load()}")
    _table(base, now)
    if args.batch:
        from kekiz.app import Kekiz
        from kekiz.cli.report_pool import default_workers, report_batch
        from kekiz.settings import load_settings
        m = Kekiz(load_settings({"store": url, "lang": "de"}, environ={}))
        t = time.perf_counter()
        done = report_batch(m, tmp / "batch", limit=args.members, lang="de")
        print(f"kekiz report-batch: network + {args.members} members, {default_workers()} "
              f"processes: {time.perf_counter() - t:.1f} s, "
              f"{sum(r.size for r in done) / 1e6:.1f} MB")


def _table(base: dict[str, Any], now: dict[str, Any]) -> None:
    n = now["members"]
    rows = [(f"fetch the published data of {n} member reports (after them)", "members_data", ""),
            ("one member report as HTML (first of the batch)", "one_member", ""),
            (f"{n} member reports as HTML", "members_html", "members_size"),
            ("Köln report as HTML (86 Stadtteile)", "koeln_html", "koeln_html_size"),
            ("Köln report HTML -> PDF (WeasyPrint)", "koeln_pdf", "koeln_pdf_size")]
    print(f"{'what':<50} {'baseline s':>10} {'now s':>8} {'ratio':>6} {'MB before':>9} "
          f"{'MB now':>7}")
    for label, key, size in rows:
        if key not in now:
            continue
        b = base.get(key)
        ratio = f"{b / now[key]:.1f}x" if b else "-"
        mb_b = f"{base[size] / 1e6:.2f}" if size and size in base else "-"
        mb_n = f"{now[size] / 1e6:.2f}" if size else "-"
        print(f"{label:<50} {(f'{b:.1f}' if b else '-'):>10} {now[key]:>8.1f} {ratio:>6} "
              f"{mb_b:>9} {mb_n:>7}")


if __name__ == "__main__":
    main()
