"""The documentation builds with ``mkdocs build --strict`` and without a warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.docs.snippets import DOCS, REPO

MKDOCS = Path(sys.executable).with_name("mkdocs")


def test_mkdocs_build_strict_without_warnings(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run([str(MKDOCS), "build", "--strict", "-d", str(site)], cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "WARNING" not in log, log
    for page in ("index.html", "getting-started.html", "methods.html", "operations.html",
                 "privacy-concept.html", "reference/cli.html", "en/index.html"):
        assert (site / page).is_file(), page
    assert (site / "reference" / "openapi.json").is_file()
    assert (site / "img" / "atlas_stadtteile.png").is_file()


def test_images_are_small_and_referenced() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md"))
    for png in (DOCS / "img").rglob("*.png"):  # with the pictures of every page
        name = png.relative_to(DOCS).as_posix()
        assert png.stat().st_size < 150_000, f"{name} is larger than 150 KB"
        assert name in text, f"{name} is not used on any page"
