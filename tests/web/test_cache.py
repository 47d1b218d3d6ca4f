"""The response cache (issue #17): ETag/304, gzip, keys by reader and language, and a
write seen at once, in one process and across the two worker processes of
``kekiz serve --workers 2`` (SQLite and PostgreSQL).

The store is the small sample of the storage tests (tests/storage/sample.py): Köln's
private indicator ``intern`` (value 7) is read by Köln's accounts only; the public and
Bonn's accounts never see it.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.settings import load_settings
from kekiz.storage import open_store
from kekiz.web.app import create_app
from kekiz.web.cache import ResponseCache, accepts_gzip, etag_matches
from tests.storage.sample import BONN, KOELN, fill
from tests.web.server import Server, kekiz_serve
from tests.web.test_auth_workers import PASSWORD, Conn, _login, _on_each_worker

INDICATORS = "/api/v1/indicators"
EINWOHNER = f"/api/v1/observations?indicator=einwohner&unit={KOELN}"


def _store(url: str) -> str:
    store = open_store(url)
    try:
        fill(store)
    finally:
        store.dispose()
    m = Kekiz(load_settings({"store": url, "user": "pytest"}, environ={}))
    try:
        m.admin.create_user("koeln", PASSWORD, "viewer", KOELN)
        m.admin.create_user("bonn", PASSWORD, "viewer", BONN)
        m.admin.create_user("chef", PASSWORD, "admin")
    finally:
        m.close()
    return url


def _write_einwohner(url: str, value: float) -> None:
    """A write from another process's point of view: a new value of Köln in 2021."""
    store = open_store(url)
    try:
        with store.transaction() as tx:
            tx.upsert_observations(pd.DataFrame([{
                "indicator_id": "einwohner", "unit_id": KOELN, "period": "2021",
                "value": value, "status": "ok", "dataset_id": None}]))
    finally:
        store.dispose()


def _values(body: str) -> dict[str, float]:
    return {o["period"]: o["value"] for o in json.loads(body)["items"]}


def _ids(body: str) -> set[str]:
    return {i["id"] for i in json.loads(body)}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    url = _store(f"sqlite:///{tmp_path / 'cache.db'}")
    with TestClient(create_app(load_settings({"store": url}, environ={}))) as c:
        yield c


def _cache(client: TestClient) -> ResponseCache:
    app = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(app, ResponseCache):
        app = app.app
    return app


