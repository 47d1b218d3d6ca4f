"""What a report is made of: the published data it receives, and the view it shows.

The reports service (:class:`kekiz.services.reports.ReportService`) gathers a :class:`ReportInput`
from the store; every frame in it has already passed disclosure control (suppressed
values are ``NaN`` with their status and reason).  :func:`build_view` turns it into the
view the templates render: findings in plain language computed from the data, maps with
legends, rankings, trend charts, funnel plots, monitoring tables, profiles, methods and
sources.  Rendering never trusts a value of a row whose status is ``suppressed``: such a
cell prints ``.`` whatever the frame holds.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from kekiz.analysis.classify import stored_or_default_classes
from kekiz.domain.model import Indicator
from kekiz.i18n import fmt_number
from kekiz.reporting import report_svg as svg
from kekiz.reporting.report_charts import funnel_svg, trend_svg
from kekiz.reporting.report_config import SECTIONS, ReportConfig
from kekiz.reporting.report_text import PHASES, SECTORS, STATUS, T, lisa_label
from kekiz.reporting.svg import ranking_chart, sparkline

__all__ = ["USABLE", "IndicatorInput", "MonitoringInput", "ProfileInput", "ReportInput",
           "build_view", "cell"]

#: Statuses whose values are published and enter summaries (medians, classes, ranks).
USABLE = ("ok", "estimated", "unreliable")


@dataclass
class IndicatorInput:
    """One indicator over the report's areas (all frames published).

    ``values``: one row per area at ``period``: unit_id, value, numerator, denominator,
    status, reason_de, reason_en.  ``series``: unit_id, period, value, status over all
    periods.  ``subject``: period, value, status of the report's unit itself.
    """

    indicator: Indicator
    period: str
    values: pd.DataFrame
    series: pd.DataFrame
    subject: pd.DataFrame
    #: stored map classes of the indicator on this level and period (method, breaks,
    #: closed: the breaks of ``kekiz monitor classes``), else the default scheme
    breaks: dict[str, Any] | None = None


@dataclass
class MonitoringInput:
    """Index classes, LISA hot spots and the priority list of ``score`` over the areas.

    ``table``: unit_id, klass, k, label_de, label_en, lisa, rank, points, priority,
    reasons_de, reasons_en.  ``stored``: read from the store's monitoring results (else
    computed for this report without writing).
    """

    score: Indicator
    period: str
    table: pd.DataFrame
    rule_de: str
    rule_en: str
    stored: bool


@dataclass
class ProfileInput:
    """One profile page: ``rows`` per indicator: indicator_id, period, value, status,
    reason_de, reason_en, reference, rank, n; ``series``: indicator_id -> values by period;
    ``locate``: id of the area outlined on the locator map."""

    unit_id: str
    name: str
    context_de: str
    context_en: str
    locate: str
    rows: pd.DataFrame
    series: dict[str, pd.Series] = field(default_factory=dict)


@dataclass
class FunnelInput:
    """The funnel plot of one share over the report's areas (computed by the service):
    ``frame`` as :func:`kekiz.network.compare.funnel` returns it."""

    indicator: Indicator
    frame: pd.DataFrame


@dataclass
class ReportInput:
    """Everything a report shows, already published.

    ``kind``: ``municipality`` or ``network``; ``mode``: ``districts`` (areas inside the
    unit), ``peers`` (the unit among all units of its level) or ``state`` (the network
    among the state's units).  ``areas``: id, name, parent_name, geometry (shapely,
    EPSG:4326).  ``highlight``: ids outlined on the maps (the unit or the members).
    ``map_key``: names ``areas`` and their geometries for the projections kept across
    reports (:func:`kekiz.reporting.report_svg.project_cached`; the service gives the
    store, its data version and the areas); None: projected for this report only.
    """

    kind: str
    subject_id: str
    subject_name: str
    subject_level_de: str
    subject_level_en: str
    area_level_de: str
    area_level_en: str
    mode: str
    areas: pd.DataFrame
    highlight: list[str]
    indicators: list[IndicatorInput]
    profiles: list[ProfileInput] = field(default_factory=list)
    monitoring: MonitoringInput | None = None
    chain: dict[str, Any] | None = None
    goals: dict[str, Any] | None = None
    network: dict[str, Any] | None = None
    funnel: FunnelInput | None = None
    datasets: pd.DataFrame | None = None
    attributions: list[dict[str, str]] = field(default_factory=list)
    privacy_rules: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    created: date = field(default_factory=date.today)
    map_key: Hashable | None = None


# -- small helpers ------------------------------------------------------------------------
def _num(value: Any, decimals: int, lang: str) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "–"
    return fmt_number(f, decimals, lang) if math.isfinite(f) else "–"


def cell(value: Any, status: Any, decimals: int, lang: str) -> str:
    """A published cell: ``.`` when suppressed (whatever the value), ``–`` without value."""
    if status == "suppressed":
        return "."
    return _num(value, decimals, lang)


class _Notes:
    """Reasons as numbered footnotes: each distinct text once, rows carry ``(n)``."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if not text:
            return ""
        if text not in self.texts:
            self.texts.append(text)
        return f"({self.texts.index(text) + 1})"

    def items(self) -> list[tuple[int, str]]:
        return list(enumerate(self.texts, start=1))


