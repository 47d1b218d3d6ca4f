"""Leitbild definitions (YAML or XLSX) -> a validated :class:`~kekiz.domain.goals.Leitbild`.

YAML (German keys, English aliases)::

    leitbild: {id: koeln, name: "Leitbild ...", gebiet: "05315000", basisjahr: 2017}
    indikatoren:            # indicators the store does not hold yet (optional)
      - {id: seu_sprache, name_de: "...", einheit: "%", polaritaet: -1, hinweis: "..."}
    ziele:
      - id: Z1
        ergebnis: "Alle Kinder wachsen ohne Armut auf"
        indikatoren:
          - {indikator: gisd_score, zielwert: 0.15, zieljahr: 2030, richtung: senken}
          - {indikator: seu_sprache, ebene: stadtteil, zielwert: 20, zieljahr: 2030,
             richtung: senken}
        programme:
          - id: P1
            name: "..."
            kennzahlen:
              - {id: K1, art: wie viel, name: "...", einheit: Familien,
                 werte: {2023: 410, 2024: 455}}

XLSX: sheets ``leitbild`` (columns ``feld``, ``wert``), ``indikatoren``, ``ziele`` (one
row per target; goal columns ``ziel_id``, ``ergebnis`` ... repeated) and ``massnahmen``
(one row per measure value: ``ziel_id``, ``programm_id``, ``programm``, ``kennzahl_id``,
``art``, ``kennzahl``, ``einheit``, ``jahr``, ``wert``).

Every problem names the file, the line (YAML) or row and column (XLSX), the goal and
the field; nothing is returned when there is one.
"""

from __future__ import annotations

import difflib
import math
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kekiz.domain.errors import ValidationReport
from kekiz.domain.goals import (
    DIRECTION_ALIASES,
    MEASURE_ALIASES,
    DeclaredIndicator,
    Direction,
    Goal,
    Leitbild,
    Measure,
    Programme,
    Target,
)
from kekiz.goals.progress import baseline_of
from kekiz.goals.scorecard import IndicatorInfo
from kekiz.ingest.cells import column_style, key_candidates, parse_number

__all__ = ["GoalContext", "ParsedLeitbild", "parse_leitbild"]

Path_ = tuple[Any, ...]

_TOP = {"leitbild": ("leitbild",), "indicators": ("indikatoren", "indicators"),
        "goals": ("ziele", "goals")}
_LB = {"id": ("id",), "name": ("name",), "unit": ("gebiet", "unit", "unit_id", "kommune"),
       "baseline_year": ("basisjahr", "baseline_year"),
       "forecast_window": ("prognosefenster", "forecast_window"),
       "synthetic": ("synthetisch", "synthetic"), "note": ("hinweis", "note")}
_IND = {"id": ("id",), "name_de": ("name_de", "name"), "name_en": ("name_en",),
        "unit": ("einheit", "unit"), "polarity": ("polaritaet", "polarität", "polarity"),
        "decimals": ("nachkommastellen", "decimals"),
        "note_de": ("hinweis", "hinweis_de", "note_de", "note"),
        "note_en": ("hinweis_en", "note_en")}
_GOAL = {"id": ("id", "ziel_id"), "result_de": ("ergebnis", "ergebnis_de", "result_de",
                                                "result"),
         "result_en": ("ergebnis_en", "result_en"), "life_phase": ("lebensphase", "life_phase"),
         "sector": ("sektor", "sector"), "targets": ("indikatoren", "indicators", "targets"),
         "programmes": ("programme", "programmes")}
_TARGET = {"indicator": ("indikator", "indicator"), "unit": ("gebiet", "unit", "unit_id"),
           "level": ("ebene", "level"), "baseline_year": ("basisjahr", "baseline_year"),
           "baseline_value": ("basiswert", "baseline_value"),
           "target_value": ("zielwert", "target_value"),
           "target_year": ("zieljahr", "target_year"), "direction": ("richtung", "direction"),
           "tolerance": ("toleranz", "tolerance")}
_PROG = {"id": ("id", "programm_id"), "name_de": ("name", "name_de", "programm"),
         "name_en": ("name_en", "programm_en"), "lead": ("traeger", "träger", "lead"),
         "synthetic": ("synthetisch", "synthetic"), "measures": ("kennzahlen", "measures")}
