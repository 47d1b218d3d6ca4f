"""Who is asking, and what may leave the server.

Every route reads the current user from the one dependency :func:`current_user`; for now
it always returns the public role.  A later authentication layer replaces this one
function (``app.dependency_overrides[current_user] = ...`` or a new body) and every
route follows.

Every table that a page, the API or a download publishes passes through :func:`publish`.
For every role, suppressed values (status ``suppressed``) are withheld: the value and
everything it could be derived from (numerator, denominator, interval, class) become
empty, the status and the reason stay so the pages can show the official sign ``.``.
For the public role, internal columns (who imported, file paths on the server, the
method parameters that may hold raw inputs) are dropped as well.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PUBLIC", "Role", "User", "current_user", "publish"]

#: Columns that carry a value or allow it to be recomputed.
VALUE_COLUMNS = ("value", "numerator", "denominator", "lower", "upper")
#: Columns the public never sees.
PRIVATE_COLUMNS = ("params", "user", "user_name", "file")


class Role(enum.StrEnum):
    """Roles; only ``public`` exists until the authentication layer (issue #8, item 3)."""

    PUBLIC = "public"


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    tenant: str | None = None


PUBLIC = User(name="public", role=Role.PUBLIC)


def current_user() -> User:
    """The user of the current request (a FastAPI dependency): for now the public."""
    return PUBLIC


def publish(table: pd.DataFrame, user: User) -> pd.DataFrame:
    """The published form of ``table`` for ``user`` (a copy; the input is unchanged)."""
    out = table.copy()
    if "status" in out.columns:
        hidden = (out["status"] == "suppressed").to_numpy()
        if hidden.any():
            for col in VALUE_COLUMNS:
                if col in out.columns:
                    values = pd.to_numeric(out[col], errors="coerce").astype("float64")
                    out[col] = values.where(~hidden, np.nan)
            if "klass" in out.columns:
                out["klass"] = out["klass"].astype("Int64")
                out.loc[hidden, "klass"] = pd.NA
    if user.role is Role.PUBLIC:
        out = out.drop(columns=[c for c in PRIVATE_COLUMNS if c in out.columns])
    return out
