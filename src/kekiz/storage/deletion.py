"""Deletion in SQL: the plan of what a deletion removes, and its application.

:func:`plan` reads (inside a read or the caller's transaction) the rows of a dataset, an
indicator, a unit (with the units below it) or a period, then the values derived from
them: the upward aggregates of the same indicator and period on the units above, and
every derived dataset (rates, classes, indices, roll-ups ...) whose inputs include an
affected indicator in an affected period, repeated until nothing new is found.
:func:`apply` removes exactly the planned rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kekiz.domain.deletion import DeletionPlan
from kekiz.domain.errors import KekizError, NotFound
from kekiz.storage.db import Conn

__all__ = ["apply", "plan"]

#: dataset kinds whose rows a deletion knows how to remove
_DATASET_KINDS = ("indicators", "derived", "boundaries", "members", "funding")
#: tables whose rows reference a unit: (table, column, German and English description)
_UNIT_REFERENCES = (
    ("members", "unit_id", "Mitgliedschaften im Landesnetzwerk", "network memberships"),
    ("funding", "unit_id", "Förderbuchungen", "funding entries"),
    ("users", "tenant_id", "Benutzerkonten der Kommune", "user accounts of the municipality"),
    ("access_grants", "grantor_id", "Freigaben", "access grants"),
    ("access_grants", "grantee_id", "Freigaben", "access grants"),
    ("leitbilder", "unit_id", "Leitbilder", "Leitbilder"),
    ("leitbild_targets", "unit_id", "Zielwerte eines Leitbilds", "Leitbild targets"),
    ("coop_actors", "unit_id", "Akteure des Kooperationsnetzwerks", "cooperation actors"),
    ("locations", "unit_id", "Angebotsorte", "service locations"),
)


def plan(conn: Conn, kind: str, target: str, indicator: str | None = None) -> DeletionPlan:
    """What deleting ``target`` (of ``kind``) removes."""
    p = DeletionPlan(kind, target)
    if kind == "dataset":
        base = _dataset_rows(conn, p)
    elif kind == "indicator":
        _exists(conn, "indicators", target, "Indikator", "indicator")
        p.indicators = [target]
        base = _obs(conn, "o.indicator_id = ?", [target])
        p.goals = _goals(conn, "t.indicator_id = ?", [target])
    elif kind == "unit":
        _exists(conn, "units", target, "Gebiet", "unit")
        p.units = _with_descendants(conn, [target])
        base = _unit_rows(conn, p)
    elif kind == "period":
        where, params = "o.period = ?", [target]
        if indicator is not None:
            _exists(conn, "indicators", indicator, "Indikator", "indicator")
            where, params = where + " AND o.indicator_id = ?", [target, indicator]
        base = _obs(conn, where, params)
        if not base:
            raise NotFound(f"Keine Werte im Zeitraum '{target}'"
                           + (f" für '{indicator}'." if indicator else "."),
                           message_en=f"No values in period '{target}'"
                           + (f" of '{indicator}'." if indicator else "."))
        inds = sorted({r[1] for r in base})
        if target.isdigit():
            cond, ps = conn.dialect.any_of("t.indicator_id", inds)
            p.goals = _goals(conn, f"t.baseline_year = ? AND {cond}", [int(target), *ps])
    else:
        raise KekizError(f"Unbekannte Art '{kind}'. Möglich: dataset, indicator, unit, period.",
                         message_en=f"Unknown kind '{kind}'. Possible: dataset, indicator, "
                         "unit, period.")
    p.observations = sorted({r[0] for r in base})
    _dependents(conn, p, base)
    return p


def apply(conn: Conn, p: DeletionPlan) -> int:
    """Remove the planned rows; the number of rows removed."""
    d, removed = conn.dialect, 0

    def delete(table: str, column: str, values: Iterable[Any]) -> None:
        nonlocal removed
        values = list(values)
        if values:
            cond, params = d.any_of(column, values)
            removed += conn.run(f"DELETE FROM {table} WHERE {cond}", params)

    delete("observations", "id", [*p.observations, *p.derived])
    delete("members", "dataset_id", p.datasets)
    delete("funding", "dataset_id", p.datasets)
    delete("unit_keys", "unit_id", p.units)
    delete("units", "id", p.units)
    delete("indicators", "id", p.indicators)
    delete("datasets", "id", p.datasets)
    return removed


# -- the rows of each kind -----------------------------------------------------------------
def _exists(conn: Conn, table: str, ident: str, what_de: str, what_en: str) -> None:
    if conn.scalar(f"SELECT COUNT(*) FROM {table} WHERE id = ?", (ident,)) == 0:
        raise NotFound(f"{what_de} '{ident}' gibt es nicht.",
                       message_en=f"There is no {what_en} '{ident}'.")


def _obs(conn: Conn, where: str, params: list[Any]) -> list[tuple[int, str, str, str]]:
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in conn.all(
        f"SELECT o.id, o.indicator_id, o.unit_id, o.period FROM observations o WHERE {where}",
        params)]


def _goals(conn: Conn, where: str, params: list[Any]) -> list[str]:
    return [f"{r[0]}/{r[1]}: {r[2]} {r[3] or ''}".strip() for r in conn.all(
        "SELECT t.leitbild_id, t.goal_id, t.indicator_id, t.unit_id FROM leitbild_targets t "
        f"WHERE {where} ORDER BY 1, 2", params)]


def _dataset_rows(conn: Conn, p: DeletionPlan) -> list[tuple[int, str, str, str]]:
    target = p.target
    rows = conn.all("SELECT id, kind FROM datasets WHERE id = ?", (int(target),)) \
        if target.isdigit() else conn.all("SELECT id, kind FROM datasets WHERE name = ?",
                                          (target,))
    if not rows:
        raise NotFound(f"Datensatz '{target}' gibt es nicht. 'kekiz datasets' bzw. "
                       "'kekiz show' nennt die vorhandenen.",
                       message_en=f"There is no dataset '{target}'.")
    kinds = {str(r[1]) for r in rows} - set(_DATASET_KINDS)
    if kinds:
        raise KekizError(
            f"Datensätze der Art {', '.join(sorted(kinds))} löscht 'kekiz delete' nicht. "
            "Abhilfe: mit dem Befehl des Bereichs ersetzen (z. B. eine leere Datei importieren "
            "oder 'kekiz goals'/'kekiz chain').",
            message_en=f"'kekiz delete' does not delete datasets of kind "
            f"{', '.join(sorted(kinds))}. Fix: replace them with the command of their area.")
    p.datasets = sorted(int(r[0]) for r in rows)
    cond, params = conn.dialect.any_of("dataset_id", p.datasets)
    p.members = int(conn.scalar(f"SELECT COUNT(*) FROM members WHERE {cond}", params))
    p.funding = int(conn.scalar(f"SELECT COUNT(*) FROM funding WHERE {cond}", params))
    units = [str(r[0]) for r in conn.all(f"SELECT id FROM units WHERE {cond}", params)]
    base = _obs(conn, "o." + cond, params)
    if units:
        p.units = _with_descendants(conn, units)
        base += _unit_rows(conn, p)
    inds = sorted({r[1] for r in base})
    if inds:
        c2, p2 = conn.dialect.any_of("t.indicator_id", inds)
        p.goals = _goals(conn, c2, p2)
    return base


def _with_descendants(conn: Conn, roots: list[str]) -> list[str]:
    children: dict[str, list[str]] = {}
    for unit_id, parent in conn.all("SELECT id, parent_id FROM units WHERE parent_id IS NOT "
                                    "NULL"):
        children.setdefault(str(parent), []).append(str(unit_id))
    out, todo = set(roots), list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return sorted(out)


def _unit_rows(conn: Conn, p: DeletionPlan) -> list[tuple[int, str, str, str]]:
    d = conn.dialect
    for table, column, de, en in _UNIT_REFERENCES:
        cond, params = d.any_of(column, p.units)
        n = int(conn.scalar(f"SELECT COUNT(*) FROM {table} WHERE {cond}", params))
        if n:
            p.blockers.append(f"{n} {de} / {en} ({table}.{column})")
    cond, params = d.any_of("o.unit_id", p.units)
    return _obs(conn, cond, params)


# -- derived values ------------------------------------------------------------------------
def _dependents(conn: Conn, p: DeletionPlan, base: list[tuple[int, str, str, str]]) -> None:
    """Aggregates above the affected units, and derived datasets of affected inputs."""
    taken = set(p.observations)
    pairs = {(ind, period) for _, ind, _, period in base}
    ancestors = _ancestors(conn, {unit for _, _, unit, _ in base})
    derived: set[int] = set()
    if pairs:
        cond, params = conn.dialect.any_of("o.indicator_id", sorted({i for i, _ in pairs}))
        for oid, ind, unit, period in _obs(conn, f"o.method = 'aggregate_up' AND {cond}",
                                           params):
            if (ind, period) in pairs and unit in ancestors and oid not in taken:
                derived.add(oid)
    datasets = [(int(r[0]), json.loads(r[1] or "{}")) for r in conn.all(
        "SELECT id, details FROM datasets WHERE kind = 'derived' ORDER BY id")]
    found = set(p.datasets)
    changed = True
    while changed:
        changed = False
        for ds_id, details in datasets:
            if ds_id in found or details.get("method") == "aggregate_up":
                continue
            inputs = {str(i.get("indicator")) for i in details.get("inputs", [])
                      if isinstance(i, dict)}
            period = details.get("period")
            if any(ind in inputs and (period in (None, "") or str(period) == per)
                   for ind, per in pairs):
                found.add(ds_id)
                changed = True
                rows = _obs(conn, "o.dataset_id = ?", [ds_id])
                derived.update(r[0] for r in rows if r[0] not in taken)
                pairs |= {(ind, per) for _, ind, _, per in rows}
    p.derived = sorted(derived)
    p.datasets = sorted(found)


def _ancestors(conn: Conn, units: set[str]) -> set[str]:
    parent = {str(i): p for i, p in conn.all("SELECT id, parent_id FROM units")}
    out: set[str] = set()
    for unit in units:
        up = parent.get(unit)
        while up is not None and up not in out:
            out.add(up)
            up = parent.get(up)
    return out