_MEAS = {"id": ("id", "kennzahl_id"), "kind": ("art", "kind"),
         "name_de": ("name", "name_de", "kennzahl"), "name_en": ("name_en", "kennzahl_en"),
         "unit": ("einheit", "unit"), "values": ("werte", "values"),
         "target": ("ziel", "zielwert", "target"), "synthetic": ("synthetisch", "synthetic")}
_COMMENT = ("bemerkung", "kommentar", "comment", "notiz")
_TRUE = {"ja", "j", "yes", "true", "wahr", "1", "x"}
_FALSE = {"nein", "n", "no", "false", "falsch", "0", ""}


@dataclass
class GoalContext:
    """What the validator needs from the store, handed over by the facade."""

    indicators: Mapping[str, IndicatorInfo]  # store and catalogue
    units: Mapping[str, str]  # unit id -> level
    levels: Sequence[str]
    series: Callable[[str, str], pd.DataFrame] | None = None  # yearly year/value


@dataclass
class ParsedLeitbild:
    leitbild: Leitbild
    info: dict[str, IndicatorInfo]
    notes: list[str] = field(default_factory=list)


@dataclass
class _Doc:
    data: Any
    kind: str  # yaml / xlsx
    locs: dict[Path_, tuple[int | None, str | None]] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)


# -- reading ------------------------------------------------------------------------------
def _read_yaml(path: Path, report: ValidationReport) -> _Doc | None:
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        report.add("Die Datei ist kein UTF-8-Text", expected="eine YAML-Datei in UTF-8",
                   fix="die Datei als UTF-8 speichern", message_en="not UTF-8 text")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report.add(f"YAML-Syntaxfehler: {getattr(exc, 'problem', None) or exc}",
                   row=None if mark is None else mark.line + 1,
                   expected="gültiges YAML (Einrückung mit Leerzeichen, 'schlüssel: wert')",
                   fix="die Zeile korrigieren (Tabulatoren durch Leerzeichen ersetzen, "
                   "Doppelpunkte in Texten in Anführungszeichen setzen)",
                   message_en="YAML syntax error")
        return None
    if node is None or not isinstance(data, dict):
        report.add("Die Datei enthält keine Leitbild-Definition",
                   expected="die Abschnitte 'leitbild' und 'ziele'",
                   fix="die Vorlage demo_data/goals/leitbild_koeln.yaml anpassen",
                   message_en="the file holds no Leitbild definition")
        return None
    doc = _Doc(data, "yaml")
    _walk(node, (), doc, report)
    return doc


def _walk(node: Any, path: Path_, doc: _Doc, report: ValidationReport) -> None:
    import yaml

    doc.locs[path] = (node.start_mark.line + 1, None)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for knode, vnode in node.value:
            key = str(knode.value)
            line = knode.start_mark.line + 1
            if key in seen:
                report.add(f"Schlüssel '{key}' doppelt (auch Zeile {seen[key]})", row=line,
                           expected="jeden Schlüssel einmal je Abschnitt",
                           fix="einen der beiden Einträge löschen oder umbenennen",
                           message_en=f"duplicate key '{key}'")
            seen[key] = line
            _walk(vnode, (*path, key), doc, report)
            doc.locs[(*path, key)] = (line, None)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), doc, report)
    elif isinstance(node, yaml.ScalarNode):
        doc.raw[path] = str(node.value)