def _usable(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].isin(USABLE) & pd.to_numeric(frame["value"], errors="coerce").notna()


class _Ctx:
    def __init__(self, inp: ReportInput, cfg: ReportConfig, lang: str) -> None:
        self.inp, self.cfg, self.lang = inp, cfg, lang
        self.en = lang == "en"
        self.primary = cfg.colours["primary"]
        self.accent = cfg.colours["accent"]
        self.names = dict(zip(inp.areas["id"], inp.areas["name"], strict=True))

    def t(self, key: str, **kw: Any) -> str:
        de, en = T[key]
        return (en if self.en else de).format(**kw) if kw else (en if self.en else de)

    def pick(self, de: str, en: str) -> str:
        return (en or de) if self.en else de

    def ind_name(self, ind: Indicator) -> str:
        return self.pick(ind.name_de, ind.name_en)

    def num(self, value: Any, decimals: int) -> str:
        return _num(value, decimals, self.lang)

    def unit_text(self, ind: Indicator) -> str:
        if ind.unit in ("", "Index"):
            return ""
        return ("%" if self.en else "\u00a0%") if ind.unit == "%" else f" {ind.unit}"


# -- indicators -----------------------------------------------------------------------------
def _indicator_view(c: _Ctx, data: IndicatorInput, proj: svg.Projected) -> dict[str, Any]:
    ind = data.indicator
    dec = int(ind.decimals)
    v = data.values.drop_duplicates("unit_id").set_index("unit_id").reindex(c.inp.areas["id"])
    v["status"] = v["status"].fillna("missing")
    usable = _usable(v.reset_index()).to_numpy()
    values = pd.to_numeric(v["value"], errors="coerce").where(usable)
    legend: list[dict[str, Any]] = []
    fills = [svg.SUPPRESSED if s == "suppressed" else svg.MISSING for s in v["status"]]
    klass = pd.Series(pd.NA, index=v.index, dtype="Int64")
    if usable.sum() >= 2:
        clf = stored_or_default_classes(values.dropna(), data.breaks, k=c.cfg.classes,
                                        decimals=dec)
        klass.loc[clf.classes.index] = clf.classes
        colours = svg.class_colours(len(clf.class_ids), int(ind.polarity))
        colour_of = dict(zip(clf.class_ids, colours, strict=True))
        fills = [colour_of[int(klass[u])] if not pd.isna(klass[u]) else f
                 for u, f in zip(v.index, fills, strict=True)]
        for cid, lab, lab_en, n in zip(clf.class_ids, clf.labels, clf.labels_en, clf.counts,
                                       strict=True):
            legend.append({"swatch": svg.swatch(colour_of[cid]), "label": lab_en if c.en
                           else lab, "count": n})
    n_sup = int((v["status"] == "suppressed").sum())
    n_mis = int((v["status"] == "missing").sum())
    if n_sup:
        legend.append({"swatch": svg.swatch(svg.SUPPRESSED), "label": c.t("suppressed_mark"),
                       "count": n_sup})
    if n_mis:
        legend.append({"swatch": svg.swatch(svg.MISSING), "label": c.t("missing_mark"),
                       "count": n_mis})
    titles = [f"{c.names.get(u, u)}: {cell(val, s, dec, c.lang)}"
              for u, val, s in zip(v.index, v["value"], v["status"], strict=True)]
    name = c.ind_name(ind)
    label = f"{name} {data.period}"
    the_map = svg.map_svg(proj, fills, titles, label=c.t("map_of", what=label),
                          highlight=c.inp.highlight if c.inp.mode != "districts" else (),
                          highlight_colour=c.accent)
    rows = []
    rank = values.rank(ascending=False, method="min")
    klasses = klass.to_dict()
    ranks = rank.to_dict()
    notes = _Notes()
    for u, r in v.iterrows():
        status = str(r["status"])
        rows.append({
            "id": u, "name": c.names.get(u, u),
            "value": cell(r["value"], status, dec, c.lang),
            "numerator": cell(r.get("numerator"), status, 0, c.lang),
            "denominator": cell(r.get("denominator"), status, 0, c.lang),
            "klass": "" if pd.isna(klasses.get(u)) else int(klasses[u]),
            "rank": "" if pd.isna(ranks.get(u)) else int(ranks[u]),
            "status": status, "status_text": c.pick(*STATUS.get(status, (status, status))),
            "reason": notes.mark(c.pick(str(r.get("reason_de") or ""),
                                        str(r.get("reason_en") or "")))
            if status != "ok" else "", "highlight": u in c.inp.highlight})
    rows.sort(key=lambda x: (x["rank"] == "", x["rank"] if x["rank"] != "" else 0, x["name"]))
    has_counts = bool(pd.to_numeric(v["denominator"], errors="coerce").notna().any()) \
        if "denominator" in v else False
    ranked = values.dropna().sort_values(ascending=False)
    if len(ranked) > 30:
        ranked = pd.concat([ranked.head(15), ranked.tail(10)])
    ranking = ranking_chart(
        [(c.names.get(u, u), float(x), c.num(x, dec)) for u, x in ranked.items()],
        label=c.t("ranking_of", what=label), colour=c.primary, highlight_colour=c.accent,
        highlight=[c.names.get(h, h) for h in c.inp.highlight])
    subject = data.subject
    subj_now = subject[subject["period"] == data.period] if len(subject) else subject
    subj_value = (float(subj_now["value"].iloc[0]) if len(subj_now) and
                  subj_now["status"].iloc[0] in USABLE and pd.notna(subj_now["value"].iloc[0])
                  else None)
    median = float(values.median()) if values.notna().any() else None
    return {"id": ind.id, "name": name, "period": data.period, "indicator": ind,
            "unit": ind.unit, "definition": c.pick(ind.definition_de, ind.definition_en),
            "source": ind.source, "licence": ind.licence, "map": the_map, "legend": legend,
            "rows": rows, "reason_notes": notes.items(), "has_counts": has_counts,
            "ranking": ranking,
            "trend": _trend_chart(c, data), "subject_value": subj_value,
            "subject_text": c.num(subj_value, dec) if subj_value is not None else None,
            "median": median, "median_text": c.num(median, dec), "n_usable": int(usable.sum()),
            "n_suppressed": n_sup, "n_missing": n_mis, "values": values, "status": v["status"]}


