"""The family service finder (Familienwegweiser) (issue #5)."""

from __future__ import annotations

from kekiz.prevention.finder import FinderHit, find_offers
from kekiz.services.chain_data import ChainData, parse_point
from kekiz.storage.protocol import Store

__all__ = ["FinderService"]


class FinderService:
    """Finder queries on the stored offers."""

    def __init__(self, store: Store, data: ChainData) -> None:
        self.store = store
        self.data = data

    def find(self, *, age: float | None = None, life_phase: str | None = None,
             topic: str | None = None, district: str | None = None,
             near: str | tuple[float, float] | None = None, radius_m: float | None = None,
             language: str | None = None, free_only: bool = False,
             limit: int = 10) -> list[FinderHit]:
        """Familienwegweiser on the stored offers: only published, active offers.

        ``district`` and ``near`` may name a unit (key or name); ``near`` may also be
        ``(lat, lon)`` or ``"lat,lon"``.
        """
        point = parse_point(near) if near is not None else None
        ids: str | None = None
        if district is not None:
            uid, _name, lv = self.data.unit(district)
            offers, _ = self.data.offers(lv)
            ids = uid
        else:
            offers = self.store.load_directory().offers()
        if near is not None and point is None:
            uid, _name, lv = self.data.unit(str(near))
            shapes = self.data.shapes(lv)
            geom = shapes.loc[shapes["id"] == uid, "geometry"].iloc[0]
            inner = geom.representative_point()
            point = (float(inner.y), float(inner.x))
        return find_offers(offers, age=age, life_phase=life_phase, topic=topic, district=ids,
                           near=point, radius_m=radius_m, language=language,
                           free_only=free_only, limit=limit)

