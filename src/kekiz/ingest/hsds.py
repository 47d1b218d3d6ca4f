"""Reading Open Referral HSDS 3.0 JSON into the service directory.

:func:`read_hsds` and :func:`parse_hsds` accept every shape of HSDS 3.0 JSON: a single
fully nested ``service``, ``organization``, ``service_at_location``, ``location``,
``taxonomy`` or ``taxonomy_term``; a paginated API answer (``{"contents": [...]}``) or a
plain list of them; the tabular form (``{"services.csv": [rows], ...}``); and the API
description (``version``/``profile``).  Every problem (not JSON, missing required field,
wrong type, value outside an enumeration, minimum_age above maximum_age, unknown document)
is collected into one :class:`~kekiz.domain.errors.ValidationReport` with its JSON path.
The kekiz extensions (HSDS attributes of the taxonomy ``kekiz``) become the typed fields
again (:func:`~kekiz.domain.hsds_kekiz.decode_kekiz`); the shape the document came in is
kept, so that :func:`kekiz.prevention.hsds.export_hsds` writes it back the same way.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from kekiz.domain.directory import KEKIZ_FIELDS, TYPED, Directory, typed_fields
from kekiz.domain.errors import ValidationReport
from kekiz.domain.hsds_kekiz import decode_kekiz
from kekiz.domain.hsds_spec import RENAMED, SPEC, TABLE_BY_PATH

__all__ = ["detect_kind", "parse_hsds", "read_hsds"]

_LENIENT = {("organization", "description"), ("taxonomy", "description"),
            ("taxonomy_term", "description"), ("program", "description")}
_FK_TABLES = ("organization", "service", "location", "service_at_location", "contact",
              "phone")
_PAGE_KEYS = ("total_items", "total_pages", "page_number", "size", "first_page",
              "last_page", "empty")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


def read_hsds(path: Path, *, kind: str | None = None) -> Directory:
    """Read an HSDS 3.0 JSON file; raises ImportFailed naming every problem."""
    report = ValidationReport(path.name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(f"Die Datei kann nicht als UTF-8-Text gelesen werden ({exc})",
                   expected="eine JSON-Datei in UTF-8", fix="die Datei als UTF-8 speichern",
                   message_en="the file cannot be read as UTF-8 text")
        report.raise_if_failed()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        report.add(f"kein gültiges JSON: {exc.msg} (Zeichen {exc.colno})", row=exc.lineno,
                   expected="ein JSON-Dokument nach HSDS 3.0",
                   fix="die Stelle korrigieren (fehlendes Komma, Anführungszeichen oder "
                   "Klammer) oder die Datei neu exportieren",
                   message_en=f"not valid JSON: {exc.msg} (character {exc.colno})")
        report.raise_if_failed()
    directory = parse_hsds(data, report, kind=kind)
    report.raise_if_failed()
    return directory


def parse_hsds(data: Any, report: ValidationReport, *, kind: str | None = None) -> Directory:
    """Parse HSDS JSON data into a :class:`Directory`; problems go to ``report``."""
    parser = _Parser(report)
    parser.top(data, kind)
    decode_kekiz(parser.d)
    return parser.d


def detect_kind(obj: Any) -> str | None:
    """Which HSDS document an object is: a table name, ``page``, ``tabular``, ``api``."""
    if isinstance(obj, list):
        return "list"
    if not isinstance(obj, dict):
        return None
    keys = set(obj)
    if isinstance(obj.get("contents"), list):
        return "page"
    if any(str(k).endswith(".csv") for k in keys):
        return "tabular"
    if keys and keys <= {"version", "profile", "openapi_url"} and "version" in keys:
        return "api"
    if "service_at_locations" in keys or {"name", "status"} <= keys:
        return "service"
    if ({"location", "service"} & keys or {"service_id", "location_id"} <= keys) \
            and "name" not in keys:
        return "service_at_location"
    if keys & {"location_type", "latitude", "longitude", "addresses", "accessibility"}:
        return "location"
    if keys & {"taxonomy_detail", "code", "parent_id", "taxonomy_id", "term_uri", "taxonomy"}:
        return "taxonomy_term"
    if "version" in keys and keys <= set(SPEC["taxonomy"].fields) | {"metadata"}:
        return "taxonomy"
    if keys & {"services", "locations", "programs", "organization_identifiers", "website",
               "tax_status", "legal_status", "year_incorporated", "logo", "funding"} \
            or {"id", "name", "description"} <= keys:
        return "organization"
    return None


_KINDS = "service, organization, service_at_location, location, taxonomy, taxonomy_term"


class _Parser:
    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        self.d = Directory()
        self._noted_ids = False

    def problem(self, path: str, de: str, en: str, *, expected: str, fix: str,
                value: Any = None) -> None:
        self.report.add(de, column=path or None, value=value, expected=expected, fix=fix,
                        message_en=en)

    # -- top level ----------------------------------------------------------------------
    def top(self, data: Any, kind: str | None) -> None:
        found = detect_kind(data)
        if found == "page":
            env = {k: data[k] for k in _PAGE_KEYS if k in data}
            ids = self.items(data["contents"], "contents", kind)
            self.d.meta["shape"] = {"type": "page", "ids": ids, "envelope": env}
        elif found == "list":
            self.d.meta["shape"] = {"type": "list", "ids": self.items(data, "", kind)}
        elif found == "tabular" and kind in (None, "tabular"):
            self.tabular(data)
            self.d.meta["shape"] = {"type": "tabular"}
        elif found == "api" and kind in (None, "api"):
            self.d.meta["shape"] = {"type": "api", "info": dict(data)}
        else:
            ids = self.items([data], None, kind)
            if ids:
                self.d.meta["shape"] = {"type": "document", "ids": ids}

    def items(self, items: list[Any], base: str | None,
              kind: str | None) -> list[tuple[str, str]]:
        ids = []
        for i, item in enumerate(items):
            path = f"{base}[{i}]" if base is not None else ""
            table = kind or detect_kind(item)
            if table not in SPEC:
                self.problem(path, "kein HSDS-Dokument erkannt",
                             "not recognised as an HSDS document",
                             value=_preview(item), expected=f"ein JSON-Objekt der Art {_KINDS} "
                             "(HSDS 3.0) oder eine Seite mit 'contents'",
                             fix="die Datei aus dem Verzeichnisdienst als HSDS-3.0-JSON "
                             "exportieren")
                continue
            eid = self.entity(table, item, path, None)
            if eid is not None:
                ids.append((table, eid))
        return ids

    def tabular(self, data: dict[str, Any]) -> None:
        for key, rows in data.items():
            table = TABLE_BY_PATH.get(str(key))
            if table is None:
                self.report.note(f"Tabelle '{key}' ist keine HSDS-3.0-Tabelle und wird "
                                 "übergangen")
                continue
            if not isinstance(rows, list):
                self.problem(key, "keine Liste von Zeilen", "not a list of rows",
                             expected="eine Liste von JSON-Objekten", fix="die Tabelle als "
                             "Liste exportieren", value=_preview(rows))
                continue
            for i, row in enumerate(rows):
                self.entity(table, row, f"{key}[{i}]", None, nested=False)
        _links_from_keys(self.d)

    # -- entities -----------------------------------------------------------------------
    def entity(self, table: str, obj: Any, path: str, parent: tuple[str, str, str] | None,
               *, nested: bool = True) -> str | None:
        spec = SPEC[table]
        where = path or table
        if not isinstance(obj, dict):
            self.problem(where, "kein JSON-Objekt", "not a JSON object",
                         expected=f"ein Objekt '{table}' nach HSDS 3.0",
                         fix="die Struktur der Datei prüfen", value=_preview(obj))
            return None
        if not self.check(table, obj, where):
            return None
        eid = str(obj["id"])
        scalars: dict[str, Any] = {}
        children = []
        for key, value in obj.items():
            if key in spec.nested and nested and value is not None:
                children.append((key, value))
            else:
                scalars[key] = value
        self.store(table, eid, scalars, parent)
        for key, value in children:
            ctable, many = spec.nested[key]
            if many:
                if not isinstance(value, list):
                    self.problem(f"{where}.{key}", "keine Liste", "not a list",
                                 expected=f"eine Liste von '{ctable}'-Objekten",
                                 fix=f"'{key}' als Liste [...] angeben", value=_preview(value))
                    continue
                for i, item in enumerate(value):
                    self.entity(ctable, item, f"{where}.{key}[{i}]", (table, eid, key))
            else:
                self.entity(ctable, value, f"{where}.{key}", (table, eid, key))
        return eid

    def check(self, table: str, obj: dict[str, Any], where: str) -> bool:
        """Report every problem of one object; ``True`` when it has an id to go on with."""
        spec = SPEC[table]
        for name in spec.required:
            if obj.get(name) is None or (name in ("id", "name") and obj[name] == ""):
                if (table, name) in _LENIENT:
                    self.report.note(f"{where}: Pflichtfeld '{name}' fehlt; beim Export "
                                     "wird es leer geschrieben")
                    continue
                self.problem(f"{where}.{name}", f"Pflichtfeld '{name}' fehlt",
                             f"required field '{name}' is missing",
                             expected=f"'{name}' in jedem '{table}' (HSDS 3.0)",
                             fix=f"'{name}' ergänzen")
        for name, kind in spec.fields.items():
            value = obj.get(name)
            if value is None:
                continue
            if kind == "number" and (isinstance(value, bool) or
                                     not isinstance(value, int | float)):
                self.problem(f"{where}.{name}", "kein Zahlenwert", "not a number",
                             value=value, expected="eine JSON-Zahl, z. B. 2.5",
                             fix="den Wert ohne Anführungszeichen als Zahl schreiben")
            elif kind != "number" and _num(value):
                self.report.note(f"{where}.{name}: Zahl statt Text ({value}); wird so "
                                 "übernommen")
            elif kind != "number" and not isinstance(value, str):
                self.problem(f"{where}.{name}", "kein Text", "not a string", value=value,
                             expected="eine Zeichenkette in Anführungszeichen",
                             fix="den Wert in Anführungszeichen setzen")
            elif kind == "uuid" and not _is_uuid(value) and not self._noted_ids:
                self._noted_ids = True
                self.report.note(f"{where}.{name}: Kennungen sind keine UUIDs; beim Export "
                                 "werden daraus feste UUIDs (v5) gebildet")
        for name, allowed in spec.enums.items():
            value = obj.get(name)
            if isinstance(value, str) and value not in allowed:
                self.problem(f"{where}.{name}", "Wert nicht erlaubt", "value not allowed",
                             value=value, expected="einer von: " + ", ".join(allowed),
                             fix="einen der erlaubten Werte eintragen")
        lo: Any = obj.get("minimum_age")
        hi: Any = obj.get("maximum_age")
        if table == "service" and _num(lo) and _num(hi) and float(lo) > float(hi):
            self.problem(f"{where}.minimum_age", "Mindestalter größer als Höchstalter",
                         "minimum_age is greater than maximum_age", value=f"{lo} > {hi}",
                         expected="minimum_age <= maximum_age",
                         fix="die beiden Altersangaben prüfen (vertauscht?)")
        if table == "location":
            self._check_coordinates(obj, where)
        return isinstance(obj.get("id"), str) and obj["id"] != ""

    def _check_coordinates(self, obj: dict[str, Any], where: str) -> None:
        lat: Any = obj.get("latitude")
        lon: Any = obj.get("longitude")
        if _num(lat) and _num(lon) and not (-90 <= float(lat) <= 90 and
                                            -180 <= float(lon) <= 180):
            self.report.note(f"{where}: Koordinaten ({lat}, {lon}) liegen außerhalb des "
                             "gültigen Bereichs; der Ort wird für Karten und Entfernungen "
                             "nicht verwendet")

    def store(self, table: str, eid: str, scalars: dict[str, Any],
              parent: tuple[str, str, str] | None) -> None:
        d = self.d
        if table in TYPED:
            _store_typed(d, table, eid, scalars)
            if parent is not None:
                _context_keys(d, table, eid, parent)
        else:
            d.records.setdefault(table, {}).setdefault(eid, {}).update(scalars)
        if parent is not None:
            d.link((parent[0], parent[1]), parent[2], table, eid)


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _preview(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:60]


def _store_typed(d: Directory, table: str, eid: str, scalars: dict[str, Any]) -> None:
    cls = TYPED[table]
    names = (set(typed_fields(cls)) - KEKIZ_FIELDS) | (
        {"age_min", "age_max"} if table == "service" else set())
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in scalars.items():
        attr = RENAMED.get((table, key), key)
        if attr not in names:
            extra[key] = value
        elif value is not None:
            known[attr] = value
    ent = d.table(table).get(eid)
    if ent is None:
        base: dict[str, Any] = {"id": eid}
        if "name" in names:
            base["name"] = ""
        if table == "service_at_location":
            base.update(service_id="", location_id="")
        ent = cls(**base)
        d.table(table)[eid] = ent
    for key, value in known.items():
        setattr(ent, key, value)
    ent.extra.update(extra)


def _context_keys(d: Directory, table: str, eid: str, parent: tuple[str, str, str]) -> None:
    """Fill the foreign keys that the nesting implies (``service.organization_id`` ...)."""
    ptable, pid, _key = parent
    ent = d.table(table)[eid]
    up = d.table(ptable).get(pid) if ptable in TYPED else None
    if table in ("service", "location") and ptable == "organization":
        ent.organization_id = ent.organization_id or pid
    elif table == "service_at_location" and ptable == "service":
        ent.service_id = ent.service_id or pid
    elif up is not None and ptable == "service_at_location":
        if table == "location" and not up.location_id:
            up.location_id = eid
        elif table == "service" and not up.service_id:
            up.service_id = eid
    elif up is not None and ptable == "service" and table == "organization":
        up.organization_id = up.organization_id or eid
    elif up is not None and ptable == "taxonomy_term" and table == "taxonomy":
        up.taxonomy_id = up.taxonomy_id or eid


def _links_from_keys(d: Directory) -> None:
    """Links between the rows of the tabular form, from their foreign keys."""
    index = {eid: name for name in list(TYPED) + list(d.records) for eid in d.table(name)}
    for table in list(d.records):
        for rid, row in d.records[table].items():
            if table == "attribute":
                target = str(row.get("link_id", ""))
                if target in index:
                    d.link((index[target], target), "attributes", table, rid)
                continue
            if table == "metadata":
                target = str(row.get("resource_id", ""))
                if target in index:
                    d.link((index[target], target), "metadata", table, rid)
                continue
            for ptable in _FK_TABLES:
                pid = row.get(f"{ptable}_id")
                key = _key_for(ptable, table)
                if isinstance(pid, str) and key and pid in d.table(ptable):
                    d.link((ptable, pid), key, table, rid)
    for sid, svc in d.services.items():
        prog = svc.extra.get("program_id")
        if isinstance(prog, str) and prog in d.records.get("program", {}):
            d.link(("service", sid), "program", "program", prog)


def _key_for(parent: str, child: str) -> str | None:
    for key, (table, _many) in SPEC[parent].nested.items():
        if table == child:
            return key
    return None
