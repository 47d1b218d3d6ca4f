"""Compute what the pages show right after a write through the web (issue #17).

:class:`WarmAfterWrites`, a pure ASGI middleware, reads the store's data version before
and after every request that may write (any method but GET, HEAD and OPTIONS).  When it
changed, or an account or a grant was changed (a new audience may read private data),
:class:`Warmer` runs :meth:`kekiz.app.Kekiz.warm` in a background thread of
this worker, so that the next first view of a page - through this worker or another one,
which reads the store's derived results - finds its results computed.  One warm runs at
a time; writes during a warm make it run once more afterwards.
"""

from __future__ import annotations

import logging
import threading

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kekiz.app import Kekiz

__all__ = ["WarmAfterWrites", "Warmer"]

log = logging.getLogger(__name__)

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class Warmer:
    """Runs ``kekiz.warm()`` in one background thread at a time."""

    def __init__(self, kekiz: Kekiz) -> None:
        self.kekiz = kekiz
        self._lock = threading.Lock()
        self._again = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.runs = 0

    def request(self) -> None:
        """Warm now, or once more after the warm that is running."""
        if self.kekiz.settings.warm == "off":
            return
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="kekiz-warm",
                                            daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self.kekiz.warm(self._stop.is_set)
            except Exception:  # the next first view computes what is missing
                log.exception("kekiz: computing the pages after a write failed")
            with self._lock:
                self.runs += 1
                if not self._again or self._stop.is_set():
                    self._thread = None
                    return
                self._again = False

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the result being computed (the server shuts down) and wait."""
        self._stop.set()
        self.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running warm (tests; the server's shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


class WarmAfterWrites:
    """Pure ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, warmer: Warmer) -> None:
        self.app = app
        self.warmer = warmer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READS:
            await self.app(scope, receive, send)
            return
        store = self.warmer.kekiz.store
        before = await anyio.to_thread.run_sync(store.data_version)
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            after = await anyio.to_thread.run_sync(store.data_version)
            if after != before or (status < 400 and _changes_audiences(scope["path"])):
                self.warmer.request()


def _changes_audiences(path: str) -> bool:
    """Accounts and grants: who reads which private data (not a change of the data
    version, but possibly a new audience to compute the pages for)."""
    return path.startswith(("/admin/", "/api/v1/admin/")) or path.endswith("/grants")