def _trend_chart(c: _Ctx, data: IndicatorInput) -> Any:
    ind = data.indicator
    lines: list[tuple[str, pd.Series]] = []
    subj = data.subject
    if len(subj):
        own = subj.assign(value=pd.to_numeric(subj["value"], errors="coerce")
                          .where(_usable(subj)))
        line = own.groupby("period")["value"].first()
        if line.notna().sum() >= 2:
            lines.append((c.inp.subject_name, line))
    ser = data.series
    if len(ser):
        ok = ser[_usable(ser)]
        med = ok.groupby("period")["value"].median()
        if len(med) >= 2:
            lines.append((c.t("median_of", level=c.pick(c.inp.area_level_de,
                                                        c.inp.area_level_en)), med))
    if not lines:
        return None
    periods = sorted({p for _, s in lines for p in s.index})
    lines = [(n, s.reindex(periods)) for n, s in lines]
    name = c.ind_name(ind)
    return trend_svg(lines, label=c.t("trend_of", what=name),
                     y_label=f"{name[:48]}{'…' if len(name) > 48 else ''}"
                     + (f" ({ind.unit})" if ind.unit else ""),
                     decimals=int(ind.decimals), lang=c.lang, primary=c.primary)


def _indicator_findings(c: _Ctx, view: dict[str, Any], data: IndicatorInput) -> list[str]:
    ind = data.indicator
    dec = int(ind.decimals)
    values: pd.Series = view["values"]
    ok = values.dropna()
    if ok.empty:
        return []
    area = c.pick(c.inp.area_level_de, c.inp.area_level_en)
    name = c.ind_name(ind)
    unit = c.unit_text(ind)
    out = []
    total = len(values)
    ref, ref_text = view["subject_value"], c.inp.subject_name
    if ref is None or c.inp.mode != "districts":
        ref, ref_text = view["median"], c.t("the_median")
    above = int((ok > ref).sum())
    out.append(c.t("finding_above", n=above, total=total, area=area, name=name,
                   period=data.period, ref=ref_text, value=c.num(ref, dec) + unit))
    hi, lo = str(ok.idxmax()), str(ok.idxmin())
    out.append(c.t("finding_range", hi=c.names.get(hi, hi), hi_v=c.num(ok.max(), dec) + unit,
                   lo=c.names.get(lo, lo), lo_v=c.num(ok.min(), dec) + unit))
    if view["n_suppressed"]:
        out.append(c.t("finding_suppressed", n=view["n_suppressed"], total=total))
    subj = data.subject
    s = subj[_usable(subj)].sort_values("period") if len(subj) else subj
    if len(s) >= 2:
        first, last = s.iloc[0], s.iloc[-1]
        diff = float(last["value"]) - float(first["value"])
        word = c.t("rose") if diff > 0 else c.t("fell") if diff < 0 else c.t("stayed")
        out.append(c.t("finding_trend", who=c.inp.subject_name, name=name,
                       p0=first["period"], v0=c.num(first["value"], dec) + unit,
                       p1=last["period"], v1=c.num(last["value"], dec) + unit, word=word))
    return out


