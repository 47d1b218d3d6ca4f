"""Reading and writing the cooperation network and the Leitbild (issue #6).

Writes take the :class:`~kekiz.storage.store.Writer` of an open transaction, reads take
the :class:`~kekiz.storage.store.Store`; a wave and a Leitbild are each replaced as a
whole.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

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
from kekiz.storage import schema_cooperation as c
from kekiz.storage.store import Store, Writer

__all__ = ["delete_leitbild", "leitbild", "leitbild_ids", "load_wave", "replace_leitbild",
           "replace_wave", "waves"]


# -- cooperation network ------------------------------------------------------------------
def replace_wave(tx: Writer, net: Network, *, label: str = "", first_date: date | None = None,
                 last_date: date | None = None, synthetic: bool = False,
                 dataset_id: int | None = None) -> None:
    """Store a survey wave, replacing an earlier import of the same wave."""
    conn = tx.conn
    conn.execute(delete(c.coop_ties).where(c.coop_ties.c.wave == net.wave))
    conn.execute(delete(c.coop_actors).where(c.coop_actors.c.wave == net.wave))
    conn.execute(delete(c.coop_waves).where(c.coop_waves.c.wave == net.wave))
    conn.execute(c.coop_waves.insert().values(wave=net.wave, label=label or net.label,
                                              first_date=first_date, last_date=last_date,
                                              synthetic=synthetic, dataset_id=dataset_id))
    actors = [dict(wave=net.wave, id=p.id, name=p.name, sector=p.sector,
                   life_phases=",".join(p.life_phases), unit_id=p.unit_id,
                   respondent=p.respondent) for p in net.partners.values()]
    if actors:
        conn.execute(c.coop_actors.insert(), actors)
    ties = [dict(wave=net.wave, source_id=t.source, target_id=t.target,
                 types=",".join(x.value for x in t.types), direction=t.direction.value,
                 intensity=t.intensity, trust=t.trust, value=t.value,
                 surveyed_on=t.surveyed_on) for t in net.ties]
    if ties:
        conn.execute(c.coop_ties.insert(), ties)


def waves(store: Store) -> list[dict[str, Any]]:
    """The stored waves with their label, dates, synthetic flag and counts."""
    with store._connect() as conn:
        rows = conn.execute(select(c.coop_waves).order_by(c.coop_waves.c.wave)).all()
        out = []
        for r in rows:
            n_actors = conn.execute(select(func.count()).select_from(c.coop_actors).where(
                c.coop_actors.c.wave == r.wave)).scalar_one()
            n_ties = conn.execute(select(func.count()).select_from(c.coop_ties).where(
                c.coop_ties.c.wave == r.wave)).scalar_one()
            out.append({"wave": r.wave, "label": r.label, "first_date": r.first_date,
                        "last_date": r.last_date, "synthetic": bool(r.synthetic),
                        "dataset_id": r.dataset_id, "actors": int(n_actors),
                        "reports": int(n_ties)})
    return out


def load_wave(store: Store, wave: int) -> Network:
    with store._connect() as conn:
        head = conn.execute(select(c.coop_waves).where(c.coop_waves.c.wave == wave)).first()
        if head is None:
            known = [r.wave for r in conn.execute(select(c.coop_waves.c.wave))]
            raise NotFound(
                f"Welle {wave} des Kooperationsnetzwerks ist nicht im Store. Vorhanden: "
                f"{', '.join(map(str, known)) or 'keine'}. Abhilfe: 'kekiz coop import DATEI "
                f"--wave {wave}'.",
                message_en=f"Wave {wave} of the cooperation network is not in the store. "
                f"Present: {', '.join(map(str, known)) or 'none'}. Fix: 'kekiz coop import "
                f"FILE --wave {wave}'.")
        actors = conn.execute(select(c.coop_actors).where(c.coop_actors.c.wave == wave)
                              .order_by(c.coop_actors.c.id)).all()
        ties = conn.execute(select(c.coop_ties).where(c.coop_ties.c.wave == wave)
                            .order_by(c.coop_ties.c.source_id, c.coop_ties.c.target_id)).all()
    partners = {a.id: Partner(a.id, a.name, a.sector,
                              tuple(x for x in a.life_phases.split(",") if x), a.unit_id,
                              bool(a.respondent)) for a in actors}
    tie_list = [Tie(t.source_id, t.target_id,
                    tuple(TieType(x) for x in t.types.split(",") if x),
                    TieDirection(t.direction), t.intensity, t.trust, t.value, t.surveyed_on)
                for t in ties]
    return Network(wave, partners, tie_list, label=head.label)


# -- Leitbild -----------------------------------------------------------------------------
def delete_leitbild(tx: Writer, leitbild_id: str) -> None:
    conn = tx.conn
    for table in (c.leitbild_programmes, c.leitbild_targets):
        conn.execute(delete(table).where(table.c.leitbild_id == leitbild_id))
    for table in (c.leitbild_goals, c.leitbild_indicators):
        conn.execute(delete(table).where(table.c.leitbild_id == leitbild_id))
    conn.execute(delete(c.leitbilder).where(c.leitbilder.c.id == leitbild_id))


def replace_leitbild(tx: Writer, lb: Leitbild, dataset_id: int | None = None) -> None:
    """Store a Leitbild, replacing an earlier import with the same id."""
    delete_leitbild(tx, lb.id)
    conn = tx.conn
    conn.execute(c.leitbilder.insert().values(
        id=lb.id, name=lb.name, unit_id=lb.unit_id, baseline_year=lb.baseline_year,
        forecast_window=lb.forecast_window, synthetic=lb.synthetic, note=lb.note,
        dataset_id=dataset_id))
    inds = [dict(leitbild_id=lb.id, id=d.id, name_de=d.name_de, name_en=d.name_en,
                 unit=d.unit, polarity=d.polarity, decimals=d.decimals, note_de=d.note_de,
                 note_en=d.note_en) for d in lb.indicators]
    if inds:
        conn.execute(c.leitbild_indicators.insert(), inds)
    for pos, g in enumerate(lb.goals):
        conn.execute(c.leitbild_goals.insert().values(
            leitbild_id=lb.id, id=g.id, position=pos, result_de=g.result_de,
            result_en=g.result_en, life_phase=g.life_phase, sector=g.sector))
        targets = [dict(leitbild_id=lb.id, goal_id=g.id, position=i,
                        indicator_id=t.indicator_id, unit_id=t.unit_id, level=t.level,
                        baseline_year=t.baseline_year, baseline_value=t.baseline_value,
                        target_value=t.target_value, target_year=t.target_year,
                        direction=t.direction.value, tolerance=t.tolerance)
                   for i, t in enumerate(g.targets)]
        if targets:
            conn.execute(c.leitbild_targets.insert(), targets)
        progs = [dict(leitbild_id=lb.id, goal_id=g.id, id=p.id, position=i,
                      name_de=p.name_de, name_en=p.name_en, lead=p.lead,
                      synthetic=p.synthetic,
                      measures=json.dumps([_measure_json(m) for m in p.measures],
                                          ensure_ascii=False, sort_keys=True))
                 for i, p in enumerate(g.programmes)]
        if progs:
            conn.execute(c.leitbild_programmes.insert(), progs)


def _measure_json(m: Measure) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind.value, "name_de": m.name_de, "name_en": m.name_en,
            "unit": m.unit, "values": {str(y): v for y, v in sorted(m.values.items())},
            "target": m.target, "synthetic": m.synthetic}


def _measure(d: dict[str, Any]) -> Measure:
    return Measure(d["id"], MeasureKind(d["kind"]), d["name_de"], d.get("name_en", ""),
                   d.get("unit", ""), {int(y): float(v) for y, v in d["values"].items()},
                   d.get("target"), bool(d.get("synthetic", False)))


def leitbild_ids(store: Store) -> list[tuple[str, str, str]]:
    """(id, name, unit id) of every stored Leitbild."""
    with store._connect() as conn:
        rows = conn.execute(select(c.leitbilder.c.id, c.leitbilder.c.name,
                                   c.leitbilder.c.unit_id).order_by(c.leitbilder.c.id)).all()
    return [(r.id, r.name, r.unit_id) for r in rows]


def leitbild(store: Store, leitbild_id: str) -> Leitbild:
    lb_t, g_t, t_t, p_t = c.leitbilder, c.leitbild_goals, c.leitbild_targets, \
        c.leitbild_programmes
    with store._connect() as conn:
        head = conn.execute(select(lb_t).where(lb_t.c.id == leitbild_id)).first()
        if head is None:
            raise NotFound(f"Leitbild '{leitbild_id}' ist nicht im Store. Abhilfe: 'kekiz "
                           "goals import DATEI'.",
                           message_en=f"Leitbild '{leitbild_id}' is not in the store. Fix: "
                           "'kekiz goals import FILE'.")
        inds = conn.execute(select(c.leitbild_indicators).where(
            c.leitbild_indicators.c.leitbild_id == leitbild_id)
            .order_by(c.leitbild_indicators.c.id)).all()
        goals = conn.execute(select(g_t).where(g_t.c.leitbild_id == leitbild_id)
                             .order_by(g_t.c.position)).all()
        targets = conn.execute(select(t_t).where(t_t.c.leitbild_id == leitbild_id)
                               .order_by(t_t.c.goal_id, t_t.c.position)).all()
        progs = conn.execute(select(p_t).where(p_t.c.leitbild_id == leitbild_id)
                             .order_by(p_t.c.goal_id, p_t.c.position)).all()
    lb = Leitbild(id=head.id, name=head.name, unit_id=head.unit_id,
                  baseline_year=head.baseline_year, forecast_window=head.forecast_window,
                  synthetic=bool(head.synthetic), note=head.note, dataset_id=head.dataset_id,
                  indicators=[DeclaredIndicator(i.id, i.name_de, i.name_en, i.unit, i.polarity,
                                                i.decimals, i.note_de, i.note_en)
                              for i in inds])
    by_id: dict[str, Goal] = {}
    for g in goals:
        goal = Goal(g.id, g.result_de, g.result_en, life_phase=g.life_phase, sector=g.sector,
                    position=g.position)
        by_id[g.id] = goal
        lb.goals.append(goal)
    for t in targets:
        by_id[t.goal_id].targets.append(Target(
            t.indicator_id, float(t.target_value), int(t.target_year), Direction(t.direction),
            unit_id=t.unit_id, level=t.level, baseline_year=t.baseline_year,
            baseline_value=t.baseline_value, tolerance=t.tolerance, position=t.position))
    for p in progs:
        by_id[p.goal_id].programmes.append(Programme(
            p.id, p.name_de, p.name_en, p.lead,
            [_measure(m) for m in json.loads(p.measures)], bool(p.synthetic), p.position))
    return lb
