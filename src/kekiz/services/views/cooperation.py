"""The cooperation-network page: graph, metrics by sector, brokers, wave comparison.

The graph is drawn here as SVG from the layout the cooperation service
computes (:func:`kekiz.services.coop_layout.cooperation_layout`); no JavaScript library.  A wave
marked synthetic is labelled so on the page, in the graph title and in the credits.
"""


from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from kekiz.domain.cooperation import SCALE_MAX
from kekiz.domain.directory import sector_label
from kekiz.domain.errors import NotFound
from kekiz.i18n import Translator, fmt_number, fmt_percent
from kekiz.services.coop_layout import GraphLayout, cooperation_layout
from kekiz.services.pages import PageService
from kekiz.services.views.common import (
    cached,
    credits,
    each_row,
)

SECTOR_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
                  "#000000", "#f0e442", "#999999"]


def graph_svg(layout: GraphLayout, colours: dict[str, str], brokers: set[str], *,
              label: str, lang: str, width: int = 820, height: int = 620) -> Markup:
    """Edges as lines, actors as circles (size by degree, colour by sector, brokers
    with a dark ring); every actor has a title (name, sector, degree)."""
    if not layout.nodes:
        return Markup("")
    pad = 14
    pos = {n.id: (pad + n.x * (width - 2 * pad), pad + (1 - n.y) * (height - 2 * pad))
           for n in layout.nodes}
    out = [f'<svg class="chart graph" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(label)}</title><g class=\"edges\">"]
    for e in layout.edges:
        (x1, y1), (x2, y2) = pos[e.a], pos[e.b]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="#9a9a9a" stroke-width="{1.1 if e.reciprocated else 0.6}" '
                   f'stroke-opacity="0.7"/>')
    out.append('</g><g class="nodes">')
    for n in layout.nodes:
        x, y = pos[n.id]
        r = 3.0 + min(n.degree, 20) * 0.35
        ring = ' stroke="#111111" stroke-width="2"' if n.id in brokers else \
            ' stroke="#ffffff" stroke-width="0.8"'
        title = f"{n.name} ({sector_label(n.sector, lang)}, " + \
            ("Grad" if lang == "de" else "degree") + f" {n.degree})"
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
                   f'fill="{colours.get(n.sector, "#999999")}"{ring} data-id="{escape(n.id)}">'
                   f"<title>{escape(title)}</title></circle>")
    out.append("</g></svg>")
    return Markup("".join(out))


def _pct(v: Any, lang: str, d: int = 1) -> str:
    return "–" if v is None else fmt_percent(v, d, lang)


def _change(a: Any, b: Any, lang: str, pct: bool = False, d: int = 1) -> str:
    if a is None or b is None:
        return "–"
    diff = float(b) - float(a)
    if pct:
        text = fmt_number(diff * 100, d, lang)
        unit = " Prozentpunkte" if lang == "de" else " percentage points"
    else:
        text, unit = fmt_number(diff, d + 1, lang), ""
    return ("+" if diff > 0 else "") + text + unit


def _comparison(m: PageService, lang: str, wave: int, numbers: list[int],
                compare: int | None, names: dict[str, str]
                ) -> tuple[dict[str, Any] | None, int | None]:
    """The comparison with another wave (default: the one before), on the scales the
    metrics use (trust and value in % of the scale maximum, as in the tables above); the
    partners that joined or left named, never by id."""
    t = Translator(lang)
    others = [n for n in numbers if n != wave]
    if compare is None and others:
        earlier = [n for n in others if n < wave]
        compare = earlier[-1] if earlier else None
    if compare is None or compare not in numbers or compare == wave:
        return None, compare
    c = cached(m, ("coop-compare", compare, wave), lambda: m.compare_cooperation(compare, wave))
    old = m.cooperation_network(compare)
    known = {**{p.id: p.name for p in old.partners.values()}, **names}

    def scale(v: float | None) -> float | None:
        return None if v is None else v / SCALE_MAX

    comparison = {
        "a": c.wave_a, "b": c.wave_b,
        "rows": [
            (t("density"), _pct(c.density_a, lang, 2), _pct(c.density_b, lang, 2),
             _change(c.density_a, c.density_b, lang, pct=True, d=2)),
            (t("trust"), _pct(scale(c.trust_a), lang), _pct(scale(c.trust_b), lang),
             _change(scale(c.trust_a), scale(c.trust_b), lang, pct=True)),
            (t("benefit"), _pct(scale(c.value_a), lang), _pct(scale(c.value_b), lang),
             _change(scale(c.value_a), scale(c.value_b), lang, pct=True)),
            (t("components"), str(c.components_a), str(c.components_b),
             _change(c.components_a, c.components_b, lang, d=-1)),
            (t("isolates"), str(c.isolates_a), str(c.isolates_b),
             _change(c.isolates_a, c.isolates_b, lang, d=-1)),
        ],
        "new": len(c.new_ties), "lost": len(c.lost_ties), "kept": len(c.kept_ties),
        "lost_with_actor": c.lost_with_actor,
        "actors_new": [known.get(a, a) for a in c.actors_new],
        "actors_left": [known.get(a, a) for a in c.actors_left],
    }
    return comparison, compare