# -- funnel ---------------------------------------------------------------------------------
def _funnel_view(c: _Ctx, views: list[dict[str, Any]]) -> dict[str, Any] | None:
    fun = c.inp.funnel
    if fun is None:
        return None
    view = next((v for v in views if v["id"] == fun.indicator.id), None)
    if view is None:
        return None
    frame = fun.frame.assign(unit_id=fun.frame["unit_id"].map(lambda u: c.names.get(u, u)))
    label = f"{view['name']} {view['period']}"
    high = frame[frame["outside"] >= 2]["unit_id"].tolist()
    low = frame[frame["outside"] <= -2]["unit_id"].tolist()
    hl = c.names.get(c.inp.highlight[0]) if c.inp.highlight else None
    return {"name": view["name"], "period": view["period"],
            "svg": funnel_svg(frame, label=c.t("funnel_of", what=label), highlight=hl,
                              lang=c.lang),
            "high": high, "low": low, "n": len(frame),
            "target": c.num(float(frame["target"].iloc[0]), int(fun.indicator.decimals))}


# -- monitoring -----------------------------------------------------------------------------
def _monitoring_view(c: _Ctx, proj: svg.Projected) -> dict[str, Any] | None:
    m = c.inp.monitoring
    if m is None or m.table.empty:
        return None
    t = m.table.set_index("unit_id").reindex(c.inp.areas["id"])
    k = int(pd.to_numeric(t["k"], errors="coerce").max()) if t["k"].notna().any() else 5
    colours = svg.class_colours(k, int(m.score.polarity) or -1)
    fills = [colours[int(x) - 1] if pd.notna(x) and 1 <= int(x) <= k else svg.MISSING
             for x in t["klass"]]
    titles = [f"{c.names.get(u, u)}: {c.t('class')} {'' if pd.isna(x) else int(x)}"
              for u, x in zip(t.index, t["klass"], strict=True)]
    hot = [u for u, code in zip(t.index, t["lisa"], strict=True) if code == "HH"]
    the_map = svg.map_svg(proj, fills, titles, label=c.t("classes_map",
                                                         what=c.ind_name(m.score)),
                          highlight=hot, highlight_colour="#000000")
    legend = []
    for i in range(1, k + 1):
        lab = next((c.pick(str(a), str(b)) for x, a, b in zip(t["klass"], t["label_de"],
                                                              t["label_en"], strict=True)
                    if pd.notna(x) and int(x) == i), "")
        legend.append({"swatch": svg.swatch(colours[i - 1]),
                       "label": f"{c.t('class')} {i}" + (f" ({lab})" if lab else ""),
                       "count": int((t["klass"] == i).sum())})
    prio = t[t["priority"].fillna(False).astype(bool)].sort_values("rank")
    rows = [{"name": c.names.get(u, u), "rank": "" if pd.isna(r["rank"]) else int(r["rank"]),
             "points": c.num(r["points"], 1),
             "klass": "" if pd.isna(r["klass"]) else int(r["klass"]),
             "lisa": lisa_label(r["lisa"], c.lang),
             "reasons": c.pick(str(r["reasons_de"] or ""), str(r["reasons_en"] or ""))}
            for u, r in prio.iterrows()]
    top = t.sort_values("rank").head(max(10, len(rows)))
    ranking = [{"name": c.names.get(u, u), "rank": "" if pd.isna(r["rank"]) else
                int(r["rank"]), "points": c.num(r["points"], 1),
                "klass": "" if pd.isna(r["klass"]) else int(r["klass"]),
                "lisa": lisa_label(r["lisa"], c.lang), "priority": bool(r["priority"])}
               for u, r in top.iterrows() if pd.notna(r["rank"])]
    return {"score": c.ind_name(m.score), "period": m.period, "map": the_map,
            "legend": legend, "priority": rows, "ranking": ranking,
            "hotspots": [c.names.get(u, u) for u in hot],
            "rule": c.pick(m.rule_de, m.rule_en), "stored": m.stored}


