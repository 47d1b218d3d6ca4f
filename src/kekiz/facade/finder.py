"""The family service finder (Familienwegweiser) of the facade (issue #5)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kekiz.facade.chain_base import ChainBase, _point
from kekiz.prevention.finder import FinderHit, find_offers

if TYPE_CHECKING:
    from kekiz.prevention.directory import DirectoryImport

__all__ = ["FinderJobs"]


class FinderJobs(ChainBase):
    """Finder queries on a directory file or the stored offers."""

    if TYPE_CHECKING:

        def load_directory(self, path: Path, *, kita: bool = False, source: str = "",
                           lat: str | None = None, lon: str | None = None
                           ) -> DirectoryImport: ...

    def find_in_directory(self, path: Path, **filters: Any) -> list[FinderHit]:
        """The family finder on a directory file."""
        d = self.load_directory(path).directory
        return find_offers(d.offers(), **filters)

    def find(self, *, age: float | None = None, life_phase: str | None = None,
             topic: str | None = None, district: str | None = None,
             near: str | tuple[float, float] | None = None, radius_m: float | None = None,
             language: str | None = None, free_only: bool = False,
             limit: int = 10) -> list[FinderHit]:
        """Familienwegweiser on the stored offers: only published, active offers.

        ``district`` and ``near`` may name a unit (key or name); ``near`` may also be
        ``(lat, lon)`` or ``"lat,lon"``.
        """
        point = _point(near) if near is not None else None
        ids: str | None = None
        if district is not None:
            uid, _name, lv = self._chain_unit(district)
            offers, _ = self._chain_offers(lv)
            ids = uid
        else:
            offers = self.store.load_directory().offers()
        if near is not None and point is None:
            uid, _name, lv = self._chain_unit(str(near))
            shapes = self._chain_shapes(lv)
            geom = shapes.loc[shapes["id"] == uid, "geometry"].iloc[0]
            inner = geom.representative_point()
            point = (float(inner.y), float(inner.x))
        return find_offers(offers, age=age, life_phase=life_phase, topic=topic, district=ids,
                           near=point, radius_m=radius_m, language=language,
                           free_only=free_only, limit=limit)

