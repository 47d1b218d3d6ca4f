"""Benchmark: start-up of the command line (issue #17).

Times, in the same run and in alternating order, each in a fresh process as a person at a
terminal starts it (the ``kekiz`` script of this virtual environment, this tree's code on
``PYTHONPATH``):

* **baseline** - ``python -c "import typer"`` (the command-line library alone);
* ``kekiz --help``;
* ``kekiz units --level kreis`` on a demo store (built first unless ``--store`` names one).

Byte code is compiled first (``compileall`` of ``src``) and every command runs once
unmeasured, so no run pays for writing ``.pyc`` files.  Prints the median and the
fastest wall time, the peak memory (``ru_maxrss`` of the child) and the ratio of the
medians to the baseline (the target of #17: at most 3).  Nothing is asserted.

    .venv/bin/python bench/bench_cli.py [--repeat 15] [--store sqlite:////tmp/x/demo.db]
        [--markdown]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEKIZ = str(Path(sys.executable).with_name("kekiz"))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KEKIZ_", "PYTHON"))}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["COLUMNS"] = "120"
    return env


def _once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err[-1000:]}")
    if proc.stderr:
        proc.stderr.close()
    return wall, usage.ru_maxrss / 1024


def demo_store(given: str | None, env: dict[str, str]) -> str:
    if given:
        return given
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='kekiz-bench-cli-')) / 'demo.db'}"
    t = time.perf_counter()
    subprocess.run([KEKIZ, "--store", url, "demo"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"demo store built in {time.perf_counter() - t:.1f} s: {url}")
    return url


def measure(repeat: int, store: str | None) -> list[dict[str, float | str]]:
    env = _env()
    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    url = demo_store(store, env)
    cases = {
        'python -c "import typer" (baseline)': [sys.executable, "-c", "import typer"],
        "kekiz --help": [KEKIZ, "--help"],
        "kekiz units --level kreis": [KEKIZ, "--store", url, "units", "--level", "kreis"],
    }
    for cmd in cases.values():  # warm: byte code of the environment, file cache
        _once(cmd, env)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for i in range(repeat):
        order = list(cases.items())
        for name, cmd in order if i % 2 == 0 else reversed(order):
            runs[name].append(_once(cmd, env))
    base = statistics.median(w for w, _ in runs[next(iter(cases))])
    rows: list[dict[str, float | str]] = []
    for name, got in runs.items():
        median = statistics.median(w for w, _ in got)
        rows.append({"what": name, "median_s": median, "min_s": min(w for w, _ in got),
                     "peak_mib": max(m for _, m in got), "ratio": median / base})
    return rows


def markdown(rows: list[dict[str, float | str]], repeat: int, load: float) -> str:
    lines = [f"Run {date.today().isoformat()}, Python {platform.python_version()}, "
             f"{os.cpu_count()} cores, {repeat} runs each (alternating order, median), byte "
             f"code compiled first; load average at the start {load:.1f}.", "",
             "| command | median (s) | fastest (s) | peak memory (MiB) | ratio to typer |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| `{r['what']}` | {r['median_s']:.3f} | {r['min_s']:.3f} | "
              f"{r['peak_mib']:.0f} | {r['ratio']:.2f} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--store", help="existing demo store URL (else a fresh one is built)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown section")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    rows = measure(args.repeat, args.store)
    if args.markdown:
        print(markdown(rows, args.repeat, load))
        return
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load average "
          f"{load:.1f} at the start, {args.repeat} runs each")
    print(f"{'command':<38}{'median s':>10}{'min s':>8}{'MiB':>7}{'ratio':>8}")
    for r in rows:
        print(f"{r['what']!s:<38}{r['median_s']:>10.3f}{r['min_s']:>8.3f}"
              f"{r['peak_mib']:>7.0f}{r['ratio']:>8.2f}")
    print("target (#17): ratio <= 3 for both kekiz commands")


if __name__ == "__main__":
    main()