# -- profiles -------------------------------------------------------------------------------
def _profile_views(c: _Ctx, small: svg.Projected,
                   indicators: dict[str, Indicator]) -> list[dict[str, Any]]:
    out = []
    limit = c.cfg.max_profiles
    profiles = c.inp.profiles if limit is None else c.inp.profiles[:limit]
    for p in profiles:
        locator = svg.locator_svg(small, p.locate, label=c.t("location_of", what=p.name),
                                  colour=c.accent)
        rows = []
        notes = _Notes()
        for _, r in p.rows.iterrows():
            ind = indicators.get(str(r["indicator_id"]))
            if ind is None:
                continue
            dec = int(ind.decimals)
            status = str(r["status"])
            series = p.series.get(ind.id)
            spark = sparkline(
                [(str(k), None if pd.isna(x) else float(x)) for k, x in series.items()],
                label=c.t("trend_of", what=c.ind_name(ind)), colour=c.primary, width=120,
                height=28, mark_last=False) \
                if series is not None else ""
            rows.append({"name": c.ind_name(ind), "unit": ind.unit, "period": r["period"],
                         "value": cell(r["value"], status, dec, c.lang),
                         "reference": c.num(r["reference"], dec),
                         "rank": "" if pd.isna(r["rank"]) else
                         f"{int(r['rank'])} / {int(r['n'])}",
                         "status": status,
                         "reason": notes.mark(c.pick(str(r["reason_de"] or ""),
                                                     str(r["reason_en"] or "")))
                         if status != "ok" else "", "spark": spark})
        out.append({"id": p.unit_id, "name": p.name,
                    "context": c.pick(p.context_de, p.context_en), "locator": locator,
                    "rows": rows, "reason_notes": notes.items()})
    return out


