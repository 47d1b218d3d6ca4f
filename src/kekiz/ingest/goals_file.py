"""The Leitbild file (YAML or XLSX) read into a :class:`Document`: its data and, for
every value, the line (YAML) or the row and column (XLSX) it stands in.

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

:func:`read_document` reports a file it cannot read (not found, unknown format, not
UTF-8, YAML syntax, unreadable workbook, missing sheet); :mod:`kekiz.ingest.goals`
checks the content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.workbook import XLSX_SUFFIXES, read_sheets

__all__ = ["COMMENT", "GOAL", "INDICATOR", "LEITBILD", "MEASURE", "PROGRAMME", "TARGET", "TOP",
           "Document", "KeyPath", "read_document", "text_of"]

#: Where a value stands in the document: keys and list positions from the top.
KeyPath = tuple[Any, ...]

#: Field -> accepted keys (German first, English aliases), per section of the file.
TOP = {"leitbild": ("leitbild",), "indicators": ("indikatoren", "indicators"),
       "goals": ("ziele", "goals")}
LEITBILD = {"id": ("id",), "name": ("name",),
            "unit": ("gebiet", "unit", "unit_id", "kommune"),
            "baseline_year": ("basisjahr", "baseline_year"),
            "forecast_window": ("prognosefenster", "forecast_window"),
            "synthetic": ("synthetisch", "synthetic"), "note": ("hinweis", "note")}
INDICATOR = {"id": ("id",), "name_de": ("name_de", "name"), "name_en": ("name_en",),
             "unit": ("einheit", "unit"), "polarity": ("polaritaet", "polarität", "polarity"),
             "decimals": ("nachkommastellen", "decimals"),
             "note_de": ("hinweis", "hinweis_de", "note_de", "note"),
             "note_en": ("hinweis_en", "note_en")}
GOAL = {"id": ("id", "ziel_id"), "result_de": ("ergebnis", "ergebnis_de", "result_de",
                                               "result"),
        "result_en": ("ergebnis_en", "result_en"), "life_phase": ("lebensphase", "life_phase"),
        "sector": ("sektor", "sector"), "targets": ("indikatoren", "indicators", "targets"),
        "programmes": ("programme", "programmes")}
TARGET = {"indicator": ("indikator", "indicator"), "unit": ("gebiet", "unit", "unit_id"),
          "level": ("ebene", "level"), "baseline_year": ("basisjahr", "baseline_year"),
          "baseline_value": ("basiswert", "baseline_value"),
          "target_value": ("zielwert", "target_value"),
          "target_year": ("zieljahr", "target_year"), "direction": ("richtung", "direction"),
          "tolerance": ("toleranz", "tolerance")}
PROGRAMME = {"id": ("id", "programm_id"), "name_de": ("name", "name_de", "programm"),
             "name_en": ("name_en", "programm_en"), "lead": ("traeger", "träger", "lead"),
             "synthetic": ("synthetisch", "synthetic"), "measures": ("kennzahlen", "measures")}
MEASURE = {"id": ("id", "kennzahl_id"), "kind": ("art", "kind"),
           "name_de": ("name", "name_de", "kennzahl"), "name_en": ("name_en", "kennzahl_en"),
           "unit": ("einheit", "unit"), "values": ("werte", "values"),
           "target": ("ziel", "zielwert", "target"), "synthetic": ("synthetisch", "synthetic")}
#: Keys of remarks, ignored everywhere.
COMMENT = ("bemerkung", "kommentar", "comment", "notiz")


@dataclass
class Document:
    """The data of a Leitbild file and where each value stands (``locs``: line or row,
    and column; ``raw``: a scalar as written, e.g. ``05315000`` with its zeros)."""

    data: Any
    kind: str  # yaml / xlsx
    locs: dict[KeyPath, tuple[int | None, str | None]] = field(default_factory=dict)
    raw: dict[KeyPath, str] = field(default_factory=dict)


def read_document(path: Path, report: ValidationReport) -> Document | None:
    """Read a Leitbild file (``.yaml``/``.yml`` or ``.xlsx``/``.xlsm``); problems go to
    ``report`` and ``None`` is returned when the file cannot be read."""
    if not path.exists():
        report.add("Datei nicht gefunden", value=str(path), expected="eine vorhandene Datei",
                   fix="Pfad prüfen", message_en="file not found")
        return None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path, report)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, report)
    report.add("Unbekanntes Dateiformat", value=path.suffix,
               expected="eine YAML-Datei (.yaml) oder Excel-Datei (.xlsx)",
               fix="die Datei als .yaml oder .xlsx speichern",
               message_en="unknown file format")
    return None


def _read_yaml(path: Path, report: ValidationReport) -> Document | None:
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
    doc = Document(data, "yaml")
    _walk(node, (), doc, report)
    return doc


def _walk(node: Any, path: KeyPath, doc: Document, report: ValidationReport) -> None:
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


def _read_xlsx(path: Path, report: ValidationReport) -> Document | None:
    book = read_sheets(path, report)
    if book is None:
        return None
    sheets = {name.strip().lower().replace("ß", "ss"): grid for name, grid in book.items()}
    if "ziele" not in sheets or "leitbild" not in sheets:
        report.add("Tabellenblatt 'leitbild' oder 'ziele' fehlt",
                   expected="die Blätter leitbild, ziele (und optional indikatoren, "
                   "massnahmen); vorhanden: " + ", ".join(sheets),
                   fix="die Blätter anlegen oder umbenennen", message_en="sheet missing")
        return None
    doc = Document({}, "xlsx")
    lb: dict[str, Any] = {}
    for n, row in enumerate(sheets["leitbild"][1:], start=2):
        if row and row[0] not in (None, ""):
            key = str(row[0]).strip().lower()
            lb[key] = row[1] if len(row) > 1 else None
            doc.locs[("leitbild", key)] = (n, "leitbild.wert")
            doc.raw[("leitbild", key)] = text_of(lb[key])
    doc.data["leitbild"] = lb
    doc.locs[("leitbild",)] = (1, "leitbild")
    if "indikatoren" in sheets:
        doc.data["indikatoren"] = _records(sheets["indikatoren"], "indikatoren", doc,
                                           ("indikatoren",))
    goals: list[dict[str, Any]] = []
    by_id: dict[str, int] = {}
    for n, rec in _rows(sheets["ziele"]):
        gid = text_of(rec.get("ziel_id", rec.get("id")))
        goal_keys = {k for names in (GOAL["id"], GOAL["result_de"], GOAL["result_en"],
                                     GOAL["life_phase"], GOAL["sector"]) for k in names}
        if gid not in by_id:
            by_id[gid] = len(goals)
            g = {k: v for k, v in rec.items() if k in goal_keys}
            g["indikatoren"] = []
            goals.append(g)
            gi = by_id[gid]
            doc.locs[("ziele", gi)] = (n, "ziele.ziel_id")
            for k in g:
                doc.locs[("ziele", gi, k)] = (n, f"ziele.{k}")
                doc.raw[("ziele", gi, k)] = text_of(g[k])
        gi = by_id[gid]
        for k in goal_keys & set(rec):
            old = goals[gi].get(k)
            if rec[k] not in (None, "") and old not in (None, "") \
                    and text_of(rec[k]) != text_of(old):
                report.add(f"Ziel '{gid}': Feld '{k}' widerspricht der ersten Zeile des Ziels "
                           f"('{text_of(old)}')", row=n, column=f"ziele.{k}", value=text_of(rec[k]),
                           expected="dieselben Angaben zum Ziel in jeder seiner Zeilen",
                           fix="die Angaben vereinheitlichen oder eine neue ziel_id vergeben",
                           message_en=f"goal '{gid}': field '{k}' contradicts its first row")
        t = {k: v for k, v in rec.items() if k not in goal_keys}
        ti = len(goals[gi]["indikatoren"])
        goals[gi]["indikatoren"].append(t)
        doc.locs[("ziele", gi, "indikatoren", ti)] = (n, "ziele")
        for k in t:
            doc.locs[("ziele", gi, "indikatoren", ti, k)] = (n, f"ziele.{k}")
            doc.raw[("ziele", gi, "indikatoren", ti, k)] = text_of(t[k])
    doc.data["ziele"] = goals
    doc.locs[("ziele",)] = (1, "ziele")
    for key in ("massnahmen", "maßnahmen", "programme"):
        if key in sheets:
            _xlsx_measures(sheets[key], goals, by_id, doc, report)
            break
    return doc


def _xlsx_measures(grid: list[list[Any]], goals: list[dict[str, Any]], by_id: dict[str, int],
                   doc: Document, report: ValidationReport) -> None:
    for n, rec in _rows(grid):
        gid = text_of(rec.get("ziel_id"))
        if gid not in by_id:
            report.add(f"Ziel '{gid}' ist im Blatt 'ziele' nicht definiert", row=n,
                       column="massnahmen.ziel_id", value=gid,
                       expected="die ziel_id eines Ziels aus dem Blatt 'ziele'",
                       fix="die ziel_id korrigieren", message_en=f"goal '{gid}' not defined")
            continue
        gi = by_id[gid]
        progs = goals[gi].setdefault("programme", [])
        pid = text_of(rec.get("programm_id"))
        pi = next((i for i, p in enumerate(progs) if text_of(p.get("programm_id")) == pid), None)
        if pi is None:
            pi = len(progs)
            progs.append({k: rec[k] for k in ("programm_id", "programm", "programm_en",
                                              "traeger", "synthetisch") if k in rec})
            progs[pi]["kennzahlen"] = []
            pbase: KeyPath = ("ziele", gi, "programme", pi)
            doc.locs[pbase] = (n, "massnahmen")
            for k in progs[pi]:
                doc.locs[(*pbase, k)] = (n, f"massnahmen.{k}")
        meas = progs[pi]["kennzahlen"]
        mid = text_of(rec.get("kennzahl_id"))
        mi = next((i for i, m in enumerate(meas) if text_of(m.get("kennzahl_id")) == mid), None)
        base: KeyPath = ("ziele", gi, "programme", pi, "kennzahlen")
        if mi is None:
            mi = len(meas)
            meas.append({k: rec[k] for k in ("kennzahl_id", "art", "kennzahl", "kennzahl_en",
                                             "einheit", "ziel", "synthetisch") if k in rec})
            meas[mi]["werte"] = {}
            doc.locs[(*base, mi)] = (n, "massnahmen")
            for k in meas[mi]:
                doc.locs[(*base, mi, k)] = (n, f"massnahmen.{k}")
        if rec.get("jahr") not in (None, ""):
            year = text_of(rec["jahr"])
            meas[mi]["werte"][year] = rec.get("wert")
            doc.locs[(*base, mi, "werte", year)] = (n, "massnahmen.wert")


def _rows(grid: list[list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    if not grid:
        return []
    header = [text_of(h).lower() for h in grid[0]]
    out = []
    for n, row in enumerate(grid[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue
        out.append((n, {h: v for h, v in zip(header, row, strict=False) if h}))
    return out


def _records(grid: list[list[Any]], sheet: str, doc: Document, base: KeyPath
             ) -> list[dict[str, Any]]:
    out = []
    for i, (n, rec) in enumerate(_rows(grid)):
        out.append(rec)
        doc.locs[(*base, i)] = (n, sheet)
        for k in rec:
            doc.locs[(*base, i, k)] = (n, f"{sheet}.{k}")
            doc.raw[(*base, i, k)] = text_of(rec[k])
    return out


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

