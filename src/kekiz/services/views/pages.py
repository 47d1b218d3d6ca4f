"""The view models of the pages index, atlas, area profile, comparison, state network and
sources: what a template shows, built from the read model (every value already through the
publication gate).  German first; ``lang="en"`` switches.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from kekiz.analysis.rates import wilson_interval
from kekiz.i18n import TEXTS, Translator, fmt_number, fmt_percent, fmt_value
from kekiz.reporting.svg import Area, Series, bar_chart, choropleth, line_chart, palette, sparkline
from kekiz.services.derived import LISA_CODES
from kekiz.services.pages import CLASS_METHODS, USABLE, PageService
from kekiz.services.views.common import at_period, each_row, records, series_index, unit_href

PREFERRED = ("gisd_score", "kinderarmut", "arbeitslose", "einwohner_u3", "einwohner")


def _polarity_text(t: Translator, polarity: int) -> str:
    return t("higher_worse") if polarity < 0 else t("higher_better") if polarity > 0 \
        else t("neutral")


def _safe_url(url: Any) -> str | None:
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else None


def _choose(m: PageService, t: Translator, level: str | None, indicator: str | None,
            period: str | None) -> tuple[str | None, str | None, str | None, list[str],
                                         list[dict[str, Any]]]:
    """Level, indicator and period to show, falling back with a note where needed."""
    cat = m.web_catalogue()
    notes: list[str] = []
    if level is None:  # the finest level with values (else the finest with units)
        filled = {lv for e in cat["indicators"] for lv in e["periods"]}
        ranked = sorted(cat["levels"], key=lambda e: (e["level"].id in filled,
                                                      e["level"].rank))
        level = ranked[-1]["level"].id if ranked else None
    if level is None:
        return None, None, None, notes, []
    available = [e for e in cat["indicators"] if e["periods"].get(level)]
    by_id = {e["indicator"].id: e for e in available}
    if indicator not in by_id:
        fallback = next((i for i in PREFERRED if i in by_id),
                        available[0]["indicator"].id if available else None)
        if indicator is not None and fallback is not None:
            ind = by_id[fallback]["indicator"]
            notes.append(t("fallback_indicator", name=t.pick(ind.name_de, ind.name_en)))
        indicator = fallback
    if indicator is not None and period is not None \
            and period not in by_id[indicator]["periods"][level]:
        notes.append(t("fallback_period", period=period))
        period = None
    return level, indicator, period, notes, available


def _series(frame: pd.DataFrame | list[dict[str, Any]]) -> list[tuple[str, float | None]]:
    rows = records(frame.sort_values("period")) if isinstance(frame, pd.DataFrame) else frame
    return [(str(r["period"]), float(r["value"]) if r["status"] in USABLE
             and r["value"] is not None else None) for r in rows]


def trend_text(name: str, points: list[tuple[str, float | None]], dec: int,
               lang: str) -> tuple[str, str]:
    """(accessible description of a sparkline's trend, its first and last value), e.g.
    ``"Kinderarmut 2010–2012: von 35,1 (2010) auf 30,2 (2012) gesunken; niedrigster
    Wert 30,2, höchster 35,1"`` and ``"35,1 → 30,2"``."""
    known = [(p, v) for p, v in points if v is not None]
    if not known:
        return f"{name}: {points[0][0]}–{points[-1][0]}", ""
    (p0, v0), (p1, v1) = known[0], known[-1]
    f0, f1 = fmt_number(v0, dec, lang), fmt_number(v1, dec, lang)
    lo = fmt_number(min(v for _, v in known), dec, lang)
    hi = fmt_number(max(v for _, v in known), dec, lang)
    if lang == "en":
        how = "rose" if v1 > v0 and f1 != f0 else "fell" if v1 < v0 and f1 != f0 else \
            "stayed the same"
        text = (f"{name} {points[0][0]}–{points[-1][0]}: {how} from {f0} ({p0}) to {f1} "
                f"({p1}); lowest value {lo}, highest {hi}")
    else:
        how = "gestiegen" if v1 > v0 and f1 != f0 else "gesunken" if v1 < v0 and f1 != f0 \
            else "gleich geblieben"
        text = (f"{name} {points[0][0]}–{points[-1][0]}: von {f0} ({p0}) auf {f1} ({p1}) "
                f"{how}; niedrigster Wert {lo}, höchster {hi}")
    return text, f"{f0} → {f1}"


#: LISA clusters (codes of ``<indicator>_lisa``): a categorical palette (hot spots red,
#: cold spots blue, outliers light red / light blue, not significant grey, islands white).
LISA_COLOURS = {1: "#d7191c", 2: "#2c7bb6", 3: "#fdae61", 4: "#abd9e9", 0: "#d9d9d9",
                9: "#ffffff"}


def categories_of(indicator_id: str) -> dict[int, tuple[str, str, str]] | None:
    """The categories of a categorical result (code -> key, German, English), else None."""
    return LISA_CODES if indicator_id.endswith("_lisa") else None


def categorical_legend(categories: dict[int, tuple[str, str, str]], lang: str
                       ) -> tuple[dict[int, str], dict[int, str]]:
    """(colour by code, label by code) of a categorical result."""
    return ({c: LISA_COLOURS.get(c, "#999999") for c in categories},
            {c: (en if lang == "en" else de) for c, (_k, de, en) in categories.items()})


def _category_legend(categories: dict[int, tuple[str, str, str]],
                     rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    colours, labels = categorical_legend(categories, lang)
    order = [1, 2, 3, 4, 0, 9]
    return [{"fill": colours[c], "label": labels[c],
             "count": sum(1 for r in rows if r["label"] == labels[c])}
            for c in order if c in categories]


def _finite(value: Any) -> bool:
    return value is not None and not pd.isna(value) and bool(np.isfinite(float(value)))


def _behind(r: Any, ind: Any, lang: str) -> dict[str, str]:
    """The counts behind a rate (numerator, denominator) and its 95 % interval: the stored
    one, else the Wilson interval of a share (unit %, scale 100) from its counts."""
    dec = int(ind.decimals)
    raw = [getattr(r, c, None) for c in ("numerator", "denominator", "lower", "upper")]
    num, den, lo, hi = (float(v) if v is not None and _finite(v) else None for v in raw)
    counts = num is not None and den is not None and den > 0
    if (lo is None or hi is None) and counts and float(ind.scale) == 100.0 \
            and num is not None and den is not None and 0 <= num <= den:
        lower, upper = wilson_interval([num], [den])
        lo, hi = float(lower[0]) * 100.0, float(upper[0]) * 100.0
    return {"count": fmt_number(num, 0, lang) if counts and num is not None else "",
            "base": fmt_number(den, 0, lang) if counts and den is not None else "",
            "interval": f"{fmt_number(lo, dec, lang)}–{fmt_number(hi, dec, lang)}"
            if lo is not None and hi is not None else ""}


def _pct(share: float, lang: str) -> str:
    return fmt_percent(share, 1, lang)


def index(m: PageService, lang: str, user: Any) -> dict[str, Any]:
    cat = m.web_catalogue()
    return ({
        "levels": cat["levels"], "n_indicators": len(cat["indicators"]), "user": user})


def atlas(m: PageService, lang: str, *, level: str | None = None, indicator: str | None = None,
          period: str | None = None, method: str = 'standard', k: int = 5) -> dict[str, Any]:
    t = Translator(lang)
    level, indicator, period, notes, available = _choose(m, t, level, indicator, period)
    context: dict[str, Any] = {
        "levels": m.web_catalogue()["levels"], "level": level, "indicators": available,
        "notes": notes, "methods": CLASS_METHODS, "method": method, "k": k, "data": None}
    if level is not None:
        m.units_of(level)  # unknown level -> 404
    if level is None or indicator is None:
        return (context)
    data = m.atlas(level, indicator, period, method=method, k=k)
    units = m.publish(data.units)
    ind = data.indicator
    colours = palette(len(data.legend), int(ind.polarity))
    colour_of = {e["class"]: c for e, c in zip(data.legend, colours, strict=True)}
    label_of = {e["class"]: e["label_en" if lang == "en" else "label_de"] for e in data.legend}
    categories = categories_of(ind.id)
    if categories is not None:
        colour_of, label_of = categorical_legend(categories, lang)
    areas, rows = [], []
    for r in each_row(units):
        status = str(r.status)
        klass = None if pd.isna(r.klass) else int(r.klass)
        if categories is not None:  # a category is no number: coloured and named by it
            klass = int(r.value) if _finite(r.value) and int(r.value) in categories else None
        shown = fmt_value(r.value, status, int(ind.decimals), lang) if categories is None \
            else (label_of[klass] if klass is not None else
                  fmt_value(r.value, status, 0, lang))
        reason = r.reason_en if lang == "en" else r.reason_de
        fill = colour_of.get(klass, "") if klass is not None else \
            ("suppressed" if status == "suppressed" else "missing")
        label = label_of.get(klass) if klass is not None else \
            t("suppressed") if status == "suppressed" else t("missing")
        areas.append(Area(str(r.id), r.geometry, fill, f"{r.name}: {shown} ({label})",
                          unit_href(r.id)))
        rows.append({"id": r.id, "name": r.name, "value": r.value, "shown": shown,
                     "status": status, "label": label, "reason": reason or "",
                     "href": unit_href(r.id), **_behind(r, ind, lang)})
    rows.sort(key=lambda x: (pd.isna(x["value"]), -(x["value"] if not pd.isna(x["value"])
                                                     else 0), x["name"]))
    n_sup = int((units["status"] == "suppressed").sum())
    n_mis = int((units["klass"].isna() & (units["status"] != "suppressed")).sum())
    name = t.pick(ind.name_de, ind.name_en)
    level_name = t.pick(data.level.name_de, data.level.name_en)
    svg = choropleth(areas, label=t("map_of", what=f"{name}, {data.period}, {level_name}"),
                     cache_key=m.cache_key("level", level))
    reasons = sorted({r["reason"] for r in rows if r["status"] == "suppressed"})
    query = urlencode({"indicator": ind.id, "level": level, "period": data.period})
    context.update({
        "data": data, "indicator": ind, "name": name, "level_name": level_name,
        "period": data.period, "svg": svg, "rows": rows, "reasons": reasons,
        "has_counts": any(r["count"] for r in rows),
        "has_interval": any(r["interval"] for r in rows),
        "legend": [{"fill": colour_of[e["class"]], "label": label_of[e["class"]],
                    "count": e["count"]} for e in data.legend] if categories is None else
        _category_legend(categories, rows, lang),
        "categorical": categories is not None,
        "n_suppressed": n_sup, "n_missing": n_mis,
        "class_notes": data.notes_en if lang == "en" else data.notes_de,
        "polarity": _polarity_text(t, int(ind.polarity)),
        "downloads": [(label, f"/api/v1/download?format={fmt}&{query}")
                      for fmt, label in (("csv", "CSV (Excel)"), ("xlsx", "XLSX"),
                                         ("geojson", "GeoJSON"), ("gpkg", "GeoPackage"))],
        "geojson": f"/api/v1/atlas?{urlencode({'indicator': ind.id, 'level': level, 'period': data.period, 'method': method, 'k': k})}",  # noqa: E501
    })
    return (context)


def _level_namer(m: PageService, t: Translator) -> Any:
    """``unit -> "Kreis Köln"``: the unit's name after the short name of its level (the
    part before " / "), so that a Kreis and a Gemeinde of the same name differ."""
    levels = {e["level"].id: e["level"] for e in m.web_catalogue()["levels"]}

    def named(unit: Any) -> str:
        level = levels.get(unit.level)
        if level is None:
            return str(unit.name)
        short = t.pick(level.name_de, level.name_en).split(" / ")[0]
        return f"{short[:1].upper()}{short[1:]} {unit.name}"

    return named


def unit_page(m: PageService, lang: str, *, unit_id: str) -> dict[str, Any]:
    t = Translator(lang)
    p = m.unit_profile(unit_id)
    index = series_index(m.publish(p.observations))
    parent = p.ancestors[0] if p.ancestors else None
    city = next((a for a in p.ancestors if a.level == "gemeinde"), None)
    if city is not None and parent is not None and city.id == parent.id:
        city = None
    medians = {(r.indicator_id, r.period): (r.median, r.n)
               for r in each_row(p.medians)}
    table, reasons = [], set()
    for ind in p.indicators:
        mine = index.get((p.unit.id, ind.id))
        if not mine:
            continue
        last = mine[-1]
        dec = int(ind.decimals)

        def at(unit: Any, per: str, ind_id: str = ind.id, dec: int = dec) -> str:
            if unit is None:
                return ""
            hit = at_period(index.get((unit.id, ind_id), []), per)
            if hit is None:
                return "–"
            return fmt_value(hit["value"], str(hit["status"]), dec, lang)

        med, n = medians.get((ind.id, last["period"]), (None, 0))
        reason = last["reason_en"] if lang == "en" else last["reason_de"]
        if last["status"] == "suppressed":
            reasons.add(reason)
        name = t.pick(ind.name_de, ind.name_en)
        points = _series(mine)
        trend, ends = trend_text(name, points, dec, lang)
        behind = _behind(SimpleNamespace(**last), ind, lang) \
            if last["status"] != "suppressed" else {"count": "", "base": "", "interval": ""}
        table.append({**behind,
            "id": ind.id, "name": name, "unit": ind.unit, "period": last["period"],
            "status": last["status"], "reason": reason,
            "shown": fmt_value(last["value"], str(last["status"]), dec, lang),
            "parent": at(parent, last["period"]), "city": at(city, last["period"]),
            "median": fmt_number(med, dec, lang) if med is not None else "–", "n": n,
            "spark": sparkline(points, label=trend) if len(points) > 1 else "",
            "spark_values": ends if len(points) > 1 else "",
            "compare": "/compare?" + urlencode(
                [("indicator", ind.id), ("unit", p.unit.id)]
                + [("unit", u.id) for u in p.peers[:5]]),
        })
    areas = [Area(str(r.id), r.geometry, "#d94801" if r.id == p.unit.id else "#d9d9d9",
                  str(r.name), unit_href(r.id), "current" if r.id == p.unit.id else "")
             for r in each_row(p.context)]
    level = p.level
    named = _level_namer(m, t)
    return ({
        "p": p, "level_name": t.pick(level.name_de, level.name_en), "rows": table,
        "unit_label": named(p.unit), "parent_label": named(parent) if parent else "",
        "city_label": named(city) if city else "",
        "crumbs": [(a.id, named(a)) for a in reversed(p.ancestors)],
        "reasons": sorted(reasons), "parent": parent, "city": city,
        "has_counts": any(r["count"] for r in table),
        "has_interval": any(r["interval"] for r in table),
        "svg": choropleth(areas, label=t("on_map") + ": " + p.unit.name, width=420,
                          cache_key=m.cache_key("context", p.unit.level)),
        "href": unit_href, "memberships": p.memberships,
        "compare_peers": "/compare?" + urlencode(
            [("unit", p.unit.id)] + [("unit", u.id) for u in p.peers[:5]]),
        "levels": p.levels})


def compare(m: PageService, lang: str, *, indicator: str | None = None,
            unit: list[str] | None = None, period: str | None = None,
            level: str | None = None) -> dict[str, Any]:
    t = Translator(lang)
    chosen = list(dict.fromkeys(unit or []))
    if chosen and level is None:
        level = m.unit_profile(chosen[0]).unit.level
    level, indicator, period, notes, available = _choose(m, t, level, indicator, period)
    context: dict[str, Any] = {"levels": m.web_catalogue()["levels"], "level": level,
                               "indicators": available, "notes": notes, "c": None,
                               "choices": [], "chosen": chosen}
    if level is None or indicator is None:
        return (context)
    choices = m.units_of(level)
    ids = {u.id for u in choices}
    chosen = [u for u in chosen if u in ids]
    if not chosen:
        first = m.comparison(indicator, [choices[0].id], period)
        top = first.ranking[first.ranking["rank"].notna()]
        chosen = list(top["unit_id"].head(3)) or [choices[0].id]
    c = m.comparison(indicator, chosen, period)
    series_frame = m.publish(c.series)
    ranking = m.publish(c.ranking)
    ind = c.indicator
    dec = int(ind.decimals)
    lines = [Series(u.name, _series(series_frame[series_frame["unit_id"] == u.id]))
             for u in c.units]
    name = t.pick(ind.name_de, ind.name_en)
    periods = sorted(series_frame["period"].unique())
    ranks = {r.unit_id: ("" if pd.isna(r.rank) else int(r.rank))
             for r in each_row(ranking)}
    table = []
    for u in c.units:
        mine = series_frame[series_frame["unit_id"] == u.id].set_index("period")
        table.append({"name": u.name, "href": unit_href(u.id), "rank": ranks.get(u.id, ""),
                      "cells": [
            fmt_value(mine.loc[per, "value"], str(mine.loc[per, "status"]), dec, lang)
            if per in mine.index else "–" for per in periods]})
    selected = set(chosen)
    rank_rows = [{"rank": "" if pd.isna(r.rank) else int(r.rank), "name": r.name,
                  "href": unit_href(r.unit_id),
                  "shown": fmt_value(r.value, str(r.status), dec, lang),
                  "selected": r.unit_id in selected} for r in each_row(ranking)]
    context.update({
        "c": c, "name": name, "choices": choices, "href": unit_href, "chosen": chosen,
        "periods": periods,
        "table": table, "rank_rows": rank_rows,
        "chart": line_chart(lines, label=f"{name}: {', '.join(u.name for u in c.units)}",
                            fmt=lambda v: fmt_number(v, dec, lang)),
        "median": fmt_number(c.median, dec, lang) if c.median is not None else "–",
        "polarity": _polarity_text(t, int(ind.polarity)),
        "legend_lines": list(enumerate(c.units)),
    })
    return (context)


def network(m: PageService, lang: str, *, programme: str | None = None,
            year: int | None = None) -> dict[str, Any]:
    t = Translator(lang)
    n = m.network_overview(programme, year)
    members = m.publish(n.members)
    by_year = m.publish(n.reach_by_year)
    fills = {0: "#eeeeee", 1: "#6baed6", 2: "#08519c"}
    labels = {0: t("not_member"), 1: t("member_kreis"), 2: t("member_gemeinde")}
    areas = [Area(str(r.id), r.geometry, fills[int(r.status)],
                  f"{r.name}: {labels[int(r.status)]}", unit_href(r.id))
             for r in each_row(n.map)]
    reach = n.reach
    funding_rows = []
    if n.funding is not None:
        for y, row in n.funding["by_year"].items():
            funding_rows.append({"year": y, "members": row["members"],
                                 "amount": fmt_number(row["amount"], 0, lang),
                                 "children": fmt_number(row["children_in_members"], 0, lang),
                                 "per_child": fmt_number(row["eur_per_child"], 2, lang)})
    level_names = {e["level"].id: t.pick(e["level"].name_de, e["level"].name_en)
                   for e in m.web_catalogue()["levels"]}
    members["level_name"] = [level_names.get(str(lv), str(lv)) for lv in members["level"]]
    return ({
        "n": n, "members": members.to_dict("records"), "href": unit_href,
        "svg": choropleth(areas, label=t("members_map", year=n.year),
                          cache_key=m.cache_key("level", "gemeinde")),
        "legend": [(fills[2], labels[2]), (fills[1], labels[1]), (fills[0], labels[0])],
        "reach_line": t("reach_line", year=reach.year, age=reach.age_max,
                        share=_pct(reach.share, lang),
                        n=fmt_number(reach.children_in_members, 0, lang),
                        total=fmt_number(reach.children_total, 0, lang)),
        "reach_rows": by_year.to_dict("records"),
        "chart": bar_chart([(str(r.year), float(r.share)) for r in each_row(by_year)],
                           label=t("reach_by_year"), fmt=lambda v: _pct(v, lang),
                           maximum=1.0),
        "funding_rows": funding_rows,
        "funding_notes": (n.funding or {}).get("notes", []),
        "funding_error": n.funding_error.text(lang) if n.funding_error else None,
        "population_source": reach.population_source_en if lang == "en"
        else reach.population_source_de,
        "method_text": reach.method_en if lang == "en" else reach.method_de,
    })


def sources(m: PageService, lang: str) -> dict[str, Any]:
    data = m.sources()
    datasets = m.publish(data["datasets"])
    t = Translator(lang)
    datasets["kind_label"] = [t(f"kind_{k}") if f"kind_{k}" in TEXTS else str(k)
                              for k in datasets["kind"]]
    attributions = [{**a, "licence_url": _safe_url(a.get("licence_url")),
                     "attribution_url": _safe_url(a.get("attribution_url"))}
                    for a in data["attributions"]]
    return ({
        "attributions": attributions, "datasets": datasets.to_dict("records"),
        "indicators": data["indicators"].to_dict("records")})
