"""The prevention-chain page: matrix, coverage map and need against supply.

One municipality (all units of the level the offers are assigned to, e.g. Köln's
Stadtteile) or one of its units.  Every table passes :func:`publish`; counts of children
that are withheld make the analyses that use them unpublished (a note says why).
"""


from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd

from kekiz.domain.directory import Transition, sector_label
from kekiz.domain.model import LifePhase
from kekiz.i18n import Translator, fmt_number
from kekiz.prevention.chain import TOTAL
from kekiz.reporting.svg import Area, choropleth
from kekiz.services.pages import PageService
from kekiz.services.views.common import (
    cached,
    credits,
    each_row,
    quantile_classes,
    scatter,
    unit_href,
    withheld_units,
)

PHASE_KIND = {"0-3": "kita", "3-6": "kita", "6-10": "schule"}


MEASURES = ("offers_per_1000", "accessibility")


NEED_COUNTS = ("einwohner_u3", "einwohner_3_6", "einwohner")


QUADRANT_FILL = {"gap": "#d7301f", "served": "#2b8cbe", "low": "#bdbdbd",
                 "surplus": "#74c476", "unknown": "#ffffff"}


def _matrix_rows(m: Any, synth: Any, uid: str, dimension: str, lang: str
                 ) -> list[dict[str, Any]]:
    wide = m.matrix(uid, dimension=dimension)
    syn = synth.matrix(uid, dimension=dimension)
    rows = []
    for key in wide.index:
        label = LifePhase(key).label_en if dimension == "life_phase" and lang == "en" else \
            LifePhase(key).label_de if dimension == "life_phase" else \
            Transition(key).label_en if lang == "en" else Transition(key).label_de
        cells = []
        for sector in wide.columns:
            n = int(wide.loc[key, sector])
            s = int(syn.loc[key, sector]) if key in syn.index and sector in syn.columns \
                else 0
            cells.append({"n": n, "synthetic": s, "sector": sector})
        rows.append({"key": key, "label": label, "cells": cells})
    return rows


def _municipality(m: PageService, level: str) -> str:
    units = m.units_of(level)
    if not units:
        return ""
    profile = m.unit_profile(units[0].id)
    city = next((a for a in profile.ancestors if a.level == "gemeinde"), None)
    return city.name if city is not None else ""


def _coverage(m: PageService, lang: str, level: str, phase: str, measure: str,
              chosen: str | None) -> dict[str, Any]:
    """The coverage map and table of a life phase (withheld child counts: unpublished)."""
    t = Translator(lang)
    cov = cached(m, ("coverage", phase), lambda: m.coverage(
        level, life_phase=phase, kind=PHASE_KIND[phase]))
    meta = cov.meta
    hidden = cached(m, ("withheld", level, meta["population_indicator"], meta["period"]),
                    lambda: withheld_units(m, level, str(meta["population_indicator"]),
                                           str(meta["period"])))
    table = cov.table.copy()
    table["status"] = ["suppressed" if u in hidden else "ok" for u in table["unit_id"]]
    if hidden:
        # 2SFCA spreads every unit's children over its neighbours: unpublished as a whole
        table["accessibility"] = float("nan")
        measure = "offers_per_1000"
    table = m.publish(table.rename(columns={"children": "value"}),
                      derived=("offers_per_1000", "accessibility"))
    values = table.set_index("unit_id")[measure]
    dec = 1
    classes = quantile_classes(values, 5, dec, lang)
    shapes = m.level_shapes(level)
    kind_label = t("kind_kita") if PHASE_KIND[phase] == "kita" else t("kind_schule")
    measure_label = (meta["supply_label_en"] if lang == "en" else meta["supply_label_de"]) \
        if measure == "accessibility" else t("per_1000", kind=kind_label)
    by_id = {str(r.unit_id): r for r in each_row(table)}
    areas = []
    for r in each_row(shapes):
        row = by_id.get(str(r.id))
        if row is not None and row.status == "suppressed":
            fill, shown = "suppressed", "."
        elif row is None or pd.isna(getattr(row, measure)):
            fill, shown = "missing", "–"
        else:
            fill, shown = classes.fill.get(str(r.id), "missing"), \
                fmt_number(getattr(row, measure), dec, lang)
        areas.append(Area(str(r.id), r.geometry, fill, f"{r.name}: {shown}",
                          f"/chain?unit={r.id}&phase={phase}&measure={measure}",
                          "current" if r.id == chosen else ""))
    svg = choropleth(areas, label=t("map_of", what=f"{measure_label}, {meta['period']}"),
                     cache_key=m.cache_key("level", level))
    reasons = sorted({(v[1] if lang == "en" else v[0]) for v in hidden.values()})
    cov_rows = [{"id": str(r.unit_id), "name": str(r.name), "href": unit_href(r.unit_id),
                 "children": "." if r.status == "suppressed" else fmt_number(r.value, 0, lang),
                 "offers": fmt_number(r.offers, 0, lang),
                 "per_1000": "." if r.status == "suppressed"
                 else fmt_number(r.offers_per_1000, 1, lang),
                 "access": "." if hidden else fmt_number(r.accessibility, 1, lang),
                 "suppressed": r.status == "suppressed",
                 "selected": r.unit_id == chosen} for r in each_row(table)]

    kind_label = t("kind_kita") if PHASE_KIND[phase] == "kita" else t("kind_schule")
    return {"svg": svg, "measure": measure, "measure_label": measure_label,
            "legend": classes.legend, "cov_rows": cov_rows, "reasons": reasons,
            "hidden": hidden, "meta": meta, "cov_notes": cov.notes, "kind_label": kind_label,
            "n_suppressed": sum(1 for r in cov_rows if r["suppressed"]),
            "total_per_1000": fmt_number(meta.get("offers_per_1000_total"), 1, lang)
            if not hidden else "."}


