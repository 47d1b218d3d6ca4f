"""The declared schema of an individual-record file (school-entrance examinations).

A schema says which column holds which field (record id, dates, sex, address,
coordinates, district code), how yes/no values are written, which checks apply and which
findings become indicators.  The defaults (:func:`default_schema`) describe the
school-entrance set of issue #4; a TOML file overrides any part of them::

    name = "Schuleingangsuntersuchung Musterstadt"
    period = "schoolyear"            # or "year" (calendar year of the examination)

    [columns]                        # field = column name, or a list of accepted names
    id = "lfd_nr"
    birth_date = ["geburtsdatum", "geb_datum"]

    [coordinates]
    crs = "EPSG:31466"               # Gauß-Krüger files

    [checks]
    age_max = 9

    [limits]
    max_unmatched = 0.01             # share of records that may stay without a unit

    [privacy]
    min_denominator = 20

    [findings.sprachdefizit]
    column = "sprache"               # change one detail of a default finding
    [findings.grobmotorik_defizit]
    enabled = false                  # leave a finding out
    [findings.hoeren_auffaellig]     # add a finding
    name_de = "Auffälliger Hörtest"
    name_en = "Abnormal hearing test"
    kind = "flag"
    column = "hoertest_auffaellig"
    polarity = -1

    [[relations]]                    # what everybody knows about the findings (see below)
    kind = "nested"
    inner = "adipositas"
    outer = "uebergewicht"

Finding kinds: ``flag`` (a yes/no column; ``count = false`` counts the "no" answers),
``range`` (a number column; counts values with ``at_least <= x < below``) and ``bmi``
(overweight/obesity from a flag column, a BMI percentile column, or a BMI / height and
weight with an LMS reference table given as ``[bmi] reference = "file.csv"``; counts
percentiles above ``above``).  Missing values of a finding leave the record out of that
indicator's denominator.

**Relations** (``[[relations]]``, :class:`Relation`) say how the findings hang together;
the published tables are protected jointly with them as attacker knowledge
(:mod:`kekiz.records.linked`).  ``kind = "nested"`` with ``inner``/``outer``: every child
counted in ``inner`` is counted in ``outer`` (obesity within overweight).
``kind = "partition"`` with ``parts`` (and ``complete = true`` if every child with a value
is in one part): disjoint answers of one question, on the same children.
``kind = "population"`` with ``findings``: the same children broken down by different
variables (where no value is missing, the denominators are one number).  Nested and
partition findings are one population, too.  A ``[[relations]]`` list in the file replaces
the default list (:data:`DEFAULT_RELATIONS`); ``relations = []`` declares none.  Default
relations of findings that a file switches off are dropped.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kekiz.domain.errors import ConfigurationError

__all__ = [
    "DEFAULT_RELATIONS",
    "FIELDS",
    "RELATION_KINDS",
    "Finding",
    "RecordSchema",
    "Relation",
    "copy_schema",
    "default_schema",
    "load_schema",
    "restrict_relations",
    "schema_from_mapping",
    "schema_toml",
]

#: Fields of a record: name -> (German, English) description.
FIELDS: dict[str, tuple[str, str]] = {
    "id": ("Datensatz-Kennung", "record id"),
    "birth_date": ("Geburtsdatum", "birth date"),
    "age": ("Alter in Jahren bei der Untersuchung", "age in years at the examination"),
    "exam_date": ("Untersuchungsdatum", "examination date"),
    "sex": ("Geschlecht", "sex"),
    "street": ("Straße", "street"),
    "house_number": ("Hausnummer", "house number"),
    "postcode": ("Postleitzahl", "postcode"),
    "x": ("x-Koordinate (Rechtswert/Länge)", "x coordinate (easting/longitude)"),
    "y": ("y-Koordinate (Hochwert/Breite)", "y coordinate (northing/latitude)"),
    "district": ("Gebietsschlüssel (z. B. Stadtteilnummer)", "district code"),
    "synthetic": ("Kennzeichen synthetischer Daten", "flag of synthetic data"),
}

_DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "datensatz_id", "lfd_nr", "kind_id", "record_id"),
    "birth_date": ("geburtsdatum", "geb_datum", "birth_date"),
    "age": ("alter", "alter_jahre", "age"),
    "exam_date": ("untersuchungsdatum", "datum_untersuchung", "exam_date"),
    "sex": ("geschlecht", "sex"),
    "street": ("strasse", "straße", "street"),
    "house_number": ("hausnummer", "hausnr", "house_number"),
    "postcode": ("plz", "postleitzahl", "postcode"),
    "x": ("x", "rechtswert", "lon", "x_utm"),
    "y": ("y", "hochwert", "lat", "y_utm"),
    "district": ("stadtteil", "bezirk", "gebiet", "district"),
    "synthetic": ("synthetisch", "synthetic"),
}

_TRUE = ("1", "ja", "j", "true", "wahr", "yes", "y", "x", "t")
_FALSE = ("0", "nein", "n", "false", "falsch", "no", "f")
_MALE = ("m", "männlich", "maennlich", "junge", "male", "1")
_FEMALE = ("w", "weiblich", "mädchen", "maedchen", "f", "female", "2")
_DIVERSE = ("d", "divers", "diverse", "x", "3")

_KINDS = ("flag", "range", "bmi")


@dataclass(frozen=True)
class Finding:
    """One finding of the examination that becomes a share indicator.

    ``column`` lists the accepted column names (first present wins).  For ``bmi``,
    ``column`` is the percentile column, ``flag_column`` a column that already says
    yes/no, ``bmi_column`` a BMI and ``height_column``/``weight_column`` raw measures.
    """

    id: str
    name_de: str
    name_en: str
    kind: str
    column: tuple[str, ...]
    definition_de: str = ""
    definition_en: str = ""
    numerator_de: str = ""
    numerator_en: str = ""
    denominator_de: str = "untersuchte Kinder mit Angabe zu diesem Befund"
    denominator_en: str = "examined children with a value for this finding"
    polarity: int = -1
    sector: str = "health"
    count: bool = True
    at_least: float | None = None
    below: float | None = None
    valid_min: float | None = None
    valid_max: float | None = None
    above: float | None = None
    flag_column: tuple[str, ...] = ()
    bmi_column: tuple[str, ...] = ()
    height_column: tuple[str, ...] = ()
    weight_column: tuple[str, ...] = ()
    required: bool = True

    def columns(self) -> tuple[tuple[str, ...], ...]:
        """Every group of alternative column names this finding can read."""
        groups = [self.column, self.flag_column, self.bmi_column, self.height_column,
                  self.weight_column]
        return tuple(g for g in groups if g)


#: The kinds of relation between findings (see the module docs).
RELATION_KINDS = ("nested", "partition", "population")


@dataclass(frozen=True)
class Relation:
    """A relation between findings that an attacker is assumed to know.

    ``nested``: ``findings = (inner, outer)``, every child counted in ``inner`` is counted
    in ``outer``; ``partition``: ``findings`` are disjoint answers of one question
    (``complete``: every child with a value is in one of them); ``population``: the
    findings break down the same children.  All three put the findings' denominators
    into one population.
    """

    kind: str
    findings: tuple[str, ...]
    complete: bool = False

    def text(self, lang: str = "de") -> str:
        """A short description for messages."""
        f = self.findings
        if self.kind == "nested":
            return (f"'{f[0]}' within '{f[1]}'" if lang == "en"
                    else f"'{f[0]}' innerhalb von '{f[1]}'")
        names = ", ".join(f"'{x}'" for x in f)
        if self.kind == "partition":
            return f"partition {names}" if lang == "en" else f"Zerlegung {names}"
        return f"population {names}" if lang == "en" else f"Grundgesamtheit {names}"

    def to_dict(self) -> dict[str, Any]:
        """The TOML/JSON form (as in ``[[relations]]``)."""
        if self.kind == "nested":
            return {"kind": "nested", "inner": self.findings[0], "outer": self.findings[1]}
        if self.kind == "partition":
            return {"kind": "partition", "parts": list(self.findings),
                    "complete": self.complete}
        return {"kind": "population", "findings": list(self.findings)}


#: The relations of the default findings: obesity (BMI > P97) within overweight (> P90)
#: and no day care within under two years of day care (the same column and validity,
#: so nested by definition); the findings every examined child is examined on break
#: down one population (sex of the children is not a finding; vaccination and check-up
#: booklet count only the children who presented the document: not in it).
DEFAULT_RELATIONS: tuple[Relation, ...] = (
    Relation("nested", ("adipositas", "uebergewicht")),
    Relation("nested", ("kein_kitabesuch", "kita_unter_2_jahre")),
    Relation("population", ("sprachdefizit", "feinmotorik_defizit", "grobmotorik_defizit",
                            "uebergewicht", "adipositas", "kita_unter_2_jahre",
                            "kein_kitabesuch", "familiensprache_nicht_deutsch")),
)


@dataclass(frozen=True)
class RecordSchema:
    """How to read one kind of record file; see the module docs for the TOML form."""

    name: str = "Schuleingangsuntersuchung"
    indicator_prefix: str = "seu_"
    period: str = "year"
    columns: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(_DEFAULT_COLUMNS))
    crs: str = "EPSG:25832"
    assignment: tuple[str, ...] = ("coordinates", "code", "address")
    age_min: float = 4.0
    age_max: float = 10.0
    max_unmatched: float = 0.02
    max_invalid: float = 0.0
    min_frequency: int = 3
    min_denominator: int = 10
    reliable_denominator: int = 30
    true_values: tuple[str, ...] = _TRUE
    false_values: tuple[str, ...] = _FALSE
    male: tuple[str, ...] = _MALE
    female: tuple[str, ...] = _FEMALE
    diverse: tuple[str, ...] = _DIVERSE
    bmi_reference: Path | None = None
    findings: tuple[Finding, ...] = ()
    relations: tuple[Relation, ...] = ()
    source: str = "Standard (kekiz)"

    def finding(self, finding_id: str) -> Finding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    def fingerprint(self) -> str:
        """A short hash of everything that changes the result (for the dataset record)."""
        data = json.dumps(_as_plain(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _as_plain(schema: RecordSchema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in schema.__dict__.items():
        if key == "findings":
            out[key] = [f.__dict__ for f in value]
        elif key == "relations":
            out[key] = [r.to_dict() for r in value]
        elif key == "source":
            continue
        else:
            out[key] = value if not isinstance(value, Mapping) else dict(value)
    return out


# ----------------------------------------------------------------------- defaults
#: The ten findings of the school-entrance schema (issue #4).
DEFAULT_FINDINGS: tuple[Finding, ...] = (
    Finding("sprachdefizit", "Sprachauffälligkeiten bei der Schuleingangsuntersuchung",
            "Language deficits at the school-entrance examination", "flag",
            ("sprache_defizit", "sprachdefizit", "sprache_auffaellig"),
            "Anteil der untersuchten Kinder mit auffälligem Sprachbefund (Screening "
            "der Schuleingangsuntersuchung, z. B. SOPESS) in %",
            "Share of examined children with an abnormal language screening result, %",
            "Kinder mit Sprachauffälligkeiten", "children with language deficits"),
    Finding("feinmotorik_defizit", "Feinmotorische Auffälligkeiten",
            "Fine motor deficits", "flag",
            ("feinmotorik_defizit", "feinmotorik_auffaellig"),
            "Anteil der untersuchten Kinder mit auffälliger Feinmotorik in %",
            "Share of examined children with abnormal fine motor skills, %",
            "Kinder mit feinmotorischen Auffälligkeiten",
            "children with fine motor deficits"),
    Finding("grobmotorik_defizit", "Grobmotorische Auffälligkeiten",
            "Gross motor deficits", "flag",
            ("grobmotorik_defizit", "koerperkoordination_auffaellig"),
            "Anteil der untersuchten Kinder mit auffälliger Grobmotorik "
            "(Körperkoordination) in %",
            "Share of examined children with abnormal gross motor skills, %",
            "Kinder mit grobmotorischen Auffälligkeiten",
            "children with gross motor deficits"),
    Finding("uebergewicht", "Übergewicht (einschließlich Adipositas)",
            "Overweight (including obesity)", "bmi", ("bmi_perzentil", "bmi_percentile"),
            "Anteil der untersuchten Kinder mit einem BMI über dem 90. Perzentil der "
            "Referenz nach Kromeyer-Hauschild (2001) für Alter und Geschlecht in %",
            "Share of examined children with a BMI above the 90th percentile of the "
            "Kromeyer-Hauschild (2001) reference for age and sex, %",
            "Kinder mit BMI > P90", "children with BMI > P90", above=90.0,
            flag_column=("uebergewicht", "uebergewichtig"), bmi_column=("bmi",),
            height_column=("groesse_cm", "koerpergroesse"),
            weight_column=("gewicht_kg", "koerpergewicht")),
    Finding("adipositas", "Adipositas", "Obesity", "bmi",
            ("bmi_perzentil", "bmi_percentile"),
            "Anteil der untersuchten Kinder mit einem BMI über dem 97. Perzentil der "
            "Referenz nach Kromeyer-Hauschild (2001) für Alter und Geschlecht in %",
            "Share of examined children with a BMI above the 97th percentile of the "
            "Kromeyer-Hauschild (2001) reference for age and sex, %",
            "Kinder mit BMI > P97", "children with BMI > P97", above=97.0,
            flag_column=("adipositas", "adipoes"), bmi_column=("bmi",),
            height_column=("groesse_cm", "koerpergroesse"),
            weight_column=("gewicht_kg", "koerpergewicht")),
    Finding("masern_vollstaendig", "Vollständiger Masernimpfschutz",
            "Complete measles vaccination", "flag",
            ("masern_vollstaendig", "masern_2_impfungen"),
            "Anteil der Kinder mit zwei dokumentierten Masernimpfungen an den Kindern "
            "mit vorgelegtem Impfdokument in %",
            "Share of children with two documented measles vaccinations among children "
            "who presented a vaccination record, %",
            "Kinder mit zwei Masernimpfungen", "children with two measles doses",
            "Kinder mit vorgelegtem Impfdokument",
            "children who presented a vaccination record", polarity=1),
    Finding("u_vollstaendig", "Vollständige Früherkennungsuntersuchungen U1–U9",
            "Complete check-ups U1–U9", "flag", ("u1_u9_vollstaendig", "u_vollstaendig"),
            "Anteil der Kinder mit vollständig dokumentierten Früherkennungs"
            "untersuchungen U1 bis U9 an den Kindern mit vorgelegtem Untersuchungsheft "
            "in %",
            "Share of children with all check-ups U1 to U9 documented among children "
            "who presented the check-up booklet, %",
            "Kinder mit U1–U9 vollständig", "children with U1–U9 complete",
            "Kinder mit vorgelegtem Untersuchungsheft",
            "children who presented the check-up booklet", polarity=1),
    Finding("kita_unter_2_jahre", "Kita-Besuch unter zwei Jahren",
            "Day care for less than two years", "range", ("kita_jahre", "kita_dauer"),
            "Anteil der untersuchten Kinder, die vor der Einschulung weniger als zwei "
            "Jahre eine Kindertageseinrichtung besucht haben, in %",
            "Share of examined children who attended day care for less than two years "
            "before school, %", "Kinder mit weniger als 2 Jahren Kita",
            "children with less than 2 years of day care", below=2.0, valid_min=0.0,
            valid_max=7.0, sector="education"),
    Finding("kein_kitabesuch", "Kein Kita-Besuch", "No day care attendance", "range",
            ("kita_jahre", "kita_dauer"),
            "Anteil der untersuchten Kinder, die keine Kindertageseinrichtung besucht "
            "haben, in %", "Share of examined children who never attended day care, %",
            "Kinder ohne Kita-Besuch", "children without day care", below=0.5,
            valid_min=0.0, valid_max=7.0, sector="education"),
    Finding("familiensprache_nicht_deutsch", "Familiensprache nicht Deutsch",
            "Family language other than German", "flag",
            ("familiensprache_deutsch", "deutsch_familiensprache"),
            "Anteil der untersuchten Kinder, in deren Familie nicht (überwiegend) Deutsch "
            "gesprochen wird, in %. Kontextmerkmal, kein Defizit.",
            "Share of examined children whose family does not (mainly) speak German, %. "
            "A context feature, not a deficit.",
            "Kinder mit anderer Familiensprache als Deutsch",
            "children with a family language other than German", polarity=0,
            count=False, sector="education"),
)


def default_schema() -> RecordSchema:
    """The school-entrance schema of issue #4 (ten indicators) with the relations
    :data:`DEFAULT_RELATIONS` (issue #20)."""
    return RecordSchema(findings=DEFAULT_FINDINGS, relations=DEFAULT_RELATIONS)


# ----------------------------------------------------------------------- loading
_TOP = {"name", "indicator_prefix", "period", "columns", "coordinates", "assignment",
        "checks", "limits", "privacy", "values", "bmi", "findings", "relations"}
_SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "coordinates": {"crs": str},
    "checks": {"age_min": (int, float), "age_max": (int, float)},
    "limits": {"max_unmatched": (int, float), "max_invalid": (int, float)},
    "privacy": {"min_frequency": int, "min_denominator": int, "reliable_denominator": int},
    "values": {"true": list, "false": list, "male": list, "female": list, "diverse": list},
    "bmi": {"reference": str},
}
_FINDING_KEYS: dict[str, type | tuple[type, ...]] = {
    "enabled": bool, "name_de": str, "name_en": str, "kind": str, "column": (str, list),
    "definition_de": str, "definition_en": str, "numerator_de": str, "numerator_en": str,
    "denominator_de": str, "denominator_en": str, "polarity": int, "sector": str,
    "count": bool, "at_least": (int, float), "below": (int, float),
    "valid_min": (int, float), "valid_max": (int, float), "above": (int, float),
    "flag_column": (str, list), "bmi_column": (str, list), "height_column": (str, list),
    "weight_column": (str, list), "required": bool,
}


