"""Shared fixtures for the kekiz test suite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import Cluster, PgUnavailable, create_database, drop_database

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def shared_path() -> Path:
    """The project's ``../shared`` folder (real data and reference answers)."""
    return Path(os.environ.get("KEKIZ_SHARED", REPO.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = shared_path()
    if not path.is_dir():
        pytest.skip(f"../shared not found at {path}: reference data tests need it "
                    "(set KEKIZ_SHARED to its location)")
    return path


@pytest.fixture(scope="session")
def refdata(shared_dir: Path) -> Path:
    return shared_dir / "refdata"


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server: KEKIZ_TEST_PG_URL or a private cluster."""
    given = os.environ.get("KEKIZ_TEST_PG_URL")
    if given:
        yield given
        return
    try:
        cluster = Cluster()
    except PgUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unavailable: {exc}")
        print(f"\n!!! SKIPPING PostgreSQL tests: {exc} !!!\n")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    name = "kekiz_" + uuid.uuid4().hex[:12]
    url = create_database(pg_admin_url, name)
    try:
        yield url
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kekiz.db'}"
    return str(request.getfixturevalue("pg_url"))
