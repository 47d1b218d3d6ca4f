"""A SYNTHETIC cooperation network for the Köln demo: invented actors and ties.

Nothing here describes real organisations or real cooperation.  The generator places
about 150 generic actors (Kitas, schools, paediatric practices, youth centres, the youth
office, the health office, the job centre ...) in the 86 Köln Stadtteile and 9
Stadtbezirke, draws ties with probabilities that depend on place and on the life phases
served, and writes two survey waves in the import format (one row per respondent-partner
pair, column ``synthetisch`` = ``ja``).  Wave 2 keeps most ties of wave 1, loses some,
gains new ones (more Kita-Grundschule ties: the intended effect of a programme), and has
slightly higher trust.  Seeded: the same seed gives the same files.

Regenerate the shipped demo files with::

    python -m kekiz.demo.cooperation_synth src/kekiz/demo/data/cooperation
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from kekiz.domain.directory import sector_label

__all__ = ["COLUMNS", "SEED", "Actor", "District", "demo_districts", "synthetic_waves",
           "to_csv"]

SEED = 20230301
CITY = "05315000"
COLUMNS = ["synthetisch", "welle", "datum", "befragte_id", "befragte_organisation",
           "befragte_sektor", "befragte_lebensphasen", "befragte_gebiet", "partner_id",
           "partner_organisation", "partner_sektor", "partner_lebensphasen", "partner_gebiet",
           "kooperationsart", "richtung", "intensitaet", "vertrauen", "nutzen"]
_PHASE_TEXT = {"pregnancy": "Schwangerschaft", "all": "alle"}


@dataclass(frozen=True)
class District:
    stadtteil: str  # unit id, e.g. 05315000-101
    name: str
    stadtbezirk: str  # unit id, e.g. 05315000-1
    bezirk_name: str


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str
    sector: str
    phases: tuple[str, ...]
    unit: str
    bezirk: str | None


# kind -> (label, sector, life phases, count of stadtteil-level actors)
_LOCAL = {
    "kita": ("Kita", "youth_welfare", ("0-3", "3-6"), 38),
    "grundschule": ("Grundschule", "education", ("6-10",), 30),
    "sek": ("Weiterführende Schule", "education", ("10-16",), 12),
    "kinderarzt": ("Kinderarztpraxis", "health", ("0-3", "3-6", "6-10", "10-16"), 10),
    "jugend": ("Jugendzentrum", "youth_welfare", ("10-16", "16-25"), 10),
    "sport": ("Sportverein", "sport_culture", ("6-10", "10-16"), 6),
    "famz": ("Familienzentrum", "youth_welfare", ("0-3", "3-6"), 5),
    "bk": ("Berufskolleg", "education", ("16-25",), 2),
}
_BEZIRK = {
    "bja": ("Bezirksjugendamt", "youth_welfare", ("all",)),
    "beratung": ("Familienberatungsstelle", "social", ("0-3", "3-6", "6-10", "10-16")),
    "hebamme": ("Hebammenzentrum", "health", ("pregnancy", "0-3")),
}
_CITY = [
    ("jugendamt", "Jugendamt Köln, Allgemeiner Sozialer Dienst (Zentrale)", "youth_welfare",
     ("all",)),
    ("gesundheitsamt", "Gesundheitsamt Köln, Kinder- und Jugendgesundheitsdienst", "health",
     ("0-3", "3-6", "6-10")),
    ("jobcenter", "Jobcenter Köln, Team U25", "employment", ("16-25",)),
    ("agentur", "Agentur für Arbeit Köln, Berufsberatung", "employment", ("10-16", "16-25")),
    ("polizei", "Polizeipräsidium Köln, Kriminalprävention", "safety", ("10-16", "16-25")),
    ("schulamt", "Schulamt für die Stadt Köln", "education", ("6-10", "10-16")),
    ("fruehehilfen", "Koordinierungsstelle Frühe Hilfen", "youth_welfare",
     ("pregnancy", "0-3")),
    ("koordination", "Kommunale Präventionskoordination", "general", ("all",)),
    ("sportbund", "Stadtsportbund Köln", "sport_culture", ("6-10", "10-16")),
    ("bildungsbuero", "Regionales Bildungsbüro Köln", "education",
     ("3-6", "6-10", "10-16", "16-25")),
]
# city-wide actor -> local/bezirk kinds it works with, and the probability
_CITY_LINKS = {
    "jugendamt": ({"kita", "famz", "grundschule", "sek", "jugend", "bja", "beratung"}, 0.18),
    "gesundheitsamt": ({"kita", "famz", "grundschule", "kinderarzt", "hebamme"}, 0.25),
    "jobcenter": ({"sek", "bk", "jugend"}, 0.35),
    "agentur": ({"sek", "bk", "jugend"}, 0.4),
    "polizei": ({"sek", "jugend", "grundschule"}, 0.12),
    "schulamt": ({"grundschule", "sek"}, 0.45),
    "fruehehilfen": ({"hebamme", "kinderarzt", "famz", "bja", "beratung"}, 0.5),
    "koordination": ({"bja", "beratung", "hebamme", "famz", "kita", "grundschule", "sek",
                      "jugend"}, 0.2),
    "sportbund": ({"sport", "jugend"}, 0.6),
    "bildungsbuero": ({"grundschule", "sek", "bk", "kita"}, 0.15),
}
_NEXT = {("0-3", "3-6"), ("3-6", "6-10"), ("6-10", "10-16"), ("10-16", "16-25"),
         ("pregnancy", "0-3")}


def demo_districts(demo_data: Path) -> list[District]:
    """The Köln Stadtteile with their Stadtbezirke from the bundled boundaries."""
    teile = json.loads((demo_data / "boundaries" / "koeln_stadtteile.geojson")
                       .read_text(encoding="utf-8"))["features"]
    bezirke = json.loads((demo_data / "boundaries" / "koeln_stadtbezirke.geojson")
                         .read_text(encoding="utf-8"))["features"]
    names = {f["properties"]["STB_NR"]: f["properties"]["STB_NAME"] for f in bezirke}
    out = [District(f"{CITY}-{p['STT_NR']}", p["STT_NAME"], f"{CITY}-{p['STB_NR']}",
                    names[p["STB_NR"]]) for p in (f["properties"] for f in teile)]
    return sorted(out, key=lambda d: d.stadtteil)


def _actors(districts: list[District], rng: np.random.Generator) -> list[Actor]:
    actors = [Actor(f"S{n:02d}", name, key, sector, phases, CITY, None)
              for n, (key, name, sector, phases) in enumerate(_CITY, start=1)]
    bezirke = sorted({(d.stadtbezirk, d.bezirk_name) for d in districts})
    for bid, bname in bezirke:
        for key, (label, sector, phases) in _BEZIRK.items():
            actors.append(Actor(f"B{bid.split('-')[1]}-{key}", f"{label} {bname}", key, sector,
                                phases, bid, bid))
    counter: dict[tuple[str, str], int] = {}
    # schools first; most Kitas and secondary schools near a primary school
    school_teile = sorted(int(i) for i in rng.choice(len(districts), size=_LOCAL[
        "grundschule"][3], replace=False))
    for key, (label, sector, phases, count) in _LOCAL.items():
        if key == "grundschule":
            picks = list(school_teile)
        elif key in ("kita", "sek", "famz"):
            near = round(count * 0.7)
            picks = [*rng.choice(school_teile, size=near, replace=False),
                     *rng.choice(len(districts), size=count - near, replace=True)]
        else:
            picks = list(rng.choice(len(districts), size=count, replace=True))
        for i in sorted(int(p) for p in picks):
            d = districts[i]
            n = counter[(key, d.stadtteil)] = counter.get((key, d.stadtteil), 0) + 1
            actors.append(Actor(f"T{d.stadtteil.split('-')[1]}-{key}{n}",
                                f"{label} {d.name} {chr(64 + n)}", key, sector, phases,
                                d.stadtteil, d.stadtbezirk))
    return actors


def _bezirk_of(a: Actor, districts: dict[str, District]) -> str | None:
    if a.unit in districts:
        return districts[a.unit].stadtbezirk
    return a.bezirk


def _probability(a: Actor, b: Actor, districts: dict[str, District], wave: int) -> float:
    ca, cb = a.unit == CITY, b.unit == CITY
    if ca and cb:
        return 0.55
    if ca or cb:
        city, other = (a, b) if ca else (b, a)
        kinds, p = _CITY_LINKS[city.kind]
        return p if other.kind in kinds else 0.02
    same_teil = a.unit == b.unit and a.unit in districts
    same_bezirk = _bezirk_of(a, districts) == _bezirk_of(b, districts)
    transition = any((x, y) in _NEXT or (y, x) in _NEXT for x in a.phases for y in b.phases)
    kita_school = {a.kind, b.kind} in ({"kita", "grundschule"}, {"famz", "grundschule"})
    if a.unit == a.bezirk or b.unit == b.bezirk:  # a Stadtbezirk-level actor
        return (0.3 if "bja" in (a.kind, b.kind) else 0.2) if same_bezirk else 0.01
    if same_teil:
        if kita_school:
            return 0.45 if wave == 1 else 0.75
        return 0.4 if transition else 0.3
    if same_bezirk:
        if kita_school:
            return 0.08 if wave == 1 else 0.16
        return 0.06 if transition else 0.03
    return 0.003


def _types(a: Actor, b: Actor, rng: np.random.Generator) -> tuple[str, str]:
    kinds = {a.kind, b.kind}
    types = ["Informationsaustausch"]
    direction = "gegenseitig"
    if rng.random() < (0.55 if kinds & {"kinderarzt", "hebamme", "fruehehilfen", "bja",
                                        "jugendamt", "beratung"} else 0.2):
        types.append("Vermittlung")
        direction = "ausgehend" if rng.random() < 0.5 else "eingehend"
    if rng.random() < (0.35 if kinds & {"bja", "jugendamt", "beratung", "famz"} else 0.1):
        types.append("gemeinsame Fallarbeit")
    if rng.random() < (0.4 if kinds in ({"kita", "grundschule"}, {"famz", "grundschule"})
                       else 0.08):
        types.append("Kooperationsvereinbarung")
    return ", ".join(types), direction


def _rating(rng: np.random.Generator, shift: float) -> float:
    """Mean of three items on the 1-4 scale (PARTNER: three trust / value items)."""
    items = np.clip(np.round(rng.normal(3.0 + shift, 0.7, size=3)), 1, 4)
    return round(float(items.mean()), 2)


def _dec(v: float) -> str:
    return f"{v:.2f}".replace(".", ",")


def _phase_text(phases: tuple[str, ...]) -> str:
    return ", ".join(_PHASE_TEXT.get(p, p) for p in phases)


def synthetic_waves(districts: list[District], seed: int = SEED
                    ) -> dict[int, list[dict[str, str]]]:
    """Rows of survey waves 1 and 2 (column names :data:`COLUMNS`)."""
    rng = np.random.default_rng(seed)
    actors = _actors(districts, rng)
    by_teil = {d.stadtteil: d for d in districts}
    # wave 2: two actors leave, three join
    leaving = {a.id for a in actors if a.kind in ("sport", "kinderarzt")}
    leaving = set(sorted(leaving)[:2])
    joining = []
    for i, d in enumerate(districts[5::30][:3]):
        kind = ("famz", "kita", "jugend")[i]
        label, sector, phases, _ = _LOCAL[kind]
        joining.append(Actor(f"T{d.stadtteil.split('-')[1]}-{kind}N", f"{label} {d.name} neu",
                             kind, sector, phases, d.stadtteil, d.stadtbezirk))
    isolated = {a.id for a in actors if a.kind in ("sport", "jugend", "kinderarzt")}
    isolated = set(sorted(isolated)[-4:])
    members = {1: actors, 2: [a for a in actors if a.id not in leaving] + joining}
    out: dict[int, list[dict[str, str]]] = {}
    previous: set[tuple[str, str]] = set()
    for wave in (1, 2):
        present = {a.id: a for a in members[wave]}
        ties: set[tuple[str, str]] = set()
        for a, b in itertools.combinations(sorted(present.values(), key=lambda x: x.id), 2):
            if wave == 1 and (a.id in isolated or b.id in isolated):
                continue
            p = _probability(a, b, by_teil, wave)
            key = (a.id, b.id)
            if wave == 2 and key in previous:
                keep = rng.random() < (0.95 if {a.kind, b.kind} <= {"kita", "grundschule",
                                                                     "famz"} else 0.85)
                if keep:
                    ties.add(key)
                continue
            if wave == 2:
                p = p * (0.35 if not {a.kind, b.kind} <= {"kita", "grundschule", "famz"}
                         else 0.8)
                if a.id in isolated or b.id in isolated:
                    p = p * (3.0 if sorted(isolated).index(
                        a.id if a.id in isolated else b.id) < 2 else 0.0)
            if rng.random() < p:
                ties.add(key)
        previous = ties
        out[wave] = _rows(wave, present, ties, isolated if wave == 1 else set(), rng)
    return out


def _rows(wave: int, present: dict[str, Actor], ties: set[tuple[str, str]],
          isolated: set[str], rng: np.random.Generator) -> list[dict[str, str]]:
    respondents = {aid for aid in sorted(present) if rng.random() < 0.85} | isolated
    start = date(2023 if wave == 1 else 2025, 3, 1)
    day = {aid: start + timedelta(days=int(rng.integers(0, 45))) for aid in sorted(present)}
    shift = 0.0 if wave == 1 else 0.15
    rows: list[dict[str, str]] = []
    by_resp: dict[str, list[str]] = {aid: [] for aid in respondents}
    for a, b in sorted(ties):
        for r, p in ((a, b), (b, a)):
            if r in respondents and rng.random() < 0.9:  # not every tie is remembered
                by_resp[r].append(p)
    for r in sorted(by_resp):
        ra = present[r]
        base = {"synthetisch": "ja", "welle": str(wave), "datum": day[r].isoformat(),
                "befragte_id": ra.id, "befragte_organisation": ra.name,
                "befragte_sektor": sector_label(ra.sector, "de"),
                "befragte_lebensphasen": _phase_text(ra.phases), "befragte_gebiet": ra.unit}
        if not by_resp[r]:
            rows.append({**base, **{c: "" for c in COLUMNS if c not in base}})
            continue
        for pid in sorted(by_resp[r]):
            pa = present[pid]
            types, direction = _types(ra, pa, rng)
            rows.append({**base, "partner_id": pa.id, "partner_organisation": pa.name,
                         "partner_sektor": sector_label(pa.sector, "de"),
                         "partner_lebensphasen": _phase_text(pa.phases),
                         "partner_gebiet": pa.unit, "kooperationsart": types,
                         "richtung": direction,
                         "intensitaet": str(int(rng.choice([1, 2, 3, 4],
                                                           p=[0.2, 0.35, 0.3, 0.15]))),
                         "vertrauen": _dec(_rating(rng, shift)),
                         "nutzen": _dec(_rating(rng, shift / 2))})
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    """The rows as German CSV text (``;``, decimal comma, UTF-8)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - a maintenance tool
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("cooperation")
    demo_data = Path(__file__).resolve().parent / "data"
    waves = synthetic_waves(demo_districts(demo_data))
    out.mkdir(parents=True, exist_ok=True)
    for wave, rows in waves.items():
        (out / f"SYNTHETISCH_koeln_kooperation_welle{wave}.csv").write_text(
            to_csv(rows), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    main()

