"""Run the ``$`` lines of the guides like a reader at a terminal.

One :class:`Session` is one terminal: the working directory and exported variables carry
over from line to line (``cd kekiz``, ``export PATH=...``).  A line that starts the web
server (``kekiz serve``, ``make demo``) runs in the background on a free port until the
address it names answers (the address in the line's comment, else ``/``), then it is
stopped, as a reader would with Ctrl+C.  The port in the line is the only thing replaced.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

URL = re.compile(r"https?://(127\.0\.0\.1|localhost):(\d+)(\S*)")


def is_server(cmd: str) -> bool:
    """True for ``make demo`` and for ``kekiz [global options] serve``."""
    for part in re.split(r"&&|\|\||[;|&]", cmd.split("#", 1)[0]):
        try:
            words = shlex.split(part)
        except ValueError:  # a quoted '|' split the line: not a server command
            continue
        if words[:2] == ["make", "demo"]:
            return True
        if words and Path(words[0]).name == "kekiz":
            rest = words[1:]
            while rest and rest[0].startswith("-"):
                rest = rest[1:] if "=" in rest[0] else rest[2:]  # --lang en, --store X
            if rest[:1] == ["serve"]:
                return True
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Session:
    def __init__(self, cwd: Path, env: dict[str, str], *, log_dir: Path) -> None:
        self.cwd = cwd
        self.env = dict(env)
        self.log_dir = log_dir
        self.count = 0

    def run(self, cmd: str, *, timeout: float = 600) -> str:
        """Run one ``$`` line; return what it printed (stdout, then stderr).

        Raises AssertionError when the line fails."""
        self.count += 1
        if is_server(cmd):
            return self._serve(cmd, timeout=timeout)
        state = self.log_dir / f"state-{self.count}"
        script = (f"{cmd}\n"
                  f"pwd > {state}.cwd\n"
                  f"env -0 > {state}.env\n")
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=self.cwd,
                              env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        assert done.returncode == 0, (
            f"'{cmd}' exited {done.returncode} in {self.cwd}\n"
            f"stdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-2000:]}")
        self.cwd = Path(Path(f"{state}.cwd").read_text(encoding="utf-8").strip())
        pairs = Path(f"{state}.env").read_text(encoding="utf-8").split("\0")
        self.env = dict(p.split("=", 1) for p in pairs if "=" in p)
        return done.stdout + done.stderr

    def _serve(self, cmd: str, *, timeout: float) -> str:
        port = free_port()
        code, _, comment = cmd.partition("#")
        if re.search(r"--port[ =]\d+", code):
            code = re.sub(r"--port([ =])\d+", rf"--port\g<1>{port}", code)
        elif re.search(r"\bmake\s+demo\b", code):
            code = f"{code.rstrip()} PORT={port}"
        else:
            code = code.replace(" serve", f" serve --port {port}", 1)
        found = URL.search(comment)
        url = f"http://127.0.0.1:{port}{found.group(3) if found else '/'}"
        log = self.log_dir / f"server-{self.count}.log"
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.Popen(["bash", "-c", code], cwd=self.cwd, env=self.env,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        try:
            status, body = self._wait(url, proc, timeout)
        finally:
            _stop(proc)
        text = log.read_text(encoding="utf-8", errors="replace")
        assert status == 200, (f"'{cmd}': {url} answered {status} "
                               f"(server exit {proc.returncode})\n{text[-3000:]}\n{body[:500]}")
        return text

    def _wait(self, url: str, proc: subprocess.Popen[bytes], timeout: float
              ) -> tuple[int | None, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return None, "server exited"
            try:
                with urllib.request.urlopen(url, timeout=30) as resp:
                    return int(resp.status), resp.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as err:
                return int(err.code), err.read().decode("utf-8", "replace")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        return None, f"no answer within {timeout:.0f} s"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Ctrl+C for the whole process group (uvicorn workers included), then SIGKILL."""
    for sig in (signal.SIGINT, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue
