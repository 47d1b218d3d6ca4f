"""The installation steps of getting started run as written, on a clone of this repository.

``git clone https://example.org/kekiz.git`` clones a bare copy of this repository named
``kekiz.git`` instead (the address is the reader's own); everything else runs as printed:
``make demo`` creates .venv, installs kekiz, builds the demo store and serves it until the
start page answers.  A local run clones the last commit, so uncommitted changes are not part
of it; CI runs on a clean clone.
The reader's pip cache (HOME) is kept so that the installation uses cached wheels.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.docs.session import Session
from tests.docs.snippets import DOCS, REPO, blocks, commands, pages
from tests.docs.test_snippets import snippet_env

CLONE_URL = "https://example.org/kekiz.git"
INSTALL_PAGES = [p for p in pages() if any(b.install for b in blocks(p))]


def test_install_pages() -> None:
    names = {str(p.relative_to(DOCS)) for p in INSTALL_PAGES}
    assert names == {"getting-started.md", "en/getting-started.md"}


@pytest.mark.slow  # a clone, a virtual environment, make demo: minutes
@pytest.mark.parametrize("page", INSTALL_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_install_examples_run(page: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None or shutil.which("make") is None:
        if os.environ.get("CI"):
            pytest.fail("git and make are needed for the installation example")
        pytest.skip("LOUD: git or make missing; the installation example was NOT run")
    remote = tmp_path / "remote" / "kekiz.git"
    bare = subprocess.run(["git", "clone", "-q", "--bare", str(REPO), str(remote)],
                          capture_output=True, text=True, check=False)
    assert bare.returncode == 0, f"{REPO} could not be cloned: {bare.stderr}"
    cmds = [c for b in blocks(page) if b.install for c in commands(b)]
    assert any("git clone" in c for c in cmds) and any("make demo" in c for c in cmds)
    work = tmp_path / "work"
    work.mkdir()
    env = snippet_env(work)
    env["HOME"] = os.environ.get("HOME", str(work))  # the reader's pip cache
    session = Session(work, env, log_dir=tmp_path)
    for cmd in cmds:
        session.run(cmd.replace(CLONE_URL, str(remote)), timeout=1800)
    assert (work / "kekiz" / "kekiz.db").is_file(), "make demo built no demo store"
