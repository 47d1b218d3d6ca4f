"""The one JSON cleaner: any result (with numpy or pandas values inside) made JSON-ready.

Pure Python: numpy scalars are recognised by their ``item()`` method and shape ``()``,
pandas' missing markers by their type names, so this module imports neither.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["clean", "dumps"]

_MISSING_TYPES = frozenset({"NAType", "NaTType"})


def clean(obj: Any) -> Any:
    """JSON-ready: NaN/NA/NaT -> None, numpy scalars -> Python, tuples and sets -> lists,
    dates -> ISO text, keys -> text."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [clean(v) for v in obj]
    if obj is None or type(obj).__name__ in _MISSING_TYPES:
        return None
    if getattr(obj, "shape", None) == () and callable(getattr(obj, "item", None)):
        obj = obj.item()  # a numpy scalar
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    return obj


def clean_dict(obj: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`clean` of a mapping, typed as the dict it returns (for ``to_dict``)."""
    return {str(k): clean(v) for k, v in obj.items()}


def dumps(obj: Any, *, sort_keys: bool = True) -> str:
    """Compact JSON text of ``clean(obj)`` with umlauts kept."""
    return json.dumps(clean(obj), sort_keys=sort_keys, ensure_ascii=False)
