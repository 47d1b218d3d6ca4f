"""What every service shares: the progress callback type and the acting user's name."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kekiz.domain.model import Dataset

__all__ = ["Progress", "actor", "attributions_of", "language", "no_progress"]

#: ``progress(task, done, total)``: long work reports how far it is.
Progress = Callable[[str, int, int], None]


def no_progress(_task: str, _done: int, _total: int) -> None:
    """The progress callback that reports nothing."""
    return None


def actor(settings: Any) -> str:
    """The name recorded with a dataset: the ``user`` setting, else the login name."""
    if settings.user:
        return str(settings.user)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def language(settings: Any) -> str:
    """The output language of the settings: ``de`` (default) or ``en``."""
    return "en" if str(settings.lang) == "en" else "de"


def attributions_of(datasets: list[Dataset]) -> list[dict[str, str]]:
    """The attribution of every dataset used (as the import recorded it), once each."""
    seen: set[tuple[str, str]] = set()
    out = []
    for d in datasets:
        given = (d.details or {}).get("attribution")
        a = {"file": "", "attribution": d.source, "attribution_url": "", "licence": d.licence,
             "licence_url": "", "source": d.name}
        if isinstance(given, dict):
            a.update({str(k): str(v) for k, v in given.items()})
        key = (a.get("attribution", ""), a.get("licence", ""))
        if a.get("attribution") and key not in seen:
            seen.add(key)
            out.append(a)
    return out
