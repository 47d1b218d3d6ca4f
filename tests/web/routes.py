"""Every route of the web application with its full path, for the tests that enumerate
the pages and endpoints (the browser tests, the role x endpoint x tenant matrix)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute


def walk_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route below ``routes``, nested routers included."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        inner = getattr(route, "original_router", None)  # FastAPI >= 0.120 nests routers
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from walk_routes(list(inner.routes),
                                   prefix + getattr(context, "prefix", ""))
