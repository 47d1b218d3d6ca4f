"""Priority districts: a ranked list with reasons in plain words.

Scoring rule (the defaults of :class:`PriorityRule`; every number can be changed, and the
rule in force is written into every result as :attr:`PriorityResult.rule_text`):

* status (MSS status class): 4 "sehr niedrig" +4 points, 3 "niedrig" +2 points;
* dynamics (MSS dynamics class): 3 "negativ" +2 points;
* hot spot (the area belongs to a spatial cluster of high values, e.g. LISA High-High):
  +2 points;
* children affected: up to +3 points in proportion to the number of affected children,
  ``3 * children / largest number of children of all areas``, rounded to one decimal.

The score is the sum.  Areas are ranked by score (highest first), ties by the number of
children, then by the worse status class, then by id.  An area is a *priority district*
when its score reaches ``min_score`` (default 4: e.g. a very low status alone, or a low
status with negative dynamics).  Missing inputs give no points and are named in the
reasons.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from kekiz.analysis.indices import DYNAMICS_CLASSES, STATUS_CLASSES
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number

__all__ = [
    "PriorityEntry",
    "PriorityResult",
    "PriorityRule",
    "priority_list",
]

HOTSPOT_LABELS = ("hh", "high-high", "hot spot", "hotspot", "hot-spot")
_TO_ENGLISH = str.maketrans({".": ",", ",": "."})  # 1.234,5 -> 1,234.5


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


@lru_cache(maxsize=4096)
def _pts(value: float, lang: str) -> str:
    decimals = 0 if float(value).is_integer() else 1
    text = fmt_number(value, decimals, lang, sign=True)
    if lang == "en":
        return f"{text} point{'' if value == 1 else 's'}"
    return f"{text} {'Punkt' if value == 1 else 'Punkte'}"


@dataclass(frozen=True)
class PriorityRule:
    """Points per input; see the module docstring for the default rule."""

    status_points: Mapping[int, float] = field(default_factory=lambda: {4: 4.0, 3: 2.0})
    dynamics_points: Mapping[int, float] = field(default_factory=lambda: {3: 2.0})
    hotspot_points: float = 2.0
    children_points: float = 3.0
    min_score: float = 4.0

    def describe(self, lang: str = "de") -> str:
        """The rule in one paragraph."""
        en = lang == "en"
        st = ", ".join(f"{STATUS_CLASSES[c][1 if en else 0]} {_pts(p, lang)}"
                       for c, p in sorted(self.status_points.items(), reverse=True))
        dy = ", ".join(f"{DYNAMICS_CLASSES[c][1 if en else 0]} {_pts(p, lang)}"
                       for c, p in sorted(self.dynamics_points.items(), reverse=True))
        hs, ch = _pts(self.hotspot_points, lang), _pts(self.children_points, lang)
        ms = fmt_number(self.min_score, 0 if self.min_score.is_integer() else 1, lang)
        if en:
            return (f"Score = sum of points: status {st or 'none'}; dynamics {dy or 'none'}; "
                    f"hot spot {hs}; affected children up to {ch} in proportion to the "
                    "largest number of any area. Ranked by score, ties by children, status "
                    f"and id. Priority district from a score of {ms}.")
        return (f"Punktzahl = Summe der Punkte: Status {st or 'keine'}; Dynamik "
                f"{dy or 'keine'}; Hot Spot {hs}; betroffene Kinder bis zu {ch} im Verhältnis "
                "zur größten Zahl eines Gebiets. Rangfolge nach Punktzahl, bei Gleichstand "
                "nach Kinderzahl, Status und Schlüssel. Priorisiertes Gebiet ab "
                f"{ms} Punkten.")


@dataclass(frozen=True)
class PriorityEntry:
    """One area of the ranked list with the reasons for its score."""

    id: Hashable
    rank: int
    score: float
    priority: bool
    reasons: tuple[str, ...]
    reasons_en: tuple[str, ...]


@dataclass(frozen=True)
class PriorityResult:
    """The ranked list.

    ``table`` (one row per area, best rank first) has ``rank``, ``id``, ``score``, the
    points per part (``status_points``, ``dynamics_points``, ``hotspot_points``,
    ``children_points``), ``children``, ``priority`` and the reasons joined by ``"; "``
    (``reasons``, ``reasons_en``); ``entries`` holds the same as objects; ``rule_text``
    and ``rule_text_en`` state the scoring rule used.
    """

    table: pd.DataFrame
    entries: tuple[PriorityEntry, ...]
    rule: PriorityRule
    rule_text: str
    rule_text_en: str

    @property
    def priority_ids(self) -> list[Hashable]:
        return [e.id for e in self.entries if e.priority]


def _classes(frame: pd.DataFrame, col: str | None, allowed: Iterable[int],
             what: str) -> list[int | None]:
    if col is None:
        return [None] * len(frame)
    if col not in frame.columns:
        raise _err(f"Spalte '{col}' ({what}) fehlt.", f"Column '{col}' ({what}) missing.")
    ok = set(allowed)
    out: list[int | None] = []
    for v in frame[col].tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out.append(None)
        elif isinstance(v, int | float) and not isinstance(v, bool) and float(v) in ok:
            out.append(int(v))
        else:
            raise _err(f"Spalte '{col}': Wert {v!r} ist keine gültige {what}. Erwartet: "
                       f"{sorted(ok)} oder leer.",
                       f"Column '{col}': value {v!r} is not a valid {what}. Expected "
                       f"{sorted(ok)} or empty.")
    return out


def _hotspots(frame: pd.DataFrame, col: str | None, labels: Iterable[str]) -> list[bool]:
    if col is None:
        return [False] * len(frame)
    if col not in frame.columns:
        raise _err(f"Spalte '{col}' (Hot Spot) fehlt.", f"Column '{col}' (hot spot) missing.")
    wanted = {str(x).strip().lower() for x in labels}
    return [bool(v) if isinstance(v, bool) else
            (isinstance(v, str) and v.strip().lower() in wanted) for v in frame[col].tolist()]


def _children(frame: pd.DataFrame, col: str | None) -> list[float]:
    if col is None:
        return [math.nan] * len(frame)
    if col not in frame.columns:
        raise _err(f"Spalte '{col}' (betroffene Kinder) fehlt.",
                   f"Column '{col}' (affected children) missing.")
    s = frame[col]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise _err(f"Spalte '{col}' ist nicht numerisch. Erwartet: Zahl der Kinder.",
                   f"Column '{col}' is not numeric. Expected a number of children.")
    vals = s.astype(float).tolist()
    if any(v < 0 for v in vals if not math.isnan(v)):
        raise _err(f"Spalte '{col}' enthält negative Werte. Erwartet: Zahlen ab 0.",
                   f"Column '{col}' has negative values. Expected numbers >= 0.")
    return vals


def priority_list(frame: pd.DataFrame, *, id_col: str | None = "id",
                  status_col: str | None = "status_class",
                  dynamics_col: str | None = "dynamics_class",
                  hotspot_col: str | None = "hotspot", children_col: str | None = "children",
                  rule: PriorityRule | None = None,
                  hotspot_labels: Iterable[str] = HOTSPOT_LABELS) -> PriorityResult:
    """Rank the areas of ``frame`` (one row per area) by the scoring rule.

    Status and dynamics are MSS classes (1..4 and 1..3, e.g. from
    ``compute_index("mss", ...).table``); ``hotspot`` is a boolean or a label (``"HH"``,
    ``"High-High"``, ``"hot spot"`` count as hot spot); ``children`` is the number of
    affected children.  Pass ``None`` for an input you do not have.
    """
    rule = rule or PriorityRule()
    ids = list(frame.index) if id_col is None else (
        frame[id_col].tolist() if id_col in frame.columns else None)
    if ids is None:
        raise _err(f"Id-Spalte '{id_col}' fehlt.", f"Id column '{id_col}' missing.")
    if len(set(ids)) != len(ids):
        raise _err("Gebietsschlüssel sind doppelt. Erwartet: eine Zeile je Gebiet.",
                   "Duplicate area keys. Expected one row per area.")
    status = _classes(frame, status_col, STATUS_CLASSES, "Statusklasse")
    dyn = _classes(frame, dynamics_col, DYNAMICS_CLASSES, "Dynamikklasse")
    hot = _hotspots(frame, hotspot_col, hotspot_labels)
    kids = _children(frame, children_col)
    known = [k for k in kids if not math.isnan(k)]
    most = max(known) if known else 0.0
    most_text = (fmt_number(most, 0), fmt_number(most, 0, "en"))
    rows = [_score(i, s, d, h, c, most, most_text, rule, status_col, dynamics_col,
                   children_col)
            for i, s, d, h, c in zip(ids, status, dyn, hot, kids, strict=True)]
    rows.sort(key=lambda r: (-r["score"], -(0 if math.isnan(r["children"]) else r["children"]),
                             -(r["_status"] or 0), str(r["id"])))
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
        r["priority"] = r["score"] >= rule.min_score
    entries = tuple(PriorityEntry(r["id"], r["rank"], r["score"], r["priority"],
                                  r["_de"], r["_en"]) for r in rows)
    columns = ["rank", "id", "score", "status_points", "dynamics_points", "hotspot_points",
               "children_points", "children", "priority"]
    data: dict[str, list[Any]] = {c: [r[c] for r in rows] for c in columns}
    data["reasons"] = ["; ".join(r["_de"]) for r in rows]
    data["reasons_en"] = ["; ".join(r["_en"]) for r in rows]
    table = pd.DataFrame(data, columns=[*columns, "reasons", "reasons_en"])
    return PriorityResult(table, entries, rule, rule.describe("de"), rule.describe("en"))


def _score(i: Hashable, status: int | None, dyn: int | None, hot: bool, kids: float,
           most: float, most_text: tuple[str, str], rule: PriorityRule,
           status_col: str | None, dynamics_col: str | None,
           children_col: str | None) -> dict[str, Any]:
    de: list[str] = []
    en: list[str] = []
    sp = rule.status_points.get(status, 0.0) if status is not None else 0.0
    if status is None and status_col is not None:
        de.append("kein Statusindex (Gebiet ausgeschlossen oder Wert fehlt): 0 Punkte")
        en.append("no status index (area excluded or value missing): 0 points")
    elif status is not None and sp:
        de.append(f"Status {STATUS_CLASSES[status][0]} (Statusklasse {status}): {_pts(sp, 'de')}")
        en.append(f"status {STATUS_CLASSES[status][1]} (status class {status}): "
                  f"{_pts(sp, 'en')}")
    dp = rule.dynamics_points.get(dyn, 0.0) if dyn is not None else 0.0
    if dyn is not None and dp:
        de.append(f"Dynamik {DYNAMICS_CLASSES[dyn][0]} (Dynamikklasse {dyn}): {_pts(dp, 'de')}")
        en.append(f"dynamics {DYNAMICS_CLASSES[dyn][1]} (dynamics class {dyn}): "
                  f"{_pts(dp, 'en')}")
    hp = rule.hotspot_points if hot else 0.0
    if hot:
        de.append(f"liegt in einem Hot Spot (räumliche Häufung hoher Werte): {_pts(hp, 'de')}")
        en.append(f"lies in a hot spot (spatial cluster of high values): {_pts(hp, 'en')}")
    cp = rule.children_points * kids / most if most > 0 and not math.isnan(kids) else 0.0
    cp = round(cp, 1)
    if math.isnan(kids) and children_col is not None:
        de.append("Zahl der betroffenen Kinder unbekannt: 0 Punkte")
        en.append("number of affected children unknown: 0 points")
    elif not math.isnan(kids) and kids > 0:
        kids_de = fmt_number(kids, 0)
        de.append(f"{kids_de} betroffene Kinder (größte Zahl: {most_text[0]}): "
                  f"{_pts(cp, 'de')}")
        en.append(f"{kids_de.translate(_TO_ENGLISH)} affected children (largest number: "
                  f"{most_text[1]}): {_pts(cp, 'en')}")
    if not de:
        de.append("keine Merkmale nach der Regel: 0 Punkte")
        en.append("no features under the rule: 0 points")
    score = round(sp + dp + hp + cp, 1)
    return {"id": i, "score": score, "status_points": sp, "dynamics_points": dp,
            "hotspot_points": hp, "children_points": cp, "children": kids,
            "_status": status, "_de": tuple(de), "_en": tuple(en)}