def load_schema(path: Path | None) -> RecordSchema:
    """The default schema, overridden by the TOML file at ``path`` (if given)."""
    if path is None:
        return default_schema()
    if not path.exists():
        raise ConfigurationError(
            f"Schema-Datei {path} nicht gefunden. Abhilfe: Pfad prüfen oder --schema "
            "weglassen (Standard-Schema der Schuleingangsuntersuchung).",
            message_en=f"schema file {path} not found. Fix: check the path or leave out "
            "--schema (default school-entrance schema).", status=422)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"{path.name}: keine gültige TOML-Datei ({exc}). Erwartet: Schlüssel = Wert, "
            "Abschnitte in [eckigen Klammern]. Abhilfe: die Zeile korrigieren.",
            message_en=f"{path.name}: not a valid TOML file ({exc}). Expected key = value "
            "and [sections]. Fix: correct the line.", status=422) from exc
    return schema_from_mapping(data, origin=path.name, base=path.parent)


def schema_from_mapping(data: Mapping[str, Any], *, origin: str = "Schema",
                        base: Path | None = None) -> RecordSchema:
    """Apply a parsed TOML mapping to the defaults (see the module docs)."""
    schema = default_schema()
    _check_keys(data, _TOP, origin, "")
    values: dict[str, Any] = {}
    for key in ("name", "indicator_prefix", "period"):
        if key in data:
            values[key] = _typed(data[key], str, origin, key)
    if values.get("period", "year") not in ("year", "schoolyear"):
        raise _bad(origin, "period", values["period"], "'year' (Kalenderjahr der Untersuchung)"
                   " oder 'schoolyear' (Schuljahr, z. B. 2011/12)")
    if "columns" in data:
        cols = dict(schema.columns)
        section = _typed(data["columns"], dict, origin, "columns")
        _check_keys(section, set(FIELDS), origin, "columns.")
        for name, given in section.items():
            cols[name] = _names(given, origin, f"columns.{name}")
        values["columns"] = cols
    if "assignment" in data:
        order = _names(data["assignment"], origin, "assignment")
        for method in order:
            if method not in ("coordinates", "code", "address"):
                raise _bad(origin, "assignment", method, "coordinates, code oder address")
        values["assignment"] = order
    flat = {"coordinates": {"crs": "crs"}, "checks": {"age_min": "age_min",
                                                      "age_max": "age_max"},
            "limits": {"max_unmatched": "max_unmatched", "max_invalid": "max_invalid"},
            "privacy": {"min_frequency": "min_frequency",
                        "min_denominator": "min_denominator",
                        "reliable_denominator": "reliable_denominator"},
            "values": {"true": "true_values", "false": "false_values", "male": "male",
                       "female": "female", "diverse": "diverse"}}
    for section_name, mapping in flat.items():
        if section_name not in data:
            continue
        section = _typed(data[section_name], dict, origin, section_name)
        _check_keys(section, set(_SECTIONS[section_name]), origin, f"{section_name}.")
        for key, attr in mapping.items():
            if key in section:
                where = f"{section_name}.{key}"
                value = _typed(section[key], _SECTIONS[section_name][key], origin, where)
                if isinstance(value, list):
                    value = tuple(str(v).strip().lower() for v in value)
                values[attr] = value
    if "bmi" in data:
        section = _typed(data["bmi"], dict, origin, "bmi")
        _check_keys(section, set(_SECTIONS["bmi"]), origin, "bmi.")
        if "reference" in section:
            ref = Path(_typed(section["reference"], str, origin, "bmi.reference"))
            values["bmi_reference"] = ref if ref.is_absolute() or base is None else base / ref
    if "findings" in data:
        values["findings"] = _findings(schema.findings, _typed(data["findings"], dict, origin,
                                                               "findings"), origin)
    ids = [f.id for f in values.get("findings", schema.findings)]
    if "relations" in data:
        values["relations"] = _relations(_typed(data["relations"], list, origin,
                                                "relations"), ids, origin)
    else:  # the default relations of the findings that are still there
        values["relations"] = restrict_relations(schema.relations, ids)
    _check_numbers(values, origin)
    return RecordSchema(**{**schema.__dict__, **values, "source": origin})


