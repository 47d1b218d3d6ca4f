"""Cooperation surveys (CSV/XLSX, one row per respondent-partner pair) -> a network wave.

A row says: the respondent (an organisation of the prevention chain) works with the
partner it names, in which way (information exchange, referral, joint case work, formal
agreement), in which direction, how intensely (1-4) and how it rates the partner's trust
and value (1-4, PARTNER tool scales).  Each row repeats the attributes of both actors
(organisation, sector, life phases served, district); an actor's attributes must agree
on every row.  A respondent that names no partner has one row with an empty partner:
it stays in the network as an isolate.

Every cell is checked before anything is built; problems go to the
:class:`~kekiz.domain.errors.ValidationReport` with file, row, column, value, what was
expected and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from kekiz.domain.cooperation import (
    SCALE_MAX,
    SCALE_MIN,
    Direction,
    Network,
    Partner,
    Tie,
    TieType,
)
from kekiz.domain.directory import parse_life_phase, parse_sector
from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import LifePhase
from kekiz.ingest.cells import column_style, normalise_key, parse_number
from kekiz.ingest.tables import RawTable

__all__ = ["COLUMNS", "ParsedSurvey", "parse_cooperation", "parse_tie_types"]

#: field -> accepted column names (case-insensitive); the first is the documented one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "r_id": ("befragte_id", "respondent_id", "akteur_id", "befragter_id"),
    "r_name": ("befragte_organisation", "respondent_organisation", "respondent_name",
               "befragte_name", "befragter", "akteur"),
    "r_sector": ("befragte_sektor", "respondent_sector", "befragte_bereich"),
    "r_phases": ("befragte_lebensphasen", "respondent_life_phases", "befragte_lebensphase"),
    "r_unit": ("befragte_gebiet", "respondent_unit", "befragte_stadtteil"),
    "p_id": ("partner_id",),
    "p_name": ("partner_organisation", "partner_name", "partner"),
    "p_sector": ("partner_sektor", "partner_sector", "partner_bereich"),
    "p_phases": ("partner_lebensphasen", "partner_life_phases", "partner_lebensphase"),
    "p_unit": ("partner_gebiet", "partner_unit", "partner_stadtteil"),
    "types": ("kooperationsart", "tie_type", "art", "kooperationsarten", "type"),
    "direction": ("richtung", "direction"),
    "intensity": ("intensitaet", "intensität", "intensity", "haeufigkeit", "häufigkeit"),
    "trust": ("vertrauen", "trust"),
    "value": ("nutzen", "value", "wert_fuer_netzwerk"),
    "wave": ("welle", "wave"),
    "date": ("datum", "date", "befragt_am", "surveyed_on"),
    "synthetic": ("synthetisch", "synthetic"),
}
REQUIRED = ("r_id", "r_name", "r_sector", "p_id", "types")

_TYPE_ALIASES: dict[str, TieType] = {}
for _t, _names in {
    TieType.INFORMATION: ("informationsaustausch", "information", "informationen", "info",
                          "austausch", "information exchange", "information_exchange"),
    TieType.REFERRAL: ("vermittlung", "weitervermittlung", "überleitung", "ueberleitung",
                       "verweisung", "überweisung", "referral"),
    TieType.JOINT_CASEWORK: ("gemeinsame fallarbeit", "fallarbeit", "fallberatung",
                             "gemeinsame fallberatung", "joint case work", "joint_casework",
                             "casework", "case work"),
    TieType.AGREEMENT: ("formale kooperationsvereinbarung", "kooperationsvereinbarung",
                        "vereinbarung", "formale vereinbarung", "kooperationsvertrag", "vertrag",
                        "formal agreement", "agreement"),
}.items():
    for _n in (*_names, _t.value, _t.label_de.lower()):
        _TYPE_ALIASES[_n] = _t

_DIRECTIONS = {
    "": Direction.MUTUAL, "gegenseitig": Direction.MUTUAL, "beidseitig": Direction.MUTUAL,
    "wechselseitig": Direction.MUTUAL, "mutual": Direction.MUTUAL, "both": Direction.MUTUAL,
    "<->": Direction.MUTUAL, "ausgehend": Direction.OUT, "out": Direction.OUT,
    "->": Direction.OUT, "von befragter": Direction.OUT, "an partner": Direction.OUT,
    "eingehend": Direction.IN, "in": Direction.IN, "<-": Direction.IN,
    "von partner": Direction.IN,
}
_INTENSITY_WORDS = {"selten": 1, "gelegentlich": 2, "häufig": 3, "haeufig": 3,
                    "sehr häufig": 4, "sehr haeufig": 4, "rarely": 1, "sometimes": 2,
                    "often": 3, "very often": 4}
_TRUE = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
_FALSE = {"nein", "n", "no", "false", "falsch", "0", ""}
_SPLIT = re.compile(r"\s*[,;|+]\s*|\s+und\s+")


@dataclass
class ParsedSurvey:
    network: Network
    synthetic: bool
    first_date: date | None = None
    last_date: date | None = None
    notes: list[str] = field(default_factory=list)


def parse_tie_types(text: str) -> tuple[list[TieType], list[str]]:
    """Tie types named in a cell (several separated by ``,`` ``;`` ``|`` or 'und'),
    and the parts that are not known."""
    found: list[TieType] = []
    unknown: list[str] = []
    for part in _SPLIT.split(text.strip()):
        if not part:
            continue
        t = _TYPE_ALIASES.get(part.lower().strip())
        if t is None:
            unknown.append(part)
        elif t not in found:
            found.append(t)
    return sorted(found, key=lambda x: x.rank), unknown


def _date(text: str) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.((19|20)\d\d)", text)
        if m:
            try:
                return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                return None
    return None


@dataclass
class _Actor:
    partner: Partner
    line: int


class _Parser:
    def __init__(self, table: RawTable, wave: int, report: ValidationReport,
                 unit_of: Callable[[str], str | None]) -> None:
        self.table, self.wave, self.report, self.unit_of = table, wave, report, unit_of
        lower = {h.lower().strip(): i for i, h in enumerate(table.header)}
        self.col: dict[str, int] = {}
        for key, names in COLUMNS.items():
            for n in names:
                if n in lower:
                    self.col[key] = lower[n]
                    break
        self.actors: dict[str, _Actor] = {}
        self.respondents: set[str] = set()
        self.wrong_wave: list[tuple[int, str]] = []
        styles = {}
        for key in ("trust", "value", "intensity"):
            if key in self.col:
                styles[key] = column_style([r[self.col[key]] for r in table.rows
                                            if len(r) > self.col[key]])
        self.styles = styles

    # -- helpers ----------------------------------------------------------------------
    def cell(self, row: list[str], key: str) -> str:
        i = self.col.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def name(self, key: str) -> str:
        return self.table.header[self.col[key]] if key in self.col else COLUMNS[key][0]

    def add(self, message: str, line: int, key: str, value: str, expected: str, fix: str,
            en: str) -> None:
        self.report.add(message, row=line, column=self.name(key), value=value,
                        expected=expected, fix=fix, message_en=en)

    def check_columns(self) -> bool:
        missing = [COLUMNS[k][0] for k in REQUIRED if k not in self.col]
        if missing:
            self.report.add(
                "Pflichtspalte(n) fehlen: " + ", ".join(missing),
                expected="die Spalten " + ", ".join(COLUMNS[k][0] for k in REQUIRED) +
                "; vorhanden: " + ", ".join(self.table.header),
                fix="die Spalten ergänzen oder umbenennen (Vorlage: Demo-Datei "
                "SYNTHETISCH_koeln_kooperation_welle1.csv)",
                message_en="required column(s) missing: " + ", ".join(missing))
            return False
        return True

    # -- one side of a row ------------------------------------------------------------
    def actor(self, row: list[str], line: int, side: str) -> str | None:
        pid = normalise_key(self.cell(row, f"{side}_id"))
        if not pid:
            return None
        name = self.cell(row, f"{side}_name")
        sector_text = self.cell(row, f"{side}_sector")
        phases_text = self.cell(row, f"{side}_phases")
        unit_text = normalise_key(self.cell(row, f"{side}_unit"))
        ok = True
        sector = parse_sector(sector_text) if sector_text else None
        if sector_text and sector is None:
            ok = False
            self.add("Sektor unbekannt", line, f"{side}_sector", sector_text,
                     "Gesundheit, Bildung, Kinder- und Jugendhilfe, Soziales, Sport und "
                     "Kultur, Arbeit und Beruf, Polizei und Sicherheit oder Allgemein",
                     "den Sektor korrigieren", "unknown sector")
        phases: list[str] = []
        for part in _SPLIT.split(phases_text) if phases_text else []:
            phase = parse_life_phase(part)
            if phase is None:
                ok = False
                self.add("Lebensphase unbekannt", line, f"{side}_phases", part,
                         "Lebensphasen wie 'Schwangerschaft', '0-3', '3-6', '6-10', '10-16', "
                         "'16-25' oder 'alle', getrennt durch Komma",
                         "die Lebensphase korrigieren", "unknown life phase")
            elif phase is LifePhase.ALL:
                phases.append(LifePhase.ALL.value)
            elif phase.value not in phases:
                phases.append(phase.value)
        unit_id = None
        if unit_text:
            unit_id = self.unit_of(unit_text)
            if unit_id is None:
                ok = False
                self.add("Gebiet unbekannt", line, f"{side}_unit", unit_text,
                         "den Schlüssel eines importierten Gebiets (z. B. 05315000-101) oder "
                         "leer für gesamtstädtische Akteure",
                         "zuerst die Grenzen importieren oder den Schlüssel korrigieren",
                         "unknown area")
        if not ok:
            return pid
        order = [LifePhase.PREGNANCY.value, LifePhase.AGE_0_3.value, LifePhase.AGE_3_6.value,
                 LifePhase.AGE_6_10.value, LifePhase.AGE_10_16.value,
                 LifePhase.AGE_16_25.value, LifePhase.ALL.value]
        phases.sort(key=order.index)
        new = Partner(id=pid, name=name, sector=sector or "", life_phases=tuple(phases),
                      unit_id=unit_id)
        known = self.actors.get(pid)
        if known is None:
            self.actors[pid] = _Actor(new, line)
            return pid
        old = known.partner
        for key, a, b in ((f"{side}_name", old.name, new.name),
                          (f"{side}_sector", old.sector, new.sector),
                          (f"{side}_phases", ",".join(old.life_phases),
                           ",".join(new.life_phases)),
                          (f"{side}_unit", old.unit_id or "", new.unit_id or "")):
            if a and b and a != b:
                self.add(f"Angaben zum Akteur '{pid}' widersprechen Zeile {known.line} "
                         f"('{a}')", line, key, b,
                         "dieselben Angaben zu einem Akteur in jeder Zeile",
                         "die Angaben vereinheitlichen (eine Akteurs-ID je Organisation)",
                         f"attributes of actor '{pid}' contradict row {known.line}")
        filled = Partner(id=pid, name=old.name or new.name, sector=old.sector or new.sector,
                         life_phases=old.life_phases or new.life_phases,
                         unit_id=old.unit_id or new.unit_id)
        known.partner = filled
        return pid

    def number(self, row: list[str], line: int, key: str, lo: float, hi: float,
               integer: bool) -> float | None:
        text = self.cell(row, key)
        if not text:
            return None
        if key == "intensity" and text.lower() in _INTENSITY_WORDS:
            return float(_INTENSITY_WORDS[text.lower()])
        parsed = parse_number(text, self.styles.get(key, "de"))
        v = parsed.value
        if v is None or not lo <= v <= hi or (integer and v != int(v)):
            what = {"trust": "Vertrauen", "value": "Nutzen", "intensity": "Intensität"}[key]
            self.add(f"{what} liegt nicht auf der Skala {lo:g} bis {hi:g}", line, key, text,
                     f"{'eine ganze Zahl' if integer else 'eine Zahl'} von {lo:g} bis {hi:g} "
                     "(PARTNER-Skala) oder leer" +
                     (" bzw. selten/gelegentlich/häufig/sehr häufig" if integer else ""),
                     "den Wert korrigieren", f"{key} is not on the scale {lo:g} to {hi:g}")
            return None
        return v

    # -- rows -----------------------------------------------------------------------------
    def run(self) -> ParsedSurvey | None:
        if not self.check_columns():
            return None
        ties: list[Tie] = []
        seen: dict[tuple[str, str], int] = {}
        dates: list[date] = []
        synthetic_flags: set[bool] = set()
        for n, row in enumerate(self.table.rows):
            line = self.table.first_row + n
            if not any(c.strip() for c in row):
                continue
            self.row_meta(row, line, dates, synthetic_flags)
            src = self.actor(row, line, "r")
            if src is None:
                self.add("Akteurs-ID der Befragten fehlt", line, "r_id", "",
                         "eine ID je befragter Organisation", "die ID ergänzen",
                         "respondent id missing")
                continue
            self.respondents.add(src)
            dst = self.actor(row, line, "p")
            if dst is None:
                continue  # a respondent without partners: an isolate
            if dst == src:
                self.add("Befragte nennt sich selbst als Partner", line, "p_id", dst,
                         "eine andere Organisation als Partner", "die Zeile löschen",
                         "respondent names itself")
                continue
            if (src, dst) in seen:
                self.add(f"Paar doppelt (auch Zeile {seen[(src, dst)]})", line, "p_id", dst,
                         "eine Zeile je Befragte und Partner",
                         "die Zeilen zusammenfassen (mehrere Kooperationsarten mit Komma)",
                         "duplicate pair")
                continue
            seen[(src, dst)] = line
            tie = self.tie(row, line, src, dst, dates[-1] if dates else None)
            if tie is not None:
                ties.append(tie)
        if self.wrong_wave:
            line, text = self.wrong_wave[0]
            n = len(self.wrong_wave)
            self.add(f"Welle passt nicht zur angegebenen Welle {self.wave}"
                     f"{f' (in {n} Zeilen)' if n > 1 else ''}", line, "wave", text,
                     f"die Welle {self.wave} (oder die Option --wave anpassen)",
                     "eine Datei je Welle importieren", "wave does not match --wave")
        self.check_actors()
        if not self.report.ok:
            return None
        partners = {pid: Partner(a.partner.id, a.partner.name, a.partner.sector,
                                 a.partner.life_phases, a.partner.unit_id,
                                 pid in self.respondents)
                    for pid, a in self.actors.items()}
        net = Network(self.wave, partners, ties)
        return ParsedSurvey(net, synthetic=True in synthetic_flags,
                            first_date=min(dates) if dates else None,
                            last_date=max(dates) if dates else None)

    def row_meta(self, row: list[str], line: int, dates: list[date],
                 flags: set[bool]) -> None:
        wave_text = self.cell(row, "wave")
        if wave_text and normalise_key(wave_text) != str(self.wave):
            self.wrong_wave.append((line, wave_text))
        date_text = self.cell(row, "date")
        if date_text:
            d = _date(date_text)
            if d is None:
                self.add("kein Datum", line, "date", date_text,
                         "ein Datum wie 2024-03-15 oder 15.03.2024", "das Datum korrigieren",
                         "not a date")
            else:
                dates.append(d)
        syn = self.cell(row, "synthetic").lower()
        if syn in _TRUE:
            flags.add(True)
        elif syn in _FALSE:
            flags.add(False)
        else:
            self.add("kein Ja/Nein-Wert", line, "synthetic", syn, "ja/nein (oder true/false)",
                     "den Wert korrigieren", "not a yes/no value")

    def tie(self, row: list[str], line: int, src: str, dst: str,
            when: date | None) -> Tie | None:
        types_text = self.cell(row, "types")
        types, unknown = parse_tie_types(types_text)
        ok = True
        if unknown or not types:
            ok = False
            self.add("Kooperationsart unbekannt" if unknown else "Kooperationsart fehlt",
                     line, "types", ", ".join(unknown) or types_text,
                     "Informationsaustausch, Vermittlung, gemeinsame Fallarbeit oder "
                     "Kooperationsvereinbarung (mehrere mit Komma)",
                     "die Kooperationsart korrigieren", "unknown or missing tie type")
        dtext = self.cell(row, "direction").lower()
        direction = _DIRECTIONS.get(dtext)
        if direction is None:
            ok = False
            self.add("Richtung unbekannt", line, "direction", dtext,
                     "ausgehend, eingehend oder gegenseitig (leer = gegenseitig)",
                     "die Richtung korrigieren", "unknown direction")
        intensity = self.number(row, line, "intensity", 1, 4, integer=True)
        trust = self.number(row, line, "trust", SCALE_MIN, SCALE_MAX, integer=False)
        value = self.number(row, line, "value", SCALE_MIN, SCALE_MAX, integer=False)
        bad_numbers = any(self.cell(row, k) and v is None for k, v in
                          (("intensity", intensity), ("trust", trust), ("value", value)))
        if not ok or bad_numbers or direction is None:
            return None
        return Tie(src, dst, tuple(types), direction,
                   None if intensity is None else int(intensity), trust, value, when)

    def check_actors(self) -> None:
        for pid, a in sorted(self.actors.items(), key=lambda kv: kv[1].line):
            if not a.partner.name or not a.partner.sector:
                what = "Organisation" if not a.partner.name else "Sektor"
                key = "p_name" if not a.partner.name else "p_sector"
                self.add(f"{what} des Akteurs '{pid}' fehlt in allen Zeilen", a.line, key, "",
                         "Organisation und Sektor jedes Akteurs in mindestens einer Zeile",
                         "die Angaben zum Partner ergänzen",
                         f"{'organisation' if what == 'Organisation' else 'sector'} of "
                         f"actor '{pid}' missing in every row")


def parse_cooperation(table: RawTable, wave: int, report: ValidationReport,
                      unit_index: Mapping[str, str] | Callable[[str], str | None]
                      ) -> ParsedSurvey | None:
    """Check every cell of a survey export and return the wave's network.

    ``unit_index`` resolves a district key of the file to a unit id of the store (a
    mapping or a function).  Returns ``None`` when the report has problems.
    """
    if wave < 1:
        report.add("Welle muss eine positive ganze Zahl sein", value=str(wave),
                   expected="1, 2, 3 ...", fix="--wave angeben, z. B. --wave 1",
                   message_en="wave must be a positive integer")
        return None
    lookup = unit_index if callable(unit_index) else unit_index.get
    return _Parser(table, wave, report, lookup).run()
