"""Optional parts name the extra that installs them (issue #16, dependencies)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kekiz.domain.extras import EXTRAS, MissingExtra, require


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_a_missing_extra_names_itself_and_the_fix(extra: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    module = EXTRAS[extra][0]
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    with pytest.raises(MissingExtra) as err:
        require(extra)
    assert f"kekiz[{extra}]" in err.value.text("de") and "Abhilfe" in err.value.text("de")
    assert f"kekiz[{extra}]" in err.value.text("en") and "Fix" in err.value.text("en")


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_an_installed_extra_is_imported(extra: str) -> None:
    assert require(extra).__name__ == EXTRAS[extra][0]


def test_pdf_without_weasyprint_says_which_extra(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    from kekiz.reporting.report_pdf import html_to_pdf

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(MissingExtra, match=r"kekiz\[pdf\]"):
        html_to_pdf("<html><body>x</body></html>", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_declared_dependencies_are_the_imported_ones() -> None:
    """Every third-party package imported by src/kekiz is declared (core or an extra),
    and nothing is declared that is not imported (tools only in dev)."""
    import ast
    import tomllib

    root = Path(__file__).resolve().parents[2]
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    import_name = {"scikit-learn": "sklearn", "argon2-cffi": "argon2", "pyyaml": "yaml",
                   "python-multipart": None, "psycopg": "psycopg", "osmium": "osmium",
                   # used by uvicorn when installed, never imported by kekiz itself
                   "httptools": None, "uvloop": None}

    def names(specs: list[str]) -> set[str]:
        out = set()
        for spec in specs:
            dist = spec.split(";")[0].split("[")[0].split(">")[0].split("=")[0]
            dist = dist.split("<")[0].strip()
            if dist == "kekiz":
                continue
            mod = import_name.get(dist, dist.replace("-", "_"))
            if mod:
                out.add(mod)
        return out

    extras = meta["optional-dependencies"]
    declared = names(meta["dependencies"]) | names(extras["pdf"] + extras["postgres"]
                                                   + extras["network"])
    imported: set[str] = set()
    for f in (root / "src" / "kekiz").rglob("*.py"):
        for n in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Import):
                imported |= {a.name.split(".")[0] for a in n.names}
            elif isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
                imported.add(n.module.split(".")[0])
    imported -= set(sys.stdlib_module_names) | {"kekiz", "click"}  # click: typer's own
    imported |= set(EXTRAS[e][0] for e in EXTRAS)  # imported by name in extras.py
    assert imported - declared == set(), "imported but not declared"
    assert declared - imported == set(), "declared but never imported"