# -- chain, goals, network ---------------------------------------------------------------------
def _chain_view(c: _Ctx, chain: dict[str, Any]) -> dict[str, Any]:
    phases = pd.DataFrame(chain.get("phases") or [])
    sectors = list(chain.get("sectors") or [])
    rows = []
    if not phases.empty:
        wide = phases.pivot_table(index="life_phase", columns="sector", values="offers",
                                  aggfunc="sum", sort=False).reindex(columns=sectors)
        order = [p for p in PHASES if p in wide.index] + \
            [p for p in wide.index if p not in PHASES]
        for phase in order:
            name = str(phase)
            rows.append({"label": c.pick(*PHASES.get(name, (name, name))),
                         "cells": [0 if pd.isna(v) else int(v)
                                   for v in wide.loc[phase].to_numpy()]})
    return {**chain, "matrix_rows": rows,
            "sector_labels": [c.pick(*SECTORS.get(s, (s, s))) for s in sectors]}


def _goals_view(c: _Ctx, goals: dict[str, Any]) -> dict[str, Any]:
    data = goals["en" if c.en else "de"]
    rows = []
    for t in data.get("targets", []):
        dec = int(t.get("decimals") or 1)
        rows.append({"goal_id": t.get("goal_id", ""), "indicator": t.get("indicator", ""),
                     "target": f"{c.num(t.get('target_value'), dec)} ({t.get('target_year')})",
                     "current": c.num(t.get("current_value"), dec)
                     + (f" ({t['current_year']})" if t.get("current_year") else ""),
                     "forecast": c.num(t.get("forecast_value"), dec),
                     "status": t.get("status", "no_data"),
                     "status_label": t.get("status_label", ""), "reason": t.get("reason", "")})
    return {"leitbild": data.get("leitbild", {}), "rows": rows, "rule": data.get("rule", ""),
            "counts": data.get("counts", {})}


def _network_view(c: _Ctx, net: dict[str, Any]) -> dict[str, Any]:
    proj = svg.project_cached(net.get("map_key"), net["map_ids"], net["map_geometry"], 640.0)
    palette = {2: c.primary, 1: "#8fb3d9", 0: "#eeeeee"}
    labels = {2: c.t("member_kreis"), 1: c.t("member_gemeinde"), 0: c.t("not_member")}
    fills = [palette[s] for s in net["map_status"]]
    names = [labels[s] for s in net["map_status"]]
    the_map = svg.map_svg(proj, fills, names,
                          label=c.t("membership_map", year=net["year"]))
    legend = [{"swatch": svg.swatch(palette[s]), "label": labels[s],
               "count": net["map_status"].count(s)} for s in (2, 1, 0)]
    funding = (net.get("funding") or {}).get("by_year", {})
    reach_rows = []
    for r in net["reach_by_year"]:
        f = funding.get(r["year"]) or funding.get(str(r["year"])) or {}
        reach_rows.append({"year": r["year"], "members": r["members"],
                           "share": c.num(100 * r["share"], 1) + (" %" if not c.en else "%"),
                           "children": c.num(r["children_in_members"], 0),
                           "funding": c.num(f.get("amount"), 0) if f else "–"})
    share = pd.Series({r["year"]: 100 * r["share"] for r in net["reach_by_year"]})
    chart = trend_svg([(c.t("share_children"), share)], label=c.t("reach"),
                      y_label=c.t("share_children") + " (%)", decimals=0, lang=c.lang,
                      primary=c.primary) if len(share) >= 2 else None
    members = [{"unit_id": m["unit_id"], "name": m["name"], "level": m.get("level") or "",
                "joined": str(m["joined"])[:4]} for m in net["members"]]
    active = sum(1 for m in net["members"] if m.get("active"))
    findings = [c.t("finding_members", n=active, year=net["year"],
                    share=c.num(100 * net["reach_share"], 1),
                    children=c.num(net["children_in_members"], 0),
                    total=c.num(net["children_total"], 0))]
    if funding:
        total = sum(float(v.get("amount") or 0) for v in funding.values())
        findings.append(c.t("finding_funding", amount=c.num(total, 0), years=len(funding)))
    return {"map": the_map, "legend": legend, "reach_rows": reach_rows, "reach_chart": chart,
            "members": members, "findings": findings,
            "notes": [c.pick(net.get("population_source_de", ""),
                             net.get("population_source_en", ""))]}


