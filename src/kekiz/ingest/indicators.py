"""Indicator tables (CSV/XLSX, long or wide) -> validated observations.

Layouts, detected from the header:

* **long**: a key column, a period column, an indicator column and a value column, or
  numerator and denominator columns instead of the value (``AGS;Jahr;Indikator;Zaehler;
  Nenner``, as statistics offices deliver rates): the value is then computed as
  ``numerator / denominator * scale``;
* **by period**: a key column, a period column and one column per indicator;
* **wide by period**: a key column and one column per period (``2019``, ``2020-H1`` ...),
  with ``--indicator`` naming the indicator;
* **snapshot**: a key column and one column per indicator, with ``--period``.

Explicit options always win over the detection: ``--indicator-column`` makes the layout
long, ``--column`` naming columns of the file makes it by period (or snapshot) even when a
column looks like an indicator column, ``--period-column`` and ``--period`` set the period.
Messages name the column that is missing, never one the user gave and the file has.

Periods are read by :mod:`kekiz.domain.periods` (years, half-years, quarters, months,
days) and stored under their canonical label.  Missing-value markers
(:mod:`kekiz.domain.missing`, ``IndicatorOptions.missing``) are read as missing and
counted in the notes.  Metadata options describe new indicators only
(:mod:`kekiz.ingest.indicator_meta`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kekiz.domain.catalogue import lookup
from kekiz.domain.errors import ValidationReport
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers, MissingTally
from kekiz.domain.model import Indicator
from kekiz.domain.periods import canonical_period, parse_period
from kekiz.ingest.boundaries import match_key
from kekiz.ingest.cells import column_style, normalise_key, parse_number
from kekiz.ingest.indicator_cells import CellReader, indicator_id
from kekiz.ingest.indicator_meta import MetadataPlan
from kekiz.ingest.tables import RawTable

__all__ = ["IndicatorOptions", "ParsedIndicators", "parse_indicators"]

KEY_NAMES = ("ags", "ars", "kennziffer", "gkz", "schlüssel", "schluessel", "gebietsschlüssel",
             "regionalschlüssel", "id", "key", "raum_id", "gvb_id", "kreis_id", "unit_id",
             "stt_nr", "plr_id")
PERIOD_NAMES = ("jahr", "year", "period", "periode", "zeitraum", "stichtag")
INDICATOR_NAMES = ("indikator", "indicator", "merkmal", "indicator_id")
VALUE_NAMES = ("wert", "value", "anzahl", "zahl")
NUMERATOR_NAMES = ("zaehler", "zähler", "numerator")
DENOMINATOR_NAMES = ("nenner", "denominator")
LABEL_NAMES = ("name", "gen", "raumeinheit", "gebiet", "bezeichnung", "aggregat", "kreis_name",
               "gvb_name", "bez", "ars", "krs", "source_file", "gemeinde", "kreis", "stadtteil",
               "stadtbezirk", "kommune", "gebietsname", "ortsteil", "bezirk", "raum", "name_de")


@dataclass
class IndicatorOptions:
    level: str
    key_column: str | None = None
    period_column: str | None = None
    period: str | None = None
    indicator: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # column -> indicator id
    id_prefix: str = ""
    filter_column: str | None = None
    filter_values: list[str] = field(default_factory=list)
    key_map: dict[str, str] = field(default_factory=dict)  # file key -> unit id
    indicator_column: str | None = None
    #: metadata of new indicators (name_de, unit, aggregation ...); see indicator_meta
    metadata: dict[str, Any] = field(default_factory=dict)
    #: missing-value markers (``--missing``; kekiz.domain.missing.parse_missing)
    missing: MissingMarkers = DEFAULT_MISSING


@dataclass
class ParsedIndicators:
    observations: pd.DataFrame
    indicators: list[Indicator]
    layout: str
    unmatched_keys: int = 0
    #: cells read as missing, per marker and column (also worded in the report's notes)
    missing: MissingTally = field(default_factory=MissingTally)


@dataclass
class Layout:
    """The detected layout and the columns that play a part in it."""

    kind: str  # long / bytime / wide / snapshot
    values: list[str]  # value columns (long: the value column, or none when computed)
    period: str | None = None  # the period column (None: --period or wide)
    indicator: str | None = None  # the indicator column (long)
    numerator: str | None = None
    denominator: str | None = None
    period_of: dict[str, str] = field(default_factory=dict)  # wide: column -> period label

    @property
    def computed(self) -> bool:
        return self.kind == "long" and not self.values


def _find(header: list[str], names: tuple[str, ...]) -> str | None:
    lower = {h.lower(): h for h in header}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def parse_indicators(table: RawTable, opts: IndicatorOptions, report: ValidationReport,
                     key_index: dict[str, dict[str, str]],
                     known: dict[str, Indicator]) -> ParsedIndicators | None:
    """Check every cell of ``table`` and return the observations it holds."""
    header = table.header
    key_col = opts.key_column or _find(header, KEY_NAMES)
    if key_col is None or key_col not in header:
        report.add("Schlüsselspalte nicht gefunden", value=opts.key_column or "",
                   expected="eine Spalte mit Gebietsschlüsseln, z. B. " +
                   ", ".join(KEY_NAMES[:6]) + f"; vorhanden: {', '.join(header)}",
                   fix="--key SPALTE angeben", message_en="key column not found")
        return None
    rows = _rows(table, opts, report)
    layout = None if rows is None else detect_layout(header, key_col, opts, report)
    if rows is None or layout is None or not _period_option(opts, report):
        return None
    if layout.kind in ("bytime", "snapshot") and not opts.columns:
        layout.values = [c for c in layout.values if c in known or lookup(c) is not None
                         or not _label_column([r[header.index(c)] for _, r in rows[:500]])]
    plan = MetadataPlan.of(opts.metadata, known, report, computed=layout.computed)
    if plan is None:
        return None
    reader = CellReader(header, layout, opts.missing, report, rows, key_index)
    records = _read_rows(rows, header, key_col, layout, opts, plan, reader, report)
    indicators = plan.finish(report)
    for text in reader.tally.notes("de") + reader.notes():
        report.note(text)
    if not records and report.ok:
        report.add("Keine Werte gefunden", expected="mindestens einen Wert",
                   fix="Spalten und Optionen prüfen", message_en="no values found")
    frame = pd.DataFrame.from_records(records, columns=[
        "indicator_id", "unit_id", "period", "value", "numerator", "denominator", "status"])
    return ParsedIndicators(frame, indicators, layout.kind, reader.unmatched_total,
                            reader.tally)


def _rows(table: RawTable, opts: IndicatorOptions,
          report: ValidationReport) -> list[tuple[int, list[str]]] | None:
    rows = list(enumerate(table.rows, start=table.first_row))
    if not opts.filter_column:
        return rows
    if opts.filter_column not in table.header:
        report.add("Filterspalte nicht gefunden", column=opts.filter_column,
                   expected="eine vorhandene Spalte", fix="--where SPALTE=WERT korrigieren",
                   message_en="filter column not found")
        return None
    fi = table.header.index(opts.filter_column)
    keep = set(opts.filter_values)
    return [(ln, r) for ln, r in rows if r[fi] in keep]


def _period_option(opts: IndicatorOptions, report: ValidationReport) -> bool:
    if opts.period is None:
        return True
    label = canonical_period(opts.period)
    if label is None:
        report.add("--period ist kein Zeitraum", value=opts.period,
                   expected="ein Jahr (2021), Halbjahr (2021-H1), Quartal (2021-Q2), Monat "
                   "(2021-06) oder Stichtag (2021-12-31)", fix="--period korrigieren",
                   message_en="--period is not a period")
        return False
    opts.period = label
    return True


def _read_rows(rows: list[tuple[int, list[str]]], header: list[str], key_col: str,
               layout: Layout, opts: IndicatorOptions, plan: MetadataPlan,
               reader: CellReader, report: ValidationReport) -> list[dict[str, object]]:
    key_i = header.index(key_col)
    records: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        if not any(row):
            continue
        key = normalise_key(row[key_i])
        unit_id = opts.key_map.get(key) or (
            match_key(key, reader.key_index, opts.id_prefix) if key else None)
        if unit_id is None:
            reader.unmatched(key, line, key_col, opts.level)
            continue
        for col in layout.values or [""]:
            target = _cell_target(row, header, col, layout, opts, line, report)
            if target is None:
                continue
            ind_id, period, name = target
            ind = plan.indicator(ind_id, name)
            rec = reader.observation(ind, unit_id, period, row, col, line)
            if rec is None:
                continue
            dup_key = (ind_id, unit_id, period)
            if dup_key in seen:
                report.add(f"Doppelter Wert (schon in Zeile {seen[dup_key]})", row=line,
                           column=col or layout.indicator,
                           value=f"{key} / {period} / {ind_id}",
                           expected="je Gebiet, Zeitraum und Indikator genau einen Wert",
                           fix="die doppelte Zeile löschen",
                           message_en=f"duplicate value (already in row {seen[dup_key]})")
                continue
            seen[dup_key] = line
            records.append(rec)
    return records


def detect_layout(header: list[str], key_col: str, opts: IndicatorOptions,
                  report: ValidationReport) -> Layout | None:
    """The layout of a table with this ``header`` under ``opts`` (problems reported)."""
    for option, col in (("--indicator-column", opts.indicator_column),
                        ("--period-column", opts.period_column)):
        if col is not None and col not in header:
            what = "Indikator" if option == "--indicator-column" else "Zeitraum"
            report.add(f"{what}-Spalte nicht gefunden", column=col,
                       expected=f"eine vorhandene Spalte; vorhanden: {', '.join(header)}",
                       fix=f"{option} korrigieren",
                       message_en=f"{what.lower()} column not found".replace(
                           "zeitraum", "period").replace("indikator", "indicator"))
            return None
    period_col = opts.period_column or (None if opts.period else _find(header, PERIOD_NAMES))
    if opts.period and not opts.period_column and (auto := _find(header, PERIOD_NAMES)):
        report.note(f"Spalte '{auto}' nicht als Zeitraum gelesen: --period {opts.period} gilt "
                    "für alle Werte.")
    columns_in_file = bool(opts.columns) and all(c in header for c in opts.columns)
    ind_col = opts.indicator_column or (
        None if columns_in_file else _find(header, INDICATOR_NAMES))
    if ind_col is not None:
        return _long_layout(header, ind_col, period_col, opts, report)
    periods = {h: p.label for h in header if h not in (key_col, period_col)
               and (p := parse_period(h)) is not None and not opts.columns}
    if periods and period_col is None:
        if not opts.indicator:
            report.add("Spalten je Jahr erkannt, aber kein Indikator angegeben",
                       value=", ".join(list(periods)[:5]), expected="--indicator ID",
                       fix="--indicator mit der Indikator-ID angeben",
                       message_en="one column per year, but no --indicator given")
            return None
        return Layout("wide", list(periods), period_of=periods)
    return _columns_layout(header, key_col, period_col, opts, report)


def _long_layout(header: list[str], ind_col: str, period_col: str | None,
                 opts: IndicatorOptions, report: ValidationReport) -> Layout | None:
    if period_col is None and opts.period is None:
        report.add("Zeitraum-Spalte fehlt (langes Format)", column=PERIOD_NAMES[0],
                   expected="eine Spalte " + ", ".join(f"'{n}'" for n in PERIOD_NAMES) +
                   f" oder die Option --period; vorhanden: {', '.join(header)}",
                   fix="eine Spalte 'jahr' ergänzen, --period-column SPALTE oder --period "
                   "JAHR angeben", message_en="period column missing (long layout)")
        return None
    value = _find(header, VALUE_NAMES)
    num, den = _find(header, NUMERATOR_NAMES), _find(header, DENOMINATOR_NAMES)
    if value is None and (num is None or den is None):
        missing = (VALUE_NAMES[0] if num is None and den is None else
                   DENOMINATOR_NAMES[0] if den is None else NUMERATOR_NAMES[0])
        report.add(f"Langes Format: Spalte '{missing}' fehlt", column=missing,
                   expected="eine Spalte 'wert' (oder value, anzahl, zahl) oder die "
                   f"Spalten 'zaehler' und 'nenner'; vorhanden: {', '.join(header)}",
                   fix="eine Spalte 'wert' oder die Spalten 'zaehler' und 'nenner' ergänzen",
                   message_en=f"long layout: column '{missing}' missing")
        return None
    return Layout("long", [value] if value else [], period_col, ind_col, num, den)


def _columns_layout(header: list[str], key_col: str, period_col: str | None,
                    opts: IndicatorOptions, report: ValidationReport) -> Layout | None:
    num, den = _find(header, NUMERATOR_NAMES), _find(header, DENOMINATOR_NAMES)
    ignore = {key_col, period_col, opts.filter_column} | {
        h for h in header if h.lower() in LABEL_NAMES}
    if num and den:
        ignore |= {num, den}  # they belong to the row's value, they are no indicators
    # a period column not used as the period (--period or --period-column given) is no
    # indicator either
    ignore |= {h for h in header if h.lower() in PERIOD_NAMES}
    if opts.columns:
        missing = [c for c in opts.columns if c not in header]
        for c in missing:
            report.add("Spalte nicht gefunden", column=c, expected="eine vorhandene Spalte; "
                       f"vorhanden: {', '.join(header)}", fix="--column SPALTE=ID korrigieren",
                       message_en="column not found")
        if missing:
            return None
    values = list(opts.columns) if opts.columns else [h for h in header if h not in ignore and h]
    if not values:
        report.add("Keine Wertspalten gefunden", expected="mindestens eine Spalte mit Werten",
                   fix="die Datei prüfen", message_en="no value columns")
        return None
    if period_col is None and opts.period is None:
        report.add("Kein Zeitraum: weder eine Spalte 'jahr' noch --period",
                   expected="eine Spalte 'jahr' oder die Option --period 2021",
                   fix="--period JAHR angeben", message_en="no period column and no --period")
        return None
    if opts.indicator and len(values) > 1 and not opts.columns:
        report.add("--indicator passt nur zu einer Wertspalte",
                   value=", ".join(values[:6]), expected="genau eine Wertspalte",
                   fix="--column SPALTE=ID je Spalte angeben",
                   message_en="--indicator fits only one value column")
        return None
    return Layout("bytime" if period_col else "snapshot", values, period_col,
                  numerator=num if num and den else None,
                  denominator=den if num and den else None)


def _cell_target(row: list[str], header: list[str], col: str, layout: Layout,
                 opts: IndicatorOptions, line: int,
                 report: ValidationReport) -> tuple[str, str, str] | None:
    """(indicator id, period label, the file's name of the indicator) of one cell."""
    if layout.kind == "wide":
        assert opts.indicator is not None
        return opts.indicator, layout.period_of[col], opts.indicator
    if layout.kind == "long":
        assert layout.indicator is not None
        raw = row[header.index(layout.indicator)].strip()
        if opts.columns and raw not in opts.columns:
            return None
        ind_id, name = opts.columns.get(raw) or indicator_id(raw), raw
    else:
        ind_id, name = opts.columns.get(col) or opts.indicator or indicator_id(col), col
    if layout.period is None:
        assert opts.period is not None
        return ind_id, opts.period, name
    text = row[header.index(layout.period)].strip()
    period = canonical_period(text)
    if period is None:
        report.add("Zeitraum ist kein Jahr oder Datum (auch kein Halbjahr, Quartal oder Monat)",
                   row=line, column=layout.period, value=text,
                   expected="ein Jahr (2021), Halbjahr (2021-H1), Quartal (2021-Q2), Monat "
                   "(2021-06) oder Datum (2021-12-31)",
                   fix="den Zeitraum als Jahr schreiben oder in einer dieser Formen",
                   message_en="period is not a year, half-year, quarter, month or date")
        return None
    return ind_id, period, name


def _label_column(cells: list[str]) -> bool:
    """A column of names (no cell is a number), not of values."""
    filled = [c for c in cells if c.strip()]
    if not filled:
        return False
    style = column_style(filled)
    return all(parse_number(c, style).status in ("invalid",) for c in filled)