def _findings(defaults: Sequence[Finding], section: Mapping[str, Any],
              origin: str) -> tuple[Finding, ...]:
    by_id = {f.id: f for f in defaults}
    order = [f.id for f in defaults]
    for fid, spec in section.items():
        where = f"findings.{fid}"
        spec = _typed(spec, dict, origin, where)
        _check_keys(spec, set(_FINDING_KEYS), origin, where + ".")
        if not spec.get("enabled", True):
            by_id.pop(fid, None)
            continue
        kwargs: dict[str, Any] = {}
        for key, value in spec.items():
            if key == "enabled":
                continue
            value = _typed(value, _FINDING_KEYS[key], origin, f"{where}.{key}")
            if key.endswith("column"):
                value = _names(value, origin, f"{where}.{key}")
            kwargs[key] = value
        if fid in by_id:
            finding = Finding(**{**by_id[fid].__dict__, **kwargs})
        else:
            missing = [k for k in ("name_de", "name_en", "kind", "column") if k not in kwargs]
            if missing:
                raise ConfigurationError(
                    f"{origin}: Befund [{where}] ist neu, es fehlen {', '.join(missing)}. "
                    "Abhilfe: name_de, name_en, kind und column angeben.",
                    message_en=f"{origin}: finding [{where}] is new and lacks "
                    f"{', '.join(missing)}. Fix: give name_de, name_en, kind and column.",
                    status=422)
            finding = Finding(id=fid, **kwargs)
            order.append(fid)
        if finding.kind not in _KINDS:
            raise _bad(origin, f"{where}.kind", finding.kind, "flag, range oder bmi")
        if finding.kind == "range" and finding.below is None and finding.at_least is None:
            raise _bad(origin, where, "", "bei kind = 'range' mindestens 'below' oder "
                       "'at_least'")
        if finding.kind == "bmi" and finding.above is None:
            raise _bad(origin, where, "", "bei kind = 'bmi' die Schwelle 'above' (Perzentil, "
                       "z. B. 90)")
        by_id[fid] = finding
    return tuple(by_id[f] for f in order if f in by_id)


