"""One chunk of records: check, derive findings, assign to units, count.

:func:`make_plan` resolves the schema against a file's header (which column is which
field, which findings can be computed, which assignment methods are possible) and
reports missing columns.  :func:`process_chunk` then works on one Arrow table of records
at a time, fully vectorised: it collects problems per kind (:class:`Issues`), adds the
records that pass to :class:`~kekiz.records.aggregate.Counts` and forgets them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers, MissingTally
from kekiz.records.aggregate import Counts
from kekiz.records.assign import CodeIndex, PolygonIndex, guess_crs
from kekiz.records.bmi import LmsReference
from kekiz.records.columns import (
    as_codes,
    as_days,
    as_float,
    as_text,
    code_map,
    is_empty,
    without_markers,
)
from kekiz.records.dups import DuplicateCheck
from kekiz.records.issues import IssueKind, Issues
from kekiz.records.schema import FIELDS, Finding, RecordSchema

__all__ = ["FindingSource", "Plan", "ScanStats", "make_plan", "process_chunk"]

BoolArray = NDArray[np.bool_]
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class FindingSource:
    """How one finding is read from this file: ``mode`` is ``flag``, ``range``,
    ``percentile``, ``flagcolumn``, ``bmi`` or ``measures``."""

    finding: Finding
    mode: str
    columns: tuple[str, ...]


@dataclass
class Plan:
    schema: RecordSchema
    file: str
    fields: dict[str, str]
    findings: list[FindingSource]
    methods: list[str]
    polygons: PolygonIndex | None = None
    codes: CodeIndex | None = None
    streets: object | None = None  # kekiz.ingest.streets.StreetDirectory
    target_crs: str = "EPSG:4326"
    years: frozenset[int] | None = None
    today: int = field(default_factory=lambda: (date.today() - _EPOCH).days)
    bmi: LmsReference | None = None
    suggestions: dict[str, str] = field(default_factory=dict)  # street -> nearest known
    #: missing-value markers of the numeric columns (kekiz.domain.missing; None: none)
    missing: MissingMarkers | None = DEFAULT_MISSING

    @property
    def columns(self) -> list[str]:
        """Every file column the plan reads."""
        out = list(self.fields.values())
        for src in self.findings:
            out.extend(src.columns)
        return list(dict.fromkeys(out))


@dataclass
class ScanStats:
    rows: int = 0
    used: int = 0
    invalid: int = 0
    unmatched: int = 0
    skipped: int = 0
    assigned: dict[str, int] = field(default_factory=dict)
    synthetic: dict[str, int] = field(default_factory=lambda: {"true": 0, "false": 0})
    checked_crs: bool = False
    #: numeric cells read as missing because they are markers (-9999, '.', ...)
    missing: MissingTally = field(default_factory=MissingTally)

    def to_dict(self) -> dict[str, object]:
        return {"records": self.rows, "used": self.used, "invalid": self.invalid,
                "unmatched": self.unmatched, "outside_years": self.skipped,
                "unmatched_rate": round(self.unmatched / self.rows, 6) if self.rows else 0.0,
                "assigned_by": dict(self.assigned),
                "missing_markers": {m: dict(c) for m, c in self.missing.missing.items()}}


def _kind(key: str, category: str, de: str, en: str, expected: str, fix: str,
          column: str | None = None) -> IssueKind:
    return IssueKind(key, category, de, en, expected, fix, column)


# ----------------------------------------------------------------------- planning
def resolve_column(header: Sequence[str], names: Sequence[str]) -> str | None:
    lower = {h.strip().lower(): h for h in header}
    for name in names:
        hit = lower.get(name.strip().lower())
        if hit is not None:
            return hit
    return None


def make_plan(header: Sequence[str], schema: RecordSchema, file: str, issues: Issues, *,
              polygons: PolygonIndex | None, codes: CodeIndex | None,
              streets: object | None, years: Sequence[int] | None = None,
              bmi: LmsReference | None = None, target_crs: str = "EPSG:4326") -> Plan:
    """Resolve the schema against ``header``; missing columns become fatal issues."""
    fields: dict[str, str] = {}
    for name in FIELDS:
        col = resolve_column(header, schema.columns.get(name, ()))
        if col is not None:
            fields[name] = col

    def missing(what_de: str, what_en: str, names: Sequence[str], fix: str) -> None:
        close = sorted({c for n in names for c in difflib.get_close_matches(
            n.lower(), [h.lower() for h in header], n=1, cutoff=0.7)})
        hint = f" (ähnlich: {', '.join(close)})" if close else ""
        issues.fatal(_kind(
            f"missing:{what_en}", "fatal", f"Pflichtspalte fehlt: {what_de}{hint}",
            f"required column missing: {what_en}",
            f"eine Spalte {' oder '.join(repr(n) for n in names[:4])}; vorhanden: "
            f"{', '.join(header[:25])}", fix, column=names[0] if names else None))

    schema_fix = "die Spalte umbenennen oder im Schema unter [columns] den Namen angeben"
    for name in ("id", "exam_date"):
        if name not in fields:
            missing(FIELDS[name][0], FIELDS[name][1], schema.columns.get(name, ()), schema_fix)
    if "birth_date" not in fields and "age" not in fields:
        names = [*schema.columns.get("birth_date", ()), *schema.columns.get("age", ())]
        missing("Geburtsdatum oder Alter", "birth date or age", names, schema_fix)
    possible = {"coordinates": {"x", "y"} <= set(fields) and polygons is not None,
                "code": "district" in fields and codes is not None,
                "address": "street" in fields and streets is not None}
    methods = [m for m in schema.assignment if possible.get(m)]
    if not methods:
        names = [*schema.columns.get("x", ())[:1], *schema.columns.get("y", ())[:1],
                 *schema.columns.get("district", ())[:2], *schema.columns.get("street", ())[:1]]
        fix = ("Koordinaten (x, y), einen Gebietsschlüssel oder eine Adresse liefern; für "
               "Adressen das Straßenverzeichnis mit --streets angeben")
        if "street" in fields and streets is None:
            fix = "das Straßenverzeichnis mit --streets angeben (Format: siehe Dokumentation)"
        missing("Ortsangabe (Koordinaten x/y, Gebietsschlüssel oder Straße)",
                "location (coordinates x/y, district code or street)", names, fix)
    sources = []
    for finding in schema.findings:
        src = _finding_source(header, finding, bmi, fields)
        if src is None:
            if finding.required:
                names = [n for group in finding.columns() for n in group]
                extra = (" oder Größe und Gewicht bzw. BMI mit [bmi] reference"
                         if finding.kind == "bmi" else "")
                missing(f"{finding.name_de}{extra}", finding.name_en, names,
                        f"{schema_fix}, oder den Befund im Schema mit [findings.{finding.id}] "
                        "enabled = false weglassen")
            continue
        sources.append(src)
    return Plan(schema, file, fields, sources, methods, polygons, codes, streets,
                target_crs, frozenset(years) if years else None, bmi=bmi)


def _finding_source(header: Sequence[str], finding: Finding, bmi: LmsReference | None,
                    fields: dict[str, str]) -> FindingSource | None:
    col = resolve_column(header, finding.column)
    if finding.kind in ("flag", "range"):
        return FindingSource(finding, finding.kind, (col,)) if col else None
    if col:
        return FindingSource(finding, "percentile", (col,))
    flag = resolve_column(header, finding.flag_column)
    if flag:
        return FindingSource(finding, "flagcolumn", (flag,))
    if bmi is None or "sex" not in fields:
        return None
    value = resolve_column(header, finding.bmi_column)
    if value:
        return FindingSource(finding, "bmi", (value,))
    height = resolve_column(header, finding.height_column)
    weight = resolve_column(header, finding.weight_column)
    if height and weight:
        return FindingSource(finding, "measures", (height, weight))
    return None


# ----------------------------------------------------------------------- one chunk
class _Flags:
    """Marks the records of a chunk that break a rule and reports them as issues."""

    def __init__(self, batch: pa.Table, rows: NDArray[np.int64], issues: Issues) -> None:
        self.batch = batch
        self.rows = rows
        self.issues = issues
        self.bad = np.zeros(batch.num_rows, dtype=bool)

    def __call__(self, key: str, mask: BoolArray, column: str, de: str, en: str,
                 expected: str, fix: str, values: NDArray[np.generic] | None = None) -> None:
        if not mask.any():
            return
        where = np.flatnonzero(mask)
        ex = where[:5]
        shown = _texts(self.batch.column(column), ex) if values is None else \
            [values[i] for i in ex]
        self.issues.add(_kind(key, "invalid", de, en, expected, fix, column),
                        self.rows[where], shown)
        self.bad[where] = True


def process_chunk(batch: pa.Table, first_row: int, plan: Plan, counts: Counts,
                  issues: Issues, stats: ScanStats, dups: DuplicateCheck | None) -> None:
    """Check, assign and count one chunk; ``first_row`` is the file row of record 0."""
    n = batch.num_rows
    if n == 0:
        return
    rows = first_row + np.arange(n, dtype=np.int64)
    flag = _Flags(batch, rows, issues)
    stats.rows += n
    _check_ids(batch, plan, flag, dups)
    exam = _exam_dates(batch, plan, flag)
    age = _ages(batch, plan, flag, exam, stats)
    sex = _sexes(batch, plan, flag)
    _synthetic_flags(batch, plan, stats)
    numerators: dict[str, BoolArray] = {}
    denominators: dict[str, BoolArray] = {}
    for src in plan.findings:
        num, den = _finding(batch, src, plan, age, sex, flag, stats.missing)
        numerators[src.finding.id] = num
        denominators[src.finding.id] = den
    years, skip = _years(exam, plan, rows, issues)
    bad = flag.bad
    leaf = _assign(batch, plan, rows, bad | skip, issues, stats)
    if issues.has_fatal:
        return
    stats.invalid += int(bad.sum())
    stats.skipped += int((skip & ~bad).sum())
    use = ~bad & ~skip & (leaf >= 0)
    stats.unmatched += int((~bad & ~skip & (leaf < 0)).sum())
    stats.used += int(use.sum())
    if not use.any():
        return
    uniq, inverse = np.unique(years[use], return_inverse=True)
    period_idx = counts.period_index(_period_labels(uniq, plan.schema.period))[inverse]
    counts.add(leaf[use], period_idx, {k: v[use] for k, v in numerators.items()},
               {k: v[use] for k, v in denominators.items()})


def _check_ids(batch: pa.Table, plan: Plan, flag: _Flags, dups: DuplicateCheck | None
               ) -> None:
    f = plan.fields
    no_id = is_empty(batch.column(f["id"]))
    flag("id_missing", no_id, f["id"], "Datensatz-Kennung fehlt", "record id missing",
         "eine eindeutige Kennung je Datensatz", "die Kennung ergänzen")
    if dups is not None:
        keep = np.flatnonzero(~no_id)
        ids = batch.column(f["id"]) if keep.size == batch.num_rows else \
            batch.column(f["id"]).take(pa.array(keep))
        dups.add(ids, flag.rows[keep])


def _exam_dates(batch: pa.Table, plan: Plan, flag: _Flags) -> NDArray[np.float64]:
    """Days since 1970 of each examination (NaN where missing or invalid)."""
    col = plan.fields["exam_date"]
    exam, exam_bad = as_days(batch.column(col))
    flag("exam_invalid", exam_bad, col, "kein gültiges Untersuchungsdatum",
         "not a valid examination date", "ein Datum wie 2012-03-01 oder 01.03.2012",
         "das Datum korrigieren")
    flag("exam_missing", np.isnan(exam) & ~exam_bad, col,
         "Untersuchungsdatum fehlt", "examination date missing",
         "das Datum der Untersuchung", "das Datum ergänzen")
    flag("exam_future", exam > plan.today, col,
         "Untersuchungsdatum liegt in der Zukunft", "examination date in the future",
         "ein Datum bis heute", "das Datum korrigieren (Jahr vertippt?)")
    return exam


def _ages(batch: pa.Table, plan: Plan, flag: _Flags, exam: NDArray[np.float64],
          stats: ScanStats) -> NDArray[np.float64]:
    """Age in years at the examination, from the birth date or the age column."""
    f, n = plan.fields, batch.num_rows
    if "birth_date" in f:
        age = _ages_from_birth(batch, plan, flag, exam, stats)
    else:
        age, age_bad = _number(batch, f["age"], plan, stats.missing)
        flag("age_invalid", age_bad, f["age"], "Alter ist keine Zahl", "age is not a number",
             "das Alter in Jahren (z. B. 5,8)", "das Alter korrigieren")
        flag("age_missing", np.isnan(age) & ~age_bad, f["age"], "Alter fehlt",
             "age missing", "das Alter in Jahren", "das Alter ergänzen")
    schema = plan.schema
    age_col = f.get("birth_date", f.get("age", ""))
    odd = np.flatnonzero((age > schema.age_max) | (age < schema.age_min))
    ages_shown: NDArray[np.object_] | None = None
    if odd.size:
        ages_shown = np.full(n, None, dtype=object)
        ages_shown[odd] = [f"{a:.1f} Jahre".replace(".", ",") for a in age[odd].tolist()]
    flag("age_high", age > schema.age_max, age_col,
         f"Alter bei der Untersuchung über {schema.age_max:g} Jahren",
         f"age at the examination above {schema.age_max:g} years",
         f"ein Alter von {schema.age_min:g} bis {schema.age_max:g} Jahren bei der "
         "Schuleingangsuntersuchung", "das Geburtsdatum prüfen oder den Datensatz entfernen",
         values=ages_shown)
    flag("age_low", age < schema.age_min, age_col,
         f"Alter bei der Untersuchung unter {schema.age_min:g} Jahren",
         f"age at the examination below {schema.age_min:g} years",
         f"ein Alter von {schema.age_min:g} bis {schema.age_max:g} Jahren",
         "das Geburtsdatum prüfen", values=ages_shown)
    return age


def _ages_from_birth(batch: pa.Table, plan: Plan, flag: _Flags, exam: NDArray[np.float64],
                     stats: ScanStats) -> NDArray[np.float64]:
    f = plan.fields
    birth, birth_bad = as_days(batch.column(f["birth_date"]))
    flag("birth_invalid", birth_bad, f["birth_date"], "kein gültiges Geburtsdatum",
         "not a valid birth date", "ein Datum wie 2006-05-17 oder 17.05.2006",
         "das Datum korrigieren")
    after = birth > exam
    flag("birth_after_exam", after, f["birth_date"],
         "Geburtsdatum liegt nach dem Untersuchungsdatum",
         "birth date after the examination date",
         "ein Geburtsdatum vor dem Untersuchungsdatum",
         "Geburts- und Untersuchungsdatum prüfen (vertauscht?)")
    age: NDArray[np.float64] = np.where(after, np.nan, (exam - birth) / 365.25)
    missing_birth = np.isnan(birth) & ~birth_bad
    if "age" in f:
        given, _ = _number(batch, f["age"], plan, stats.missing)
        age = np.where(np.isnan(age) & missing_birth, given, age)
        missing_birth &= np.isnan(given)
    flag("birth_missing", missing_birth, f["birth_date"], "Geburtsdatum fehlt",
         "birth date missing", "das Geburtsdatum (oder das Alter)",
         "das Geburtsdatum ergänzen")
    return age


def _sexes(batch: pa.Table, plan: Plan, flag: _Flags) -> NDArray[np.str_]:
    """'m', 'w', 'd' or '' (unknown) per record."""
    schema, f = plan.schema, plan.fields
    if "sex" not in f:
        return np.full(batch.num_rows, "", dtype="<U1")
    mapping = code_map([(schema.male, 0), (schema.female, 1), (schema.diverse, 2)])
    codes, sex_bad = as_codes(batch.column(f["sex"]), mapping)
    flag("sex_invalid", sex_bad, f["sex"], "unbekannte Angabe zum Geschlecht",
         "unknown sex", "m, w oder d (auch männlich/weiblich/divers)",
         "den Wert korrigieren oder leer lassen")
    return np.asarray(np.array(["m", "w", "d", ""])[np.where(codes < 0, 3, codes)],
                      dtype="<U1")


def _synthetic_flags(batch: pa.Table, plan: Plan, stats: ScanStats) -> None:
    """Count the records that say they are synthetic (and those that do not)."""
    if "synthetic" not in plan.fields:
        return
    schema = plan.schema
    truth = code_map([(schema.true_values, 1), (schema.false_values, 0)])
    syn, _ = as_codes(batch.column(plan.fields["synthetic"]), truth)
    stats.synthetic["true"] += int((syn == 1).sum())
    stats.synthetic["false"] += int((syn != 1).sum())


def _years(exam: NDArray[np.float64], plan: Plan, rows: NDArray[np.int64], issues: Issues
           ) -> tuple[NDArray[np.int64], BoolArray]:
    """The (school) year of each examination (-1 without a date), and the records
    outside the selected years, which are skipped."""
    schema = plan.schema
    years = np.full(len(exam), -1, dtype=np.int64)
    ok_exam = ~np.isnan(exam)
    stamps = (np.datetime64("1970-01-01", "D")
              + np.where(ok_exam, exam, 0).astype("timedelta64[D]"))
    cal_year = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
    if schema.period == "schoolyear":
        month = stamps.astype("datetime64[M]").astype(np.int64) % 12 + 1
        cal_year = np.where(month >= 8, cal_year, cal_year - 1)
    years[ok_exam] = cal_year[ok_exam]
    skip = np.zeros(len(exam), dtype=bool)
    if plan.years is not None:
        skip = ok_exam & ~np.isin(years, np.fromiter(plan.years, dtype=np.int64))
        if skip.any():
            issues.add(_kind("outside_years", "skipped",
                             "Untersuchung außerhalb der gewählten Jahre",
                             "examination outside the selected years",
                             "ein Jahr aus --years", "--years anpassen",
                             plan.fields["exam_date"]),
                       rows[skip], years[skip][:5])
    return years, skip


def _period_labels(years: NDArray[np.int64], kind: str) -> list[str]:
    if kind == "schoolyear":
        return [f"{y}/{(y + 1) % 100:02d}" for y in years.tolist()]
    return [str(y) for y in years.tolist()]


def _texts(col: pa.ChunkedArray, where: NDArray[np.int64]) -> list[Any]:
    if len(where) == 0:
        return []
    return [None if v is None else str(v) for v in
            col.take(pa.array(where)).to_pylist()]


def _number(batch: pa.Table, col: str, plan: Plan, tally: MissingTally, *,
            share: bool = False) -> tuple[NDArray[np.float64], BoolArray]:
    """Numbers of a column and its bad rows, the missing-value markers read as missing
    (counted in ``tally``; ``share``: a share column, where -1 is a marker too)."""
    values, bad = as_float(batch.column(col))
    if plan.missing is None:
        return values, bad
    return without_markers(batch.column(col), values, bad, plan.missing, tally, col,
                           share=share)


def _finding(batch: pa.Table, src: FindingSource, plan: Plan, age: NDArray[np.float64],
             sex: NDArray[np.str_], flag: object, tally: MissingTally
             ) -> tuple[BoolArray, BoolArray]:
    """Numerator and denominator masks of one finding."""
    fd, schema = src.finding, plan.schema
    n = batch.num_rows
    report = flag  # callable(key, mask, column, de, en, expected, fix, values=None)
    assert callable(report)
    col = src.columns[0]
    if src.mode in ("flag", "flagcolumn"):
        truth = code_map([(schema.true_values, 1), (schema.false_values, 0)])
        codes, wrong = as_codes(batch.column(col), truth)
        report(f"flag:{col}", wrong, col, f"kein Ja/Nein-Wert für '{fd.name_de}'",
               f"not a yes/no value for '{fd.name_en}'",
               "ja/nein, 1/0 oder true/false (leer = nicht erhoben)",
               "den Wert korrigieren oder leer lassen")
        den = codes >= 0
        target = 1 if (fd.count or src.mode == "flagcolumn") else 0
        return den & (codes == target), den
    if src.mode == "range":
        values, wrong = _number(batch, col, plan, tally)
        lo = -np.inf if fd.valid_min is None else fd.valid_min
        hi = np.inf if fd.valid_max is None else fd.valid_max
        report(f"number:{col}", wrong, col, f"keine Zahl für '{fd.name_de}'",
               f"not a number for '{fd.name_en}'", "eine Zahl (z. B. 2 oder 2,5)",
               "den Wert korrigieren oder leer lassen")
        out_of_range = ~np.isnan(values) & ((values < lo) | (values > hi))
        report(f"range:{col}", out_of_range, col,
               f"Wert außerhalb des gültigen Bereichs für '{fd.name_de}'",
               f"value out of range for '{fd.name_en}'",
               f"eine Zahl von {lo:g} bis {hi:g}", "den Wert korrigieren")
        den = ~np.isnan(values) & ~out_of_range
        num = den.copy()
        if fd.at_least is not None:
            num &= values >= fd.at_least
        if fd.below is not None:
            num &= values < fd.below
        return num, den
    if src.mode == "percentile":
        pct, wrong = _number(batch, col, plan, tally, share=True)
        report(f"number:{col}", wrong, col, "BMI-Perzentil ist keine Zahl",
               "BMI percentile is not a number", "eine Zahl von 0 bis 100",
               "den Wert korrigieren oder leer lassen")
    else:
        if src.mode == "bmi":
            bmi, wrong = _number(batch, col, plan, tally)
            report(f"number:{col}", wrong, col, "BMI ist keine Zahl", "BMI is not a number",
                   "eine Zahl (kg/m², z. B. 16,2)", "den Wert korrigieren")
        else:
            height, hbad = _number(batch, src.columns[0], plan, tally)
            weight, wbad = _number(batch, src.columns[1], plan, tally)
            report(f"number:{src.columns[0]}", hbad, src.columns[0], "Größe ist keine Zahl",
                   "height is not a number", "die Körpergröße in cm", "den Wert korrigieren")
            report(f"number:{src.columns[1]}", wbad, src.columns[1], "Gewicht ist keine Zahl",
                   "weight is not a number", "das Gewicht in kg", "den Wert korrigieren")
            with np.errstate(divide="ignore", invalid="ignore"):
                bmi = weight / (height / 100.0) ** 2
        assert plan.bmi is not None
        pct = plan.bmi.percentile(bmi, age, sex)
    out = ~np.isnan(pct) & ((pct < 0) | (pct > 100))
    report(f"range:{col}", out, col, "BMI-Perzentil außerhalb von 0 bis 100",
           "BMI percentile outside 0..100", "eine Zahl von 0 bis 100", "den Wert korrigieren")
    den = ~np.isnan(pct) & ~out
    assert fd.above is not None
    del n
    return den & (pct > fd.above), den


def _assign(batch: pa.Table, plan: Plan, rows: NDArray[np.int64], bad: BoolArray,
            issues: Issues, stats: ScanStats) -> NDArray[np.int32]:
    """Unit position per record (-1 none); unmatched records become issues by reason."""
    n = batch.num_rows
    f = plan.fields
    leaf = np.full(n, -1, dtype=np.int32)
    reason = np.full(n, "", dtype=object)
    open_rows = ~bad
    for method in plan.methods:
        todo = open_rows & (leaf < 0)
        if not todo.any():
            break
        if method == "coordinates":
            _by_coordinates(batch, plan, rows, todo, leaf, reason, issues, stats)
        elif method == "code":
            _by_code(batch, plan, todo, leaf, reason)
        else:
            _by_address(batch, plan, todo, leaf, reason)
        got = todo & (leaf >= 0)
        if got.any():
            stats.assigned[method] = stats.assigned.get(method, 0) + int(got.sum())
    if issues.has_fatal:
        return leaf
    lost = open_rows & (leaf < 0)
    if not lost.any():
        return leaf
    reason[lost & (reason == "")] = "no_location"
    for key in np.unique(reason[lost].astype(str)):
        where = np.flatnonzero(lost & (reason == key))
        kind, values, details = _unmatched_kind(str(key), batch, plan, where)
        issues.add(kind, rows[where], values, details)
    del f
    return leaf


def _by_coordinates(batch: pa.Table, plan: Plan, rows: NDArray[np.int64], todo: BoolArray,
                    leaf: NDArray[np.int32], reason: NDArray[np.object_], issues: Issues,
                    stats: ScanStats) -> None:
    f = plan.fields
    x, xbad = _number(batch, f["x"], plan, stats.missing)
    y, ybad = _number(batch, f["y"], plan, stats.missing)
    for col, wrong in ((f["x"], xbad), (f["y"], ybad)):
        where = np.flatnonzero(wrong & todo)
        if where.size:
            issues.add(_kind(f"coord:{col}", "invalid", "Koordinate ist keine Zahl",
                             "coordinate is not a number", "eine Zahl (z. B. 356123,4)",
                             "die Koordinate korrigieren oder leer lassen", col),
                       rows[where], _texts(batch.column(col), where[:5]))
    have = todo & ~np.isnan(x) & ~np.isnan(y) & ~xbad & ~ybad
    where = np.flatnonzero(have)
    if where.size == 0:
        return
    assert plan.polygons is not None
    found = plan.polygons.lookup(x[where], y[where])
    leaf[where] = found
    outside = where[found < 0]
    reason[outside] = "outside"
    if not stats.checked_crs and where.size >= 20:
        stats.checked_crs = True
        if outside.size > 0.5 * where.size:
            guess = guess_crs(x[outside], y[outside], plan.polygons, plan.schema.crs,
                              plan.target_crs)
            if guess is not None:
                code, label, swapped = guess
                swap_de = " mit vertauschten Achsen (x und y)" if swapped else ""
                swap_en = " with swapped axes (x and y)" if swapped else ""
                issues.fatal(_kind(
                    "wrong_crs", "fatal",
                    f"Die Koordinaten passen nicht zum angegebenen Koordinatensystem "
                    f"{plan.schema.crs}: {outside.size} von {where.size} Punkten liegen "
                    f"außerhalb des Gebiets, passen aber zu {code} ({label}){swap_de}",
                    f"the coordinates do not fit the declared coordinate system "
                    f"{plan.schema.crs}: {outside.size} of {where.size} points lie outside "
                    f"the area but fit {code}{swap_en}",
                    f"Koordinaten im Koordinatensystem {plan.schema.crs}",
                    f"im Schema [coordinates] crs = \"{code}\" angeben" +
                    (" und die Spalten x und y tauschen" if swapped else ""), f["x"]),
                    f"{x[outside[0]]:g}, {y[outside[0]]:g}")


def _by_code(batch: pa.Table, plan: Plan, todo: BoolArray, leaf: NDArray[np.int32],
             reason: NDArray[np.object_]) -> None:
    where = np.flatnonzero(todo & ~is_empty(batch.column(plan.fields["district"])))
    if where.size == 0:
        return
    assert plan.codes is not None
    values = as_text(batch.column(plan.fields["district"]).take(pa.array(where)))
    found, _ = plan.codes.lookup(list(values))
    leaf[where] = found
    reason[where[found < 0]] = "unknown_code"


def _by_address(batch: pa.Table, plan: Plan, todo: BoolArray, leaf: NDArray[np.int32],
                reason: NDArray[np.object_]) -> None:
    f = plan.fields
    where = np.flatnonzero(todo & ~is_empty(batch.column(f["street"])))
    if where.size == 0:
        return
    take = pa.array(where)
    streets = as_text(batch.column(f["street"]).take(take))
    numbers = as_text(batch.column(f["house_number"]).take(take)) \
        if "house_number" in f else np.full(where.size, None, dtype=object)
    postcodes = as_text(batch.column(f["postcode"]).take(take)) if "postcode" in f else None
    match = plan.streets.match(list(streets), list(numbers),  # type: ignore[attr-defined]
                               None if postcodes is None else list(postcodes))
    leaf[where] = match.unit
    reason[where] = np.where(match.unit < 0, match.reason, "")
    plan.suggestions.update(match.suggestion)


def _unmatched_kind(key: str, batch: pa.Table, plan: Plan, where: NDArray[np.int64]
                    ) -> tuple[IssueKind, list[Any], list[tuple[str, str]] | None]:
    f = plan.fields
    ex = where[:5]
    level = "der gewählten Ebene"
    if key == "outside":
        values = [f"{a}, {b}" for a, b in zip(_texts(batch.column(f["x"]), ex),
                                              _texts(batch.column(f["y"]), ex), strict=True)]
        return (_kind("outside", "unmatched",
                      f"Koordinaten liegen außerhalb aller Gebiete {level}",
                      "coordinates outside all units of the level",
                      f"einen Punkt im Gebiet (Koordinatensystem {plan.schema.crs})",
                      "die Koordinaten prüfen (Geokodierung, Koordinatensystem im Schema)",
                      f["x"]), values, None)
    if key == "unknown_code":
        values = _texts(batch.column(f["district"]), ex)
        known = plan.codes.known() if plan.codes is not None else []
        hints: list[tuple[str, str]] = []
        for v in values:
            close = difflib.get_close_matches(str(v), known, n=1, cutoff=0.6)
            hints.append((f"meinten Sie {close[0]}?" if close else "",
                          f"did you mean {close[0]}?" if close else ""))
        return (_kind("unknown_code", "unmatched", f"Gebietsschlüssel {level} unbekannt",
                      "unknown district code", "den Schlüssel eines importierten Gebiets",
                      "den Schlüssel korrigieren oder die richtige --level angeben",
                      f["district"]), values, hints)
    if key == "no_location":
        return (_kind("no_location", "unmatched",
                      "keine Ortsangabe (weder Koordinaten noch Gebietsschlüssel noch "
                      "Adresse)", "no location (no coordinates, district code or address)",
                      "Koordinaten, einen Gebietsschlüssel oder eine Adresse",
                      "die Ortsangabe ergänzen"), [None] * len(ex), None)
    streets = _texts(batch.column(f["street"]), ex)
    numbers = _texts(batch.column(f["house_number"]), ex) if "house_number" in f \
        else [None] * len(ex)
    values = [f"{s} {n or ''}".strip() for s, n in zip(streets, numbers, strict=True)]
    texts = {
        "unknown_street": ("Straße nicht im Straßenverzeichnis", "street not in the directory",
                           "eine Straße des Straßenverzeichnisses",
                           "die Schreibweise prüfen oder das Straßenverzeichnis ergänzen"),
        "house_number_outside": ("Hausnummer in keinem Abschnitt der Straße",
                                 "house number in no section of the street",
                                 "eine Hausnummer aus den Bereichen des Straßenverzeichnisses",
                                 "die Hausnummer prüfen oder den Abschnitt ergänzen"),
        "missing_house_number": ("Hausnummer fehlt; die Straße liegt in mehreren Gebieten",
                                 "house number missing; the street spans several units",
                                 "eine Hausnummer", "die Hausnummer ergänzen"),
        "ambiguous": ("Adresse passt zu mehreren Gebieten", "address fits several units",
                      "genau ein Abschnitt je Hausnummer",
                      "die Abschnitte im Straßenverzeichnis bereinigen"),
        "postcode_mismatch": ("Postleitzahl passt zu keinem Abschnitt der Straße",
                              "postcode fits no section of the street",
                              "die Postleitzahl eines Abschnitts",
                              "die Postleitzahl prüfen"),
    }
    de, en, expected, fix = texts.get(key, texts["unknown_street"])
    details: list[tuple[str, str]] | None = None
    if key == "unknown_street":
        details = []
        for s in streets:
            hint = plan.suggestions.get(str(s), "") if s else ""
            details.append((f"meinten Sie '{hint}'?" if hint else "",
                            f"did you mean '{hint}'?" if hint else ""))
    return (_kind(key, "unmatched", de, en, expected, fix, f["street"]), values, details)
