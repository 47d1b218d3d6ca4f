"""A private PostgreSQL cluster for the tests (Debian's server binaries, loopback only).

Used by ``tests/conftest.py``.  ``KEKIZ_TEST_PG_URL`` points the tests at an existing
server instead.  Under ``CI=true`` a missing server is an error, elsewhere the
PostgreSQL tests skip with a loud reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PgUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if cands:
        return Path(cands[-1]).parent
    which = shutil.which("initdb")
    if which:
        return Path(which).resolve().parent
    raise PgUnavailable("PostgreSQL server binaries (initdb) not found; install Debian's "
                        "'postgresql' package (scripts/test-services.sh does this as root)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="kekiz-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"])
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                   "-l", str(self.root / "log"), "-o",
                   f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off -c max_connections=200", "start"])
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, cmd: list[str]) -> None:
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PgUnavailable(f"{' '.join(cmd)} failed: {done.stderr.strip()[:500]}")

    def restart(self) -> None:
        """Restart the server (fast shutdown: open sessions are ended, as in a real
        restart); its output goes to the log, never to a pipe we would wait on."""
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                   "-m", "fast", "-l", str(self.root / "log"), "restart"])

    def stop(self) -> None:
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if self.as_postgres else []) +
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True, check=False)
        time.sleep(0.2)
        shutil.rmtree(self.root, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    import psycopg

    base = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    base = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
