"""wrk as the load generator of bench_web.py: many connections from a client in C.

The Python clients of bench_web.py (httpx, 50 coroutines in one process) need about
2.5 ms of CPU per request; once the server answers from its cache in well under a
millisecond, that client fills one of the machine's two cores and its own queue is what
the latencies show.  wrk (Debian package ``wrk``; not a kekiz dependency) sends the same
seeded URLs over the same number of keep-alive connections at a small fraction of that
CPU, so the server is measured instead of the client.

A Lua script walks the URL list (each wrk thread starts at its own offset), asks for
gzip like a browser, and prints one JSON line at the end: requests, errors (socket errors
and answers that are not 2xx/3xx), duration and latency percentiles in microseconds.
Only 127.0.0.1 is contacted; each run is bounded by ``seconds``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local paths = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  local threads = tonumber(args[2])
  i = math.floor(id * #paths / threads)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "status_errors": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "mean": %f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else float("nan")

    def line(self, label: str) -> str:
        return (f"{label}: {self.throughput:.1f} requests/s ({self.requests} in "
                f"{self.seconds:.1f} s), p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, "
                f"p99 {self.p99_ms:.1f} ms, mean {self.mean_ms:.1f} ms, errors {self.errors}")


def available() -> str | None:
    """None if wrk is installed, else the reason."""
    if shutil.which("wrk") is None:
        return "wrk is not installed (Debian: apt-get install wrk)"
    return None


def run_wrk(base: str, paths: list[str], *, connections: int, threads: int = 2,
            seconds: float = 20.0) -> WrkResult:
    """``paths`` (absolute paths with query) requested in turn from ``base`` over
    ``connections`` keep-alive connections for ``seconds``."""
    with tempfile.TemporaryDirectory(prefix="kekiz-wrk-") as tmp:
        folder = Path(tmp)
        listing = folder / "paths.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        script = folder / "mix.lua"
        script.write_text(SCRIPT, encoding="utf-8")
        done = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s",
             "--timeout", "30s", "-s", str(script), base, "--", str(listing), str(threads)],
            capture_output=True, text=True, timeout=seconds + 120, check=False)
    line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-2000:]}"
                           f"{done.stderr[-2000:]}")
    data = json.loads(line)
    return WrkResult(requests=int(data["requests"]), seconds=data["duration_us"] / 1e6,
                     errors=int(data["socket_errors"]) + int(data["status_errors"]),
                     p50_ms=data["p50"] / 1000, p95_ms=data["p95"] / 1000,
                     p99_ms=data["p99"] / 1000, mean_ms=data["mean"] / 1000)
