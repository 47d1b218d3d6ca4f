"""The vendored JavaScript libraries: unchanged npm files with their licences, and the
test-only axe-core never served by the application."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kekiz.web.deps import HERE

TESTS = Path(__file__).resolve().parent
VENDORED = [HERE / "static" / "vendor" / "leaflet", HERE / "static" / "vendor" / "swagger-ui",
            TESTS / "vendor" / "axe-core"]


@pytest.mark.parametrize("folder", VENDORED, ids=lambda p: p.name)
def test_vendored_files_match_their_note(folder: Path) -> None:
    note = (folder / "VENDORED.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| (\S+) \| ([0-9a-f]{64}) \|$", note, flags=re.M))
    assert "LICENSE" in listed
    assert re.search(r"^- Licence: \S+", note, flags=re.M)
    assert re.search(r"^- Version: \d+\.\d+\.\d+$", note, flags=re.M)
    present = {p.name for p in folder.iterdir()} - {"VENDORED.md"}
    assert present == set(listed), "every file is listed, every listed file is there"
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_the_app_serves_leaflet_and_swagger_ui_but_not_axe(client: TestClient) -> None:
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/LICENSE",
                 "/static/vendor/swagger-ui/swagger-ui-bundle.js",
                 "/static/vendor/swagger-ui/LICENSE"):
        assert client.get(path).status_code == 200, path
    for path in ("/static/vendor/axe-core/axe.min.js", "/static/axe.min.js"):
        assert client.get(path).status_code == 404, path
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp
