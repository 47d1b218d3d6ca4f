"""A municipality's own district levels: declared, listed and named in one place.

Berlin divides the city into Bezirke, Prognoseräume, Bezirksregionen and Planungsräume,
Hamburg into Bezirke, Stadtteile and Statistische Gebiete.  ``define`` stores such a
hierarchy (German and English names, optional plurals) below a built-in level (default
``gemeinde``); imports, roll-ups, reports and pages then accept and show those levels.
:meth:`LevelService.name` is the one lookup of a level's display name in a language;
the built-in levels keep their names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kekiz.domain.errors import KekizError
from kekiz.domain.model import DEFAULT_LEVELS, Level
from kekiz.services.base import actor, language
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["LevelService", "LevelSpec", "parse_level_spec"]

_ID = re.compile(r"[a-z][a-z0-9_]{1,31}")
_BUILTIN = {lv.id: lv for lv in DEFAULT_LEVELS}


@dataclass(frozen=True)
class LevelSpec:
    """One declared level: id and names (plurals may be empty: then derived)."""

    id: str
    name_de: str
    name_en: str = ""
    plural_de: str = ""
    plural_en: str = ""


def parse_level_spec(text: str) -> LevelSpec:
    """``ID=Name|English name[|Plural|English plural]`` (e.g.
    ``prognoseraum=Prognoseraum|forecast area|Prognoseräume|forecast areas``); a bare
    ``ID`` names a built-in level."""
    ident, _, names = text.partition("=")
    ident = ident.strip()
    if not _ID.fullmatch(ident):
        raise KekizError(
            f"Ungültige Ebenen-ID '{ident}' in '{text}'. Erwartet: Kleinbuchstaben, Ziffern "
            "und _, 2 bis 32 Zeichen, z. B. prognoseraum. Abhilfe: die ID so schreiben.",
            message_en=f"Invalid level id '{ident}' in '{text}'. Expected: lower-case "
            "letters, digits and _, 2 to 32 characters, e.g. prognoseraum. Fix: write the "
            "id like that.")
    parts = [p.strip() for p in names.split("|")] if names else []
    if not parts and ident not in _BUILTIN:
        raise KekizError(
            f"Für die neue Ebene '{ident}' fehlt der Name. Erwartet: {ident}=Name|englischer "
            "Name, z. B. prognoseraum=Prognoseraum|forecast area.",
            message_en=f"The new level '{ident}' has no name. Expected: {ident}=Name|English "
            "name, e.g. prognoseraum=Prognoseraum|forecast area.")
    parts += [""] * (4 - len(parts))
    return LevelSpec(ident, parts[0], parts[1] or parts[0], parts[2], parts[3])


class LevelService:
    """Declare, list and name the levels of the store."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def levels(self) -> list[Level]:
        return self.store.levels()

    def name(self, level_id: str, lang: str | None = None, *, plural: bool = False) -> str:
        """The display name of a level in ``lang`` (default: the settings' language)."""
        level = self.store.level(level_id)
        return level.name(lang or language(self.settings), plural=plural)

    def names(self, lang: str | None = None, *, plural: bool = False) -> dict[str, str]:
        """level id -> display name of every level."""
        lang = lang or language(self.settings)
        return {lv.id: lv.name(lang, plural=plural) for lv in self.store.levels()}

    def define(self, specs: Sequence[LevelSpec], *, under: str = "gemeinde",
               municipality: str | None = None) -> list[Level]:
        """Store a hierarchy, coarsest level first, below the level ``under``."""
        if not specs:
            raise KekizError("Keine Ebenen angegeben. Beispiel: kekiz levels define "
                             "bezirk=Bezirk|district prognoseraum=Prognoseraum|forecast area",
                             message_en="No levels given. Example: kekiz levels define "
                             "bezirk=Bezirk|district prognoseraum=Prognoseraum|forecast area")
        top = self.store.level(under)
        if municipality is not None:
            self.store.unit(municipality)
        known = {lv.id: lv for lv in self.store.levels()}
        seen: set[str] = set()
        parent, rank, out = top, top.rank, []
        for spec in specs:
            if spec.id in seen or spec.id == under:
                raise KekizError(f"Die Ebene '{spec.id}' steht zweimal in der Hierarchie.",
                                 message_en=f"The level '{spec.id}' appears twice in the "
                                 "hierarchy.")
            seen.add(spec.id)
            if spec.id in _BUILTIN:
                builtin = known.get(spec.id, _BUILTIN[spec.id])
                if builtin.rank <= rank:
                    raise KekizError(
                        f"Die eingebaute Ebene '{spec.id}' (Rang {builtin.rank}) kann nicht "
                        f"unter '{parent.id}' (Rang {rank}) stehen. Abhilfe: eine eigene "
                        "ID wählen, z. B. " + spec.id + "_2.",
                        message_en=f"The built-in level '{spec.id}' (rank {builtin.rank}) "
                        f"cannot stand below '{parent.id}' (rank {rank}). Fix: choose an "
                        f"id of your own, e.g. {spec.id}_2.")
                parent, rank = builtin, builtin.rank
                continue
            rank += 1
            level = Level(spec.id, spec.name_de, spec.name_en, rank, parent.id, municipality,
                          spec.plural_de, spec.plural_en)
            out.append(level)
            parent = level
        with self.store.transaction() as tx:
            tx.define_levels(out)
            tx.auth.add_audit(actor(self.settings), "levels.define", under,
                              after=[lv.__dict__ for lv in out])
        return out