def cooperation(m: PageService, lang: str, *, wave: int | None = None,
                compare: int | None = None) -> dict[str, Any]:
    t = Translator(lang)
    waves = m.cooperation_waves()
    if not waves:
        raise NotFound("Kein Kooperationsnetzwerk im Store.",
                       message_en="No cooperation network in the store.")
    numbers = [int(w["wave"]) for w in waves]
    if wave is None:
        wave = numbers[-1]
    if wave not in numbers:
        raise NotFound(f"Welle {wave} gibt es nicht; vorhanden: "
                       f"{', '.join(map(str, numbers))}.",
                       message_en=f"No wave {wave}; available: "
                       f"{', '.join(map(str, numbers))}.")
    info = next(w for w in waves if int(w["wave"]) == wave)
    synthetic = bool(info.get("synthetic")) or "SYNTHETISCH" in str(info["label"]).upper()
    mt = cached(m, ("coop-metrics", wave), lambda: m.cooperation_metrics(wave))
    net = cached(m, ("coop-net", wave), lambda: m.cooperation_network(wave))
    layout = cooperation_layout(net, cache_key=m.cache_key("coop-layout"))
    actors = m.publish(mt.actor_table)
    sectors = sorted(set(actors["sector"]))
    colours = {s: SECTOR_COLOURS[i % len(SECTOR_COLOURS)] for i, s in enumerate(sectors)}
    brokers_frame = mt.brokers(10)
    broker_ids = set(actors.loc[actors["broker"].astype(bool), "id"])
    label = t("coop_graph", wave=wave) + (f" ({t('synthetic_label')})" if synthetic else "")
    svg = graph_svg(layout, colours, broker_ids, label=label, lang=lang)
    sec = m.publish(mt.sectors)
    within = sec[sec["sector_a"] == sec["sector_b"]]
    between = sec[sec["sector_a"] != sec["sector_b"]]

    def dens(frame: Any) -> str:
        possible = float(frame["possible"].sum())
        return _pct(float(frame["ties"].sum()) / possible if possible else None, lang, 1)

    sector_rows = [{"a": sector_label(r.sector_a, lang), "b": sector_label(r.sector_b, lang),
                    "within": r.sector_a == r.sector_b, "ties": int(r.ties),
                    "possible": int(r.possible), "density": _pct(r.density, lang)}
                   for r in each_row(sec.sort_values(["density", "ties"], ascending=False))]
    names = dict(zip(actors["id"], actors["name"], strict=True))
    comparison, compare = _comparison(m, lang, wave, numbers, compare, names)
    return ({
        "wave": wave, "waves": waves, "info": info, "synthetic": synthetic, "mt": mt,
        "svg": svg, "legend": [(colours[s], sector_label(s, lang)) for s in sectors],
        "density": _pct(mt.density, lang, 2), "reciprocity": _pct(mt.reciprocity, lang),
        "trust": _pct(None if mt.trust_pct is None else mt.trust_pct / 100, lang),
        "value": _pct(None if mt.value_pct is None else mt.value_pct / 100, lang),
        "within": dens(within), "between": dens(between), "sector_rows": sector_rows,
        "largest": len(mt.components[0]) if mt.components else 0,
        "isolates": [names.get(i, i) for i in mt.isolates],
        "brokers": [{"name": r.name, "sector": sector_label(r.sector, lang),
                     "degree": int(r.degree),
                     "betweenness": fmt_number(r.betweenness, 3, lang),
                     "brokerage": int(r.brokerage), "cutpoint": bool(r.cutpoint)}
                    for r in each_row(brokers_frame)],
        "n_brokers": len(broker_ids), "comparison": comparison, "compare": compare,
        "credits": credits(m, ("cooperation",)),
    })
