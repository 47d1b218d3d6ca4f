"""Composite indices: one family of methods behind one interface (mapclassify style).

Every method is a subclass of :class:`CompositeIndex`, registered by name in
:data:`INDEX_METHODS`.  The base class validates the input (unit ids, numeric indicator
columns, polarity per column) and applies the exclusions (areas below a minimum
population, ids named by the user, rows with missing values); the method implements one
step, :meth:`CompositeIndex._compute`, and everything returns an :class:`IndexResult`.

Methods
-------
``mss``
    Berlin *Monitoring Soziale Stadtentwicklung*: z-standardise each status share over the
    included areas (population standard deviation, ddof 0), sum, z-standardise the sum
    (status index); the same on the 2-year changes (dynamics index).  Status classes
    ``x < -1`` 1 hoch, ``-1 <= x <= 1`` 2 mittel, ``1 < x <= 1.5`` 3 niedrig, ``x > 1.5``
    4 sehr niedrig; dynamics classes ``x < -1`` 1 positiv, ``-1 <= x <= 1`` 2 stabil,
    ``x > 1`` 3 negativ; the combined 12-cell class (e.g. ``"2+/-"``).  Higher shares mean
    worse status, so a high index means a low status (checked against the published data).
``weighted_z`` / ``minmax`` / ``rank``
    COI / KomMonitor style composites over domains: every indicator is oriented by its
    polarity, normalised (z-score with ddof 0, min-max to 0..1, or percent rank 0..1),
    averaged with indicator weights inside its domain, and the domain scores are averaged
    with domain weights.
``pca``
    GISD style: the first principal component of the standardised indicators of each domain
    (correlation PCA), its sign aligned to the polarities, every domain score min-max scaled
    to 0..1, combined with domain weights and rescaled to 0..1; quantile classes
    (quintiles by default) with R's ``quantile(type = 9)``.

Missing-value markers (:mod:`kekiz.domain.missing`: ``-9999``, ``-999`` in every column,
``-1`` in share columns such as the MSS status shares) are read as missing before anything
else, so a unit with such a value is excluded like one with an empty cell; the counts are
in :attr:`IndexResult.missing` (``missing=None`` turns this off).

Orientation: unless ``higher_is="better"`` is asked for, a higher composite value always
means more disadvantage (as the MSS status index and the GISD).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from kekiz.domain.errors import MethodError
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers, MissingTally

__all__ = [
    "DYNAMICS_CLASSES", "HIGHER_IS_BETTER", "HIGHER_IS_WORSE", "INDEX_METHODS",
    "STATUS_CLASSES", "CompositeIndex", "Exclusion", "IndexResult", "IndicatorSpec",
    "MSSIndex", "MinMaxComposite", "PCAComposite", "RankComposite", "WeightedZComposite",
    "compute_index", "get_index_method", "mss_dynamics_class", "mss_status_class",
    "polarity_sign", "quantile_classes", "quantile_type9", "register_index", "zscore",
]

HIGHER_IS_WORSE = "higher_is_worse"
HIGHER_IS_BETTER = "higher_is_better"
_POLARITY = {HIGHER_IS_WORSE: 1, "worse": 1, HIGHER_IS_BETTER: -1, "better": -1}

#: MSS status classes: number -> (German label, English label).
STATUS_CLASSES: dict[int, tuple[str, str]] = {
    1: ("hoch", "high"), 2: ("mittel", "medium"), 3: ("niedrig", "low"),
    4: ("sehr niedrig", "very low"),
}
#: MSS dynamics classes: number -> (German label, English label, symbol).
DYNAMICS_CLASSES: dict[int, tuple[str, str, str]] = {
    1: ("positiv", "positive", "+"), 2: ("stabil", "stable", "+/-"),
    3: ("negativ", "negative", "-"),
}


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


def polarity_sign(polarity: object) -> int:
    """+1 when higher values are worse, -1 when higher values are better.

    Accepts ``"higher_is_worse"``/``"worse"`` and ``"higher_is_better"``/``"better"``, or an
    enum whose ``value`` is one of them.
    """
    key = getattr(polarity, "value", polarity)
    if isinstance(key, str) and key.lower() in _POLARITY:
        return _POLARITY[key.lower()]
    raise _err(f"Unbekannte Polarität {polarity!r}. Erwartet: 'higher_is_worse' (höhere Werte "
               "sind ungünstiger) oder 'higher_is_better' (höhere Werte sind günstiger).",
               f"Unknown polarity {polarity!r}. Expected 'higher_is_worse' or 'higher_is_better'.")


@dataclass(frozen=True)
class IndicatorSpec:
    """One input column of a composite: polarity, weight inside its domain, domain."""

    column: str
    polarity: str = HIGHER_IS_WORSE
    weight: float = 1.0
    domain: str = "gesamt"

    @property
    def sign(self) -> int:
        return polarity_sign(self.polarity)


IndicatorsLike = Sequence[IndicatorSpec | str] | Mapping[str, str]


def _specs(indicators: IndicatorsLike, what: str) -> tuple[IndicatorSpec, ...]:
    if isinstance(indicators, str):
        indicators = [indicators]
    if isinstance(indicators, Mapping):
        specs = [IndicatorSpec(str(c), p) for c, p in indicators.items()]
    else:
        specs = [s if isinstance(s, IndicatorSpec) else IndicatorSpec(str(s))
                 for s in indicators]
    if not specs:
        raise _err(f"Keine Indikatorspalten für {what} angegeben. Erwartet: mindestens eine "
                   "Spalte.",
                   f"No indicator columns given for {what}. Expected at least one column.")
    for s in specs:
        s.sign  # noqa: B018 - validates the polarity early
        if not (math.isfinite(s.weight) and s.weight > 0):
            raise _err(f"Gewicht von '{s.column}' ist {s.weight}. Erwartet: eine positive Zahl.",
                       f"Weight of '{s.column}' is {s.weight}. Expected a positive number.")
    return tuple(specs)


@dataclass(frozen=True)
class Exclusion:
    """A unit that got no index, and why (German and English)."""

    id: Hashable
    reason: str
    reason_en: str


@dataclass(frozen=True)
class IndexResult:
    """The result of every composite method.

    Attributes
    ----------
    method, params:
        Registered name of the method and the parameters it ran with.
    table:
        One row per input unit (input order, indexed by unit id).  Always has ``index``
        (the main score; ``NaN`` for excluded units) and ``included``; ``class`` where the
        method classifies; further method-specific columns (MSS: ``status_index``,
        ``status_class``, ``status_label``, ``dynamics_index`` ...; composites: ``rank``
        where 1 is the most disadvantaged unit).
    components:
        Normalised, polarity-oriented score of every indicator for the included units.
    domains:
        Score per domain for the included units (MSS: the sums of z-scores).
    excluded:
        The units without an index, each with its reason.
    description, description_en:
        The method in one paragraph, for reports and the data-protection documentation.
    loadings:
        PCA only: loading (correlation with the component), eigenvector weight, eigenvalue
        and explained variance share per domain and indicator.
    """

    method: str
    params: Mapping[str, Any]
    table: pd.DataFrame
    components: pd.DataFrame
    domains: pd.DataFrame
    excluded: tuple[Exclusion, ...]
    description: str
    description_en: str
    loadings: pd.DataFrame | None = None
    #: values read as missing because they are missing-value markers (-9999 ...)
    missing: MissingTally = field(default_factory=MissingTally)

    def notes(self, lang: str = "de") -> list[str]:
        """The markers read as missing, per marker and column (kekiz.domain.missing)."""
        return self.missing.notes(lang)

    @property
    def index(self) -> pd.Series:
        return self.table["index"]

    @property
    def classes(self) -> pd.Series | None:
        return self.table["class"] if "class" in self.table.columns else None

    @property
    def excluded_ids(self) -> list[Hashable]:
        return [e.id for e in self.excluded]


@dataclass(frozen=True)
class PreparedInput:
    """Validated input: all ids, the included rows' indicator values, the exclusions."""

    ids: pd.Index
    data: pd.DataFrame
    excluded: tuple[Exclusion, ...]
    missing: MissingTally = field(default_factory=MissingTally)