_RELATION_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "nested": {"kind": str, "inner": str, "outer": str},
    "partition": {"kind": str, "parts": list, "complete": bool},
    "population": {"kind": str, "findings": list},
}


def _relations(items: list[Any], ids: Sequence[str], origin: str) -> tuple[Relation, ...]:
    """The ``[[relations]]`` of a file, checked against the findings ``ids``."""
    out: list[Relation] = []
    for k, item in enumerate(items):
        where = f"relations[{k + 1}]"
        spec = _typed(item, dict, origin, where)
        kind = _typed(spec.get("kind"), str, origin, f"{where}.kind")
        if kind not in RELATION_KINDS:
            raise _bad(origin, f"{where}.kind", kind, ", ".join(RELATION_KINDS))
        keys = _RELATION_KEYS[kind]
        _check_keys(spec, set(keys), origin, f"{where}.")
        if kind == "nested":
            names = tuple(_typed(spec.get(key), str, origin, f"{where}.{key}")
                          for key in ("inner", "outer"))
        else:
            key = "parts" if kind == "partition" else "findings"
            names = _names(spec.get(key), origin, f"{where}.{key}")
            if len(names) < 2:
                raise _bad(origin, f"{where}.{key}", list(names), "mindestens zwei Befunde")
        if len(set(names)) != len(names):
            raise _bad(origin, where, list(names), "verschiedene Befunde")
        for name in names:
            if name not in ids:
                close = difflib.get_close_matches(name, list(ids), n=1)
                hint = f" (meinten Sie '{close[0]}'?)" if close else ""
                raise _bad(origin, where, name, f"einen Befund des Schemas{hint}: "
                           f"{', '.join(ids)}")
        complete = bool(_typed(spec.get("complete", False), bool, origin,
                               f"{where}.complete"))
        out.append(Relation(kind, names, complete))
    return tuple(out)


