"""One dependency for the current user (what is published: tests/privacy/test_publish.py)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from kekiz.web.access import PUBLIC, Role, User, current_user


def _calls(dep: Dependant) -> Iterator[object]:
    yield dep.call
    for sub in dep.dependencies:
        yield from _calls(sub)


def _api_routes(routes: list[object]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)  # FastAPI >= 0.120 nests routers
        if inner is not None:
            yield from _api_routes(list(inner.routes))


def test_every_route_reads_the_current_user(app: FastAPI) -> None:
    routes = list(_api_routes(list(app.routes)))
    assert len(routes) > 20
    missing = [r.path for r in routes if current_user not in set(_calls(r.dependant))]
    assert not missing, f"routes without current_user(): {missing}"


def test_current_user_without_credentials_is_public(client: TestClient) -> None:
    assert PUBLIC.role is Role.PUBLIC
    assert client.get("/api/v1/auth/me").json() == {"name": "public", "role": "public",
                                                    "tenant": None, "active": True}


def test_an_auth_layer_can_replace_the_user(app: FastAPI) -> None:
    seen: list[User] = []

    def fake() -> User:
        user = User("test", Role.PUBLIC, tenant="koeln")
        seen.append(user)
        return user

    app.dependency_overrides[current_user] = fake
    try:
        with TestClient(app) as c:
            assert c.get("/api/v1/levels").status_code == 200
            assert c.get("/").status_code == 200
            assert c.get("/ogcapi/collections").status_code == 200
    finally:
        app.dependency_overrides.clear()
    assert len(seen) == 3