def _read_xlsx(path: Path, report: ValidationReport) -> _Doc | None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        report.add(f"Die Datei ist keine lesbare XLSX-Datei ({type(exc).__name__})",
                   expected="eine Excel-Arbeitsmappe (.xlsx)",
                   fix="die Datei in Excel/LibreOffice neu speichern",
                   message_en="not a readable XLSX workbook")
        return None
    try:
        sheets = {ws.title.strip().lower().replace("ß", "ss"): [
            list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()
    if "ziele" not in sheets or "leitbild" not in sheets:
        report.add("Tabellenblatt 'leitbild' oder 'ziele' fehlt",
                   expected="die Blätter leitbild, ziele (und optional indikatoren, "
                   "massnahmen); vorhanden: " + ", ".join(sheets),
                   fix="die Blätter anlegen oder umbenennen", message_en="sheet missing")
        return None
    doc = _Doc({}, "xlsx")
    lb: dict[str, Any] = {}
    for n, row in enumerate(sheets["leitbild"][1:], start=2):
        if row and row[0] not in (None, ""):
            key = str(row[0]).strip().lower()
            lb[key] = row[1] if len(row) > 1 else None
            doc.locs[("leitbild", key)] = (n, "leitbild.wert")
            doc.raw[("leitbild", key)] = _text(lb[key])
    doc.data["leitbild"] = lb
    doc.locs[("leitbild",)] = (1, "leitbild")
    if "indikatoren" in sheets:
        doc.data["indikatoren"] = _records(sheets["indikatoren"], "indikatoren", doc,
                                           ("indikatoren",))
    goals: list[dict[str, Any]] = []
    by_id: dict[str, int] = {}
    for n, rec in _rows(sheets["ziele"]):
        gid = _text(rec.get("ziel_id", rec.get("id")))
        goal_keys = {k for names in (_GOAL["id"], _GOAL["result_de"], _GOAL["result_en"],
                                     _GOAL["life_phase"], _GOAL["sector"]) for k in names}
        if gid not in by_id:
            by_id[gid] = len(goals)
            g = {k: v for k, v in rec.items() if k in goal_keys}
            g["indikatoren"] = []
            goals.append(g)
            gi = by_id[gid]
            doc.locs[("ziele", gi)] = (n, "ziele.ziel_id")
            for k in g:
                doc.locs[("ziele", gi, k)] = (n, f"ziele.{k}")
                doc.raw[("ziele", gi, k)] = _text(g[k])
        gi = by_id[gid]
        for k in goal_keys & set(rec):
            old = goals[gi].get(k)
            if rec[k] not in (None, "") and old not in (None, "") and _text(rec[k]) != _text(old):
                report.add(f"Ziel '{gid}': Feld '{k}' widerspricht der ersten Zeile des Ziels "
                           f"('{_text(old)}')", row=n, column=f"ziele.{k}", value=_text(rec[k]),
                           expected="dieselben Angaben zum Ziel in jeder seiner Zeilen",
                           fix="die Angaben vereinheitlichen oder eine neue ziel_id vergeben",
                           message_en=f"goal '{gid}': field '{k}' contradicts its first row")
        t = {k: v for k, v in rec.items() if k not in goal_keys}
        ti = len(goals[gi]["indikatoren"])
        goals[gi]["indikatoren"].append(t)
        doc.locs[("ziele", gi, "indikatoren", ti)] = (n, "ziele")
        for k in t:
            doc.locs[("ziele", gi, "indikatoren", ti, k)] = (n, f"ziele.{k}")
            doc.raw[("ziele", gi, "indikatoren", ti, k)] = _text(t[k])
    doc.data["ziele"] = goals
    doc.locs[("ziele",)] = (1, "ziele")
    for key in ("massnahmen", "maßnahmen", "programme"):
        if key in sheets:
            _xlsx_measures(sheets[key], goals, by_id, doc, report)
            break
    return doc


def _xlsx_measures(grid: list[list[Any]], goals: list[dict[str, Any]], by_id: dict[str, int],
                   doc: _Doc, report: ValidationReport) -> None:
    for n, rec in _rows(grid):
        gid = _text(rec.get("ziel_id"))
        if gid not in by_id:
            report.add(f"Ziel '{gid}' ist im Blatt 'ziele' nicht definiert", row=n,
                       column="massnahmen.ziel_id", value=gid,
                       expected="die ziel_id eines Ziels aus dem Blatt 'ziele'",
                       fix="die ziel_id korrigieren", message_en=f"goal '{gid}' not defined")
            continue
        gi = by_id[gid]
        progs = goals[gi].setdefault("programme", [])
        pid = _text(rec.get("programm_id"))
        pi = next((i for i, p in enumerate(progs) if _text(p.get("programm_id")) == pid), None)
        if pi is None:
            pi = len(progs)
            progs.append({k: rec[k] for k in ("programm_id", "programm", "programm_en",
                                              "traeger", "synthetisch") if k in rec})
            progs[pi]["kennzahlen"] = []
            pbase: Path_ = ("ziele", gi, "programme", pi)
            doc.locs[pbase] = (n, "massnahmen")
            for k in progs[pi]:
                doc.locs[(*pbase, k)] = (n, f"massnahmen.{k}")
        meas = progs[pi]["kennzahlen"]
        mid = _text(rec.get("kennzahl_id"))
        mi = next((i for i, m in enumerate(meas) if _text(m.get("kennzahl_id")) == mid), None)
        base: Path_ = ("ziele", gi, "programme", pi, "kennzahlen")
        if mi is None:
            mi = len(meas)
            meas.append({k: rec[k] for k in ("kennzahl_id", "art", "kennzahl", "kennzahl_en",
                                             "einheit", "ziel", "synthetisch") if k in rec})
            meas[mi]["werte"] = {}
            doc.locs[(*base, mi)] = (n, "massnahmen")
            for k in meas[mi]:
                doc.locs[(*base, mi, k)] = (n, f"massnahmen.{k}")
        if rec.get("jahr") not in (None, ""):
            year = _text(rec["jahr"])
            meas[mi]["werte"][year] = rec.get("wert")
            doc.locs[(*base, mi, "werte", year)] = (n, "massnahmen.wert")


def _rows(grid: list[list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    if not grid:
        return []
    header = [_text(h).lower() for h in grid[0]]
    out = []
    for n, row in enumerate(grid[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue
        out.append((n, {h: v for h, v in zip(header, row, strict=False) if h}))
    return out


def _records(grid: list[list[Any]], sheet: str, doc: _Doc, base: Path_) -> list[dict[str, Any]]:
    out = []
    for i, (n, rec) in enumerate(_rows(grid)):
        out.append(rec)
        doc.locs[(*base, i)] = (n, sheet)
        for k in rec:
            doc.locs[(*base, i, k)] = (n, f"{sheet}.{k}")
            doc.raw[(*base, i, k)] = _text(rec[k])
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- validation ---------------------------------------------------------------------------
class _Validator:
    def __init__(self, doc: _Doc, report: ValidationReport, ctx: GoalContext) -> None:
        self.doc, self.report, self.ctx = doc, report, ctx
        self.notes: list[str] = []

    # location and problems
    def loc(self, path: Path_) -> tuple[int | None, str | None]:
        p = tuple(str(x) if not isinstance(x, int) else x for x in path)
        while p:
            if p in self.doc.locs:
                return self.doc.locs[p]
            p = p[:-1]
        return (None, None)

    def problem(self, path: Path_, where: str, fieldname: str | None, what: str, value: Any,
                expected: str, fix: str, en: str) -> None:
        row, column = self.loc(path)
        head = f"{where}, Feld '{fieldname}'" if fieldname else where
        self.report.add(f"{head}: {what}", row=row, column=column,
                        value=None if value is None else _text(value), expected=expected,
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
                     path: Path_, where: str, extra: tuple[str, ...] = ()) -> None:
        allowed = {a for names in spec.values() for a in names} | set(extra)
        for k in obj:
            key = str(k).strip().lower()
            if key in allowed or key.startswith("_") or key in _COMMENT:
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            self.problem((*path, str(k)), where, str(k), "unbekanntes Feld", None,
                         "eines von: " + ", ".join(v[0] for v in spec.values()),
                         f"den Feldnamen korrigieren{f' (gemeint: {close[0]}?)' if close else ''}",
                         "unknown field")

    def text(self, obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]], name: str,
             path: Path_, where: str, required: bool = False) -> str:
        value, key = self.get(obj, spec, name)
        raw = self.doc.raw.get(tuple(str(x) if not isinstance(x, int) else x
                                     for x in (*path, key)))
        text = raw if raw is not None and value is not None else _text(value)
        if required and not text:
            self.problem(path, where, key, "Pflichtfeld fehlt oder ist leer", None,
                         "einen Wert", f"das Feld '{key}' ergänzen", "required field missing")
        return text

    def number(self, obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]], name: str,
               path: Path_, where: str, required: bool = False, integer: bool = False,
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
             path: Path_, where: str) -> bool:
        value, key = self.get(obj, spec, name)
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in _TRUE:
            return True
        if text not in _FALSE:
            self.problem((*path, key), where, key, "kein Ja/Nein-Wert", value,
                         "ja/nein (true/false)", "den Wert korrigieren", "not a yes/no value")
        return False

    def mapping(self, value: Any, path: Path_, where: str, key: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, where, key, "ist kein Abschnitt mit Feldern", None,
                         "Felder der Form 'name: wert'", "die Einrückung prüfen",
                         "not a mapping")
            return {}
        return value

    def seq(self, value: Any, path: Path_, where: str, key: str) -> list[Any]:
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
        self.unknown_keys(data, _TOP, (), "Datei")
        lb_raw, lb_key = self.get(data, _TOP, "leitbild")
        lb_obj = self.mapping(lb_raw, (lb_key,), "Leitbild", lb_key)
        if lb_raw is None:
            self.problem((), "Datei", "leitbild", "Abschnitt fehlt", None,
                         "einen Abschnitt 'leitbild' mit id, name und gebiet",
                         "den Abschnitt ergänzen", "section missing")
        lb = self.leitbild(lb_obj, (lb_key,))
        ind_raw, ind_key = self.get(data, _TOP, "indicators")
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
        goals_raw, goals_key = self.get(data, _TOP, "goals")
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

    def leitbild(self, obj: Mapping[str, Any], path: Path_) -> Leitbild:
        where = "Leitbild"
        self.unknown_keys(obj, _LB, path, where)
        lid = self.text(obj, _LB, "id", path, where, required=True)
        name = self.text(obj, _LB, "name", path, where, required=True)
        unit = self.text(obj, _LB, "unit", path, where, required=True)
        unit = self.unit(unit) or unit
        if unit and unit not in self.ctx.units:
            _, key = self.get(obj, _LB, "unit")
            self.problem((*path, key), where, key, "Gebiet unbekannt", unit,
                         "den Schlüssel eines Gebiets im Store, z. B. 05315000 (in "
                         "Anführungszeichen)", "zuerst die Grenzen importieren oder den "
                         "Schlüssel korrigieren", "unknown unit")
        base = self.number(obj, _LB, "baseline_year", path, where, integer=True, lo=1900,
                           hi=2100)
        window = self.number(obj, _LB, "forecast_window", path, where, integer=True, lo=3,
                             hi=100)
        return Leitbild(id=lid, name=name, unit_id=unit,
                        baseline_year=None if base is None else int(base),
                        forecast_window=10 if window is None else int(window),
                        synthetic=self.flag(obj, _LB, "synthetic", path, where),
                        note=self.text(obj, _LB, "note", path, where))

    def declared(self, item: Any, path: Path_) -> DeclaredIndicator | None:
        obj = self.mapping(item, path, "Indikatoren", str(path[-1]))
        if not obj:
            return None
        iid = self.text(obj, _IND, "id", path, "Indikatoren", required=True)
        where = f"Indikator '{iid}'"
        self.unknown_keys(obj, _IND, path, where)
        name = self.text(obj, _IND, "name_de", path, where, required=True)
        pol = self.number(obj, _IND, "polarity", path, where, integer=True, lo=-1, hi=1)
        dec = self.number(obj, _IND, "decimals", path, where, integer=True, lo=0, hi=6)
        if not iid or not name:
            return None
        return DeclaredIndicator(iid, name, self.text(obj, _IND, "name_en", path, where),
                                 self.text(obj, _IND, "unit", path, where),
                                 0 if pol is None else int(pol), 1 if dec is None else int(dec),
                                 self.text(obj, _IND, "note_de", path, where),
                                 self.text(obj, _IND, "note_en", path, where))

    def goal(self, item: Any, path: Path_, lb: Leitbild,
             info: Mapping[str, IndicatorInfo]) -> Goal | None:
        obj = self.mapping(item, path, "Ziele", str(path[-1]))
        if not obj:
            return None
        gid = self.text(obj, _GOAL, "id", path, f"Ziel Nr. {int(path[-1]) + 1}", required=True)
        where = f"Ziel '{gid}'" if gid else f"Ziel Nr. {int(path[-1]) + 1}"
        self.unknown_keys(obj, _GOAL, path, where)
        goal = Goal(id=gid, result_de=self.text(obj, _GOAL, "result_de", path, where,
                                                required=True),
                    result_en=self.text(obj, _GOAL, "result_en", path, where),
                    life_phase=self.text(obj, _GOAL, "life_phase", path, where) or "all",
                    sector=self.text(obj, _GOAL, "sector", path, where) or "general")
        traw, tkey = self.get(obj, _GOAL, "targets")
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
        praw, pkey = self.get(obj, _GOAL, "programmes")
        for i, p in enumerate(self.seq(praw, (*path, pkey), where, pkey)):
            prog = self.programme(p, (*path, pkey, i), where)
            if prog is not None:
                prog.position = len(goal.programmes)
                goal.programmes.append(prog)
        return goal if gid else None

    def target(self, item: Any, path: Path_, where: str, lb: Leitbild,
               info: Mapping[str, IndicatorInfo]) -> Target | None:
        obj = self.mapping(item, path, where, "indikatoren")
        if not obj:
            return None
        self.unknown_keys(obj, _TARGET, path, where)
        ind = self.text(obj, _TARGET, "indicator", path, where, required=True)
        unit = self.text(obj, _TARGET, "unit", path, where)
        unit = self.unit(unit) or unit
        level = self.text(obj, _TARGET, "level", path, where)
        value = self.number(obj, _TARGET, "target_value", path, where, required=True)
        year = self.number(obj, _TARGET, "target_year", path, where, required=True,
                           integer=True, lo=1900, hi=2100)
        base_year = self.number(obj, _TARGET, "baseline_year", path, where, integer=True,
                                lo=1900, hi=2100)
        base_value = self.number(obj, _TARGET, "baseline_value", path, where)
        tol = self.number(obj, _TARGET, "tolerance", path, where, lo=0)
        dtext = self.text(obj, _TARGET, "direction", path, where, required=True)
        direction = DIRECTION_ALIASES.get(dtext.lower()) if dtext else None
        _, dkey = self.get(obj, _TARGET, "direction")
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

    def check_indicator(self, ind: str, path: Path_, where: str, obj: Mapping[str, Any],
                        info: Mapping[str, IndicatorInfo]) -> bool:
        if not ind or ind in info:
            return True
        _, key = self.get(obj, _TARGET, "indicator")
        close = difflib.get_close_matches(ind, sorted(info), n=3)
        self.problem((*path, key), where, key,
                     "Indikator unbekannt: weder im Store noch im Katalog noch unter "
                     "'indikatoren' angekündigt", ind,
                     "die ID eines Indikators ('kekiz indicators' listet sie)" +
                     (f", z. B. {', '.join(close)}" if close else ""),
                     "die ID korrigieren oder den Indikator unter 'indikatoren' ankündigen",
                     "unknown indicator: not in the store, the catalogue or 'indikatoren'")
        return False

    def check_place(self, unit: str, level: str, path: Path_, where: str,
                    obj: Mapping[str, Any], lb: Leitbild) -> bool:
        ok = True
        if unit and level:
            _, key = self.get(obj, _TARGET, "level")
            self.problem((*path, key), where, key, "Gebiet und Ebene zugleich angegeben", level,
                         "entweder 'gebiet' (ein Gebiet) oder 'ebene' (jedes Gebiet der Ebene)",
                         "eines der beiden Felder löschen", "both unit and level given")
            ok = False
        if unit and unit not in self.ctx.units:
            _, key = self.get(obj, _TARGET, "unit")
            self.problem((*path, key), where, key, "Gebiet unbekannt", unit,
                         "den Schlüssel eines Gebiets im Store (in Anführungszeichen)",
                         "den Schlüssel korrigieren", "unknown unit")
            ok = False
        if level and level not in self.ctx.levels:
            _, key = self.get(obj, _TARGET, "level")
            self.problem((*path, key), where, key, "Ebene unbekannt", level,
                         "eine von: " + ", ".join(self.ctx.levels), "die Ebene korrigieren",
                         "unknown level")
            ok = False
        return ok and bool(unit or level or lb.unit_id)

    def check_years_and_direction(self, t: Target, path: Path_, where: str,
                                  obj: Mapping[str, Any], lb: Leitbild,
                                  info: Mapping[str, IndicatorInfo]) -> None:
        series = pd.DataFrame({"year": pd.Series(dtype="int64"),
                               "value": pd.Series(dtype="float64")})
        if self.ctx.series is not None and t.unit_id is not None:
            series = self.ctx.series(t.indicator_id, t.unit_id)
        b_year, b_value = baseline_of(series, t, lb.baseline_year)
        _, ykey = self.get(obj, _TARGET, "target_year")
        if b_year is not None and t.target_year <= b_year:
            self.problem((*path, ykey), where, ykey,
                         f"Zieljahr {t.target_year} liegt nicht nach dem Basisjahr {b_year}",
                         t.target_year, f"ein Jahr nach {b_year}",
                         "Zieljahr oder Basisjahr korrigieren",
                         f"target year {t.target_year} is not after the baseline {b_year}")
        _, dkey = self.get(obj, _TARGET, "direction")
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

    def programme(self, item: Any, path: Path_, where: str) -> Programme | None:
        obj = self.mapping(item, path, where, "programme")
        if not obj:
            return None
        pid = self.text(obj, _PROG, "id", path, where, required=True)
        pw = f"{where}, Programm '{pid}'"
        self.unknown_keys(obj, _PROG, path, pw)
        prog = Programme(pid, self.text(obj, _PROG, "name_de", path, pw, required=True),
                         self.text(obj, _PROG, "name_en", path, pw),
                         self.text(obj, _PROG, "lead", path, pw),
                         synthetic=self.flag(obj, _PROG, "synthetic", path, pw))
        mraw, mkey = self.get(obj, _PROG, "measures")
        for i, m in enumerate(self.seq(mraw, (*path, mkey), pw, mkey)):
            measure = self.measure(m, (*path, mkey, i), pw)
            if measure is not None:
                prog.measures.append(measure)
        return prog

    def measure(self, item: Any, path: Path_, where: str) -> Measure | None:
        obj = self.mapping(item, path, where, "kennzahlen")
        if not obj:
            return None
        mid = self.text(obj, _MEAS, "id", path, where, required=True)
        mw = f"{where}, Kennzahl '{mid}'"
        self.unknown_keys(obj, _MEAS, path, mw)
        ktext = self.text(obj, _MEAS, "kind", path, mw, required=True)
        kind = MEASURE_ALIASES.get(ktext.lower().rstrip("?").strip()) if ktext else None
        if ktext and kind is None:
            _, key = self.get(obj, _MEAS, "kind")
            self.problem((*path, key), mw, key, "unbekannte Art der Kennzahl", ktext,
                         "'wie viel', 'wie gut' oder 'besser gestellt' (how much / how well / "
                         "better off)", "die Art korrigieren", "unknown measure kind")
        name = self.text(obj, _MEAS, "name_de", path, mw, required=True)
        vraw, vkey = self.get(obj, _MEAS, "values")
        values: dict[int, float] = {}
        for y, v in self.mapping(vraw, (*path, vkey), mw, vkey).items():
            ytext = _text(y)
            num = self.number({vkey: v}, {"v": (vkey.lower(),)}, "v", (*path, vkey, ytext), mw)
            if not (ytext.isdigit() and 1900 <= int(ytext) <= 2100):
                self.problem((*path, vkey, ytext), mw, vkey, "kein Jahr", ytext,
                             "Jahre als Schlüssel, z. B. 2024: 120", "das Jahr korrigieren",
                             "not a year")
            elif num is not None:
                values[int(ytext)] = num
        target = self.number(obj, _MEAS, "target", path, mw)
        if not mid or kind is None or not name:
            return None
        return Measure(mid, kind, name, self.text(obj, _MEAS, "name_en", path, mw),
                       self.text(obj, _MEAS, "unit", path, mw), values, target,
                       self.flag(obj, _MEAS, "synthetic", path, mw))


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
    if not path.exists():
        report.add("Datei nicht gefunden", value=str(path), expected="eine vorhandene Datei",
                   fix="Pfad prüfen", message_en="file not found")
        return None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        doc = _read_yaml(path, report)
    elif suffix in (".xlsx", ".xlsm"):
        doc = _read_xlsx(path, report)
    else:
        report.add("Unbekanntes Dateiformat", value=path.suffix,
                   expected="eine YAML-Datei (.yaml) oder Excel-Datei (.xlsx)",
                   fix="die Datei als .yaml oder .xlsx speichern",
                   message_en="unknown file format")
        return None
    if doc is None:
        return None
    return _Validator(doc, report, ctx).run()  # also after reading problems: one report
