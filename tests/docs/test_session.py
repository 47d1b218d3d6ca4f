"""The snippet harness itself: a terminal session and served lines fail when they should."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.session import Session, is_server
from tests.docs.test_snippets import snippet_env


def test_server_lines_are_recognised() -> None:
    assert is_server("kekiz serve --port 8000")
    assert is_server("kekiz --lang en serve --port 8000")
    assert is_server("cd kekiz && make demo")
    assert not is_server("make demo-store")
    assert not is_server("kekiz chain find angebote.json --service serve")


def test_directory_and_exports_carry_over(tmp_path: Path) -> None:
    session = Session(tmp_path, snippet_env(tmp_path), log_dir=tmp_path)
    session.run("mkdir sub && cd sub")
    session.run('export GREETING="guten Tag"')
    assert session.run('echo "$GREETING in $(basename "$PWD")"').strip() == "guten Tag in sub"
    with pytest.raises(AssertionError, match="exited 3"):
        session.run("exit 3")


def test_a_served_address_that_does_not_answer_fails(tmp_path: Path) -> None:
    session = Session(tmp_path, snippet_env(tmp_path), log_dir=tmp_path)
    out = session.run("kekiz serve --port 8000   # http://127.0.0.1:8000/sources")
    assert "kekiz: http://127.0.0.1:" in out and ":8000/" not in out
    with pytest.raises(AssertionError, match="answered 404"):
        session.run("kekiz serve --port 8000   # http://127.0.0.1:8000/keine-seite")
