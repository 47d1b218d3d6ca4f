"""`kekiz admin ...` (issue #8): the first admin without default passwords, users,
tokens, grants and the audit log of a CLI import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from kekiz.app import Kekiz
from kekiz.domain.errors import KekizError
from kekiz.settings import load_settings

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
PASSWORD = "Erstes-Admin-Passwort-42"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def _run(store: str, *args: str, password: str | None = None) -> Result:
    """``kekiz --store STORE ARGS`` in-process, as ``kekiz.cli.main.run`` would."""
    from kekiz.cli import main

    env = {"COLUMNS": "250", "KEKIZ_USER": "cli-tester"}
    if password is not None:
        env["KEKIZ_ADMIN_PASSWORD"] = password
    result = CliRunner().invoke(main.app, ["--store", store, *args], env=env)
    if isinstance(result.exception, KekizError):
        return Result(1, result.stdout, result.exception.text("de"))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return Result(result.exit_code, result.stdout, result.stderr)


def test_admin_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kekiz.db'}"
    # no terminal, no KEKIZ_ADMIN_PASSWORD: refused, nothing created
    done = _run(url, "admin", "create", "--name", "chef")
    assert done.returncode == 1 and "KEKIZ_ADMIN_PASSWORD" in done.stderr
    done = _run(url, "admin", "create", "--name", "chef", password="zu-kurz")
    assert done.returncode == 1 and "mindestens 12 Zeichen" in done.stderr
    done = _run(url, "admin", "create", "--name", "chef", password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "Benutzer 'chef' angelegt (Rolle admin)" in done.stdout
    done = _run(url, "import", "boundaries", str(GOOD / "base_gemeinden.geojson"),
                "--level", "gemeinde", "--id-field", "AGS", "--name-field", "GEN",
                "--dataset", "Gemeinden")
    assert done.returncode == 0, done.stderr
    done = _run(url, "admin", "user", "add", "koeln", "--role", "viewer", "--tenant",
                "05315000", password=PASSWORD)
    assert done.returncode == 0, done.stderr
    listed = _run(url, "admin", "user", "list").stdout
    assert "chef" in listed and "koeln" in listed and "05315000" in listed
    token = _run(url, "admin", "token", "create", "--user", "koeln", "--label", "QGIS"
                 ).stdout.strip()
    assert token.startswith("kekiz_")
    assert _run(url, "admin", "grant", "05111000", "05315000").returncode == 0
    m = Kekiz(load_settings({"store": url}, environ={}))
    try:
        account = m.admin.token_account(token)
        assert account is not None and account.name == "koeln"
        assert m.admin.login("chef", PASSWORD, "127.0.0.1").account.name == "chef"
        visible = m.admin.visible_units(account)
        assert visible == frozenset({"05315000", "05111000"})
    finally:
        m.close()
    entries = [json.loads(line) for line in
               _run(url, "admin", "audit", "--json", "--limit", "20").stdout.splitlines()]
    actions = [e["action"] for e in entries]
    assert actions[:5] == ["login", "grant.add", "token.create", "user.create",
                           "import:boundaries"]
    imp = entries[4]
    assert imp["actor"] == "cli-tester" and imp["object"] == "dataset:Gemeinden"
    assert imp["before"] is None and imp["after"]["rows"] == 6
    assert imp["after"]["file"].endswith("base_gemeinden.geojson")
    again = _run(url, "import", "boundaries", str(GOOD / "base_gemeinden.geojson"),
                 "--level", "gemeinde", "--id-field", "AGS", "--name-field", "GEN",
                 "--dataset", "Gemeinden")
    assert again.returncode == 0, again.stderr
    (last,) = [json.loads(line) for line in _run(
        url, "admin", "audit", "--json", "--action", "import", "--limit", "1"
    ).stdout.splitlines()]
    assert last["before"]["revision"] == 1 and last["before"]["rows"] == 6
    assert last["after"]["revision"] == 2
    table = _run(url, "admin", "audit", "--limit", "3").stdout
    assert "Aktion" in table and "grant.add" in table and "token.create" not in table
    assert PASSWORD not in _run(url, "admin", "audit", "--json", "--limit", "100").stdout
