"""Optional parts of kekiz and the extras that install them.

The core installs what the monitoring, the web application and the demo need. Three
parts are optional: PDF reports (``kekiz[pdf]``: WeasyPrint), PostgreSQL stores
(``kekiz[postgres]``: psycopg) and street networks from OpenStreetMap files
(``kekiz[network]``: pyosmium). A command that needs a missing part says which extra
installs it, instead of failing with an import error.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from kekiz.domain.errors import ConfigurationError

__all__ = ["EXTRAS", "MissingExtra", "require"]

#: extra -> (module, what it is for in German, in English)
EXTRAS: dict[str, tuple[str, str, str]] = {
    "pdf": ("weasyprint", "PDF-Berichte", "PDF reports"),
    "postgres": ("psycopg", "Stores in PostgreSQL", "stores in PostgreSQL"),
    "network": ("osmium", "Straßennetze aus OpenStreetMap-Dateien (.pbf)",
                "street networks from OpenStreetMap files (.pbf)"),
}


class MissingExtra(ConfigurationError):
    """A command needs an optional part of kekiz that is not installed."""

    status = 501


def require(extra: str) -> ModuleType:
    """The module behind ``extra``, imported; a clear error naming the extra if missing."""
    module, de, en = EXTRAS[extra]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            f"{de} brauchen das Zusatzpaket 'kekiz[{extra}]' (Python-Paket '{module}' fehlt). "
            f"Abhilfe: .venv/bin/pip install 'kekiz[{extra}]' (im Projektordner: "
            f"pip install -e '.[{extra}]').",
            message_en=f"{en} need the extra 'kekiz[{extra}]' (Python package '{module}' "
            f"is missing). Fix: .venv/bin/pip install 'kekiz[{extra}]' (in the project "
            f"folder: pip install -e '.[{extra}]').") from exc
