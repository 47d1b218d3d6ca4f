"""A street network as kekiz computes distances on it, and the ways of travelling.

:class:`StreetNetwork` holds the nodes (WGS84) and the edge lengths in metres of a
network read from an OpenStreetMap or GraphML file (:mod:`kekiz.ingest.street_network`);
:class:`kekiz.prevention.network_distance.NetworkDistance` finds shortest paths on it.
A mode (:data:`MODES`) decides which ways count and the usual speed that turns a radius
into minutes for the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kekiz.domain.errors import MethodError

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

__all__ = ["MODES", "StreetNetwork", "street_mode"]

#: mode -> (usual speed in km/h, German words, English words)
MODES: dict[str, tuple[float, str, str]] = {
    "walk": (4.8, "zu Fuß", "on foot"),
    "bike": (15.0, "mit dem Rad", "by bike"),
    "drive": (30.0, "mit dem Auto", "by car"),
}
_ALIASES = {"walk": "walk", "walking": "walk", "fuss": "walk", "fuß": "walk", "foot": "walk",
            "bike": "bike", "cycling": "bike", "rad": "bike", "fahrrad": "bike",
            "drive": "drive", "driving": "drive", "car": "drive", "auto": "drive"}


def street_mode(mode: str) -> str:
    """The mode (``walk``, ``bike``, ``drive``) of a name as typed, German or English."""
    key = _ALIASES.get(str(mode).strip().lower())
    if key is None:
        raise MethodError(f"Unbekannte Fortbewegungsart '{mode}'. Möglich: walk (zu Fuß), "
                          "bike (Rad), drive (Auto).",
                          message_en=f"Unknown mode '{mode}'. Possible: walk, bike, drive.")
    return key


@dataclass(eq=False)
class StreetNetwork:
    """A street network as a sparse graph: node coordinates (WGS84) and edge lengths in
    metres (``graph[a, b]`` the length from ``a`` to ``b``; symmetric unless
    ``directed``).  Compared by identity: one network read from one file."""

    lon: np.ndarray
    lat: np.ndarray
    graph: sparse.csr_matrix
    directed: bool
    mode: str
    source: str
    notes: list[str] = field(default_factory=list)

    @property
    def nodes(self) -> int:
        return len(self.lon)

    @property
    def edges(self) -> int:
        return int(self.graph.nnz if self.directed else self.graph.nnz // 2)
