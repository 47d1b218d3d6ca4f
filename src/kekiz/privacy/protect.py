"""Protect a table end to end: primary rules, secondary suppression, audit, output.

:func:`protect_table` is the one entry point every published table goes through; it
refuses to return a pattern that fails the LP audit.  :func:`protect_records` and
:func:`protect_cells` build the table from microdata or aggregated cells first.  The
result renders in the layout of ``kekiz privacy protect`` (:meth:`ProtectedTable.frame`)
or for publication (:func:`render_publication`), with suppressed values written as ``.``
(the German official convention: "Zahlenwert unbekannt oder geheim zu halten").
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_short
from kekiz.privacy.audit import AuditResult, audit
from kekiz.privacy.rules import (
    Primary,
    RuleResult,
    combine,
    dominance_rule,
    frequency_rule,
    p_percent_rule,
)
from kekiz.privacy.secondary import Method, SecondaryResult, cell_weights, suppress_secondary
from kekiz.privacy.table import ByItem, Cells, Table

__all__ = [
    "SECONDARY_REASON",
    "STATUS_LABELS",
    "SUPPRESSED",
    "ProtectedTable",
    "parse_by",
    "parse_dominance",
    "protect_cells",
    "protect_microdata",
    "protect_records",
    "protect_table",
    "render_publication",
]

#: How a suppressed value is written (German official statistics: "geheim zu halten").
SUPPRESSED = "."

#: Reason given for secondary suppressions.
SECONDARY_REASON = {"de": "Sekundärsperrung (schützt andere gesperrte Zellen)",
                    "en": "secondary suppression (protects other suppressed cells)"}

#: Human-readable status for publications; the ``status`` column itself keeps the codes
#: ``published``, ``primary`` and ``secondary``.
STATUS_LABELS = {
    "de": {"published": "veröffentlicht", "primary": "primär gesperrt",
           "secondary": "sekundär gesperrt",
           "hidden": "nie veröffentlicht (Hilfsgröße einer Beziehung)"},
    "en": {"published": "published", "primary": "primary suppression",
           "secondary": "secondary suppression",
           "hidden": "never published (auxiliary cell of a relation)"},
}


@dataclass(frozen=True)
class ProtectedTable:
    """A table with its final suppression pattern, reasons and passed audit."""

    table: Cells
    primary: Primary
    secondary: SecondaryResult
    suppressed: NDArray[np.bool_]
    audit: AuditResult

    @property
    def status(self) -> NDArray[np.str_]:
        """``published``, ``primary`` or ``secondary`` per cell (``hidden`` for the
        never published cells of linked tables)."""
        out = np.full(self.table.n_cells, "published", dtype="<U9")
        out[self.suppressed] = "secondary"
        out[self.primary.mask] = "primary"
        if self.table.hidden is not None:
            out[self.table.hidden] = "hidden"
        return out

    @property
    def n_secondary(self) -> int:
        """Published cells suppressed to protect others (hidden cells not counted)."""
        return int((self.status == "secondary").sum())

    def reasons(self, lang: str = "de") -> list[str]:
        """Why each cell is suppressed (empty for published cells)."""
        prim = self.primary.reasons(lang)
        second = SECONDARY_REASON["en" if lang == "en" else "de"]
        hidden = STATUS_LABELS["en" if lang == "en" else "de"]["hidden"]
        status = self.status
        return [prim[c] if status[c] == "primary" else second if status[c] == "secondary"
                else hidden if status[c] == "hidden" else "" for c in range(status.size)]

    def summary(self, lang: str = "de") -> str:
        """A short account for the data-protection officer."""
        hidden = self.table.hidden
        n = self.table.n_cells - (0 if hidden is None else int(hidden.sum()))
        prim = int(self.primary.mask.sum())
        sec = self.n_secondary
        how = self.secondary.method
        proven = self.secondary.optimal
        if lang == "en":
            return (f"{n} cells incl. margins; {prim} primary and {sec} secondary "
                    f"suppressions ({how}{', proven optimal' if proven else ''}); "
                    f"LP audit passed: no suppressed cell can be recomputed or narrowed "
                    f"below its protection level.")
        verfahren = {"optimal": "optimales Verfahren",
                     "heuristic": "heuristisches Verfahren"}.get(how, how)
        return (f"{n} Zellen einschließlich Summen; {prim} primär und {sec} sekundär "
                f"gesperrt ({verfahren}{', nachweislich minimal' if proven else ''}); "
                "LP-Prüfung bestanden: keine gesperrte Zelle lässt sich berechnen oder "
                "enger als ihr Schutzbereich eingrenzen.")

    def frame(self, lang: str = "de", *, masked: bool = True,
              with_reason: bool = False) -> pd.DataFrame:
        """Every cell incl. margins: ``<by columns>, count[, value], status[, reason]``.

        ``masked`` writes suppressed counts and values as ``.``; without it the true values
        stay (for internal checks only, never for publication).
        """
        out = self.table.labels(lang)
        counts: list[Any] = [round(float(c)) for c in self.table.count]
        values: list[Any] | None = None
        if self.table.value is not None:
            values = [float(v) for v in self.table.value]
        if masked:
            for cell in np.flatnonzero(self.suppressed):
                counts[cell] = SUPPRESSED
                if values is not None:
                    values[cell] = SUPPRESSED
        out["count"] = pd.Series(counts, dtype=object if masked else "int64")
        if values is not None:
            out[self.table.value_name or "value"] = pd.Series(
                values, dtype=object if masked else "float64")
        out["status"] = self.status
        if with_reason:
            out["reason"] = self.reasons(lang)
        return out


def protect_table(table: Cells, rules: Sequence[RuleResult], *, method: Method = "auto",
                  cost: str | ArrayLike = "auto", time_limit: float = 60.0,
                  forbidden: ArrayLike | None = None,
                  start: ArrayLike | None = None) -> ProtectedTable:
    """Apply primary rules, find secondary suppressions and audit the result.

    ``table`` is a :class:`~kekiz.privacy.Table` or linked tables
    (:class:`~kekiz.privacy.LinkedTable`); ``start`` a pattern for the heuristic to start
    from (see :func:`~kekiz.privacy.suppress_secondary`).  Raises
    :class:`~kekiz.domain.errors.MethodError` if the audit fails, so an unprotected table
    can never be returned.
    """
    primary = combine(table, rules)
    second: SecondaryResult | None = None
    if start is not None and forbidden is None and method == "heuristic":
        # the start pattern may already meet every requirement (linked tables protected
        # one by one usually do): then one audit replaces the heuristic
        began = time.monotonic()
        hidden = np.zeros(table.n_cells, dtype=bool) if table.hidden is None \
            else table.hidden
        first = np.asarray(start, dtype=bool) | primary.mask | hidden
        pattern, result = _audited(table, first, primary)
        if result.passed:
            secondary = pattern & ~primary.mask & ~hidden
            weights = cell_weights(table, cost, primary)
            second = SecondaryResult(pattern, secondary, "heuristic", False,
                                     float(weights[secondary].sum()),
                                     time.monotonic() - began, 0)
    if second is None:
        second = suppress_secondary(table, primary, method=method, cost=cost,
                                    time_limit=time_limit, forbidden=forbidden, start=start)
        pattern, result = _audited(table, second.suppressed.copy(), primary)
    if not result.passed:
        bad = result.failures.iloc[0]
        raise MethodError(
            f"Geheimhaltungsprüfung fehlgeschlagen: Zelle {int(bad['cell'])} ist "
            f"auf [{bad['lower']:g}; {bad['upper']:g}] eingrenzbar. Die Tabelle wird nicht "
            "veröffentlicht.",
            message_en=f"disclosure audit failed: cell {int(bad['cell'])} can be narrowed "
            f"down to [{bad['lower']:g}, {bad['upper']:g}]. The table is not published.",
            status=500)
    return ProtectedTable(table, primary, second, pattern, result)


def _audited(table: Cells, pattern: NDArray[np.bool_], primary: Primary
             ) -> tuple[NDArray[np.bool_], AuditResult]:
    """Audit ``pattern``; a secondary cell whose every quantity is derivable anyway
    protects nothing and is published (this reveals nothing new, all intervals stay the
    same)."""
    result = audit(table, pattern, primary)
    frame = result.frame
    if len(frame):
        cells = frame["cell"].to_numpy()
        ids, inverse = np.unique(cells, return_inverse=True)
        recomputed = np.bincount(inverse, weights=~frame["derivable"].to_numpy(bool),
                                 minlength=ids.size) == 0
        useless = [int(c) for c in ids[recomputed] if not primary.mask[int(c)]
                   and (table.hidden is None or not table.hidden[int(c)])]
        if useless:
            pattern = pattern.copy()
            pattern[useless] = False
            result = audit(table, pattern, primary)
    return pattern, result


def protect_records(records: pd.DataFrame, by: Sequence[ByItem], value: str | None = None,
                    min_frequency: int | None = 3, dominance: tuple[int, float] | None = None,
                    p_percent: float | None = None, lang: str = "de", *,
                    zeros_sensitive: bool = False, method: Method = "auto",
                    time_limit: float = 60.0, with_reason: bool = False) -> pd.DataFrame:
    """Tabulate microdata and protect it; the layout of ``kekiz privacy protect``.

    Returns every cell including margins (labelled ``Insgesamt``, or ``Total`` for
    ``lang="en"``) with the columns ``<by columns>, count[, <value>], status`` where
    suppressed counts and values are ``.`` and ``status`` is ``published``, ``primary``
    or ``secondary``.  ``by`` entries that are lists of columns (coarse to fine) form one
    hierarchical dimension, e.g. ``[["stadtbezirk", "stadtteil"], "geschlecht"]``.
    """
    result = protect_microdata(records, by, value, min_frequency, dominance, p_percent,
                               zeros_sensitive=zeros_sensitive, method=method,
                               time_limit=time_limit)
    return result.frame(lang, masked=True, with_reason=with_reason)


def protect_microdata(records: pd.DataFrame, by: Sequence[ByItem], value: str | None = None,
                      min_frequency: int | None = 3,
                      dominance: tuple[int, float] | None = None,
                      p_percent: float | None = None, *, zeros_sensitive: bool = False,
                      method: Method = "auto", time_limit: float = 60.0) -> ProtectedTable:
    """Like :func:`protect_records` but returns the :class:`ProtectedTable`."""
    if (dominance is not None or p_percent is not None) and value is None:
        raise MethodError(
            "Dominanz- und p%-Regel brauchen eine Wertspalte (--value).",
            message_en="the dominance and p% rules need a value column (--value).")
    k = max(2, dominance[0] if dominance else 2)
    table = Table.from_records(records, by, value=value, top_k=k)
    rules: list[RuleResult] = []
    if min_frequency:
        rules.append(frequency_rule(table, min_frequency, zeros_sensitive=zeros_sensitive))
    if dominance is not None:
        rules.append(dominance_rule(table, dominance[0], dominance[1]))
    if p_percent is not None:
        rules.append(p_percent_rule(table, p_percent))
    return protect_table(table, rules, method=method, time_limit=time_limit)


def protect_cells(cells: pd.DataFrame, by: Sequence[ByItem], count: str, *,
                  value: str | None = None, min_frequency: int | None = 3,
                  extra: Sequence[str] = (), rules: Sequence[RuleResult] = (),
                  zeros_sensitive: bool = False, method: Method = "auto",
                  time_limit: float = 60.0) -> ProtectedTable:
    """Protect a table given as aggregated inner cells (margins are computed).

    Further rules (e.g. :func:`~kekiz.privacy.rules.min_denominator_rule`) need the table;
    build it with :meth:`Table.from_cells` and call :func:`protect_table` for those.
    """
    table = Table.from_cells(cells, by, count=count, value=value, extra=extra)
    all_rules = list(rules)
    if min_frequency:
        all_rules.insert(0, frequency_rule(table, min_frequency,
                                           zeros_sensitive=zeros_sensitive))
    return protect_table(table, all_rules, method=method, time_limit=time_limit)


def render_publication(result: ProtectedTable, lang: str = "de", *,
                       decimals: int = 1) -> pd.DataFrame:
    """A table ready to print: numbers formatted (``1.234,5`` in German), suppressed
    values as ``.``, a readable status and the reason per cell."""
    en = lang == "en"
    out = result.table.labels(lang)
    status = result.status
    sup = result.suppressed
    out["count" if en else "Anzahl"] = [
        SUPPRESSED if sup[c] else fmt_short(round(float(v)), lang)
        for c, v in enumerate(result.table.count)]
    if result.table.value is not None:
        name = result.table.value_name or ("value" if en else "Wert")
        out[name] = [SUPPRESSED if sup[c] else _decimal(v, decimals, lang)
                     for c, v in enumerate(result.table.value)]
    labels = STATUS_LABELS["en" if en else "de"]
    out["status" if en else "Status"] = [labels[s] for s in status]
    out["reason" if en else "Grund"] = result.reasons(lang)
    return out


def parse_by(text: str) -> list[ByItem]:
    """``"stadtbezirk>stadtteil,geschlecht"`` -> ``[["stadtbezirk", "stadtteil"],
    "geschlecht"]`` (``>`` joins the columns of one hierarchy, coarse to fine)."""
    items: list[ByItem] = []
    for part in text.split(","):
        cols = [c.strip() for c in part.split(">") if c.strip()]
        if not cols:
            continue
        items.append(cols[0] if len(cols) == 1 else cols)
    if not items:
        raise MethodError(
            f"--by {text!r} nennt keine Spalte. Beispiel: --by stadtteil,geschlecht",
            message_en=f"--by {text!r} names no column. Example: --by stadtteil,geschlecht")
    return items


def parse_dominance(text: str) -> tuple[int, float]:
    """``"2,75"`` (or ``"2/75"``, ``"2;75"``) -> ``(2, 75.0)``."""
    match = re.fullmatch(r"\s*(\d+)\s*[,;/ ]\s*(\d+(?:[.]\d+)?)\s*%?\s*", text)
    if not match:
        raise MethodError(
            f"--dominance {text!r} ist ungültig. Erwartet: n,k, z. B. 2,85 (die 2 größten "
            "Beiträge über 85 %).",
            message_en=f"--dominance {text!r} is invalid. Expected n,k, e.g. 2,85 (the 2 "
            "largest contributions above 85%).")
    return int(match.group(1)), float(match.group(2))


def _decimal(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
