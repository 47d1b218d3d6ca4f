"""The reference pages are generated from the code and up to date: no command, option or
setting is undocumented (``python -m kekiz.docgen`` regenerates them)."""

from __future__ import annotations

from pathlib import Path

from kekiz import docgen
from kekiz.settings import SETTINGS
from tests.docs.snippets import DOCS

HINT = "regenerate with: .venv/bin/python -m kekiz.docgen"


def test_generated_pages_are_current() -> None:
    for path, text in docgen.generate(DOCS).items():
        assert path.exists(), f"{path} missing; {HINT}"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale; {HINT}"


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    n = 0
    for path, cmd in docgen.iter_commands():
        if len(path) > 1:
            assert f"`{' '.join(path)}`" in page, f"{' '.join(path)} undocumented; {HINT}"
            n += 1
        for p in cmd.params:
            for opt in [*p.opts, *p.secondary_opts]:
                token = f"`{p.name.upper()}` (Argument)" if p.param_type_name == "argument" \
                    else f"`{opt}`"
                assert token in page, f"{' '.join(path)} {opt} undocumented; {HINT}"
    assert n > 40


def test_every_setting_is_in_the_settings_reference() -> None:
    page = (DOCS / "reference" / "settings.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"`{s.name}`" in page and f"`KEKIZ_{s.name.upper()}`" in page, s.name


def test_every_endpoint_is_listed() -> None:
    doc = docgen.openapi_document()
    page = (DOCS / "reference" / "endpoints.md").read_text(encoding="utf-8")
    assert len(doc["paths"]) > 10
    for path in doc["paths"]:
        assert f"`{path}`" in page, path


def test_a_new_command_makes_the_check_fail(tmp_path: Path) -> None:
    """The comparison is not vacuous: a page without one command is reported stale."""
    pages = docgen.generate(tmp_path)
    cli = tmp_path / "reference" / "cli.md"
    (tmp_path / "reference").mkdir()
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    assert docgen.main([str(tmp_path), "--check"]) == 0
    cli.write_text(pages[cli].replace("kekiz chain coverage", "kekiz chain"), encoding="utf-8")
    assert docgen.main([str(tmp_path), "--check"]) == 1