def _gaps(m: PageService, lang: str, level: str, phase: str, measure: str,
          hidden: bool) -> dict[str, Any]:
    """Need against supply: the units with a gap and the scatter plot (unpublished where
    a count it needs is withheld)."""
    t = Translator(lang)
    gap_rows: list[dict[str, Any]] = []
    gaps_svg: Any = ""
    gaps_info: dict[str, Any] | None = None
    g = None if hidden else cached(m, ("gaps", phase), lambda: m.gaps(
        level=level, life_phase=phase, kind=PHASE_KIND[phase]))
    if g is not None and str(g.need.get("how_de", "")).startswith("berechnet"):
        # need computed from stored counts (no stored need indicator): those must be
        # published too
        period = str(g.need["period"])
        for ind in NEED_COUNTS:
            if cached(m, ("withheld", level, ind, period),
                      partial(withheld_units, m, level, ind, period)):
                g = None
    if g is not None:
        res = g.result
        frame = m.publish(res.table)
        quadrant_label = {q: t(f"quadrant_{q}") for q in QUADRANT_FILL}
        for r in each_row(frame[frame["quadrant"] == "gap"]):
            gap_rows.append({"rank": int(r.rank), "name": str(r.name),
                             "href": unit_href(r.unit_id), "id": str(r.unit_id),
                             "reason": r.reason_en if lang == "en" else r.reason_de})
        need_name = g.need["name_en"] if lang == "en" else g.need["name_de"]
        supply_name = g.supply_label_en if lang == "en" else g.supply_label_de
        points = [(f"{r.name}: {quadrant_label[str(r.quadrant)]}", float(r.need),
                   float(r.supply), QUADRANT_FILL[str(r.quadrant)],
                   f"/chain?unit={r.unit_id}&phase={phase}&measure={measure}")
                  for r in each_row(frame) if str(r.quadrant) != "unknown"]
        gaps_svg = scatter(points, label=t("need_supply"), x_label=need_name,
                           y_label=supply_name, x_split=res.need_threshold,
                           y_split=res.supply_threshold,
                           fmt_x=lambda v: fmt_number(v, 1, lang),
                           fmt_y=lambda v: fmt_number(v, 1, lang))
        counts = frame["quadrant"].value_counts()
        gaps_info = {
            "need": need_name, "supply": supply_name,
            "how": g.need["how_en"] if lang == "en" else g.need["how_de"],
            "need_threshold": fmt_number(res.need_threshold, 1, lang),
            "supply_threshold": fmt_number(res.supply_threshold, 1, lang),
            "legend": [(QUADRANT_FILL[q], quadrant_label[q], int(counts.get(q, 0)))
                       for q in ("gap", "served", "low", "surplus")],
        }
    return {"gap_rows": gap_rows, "gaps_svg": gaps_svg, "gaps_info": gaps_info}


def chain_page(m: PageService, lang: str, *, unit: str | None = None, phase: str = '3-6',
               measure: str = 'offers_per_1000') -> dict[str, Any]:
    t = Translator(lang)
    phase = phase if phase in PHASE_KIND else "3-6"
    measure = measure if measure in MEASURES else "offers_per_1000"
    total = cached(m, ("chain", None), lambda: m.chain_matrix())
    level = total.level
    choices = sorted(m.units_of(level), key=lambda u: u.name)
    ids = {u.id for u in choices}
    chosen = unit if unit in ids else None
    result = total if chosen is None else cached(m, ("chain", chosen),
                                                 lambda: m.chain_matrix(chosen))
    uid = TOTAL if chosen is None else chosen
    sectors = [(s, sector_label(s, lang)) for s in result.matrix.sectors]
    phases = _matrix_rows(result.matrix, result.synthetic, uid, "life_phase", lang)
    transitions = _matrix_rows(result.matrix, result.synthetic, uid, "transition", lang)
    gaps_text = result.matrix.gaps_text(uid, lang)
    city = cached(m, ("city", level), lambda: _municipality(m, level))

    cov = _coverage(m, lang, level, phase, measure, chosen)
    kind_label = cov["kind_label"]
    return ({
        "city": city, "level": level, "choices": choices, "chosen": chosen,
        "unit_name": result.name if chosen else "", "phase": phase,
        "phase_choices": [(p, LifePhase(p).label_en if lang == "en" else LifePhase(p).label_de)
                          for p in PHASE_KIND],
        "measure_choices": [("offers_per_1000", t("per_1000", kind=kind_label)),
                            ("accessibility", t("accessibility"))],
        "offers": result.offers, "synthetic_offers": result.synthetic_offers,
        "sectors": sectors, "phases": phases, "transitions": transitions,
        "gaps_text": gaps_text, **{k: v for k, v in cov.items() if k != "hidden"},
        "hidden": bool(cov["hidden"]),
        **_gaps(m, lang, level, phase, cov["measure"], bool(cov["hidden"])),
        "credits": credits(m, ("services",)),
    })
