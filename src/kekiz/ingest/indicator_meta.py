"""Which metadata an indicator import gives to which indicator (issue #18).

The metadata options of ``kekiz import indicators`` (``--name-de``, ``--name-en``,
``--unit``, ``--aggregation``, ``--polarity`` ... in :attr:`IndicatorOptions.metadata`)
describe *new* indicators only:

* an indicator already in the store or in the built-in catalogue keeps its metadata; an
  option that would change it is not applied, and a note says so;
* names and definitions (``name_de``, ``name_en``, ``definition_de``, ``definition_en``)
  belong to exactly one new indicator: given while a file brings several new indicators,
  they are a problem (one import per new indicator, or ``--column`` for one column);
* the other options (unit, aggregation, polarity, scale ...) apply to every new
  indicator of the import;
* a new indicator without a name, unit or aggregation rule gets a note saying what follows.

A new indicator whose values are computed from numerator and denominator is a ratio
(aggregation ``ratio``); with unit ``%`` its scale is 100, with ``‰`` 1000.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from kekiz.domain.catalogue import lookup
from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import Aggregation, Indicator, Polarity

__all__ = ["NAME_FIELDS", "MetadataPlan"]

NAME_FIELDS = ("name_de", "name_en", "definition_de", "definition_en")
_OPTION = {"name_de": "--name-de", "name_en": "--name-en", "unit": "--unit",
           "aggregation": "--aggregation", "polarity": "--polarity", "scale": "--scale",
           "definition_de": "--definition-de", "definition_en": "--definition-en"}
#: units of counts, shown without decimals
_COUNT_UNITS = {"personen", "anzahl", "einwohner", "kinder", "fälle", "faelle",
                "einrichtungen", "haushalte", "persons", "count", "people"}
_SCALE_OF_UNIT = {"%": 100.0, "prozent": 100.0, "percent": 100.0, "‰": 1000.0,
                  "promille": 1000.0}


def _option(name: str) -> str:
    return _OPTION.get(name, name)


@dataclass
class MetadataPlan:
    """Resolves the indicator of every id of one import and words its notes."""

    given: dict[str, Any]
    known: dict[str, Indicator]
    computed: bool = False  # values computed from numerator and denominator
    resolved: dict[str, Indicator] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # id -> new / stored / built-in

    @classmethod
    def of(cls, metadata: dict[str, Any], known: dict[str, Indicator],
           report: ValidationReport, *, computed: bool = False) -> MetadataPlan | None:
        """The plan, or ``None`` when an option value is not valid (reported)."""
        given = {k: v for k, v in metadata.items()
                 if v is not None and v != "" and k in Indicator.__dataclass_fields__
                 and k != "id"}
        ok = True
        if "aggregation" in given:
            try:
                given["aggregation"] = Aggregation(str(given["aggregation"]).strip().lower())
            except ValueError:
                ok = _bad(report, "aggregation", given["aggregation"],
                          "sum (Anzahl), ratio (Quote aus Zähler und Nenner) oder none")
        if "polarity" in given:
            try:
                given["polarity"] = Polarity(int(given["polarity"]))
            except (TypeError, ValueError):
                ok = _bad(report, "polarity", given["polarity"],
                          "1 (höher ist besser), -1 (höher ist schlechter) oder 0")
        return cls(given, known, computed) if ok else None

    def indicator(self, ind_id: str, column: str) -> Indicator:
        """The indicator of ``ind_id`` (``column``: the file's name for it)."""
        if ind_id in self.resolved:
            return self.resolved[ind_id]
        stored = self.known.get(ind_id)
        builtin = lookup(ind_id) or lookup(column)
        if stored is not None or builtin is not None:
            base = stored or builtin
            assert base is not None
            ind = base if base.id == ind_id else replace(base, id=ind_id)
            self.origin[ind_id] = "stored" if stored is not None else "built-in"
        else:
            ind = self._new(ind_id, column)
            self.origin[ind_id] = "new"
        self.resolved[ind_id] = ind
        return ind

    def _new(self, ind_id: str, column: str) -> Indicator:
        ind = Indicator(ind_id, column, column,
                        definition_de=f"Spalte '{column}' der Importdatei",
                        definition_en=f"column '{column}' of the imported file")
        changes = {k: v for k, v in self.given.items() if k not in NAME_FIELDS}
        if self.computed and "aggregation" not in changes:
            changes["aggregation"] = Aggregation.RATIO
        unit = str(changes.get("unit", "")).strip().lower()
        if "scale" not in changes and unit in _SCALE_OF_UNIT:
            changes["scale"] = _SCALE_OF_UNIT[unit]
        if "decimals" not in changes and (changes.get("aggregation") == Aggregation.SUM
                                          or unit in _COUNT_UNITS):
            changes["decimals"] = 0  # counts: "811.334 Personen", not "811.334,0"
        changes.update({k: v for k, v in self.given.items() if k in NAME_FIELDS})
        if "name_de" in self.given and "name_en" not in self.given:
            changes["name_en"] = self.given["name_de"]
        return replace(ind, **changes)

    @property
    def new_ids(self) -> list[str]:
        return [i for i, o in self.origin.items() if o == "new"]

    def finish(self, report: ValidationReport) -> list[Indicator]:
        """Check the options against what the file held; notes and problems to ``report``.
        Returns the indicators of the import."""
        new = self.new_ids
        names = [k for k in NAME_FIELDS if k in self.given]
        if names and len(new) > 1:
            opts = ", ".join(_option(k) for k in names)
            report.add(f"{opts} passt nur zu einem neuen Indikator, die Datei bringt "
                       f"{len(new)}", value=", ".join(new[:6]),
                       expected="genau einen neuen Indikator je Import mit eigenem Namen",
                       fix="je neuen Indikator einen Import mit --column SPALTE=ID und "
                       "eigenem --name-de, oder den Namen weglassen",
                       message_en=f"{opts} fits only one new indicator, the file brings "
                       f"{len(new)}")
        for ind_id, origin in self.origin.items():
            if origin != "new":
                self._not_applied(ind_id, origin, report)
        for ind_id in new:
            self._warn_new(self.resolved[ind_id], report)
        return list(self.resolved.values())

    def _not_applied(self, ind_id: str, origin: str, report: ValidationReport) -> None:
        ind = self.resolved[ind_id]
        differ = [k for k, v in self.given.items() if getattr(ind, k) != v]
        if not differ:
            return
        where = "im Store" if origin == "stored" else "eingebaut (Katalog)"
        report.note(f"Indikator '{ind_id}' ist {where}: "
                    f"{', '.join(_option(k) for k in differ)} nicht übernommen; die "
                    "Angaben eines vorhandenen Indikators ändert ein Import nicht.")

    def _warn_new(self, ind: Indicator, report: ValidationReport) -> None:
        if "name_de" not in self.given:
            report.note(f"Neuer Indikator '{ind.id}' ohne Namen: er heißt wie die Spalte "
                        f"('{ind.name_de}'); mit --name-de benennen.")
        if not ind.unit:
            what = ("Wert = Zähler / Nenner als Anteil von 0 bis 1; mit --unit % in Prozent"
                    if self.computed else "Werte erscheinen ohne Einheit")
            report.note(f"Neuer Indikator '{ind.id}' ohne Einheit (--unit): {what}.")
        if ind.aggregation is Aggregation.NONE:
            report.note(f"Neuer Indikator '{ind.id}' ohne Aggregationsregel (--aggregation):"
                        " er wird nicht auf höhere Ebenen zusammengefasst ('kekiz aggregate' "
                        "überspringt ihn); sum für Anzahlen, ratio für Quoten aus Zähler und "
                        "Nenner angeben.")
        elif self.computed and "aggregation" not in self.given:
            report.note(f"Neuer Indikator '{ind.id}' aus Zähler und Nenner: als Quote "
                        "(ratio) aggregiert.")


def _bad(report: ValidationReport, name: str, value: object, expected: str) -> bool:
    report.add(f"{_option(name)} '{value}' ist nicht erlaubt", value=str(value),
               expected=expected, fix=f"{_option(name)} korrigieren",
               message_en=f"{_option(name)} '{value}' is not allowed")
    return False
