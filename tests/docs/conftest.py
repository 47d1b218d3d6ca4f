"""Fixtures of the documentation tests: one demo store per session (about a minute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kekiz.app import Kekiz
from kekiz.demo import build_demo
from kekiz.settings import load_settings


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store built with ``build_demo(Monitor)`` (what ``kekiz demo`` does)."""
    path = tmp_path_factory.mktemp("docs-demo") / "kekiz.db"
    monitor = Kekiz(load_settings({"store": f"sqlite:///{path}"}, environ={}))
    try:
        build_demo(monitor)
    finally:
        monitor.close()
    return path