def zscore(values: pd.Series, *, name: str | None = None) -> pd.Series:
    """z-standardise with the population standard deviation (ddof 0)."""
    std = float(values.std(ddof=0))
    if not math.isfinite(std) or std == 0.0:
        col = name or str(values.name)
        raise _err(f"Spalte '{col}' hat über die einbezogenen Gebiete keine Streuung (alle Werte "
                   "gleich). Erwartet: mindestens zwei verschiedene Werte. Abhilfe: Spalte "
                   "weglassen.",
                   f"Column '{col}' does not vary over the included areas. Expected at least two "
                   "different values. Fix: leave the column out.")
    return (values - values.mean()) / std


class CompositeIndex(ABC):
    """Base class: validates input, applies exclusions, returns an :class:`IndexResult`.

    Parameters common to all methods: ``id_col`` (``None`` = the frame's index),
    ``population_col`` and ``min_population`` (units with fewer inhabitants are excluded),
    ``exclude_ids`` (ids, or a mapping id -> reason).
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    label_en: ClassVar[str] = ""

    def __init__(self, *, id_col: str | None = "id", population_col: str | None = None,
                 min_population: float | None = None,
                 exclude_ids: Iterable[Hashable] | Mapping[Hashable, str] = (),
                 missing: MissingMarkers | None = DEFAULT_MISSING) -> None:
        self.id_col = id_col
        self.population_col = population_col
        self.min_population = min_population
        self.missing = missing
        self.exclude_ids: dict[Hashable, str] = (
            dict(exclude_ids) if isinstance(exclude_ids, Mapping)
            else {i: "" for i in exclude_ids})

    @property
    @abstractmethod
    def specs(self) -> tuple[IndicatorSpec, ...]:
        """All indicator columns the method reads."""

    @abstractmethod
    def _compute(self, prepared: PreparedInput) -> IndexResult:
        """The method's own step, on validated input."""

    def params(self) -> dict[str, Any]:
        return {"id_col": self.id_col, "population_col": self.population_col,
                "min_population": self.min_population,
                "exclude_ids": sorted(map(str, self.exclude_ids)),
                "missing": None if self.missing is None else self.missing.spec(),
                "indicators": [(s.column, s.polarity, s.weight, s.domain) for s in self.specs]}

    def compute(self, frame: pd.DataFrame) -> IndexResult:
        """Validate ``frame`` (one row per unit) and compute the index."""
        prepared = self.prepare(frame)
        return replace(self._compute(prepared), missing=prepared.missing)

    def share_columns(self) -> set[str]:
        """The columns that hold shares, where share codes (``-1``) are missing too."""
        return set()

    # -- validation ---------------------------------------------------------------------
    def prepare(self, frame: pd.DataFrame) -> PreparedInput:
        if not isinstance(frame, pd.DataFrame):
            raise _err("Erwartet: eine Tabelle (pandas.DataFrame), erhalten: "
                       f"{type(frame).__name__}.",
                       f"Expected a pandas.DataFrame, got {type(frame).__name__}.")
        ids = self._ids(frame)
        columns = [s.column for s in self.specs]
        needed = [*columns, *([self.population_col] if self.population_col else [])]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise _err(f"Spalte(n) {missing} fehlen. Vorhanden: {list(map(str, frame.columns))}.",
                       f"Column(s) {missing} missing. Present: {list(map(str, frame.columns))}.")
        if len(set(columns)) != len(columns):
            raise _err("Eine Indikatorspalte ist mehrfach angegeben.",
                       "An indicator column is listed twice.")
        for col in needed:
            _require_numeric(frame[col], col)
        frame, tally = self._without_markers(frame, needed)
        data = frame[columns].astype(float).set_axis(ids, axis=0)
        keep, excluded = self._exclusions(frame, ids, data)
        if int(keep.sum()) < 2:
            raise _err(f"Nur {int(keep.sum())} Gebiet(e) nach den Ausschlüssen übrig. Erwartet: "
                       "mindestens zwei. Abhilfe: Mindesteinwohnerzahl oder Ausschlussliste "
                       "prüfen.",
                       f"Only {int(keep.sum())} area(s) left after exclusions. Expected at least "
                       "two.")
        return PreparedInput(ids, data[keep.to_numpy()], tuple(excluded), tally)

    def _without_markers(self, frame: pd.DataFrame, columns: list[str]
                         ) -> tuple[pd.DataFrame, MissingTally]:
        """Missing-value markers (-9999, -999; -1 in share columns) -> NaN, counted.  A
        marker is never used as data, so the unit is excluded for a missing value."""
        tally = MissingTally() if self.missing is None else MissingTally(self.missing)
        if self.missing is None:
            return frame, tally
        shares = self.share_columns()
        frame = frame.copy()
        for col in columns:
            values = frame[col].to_numpy(dtype=float, copy=True)
            share = col in shares and col != self.population_col
            for code in sorted(self.missing.codes | self.missing.share_codes):
                hit = values == code
                marker = self.missing.code_marker(code, share)
                if marker is not None:
                    tally.count(marker, str(col), int(hit.sum()))
                    values[hit] = np.nan
                elif (kept := self.missing.kept_code(code, share)) is not None:
                    tally.keep(kept, str(col), int(hit.sum()))
            frame[col] = values
        return frame, tally

    def _ids(self, frame: pd.DataFrame) -> pd.Index:
        if self.id_col is None:
            ids = frame.index
        elif self.id_col not in frame.columns:
            raise _err(f"Id-Spalte '{self.id_col}' fehlt. Erwartet: eine Spalte mit eindeutigen "
                       "Gebietsschlüsseln.",
                       f"Id column '{self.id_col}' missing. Expected a column of unique area "
                       "keys.")
        else:
            ids = pd.Index(frame[self.id_col], name=self.id_col)
        if ids.hasnans:
            raise _err("Gebietsschlüssel fehlen in einigen Zeilen. Erwartet: jede Zeile hat "
                       "einen Schlüssel.",
                       "Some rows have no area key. Expected a key on every row.")
        dup = ids[ids.duplicated()].unique().tolist()
        if dup:
            raise _err(f"Gebietsschlüssel mehrfach vorhanden: {dup[:10]}. Erwartet: eine Zeile "
                       "je Gebiet.",
                       f"Duplicate area keys: {dup[:10]}. Expected one row per area.")
        return ids

    def _exclusions(self, frame: pd.DataFrame, ids: pd.Index,
                    data: pd.DataFrame) -> tuple[pd.Series, list[Exclusion]]:
        unknown = [i for i in self.exclude_ids if i not in ids]
        if unknown:
            raise _err(f"Auszuschließende Gebiete {unknown[:10]} kommen in den Daten nicht vor. "
                       "Erwartet: Schlüssel aus der Id-Spalte.",
                       f"Areas to exclude {unknown[:10]} are not in the data. Expected keys from "
                       "the id column.")
        pop = (frame[self.population_col].to_numpy(dtype=float) if self.population_col
               else None)
        values = data.to_numpy(dtype=float)
        # only rows that can have a reason are looked at one by one
        candidate = ~np.isfinite(values).all(axis=1)
        if self.exclude_ids:
            named = pd.Index(list(self.exclude_ids))
            candidate |= named.get_indexer(ids) >= 0
        if pop is not None and self.min_population is not None:
            with np.errstate(invalid="ignore"):
                candidate |= np.isnan(pop) | (pop < self.min_population)
        keep = np.ones(len(ids), dtype=bool)
        excluded = []
        for pos in np.flatnonzero(candidate).tolist():
            reason = self._reason(ids[pos], None if pop is None else float(pop[pos]),
                                  data.columns, values[pos])
            if reason is not None:
                excluded.append(Exclusion(ids[pos], *reason))
                keep[pos] = False
        return pd.Series(keep, index=ids), excluded

    def _reason(self, i: Hashable, pop: float | None, columns: pd.Index,
                row: np.ndarray) -> tuple[str, str] | None:
        if i in self.exclude_ids:
            why = f": {self.exclude_ids[i]}" if self.exclude_ids[i] else ""
            return f"ausdrücklich ausgeschlossen{why}", f"excluded by name{why}"
        if pop is not None and self.min_population is not None:
            if math.isnan(pop):
                return "Einwohnerzahl fehlt", "population missing"
            if pop < self.min_population:
                return (f"weniger als {self.min_population:g} Einwohner ({pop:g})",
                        f"fewer than {self.min_population:g} inhabitants ({pop:g})")
        gaps = ", ".join(str(c) for c, v in zip(columns, row, strict=True) if not np.isfinite(v))
        return (f"fehlende Werte in {gaps}", f"missing values in {gaps}") if gaps else None

    def _table(self, prepared: PreparedInput, columns: pd.DataFrame) -> pd.DataFrame:
        table = columns.reindex(prepared.ids)
        # get_indexer (hash lookup) rather than isin, which is slow on pandas' Arrow strings
        table.insert(0, "included", prepared.data.index.get_indexer(table.index) >= 0)
        reasons = {e.id: e.reason for e in prepared.excluded}
        table["excluded_reason"] = (
            pd.Series(reasons, dtype=object).reindex(table.index, fill_value="").to_numpy()
            if reasons else [""] * len(table))
        return table


