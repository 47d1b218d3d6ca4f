"""Fixtures of the reliability tests: the in-process CLI of ``tests/ingest`` and the
corpus base store (``corpus_base.py``), built once per session and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ingest.conftest import cli, snapshot  # noqa: F401  (fixtures)
from tests.reliability.corpus_base import build_corpus_base


@pytest.fixture(scope="session")
def corpus_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    path = folder / "base.db"
    build_corpus_base(f"sqlite:///{path}", folder)
    return path


@pytest.fixture
def corpus_store(corpus_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "kekiz.db"
    shutil.copyfile(corpus_template, target)
    return f"sqlite:///{target}"
