"""A Leitbild file -> a validated :class:`~kekiz.domain.goals.Leitbild`.

:mod:`kekiz.ingest.goals_file` reads the file (YAML or XLSX, its layout is described
there) into a document that knows where each value stands; the validator here checks every
section against the store (indicators, units, levels, the baseline of each target).
Every problem names the file, the line (YAML) or row and column (XLSX), the goal and
the field; nothing is returned when there is one.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kekiz.domain.errors import ValidationReport
from kekiz.domain.goals import (
    DIRECTION_ALIASES,
    MEASURE_ALIASES,
    DeclaredIndicator,
    Direction,
    Goal,
    IndicatorInfo,
    Leitbild,
    Measure,
    Programme,
    Target,
)
from kekiz.ingest.cells import column_style, key_candidates, parse_number
from kekiz.ingest.goals_file import (
    COMMENT,
    GOAL,
    INDICATOR,
    LEITBILD,
    MEASURE,
    PROGRAMME,
    TARGET,
    TOP,
    Document,
    KeyPath,
    read_document,
    text_of,
)

__all__ = ["Baseline", "GoalContext", "ParsedLeitbild", "parse_leitbild"]

_TRUE = {"ja", "j", "yes", "true", "wahr", "1", "x"}
_FALSE = {"nein", "n", "no", "false", "falsch", "0", ""}

#: ``baseline(target, unit_id, default_year)``: the baseline (year, value) of a target on
#: the stored series of one unit (:func:`kekiz.goals.progress.baseline_of` on it).
Baseline = Callable[[Target, str, int | None], tuple[int | None, float | None]]


@dataclass
class GoalContext:
    """What the validator needs from the store, handed over by the goal service.

    Without ``baseline`` a target's baseline is what the Leitbild states
    (:meth:`~kekiz.domain.goals.Target.stated_baseline`).
    """

    indicators: Mapping[str, IndicatorInfo]  # store and catalogue
    units: Mapping[str, str]  # unit id -> level
    levels: Sequence[str]
    baseline: Baseline | None = None


@dataclass
class ParsedLeitbild:
    leitbild: Leitbild
    info: dict[str, IndicatorInfo]
    notes: list[str] = field(default_factory=list)


# -- validation ---------------------------------------------------------------------------
class _Validator:
    def __init__(self, doc: Document, report: ValidationReport, ctx: GoalContext) -> None:
        self.doc, self.report, self.ctx = doc, report, ctx
        self.notes: list[str] = []

    # location and problems
    def loc(self, path: KeyPath) -> tuple[int | None, str | None]:
        p = tuple(str(x) if not isinstance(x, int) else x for x in path)
        while p:
            if p in self.doc.locs:
                return self.doc.locs[p]
            p = p[:-1]
        return (None, None)

    def problem(self, path: KeyPath, where: str, fieldname: str | None, what: str, value: Any,
                expected: str, fix: str, en: str) -> None:
        row, column = self.loc(path)
        head = f"{where}, Feld '{fieldname}'" if fieldname else where
        self.report.add(f"{head}: {what}", row=row, column=column,
                        value=None if value is None else text_of(value), expected=expected,
                        fix=fix, message_en=f"{_en_where(where)}"
                        f"{', field ' + repr(fieldname) if fieldname else ''}: {en}")

    def get(self, obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]], name: str
            ) -> tuple[Any, str]:
        for alias in spec[name]:
            for k in obj:
                if str(k).strip().lower() == alias:
                    return obj[k], str(k)
        return None, spec[name][0]

    def unknown_keys(self, obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]],
                     path: KeyPath, where: str, extra: tuple[str, ...] = ()) -> None:
        allowed = {a for names in spec.values() for a in names} | set(extra)
        for k in obj:
            key = str(k).strip().lower()
            if key in allowed or key.startswith("_") or key in COMMENT:
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            self.problem((*path, str(k)), where, str(k), "unbekanntes Feld", None,
                         "eines von: " + ", ".join(v[0] for v in spec.values()),
                         f"den Feldnamen korrigieren{f' (gemeint: {close[0]}?)' if close else ''}",
                         "unknown field")

    def text(self, obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]], name: str,
             path: KeyPath, where: str, required: bool = False) -> str:
        value, key = self.get(obj, spec, name)
        raw = self.doc.raw.get(tuple(str(x) if not isinstance(x, int) else x
                                     for x in (*path, key)))
        text = raw if raw is not None and value is not None else text_of(value)
        if required and not text:
            self.problem(path, where, key, "Pflichtfeld fehlt oder ist leer", None,
                         "einen Wert", f"das Feld '{key}' ergänzen", "required field missing")
        return text

    def number(self, obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]], name: str,
               path: KeyPath, where: str, required: bool = False, integer: bool = False,
               lo: float = -math.inf, hi: float = math.inf) -> float | None:
        value, key = self.get(obj, spec, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(path, where, key, "Pflichtfeld fehlt oder ist leer", None,
                             "eine Zahl", f"das Feld '{key}' ergänzen", "required field missing")
            return None
        num: float | None
        if isinstance(value, bool):
            num = None
        elif isinstance(value, int | float):
            num = float(value)
        else:
            parsed = parse_number(str(value), column_style([str(value)]))
            num = parsed.value
        if num is None or math.isnan(num) or not lo <= num <= hi or (
                integer and num != int(num)):
            expected = ("eine ganze Zahl" if integer else "eine Zahl") + (
                f" von {lo:g} bis {hi:g}" if math.isfinite(lo) and math.isfinite(hi) else "")
            self.problem((*path, key), where, key, "ungültiger Wert", value, expected,
                         "den Wert korrigieren", "invalid value")
            return None
        return num

    def flag(self, obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]], name: str,
             path: KeyPath, where: str) -> bool:
        value, key = self.get(obj, spec, name)
        if isinstance(value, bool):
            return value
        text = text_of(value).lower()
        if text in _TRUE:
            return True
        if text not in _FALSE:
            self.problem((*path, key), where, key, "kein Ja/Nein-Wert", value,
                         "ja/nein (true/false)", "den Wert korrigieren", "not a yes/no value")
        return False

    def mapping(self, value: Any, path: KeyPath, where: str, key: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, where, key, "ist kein Abschnitt mit Feldern", None,
                         "Felder der Form 'name: wert'", "die Einrückung prüfen",
                         "not a mapping")
            return {}
        return value

    def seq(self, value: Any, path: KeyPath, where: str, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, where, key, "ist keine Liste", None,
                         "eine Liste (Einträge mit '- ')", "die Einträge mit '- ' beginnen",
                         "not a list")
            return []
        return value

    def unit(self, text: str) -> str | None:
        """The unit id for a key as written (Excel may drop leading zeros)."""
        for cand in key_candidates(text) if text else []:
            if cand in self.ctx.units:
                return cand
        return None

    # sections
    def run(self) -> ParsedLeitbild | None:
        data = self.doc.data
        self.unknown_keys(data, TOP, (), "Datei")
        lb_raw, lb_key = self.get(data, TOP, "leitbild")
        lb_obj = self.mapping(lb_raw, (lb_key,), "Leitbild", lb_key)
        if lb_raw is None:
            self.problem((), "Datei", "leitbild", "Abschnitt fehlt", None,
                         "einen Abschnitt 'leitbild' mit id, name und gebiet",
                         "den Abschnitt ergänzen", "section missing")
        lb = self.leitbild(lb_obj, (lb_key,))
        ind_raw, ind_key = self.get(data, TOP, "indicators")
        declared = [self.declared(item, (ind_key, i))
                    for i, item in enumerate(self.seq(ind_raw, (ind_key,), "Datei", ind_key))]
        info = dict(self.ctx.indicators)
        seen_decl: set[str] = set()
        for d in declared:
            if d is None:
                continue
            if d.id in seen_decl:
                self.problem((ind_key,), "Indikatoren", "id", f"Indikator '{d.id}' doppelt "
                             "angekündigt", d.id, "jede ID einmal", "einen Eintrag löschen",
                             "indicator declared twice")
            seen_decl.add(d.id)
            if d.id in info and not info[d.id].pending:
                self.notes.append(f"Indikator '{d.id}' ist bereits bekannt; die Angaben aus "
                                  "Store/Katalog gelten.")
                continue
            lb.indicators.append(d)
            info[d.id] = IndicatorInfo(d.id, d.name_de, d.name_en, d.unit, d.decimals,
                                       d.polarity, pending=True, note_de=d.note_de,
                                       note_en=d.note_en)
        goals_raw, goals_key = self.get(data, TOP, "goals")
        goals = self.seq(goals_raw, (goals_key,), "Datei", goals_key)
        if not goals:
            self.problem((), "Datei", goals_key, "keine Ziele", None,
                         "mindestens ein Ziel unter 'ziele'", "Ziele ergänzen", "no goals")
        seen: dict[str, int] = {}
        for i, item in enumerate(goals):
            goal = self.goal(item, (goals_key, i), lb, info)
            if goal is None:
                continue
            if goal.id in seen:
                row, _ = self.loc((goals_key, seen[goal.id]))
                self.problem((goals_key, i, "id"), f"Ziel '{goal.id}'", "id",
                             f"Ziel-ID doppelt (auch {'Zeile ' + str(row) if row else 'oben'})",
                             goal.id, "eine eindeutige ID je Ziel",
                             "eine der IDs ändern", "duplicate goal id")
                continue
            seen[goal.id] = i
            goal.position = len(lb.goals)
            lb.goals.append(goal)
        if not self.report.ok:
            return None
        return ParsedLeitbild(lb, {k: v for k, v in info.items() if v.pending}, self.notes)

    def leitbild(self, obj: Mapping[str, Any], path: KeyPath) -> Leitbild:
        where = "Leitbild"
        self.unknown_keys(obj, LEITBILD, path, where)
        lid = self.text(obj, LEITBILD, "id", path, where, required=True)
        name = self.text(obj, LEITBILD, "name", path, where, required=True)
        unit = self.text(obj, LEITBILD, "unit", path, where, required=True)
        unit = self.unit(unit) or unit
        if unit and unit not in self.ctx.units:
            _, key = self.get(obj, LEITBILD, "unit")
            self.problem((*path, key), where, key, "Gebiet unbekannt", unit,
                         "den Schlüssel eines Gebiets im Store, z. B. 05315000 (in "
                         "Anführungszeichen)", "zuerst die Grenzen importieren oder den "
                         "Schlüssel korrigieren", "unknown unit")
        base = self.number(obj, LEITBILD, "baseline_year", path, where, integer=True, lo=1900,
                           hi=2100)
        window = self.number(obj, LEITBILD, "forecast_window", path, where, integer=True, lo=3,
                             hi=100)
        return Leitbild(id=lid, name=name, unit_id=unit,
                        baseline_year=None if base is None else int(base),
                        forecast_window=10 if window is None else int(window),
                        synthetic=self.flag(obj, LEITBILD, "synthetic", path, where),
                        note=self.text(obj, LEITBILD, "note", path, where))

    def declared(self, item: Any, path: KeyPath) -> DeclaredIndicator | None:
        obj = self.mapping(item, path, "Indikatoren", str(path[-1]))
        if not obj:
            return None
        iid = self.text(obj, INDICATOR, "id", path, "Indikatoren", required=True)
        where = f"Indikator '{iid}'"
        self.unknown_keys(obj, INDICATOR, path, where)
        name = self.text(obj, INDICATOR, "name_de", path, where, required=True)
        pol = self.number(obj, INDICATOR, "polarity", path, where, integer=True, lo=-1, hi=1)
        dec = self.number(obj, INDICATOR, "decimals", path, where, integer=True, lo=0, hi=6)
        if not iid or not name:
            return None
        return DeclaredIndicator(iid, name, self.text(obj, INDICATOR, "name_en", path, where),
                                 self.text(obj, INDICATOR, "unit", path, where),
                                 0 if pol is None else int(pol), 1 if dec is None else int(dec),
                                 self.text(obj, INDICATOR, "note_de", path, where),
                                 self.text(obj, INDICATOR, "note_en", path, where))

    def goal(self, item: Any, path: KeyPath, lb: Leitbild,
             info: Mapping[str, IndicatorInfo]) -> Goal | None:
        obj = self.mapping(item, path, "Ziele", str(path[-1]))
        if not obj:
            return None
        gid = self.text(obj, GOAL, "id", path, f"Ziel Nr. {int(path[-1]) + 1}", required=True)
        where = f"Ziel '{gid}'" if gid else f"Ziel Nr. {int(path[-1]) + 1}"
        self.unknown_keys(obj, GOAL, path, where)
        goal = Goal(id=gid, result_de=self.text(obj, GOAL, "result_de", path, where,
                                                required=True),
                    result_en=self.text(obj, GOAL, "result_en", path, where),
                    life_phase=self.text(obj, GOAL, "life_phase", path, where) or "all",
                    sector=self.text(obj, GOAL, "sector", path, where) or "general")
        traw, tkey = self.get(obj, GOAL, "targets")
        targets = self.seq(traw, (*path, tkey), where, tkey)
        if not targets:
            self.problem(path, where, tkey, "keine Indikatoren mit Zielwerten", None,
                         "mindestens einen Eintrag mit indikator, zielwert, zieljahr, richtung",
                         "Indikatoren ergänzen", "no indicator targets")
        for i, t in enumerate(targets):
            target = self.target(t, (*path, tkey, i), where, lb, info)
            if target is not None:
                target.position = len(goal.targets)
                goal.targets.append(target)
        praw, pkey = self.get(obj, GOAL, "programmes")
        for i, p in enumerate(self.seq(praw, (*path, pkey), where, pkey)):
            prog = self.programme(p, (*path, pkey, i), where)
            if prog is not None:
                prog.position = len(goal.programmes)
                goal.programmes.append(prog)
        return goal if gid else None

    def target(self, item: Any, path: KeyPath, where: str, lb: Leitbild,
               info: Mapping[str, IndicatorInfo]) -> Target | None:
        obj = self.mapping(item, path, where, "indikatoren")
        if not obj:
            return None
        self.unknown_keys(obj, TARGET, path, where)
        ind = self.text(obj, TARGET, "indicator", path, where, required=True)
        unit = self.text(obj, TARGET, "unit", path, where)
        unit = self.unit(unit) or unit
        level = self.text(obj, TARGET, "level", path, where)
        value = self.number(obj, TARGET, "target_value", path, where, required=True)
        year = self.number(obj, TARGET, "target_year", path, where, required=True,
                           integer=True, lo=1900, hi=2100)
        base_year = self.number(obj, TARGET, "baseline_year", path, where, integer=True,
                                lo=1900, hi=2100)
        base_value = self.number(obj, TARGET, "baseline_value", path, where)
        tol = self.number(obj, TARGET, "tolerance", path, where, lo=0)
        dtext = self.text(obj, TARGET, "direction", path, where, required=True)
        direction = DIRECTION_ALIASES.get(dtext.lower()) if dtext else None
        _, dkey = self.get(obj, TARGET, "direction")
        if dtext and direction is None:
            self.problem((*path, dkey), where, dkey, "unbekannte Richtung", dtext,
                         "senken, steigern oder halten", "die Richtung korrigieren",
                         "unknown direction")
        ok = self.check_indicator(ind, path, where, obj, info)
        ok = self.check_place(unit, level, path, where, obj, lb) and ok
        if not ind or value is None or year is None or direction is None or not ok:
            return None
        target = Target(ind, value, int(year), direction,
                        unit_id=(unit or lb.unit_id) if not level else None,
                        level=level or None,
                        baseline_year=None if base_year is None else int(base_year),
                        baseline_value=base_value, tolerance=tol)
        self.check_years_and_direction(target, path, where, obj, lb, info)
        return target

    def check_indicator(self, ind: str, path: KeyPath, where: str, obj: Mapping[str, Any],
                        info: Mapping[str, IndicatorInfo]) -> bool:
        if not ind or ind in info:
            return True
        _, key = self.get(obj, TARGET, "indicator")
        close = difflib.get_close_matches(ind, sorted(info), n=3)
        self.problem((*path, key), where, key,
                     "Indikator unbekannt: weder im Store noch im Katalog noch unter "
                     "'indikatoren' angekündigt", ind,
                     "die ID eines Indikators ('kekiz indicators' listet sie)" +
                     (f", z. B. {', '.join(close)}" if close else ""),
                     "die ID korrigieren oder den Indikator unter 'indikatoren' ankündigen",
                     "unknown indicator: not in the store, the catalogue or 'indikatoren'")
        return False

    def check_place(self, unit: str, level: str, path: KeyPath, where: str,
                    obj: Mapping[str, Any], lb: Leitbild) -> bool:
        ok = True
        if unit and level:
            _, key = self.get(obj, TARGET, "level")
            self.problem((*path, key), where, key, "Gebiet und Ebene zugleich angegeben", level,
                         "entweder 'gebiet' (ein Gebiet) oder 'ebene' (jedes Gebiet der Ebene)",
                         "eines der beiden Felder löschen", "both unit and level given")
            ok = False
        if unit and unit not in self.ctx.units:
            _, key = self.get(obj, TARGET, "unit")
            self.problem((*path, key), where, key, "Gebiet unbekannt", unit,
                         "den Schlüssel eines Gebiets im Store (in Anführungszeichen)",
                         "den Schlüssel korrigieren", "unknown unit")
            ok = False
        if level and level not in self.ctx.levels:
            _, key = self.get(obj, TARGET, "level")
            self.problem((*path, key), where, key, "Ebene unbekannt", level,
                         "eine von: " + ", ".join(self.ctx.levels), "die Ebene korrigieren",
                         "unknown level")
            ok = False
        return ok and bool(unit or level or lb.unit_id)

    def check_years_and_direction(self, t: Target, path: KeyPath, where: str,
                                  obj: Mapping[str, Any], lb: Leitbild,
                                  info: Mapping[str, IndicatorInfo]) -> None:
        if self.ctx.baseline is not None and t.unit_id is not None:
            b_year, b_value = self.ctx.baseline(t, t.unit_id, lb.baseline_year)
        else:
            b_year, b_value = t.stated_baseline(lb.baseline_year)
        _, ykey = self.get(obj, TARGET, "target_year")
        if b_year is not None and t.target_year <= b_year:
            self.problem((*path, ykey), where, ykey,
                         f"Zieljahr {t.target_year} liegt nicht nach dem Basisjahr {b_year}",
                         t.target_year, f"ein Jahr nach {b_year}",
                         "Zieljahr oder Basisjahr korrigieren",
                         f"target year {t.target_year} is not after the baseline {b_year}")
        _, dkey = self.get(obj, TARGET, "direction")
        if b_value is not None:
            wrong = ((t.direction is Direction.DECREASE and t.target_value > b_value) or
                     (t.direction is Direction.INCREASE and t.target_value < b_value))
            if wrong:
                above = t.direction is Direction.DECREASE
                self.problem(
                    (*path, dkey), where, dkey,
                    f"Richtung '{t.direction.value}' widerspricht dem Zielwert "
                    f"{_de(t.target_value)}: er liegt {'über' if above else 'unter'} dem "
                    f"Ausgangswert {_de(b_value)} ({b_year})", t.direction.value,
                    f"einen Zielwert {'unter' if above else 'über'} dem Ausgangswert oder "
                    f"die Richtung '{'steigern' if above else 'senken'}'",
                    "Zielwert oder Richtung korrigieren",
                    f"direction '{t.direction.label_en}' contradicts the target "
                    f"{t.target_value:g} ({'above' if above else 'below'} the baseline "
                    f"{b_value:g})")
        pol = info[t.indicator_id].polarity if t.indicator_id in info else 0
        if (t.direction is Direction.DECREASE and pol > 0) or (
                t.direction is Direction.INCREASE and pol < 0):
            self.notes.append(f"{where}: Richtung '{t.direction.value}' bei "
                              f"'{t.indicator_id}', obwohl höhere Werte "
                              f"{'besser' if pol > 0 else 'schlechter'} sind – bitte prüfen.")

    def programme(self, item: Any, path: KeyPath, where: str) -> Programme | None:
        obj = self.mapping(item, path, where, "programme")
        if not obj:
            return None
        pid = self.text(obj, PROGRAMME, "id", path, where, required=True)
        pw = f"{where}, Programm '{pid}'"
        self.unknown_keys(obj, PROGRAMME, path, pw)
        prog = Programme(pid, self.text(obj, PROGRAMME, "name_de", path, pw, required=True),
                         self.text(obj, PROGRAMME, "name_en", path, pw),
                         self.text(obj, PROGRAMME, "lead", path, pw),
                         synthetic=self.flag(obj, PROGRAMME, "synthetic", path, pw))
        mraw, mkey = self.get(obj, PROGRAMME, "measures")
        for i, m in enumerate(self.seq(mraw, (*path, mkey), pw, mkey)):
            measure = self.measure(m, (*path, mkey, i), pw)
            if measure is not None:
                prog.measures.append(measure)
        return prog

    def measure(self, item: Any, path: KeyPath, where: str) -> Measure | None:
        obj = self.mapping(item, path, where, "kennzahlen")
        if not obj:
            return None
        mid = self.text(obj, MEASURE, "id", path, where, required=True)
        mw = f"{where}, Kennzahl '{mid}'"
        self.unknown_keys(obj, MEASURE, path, mw)
        ktext = self.text(obj, MEASURE, "kind", path, mw, required=True)
        kind = MEASURE_ALIASES.get(ktext.lower().rstrip("?").strip()) if ktext else None
        if ktext and kind is None:
            _, key = self.get(obj, MEASURE, "kind")
            self.problem((*path, key), mw, key, "unbekannte Art der Kennzahl", ktext,
                         "'wie viel', 'wie gut' oder 'besser gestellt' (how much / how well / "
                         "better off)", "die Art korrigieren", "unknown measure kind")
        name = self.text(obj, MEASURE, "name_de", path, mw, required=True)
        vraw, vkey = self.get(obj, MEASURE, "values")
        values: dict[int, float] = {}
        for y, v in self.mapping(vraw, (*path, vkey), mw, vkey).items():
            ytext = text_of(y)
            num = self.number({vkey: v}, {"v": (vkey.lower(),)}, "v", (*path, vkey, ytext), mw)
            if not (ytext.isdigit() and 1900 <= int(ytext) <= 2100):
                self.problem((*path, vkey, ytext), mw, vkey, "kein Jahr", ytext,
                             "Jahre als Schlüssel, z. B. 2024: 120", "das Jahr korrigieren",
                             "not a year")
            elif num is not None:
                values[int(ytext)] = num
        target = self.number(obj, MEASURE, "target", path, mw)
        if not mid or kind is None or not name:
            return None
        return Measure(mid, kind, name, self.text(obj, MEASURE, "name_en", path, mw),
                       self.text(obj, MEASURE, "unit", path, mw), values, target,
                       self.flag(obj, MEASURE, "synthetic", path, mw))



def _de(v: float) -> str:
    return f"{v:g}".replace(".", ",")


def _en_where(where: str) -> str:
    return (where.replace("Ziel Nr.", "goal no.").replace("Ziel", "goal")
            .replace("Programm", "programme").replace("Kennzahl", "measure")
            .replace("Indikatoren", "indicators").replace("Indikator", "indicator")
            .replace("Datei", "file"))


def parse_leitbild(path: Path, report: ValidationReport, ctx: GoalContext
                   ) -> ParsedLeitbild | None:
    """Read and check a Leitbild definition (``.yaml``/``.yml`` or ``.xlsx``)."""
    doc = read_document(path, report)
    if doc is None:
        return None
    return _Validator(doc, report, ctx).run()  # also after reading problems: one report
