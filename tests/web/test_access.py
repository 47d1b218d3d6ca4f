"""One dependency for the current user, one function for what is published."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from kekiz.web.access import PUBLIC, Role, User, current_user, publish


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


def test_publish_withholds_suppressed_values_and_internal_columns() -> None:
    frame = pd.DataFrame({
        "unit_id": ["a", "b", "c"], "value": [1.5, 7.0, np.nan],
        "numerator": [3.0, 7.0, np.nan], "denominator": [2.0, 1.0, np.nan],
        "lower": [1.0, 6.0, np.nan], "upper": [2.0, 8.0, np.nan],
        "status": ["ok", "suppressed", "missing"],
        "klass": pd.array([1, 2, pd.NA], dtype="Int64"),
        "params": ['{"raw": 7}', '{"raw": 7}', None], "file": ["/x", "/x", "/x"],
        "user": ["u", "u", "u"]})
    out = publish(frame, PUBLIC)
    assert out.loc[0, "value"] == 1.5 and out.loc[0, "klass"] == 1
    row = out.loc[1]
    assert all(pd.isna(row[c]) for c in ("value", "numerator", "denominator", "lower",
                                         "upper", "klass"))
    assert row["status"] == "suppressed"
    assert not {"params", "file", "user"} & set(out.columns)
    assert frame.loc[1, "value"] == 7.0  # the input is unchanged


@pytest.mark.parametrize("frame", [pd.DataFrame({"a": [1]}), pd.DataFrame()])
def test_publish_passes_tables_without_status(frame: pd.DataFrame) -> None:
    assert publish(frame, PUBLIC).equals(frame)