def _require_numeric(col: pd.Series, name: str) -> None:
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        sample = next((v for v in col.tolist() if not pd.isna(v)), None)
        raise _err(f"Spalte '{name}' ist nicht numerisch (z. B. {sample!r}). Erwartet: Zahlen "
                   "mit Dezimalpunkt. Abhilfe: Werte beim Einlesen in Zahlen umwandeln.",
                   f"Column '{name}' is not numeric (e.g. {sample!r}). Expected numbers. Fix: "
                   "convert the values to numbers when reading the file.")


_M = TypeVar("_M", bound=type[CompositeIndex])
#: Registered composite index methods by name.
INDEX_METHODS: dict[str, type[CompositeIndex]] = {}


def register_index(name: str) -> Callable[[_M], _M]:
    """Class decorator: register a :class:`CompositeIndex` subclass under ``name``."""
    def deco(cls: _M) -> _M:
        cls.name = name
        INDEX_METHODS[name] = cls
        return cls
    return deco


def get_index_method(name: str) -> type[CompositeIndex]:
    try:
        return INDEX_METHODS[name]
    except KeyError:
        raise _err(f"Unbekanntes Indexverfahren '{name}'. Erwartet: eines von "
                   f"{sorted(INDEX_METHODS)}.",
                   f"Unknown index method '{name}'. Expected one of "
                   f"{sorted(INDEX_METHODS)}.") from None


