"""Sessions, tokens, rate limit and writes across two worker processes of
``kekiz serve --workers 2`` on PostgreSQL (issue #8, item 4).

Each request is sent on a kept-alive connection whose serving worker process is known:
the test looks up which worker holds the server side of the connection (``/proc``), so
"logged in through one process, used on the other" is shown, not hoped for.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kekiz.app import Kekiz
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions
from kekiz.settings import load_settings
from tests.web.server import Server, kekiz_serve

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
PASSWORD = "Zwei-Prozesse-ein-Store-7"
KOELN = "05315000"
AACHEN = "05334002"

pytestmark = [pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="finds the serving worker through /proc (Linux)"),
              pytest.mark.slow]  # a server with two workers


@pytest.fixture(scope="module")
def pg_store(pg_admin_url: str) -> Iterator[str]:
    import uuid

    from tests.pg import create_database, drop_database

    name = "kekiz_auth_" + uuid.uuid4().hex[:10]
    url = create_database(pg_admin_url, name)
    m = Kekiz(load_settings({"store": url, "user": "pytest"}, environ={}))
    try:
        m.imports.boundaries(GOOD / "base_kreise.geojson", BoundaryOptions(
            level="kreis", id_field="AGS", name_field="GEN", key_fields={"ars": "ARS"}))
        m.imports.boundaries(GOOD / "base_gemeinden.geojson", BoundaryOptions(
            level="gemeinde", id_field="AGS", name_field="GEN", parent_field="KRS",
            key_fields={"ars": "ARS"}))
        m.imports.indicators(GOOD / "base_einwohner.csv", IndicatorOptions(level="gemeinde"))
        m.admin.create_user("koeln", PASSWORD, "viewer", KOELN)
        m.admin.create_user("chef", PASSWORD, "admin")
    finally:
        m.close()
    try:
        yield url
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture(scope="module")
def server(pg_store: str) -> Iterator[Server]:
    with kekiz_serve(pg_store, workers=2, timeout=120) as s:
        yield s


def _children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry))
    return out


def _owner(conn: http.client.HTTPConnection, server_port: int, pids: set[int]) -> int:
    """The worker process holding the server side of ``conn``."""
    assert conn.sock is not None
    client_port = conn.sock.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and \
                int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    assert inode is not None, "server side of the connection not found"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


class Conn:
    """One kept-alive connection, its worker and its cookies."""

    def __init__(self, server: Server, cookies: dict[str, str] | None = None) -> None:
        port = int(server.url.rsplit(":", 1)[1])
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = dict(cookies or {})
        self.request("GET", "/api/v1/health")
        self.worker = _owner(self.http, port, _children(server.process.pid))

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        head = dict(headers or {})
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if isinstance(body, dict) and head.get("Content-Type") == "application/json":
            data = json.dumps(body)
        elif isinstance(body, dict):
            from urllib.parse import urlencode

            data = urlencode(body)
            head["Content-Type"] = "application/x-www-form-urlencoded"
        self.http.request(method, path, body=data, headers=head)
        r = self.http.getresponse()
        text = r.read().decode("utf-8", "replace")
        for cookie in r.headers.get_all("set-cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if value and "Max-Age=0" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return r.status, text

    def close(self) -> None:
        self.http.close()


def _on_each_worker(server: Server, cookies: dict[str, str] | None = None,
                    tries: int = 300) -> dict[int, Conn]:
    """A connection served by each of the two workers.

    The server answers as soon as one worker is up; on a loaded machine the second one
    may still be importing the application, so the connections are spaced out (up to
    about 30 s in all)."""
    found: dict[int, Conn] = {}
    for _ in range(tries):
        c = Conn(server, cookies)
        if c.worker in found:
            c.close()
            time.sleep(0.1)
        else:
            found[c.worker] = c
        if len(found) == 2:
            return found
    for c in found.values():
        c.close()
    raise AssertionError(f"only workers {sorted(found)} answered in {tries} connections")


def _login(c: Conn, name: str, password: str = PASSWORD) -> int:
    status, page = c.request("GET", "/login")
    assert status == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    status, _ = c.request("POST", "/login", {"name": name, "password": password,
                                             "csrf_token": token.group(1)})
    return status


def test_session_token_rate_limit_and_writes_across_two_workers(server: Server) -> None:
    first = Conn(server)
    assert _login(first, "koeln") == 303
    session = {"kekiz_session": first.cookies["kekiz_session"]}
    conns = _on_each_worker(server, session)
    assert len(conns) == 2 and first.worker in conns
    other = next(w for w in conns if w != first.worker)
    # the session made by one worker is valid on both
    for c in conns.values():
        status, me = c.request("GET", "/api/v1/auth/me")
        assert status == 200 and json.loads(me)["name"] == "koeln", c.worker
        assert c.request("GET", f"/api/v1/units/{KOELN}")[0] == 200
        # outside its own units the account reads the public view (issue #20)
        assert c.request("GET", f"/api/v1/units/{AACHEN}")[0] == 200
    # an API token made through one worker works on the other
    status, page = conns[first.worker].request("GET", "/account")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert status == 200 and csrf
    status, body = conns[first.worker].request(
        "POST", "/api/v1/auth/tokens", {"label": "zwei"},
        {"Content-Type": "application/json", "X-CSRF-Token": csrf.group(1)})
    assert status == 201
    token = json.loads(body)["token"]
    bare = _on_each_worker(server)
    status, me = bare[other].request("GET", "/api/v1/auth/me",
                                     headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(me)["name"] == "koeln"
    # a write through one worker (an admin's grant) is seen by the other at once
    admin = Conn(server)
    assert _login(admin, "chef") == 303
    status, page = admin.request("GET", "/admin")
    admin_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert status == 200 and admin_csrf
    status, _ = admin.request("POST", "/admin/grants",
                              {"grantor": AACHEN, "grantee": KOELN,
                               "csrf_token": admin_csrf.group(1)})
    assert status == 303
    reader = next(c for w, c in conns.items() if w != admin.worker)
    assert reader.request("GET", f"/api/v1/units/{AACHEN}")[0] == 200
    # logging out through one worker ends the session on the other
    status, page = conns[first.worker].request("GET", "/account")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    assert conns[first.worker].request("POST", "/logout",
                                       {"csrf_token": csrf.group(1)})[0] == 303
    status, me = conns[other].request("GET", "/api/v1/auth/me")
    assert json.loads(me)["role"] == "public"
    # the login rate limit counts failures on both workers together
    for i in range(5):
        c = bare[list(bare)[i % 2]]
        assert _login(c, "chef", "falsch-falsch-falsch") == 401
    for c in bare.values():
        assert _login(c, "chef") == 429
    for c in [first, admin, *conns.values(), *bare.values()]:
        c.close()
