"""The cooperation network and the Leitbild in the store (issue #6), in plain SQL.

Reached through ``store.cooperation_waves()`` / ``store.cooperation_wave(n)`` /
``store.leitbild_ids()`` / ``store.leitbild(id)`` and ``tx.replace_wave()`` /
``tx.replace_leitbild()`` / ``tx.delete_leitbild()``.  A wave and a Leitbild are each
replaced as a whole.  The tables are described in
:mod:`kekiz.storage.schema_cooperation` (created by migration ``0004``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from kekiz.domain.cooperation import Direction as TieDirection
from kekiz.domain.cooperation import Network, Partner, Tie, TieType
from kekiz.domain.errors import NotFound
from kekiz.domain.goals import (
    DeclaredIndicator,
    Direction,
    Goal,
    Leitbild,
    Measure,
    MeasureKind,
    Programme,
    Target,
)
from kekiz.storage.db import Conn

__all__ = ["delete_leitbild", "leitbild", "leitbild_ids", "replace_leitbild", "replace_wave",
           "wave", "waves"]


# -- cooperation network ------------------------------------------------------------------
def replace_wave(conn: Conn, net: Network, *, label: str, first_date: date | None,
                 last_date: date | None, synthetic: bool, dataset_id: int | None) -> None:
    """Store a survey wave, replacing an earlier import of the same wave."""
    d = conn.dialect
    for table in ("coop_ties", "coop_actors", "coop_waves"):
        conn.run(f"DELETE FROM {table} WHERE wave = ?", (net.wave,))
    conn.run("INSERT INTO coop_waves (wave, label, first_date, last_date, synthetic, "
             "dataset_id) VALUES (?, ?, ?, ?, ?, ?)",
             (net.wave, label or net.label, d.date_in(first_date), d.date_in(last_date),
              bool(synthetic), dataset_id))
    conn.many("INSERT INTO coop_actors (wave, id, name, sector, life_phases, unit_id, "
              "respondent) VALUES (?, ?, ?, ?, ?, ?, ?)",
              [(net.wave, p.id, p.name, p.sector, ",".join(p.life_phases), p.unit_id,
                bool(p.respondent)) for p in net.partners.values()])
    conn.many("INSERT INTO coop_ties (wave, source_id, target_id, types, direction, "
              "intensity, trust, value, surveyed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              [(net.wave, t.source, t.target, ",".join(x.value for x in t.types),
                t.direction.value, t.intensity, t.trust, t.value, d.date_in(t.surveyed_on))
               for t in net.ties])


def waves(conn: Conn) -> list[dict[str, Any]]:
    """The stored waves with their label, dates, synthetic flag and counts."""
    d = conn.dialect
    rows = conn.all(
        "SELECT w.wave, w.label, w.first_date, w.last_date, w.synthetic, w.dataset_id, "
        "(SELECT COUNT(*) FROM coop_actors a WHERE a.wave = w.wave), "
        "(SELECT COUNT(*) FROM coop_ties t WHERE t.wave = w.wave) "
        "FROM coop_waves w ORDER BY w.wave")
    return [{"wave": r[0], "label": r[1], "first_date": d.date_out(r[2]),
             "last_date": d.date_out(r[3]), "synthetic": bool(r[4]), "dataset_id": r[5],
             "actors": int(r[6]), "reports": int(r[7])} for r in rows]


def wave(conn: Conn, number: int) -> Network:
    """One stored wave; :class:`NotFound` naming the waves there are."""
    head = conn.one("SELECT label FROM coop_waves WHERE wave = ?", (number,))
    if head is None:
        known = ", ".join(str(r[0]) for r in conn.all("SELECT wave FROM coop_waves "
                                                      "ORDER BY wave"))
        raise NotFound(
            f"Welle {number} des Kooperationsnetzwerks ist nicht im Store. Vorhanden: "
            f"{known or 'keine'}. Abhilfe: 'kekiz coop import DATEI --wave {number}'.",
            message_en=f"Wave {number} of the cooperation network is not in the store. "
            f"Present: {known or 'none'}. Fix: 'kekiz coop import FILE --wave {number}'.")
    actors = conn.all("SELECT id, name, sector, life_phases, unit_id, respondent "
                      "FROM coop_actors WHERE wave = ? ORDER BY id", (number,))
    ties = conn.all("SELECT source_id, target_id, types, direction, intensity, trust, value, "
                    "surveyed_on FROM coop_ties WHERE wave = ? ORDER BY source_id, target_id",
                    (number,))
    partners = {a[0]: Partner(a[0], a[1], a[2], tuple(x for x in a[3].split(",") if x), a[4],
                              bool(a[5])) for a in actors}
    tie_list = [Tie(t[0], t[1], tuple(TieType(x) for x in t[2].split(",") if x),
                    TieDirection(t[3]), t[4], t[5], t[6], conn.dialect.date_out(t[7]))
                for t in ties]
    return Network(number, partners, tie_list, label=head[0])


# -- Leitbild -----------------------------------------------------------------------------
def delete_leitbild(conn: Conn, leitbild_id: str) -> None:
    for table in ("leitbild_programmes", "leitbild_targets", "leitbild_goals",
                  "leitbild_indicators"):
        conn.run(f"DELETE FROM {table} WHERE leitbild_id = ?", (leitbild_id,))
    conn.run("DELETE FROM leitbilder WHERE id = ?", (leitbild_id,))


def replace_leitbild(conn: Conn, lb: Leitbild, dataset_id: int | None) -> None:
    """Store a Leitbild, replacing an earlier import with the same id."""
    delete_leitbild(conn, lb.id)
    conn.run("INSERT INTO leitbilder (id, name, unit_id, baseline_year, forecast_window, "
             "synthetic, note, dataset_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             (lb.id, lb.name, lb.unit_id, lb.baseline_year, lb.forecast_window,
              bool(lb.synthetic), lb.note, dataset_id))
    conn.many("INSERT INTO leitbild_indicators (leitbild_id, id, name_de, name_en, unit, "
              "polarity, decimals, note_de, note_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              [(lb.id, d.id, d.name_de, d.name_en, d.unit, d.polarity, d.decimals,
                d.note_de, d.note_en) for d in lb.indicators])
    conn.many('INSERT INTO leitbild_goals (leitbild_id, id, "position", result_de, '
              "result_en, life_phase, sector) VALUES (?, ?, ?, ?, ?, ?, ?)",
              [(lb.id, g.id, pos, g.result_de, g.result_en, g.life_phase, g.sector)
               for pos, g in enumerate(lb.goals)])
    conn.many('INSERT INTO leitbild_targets (leitbild_id, goal_id, "position", indicator_id, '
              "unit_id, level, baseline_year, baseline_value, target_value, target_year, "
              "direction, tolerance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              [(lb.id, g.id, i, t.indicator_id, t.unit_id, t.level, t.baseline_year,
                t.baseline_value, t.target_value, t.target_year, t.direction.value,
                t.tolerance) for g in lb.goals for i, t in enumerate(g.targets)])
    conn.many('INSERT INTO leitbild_programmes (leitbild_id, goal_id, id, "position", '
              "name_de, name_en, lead, synthetic, measures) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              [(lb.id, g.id, p.id, i, p.name_de, p.name_en, p.lead, bool(p.synthetic),
                json.dumps([_measure_json(m) for m in p.measures], ensure_ascii=False,
                           sort_keys=True))
               for g in lb.goals for i, p in enumerate(g.programmes)])


def _measure_json(m: Measure) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind.value, "name_de": m.name_de, "name_en": m.name_en,
            "unit": m.unit, "values": {str(y): v for y, v in sorted(m.values.items())},
            "target": m.target, "synthetic": m.synthetic}


def _measure(d: dict[str, Any]) -> Measure:
    return Measure(d["id"], MeasureKind(d["kind"]), d["name_de"], d.get("name_en", ""),
                   d.get("unit", ""), {int(y): float(v) for y, v in d["values"].items()},
                   d.get("target"), bool(d.get("synthetic", False)))


def leitbild_ids(conn: Conn) -> list[tuple[str, str, str]]:
    """(id, name, unit id) of every stored Leitbild."""
    return [(str(r[0]), str(r[1]), str(r[2]))
            for r in conn.all("SELECT id, name, unit_id FROM leitbilder ORDER BY id")]


def leitbild(conn: Conn, leitbild_id: str) -> Leitbild:
    head = conn.one("SELECT id, name, unit_id, baseline_year, forecast_window, synthetic, "
                    "note, dataset_id FROM leitbilder WHERE id = ?", (leitbild_id,))
    if head is None:
        raise NotFound(f"Leitbild '{leitbild_id}' ist nicht im Store. Abhilfe: 'kekiz "
                       "goals import DATEI'.",
                       message_en=f"Leitbild '{leitbild_id}' is not in the store. Fix: "
                       "'kekiz goals import FILE'.")
    key = (leitbild_id,)
    inds = conn.all("SELECT id, name_de, name_en, unit, polarity, decimals, note_de, note_en "
                    "FROM leitbild_indicators WHERE leitbild_id = ? ORDER BY id", key)
    goals = conn.all('SELECT id, result_de, result_en, life_phase, sector, "position" '
                     'FROM leitbild_goals WHERE leitbild_id = ? ORDER BY "position"', key)
    targets = conn.all(
        'SELECT goal_id, indicator_id, target_value, target_year, direction, unit_id, level, '
        'baseline_year, baseline_value, tolerance, "position" FROM leitbild_targets '
        'WHERE leitbild_id = ? ORDER BY goal_id, "position"', key)
    progs = conn.all(
        'SELECT goal_id, id, name_de, name_en, lead, measures, synthetic, "position" '
        'FROM leitbild_programmes WHERE leitbild_id = ? ORDER BY goal_id, "position"', key)
    lb = Leitbild(id=head[0], name=head[1], unit_id=head[2], baseline_year=head[3],
                  forecast_window=head[4], synthetic=bool(head[5]), note=head[6],
                  dataset_id=head[7], indicators=[DeclaredIndicator(*i) for i in inds])
    by_id: dict[str, Goal] = {}
    for gid, res_de, res_en, phase, sector, pos in goals:
        goal = Goal(gid, res_de, res_en, life_phase=phase, sector=sector, position=pos)
        by_id[gid] = goal
        lb.goals.append(goal)
    for t in targets:
        by_id[t[0]].targets.append(Target(
            t[1], float(t[2]), int(t[3]), Direction(t[4]), unit_id=t[5], level=t[6],
            baseline_year=t[7], baseline_value=t[8], tolerance=t[9], position=t[10]))
    for p in progs:
        by_id[p[0]].programmes.append(Programme(
            p[1], p[2], p[3], p[4], [_measure(m) for m in json.loads(p[5])], bool(p[6]),
            p[7]))
    return lb