def test_etag_304_gzip_and_a_write(client: TestClient) -> None:
    first = client.get(EINWOHNER)
    assert first.status_code == 200 and _values(first.text) == {"2020": 1000, "2021": 1010}
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and "Accept-Encoding" in first.headers.get_list("vary")
    again = client.get(EINWOHNER, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    cache = _cache(client)
    assert cache.misses == 1 and cache.hits == 1
    # a large answer is sent compressed to a client that accepts gzip, plain otherwise
    raw = client.get(INDICATORS, headers={"Accept-Encoding": "gzip"})
    plain = client.get(INDICATORS, headers={"Accept-Encoding": "identity"})
    assert raw.headers.get("content-encoding") == "gzip"
    assert "content-encoding" not in plain.headers
    assert raw.text == plain.text and json.loads(plain.text)
    assert int(plain.headers["content-length"]) == len(plain.content)
    # a write changes the data version: new body, new ETag, the old ETag is no match
    _write_einwohner(str(client.app.state.settings.store), 1234.0)  # type: ignore[attr-defined]
    after = client.get(EINWOHNER, headers={"If-None-Match": etag})
    assert after.status_code == 200 and _values(after.text)["2021"] == 1234
    assert after.headers["etag"] != etag


def test_the_cache_keys_on_the_reader_and_the_language(client: TestClient) -> None:
    token = client.app.state.kekiz.admin.create_token(  # type: ignore[attr-defined]
        "koeln", "pytest", 1, actor="pytest")
    bonn = client.app.state.kekiz.admin.create_token(  # type: ignore[attr-defined]
        "bonn", "pytest", 1, actor="pytest")
    own = client.get(INDICATORS, headers={"Authorization": f"Bearer {token}"})
    assert "intern" in _ids(own.text)
    # the same URL right after: the public and Bonn never get Köln's private indicator
    public = client.get(INDICATORS)
    assert "intern" not in _ids(public.text) and public.headers["etag"] != own.headers["etag"]
    assert "intern" not in _ids(client.get(
        INDICATORS, headers={"Authorization": f"Bearer {bonn}"}).text)
    assert "intern" in _ids(client.get(
        INDICATORS, headers={"Authorization": f"Bearer {token}"}).text)
    # an ETag of Köln's answer is no match for the public's
    assert client.get(INDICATORS, headers={"If-None-Match": own.headers["etag"]}
                      ).status_code == 200
    # a revoked token is refused, not answered from the cache
    admin = client.app.state.kekiz.admin  # type: ignore[attr-defined]
    for token_id in admin.api_tokens("koeln")["id"]:
        admin.revoke_token(int(token_id), actor="pytest")
    assert client.get(INDICATORS, headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    # the language is part of the key
    de = client.get(INDICATORS).json()
    en = client.get(INDICATORS + "?lang=en").json()
    by_id = {i["id"]: i["name"] for i in de}
    assert by_id["einwohner"] == "Einwohner"
    assert {i["id"]: i["name"] for i in en}["einwohner"] == "Inhabitants"
    client.cookies.set("kekiz_lang", "en")
    assert client.get(INDICATORS).json() == en


def test_helpers() -> None:
    assert etag_matches('W/"3-ab"', 'W/"3-ab"') and etag_matches('"x", W/"3-ab"', 'W/"3-ab"')
    assert etag_matches("*", 'W/"1-a"') and not etag_matches('W/"2-ab"', 'W/"3-ab"')
    assert not etag_matches("", 'W/"3-ab"')
    assert accepts_gzip("gzip, deflate, br") and accepts_gzip("br;q=1, gzip;q=0.5")
    assert not accepts_gzip("gzip;q=0") and not accepts_gzip("identity")
    assert gzip.decompress(gzip.compress(b"x")) == b"x"


@pytest.fixture
def served(store_url: str) -> Iterator[tuple[str, Server]]:
    url = _store(store_url)
    with kekiz_serve(url, workers=2, timeout=120) as server:
        yield url, server


def test_a_write_through_one_worker_is_seen_by_the_other(
        served: tuple[str, Server]) -> None:
    """Each read goes to a known worker (tests/web/test_auth_workers.py finds it in
    /proc); both keep the answer, then writes change it on both."""
    url, server = served
    conns = _on_each_worker(server)
    (one, a), (two, b) = sorted(conns.items())
    tags = {}
    for c in (a, b):
        status, body = c.request("GET", EINWOHNER)
        assert status == 200 and _values(body)["2021"] == 1010
        assert c.request("GET", EINWOHNER, headers={"If-None-Match": "*"})[0] == 304
        c.http.request("GET", EINWOHNER)
        answer = c.http.getresponse()
        answer.read()
        tags[c.worker] = answer.headers["etag"]
    assert len(set(tags.values())) == 1
    # Bonn's viewer reads through worker two: no Köln-private indicator ...
    bonn = Conn(server)
    assert _login(bonn, "bonn") == 303
    readers = _on_each_worker(server, {"kekiz_session": bonn.cookies["kekiz_session"]})
    for c in readers.values():
        status, body = c.request("GET", INDICATORS)
        assert status == 200 and "intern" not in _ids(body)
    # ... the admin, through worker one, grants Köln's units to Bonn ...
    admin = conns[one]
    assert _login(admin, "chef") == 303
    status, page = admin.request("GET", "/admin")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert status == 200 and csrf
    assert admin.request("POST", "/admin/grants", {
        "grantor": KOELN, "grantee": BONN, "csrf_token": csrf.group(1)})[0] == 303
    # ... and the next read of Bonn's viewer through worker two shows it
    status, body = readers[two].request("GET", INDICATORS)
    assert status == 200 and "intern" in _ids(body)
    # the public still does not see it on either worker
    public = _on_each_worker(server)
    assert all("intern" not in _ids(c.request("GET", INDICATORS)[1])
               for c in public.values())
    # a data write (an import by another process, as the CLI makes it) is seen by both
    _write_einwohner(url, 2222.0)
    for c in public.values():
        status, body = c.request("GET", EINWOHNER, headers={"If-None-Match": tags[c.worker]})
        assert status == 200 and _values(body)["2021"] == 2222, c.worker
    for c in [*conns.values(), *readers.values(), *public.values(), bonn]:
        c.close()


def test_workers_share_public_answers_only(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Two applications over one store with one shared folder (as the workers of one
    ``kekiz serve``): a public answer made by one is read by the other; an account's
    answer never reaches the folder."""
    url = _store(f"sqlite:///{tmp_path / 'shared.db'}")
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o700)
    settings = load_settings({"store": url}, environ={})
    monkeypatch.setenv("KEKIZ_SHARED_CACHE_DIR", str(folder))
    one, two = create_app(settings), create_app(settings)
    with TestClient(one) as a, TestClient(two) as b:
        token = a.app.state.kekiz.admin.create_token(  # type: ignore[attr-defined]
            "koeln", "pytest", 1, actor="pytest")
        first = a.get(EINWOHNER)
        files = sorted(p.name for p in folder.iterdir())
        assert len(files) == 1
        second = b.get(EINWOHNER)
        assert second.text == first.text and second.headers["etag"] == first.headers["etag"]
        assert _cache(b).misses == 0 and _cache(a).misses == 1
        own = a.get(INDICATORS, headers={"Authorization": f"Bearer {token}"})
        assert "intern" in _ids(own.text)
        assert sorted(p.name for p in folder.iterdir()) == files
        assert b"intern" not in b"".join(p.read_bytes() for p in folder.iterdir())
        # a write: the next answer is new, and the files of the old version go
        _write_einwohner(url, 1500.0)
        assert _values(b.get(EINWOHNER).text)["2021"] == 1500
        assert _values(a.get(EINWOHNER).text)["2021"] == 1500
        names = [p.name for p in folder.iterdir()]
        assert len(names) == 1 and names[0].split("-")[0] != files[0].split("-")[0]


def test_concurrent_requests_share_one_read_of_the_data_version() -> None:
    """Requests that arrive while no read runs share the next one; a request that
    arrives while a read runs never takes its (possibly older) answer but waits for a
    read that began after it came in - so a write committed before a request arrived
    is always seen."""
    import asyncio
    import threading
    import time

    from kekiz.web.cache import VersionReads

    committed = [1]
    started: list[int] = []
    lock = threading.Lock()

    def read() -> int:
        with lock:
            started.append(committed[0])
        value = committed[0]  # what the database holds when the read begins
        time.sleep(0.05)
        return value

    async def scenario() -> tuple[list[int], list[int], int]:
        versions = VersionReads(read)
        first = [asyncio.ensure_future(versions.get()) for _ in range(20)]
        await asyncio.sleep(0.01)  # the first read is running
        committed[0] = 2  # a write commits while it runs
        later = [asyncio.ensure_future(versions.get()) for _ in range(20)]
        return (list(await asyncio.gather(*first)), list(await asyncio.gather(*later)),
                versions.reads)

    first, later, reads = asyncio.run(scenario())
    assert first == [1] * 20  # they arrived before the write
    assert later == [2] * 20  # they arrived after it: a newer read, not the running one
    assert reads == 2 and started == [1, 2]  # 40 requests, two reads


def test_a_failed_read_of_the_data_version_reaches_every_waiting_request() -> None:
    import asyncio

    from kekiz.web.cache import VersionReads

    calls = []

    def read() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database gone")
        return 5

    async def scenario() -> tuple[list[object], int]:
        versions = VersionReads(read)
        out = await asyncio.gather(*(versions.get() for _ in range(3)),
                                   return_exceptions=True)
        return list(out), await versions.get()

    failed, after = asyncio.run(scenario())
    assert all(isinstance(x, RuntimeError) for x in failed)
    assert after == 5  # the next request reads again


def test_version_reads_survive_a_new_event_loop() -> None:
    """One middleware object may serve several event loops one after the other (the
    test client starts one per request without a ``with`` block): each loop reads."""
    import asyncio

    from kekiz.web.cache import VersionReads

    versions = VersionReads(lambda: 7)
    assert asyncio.run(versions.get()) == 7
    assert asyncio.run(versions.get()) == 7
    assert versions.reads == 2