def restrict_relations(relations: Sequence[Relation], ids: Sequence[str]
                       ) -> tuple[Relation, ...]:
    """``relations`` restricted to the findings ``ids``: a relation without a finding is
    dropped, except that a population or partition keeps its remaining findings (at
    least two; a partition is then no longer complete).  Sound: what is left still
    holds."""
    out: list[Relation] = []
    for rel in relations:
        left = tuple(f for f in rel.findings if f in ids)
        if left == rel.findings:
            out.append(rel)
        elif rel.kind != "nested" and len(left) >= 2:
            out.append(Relation(rel.kind, left, False))
    return tuple(out)


def _check_numbers(values: Mapping[str, Any], origin: str) -> None:
    for key in ("max_unmatched", "max_invalid"):
        if key in values and not 0 <= float(values[key]) <= 1:
            raise _bad(origin, f"limits.{key}", values[key], "einen Anteil zwischen 0 und 1")
    for key in ("min_frequency", "min_denominator", "reliable_denominator"):
        if key in values and int(values[key]) < 1:
            raise _bad(origin, f"privacy.{key}", values[key], "eine ganze Zahl ab 1")


def _check_keys(section: Mapping[str, Any], allowed: set[str], origin: str,
                prefix: str) -> None:
    for key in section:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (meinten Sie '{prefix}{close[0]}'?)" if close else ""
            hint_en = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            raise ConfigurationError(
                f"{origin}: unbekannter Schlüssel '{prefix}{key}'{hint}. Erwartet: "
                f"{', '.join(sorted(allowed))}. Abhilfe: den Schlüssel korrigieren oder "
                "löschen.",
                message_en=f"{origin}: unknown key '{prefix}{key}'{hint_en}. Expected: "
                f"{', '.join(sorted(allowed))}. Fix: correct or delete the key.", status=422)