def compute_index(method: str, frame: pd.DataFrame, /, **params: Any) -> IndexResult:
    """Run the registered method ``method`` with ``params`` on ``frame``."""
    return get_index_method(method)(**params).compute(frame)


# -- MSS ---------------------------------------------------------------------------------
def mss_status_class(index: pd.Series, breaks: Sequence[float] = (-1.0, 1.0, 1.5)) -> pd.Series:
    """MSS status class 1..4: ``< b0`` 1, ``b0..b1`` (both inclusive) 2, ``(b1, b2]`` 3, else 4."""
    b0, b1, b2 = breaks
    x = index.to_numpy(dtype=float)
    cls = np.select([x < b0, x <= b1, x <= b2, x > b2], [1, 2, 3, 4], 0)
    return pd.Series(cls, index=index.index).where(~np.isnan(x)).astype("Int64")


def mss_dynamics_class(index: pd.Series, breaks: Sequence[float] = (-1.0, 1.0)) -> pd.Series:
    """MSS dynamics class 1..3: ``< b0`` 1 positiv, ``b0..b1`` 2 stabil, ``> b1`` 3 negativ."""
    b0, b1 = breaks
    x = index.to_numpy(dtype=float)
    cls = np.select([x < b0, x <= b1, x > b1], [1, 2, 3], 0)
    return pd.Series(cls, index=index.index).where(~np.isnan(x)).astype("Int64")


