"""Reading offers from CSV/XLSX and point files (GeoJSON; tables with coordinates).

One row is one offer: a service at a place, with its provider (Träger).  Column names
may be German or English (``name``/``Angebot``, ``Träger``, ``Lebensphase``, ``Bereich``,
``Plätze``, ``Alter von``/``Alter bis`` ...; see :data:`FIELDS`), numbers may use the
decimal comma, coordinates are found by name (lat/lon, latitude/longitude, y/x,
Breite/Länge, Hochwert/Rechtswert) and may be WGS84, UTM 32N or Gauß-Krüger.  Every
problem goes to one :class:`~kekiz.domain.errors.ValidationReport` (file, row, column,
value, expected, fix) and nothing is returned unless the whole file is clean.

Point files such as a Kita list carry only names and places: :class:`OfferDefaults`
(e.g. :data:`KITA`) fills what the file does not say.  Finding offers that two sources
both list is :mod:`kekiz.prevention.directory`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kekiz.domain.directory import (
    Directory,
    Service,
    Transition,
    in_germany,
    new_id,
    parse_coordinate,
    parse_language,
    parse_life_phase,
    parse_sector,
    parse_transition,
)
from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import LifePhase
from kekiz.domain.offers import add_offer, name_key
from kekiz.ingest.cells import parse_number
from kekiz.ingest.coordinates import detect_coordinate_columns, guess_crs, to_wgs84
from kekiz.ingest.tables import read_table

__all__ = ["FIELDS", "KITA", "DirectoryImport", "DirectoryOptions", "OfferDefaults",
           "read_directory", "read_points"]

#: Field -> accepted column names (compared case-insensitively, umlauts folded).
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "kennung", "nr", "angebot_id", "schluessel"),
    "name": ("name", "angebot", "bezeichnung", "titel", "einrichtung", "name_angebot"),
    "organization": ("organization", "organisation", "traeger", "anbieter"),
    "description": ("description", "beschreibung"),
    "life_phases": ("life_phase", "life_phases", "lebensphase", "lebensphasen"),
    "transitions": ("transition", "transitions", "uebergang", "uebergaenge"),
    "sector": ("sector", "bereich", "sektor", "handlungsfeld"),
    "capacity": ("capacity", "places", "plaetze", "kapazitaet", "platzzahl"),
    "age_min": ("age_min", "minimum_age", "alter_von", "alter_min", "mindestalter", "ab_alter"),
    "age_max": ("age_max", "maximum_age", "alter_bis", "alter_max", "hoechstalter",
                "bis_alter"),
    "target_groups": ("target_groups", "target_group", "zielgruppe", "zielgruppen"),
    "topics": ("topics", "topic", "thema", "themen", "kategorie"),
    "languages": ("languages", "language", "sprachen", "sprache"),
    "cost": ("cost", "kosten", "gebuehr", "preis"),
    "schedule": ("schedule", "oeffnungszeiten", "zeiten", "termine"),
    "published": ("published", "veroeffentlicht", "oeffentlich", "sichtbar"),
    "synthetic": ("synthetic", "synthetisch"),
    "status": ("status",),
    "street": ("street", "address", "strasse", "adresse", "anschrift"),
    "postal_code": ("postal_code", "plz", "postleitzahl"),
    "city": ("city", "ort", "stadt"),
    "district": ("district", "unit_id", "stadtteil", "sozialraum", "bezirk", "gebiet"),
    "url": ("url", "website", "webseite", "internet"),
    "email": ("email", "e_mail", "mail"),
    "phone": ("phone", "telefon", "tel"),
}
_LIST_SPLIT = re.compile(r"\s*[,;|/]\s*")
_YES = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
_NO = {"nein", "n", "no", "false", "falsch", "0", "-"}
_FREE = {"kostenlos", "kostenfrei", "frei", "gratis", "free", "keine", "0", "0,00", "0.00"}
_STATUS = {"active": "active", "aktiv": "active", "inactive": "inactive",
           "inaktiv": "inactive", "defunct": "defunct", "geschlossen": "defunct",
           "temporarily closed": "temporarily closed",
           "voruebergehend geschlossen": "temporarily closed"}


@dataclass(frozen=True)
class OfferDefaults:
    """Values for what a file does not say (e.g. every row of a Kita list).

    ``name`` is a template for rows without a name, with column names in braces,
    e.g. ``"Kita (OSM {osm_id})"``.
    """

    life_phases: tuple[str, ...] = ()
    transitions: tuple[str, ...] = ()
    sector: str | None = None
    topics: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    age_min: float | None = None
    age_max: float | None = None
    organization: str = ""
    published: bool = True
    name: str | None = None


#: Defaults for lists of Kitas (Kindertageseinrichtungen, SGB VIII).
KITA = OfferDefaults(life_phases=(LifePhase.AGE_0_3.value, LifePhase.AGE_3_6.value),
                     transitions=(Transition.FAMILY_KITA.value, Transition.KITA_PRIMARY.value),
                     sector="youth_welfare", topics=("Kindertagesbetreuung",),
                     age_min=0.0, age_max=6.0)


@dataclass(frozen=True)
class DirectoryOptions:
    """How to read a directory file.

    ``columns`` maps a field of :data:`FIELDS` to the column that holds it when the
    names are unusual; ``lat``/``lon`` name the coordinate columns and ``crs`` their
    reference system when they are not detected.
    """

    source: str = ""
    defaults: OfferDefaults = field(default_factory=OfferDefaults)
    columns: dict[str, str] = field(default_factory=dict)
    lat: str | None = None
    lon: str | None = None
    crs: str | None = None
    require_coordinates: bool = False
    extra_sectors: tuple[str, ...] = ()
    sheet: str | None = None
    state_province: str = ""


@dataclass
class DirectoryImport:
    directory: Directory
    rows: int
    notes: list[str] = field(default_factory=list)


def read_directory(path: Path, options: DirectoryOptions | None = None) -> DirectoryImport:
    """Read offers from CSV/XLSX/XLS or a point file (GeoJSON, GeoPackage, Shapefile).

    Raises :class:`~kekiz.domain.errors.ImportFailed` naming every problem.
    """
    opts = options or DirectoryOptions()
    report = ValidationReport(path.name)
    if path.suffix.lower() in (".geojson", ".json", ".gpkg", ".shp", ".zip"):
        header, rows, first, coords = _read_geo(path, report)
    else:
        table = read_table(path, report, sheet=opts.sheet)
        report.raise_if_failed()
        assert table is not None
        header, rows, first, coords = table.header, table.rows, table.first_row, None
        for note in table.notes:
            report.note(note)
    report.raise_if_failed()
    d = _Rows(path.name, header, rows, first, opts, report, coords).parse()
    report.raise_if_failed()
    return DirectoryImport(d, len(rows), report.notes)


def read_points(path: Path, options: DirectoryOptions | None = None) -> DirectoryImport:
    """A point file (Kita list ...): like :func:`read_directory`, coordinates required."""
    opts = options or DirectoryOptions()
    opts = DirectoryOptions(**{**opts.__dict__, "require_coordinates": True})
    return read_directory(path, opts)


def _read_geo(path: Path, report: ValidationReport
              ) -> tuple[list[str], list[list[str]], int, np.ndarray | None]:
    try:
        with warnings.catch_warnings():  # "could not parse column as JSON": text is fine
            warnings.simplefilter("ignore", UserWarning)
            frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several DataSourceError types
        report.add(f"Die Geodatei kann nicht gelesen werden ({str(exc)[:160]})",
                   expected="GeoJSON, GeoPackage oder Shapefile mit Punkten",
                   fix="die Datei in QGIS öffnen und als GeoJSON neu speichern",
                   message_en="the spatial file cannot be read")
        return [], [], 1, None
    if frame.crs is None:
        frame = frame.set_crs(4326)
    frame = frame.to_crs(4326)
    geoms = frame.geometry
    not_points = int((~geoms.is_empty & geoms.notna() & (geoms.geom_type != "Point")).sum())
    if not_points:
        report.note(f"{not_points} Objekte sind Flächen oder Linien; es zählt ihr "
                    "innerer Punkt")
    pts = geoms.representative_point()
    coords = np.column_stack([pts.y.to_numpy(float), pts.x.to_numpy(float)])
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    header = [str(c) for c in props.columns]
    rows = [["" if _missing(v) else _text(v) for v in r] for r in props.itertuples(index=False)]
    return header, rows, 1, coords


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Rows:
    def __init__(self, file: str, header: list[str], rows: list[list[str]], first: int,
                 opts: DirectoryOptions, report: ValidationReport,
                 coords: np.ndarray | None) -> None:
        self.file, self.header, self.rows, self.first = file, header, rows, first
        self.opts, self.report, self.coords = opts, report, coords
        self.d = Directory()
        self.col = self._columns()

    # -- header -------------------------------------------------------------------------
    def _columns(self) -> dict[str, int]:
        by_norm = {name_key(h): i for i, h in enumerate(self.header)}
        found: dict[str, int] = {}
        for fld, aliases in FIELDS.items():
            given = self.opts.columns.get(fld)
            if given is not None:
                if given not in self.header:
                    self._missing_column(given)
                    continue
                found[fld] = self.header.index(given)
                continue
            for alias in aliases:
                if alias in by_norm:
                    found[fld] = by_norm[alias]
                    break
        if "name" not in found and not self.opts.defaults.name:
            self._missing_column("name")
        if self.coords is None:
            pair = (self.opts.lat, self.opts.lon) if self.opts.lat and self.opts.lon \
                else detect_coordinate_columns(self.header)
            if pair is not None:
                for name, fld in zip(pair, ("lat", "lon"), strict=True):
                    if name not in self.header:
                        self._missing_column(name)
                    else:
                        found[fld] = self.header.index(name)
            elif self.opts.require_coordinates:
                self._missing_column("lat/lon")
        used = set(found.values())
        unused = [h for i, h in enumerate(self.header) if i not in used and h]
        if unused:
            self.report.note("nicht verwendete Spalten: " + ", ".join(unused))
        return found

    def _missing_column(self, name: str) -> None:
        known = "name/Angebot, Träger, Lebensphase, Bereich, Plätze, Alter von, Alter bis, " \
            "lat/lon"
        self.report.add("Spalte nicht gefunden", column=name,
                        expected=f"eine Spalte '{name}'; vorhanden: " + ", ".join(self.header),
                        fix=f"die Spalte ergänzen oder umbenennen (bekannt: {known})",
                        message_en="column not found")

    # -- rows ---------------------------------------------------------------------------
    def cell(self, row: list[str], fld: str) -> str:
        i = self.col.get(fld)
        return row[i].strip() if i is not None and i < len(row) else ""

    def problem(self, n: int, fld: str, value: Any, de: str, en: str, expected: str,
                fix: str) -> None:
        i = self.col.get(fld)
        column = self.header[i] if i is not None else fld
        self.report.add(de, row=self.first + n, column=column, value=value,
                        expected=expected, fix=fix, message_en=en)

    def parse(self) -> Directory:
        if not self.report.ok:
            return self.d
        lat, lon = self._coordinates()
        seen: dict[str, int] = {}
        for n, row in enumerate(self.rows):
            if not any(c.strip() for c in row):
                continue
            self._row(n, row, lat[n], lon[n], seen)
        return self.d

    def _coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.rows)
        if self.coords is not None:
            return self.coords[:, 0], self.coords[:, 1]
        if "lat" not in self.col:
            return np.full(n, np.nan), np.full(n, np.nan)
        ys, xs = np.full(n, np.nan), np.full(n, np.nan)
        for fld, out in (("lat", ys), ("lon", xs)):
            for k, row in enumerate(self.rows):
                c = self.cell(row, fld)
                value = parse_coordinate(c)
                if value is None and c:
                    self.problem(k, fld, c, "keine Koordinate", "not a coordinate",
                                 "eine Zahl, z. B. 50,9375 oder 6.9603",
                                 "die Koordinate korrigieren")
                elif value is not None:
                    out[k] = value
        crs: int | str
        crs, xs = (self.opts.crs, xs) if self.opts.crs else guess_crs(xs, ys)
        if crs == 0:
            self.report.add("Koordinatensystem nicht erkannt", column=self.header[self.col["lon"]],
                            value=f"{np.nanmedian(xs):.0f}, {np.nanmedian(ys):.0f}",
                            expected="WGS84 (Grad), UTM 32N (EPSG:25832) oder Gauß-Krüger",
                            fix="das Koordinatensystem angeben (crs)",
                            message_en="coordinate reference system not recognised")
            return np.full(n, np.nan), np.full(n, np.nan)
        if crs != 4326:
            self.report.note(f"Koordinaten als EPSG:{crs} erkannt und nach WGS84 umgerechnet"
                             if isinstance(crs, int) else f"Koordinaten in {crs} umgerechnet")
            lon, lat = to_wgs84(xs, ys, crs)
            return lat, lon
        return ys, xs

    def _row(self, n: int, row: list[str], lat: float, lon: float, seen: dict[str, int]
             ) -> None:
        dflt = self.opts.defaults
        name = self.cell(row, "name")
        if not name and dflt.name:
            try:
                name = dflt.name.format(**dict(zip(self.header, row, strict=False)))
            except (KeyError, IndexError, ValueError):
                name = ""
        if not name:
            self.problem(n, "name", None, "Name fehlt", "name is missing",
                         "den Namen des Angebots", "den Namen eintragen")
        source_id = self.cell(row, "id")
        if source_id:
            if source_id in seen:
                self.problem(n, "id", source_id, f"Kennung doppelt (auch in Zeile "
                             f"{self.first + seen[source_id]})", "duplicate id",
                             "eine eindeutige Kennung je Zeile", "eine Zeile löschen oder die "
                             "Kennung ändern")
            seen[source_id] = n
        phases = self._list(n, row, "life_phases", dflt.life_phases, _phase)
        transitions = self._list(n, row, "transitions", dflt.transitions, _transition)
        sector = self._sector(n, row) or dflt.sector
        age_min = self._age(n, row, "age_min", dflt.age_min)
        age_max = self._age(n, row, "age_max", dflt.age_max)
        if age_min is not None and age_max is not None and age_min > age_max:
            self.problem(n, "age_min", f"{age_min:g} > {age_max:g}",
                         "Mindestalter größer als Höchstalter", "age_min greater than age_max",
                         "Alter von <= Alter bis", "die Altersangaben prüfen (vertauscht?)")
        capacity = self._capacity(n, row)
        published = self._flag(n, row, "published", dflt.published)
        synthetic = self._flag(n, row, "synthetic", False)
        status = self._status(n, row)
        email = self.cell(row, "email")
        if email and "@" not in email:
            self.problem(n, "email", email, "keine E-Mail-Adresse", "not an e-mail address",
                         "eine Adresse der Form name@example.de", "die Adresse korrigieren")
        has_coords = bool(np.isfinite(lat) and np.isfinite(lon))
        if has_coords and not in_germany(lat, lon):
            swapped = in_germany(lon, lat)
            self.problem(n, "lat", f"{lat:g}, {lon:g}", "Koordinaten liegen außerhalb "
                         "Deutschlands", "coordinates outside Germany",
                         "Breite 47,2–55,1 und Länge 5,5–15,5 (WGS84)",
                         "Breite und Länge sind vertauscht: Spalten tauschen" if swapped else
                         "die Koordinaten prüfen (Koordinatensystem? Dezimalkomma?)")
            has_coords = False
        elif not has_coords and (np.isfinite(lat) or np.isfinite(lon)):
            self.problem(n, "lat", None, "nur eine der beiden Koordinaten angegeben",
                         "only one coordinate given", "Breite und Länge",
                         "die fehlende Koordinate ergänzen")
        elif not has_coords and self.opts.require_coordinates and self.report.ok:
            self.problem(n, "lat", None, "Koordinaten fehlen", "coordinates missing",
                         "Breite und Länge (WGS84) oder x/y", "die Koordinaten ergänzen")
        if not self.report.ok:
            return
        source = self.opts.source or self.file
        key = source_id or f"{name}|{lat:.6f}|{lon:.6f}|{self.cell(row, 'street')}"
        svc = Service(id=new_id("service", source, key), name=name,
                      description=self.cell(row, "description"), status=status,
                      url=self.cell(row, "url"), email=email, age_min=age_min,
                      age_max=age_max, life_phases=phases, transitions=transitions,
                      sector=sector, capacity=capacity,
                      target_groups=self._labels(row, "target_groups", dflt.target_groups),
                      topics=self._labels(row, "topics", dflt.topics), published=published,
                      synthetic=synthetic, source=source, source_id=source_id)
        add_offer(self.d, svc, organization=self.cell(row, "organization") or
                  dflt.organization or name,
                  lat=lat if has_coords else None, lon=lon if has_coords else None,
                  street=self.cell(row, "street"), postal_code=self.cell(row, "postal_code"),
                  city=self.cell(row, "city"), unit_id=self.cell(row, "district") or None,
                  languages=self._languages(n, row), cost=self._cost(n, row),
                  schedule=self.cell(row, "schedule"), phone=self.cell(row, "phone"),
                  state_province=self.opts.state_province)

    # -- cells ----------------------------------------------------------------------------
    def _list(self, n: int, row: list[str], fld: str, default: tuple[str, ...],
              parse: Any) -> list[str]:
        text = self.cell(row, fld)
        if not text:
            return list(default)
        out = []
        for part in _LIST_SPLIT.split(text):
            if not part:
                continue
            value = parse(part)
            if value is None:
                allowed = _ALLOWED[fld]
                self.problem(n, fld, part, "unbekannter Wert", "unknown value",
                             "einer von: " + allowed, "einen der bekannten Werte eintragen; "
                             "mehrere durch Komma trennen")
            elif value not in out:
                out.append(value)
        return out

    def _sector(self, n: int, row: list[str]) -> str | None:
        text = self.cell(row, "sector")
        if not text:
            return None
        code = parse_sector(text, self.opts.extra_sectors)
        if code is None:
            self.problem(n, "sector", text, "unbekannter Bereich", "unknown sector",
                         "einer von: " + _ALLOWED["sector"], "einen bekannten Bereich "
                         "eintragen oder ihn als weiteren Bereich der Kommune anmelden")
        return code

    def _age(self, n: int, row: list[str], fld: str, default: float | None) -> float | None:
        text = self.cell(row, fld)
        if not text:
            return default
        months = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(monate?|mon\.?|months?|m)", text.lower())
        parsed = parse_number(months.group(1) if months else text,
                              "de" if "," in text else "en")
        if parsed.value is None or not 0 <= parsed.value <= 99:
            self.problem(n, fld, text, "kein gültiges Alter", "not a valid age",
                         "ein Alter in Jahren, auch mit Dezimalstellen (z. B. 2,5) oder in "
                         "Monaten (z. B. 6 Monate)", "das Alter korrigieren")
            return default
        return parsed.value / 12.0 if months else parsed.value

    def _capacity(self, n: int, row: list[str]) -> float | None:
        text = self.cell(row, "capacity")
        if not text:
            return None
        parsed = parse_number(text, "de" if "," in text else "en")
        if parsed.value is None or parsed.value < 0:
            self.problem(n, "capacity", text, "keine Platzzahl", "not a number of places",
                         "eine Zahl ab 0", "die Zahl der Plätze eintragen oder leer lassen")
            return None
        return parsed.value

    def _flag(self, n: int, row: list[str], fld: str, default: bool) -> bool:
        text = self.cell(row, fld).lower()
        if not text:
            return default
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.problem(n, fld, text, "kein Ja/Nein-Wert", "not a yes/no value",
                     "ja oder nein (auch true/false, 1/0)", "ja oder nein eintragen")
        return default

    def _status(self, n: int, row: list[str]) -> str:
        text = self.cell(row, "status")
        if not text:
            return "active"
        status = _STATUS.get(name_key(text).replace("_", " "))
        if status is None:
            self.problem(n, "status", text, "unbekannter Status", "unknown status",
                         "aktiv, inaktiv, geschlossen, vorübergehend geschlossen",
                         "einen dieser Werte eintragen")
            return "active"
        return status

    def _labels(self, row: list[str], fld: str, default: tuple[str, ...]) -> list[str]:
        text = self.cell(row, fld)
        if not text:
            return list(default)
        return [p for p in _LIST_SPLIT.split(text) if p]

    def _languages(self, n: int, row: list[str]) -> list[tuple[str, str]]:
        out = []
        for part in self._labels(row, "languages", ()):
            code = parse_language(part)
            if code is None:
                self.report.note(f"Zeile {self.first + n}: Sprache '{part}' ohne bekannten "
                                 "Code; wird als Name übernommen")
            out.append((code or "", part))
        return out

    def _cost(self, n: int, row: list[str]) -> tuple[float | None, str]:
        text = self.cell(row, "cost")
        if not text:
            return None, ""
        if text.lower() in _FREE:
            return 0.0, text
        number = re.sub(r"\s*(€|eur|euro)\s*$", "", text, flags=re.IGNORECASE)
        parsed = parse_number(number, "de" if "," in number else "en")
        if parsed.value is not None and parsed.value >= 0:
            return parsed.value, text
        self.report.note(f"Zeile {self.first + n}: Kosten '{text}' sind kein Betrag; "
                         "werden als Beschreibung übernommen")
        return None, text


def _phase(text: str) -> str | None:
    phase = parse_life_phase(text)
    return None if phase is None else phase.value


def _transition(text: str) -> str | None:
    t = parse_transition(text)
    return None if t is None else t.value


_ALLOWED = {
    "life_phases": "pregnancy/Schwangerschaft, 0-3, 3-6, 6-10, 10-16, 16-25, alle",
    "transitions": "Familie → Kita, Kita → Grundschule, Grundschule → weiterführende "
                   "Schule, Schule → Beruf (oder family-kita, kita-primary, "
                   "primary-secondary, school-work)",
    "sector": "Gesundheit, Bildung, Kinder- und Jugendhilfe, Soziales, Sport und Kultur, "
              "Arbeit und Beruf, Polizei und Sicherheit, Allgemein",
}

