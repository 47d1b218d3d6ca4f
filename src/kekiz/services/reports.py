"""Reports (issue #9): the Sozialraumbericht of a municipality and the state-network report.

``kekiz report KEY``: KEY is the id of a unit.

* A unit with sub-areas (e.g. Köln ``05315000`` with its Stadtteile, or a Kreis with its
  Gemeinden) gets a *district report*: the areas are the finest level below it that has at
  least two areas (``level`` in the config chooses another).  A kreisfreie Stadt can also
  be given by its Kreis key (``05315`` -> ``05315000``).
* A unit without sub-areas (e.g. a kreisangehörige Stadt) gets a *peer report*: the unit
  among all units of its level in the store (a kreisfreie Stadt among the Kreise).
* ``network`` (or ``netzwerk``) gives the report of the state network (``programme``,
  default "Kein Kind zurücklassen!"): all Kreise of the state with the members outlined,
  membership, reach and funding, and one profile page per member.

:meth:`ReportService.report_batch` writes the network report and one report per member.
Everything here only reads, through the publication gate (:mod:`kekiz.privacy.publish`):
every table is published for the report's audience before it reaches
:mod:`kekiz.reporting`, and derived figures are computed by the monitoring, chain, goal and
network services over the store without withheld values, so a suppressed value never
leaves this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from kekiz.analysis.spatial import DEFAULT_SEED
from kekiz.domain.errors import KekizError, MethodError, NotFound
from kekiz.domain.model import Dataset, Indicator, Unit
from kekiz.privacy.publish import PUBLIC, Audience, publish, with_reasons
from kekiz.reporting.report_config import ReportConfig, load_config
from kekiz.reporting.report_html import render_html
from kekiz.reporting.report_model import (
    USABLE,
    IndicatorInput,
    MonitoringInput,
    ProfileInput,
    ReportInput,
)
from kekiz.reporting.report_pdf import html_to_pdf
from kekiz.services.base import Progress, attributions_of, language, no_progress
from kekiz.services.chain import ChainService
from kekiz.services.derived import stored_breaks
from kekiz.services.goals import GoalService
from kekiz.services.monitoring import MonitoringService
from kekiz.services.network import NetworkService
from kekiz.services.report_parts import (
    VersionMemo,
    dataset_table,
    dative,
    funnel_input,
    plural,
    privacy_rules,
    rerank,
)
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["NETWORK_KEYS", "ReportResult", "ReportService"]

NETWORK_KEYS = ("network", "netzwerk")
DEFAULT_PROGRAMME = "Kein Kind zurücklassen!"
_DERIVED = re.compile(r"_(klasse|lisa|dynamik|prioritaet|trend|veraenderung|eb)$")
_LISA_KEYS = {0: "ns", 1: "HH", 2: "LL", 3: "HL", 4: "LH", 9: "island"}


@dataclass
class ReportResult:
    """A written report: path, format, size in bytes, the report's unit and notes."""

    path: Path
    fmt: str
    size: int
    key: str
    name: str
    notes: list[str] = field(default_factory=list)