def _labels(classes: pd.Series, table: Mapping[int, Sequence[str]], pos: int) -> list[Any]:
    return [None if pd.isna(c) else table[int(c)][pos] for c in classes]


@register_index("mss")
class MSSIndex(CompositeIndex):
    """Berlin *Monitoring Soziale Stadtentwicklung* status and dynamics indices.

    ``status``: the status shares (e.g. unemployed, transfer recipients, children in
    transfer households, in %); ``dynamics``: their 2-year changes (optional).  Areas under
    ``min_population`` inhabitants (default 300, when ``population_col`` is given) and the
    ``exclude_ids`` get no index and are listed in ``IndexResult.excluded``.
    """

    label = "Monitoring Soziale Stadtentwicklung (Status- und Dynamikindex)"
    label_en = "Monitoring of social urban development (status and dynamics index)"

    def __init__(self, status: IndicatorsLike, dynamics: IndicatorsLike | None = None, *,
                 status_breaks: Sequence[float] = (-1.0, 1.0, 1.5),
                 dynamics_breaks: Sequence[float] = (-1.0, 1.0),
                 min_population: float | None = 300, **common: Any) -> None:
        super().__init__(min_population=min_population, **common)
        self.status = _specs(status, "den Statusindex")
        self.dynamics = _specs(dynamics, "den Dynamikindex") if dynamics is not None else ()
        for de, en, got, n in (("Status", "Status", status_breaks, 3),
                               ("Dynamik", "Dynamics", dynamics_breaks, 2)):
            if len(got) != n or list(got) != sorted(got):
                raise _err(f"{de}grenzen: erwartet {n} aufsteigende Zahlen; erhalten {tuple(got)}.",
                           f"{en} breaks: expected {n} increasing numbers; got {tuple(got)}.")
        self.status_breaks = tuple(float(b) for b in status_breaks)
        self.dynamics_breaks = tuple(float(b) for b in dynamics_breaks)

    @property
    def specs(self) -> tuple[IndicatorSpec, ...]:
        return self.status + self.dynamics

    def share_columns(self) -> set[str]:
        """The status shares (in %); the dynamics are changes, where -1 is a value."""
        return {s.column for s in self.status}

    def params(self) -> dict[str, Any]:
        return {**super().params(), "status_breaks": self.status_breaks,
                "dynamics_breaks": self.dynamics_breaks}

    @staticmethod
    def _index(data: pd.DataFrame, specs: Sequence[IndicatorSpec]) -> tuple[pd.DataFrame,
                                                                           pd.Series]:
        z = pd.DataFrame({s.column: s.sign * zscore(data[s.column], name=s.column)
                          for s in specs})
        total = z.sum(axis=1)
        return z, zscore(total, name="Summe der z-Werte")

    def _compute(self, prepared: PreparedInput) -> IndexResult:
        z_s, status = self._index(prepared.data, self.status)
        out = pd.DataFrame({"index": status, "class": mss_status_class(status,
                                                                      self.status_breaks)})
        out["status_index"] = out["index"]
        out["status_class"] = out["class"]
        out["status_label"] = _labels(out["class"], STATUS_CLASSES, 0)
        out["status_label_en"] = _labels(out["class"], STATUS_CLASSES, 1)
        domains = pd.DataFrame({"status_sum": z_s.sum(axis=1)})
        components = z_s
        if self.dynamics:
            z_d, dyn = self._index(prepared.data, self.dynamics)
            dcls = mss_dynamics_class(dyn, self.dynamics_breaks)
            out["dynamics_index"] = dyn
            out["dynamics_class"] = dcls
            out["dynamics_label"] = _labels(dcls, DYNAMICS_CLASSES, 0)
            out["dynamics_label_en"] = _labels(dcls, DYNAMICS_CLASSES, 1)
            sym = _labels(dcls, DYNAMICS_CLASSES, 2)
            out["combined_class"] = [f"{int(s)}{d}" for s, d in zip(out["class"], sym,
                                                                     strict=True)]
            out["combined_label"] = [f"Status {a}, Dynamik {b}" for a, b in
                                     zip(out["status_label"], out["dynamics_label"],
                                         strict=True)]
            out["combined_label_en"] = [f"status {a}, dynamics {b}" for a, b in
                                        zip(out["status_label_en"], out["dynamics_label_en"],
                                            strict=True)]
            domains["dynamics_sum"] = z_d.sum(axis=1)
            components = pd.concat([z_s, z_d], axis=1)
        b = self.status_breaks
        de = ("Jeder Statusanteil wird über die einbezogenen Gebiete z-standardisiert "
              "(Standardabweichung der Grundgesamtheit), die z-Werte werden addiert und die "
              f"Summe erneut z-standardisiert (Statusindex; hoher Wert = niedriger Status). "
              f"Klassen: unter {b[0]:g} hoch, {b[0]:g} bis {b[1]:g} mittel, über {b[1]:g} bis "
              f"{b[2]:g} niedrig, über {b[2]:g} sehr niedrig. Der Dynamikindex entsteht ebenso "
              "aus den Veränderungen (unter -1 positiv, -1 bis 1 stabil, über 1 negativ).")
        en = ("Each status share is z-standardised over the included areas (population "
              "standard deviation), the z-scores are summed and the sum is z-standardised "
              "again (status index; high value = low status). Classes: below "
              f"{b[0]:g} high, {b[0]:g} to {b[1]:g} medium, above {b[1]:g} to {b[2]:g} low, "
              f"above {b[2]:g} very low. The dynamics index is built the same way from the "
              "changes (below -1 positive, -1 to 1 stable, above 1 negative).")
        return IndexResult(self.name, self.params(), self._table(prepared, out), components,
                           domains, prepared.excluded, de, en)