# -- the whole view -------------------------------------------------------------------------
def build_view(inp: ReportInput, cfg: ReportConfig, lang: str = "de") -> dict[str, Any]:
    """The data the report templates render (findings first)."""
    c = _Ctx(inp, cfg, lang)
    areas = inp.areas
    sections = cfg.sections_for(inp.kind)
    ids, geoms = list(areas["id"]), list(areas["geometry"])
    proj = svg.project_cached(inp.map_key, ids, geoms, 640.0)
    small = svg.project_cached(inp.map_key, ids, geoms, 220.0, tolerance=0.9, decimals=0,
                               outline=True) if "profiles" in sections else proj
    views = [_indicator_view(c, d, proj) for d in inp.indicators]
    findings: list[str] = []
    network = _network_view(c, inp.network) if inp.network is not None else None
    if network is not None:
        findings += network["findings"]
    for view, data in zip(views, inp.indicators, strict=True):
        view["findings"] = _indicator_findings(c, view, data)
        findings += view["findings"][:2]
    mon = _monitoring_view(c, proj) if "monitoring" in sections else None
    if mon is not None:
        area = c.pick(inp.area_level_de, inp.area_level_en)
        if mon["priority"]:
            findings.append(c.t("finding_priority", n=len(mon["priority"]), area=area,
                                names=", ".join(r["name"] for r in mon["priority"][:8]),
                                score=mon["score"]))
        if mon["hotspots"]:
            findings.append(c.t("finding_hotspots", n=len(mon["hotspots"]),
                                names=", ".join(mon["hotspots"][:8]), score=mon["score"]))
    fun = _funnel_view(c, views) if "funnel" in sections else None
    if fun is not None and fun["high"]:
        findings.append(c.t("finding_funnel", n=len(fun["high"]), name=fun["name"],
                            names=", ".join(fun["high"][:8])))
    chain = _chain_view(c, inp.chain) if inp.chain and "chain" in sections else None
    if chain is not None:
        gaps = chain.get("gaps_en" if c.en else "gaps_de") or []
        findings.append(c.t("finding_chain", n=len(gaps)))
    goals = _goals_view(c, inp.goals) if inp.goals and "goals" in sections else None
    if goals is not None:
        counts = goals.get("counts", {})
        findings.append(c.t("finding_goals", n=sum(counts.values()),
                            on=counts.get("on_track", 0), risk=counts.get("at_risk", 0),
                            off=counts.get("off_track", 0), none=counts.get("no_data", 0)))
    indicators = {d.indicator.id: d.indicator for d in inp.indicators}
    profiles = _profile_views(c, small, indicators) if "profiles" in sections else []
    for v in views:
        v.pop("values", None)
        v.pop("status", None)
    datasets = [] if inp.datasets is None else inp.datasets.to_dict("records")
    title = cfg.title or (c.t("title_network", name=inp.subject_name) if inp.kind == "network"
                          else c.t("title_municipality", name=inp.subject_name))
    return {
        "lang": lang, "t": c.t, "title": title, "subject": inp.subject_name,
        "subject_id": inp.subject_id, "kind": inp.kind, "mode": inp.mode,
        "subject_level": c.pick(inp.subject_level_de, inp.subject_level_en),
        "area_level": c.pick(inp.area_level_de, inp.area_level_en), "n_areas": len(areas),
        "created": inp.created.strftime("%d.%m.%Y" if not c.en else "%d %B %Y"),
        "sections": [(s, SECTIONS[s][1 if c.en else 0]) for s in sections],
        "findings": findings, "indicators": views, "monitoring": mon, "funnel": fun,
        "chain": chain, "goals": goals, "network": network, "profiles": profiles,
        "n_profiles_total": len(inp.profiles), "datasets": datasets,
        "attributions": inp.attributions,
        "privacy_rules": [c.pick(de, en) for de, en in inp.privacy_rules],
        "notes": [c.pick(de, en) for de, en in inp.notes],
        "colours": cfg.colours, "suppressed_swatch": svg.swatch(svg.SUPPRESSED),
        "missing_swatch": svg.swatch(svg.MISSING),
        "n_suppressed": int(sum(v["n_suppressed"] for v in views)),
        "classes": cfg.classes,
    }
