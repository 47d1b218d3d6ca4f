"""Whole responses kept per data version, language and audience (issue #17).

What the pages and APIs of :data:`CACHED` answer depends only on the data in the store,
the language, the reader and the URL.  :class:`ResponseCache`, a pure ASGI middleware,
keeps each such response of every worker process in memory, under a key of

* the store's **data version** (``meta.data_version``, read from the store for every
  request by :class:`VersionReads`): every write transaction of any process increments
  it, so a write through one worker makes every older entry of every worker unreachable
  on the next request;
* the **reader**: ``public`` for a request without credentials; otherwise the resolved
  account (role, id, CSRF token of the session) and the publication gate's audience key
  (:attr:`kekiz.privacy.publish.Audience.key`: tenant and own units), resolved on every
  request, so a revoked session or a changed grant is never served from an old entry;
* the **language** (``?lang=`` > cookie > setting), the scheme, host, path, query,
  ``Accept`` (OGC API chooses HTML or JSON by it) and the day (pages that show
  forecasts from today).

Entries hold the body, its gzip form and an ``ETag`` (the data version and a hash of the
body): a client that sends the ETag back in ``If-None-Match`` gets ``304 Not Modified``.
Only complete ``200`` answers without ``Set-Cookie`` and without ``Cache-Control:
no-store`` are kept; the total size is bounded (least recently used entries go first).
Concurrent misses of one key in one process are computed once (the others wait).

Answers to the public (and only those: what every reader may see) are also shared
between the worker processes of one ``kekiz serve`` through :class:`SharedFolder`: the
command makes a folder readable by the server's user only (:data:`SHARED_ENV` names it
to the workers) and deletes it when the server stops.  An answer computed by one worker
is read from there by the others instead of being computed again.  Its files are named
by the data version and the key's hash and hold the whole key, which is compared on
reading; files of older data versions are deleted.  Answers to accounts stay in the
memory of the process that made them.

The values themselves still pass the publication gate inside the routes; this layer
only replays a route's own answer to the reader it was made for.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kekiz.domain.errors import KekizError
from kekiz.i18n import COOKIE, LANGS
from kekiz.web.access import SESSION_COOKIE, current_user

__all__ = ["CACHED", "DEFAULT_MAX_BYTES", "SHARED_ENV", "ResponseCache", "SharedFolder"]

#: The environment variable that names the folder shared by the workers of one server.
SHARED_ENV = "KEKIZ_SHARED_CACHE_DIR"

#: Path prefixes whose GET answers depend only on data, language, reader and URL.
CACHED = ("/unit/", "/atlas", "/compare", "/network", "/sources", "/goals", "/chain",
          "/finder", "/cooperation", "/api/v1/levels", "/api/v1/units",
          "/api/v1/indicators", "/api/v1/observations", "/api/v1/atlas", "/api/v1/map",
          "/api/v1/members", "/api/v1/reach", "/api/v1/funding", "/api/v1/datasets",
          "/ogcapi")
#: Exact paths besides the prefixes.
CACHED_EXACT = frozenset({"/"})
#: Memory for the entries of one worker process.
DEFAULT_MAX_BYTES = 192 * 1024 * 1024
#: Bodies larger than this are not kept.
MAX_ENTRY = 16 * 1024 * 1024
#: Bodies smaller than this are not compressed.
MIN_GZIP = 512


@dataclass(frozen=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    gzipped: bytes | None
    etag: str

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 512


class SharedFolder:
    """Public answers shared by the worker processes of one server (see the module
    docstring): ``<folder>/<data version>-<hash of the key>``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = -1

    def _path(self, key: tuple[Any, ...]) -> Path:
        digest = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
        return self.folder / f"{key[0]}-{digest}"

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        head, _, rest = data.partition(b"\n")
        try:
            meta = json.loads(head)
        except ValueError:
            return None
        if meta.get("key") != repr(key):
            return None
        body, gzipped = rest[:meta["body"]], rest[meta["body"]:] or None
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["headers"]]
        return Entry(meta["status"], headers, body, gzipped, meta["etag"])

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        if key[0] != self.version:
            self.version = key[0]
            self._sweep(key[0])
        meta = {"key": repr(key), "status": entry.status, "etag": entry.etag,
                "body": len(entry.body),
                "headers": [(k.decode("latin-1"), v.decode("latin-1"))
                            for k, v in entry.headers]}
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            tmp.write_bytes(json.dumps(meta).encode() + b"\n" + entry.body
                            + (entry.gzipped or b""))
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _sweep(self, version: int) -> None:
        """Delete the answers of other data versions."""
        for old in self.folder.iterdir():
            if not old.name.startswith(f"{version}-"):
                with contextlib.suppress(OSError):
                    old.unlink()


