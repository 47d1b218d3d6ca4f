"""The Leitbild scorecard page: every target of a unit with its status and a chart.

The municipality of the Leitbild by default; its districts (the units of the levels that
level targets name) on choice.  The status rule is the goals service's sentence
(:meth:`Scorecard.rule`).  Charts (actual values, target path, trend forecast with its
95 % interval) are drawn with :mod:`kekiz.reporting.svg`; values come only from published
(usable) observations, as the goals service reads them.
"""


from __future__ import annotations

from typing import Any

from kekiz.domain.errors import NotFound
from kekiz.domain.goals import GoalStatus
from kekiz.goals.progress import TargetProgress, forecast_band
from kekiz.i18n import Translator, fmt_number
from kekiz.reporting.svg import Series, line_chart
from kekiz.services.pages import PageService
from kekiz.services.views.common import (
    cached,
    credits,
    unit_href,
)

STATUS_CSS = {GoalStatus.ON_TRACK: "on-track", GoalStatus.AT_RISK: "at-risk",
              GoalStatus.OFF_TRACK: "off-track", GoalStatus.NO_DATA: "no-data"}


def target_chart(p: TargetProgress, t: Translator, lang: str) -> Any:
    """Actual values, target path (baseline to target), forecast and its interval."""
    dec = max(int(p.decimals), 0)
    tgt = p.target
    lines: list[Series] = []
    actual: list[tuple[str, float | None]] = [(str(int(y)), float(v)) for y, v in
              zip(p.series["year"], p.series["value"], strict=True)]
    lines.append(Series(t("actual"), actual))
    path: list[tuple[str, float | None]] = []
    if p.baseline_year is not None and p.baseline_value is not None:
        path = [(str(p.baseline_year), float(p.baseline_value))]
    path.append((str(tgt.target_year), float(tgt.target_value)))
    lines.append(Series(t("target_path"), path))
    if p.forecast is not None:
        band = forecast_band(p.forecast, p.target_time or tgt.target_year)
        years = [str(int(y)) for y in band["year"]]
        for key, col in (("forecast", "forecast"), ("interval_low", "low"),
                         ("interval_high", "high")):
            points: list[tuple[str, float | None]] = [
                (y, float(v)) for y, v in zip(years, band[col], strict=True)]
            lines.append(Series(t(key), points))
    label = f"{p.indicator_name(lang)} – {p.unit_name}: {t('chart_goal')}"
    return line_chart(lines, label=label, fmt=lambda v: fmt_number(v, dec, lang),
                      width=640, height=260)


def _unit_choices(m: PageService, lb: Any) -> list[tuple[str, str, str]]:
    """(id, name, level name) of the Leitbild's unit and of the units of its level
    targets that lie below it."""
    levels = {t.level for g in lb.goals for t in g.targets if t.level}
    everyone = m.units_of(None)
    parent = {u.id: u.parent_id for u in everyone}

    def below(uid: str) -> bool:
        cur = parent.get(uid)
        while cur is not None:
            if cur == lb.unit_id:
                return True
            cur = parent.get(cur)
        return False

    out = [(u.id, u.name, u.level) for u in everyone if u.id == lb.unit_id]
    out += sorted(((u.id, u.name, u.level) for u in everyone
                   if u.level in levels and below(u.id)), key=lambda x: (x[2], x[1]))
    return out


def goals(m: PageService, lang: str, *, unit: str | None = None,
          leitbild: str | None = None) -> dict[str, Any]:
    t = Translator(lang)
    known = m.leitbilder()
    if not known:
        raise NotFound("Kein Leitbild im Store.", message_en="No Leitbild in the store.")
    ids = [k[0] for k in known]
    lb_id = leitbild if leitbild in ids else ids[0]
    lb = cached(m, ("leitbild", lb_id), lambda: m.leitbild(lb_id))
    choices = cached(m, ("goal-units", lb_id), lambda: _unit_choices(m, lb))
    valid = {c[0] for c in choices}
    if lb.unit_id not in valid:
        # a tenant who may not read the Leitbild's municipality (no unit id in the text)
        raise NotFound("Für die Gebiete, die Sie sehen dürfen, gibt es kein Leitbild.",
                       message_en="There is no Leitbild for the areas you may see.")
    uid = str(unit if unit in valid else lb.unit_id)
    card = cached(m, ("scorecard", lb_id, uid), lambda: m.goal_scorecard(uid, lb_id))
    level_rows: list[dict[str, Any]] = []
    if uid == lb.unit_id:
        # ~0.1 s per unit and target: computed once per store version, in German
        status = cached(m, ("goal-status", lb_id), lambda: m.goal_status(None, lb_id, "de"))
        names = {e["indicator"].id: t.pick(e["indicator"].name_de, e["indicator"].name_en)
                 for e in m.web_catalogue()["indicators"]}
        names.update({d.id: t.pick(d.name_de, d.name_en) for d in lb.indicators})
        for r in status.get("level_targets", []):
            level_rows.append({**r, "indicator": names.get(r["indicator_id"], r["indicator"]),
                               "target": fmt_number(r["target_value"], 1, lang)})
    goal_text = {g.id: g.result(lang) for g in lb.goals}
    rows = []
    for p in card.rows:
        dec = max(int(p.decimals), 0)
        tgt = p.target
        fc = "–" if p.forecast_value is None else fmt_number(p.forecast_value, dec, lang)
        interval = "" if p.forecast_low is None or p.forecast_high is None else \
            f"{fmt_number(p.forecast_low, dec, lang)} – {fmt_number(p.forecast_high, dec, lang)}"
        rows.append({
            "goal": p.goal_id, "goal_text": goal_text.get(p.goal_id, ""),
            "indicator": p.indicator_name(lang), "indicator_id": tgt.indicator_id,
            "unit": p.indicator_unit,
            "direction": tgt.direction.label_en if lang == "en" else tgt.direction.label_de,
            "target": fmt_number(tgt.target_value, dec, lang), "year": tgt.target_year,
            "baseline": "–" if p.baseline_value is None
            else f"{fmt_number(p.baseline_value, dec, lang)} ({p.baseline_year})",
            "current": "–" if p.current_value is None
            else f"{fmt_number(p.current_value, dec, lang)} ({p.current_year})",
            "forecast": fc, "interval": interval,
            "status": p.shown_status(lang), "css": STATUS_CSS[p.status],
            "reason": p.reason_en if lang == "en" else p.reason_de,
            "notes": p.notes_en if lang == "en" else p.notes_de,
            "chart": target_chart(p, t, lang), "level_target": tgt.level,
            "has_forecast": p.forecast is not None,
        })
    counts = card.counts()
    level_names = {e["level"].id: t.pick(e["level"].name_de, e["level"].name_en)
                   for e in m.web_catalogue()["levels"]}
    return ({
        "lb": lb, "leitbilder": known, "card": card, "rows": rows, "rule": card.rule(lang),
        "counts": [(GoalStatus(k).label(lang), STATUS_CSS[GoalStatus(k)], v)
                   for k, v in counts.items()],
        "choices": [(i, n, level_names.get(lv, lv)) for i, n, lv in choices],
        "chosen": uid, "level_rows": level_rows, "level_names": level_names,
        "status_labels": {s.value: s.label(lang) for s in GoalStatus},
        "unit_link": unit_href(uid),
        "credits": credits(m, ("leitbild",)),
    })