# -- domain composites ---------------------------------------------------------------------
class _DomainComposite(CompositeIndex):
    """Shared frame of the domain composites: orient, normalise, weight, combine."""

    method_de: ClassVar[str] = ""
    method_en: ClassVar[str] = ""

    def __init__(self, indicators: IndicatorsLike, *,
                 domain_weights: Mapping[str, float] | None = None,
                 higher_is: str = "worse", **common: Any) -> None:
        super().__init__(**common)
        self._specs = _specs(indicators, "den Index")
        self.domain_names = list(dict.fromkeys(s.domain for s in self._specs))
        weights = dict(domain_weights or {})
        unknown = sorted(set(weights) - set(self.domain_names))
        if unknown:
            raise _err(f"Gewichte für unbekannte Bereiche {unknown}. Erwartet: "
                       f"{self.domain_names}.",
                       f"Weights for unknown domains {unknown}. Expected: {self.domain_names}.")
        self.domain_weights = {d: float(weights.get(d, 1.0)) for d in self.domain_names}
        if any(not (math.isfinite(w) and w > 0) for w in self.domain_weights.values()):
            raise _err("Bereichsgewichte müssen positive Zahlen sein.",
                       "Domain weights must be positive numbers.")
        if higher_is not in ("worse", "better"):
            raise _err(f"higher_is={higher_is!r}: erwartet 'worse' (hoher Wert = mehr "
                       "Benachteiligung) oder 'better'.",
                       f"higher_is={higher_is!r}: expected 'worse' or 'better'.")
        self.higher_is = higher_is

    @property
    def specs(self) -> tuple[IndicatorSpec, ...]:
        return self._specs

    def params(self) -> dict[str, Any]:
        return {**super().params(), "domain_weights": self.domain_weights,
                "higher_is": self.higher_is}

    def _oriented(self, data: pd.DataFrame) -> pd.DataFrame:
        flip = 1 if self.higher_is == "worse" else -1
        return pd.DataFrame({s.column: flip * s.sign * data[s.column] for s in self._specs})

    def _normalise(self, col: pd.Series) -> pd.Series:
        """Put one oriented indicator on the composite's common scale (per method)."""
        raise TypeError(f"{type(self).__name__} does not scale single indicators")

    def _domain_scores(self, oriented: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        comp = pd.DataFrame({c: self._normalise(oriented[c]) for c in oriented.columns})
        domains = {}
        for d in self.domain_names:
            specs = [s for s in self._specs if s.domain == d]
            w = np.array([s.weight for s in specs])
            domains[d] = comp[[s.column for s in specs]].to_numpy() @ (w / w.sum())
        return comp, pd.DataFrame(domains, index=oriented.index)

    def _combine(self, domains: pd.DataFrame) -> pd.Series:
        w = np.array([self.domain_weights[d] for d in domains.columns])
        return pd.Series(domains.to_numpy() @ (w / w.sum()), index=domains.index)

    def _compute(self, prepared: PreparedInput) -> IndexResult:
        comp, domains = self._domain_scores(self._oriented(prepared.data))
        index = self._combine(domains)
        out = pd.DataFrame({"index": index})
        out["rank"] = index.rank(ascending=False, method="min").astype("Int64")
        table = self._table(prepared, pd.concat([out, domains.add_prefix("domain_")], axis=1))
        worse = self.higher_is == "worse"
        de = (f"{self.method_de} Bereichswerte = gewichtetes Mittel der Indikatoren, Index = "
              "gewichtetes Mittel der Bereiche; Rang 1 = höchster Wert (hoher Wert = "
              f"{'mehr Benachteiligung' if worse else 'günstigere Lage'}).")
        en = (f"{self.method_en} Domain scores = weighted mean of the indicators, index = "
              "weighted mean of the domains; rank 1 = highest value (high value = "
              f"{'more disadvantage' if worse else 'better situation'}).")
        return IndexResult(self.name, self.params(), table, comp, domains,
                           prepared.excluded, de, en)


@register_index("weighted_z")
class WeightedZComposite(_DomainComposite):
    """Weighted z-score composite (COI style): z-scores (ddof 0) oriented by polarity."""

    label = "Gewichteter z-Wert-Index"
    label_en = "Weighted z-score composite"
    method_de = "Jeder Indikator wird nach seiner Polarität ausgerichtet und z-standardisiert."
    method_en = "Each indicator is oriented by its polarity and z-standardised."

    def _normalise(self, col: pd.Series) -> pd.Series:
        return zscore(col)


@register_index("minmax")
class MinMaxComposite(_DomainComposite):
    """Min-max composite (KomMonitor style): every indicator scaled to 0 (best) .. 1 (worst)."""

    label = "Min-Max-Index"
    label_en = "Min-max composite"
    method_de = "Jeder Indikator wird ausgerichtet und auf 0 (günstigster) bis 1 skaliert."
    method_en = "Each indicator is oriented and scaled from 0 (best) to 1."

    def _normalise(self, col: pd.Series) -> pd.Series:
        lo, hi = float(col.min()), float(col.max())
        if hi == lo:
            zscore(col)  # raises the shared "no variation" error
        return (col - lo) / (hi - lo)


@register_index("rank")
class RankComposite(_DomainComposite):
    """Rank composite: percent rank ``(rank - 1) / (n - 1)`` with average ranks for ties."""

    label = "Rang-Index"
    label_en = "Rank composite"
    method_de = ("Jeder Indikator wird ausgerichtet und in einen Prozentrang (Rang - 1) / "
                 "(n - 1) umgerechnet (Bindungen: mittlerer Rang).")
    method_en = ("Each indicator is oriented and turned into a percent rank (rank - 1) / "
                 "(n - 1) (ties: average rank).")

    def _normalise(self, col: pd.Series) -> pd.Series:
        return (col.rank(method="average") - 1.0) / (len(col) - 1)


# the GISD-style method lives in its own module; importing it registers "pca"
from kekiz.analysis.indices_pca import (  # noqa: E402
    PCAComposite,
    quantile_classes,
    quantile_type9,
)
