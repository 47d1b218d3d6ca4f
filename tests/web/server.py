"""Run ``kekiz serve`` as a real server process on a free loopback port (tests, bench)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

LAUNCHER = """
from kekiz.cli import main
main.run()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def kekiz_serve(store_url: str, *, workers: int = 1, lang: str | None = None,
                timeout: float = 60.0, extra: tuple[str, ...] = (),
                source: str | None = None) -> Iterator[Server]:
    """Start ``kekiz --store URL serve --port P``; wait until it answers; stop it.

    ``source``: the ``src`` folder of another kekiz tree to serve instead of this one
    (the benchmarks' "before" baseline)."""
    port = free_port()
    args = [sys.executable, "-c", LAUNCHER, "--store", store_url]
    if lang:
        args += ["--lang", lang]
    args += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
             *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEKIZ_")}
    if source is not None:
        env["PYTHONPATH"] = source
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"kekiz serve exited with {proc.returncode}: {out[-3000:]}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"kekiz serve did not answer within {timeout:.0f} s")
            time.sleep(0.2)
        yield Server(url, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