class ReportService:
    """Reports of a municipality and of the state network, as HTML or PDF.

    ``store`` is read through the publication gate; ``monitoring``, ``chain``, ``goals``
    and ``network`` are services over the store without withheld values (their figures
    are published in the report); ``audience`` is who the report is for.
    """

    def __init__(self, store: Store, settings: Settings, *, monitoring: MonitoringService,
                 chain: ChainService, goals: GoalService, network: NetworkService,
                 audience: Audience = PUBLIC) -> None:
        self.store = store
        self.settings = settings
        self._monitoring = monitoring
        self._chain = chain
        self._goals = goals
        self._network = network
        self.audience = audience
        #: what the reports of a batch share, kept per data version (report_parts)
        self._memo = VersionMemo(store)

    def _published(self, obs: pd.DataFrame) -> pd.DataFrame:
        """Observations with their reasons, published for the report's audience."""
        return publish(with_reasons(obs), self.audience)

    # -- public use cases ------------------------------------------------------------------
    def report(self, key: str, out: Path, *, fmt: str | None = None,
               config: Path | ReportConfig | None = None, lang: str | None = None,
               programme: str | None = None) -> ReportResult:
        """Write the report of ``key`` (a unit key, or ``network``) as HTML or PDF."""
        fmt = (fmt or out.suffix.lstrip(".") or "html").lower()
        lang = lang or language(self.settings)
        data, inp = self._render(key, fmt, config, lang, programme)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        return ReportResult(out, fmt, len(data), inp.subject_id, inp.subject_name,
                            [en if lang == "en" else de for de, en in inp.notes])

    def render(self, key: str, fmt: str = "html", *, lang: str | None = None) -> bytes:
        """The report of ``key`` as HTML (UTF-8) or PDF bytes, for the web (no file)."""
        return self._render(key, fmt.lower(), None, lang or language(self.settings),
                            None)[0]

    def _render(self, key: str, fmt: str, config: Path | ReportConfig | None, lang: str,
                programme: str | None) -> tuple[bytes, ReportInput]:
        if fmt not in ("html", "pdf"):
            raise MethodError(f"Unbekanntes Berichtsformat '{fmt}'. Möglich: html, pdf.",
                              message_en=f"Unknown report format '{fmt}'. Possible: html, pdf.")
        cfg = config if isinstance(config, ReportConfig) else load_config(config)
        inp = self.report_input(key, cfg, programme=programme)
        html = render_html(inp, cfg, lang)
        return (html_to_pdf(html) if fmt == "pdf" else html.encode("utf-8")), inp

    def report_batch(self, out_dir: Path, *, programme: str | None = None,
                     fmt: str = "html", config: Path | ReportConfig | None = None,
                     lang: str | None = None, limit: int | None = None,
                     progress: Progress = no_progress) -> list[ReportResult]:
        """The network report (``netzwerk.<fmt>``) and one report per member
        (``<key>.<fmt>``) in ``out_dir``, one after the other (``kekiz report-batch``
        spreads them over processes: :mod:`kekiz.cli.report_pool`)."""
        cfg = config if isinstance(config, ReportConfig) else load_config(config)
        jobs = self.batch_jobs(out_dir, programme=programme, fmt=fmt, limit=limit)
        results = []
        progress("Berichte", 0, len(jobs))
        for n, (key, out, prog) in enumerate(jobs, start=1):
            results.append(self.report(key, out, fmt=fmt, config=cfg, lang=lang,
                                       programme=prog))
            progress("Berichte", n, len(jobs))
        return results

    @staticmethod
    def config(config: Path | ReportConfig | None = None) -> ReportConfig:
        """The report configuration of a file (None: the default one), checked."""
        return config if isinstance(config, ReportConfig) else load_config(config)

    def batch_jobs(self, out_dir: Path, *, programme: str | None = None, fmt: str = "html",
                   limit: int | None = None) -> list[tuple[str, Path, str | None]]:
        """(key, file, programme) of the reports of a batch: the network, then each
        member; ``out_dir`` is created."""
        if fmt not in ("html", "pdf"):
            raise MethodError(f"Unbekanntes Berichtsformat '{fmt}'. Möglich: html, pdf.",
                              message_en=f"Unknown report format '{fmt}'. Possible: html, pdf.")
        programme = programme or self._report_programme()
        members = sorted({m.unit_id: m.name for m in self.store.members(programme)}.items())
        if not members:
            raise NotFound(f"Das Programm '{programme}' hat keine Mitglieder.",
                           message_en=f"The programme '{programme}' has no members.")
        members = members[:limit] if limit is not None else members
        out_dir.mkdir(parents=True, exist_ok=True)
        jobs: list[tuple[str, Path, str | None]] = [
            ("network", out_dir / f"netzwerk.{fmt}", programme)]
        return jobs + [(uid, out_dir / f"{uid}.{fmt}", None) for uid, _name in members]

    def report_input(self, key: str, cfg: ReportConfig | None = None, *,
                     programme: str | None = None) -> ReportInput:
        """The published data of the report of ``key`` (see the module docstring)."""
        cfg = cfg or ReportConfig()
        if key.strip().lower() in NETWORK_KEYS:
            if self.audience.own_units:  # the benchmarking never holds private data
                raise KekizError(
                    "Der Bericht des Landesnetzwerks wird nur öffentlich erstellt (ohne "
                    "--tenant): er vergleicht die Kommunen und enthält keine privaten Daten.",
                    message_en="The state network's report is built for the public only "
                    "(without --tenant): it compares the municipalities and holds no "
                    "private data.")
            return self._network_input(cfg, programme or self._report_programme())
        return self._municipality_input(key.strip(), cfg)

    # -- the municipality report ----------------------------------------------------------
    def _resolve(self, key: str) -> Unit:
        store = self.store
        unit = store.unit(key)
        if unit.level == "kreis":
            gem = store.units(level="gemeinde", parent_id=unit.id)
            if len(gem) == 1:
                return gem[0]
        return unit

    def _area_level(self, unit: Unit, cfg: ReportConfig) -> tuple[str, list[str]] | None:
        """The level of the districts and their ids (None: no sub-areas)."""
        frame = self._units_frame()[["id", "level", "parent_id"]]
        children: dict[str, list[str]] = {}
        for uid, parent in zip(frame["id"], frame["parent_id"], strict=True):
            if isinstance(parent, str):
                children.setdefault(parent, []).append(uid)
        level_of = dict(zip(frame["id"], frame["level"], strict=True))
        found: dict[str, list[str]] = {}
        todo = list(children.get(unit.id, []))
        while todo:
            uid = todo.pop()
            found.setdefault(level_of[uid], []).append(uid)
            todo.extend(children.get(uid, []))
        if cfg.level is not None:
            if cfg.level not in found:
                raise NotFound(
                    f"Unterhalb von {unit.name} ({unit.id}) gibt es keine Gebiete der Ebene "
                    f"'{cfg.level}' (Konfiguration 'level'). Vorhanden: "
                    f"{', '.join(found) or '–'}.",
                    message_en=f"There are no areas of level '{cfg.level}' below {unit.name} "
                    f"({unit.id}) (config 'level'). Available: {', '.join(found) or '–'}.")
            return cfg.level, sorted(found[cfg.level])
        ranks = {lv.id: lv.rank for lv in self._levels()}
        usable = [lv for lv, ids in found.items() if len(ids) >= 2]
        if not usable:
            return None
        level = max(usable, key=lambda lv: ranks.get(lv, 0))
        return level, sorted(found[level])

    def _municipality_input(self, key: str, cfg: ReportConfig) -> ReportInput:
        store = self.store
        unit = self._resolve(key)
        levels = {lv.id: lv for lv in self._levels()}
        found = self._area_level(unit, cfg)
        notes: list[tuple[str, str]] = []
        if found is not None:
            level, ids = found
            mode = "districts"
        else:
            mode = "peers"
            if unit.level == "gemeinde" and unit.parent_id:
                siblings = store.units(level="gemeinde", parent_id=unit.parent_id)
                if len(siblings) == 1:
                    unit = store.unit(unit.parent_id)
            level = cfg.level or unit.level
            ids = sorted(store.units_frame(level)["id"])
        areas = self._report_areas(level, ids)
        map_key = (self._memo.key(), level, tuple(ids))
        inds = self._report_indicators(level, ids, cfg)
        inputs = [i for i in (self._indicator_input(ind, level, ids, unit.id)
                              for ind in inds) if i is not None]
        monitoring = self._report_monitoring(level, ids, inputs, cfg)
        chain = self._report_chain(unit) if mode == "districts" else None
        goals = self._report_goals(unit)
        profile_ids = ids if mode == "districts" else [unit.id]
        names = dict(zip(areas["id"], areas["name"], strict=True))
        parents = dict(zip(areas["id"], areas["parent_name"], strict=True))
        profiles = self._profiles_from_inputs(profile_ids, names, parents, inputs, unit.name)
        lv, alv = levels[unit.level], levels[level]
        if any(i.indicator.id.endswith("_synth") for i in inputs):
            notes.append(("Dieser Bericht enthält SYNTHETISCHE Demo-Indikatoren (erfundene "
                          "Schuleingangsdaten).", "This report contains SYNTHETIC demo "
                          "indicators (invented school-entrance data)."))
        return ReportInput(
            kind="municipality", subject_id=unit.id, subject_name=unit.name,
            subject_level_de=lv.name_de, subject_level_en=lv.name_en or lv.name_de,
            area_level_de=plural(alv.name_de) if alv.builtin else dative(
                alv.name("de", plural=True)),
            area_level_en=alv.name("en", plural=True),
            mode=mode, areas=areas, highlight=[unit.id] if mode == "peers" else [],
            indicators=inputs, profiles=profiles, monitoring=monitoring, chain=chain,
            goals=goals, funnel=funnel_input(inputs),
            datasets=dataset_table(used := self._used_datasets(
                inputs, level, ids, unit.id, chain=chain is not None,
                goals=goals is not None)),
            attributions=attributions_of(used), privacy_rules=privacy_rules(inputs), notes=notes,
            map_key=map_key)

    def _levels(self) -> list[Any]:
        return self._memo.get("levels", self.store.levels)

    def _units_frame(self) -> pd.DataFrame:
        return self._memo.get("units", self.store.units_frame)

    def _report_areas(self, level: str, ids: list[str]) -> pd.DataFrame:
        """id, name, parent_name, geometry (shapely) of ``ids``, read once per data
        version for all reports over the same areas."""
        return self._memo.get(("areas", level, tuple(ids)),
                              lambda: self._read_areas(level, ids))

    def _read_areas(self, level: str, ids: list[str]) -> pd.DataFrame:
        geo = self.store.geometries(level)
        geo = geo[geo["id"].isin(ids)]
        wkb = geo["geometry"].to_numpy()
        shapes = np.array([None] * len(wkb), dtype=object)
        has = np.array([g is not None for g in wkb], dtype=bool)
        if has.any():
            shapes[has] = shapely.from_wkb(wkb[has])
        allu = self._units_frame()
        names = dict(zip(allu["id"], allu["name"], strict=True))
        frame = pd.DataFrame({"id": geo["id"].to_numpy(), "name": geo["name"].to_numpy(),
                              "parent_name": [names.get(p, "") if isinstance(p, str) else ""
                                              for p in geo["parent_id"]],
                              "geometry": shapes})
        return frame.sort_values("id").reset_index(drop=True)

    def _report_indicators(self, level: str, ids: list[str],
                           cfg: ReportConfig) -> list[Indicator]:
        return self._memo.get(("indicators", level, tuple(ids), repr(cfg)),
                              lambda: self._choose_indicators(level, ids, cfg))

    def _choose_indicators(self, level: str, ids: list[str],
                           cfg: ReportConfig) -> list[Indicator]:
        store = self.store
        known = {i.id: i for i in store.indicators()}
        if cfg.indicators is not None:
            bad = [i for i in cfg.indicators if i not in known]
            if bad:
                raise NotFound(
                    f"Berichtskonfiguration, Schlüssel 'indicators': {', '.join(bad)} gibt es "
                    "nicht im Store. Abhilfe: Namen aus 'kekiz indicators' verwenden.",
                    message_en=f"Report configuration, key 'indicators': {', '.join(bad)} "
                    "not in the store. Fix: use names from 'kekiz indicators'.")
            return [known[i] for i in cfg.indicators][:cfg.max_indicators]
        obs = store.observations(level=level)
        obs = obs[obs["unit_id"].isin(ids)]
        present = set(obs["indicator_id"].unique())
        cands = [known[i] for i in present if i in known and not _DERIVED.search(i)
                 and known[i].unit not in ("Personen", "Punkte", "Anzahl")
                 and str(known[i].aggregation.value) != "sum"]
        cands.sort(key=lambda i: (i.id.endswith("_synth"), i.polarity == 0, i.sector,
                                  i.name_de.lower()))
        return cands[:cfg.max_indicators]

    def _indicator_input(self, ind: Indicator, level: str, ids: list[str],
                         subject_id: str) -> IndicatorInput | None:
        """``ind`` over ``ids`` (read once per data version for all reports over the same
        areas) with the values of ``subject_id``."""
        common = self._memo.get(("indicator", ind.id, level, tuple(ids)),
                                lambda: self._indicator_common(ind, level, ids))
        if common is None:
            return None
        subject = self._published(self.store.observations(indicator_id=ind.id,
                                                          unit_ids=[subject_id]))
        return IndicatorInput(ind, common.period, common.values, common.series,
                              subject[["period", "value", "status"]].reset_index(drop=True),
                              common.breaks)

    def _indicator_common(self, ind: Indicator, level: str,
                          ids: list[str]) -> IndicatorInput | None:
        store = self.store
        series = store.observations(indicator_id=ind.id, unit_ids=ids)
        if series.empty:
            return None
        series = self._published(series)
        usable = series[series["status"].isin(USABLE) & series["value"].notna()]
        cover = usable.groupby("period")["unit_id"].nunique()
        if len(cover):
            period = max(str(p) for p, n in cover.items() if n >= 0.5 * cover.max())
        else:
            period = str(series["period"].max())
        values = series[series["period"] == period]
        cols = ["unit_id", "value", "numerator", "denominator", "status", "reason_de",
                "reason_en"]
        return IndicatorInput(ind, period, values[cols].reset_index(drop=True),
                              series[["unit_id", "period", "value", "status"]]
                              .reset_index(drop=True), pd.DataFrame(),
                              stored_breaks(store, ind.id, level, period))

    def _profiles_from_inputs(self, ids: list[str], names: dict[str, str],
                              parents: dict[str, str], inputs: list[IndicatorInput],
                              subject: str) -> list[ProfileInput]:
        """One profile per unit of ``ids`` from the indicators' published values."""
        prepared = []
        for d in inputs:
            v = d.values.drop_duplicates("unit_id").set_index("unit_id")
            ok = v[v["status"].isin(USABLE) & v["value"].notna()]["value"].astype(float)
            rank = ok.rank(ascending=False, method="min").to_dict()
            subj = d.subject[(d.subject["period"] == d.period)
                             & d.subject["status"].isin(USABLE)]
            ref = float(subj["value"].iloc[0]) if len(subj) and pd.notna(
                subj["value"].iloc[0]) else (float(ok.median()) if len(ok) else np.nan)
            s = d.series.assign(value=d.series["value"].where(
                d.series["status"].isin(USABLE)).astype(float),
                period=d.series["period"].astype(str)).sort_values("period")
            series = {u: pd.Series(g["value"].to_numpy(), index=g["period"].to_numpy())
                      for u, g in s.groupby("unit_id", sort=False)}
            prepared.append((d, v.to_dict("index"), rank, ref, len(ok), series))
        cols = ["indicator_id", "period", "value", "status", "reason_de", "reason_en",
                "reference", "rank", "n"]
        out = []
        for uid in ids:
            rows = []
            series_of: dict[str, pd.Series] = {}
            for d, values, rank, ref, n, series in prepared:
                r = values.get(uid)
                if r is not None:
                    rows.append((d.indicator.id, d.period, r["value"], r["status"],
                                 r["reason_de"], r["reason_en"], ref, rank.get(uid, np.nan), n))
                if uid in series:
                    series_of[d.indicator.id] = series[uid]
            parent = parents.get(uid) or ""
            ctx_de = f"{parent} · Vergleichswert: {subject}" if parent else \
                f"Vergleichswert: {subject} (sonst Median)"
            ctx_en = f"{parent} · reference: {subject}" if parent else \
                f"reference: {subject} (else median)"
            out.append(ProfileInput(uid, names.get(uid, uid), ctx_de, ctx_en, uid,
                                    pd.DataFrame(rows, columns=cols), series_of))
        return out

    # -- monitoring, chain, goals ------------------------------------------------------------
    def _score(self, level: str, ids: list[str], inputs: list[IndicatorInput],
               cfg: ReportConfig) -> Indicator | None:
        if cfg.score is not None:
            return self.store.indicator(cfg.score)
        obs = self.store.observations(indicator_id="gisd_score", level=level)
        if obs["unit_id"].isin(ids).sum() >= 4:
            return self.store.indicator("gisd_score")
        best: tuple[int, Indicator] | None = None
        for d in inputs:
            ok = int((d.values["status"].isin(USABLE) & d.values["value"].notna()).sum())
            if d.indicator.polarity != 0 and ok >= 4 and (best is None or ok > best[0]):
                best = (ok, d.indicator)
        return best[1] if best else None

    def _report_monitoring(self, level: str, ids: list[str], inputs: list[IndicatorInput],
                           cfg: ReportConfig) -> MonitoringInput | None:
        """Classes, hot spots and priorities of the areas (once per data version for all
        reports over the same areas and indicators)."""
        key = ("monitoring", level, tuple(ids), cfg.score, tuple(d.indicator.id
                                                                for d in inputs))
        return self._memo.get(key, lambda: self._make_monitoring(level, ids, inputs, cfg))

    def _make_monitoring(self, level: str, ids: list[str], inputs: list[IndicatorInput],
                         cfg: ReportConfig) -> MonitoringInput | None:
        score = self._score(level, ids, inputs, cfg)
        if score is None or score.polarity == 0:
            return None
        try:
            stored = self._stored_monitoring(score, level, ids)
            return stored if stored is not None else self._computed_monitoring(score, level,
                                                                               ids)
        except KekizError:
            return None

    def _stored_monitoring(self, score: Indicator, level: str,
                           ids: list[str]) -> MonitoringInput | None:
        names = [f"{score.id}_klasse", f"{score.id}_lisa", f"{score.id}_prioritaet"]
        obs = self.store.observations(indicator_id=names, unit_ids=ids)
        if obs.empty or set(obs["indicator_id"]) != set(names):
            return None
        obs = obs[obs["period"] == obs["period"].max()]
        period = str(obs["period"].iloc[0])
        wide = obs.pivot_table(index="unit_id", columns="indicator_id", values="value",
                               aggfunc="first")
        cls_params = json.loads(obs[obs["indicator_id"] == names[0]]["params"].iloc[0] or "{}")
        legend = cls_params.get("legend", {})
        k = int(cls_params.get("k", 5))
        prio = obs[obs["indicator_id"] == names[2]].set_index("unit_id")["params"]
        rows = []
        for uid in wide.index:
            p = json.loads(prio.get(uid) or "{}") if uid in prio.index else {}
            klass = wide.loc[uid, names[0]]
            code = wide.loc[uid, names[1]]
            rows.append({"unit_id": uid, "klass": klass, "k": k,
                         "label_de": legend.get(str(int(klass)), "") if pd.notna(klass) else "",
                         "label_en": "",
                         "lisa": _LISA_KEYS.get(int(code)) if pd.notna(code) else None,
                         "rank": p.get("rank"), "points": wide.loc[uid, names[2]],
                         "priority": bool(p.get("priority", False)),
                         "reasons_de": p.get("reasons", ""),
                         "reasons_en": p.get("reasons_en", "")})
        table = pd.DataFrame(rows)
        own = self.store.observations(indicator_id=score.id, unit_ids=ids, period=period)
        hidden = set(own.loc[own["status"] == "suppressed", "unit_id"])
        if hidden:  # a stored result must not outlive a later suppression of its input
            gone = table["unit_id"].isin(hidden)
            table.loc[gone, ["klass", "points", "rank", "lisa"]] = None
            table.loc[gone, ["reasons_de", "reasons_en", "label_de"]] = ""
            table.loc[gone, "priority"] = False
        table = rerank(table)
        ds_params = json.loads(obs[obs["indicator_id"] == names[2]]["params"].iloc[0] or "{}")
        rule = self._priority_rule(score, level, period)
        return MonitoringInput(score, period, table, rule[0] or str(ds_params.get("rule", "")),
                               rule[1], True)

    def _priority_rule(self, score: Indicator, level: str, period: str) -> tuple[str, str]:
        for d in sorted(self.store.datasets(), key=lambda d: -(d.id or 0)):
            details = d.details or {}
            params = details.get("params") or {}
            if d.kind == "derived" and params.get("method") == "priority" and \
                    params.get("of") == score.id and details.get("level") == level:
                return str(params.get("rule", "")), str(params.get("rule_en", ""))
        return "", ""

    def _computed_monitoring(self, score: Indicator, level: str,
                             ids: list[str]) -> MonitoringInput | None:
        mon = self._monitoring
        cls = mon.compute_classes(score.id, level, None, "quantile9", 5, None)
        lis = mon.compute_lisa(score.id, level, cls.period, permutations=999, seed=DEFAULT_SEED,
                            fdr=False, alpha=0.05, weights="queen", threshold=None)
        tr = mon.trends.compute_trend(score.id, level, None, int(cls.period[:4]))
        pr = mon.trends.compute_priority(score.id, level, cls, lis, tr, 4.0)
        ct = cls.table.set_index("unit_id")
        lt = lis.table.set_index("unit_id")
        pt = pr.table.set_index("unit_id")
        k = int(ct["class"].max())
        rows = []
        for uid in ct.index:
            if uid not in ids:
                continue
            rows.append({"unit_id": uid, "klass": ct.loc[uid, "class"], "k": k,
                         "label_de": ct.loc[uid, "label"], "label_en": ct.loc[uid, "label_en"],
                         "lisa": _LISA_KEYS.get(int(lt.loc[uid, "code"]))
                         if uid in lt.index and pd.notna(lt.loc[uid, "code"]) else None,
                         "rank": pt.loc[uid, "rank"] if uid in pt.index else None,
                         "points": pt.loc[uid, "score"] if uid in pt.index else None,
                         "priority": bool(pt.loc[uid, "priority"]) if uid in pt.index
                         else False,
                         "reasons_de": pt.loc[uid, "reasons"] if uid in pt.index else "",
                         "reasons_en": pt.loc[uid, "reasons_en"] if uid in pt.index else ""})
        if not rows:
            return None
        return MonitoringInput(score, cls.period, rerank(pd.DataFrame(rows)),
                               str(pr.summary.get("rule", "")),
                               str(pr.summary.get("rule_en", "")), False)

    def _report_chain(self, unit: Unit) -> dict[str, Any] | None:
        try:
            result = self._chain.matrix(unit=unit.id)
        except KekizError:  # no offers stored for this municipality: no chain section
            return None
        if not result.offers:
            return None
        data: dict[str, Any] = result.to_dict()
        return data

    def _report_goals(self, unit: Unit) -> dict[str, Any] | None:
        goals = self._goals
        ids = [lb for lb in goals.leitbilder() if lb[2] == unit.id]
        if not ids:
            return None
        try:
            de = goals.status(unit.id, ids[0][0], lang="de")
            en = goals.status(unit.id, ids[0][0], lang="en")
        except KekizError:  # a Leitbild that cannot be assessed here: no goals section
            return None
        return {"de": de, "en": en, "counts": de.get("counts", {})}

    # -- the network report -----------------------------------------------------------------
    def _report_programme(self) -> str:
        programmes = sorted({m.programme for m in self.store.members()})
        if not programmes:
            raise NotFound("Es sind keine Mitglieder eines Landesnetzwerks gespeichert. "
                           "Abhilfe: 'kekiz import members'.",
                           message_en="No members of a state network are stored. Fix: "
                           "'kekiz import members'.")
        return DEFAULT_PROGRAMME if DEFAULT_PROGRAMME in programmes else programmes[0]

    def _network_input(self, cfg: ReportConfig, programme: str) -> ReportInput:
        store = self.store
        members = [m for m in store.members(programme) if m.programme == programme]
        if not members:
            raise NotFound(f"Das Programm '{programme}' hat keine Mitglieder.",
                           message_en=f"The programme '{programme}' has no members.")
        level = cfg.level or "kreis"
        ids = sorted(store.units_frame(level)["id"])
        areas = self._report_areas(level, ids)
        units = self._units_frame().set_index("id")
        outline = sorted({m.unit_id if m.unit_id in ids else
                          str(units["parent_id"].get(m.unit_id)) for m in members}
                         & set(ids))
        inds = self._report_indicators(level, ids, cfg)
        inputs = [i for i in (self._indicator_input(ind, level, ids, "__none__")
                              for ind in inds) if i is not None]
        monitoring = self._report_monitoring(level, ids, inputs, cfg)
        profiles = []
        names = dict(zip(areas["id"], areas["name"], strict=True))
        direct = {p.unit_id: p for p in self._profiles_from_inputs(
            [m.unit_id for m in members if m.unit_id in ids], names, {}, inputs,
            "Median der Kreise")}
        for m in sorted(members, key=lambda m: m.name):
            if m.unit_id in direct:
                p = direct[m.unit_id]
                p.context_de, p.context_en = "Vergleichswert: Median der Kreise", \
                    "reference: median of the districts"
            else:
                p = self._member_profile(m.unit_id, m.name, inds)
                parent = str(units["parent_id"].get(m.unit_id))
                p.locate = parent
                p.context_de = f"kreisangehörig in {names.get(parent, parent)}; " \
                               "Vergleichswert: Median der Gemeinden"
                p.context_en = f"in {names.get(parent, parent)}; reference: median of the " \
                               "municipalities"
            profiles.append(p)
        network = self._network_data(programme)
        return ReportInput(
            kind="network", subject_id="network", subject_name=programme,
            subject_level_de="Landesnetzwerk", subject_level_en="state network",
            area_level_de="Kreise und kreisfreien Städte",
            area_level_en="districts and district-free cities", mode="state", areas=areas,
            highlight=outline, indicators=inputs, profiles=profiles, monitoring=monitoring,
            network=network, funnel=funnel_input(inputs),
            datasets=dataset_table(used := self._used_datasets(inputs, level, ids, "network",
                                                                network=True)),
            attributions=attributions_of(used), privacy_rules=privacy_rules(inputs),
            map_key=(self._memo.key(), level, tuple(ids)))

    def _member_profile(self, uid: str, name: str, inds: list[Indicator]) -> ProfileInput:
        store = self.store
        unit = store.unit(uid)
        obs = self._published(store.observations(unit_ids=[uid],
                                            indicator_id=[i.id for i in inds]))
        rows = []
        series: dict[str, pd.Series] = {}
        for ind in inds:
            own = obs[obs["indicator_id"] == ind.id].sort_values("period")
            if own.empty:
                continue
            last = own.iloc[-1]
            level_obs = self._published(store.observations(indicator_id=ind.id, level=unit.level,
                                                      period=str(last["period"])))
            ok = level_obs[level_obs["status"].isin(USABLE) & level_obs["value"].notna()]
            vals = ok.set_index("unit_id")["value"].astype(float)
            rank = vals.rank(ascending=False, method="min")
            rows.append({"indicator_id": ind.id, "period": str(last["period"]),
                         "value": last["value"], "status": last["status"],
                         "reason_de": last["reason_de"], "reason_en": last["reason_en"],
                         "reference": float(vals.median()) if len(vals) else np.nan,
                         "rank": rank.get(uid, np.nan), "n": len(vals)})
            series[ind.id] = pd.Series(own["value"].where(own["status"].isin(USABLE))
                                       .astype(float).to_numpy(),
                                       index=own["period"].astype(str))
        return ProfileInput(uid, name, "", "", uid, pd.DataFrame(
            rows, columns=["indicator_id", "period", "value", "status", "reason_de",
                           "reason_en", "reference", "rank", "n"]), series)

    def _network_data(self, programme: str) -> dict[str, Any]:
        ov = self._network.overview(programme)
        members = ov.members
        gem = ov.map
        return {"programme": programme, "year": ov.year,
                "members": members.to_dict("records"),
                "reach_by_year": ov.reach_by_year.to_dict("records"),
                "funding": ov.funding, "reach_share": ov.reach.share,
                "children_in_members": ov.reach.children_in_members,
                "children_total": ov.reach.children_total,
                "population_source_de": ov.reach.population_source_de,
                "population_source_en": ov.reach.population_source_en,
                "map_ids": list(gem["id"]), "map_geometry": list(gem["geometry"]),
                "map_key": (self._memo.key(), "network", programme, tuple(gem["id"])),
                "map_status": [int(s) for s in gem["status"]]}

    # -- sources -------------------------------------------------------------------------------
    def _used_datasets(self, inputs: list[IndicatorInput], level: str, ids: list[str],
                       subject_id: str, *, chain: bool = False, goals: bool = False,
                       network: bool = False) -> list[Dataset]:
        """The imported datasets a report draws on, and no other: the datasets of the
        values shown (its indicators on its areas and its subject), of the boundaries of
        those areas, of the subject's memberships (all members and funding for the network
        report), and the offers and Leitbild where it has those sections."""
        store = self.store
        shown = [*ids, subject_id]
        used: set[int] = set()
        wanted = [i.indicator.id for i in inputs]
        if wanted:
            obs = store.observations(indicator_id=wanted, unit_ids=shown)
            used |= {int(x) for x in obs["dataset_id"].dropna()}
        units = {u.id: u for u in store.units(level=level)}
        for uid in shown:
            unit = units.get(uid)
            if unit is None:
                try:
                    unit = store.unit(uid)
                except NotFound:
                    continue
            if unit.dataset_id is not None:
                used.add(int(unit.dataset_id))
        used |= {int(m.dataset_id) for m in store.members()
                 if m.dataset_id is not None and (network or m.unit_id == subject_id)}
        kinds = {"indicators", "boundaries", "members", "records"}
        extra = {"funding"} if network else set()
        extra |= {"services"} if chain else set()
        extra |= {"leitbild"} if goals else set()
        return [d for d in store.datasets()
                if (d.kind in kinds and d.id in used) or d.kind in extra]
