"""Derived results kept in the store per data version and read scope (issue #17).

What the pages show (goal status and forecasts, chain coverage and gaps, the network's
reach and funding, cooperation metrics, latest values and medians per level, the
catalogue) is computed once per data version and kept in the store's ``derived_cache``,
so that another process (a web worker started later, the next CLI call) reads it instead
of computing it again.  :meth:`kekiz.app.Kekiz.warm` fills it right after a write.

A result is kept under its ``name`` and a hash of its parameters and of the **read
scope** it was computed for (the publication gate's audience key, or the store view), so
a tenant's result is never read by the public.  It is read only at the data version it
was computed at: every write transaction increments the data version, which makes every
older result unreachable; and only by the same code (:func:`code_fingerprint`).  Results
are kept as pickles of kekiz's own objects: the store is trusted as much as the data in
it (whoever may write to it may change the data).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from kekiz import __version__
from kekiz.domain.errors import StoreError

__all__ = ["StoredResults", "code_fingerprint", "scope_of"]


class Keeps(Protocol):
    """What :class:`StoredResults` needs of a store or a read view of it."""

    def data_version(self) -> int: ...

    def derived_get(self, name: str, key: str, version: int) -> bytes | None: ...

    def derived_put(self, name: str, key: str, version: int, payload: bytes) -> None: ...


def scope_of(store: Any) -> str:
    """What a store view reads: its class, the audience of the publication gate (if
    any) and its read scope of private data."""
    audience = getattr(store, "audience", None)
    return f"{type(store).__name__}|{getattr(audience, 'key', '')}|{store.scope!r}"


@functools.cache
def code_fingerprint() -> str:
    """The kekiz code that made a result: its version and the size and time of each of
    its modules, so that results kept by another version of the code are not read."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(__version__.encode(), digest_size=12)
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


class StoredResults:
    """``get(name, params, make)``: the kept result of this data version, else ``make()``
    (kept for the next reader when it can be pickled)."""

    def __init__(self, store: Keeps, scope: str) -> None:
        self.store = store
        self.scope = scope

    def key(self, params: tuple[Any, ...]) -> str:
        return hashlib.blake2b(repr((code_fingerprint(), self.scope, params)).encode(),
                               digest_size=20).hexdigest()

    def get(self, name: str, params: tuple[Any, ...], make: Callable[[], Any],
            version: int | None = None) -> Any:
        version = self.store.data_version() if version is None else version
        key = self.key(params)
        payload = self.store.derived_get(name, key, version)
        if payload is not None:
            with contextlib.suppress(Exception):  # damaged: computed again below
                return pickle.loads(payload)  # written by kekiz into its own store
        value = make()
        self.put(name, key, version, value)
        return value

    def put(self, name: str, key: str, version: int, value: Any) -> None:
        """Keep ``value`` if the data did not change while it was computed."""
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # a result holding functions or locks stays in the reader's memory
        if self.store.data_version() != version:
            return
        try:
            self.store.derived_put(name, key, version, payload)
        except StoreError:
            return  # another process kept the same result at the same moment