def _typed(value: Any, kind: type | tuple[type, ...], origin: str, where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " oder ".join({"str": "Text", "int": "ganze Zahl", "float": "Zahl",
                               "list": "Liste", "dict": "Abschnitt", "bool": "true/false"}
                              .get(k.__name__, k.__name__) for k in kinds)
        raise _bad(origin, where, value, names)
    return value


def _names(value: Any, origin: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _bad(origin, where, value, "einen Spaltennamen oder eine Liste von Namen")


def _bad(origin: str, where: str, value: Any, expected: str) -> ConfigurationError:
    return ConfigurationError(
        f"{origin}: '{where}' = {value!r} ist ungültig. Erwartet: {expected}. Abhilfe: den "
        "Wert in der Schema-Datei korrigieren.",
        message_en=f"{origin}: '{where}' = {value!r} is invalid. Expected: {expected}. Fix: "
        "correct the value in the schema file.", status=422)


def schema_toml(schema: RecordSchema | None = None) -> str:
    """The schema as a TOML text (a starting point for a municipality's own file)."""
    schema = schema or default_schema()
    lines = [f'name = "{schema.name}"', f'indicator_prefix = "{schema.indicator_prefix}"',
             f'period = "{schema.period}"',
             f"assignment = {json.dumps(list(schema.assignment))}", "", "[columns]"]
    for key in FIELDS:
        lines.append(f"{key} = {json.dumps(list(schema.columns.get(key, ())), ensure_ascii=False)}")
    lines += ["", "[coordinates]", f'crs = "{schema.crs}"', "", "[checks]",
              f"age_min = {schema.age_min}", f"age_max = {schema.age_max}", "", "[limits]",
              f"max_unmatched = {schema.max_unmatched}", f"max_invalid = {schema.max_invalid}",
              "", "[privacy]", f"min_frequency = {schema.min_frequency}",
              f"min_denominator = {schema.min_denominator}",
              f"reliable_denominator = {schema.reliable_denominator}"]
    for f in schema.findings:
        lines += ["", f"[findings.{f.id}]"]
        for key, value in f.__dict__.items():
            if key == "id" or value in (None, (), ""):
                continue
            if isinstance(value, tuple):
                value = list(value)
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    if not schema.relations:  # a top-level key: before the first table
        lines.insert(lines.index("[columns]") - 1, "relations = []")
    for rel in schema.relations:
        lines += ["", "[[relations]]"]
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}"
                  for key, value in rel.to_dict().items()]
    return "\n".join(lines) + "\n"


def copy_schema(schema: RecordSchema, **changes: Any) -> RecordSchema:
    """A changed copy (for tests and the demo)."""
    return RecordSchema(**{**copy.deepcopy(schema.__dict__), **changes})