class VersionReads:
    """The store's data version for concurrent requests, read once for all requests that
    arrived before the read began.

    Every request gets the result of a read that *started after the request arrived*, so
    a write committed before a request came in is always seen, exactly as with one read
    per request.  Requests that arrive while a read runs wait for the next one, which
    starts as soon as the running one ends: at most one read per process is in flight,
    and under load one read (and one trip to a worker thread) serves many requests
    instead of each taking a thread and a database connection of its own.
    """

    def __init__(self, read: Callable[[], int]) -> None:
        self.read = read
        self.waiting: asyncio.Future[int] | None = None
        self.task: asyncio.Task[None] | None = None
        self.reads = 0

    async def get(self) -> int:
        loop = asyncio.get_running_loop()
        if self.task is not None and self.task.get_loop() is not loop:
            self.waiting = self.task = None  # a new event loop: nothing of the old one
        if self.waiting is None:
            self.waiting = loop.create_future()
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._run())
        return await asyncio.shield(self.waiting)

    async def _run(self) -> None:
        """Read for the waiting requests until none are left (the task ends with no
        await between the last check and its end, so a request that finds it done
        starts the next one)."""
        while self.waiting is not None:
            batch, self.waiting = self.waiting, None
            try:
                value = await anyio.to_thread.run_sync(self.read)
            except asyncio.CancelledError:
                batch.cancel()
                raise
            except Exception as exc:  # every waiting request gets the error
                batch.set_exception(exc)
            else:
                batch.set_result(value)
            self.reads += 1


