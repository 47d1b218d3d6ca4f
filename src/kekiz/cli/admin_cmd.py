"""``kekiz admin ...``: the first admin, users, API tokens, access grants and the audit
log of the web application (issue #8).

There are no default passwords: ``kekiz admin create`` asks for the password twice, or
reads it from the environment variable ``KEKIZ_ADMIN_PASSWORD`` (for scripts; the
variable is read once and never stored).  Every command is logged in the audit log with
the operating-system user (or the ``user`` setting) as actor.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from kekiz.cli.context import kekiz, out, t
from kekiz.domain.errors import KekizError

if TYPE_CHECKING:
    pass

__all__ = ["admin_app"]

PASSWORD_ENV = "KEKIZ_ADMIN_PASSWORD"

admin_app = typer.Typer(help="Benutzer, Rollen, API-Tokens, Freigaben und Protokoll der "
                             "Web-Anwendung.", no_args_is_help=True)
user_app = typer.Typer(help="Benutzer anlegen, auflisten, ändern.", no_args_is_help=True)
token_app = typer.Typer(help="API-Tokens erzeugen, auflisten, widerrufen.",
                        no_args_is_help=True)
admin_app.add_typer(user_app, name="user")
admin_app.add_typer(token_app, name="token")

RoleOpt = Annotated[str, typer.Option("--role", help="admin, state (Landesstelle), editor "
                                      "(Redaktion einer Kommune), viewer (Lesezugriff).")]
TenantOpt = Annotated[str | None, typer.Option(
    "--tenant", help="Gebietsschlüssel der Kommune (für editor und viewer), z. B. 05315000.")]


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _password() -> str:
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    if not os.isatty(0):
        raise KekizError(f"Kein Passwort: bitte interaktiv eingeben oder {PASSWORD_ENV} "
                         "setzen.", message_en=f"No password: enter it interactively or set "
                         f"{PASSWORD_ENV}.")
    value: str = typer.prompt(t("Passwort (mind. 12 Zeichen)",
                                 "Password (at least 12 characters)"),
                              hide_input=True, confirmation_prompt=True)
    return value


def _add(name: str, role: str, tenant: str | None) -> None:
    account = kekiz().admin.create_user(name, _password(), role, tenant)
    out.print(t(f"Benutzer '{escape(account.name)}' angelegt (Rolle {account.role}"
                        f"{', Kommune ' + account.tenant if account.tenant else ''}).",
                        f"User '{escape(account.name)}' created (role {account.role}"
                        f"{', municipality ' + account.tenant if account.tenant else ''})."))


@admin_app.command("create")
def create(name: Annotated[str, typer.Option("--name", help="Benutzername")],
           role: RoleOpt = "admin", tenant: TenantOpt = None) -> None:
    """Das erste Admin-Konto (oder ein weiteres Konto) anlegen; fragt das Passwort zweimal.

    Ohne Terminal wird das Passwort aus KEKIZ_ADMIN_PASSWORD gelesen. Es gibt keine
    Standardpasswörter.

    Beispiel: kekiz --store sqlite:///kekiz.db admin create --name admin
    """
    _add(name, role, tenant)


@user_app.command("add")
def user_add(name: Annotated[str, typer.Argument(help="Benutzername")],
             role: RoleOpt = "viewer", tenant: TenantOpt = None) -> None:
    """Ein Konto anlegen (Passwort wie bei 'admin create').

    Beispiel: kekiz admin user add koeln-lesen --role viewer --tenant 05315000
    """
    _add(name, role, tenant)


@user_app.command("list")
def user_list() -> None:
    """Alle Konten mit Rolle, Kommune und Status.

    Beispiel: kekiz admin user list
    """
    table = Table(t("Name", "Name"), t("Rolle", "Role"), t("Kommune", "Municipality"),
                  t("aktiv", "active"), t("angelegt", "created"))
    for a in kekiz().admin.accounts():
        table.add_row(escape(a.name), a.role.value, a.tenant or "",
                      t("ja", "yes") if a.active else t("nein", "no"),
                      a.created.isoformat(timespec="seconds") if a.created else "")
    out.print(table)


@user_app.command("set")
def user_set(name: Annotated[str, typer.Argument(help="Benutzername")],
             role: Annotated[str | None, typer.Option("--role", help="neue Rolle")] = None,
             tenant: TenantOpt = None,
             active: Annotated[bool | None, typer.Option(
                 "--active/--disabled", help="Konto aktivieren oder sperren")] = None,
             password: Annotated[bool, typer.Option(
                 "--password", help="neues Passwort abfragen")] = False) -> None:
    """Rolle, Kommune, Sperre oder Passwort eines Kontos ändern (Sperren beendet dessen
    Sitzungen).

    Beispiel: kekiz admin user set koeln-lesen --disabled
    """
    account = kekiz().admin.update_user(name, role=role, tenant=tenant, active=active,
                               password=_password() if password else None)
    out.print(t(f"Benutzer '{escape(account.name)}' geändert.",
                        f"User '{escape(account.name)}' changed."))


@token_app.command("create")
def token_create(user: Annotated[str, typer.Option("--user", help="Benutzername")],
                 label: Annotated[str, typer.Option("--label", help="Bezeichnung")] = "",
                 days: Annotated[int, typer.Option("--days", min=0, max=3650,
                                                   help="Tage gültig; 0: unbegrenzt")] = 365
                 ) -> None:
    """Ein API-Token erzeugen; es wird nur jetzt angezeigt (gespeichert ist ein Hash).

    Verwendung: Kopfzeile 'Authorization: Bearer <Token>'.

    Beispiel: kekiz admin token create --user koeln-lesen --label QGIS --days 90
    """
    token = kekiz().admin.create_token(user, label, days or None)
    typer.echo(token)


@token_app.command("list")
def token_list(user: Annotated[str | None, typer.Option("--user", help="Benutzername")] = None
               ) -> None:
    """API-Tokens (Nummer, Benutzer, Bezeichnung, Gültigkeit, letzte Nutzung).

    Beispiel: kekiz admin token list --user koeln-lesen
    """
    frame = kekiz().admin.api_tokens(user)
    table = Table("Nr.", t("Benutzer", "User"), t("Bezeichnung", "Label"),
                  t("erstellt", "created"), t("gültig bis", "expires"),
                  t("zuletzt benutzt", "last used"))
    for r in _rows(frame):
        table.add_row(*(escape("" if v is None or v != v else str(v)) for v in r.values()))
    out.print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Nummer aus 'token list'")]
                 ) -> None:
    """Ein API-Token widerrufen.

    Beispiel: kekiz admin token revoke 3
    """
    kekiz().admin.revoke_token(token_id)
    out.print(t(f"Token {token_id} widerrufen.", f"Token {token_id} revoked."))


@admin_app.command("grant")
def grant(grantor: Annotated[str, typer.Argument(help="freigebende Einheit")],
          grantee: Annotated[str, typer.Argument(help="empfangende Einheit")],
          revoke: Annotated[bool, typer.Option("--revoke", help="Freigabe entziehen")] = False
          ) -> None:
    """Einer Kommune Lesezugriff auf die Daten einer anderen geben (oder entziehen): ein
    Kreis gibt seinen Städten frei und umgekehrt.

    Beispiel: kekiz admin grant 05382 05382068
    """
    admin = kekiz().admin
    changed = admin.revoke_grant(grantor, grantee) if revoke else admin.grant(grantor, grantee)
    if revoke:
        msg = t(f"Freigabe {grantor} → {grantee} entzogen.",
                 f"Grant {grantor} → {grantee} revoked.") if changed else \
            t("Diese Freigabe gab es nicht.", "There was no such grant.")
    else:
        msg = t(f"Freigabe {grantor} → {grantee} angelegt.",
                 f"Grant {grantor} → {grantee} added.") if changed else \
            t("Diese Freigabe gab es schon.", "The grant existed already.")
    out.print(msg)


@admin_app.command("grants")
def grants() -> None:
    """Alle Freigaben.

    Beispiel: kekiz admin grants
    """
    table = Table(t("gibt frei", "grants"), t("erhält", "receives"), t("am", "on"),
                  t("von", "by"))
    for r in _rows(kekiz().admin.access_grants()):
        table.add_row(str(r["grantor_id"]), str(r["grantee_id"]), str(r["created"]),
                      escape(str(r["created_by"])))
    out.print(table)


@admin_app.command("audit")
def audit(limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 50,
          actor: Annotated[str | None, typer.Option("--actor", help="nur diese Person")] = None,
          action: Annotated[str | None, typer.Option(
              "--action", help="nur Aktionen, die so beginnen (z. B. import, user, login)")
          ] = None,
          as_json: Annotated[bool, typer.Option("--json", help="als JSON-Zeilen")] = False
          ) -> None:
    """Das Protokoll aller Änderungen: wer, wann, was, vorher und nachher (neueste zuerst).

    Beispiel: kekiz admin audit --action import --limit 20
    """
    frame = kekiz().admin.audit_log(limit=limit, actor=actor, action=action)
    if as_json:
        for r in _rows(frame):
            typer.echo(json.dumps({
                "id": int(r["id"]), "at": r["at"].isoformat(), "actor": r["actor"],
                "action": r["action"], "object": r["object"],
                "before": json.loads(r["before"]) if r["before"] else None,
                "after": json.loads(r["after"]) if r["after"] else None}, ensure_ascii=False))
        return
    table = Table("Nr.", t("Zeit", "Time"), t("Wer", "Who"), t("Aktion", "Action"),
                  t("Objekt", "Object"), t("vorher", "before"), t("nachher", "after"))
    for r in _rows(frame):
        table.add_row(str(r["id"]), r["at"].isoformat(timespec="seconds"),
                      escape(str(r["actor"])), str(r["action"]), escape(str(r["object"])),
                      escape(str(r["before"] or "")), escape(str(r["after"] or "")))
    out.print(table)
