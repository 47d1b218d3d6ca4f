"""Compute what the pages show when the data change, not on their first view (issue #17).

:meth:`kekiz.app.Kekiz.warm` (:func:`warm_pages`, :func:`warm_goals`) runs right
after every command that changed the store (``kekiz demo``, ``import ...``, ``aggregate``,
``monitor run``, ``goals import`` ...: the CLI calls it when the data version at the
end of a command differs from the one at its start) and after the web's writes.  It
builds the view models of the pages the README lists (start page, atlas, a profile per
level, comparison, chain with coverage and gaps, cooperation, goals with status and
forecasts, finder, state network with reach and funding, sources) for the public and for
each municipality whose accounts read other data than the public (their own private
indicators), plus the goal status of every unit of the Leitbild's level targets.  Each
result lands in the store's derived results (:mod:`kekiz.services.stored`) under the data
version, the audience's read scope and the day, where the first view of a page in any
process reads it.  Every value passed the publication gate of its audience on the way:
the view models read only through :class:`~kekiz.privacy.publish.PublishedReads`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kekiz.domain.errors import KekizError
from kekiz.services.views import chain as chain_view
from kekiz.services.views import cooperation as cooperation_view
from kekiz.services.views import finder as finder_view
from kekiz.services.views import goals as goals_view
from kekiz.services.views import pages as views
from kekiz.services.views.modules import modules

if TYPE_CHECKING:
    from kekiz.services.goals import GoalService
    from kekiz.services.pages import PageService
    from kekiz.storage.protocol import Store

__all__ = ["Warmed", "private_owners", "warm_goals", "warm_pages"]

#: The results the view models keep do not depend on the language: one pass fills them.
LANGS = ("de",)


@dataclass
class Warmed:
    """What :func:`warm` computed: data version, audiences, pages, seconds."""

    version: int
    audiences: list[str] = field(default_factory=list)
    pages: int = 0
    goal_units: int = 0
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Asked between two results: stop early (a server shutting down).
    stop: Callable[[], bool] = field(default=lambda: False, repr=False, compare=False)


def private_owners(store: Store) -> set[str]:
    """The units that own private indicators or datasets."""
    owners = {i.private_to for i in store.indicators() if i.private_to}
    owners |= {d.private_to for d in store.datasets() if d.private_to}
    return {str(o) for o in owners}


def _views(m: PageService, lang: str) -> list[tuple[str, Callable[[], Any]]]:
    """The README's pages as view-model calls (what their first view computes)."""
    shown = modules(m)
    out: list[tuple[str, Callable[[], Any]]] = [
        ("/", lambda: views.index(m, lang, None)),
        ("/atlas", lambda: views.atlas(m, lang)),
        ("/compare", lambda: views.compare(m, lang)),
        ("/sources", lambda: views.sources(m, lang)),
    ]
    for level in m.web_catalogue()["levels"]:
        units = m.units_of(level["level"].id)
        if units:  # one profile per level fills the level's medians and latest values
            uid = units[0].id
            out.append((f"/unit/{uid}", _profile(m, lang, uid)))
    pages = {"chain": ("/chain", lambda: chain_view.chain_page(m, lang)),
             "cooperation": ("/cooperation", lambda: cooperation_view.cooperation(m, lang)),
             "goals": ("/goals", lambda: goals_view.goals(m, lang)),
             "finder": ("/finder", lambda: finder_view.finder(m, lang)),
             "network": ("/network", lambda: views.network(m, lang))}
    out += [page for module, page in pages.items() if shown.get(module, True)]
    return out


def _profile(m: PageService, lang: str, unit_id: str) -> Callable[[], Any]:
    return lambda: views.unit_page(m, lang, unit_id=unit_id)


def warm_pages(m: PageService, done: Warmed) -> None:
    """Build the view models of the README's pages for ``m``'s audience (see the
    module docstring).  A page that has nothing to show for the audience (an error of
    kekiz, such as no Leitbild for a tenant's units) is left to its first view."""
    start = time.perf_counter()
    done.audiences.append(m.audience.key)
    for lang in LANGS:
        for path, make in _views(m, lang):
            if done.stop():
                return
            try:
                make()
            except KekizError:
                done.skipped.append(f"{m.audience.key} {lang} {path}")
                continue
            done.pages += 1
    done.seconds += time.perf_counter() - start


def warm_goals(goals: GoalService, store: Store, done: Warmed) -> None:
    """``kekiz goals status`` of every Leitbild: its municipality with the level targets
    and each unit of those levels."""
    start = time.perf_counter()
    known = [k[0] for k in goals.leitbilder()]
    # keyed as asked: ``kekiz goals status`` names no Leitbild when the store holds one
    ids: list[str | None] = [None] if len(known) == 1 else list(known)
    for lb_id in ids:
        lb = goals.leitbild(lb_id)
        goals.status(None, lb_id)
        levels = {t.level for g in lb.goals for t in g.targets if t.level}
        for level in sorted(levels):
            for unit in store.units(level=level):
                if done.stop():
                    return
                try:
                    goals.status(unit.id, lb_id)
                except KekizError:
                    continue  # a unit the Leitbild does not cover
                done.goal_units += 1
    done.seconds += time.perf_counter() - start