def cacheable_path(path: str) -> bool:
    return path in CACHED_EXACT or path.startswith(CACHED)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _cookies(scope: Scope) -> dict[str, str]:
    text = _header(scope, b"cookie")
    if not text:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(text)
    except Exception:  # a malformed cookie header: read as no cookies
        return {}
    return {k: v.value for k, v in jar.items()}


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` with ``etag`` (RFC 9110, 13.1.2)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def accepts_gzip(header: str) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip;q=0`` does not)."""
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return True
    return False


class ResponseCache:
    """Pure ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BYTES,
                 shared: str | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        folder = shared if shared is not None else os.environ.get(SHARED_ENV, "")
        self.folder = SharedFolder(Path(folder)) if folder and Path(folder).is_dir() \
            else None
        self.entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self.size = 0
        self.pending: dict[tuple[Any, ...], asyncio.Future[Entry | None]] = {}
        self.hits = 0
        self.misses = 0
        self.versions: VersionReads | None = None
        self.versions_of: object = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" \
                or not cacheable_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = await self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        entry = self._get(key)
        if entry is None and key[1] == "public" and self.folder is not None:
            entry = await anyio.to_thread.run_sync(self._shared_get, scope, key)
            if entry is not None:
                self._put(key, entry)
        if entry is None:
            entry = await self._fill(key, scope, receive, send)
            if entry is None:
                return  # answered directly: not cacheable
        else:
            self.hits += 1
        await self._answer(entry, scope, send)

    # -- key ------------------------------------------------------------------------------
    async def _key(self, scope: Scope) -> tuple[Any, ...] | None:
        """The cache key of a request, or None when the request must not be cached."""
        app = scope["app"]
        kekiz = app.state.kekiz
        cookies = _cookies(scope)
        if current_user in app.dependency_overrides:
            return None  # another auth layer decides who reads: not cached here
        if not _header(scope, b"authorization") and not cookies.get(SESSION_COOKIE):
            reader: str | None = "public"
        else:  # the account is looked up in the store
            reader = await anyio.to_thread.run_sync(self._reader, scope)
        if reader is None:
            return None
        store = kekiz.store
        if self.versions is None or self.versions_of is not store:
            self.versions, self.versions_of = VersionReads(store.data_version), store
        version = await self.versions.get()
        query = scope.get("query_string", b"").decode("latin-1")
        chosen = next((v for v in parse_qs(query).get("lang", []) if v in LANGS), None)
        lang = chosen or (cookies.get(COOKIE) if cookies.get(COOKIE) in LANGS else None) \
            or (str(app.state.settings.lang) if str(app.state.settings.lang) in LANGS
                else "de")
        accept = _header(scope, b"accept") if scope["path"].startswith("/ogcapi") else ""
        day = datetime.now(UTC).date().isoformat()
        return (version, reader, lang, scope.get("scheme"),
                _header(scope, b"host"), scope.get("root_path", ""), scope["path"], query,
                accept, day)

    @staticmethod
    def _reader(scope: Scope) -> str | None:
        """``public``, or the account and audience of the credentials (None: an error
        such as an unknown token, left to the routes)."""
        try:
            user = current_user(Request(scope))
        except KekizError:
            return None
        if not user.logged_in:
            return "public"
        audience = scope["app"].state.kekiz.audience(user.account)
        csrf = hashlib.blake2b(user.csrf.encode(), digest_size=8).hexdigest()
        return f"{user.role.value}|{user.id}|{user.via}|{csrf}|{audience.key}"

    # -- entries ------------------------------------------------------------------------------
    def _shared_get(self, scope: Scope, key: tuple[Any, ...]) -> Entry | None:
        return self.folder.get(key) if self.folder is not None else None

    def _get(self, key: tuple[Any, ...]) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def _put(self, key: tuple[Any, ...], entry: Entry) -> None:
        if entry.size > MAX_ENTRY:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old.size
        version = key[0]
        for stale in [k for k in self.entries if k[0] != version][:64]:
            self.size -= self.entries.pop(stale).size
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.max_bytes and self.entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.size

    async def _fill(self, key: tuple[Any, ...], scope: Scope, receive: Receive,
                    send: Send) -> Entry | None:
        """Compute the answer once for all concurrent requests of ``key``."""
        waiting = self.pending.get(key)
        if waiting is not None:
            entry = await asyncio.shield(waiting)
            if entry is not None:
                self.hits += 1
                return entry
            await self.app(scope, receive, send)
            return None
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self.pending[key] = future
        self.misses += 1
        entry = None
        try:
            entry, messages = await self._capture(scope, receive, key[0])
            if entry is not None:
                self._put(key, entry)
                if key[1] == "public" and self.folder is not None:
                    await anyio.to_thread.run_sync(self.folder.put, key, entry)
        finally:
            future.set_result(entry)
            del self.pending[key]
        if entry is None:
            for message in messages:
                await send(message)
        return entry

    async def _capture(self, scope: Scope, receive: Receive,
                       version: int) -> tuple[Entry | None, list[Message]]:
        """Run the route without ``If-None-Match``/``Accept-Encoding``; its messages and
        the entry made of them (None if the answer may not be kept)."""
        inner = dict(scope)
        inner["headers"] = [(k, v) for k, v in scope.get("headers", [])
                            if k not in (b"if-none-match", b"accept-encoding")]
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(inner, receive, keep)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None or start.get("status") != 200:
            return None, messages
        headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        names = {k for k, _ in headers}
        control = dict(headers).get(b"cache-control", b"").lower()
        if b"set-cookie" in names or b"content-encoding" in names or b"no-store" in control:
            return None, messages
        body = b"".join(m.get("body", b"") for m in messages
                        if m["type"] == "http.response.body")
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        gzipped = gzip.compress(body, 6, mtime=0) if len(body) >= MIN_GZIP else None
        kept = [(k, v) for k, v in headers
                if k not in (b"content-length", b"etag", b"vary", b"cache-control")]
        return Entry(200, kept, body, gzipped, f'W/"{version}-{digest}"'), messages

    async def _answer(self, entry: Entry, scope: Scope, send: Send) -> None:
        common = [(b"etag", entry.etag.encode()), (b"vary", b"Accept-Encoding"),
                  (b"cache-control", b"private, no-cache")]
        if etag_matches(_header(scope, b"if-none-match"), entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body = entry.body
        headers = entry.headers + common
        if entry.gzipped is not None and accepts_gzip(_header(scope, b"accept-encoding")):
            body = entry.gzipped
            headers = [*headers, (b"content-encoding", b"gzip")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": entry.status,
                    "headers": headers})
        await send({"type": "http.response.body", "body": body})
