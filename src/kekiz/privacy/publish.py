"""The publication gate: the one place that decides what a reader may see of a value.

Pages, the REST API, the OGC API, downloads and reports all read stored values through
this module, for an :class:`Audience` (a role and, for a municipality's account, its tenant
and own units):

* :func:`publish` is the published form of a table for an audience: for every role, a
  withheld value (status ``suppressed``) is emptied together with everything it could be
  derived from (numerator, denominator, interval, class); its status and its reason stay,
  so that pages can show the official sign ``.``.  Internal columns (who imported, file
  paths on the server, the method parameters that may hold raw inputs) are kept only for
  the administration and the state office.
* :class:`PublishedReads` is a read view of the store whose observations are already in
  their published form (with the reason of every non-ok status): what pages and APIs read.
* :class:`WithheldFreeReads` is a read view of the store without withheld observations:
  derived figures that are published (classes, hot spots, priority points and the
  children counted there, goal status, reach) are computed on it, so a withheld value
  cannot enter a published number through a sum, a maximum or a forecast.

Both views pass every other read of the store through unchanged and refuse writes.  The
store itself is only a protocol here (:mod:`kekiz.storage.protocol`).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kekiz.domain.accounts import TENANT_ROLES, Account, ReadScope, Role
from kekiz.domain.errors import KekizError

if TYPE_CHECKING:
    import pandas as pd

    from kekiz.domain.cooperation import Network
    from kekiz.domain.directory import Directory, ServiceDataset
    from kekiz.domain.goals import Leitbild
    from kekiz.domain.model import Dataset, Indicator, Level, Member, Unit
    from kekiz.domain.streets import StreetEntry
    from kekiz.storage.protocol import Store, Writer

__all__ = ["INTERNAL_COLUMNS", "PUBLIC", "REASONS", "VALUE_COLUMNS", "Audience",
           "PublishedReads", "WithheldFreeReads", "publish", "reason", "with_reasons"]

#: Columns that carry a value or allow it to be recomputed.
VALUE_COLUMNS = ("value", "numerator", "denominator", "lower", "upper")
#: Columns only the administration and the state office see.
INTERNAL_COLUMNS = ("params", "user", "user_name", "file")
#: Default reason of each status that is not ``ok`` (German, English).
REASONS: dict[str, tuple[str, str]] = {
    "suppressed": ("Geheimhaltung: Der Wert ist gesperrt, weil er Rückschlüsse auf "
                   "einzelne Personen zuließe.",
                   "Disclosure control: the value is withheld because it could reveal "
                   "individuals."),
    "missing": ("Für dieses Gebiet und diesen Zeitraum liegt kein Wert vor.",
                "No value for this area and period."),
    "estimated": ("Geschätzter Wert.", "Estimated value."),
    "unreliable": ("Eingeschränkt aussagekräftig (kleine Fallzahl).",
                   "Of limited reliability (small numbers)."),
}
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Audience:
    """Who reads: a role and, for a municipality's account, its tenant and own units.

    ``own_units`` are the tenant unit, everything below it and the units granted to it
    (``None``: not a tenant's account).  Outside its own units a tenant's account sees
    exactly what the public sees; inside them, what its role allows.
    """

    role: Role = Role.PUBLIC
    tenant: str | None = None
    own_units: frozenset[str] | None = None

    @classmethod
    def of(cls, account: Account | None,
           own_units: frozenset[str] | None = None) -> Audience:
        if account is None:
            return PUBLIC
        if account.role in TENANT_ROLES:
            return cls(account.role, account.tenant, own_units or frozenset())
        return cls(account.role, account.tenant)

    @property
    def sees_internals(self) -> bool:
        """Whether internal columns (importer, server paths, raw parameters) are shown."""
        return self.role in (Role.ADMIN, Role.STATE)

    def read_scope(self) -> ReadScope | None:
        """What this audience reads of private data (issue #20): the administration all
        of it (None); the state office what the owners share with it; a municipality's
        accounts the private data of their own units; the public none."""
        if self.role is Role.ADMIN:
            return None
        if self.role is Role.STATE:
            return ReadScope(state=True)
        return ReadScope(tenants=self.own_units or frozenset())

    @property
    def key(self) -> str:
        """A text naming what this audience sees, for caches of published results: two
        audiences with the same key see the same published tables."""
        if self.role in (Role.ADMIN, Role.STATE):
            return self.role.value
        if self.own_units:
            return "tenant:" + ",".join(sorted(self.own_units))
        return "public"


PUBLIC = Audience()


def reason(params: Any, status: str) -> tuple[str, str]:
    """The reason for a non-ok status (German, English): from the observation's
    parameters where a method stored one, else the default of the status."""
    if status == "ok":
        return "", ""
    de, en = REASONS.get(status, ("", ""))
    if isinstance(params, str) and params:
        try:
            data = json.loads(params)
        except ValueError:
            data = None
        if isinstance(data, dict):
            nested = data.get("privacy")
            if isinstance(nested, dict):  # records: reason stored with the suppression
                data = {**data, **nested}
            de = str(data.get("reason_de") or data.get("reason") or de)
            en = str(data.get("reason_en") or data.get("reason") or en)
    return de, en


def with_reasons(obs: pd.DataFrame) -> pd.DataFrame:
    """Observations with ``reason_de`` and ``reason_en`` of their status."""
    params = obs["params"] if "params" in obs.columns else [None] * len(obs)
    reasons = [reason(p, s) for p, s in zip(params, obs["status"], strict=True)]
    return obs.assign(reason_de=[r[0] for r in reasons], reason_en=[r[1] for r in reasons])


def publish(table: pd.DataFrame, audience: Audience = PUBLIC, *,
            derived: Sequence[str] = ()) -> pd.DataFrame:
    """The published form of ``table`` for ``audience`` (a copy; the input is unchanged).

    ``derived`` names further columns computed from a row's value (e.g. offers per 1,000
    children from a child count): they are withheld with the value."""
    import numpy as np
    import pandas as pd

    out = table.copy()
    if "status" in out.columns:
        hidden = (out["status"] == SUPPRESSED).to_numpy()
        if hidden.any():
            for col in (*VALUE_COLUMNS, *derived):
                if col in out.columns:
                    values = pd.to_numeric(out[col], errors="coerce").astype("float64")
                    out[col] = values.where(~hidden, np.nan)
            if "klass" in out.columns:
                out["klass"] = out["klass"].astype("Int64")
                out.loc[hidden, "klass"] = pd.NA
    if not audience.sees_internals:
        out = out.drop(columns=[c for c in INTERNAL_COLUMNS if c in out.columns])
    return out


class _ReadView(ABC):
    """Every read of the store, passed through by name (no ``__getattr__``: a read that
    is not listed here does not exist on the view, so nothing slips past the gate).  The
    view reads the store scoped to what ``audience`` may read of private data."""

    def __init__(self, store: Store, audience: Audience = PUBLIC) -> None:
        scope = audience.read_scope()
        self._store = store.scoped(scope) if scope is not None else store
        self.audience = audience

    @property
    def base(self) -> Store:
        return self._store

    @property
    def url(self) -> str:
        return self._store.url

    @property
    def scope(self) -> ReadScope | None:
        return self._store.scope

    # -- the store's reads, unchanged ------------------------------------------------------
    def safe_url(self) -> str:
        return self._store.safe_url()

    def data_version(self) -> int:
        return self._store.data_version()

    def schema_version(self) -> str | None:
        return self._store.schema_version()

    def derived_get(self, name: str, key: str, version: int) -> bytes | None:
        return self._store.derived_get(name, key, version)

    def derived_put(self, name: str, key: str, version: int, payload: bytes) -> None:
        self._store.derived_put(name, key, version, payload)

    def levels(self) -> list[Level]:
        return self._store.levels()

    def level(self, level_id: str) -> Level:
        return self._store.level(level_id)

    def units(self, level: str | None = None, parent_id: str | None = None,
              with_geometry: bool = False) -> list[Unit]:
        return self._store.units(level, parent_id, with_geometry)

    def unit(self, unit_id: str) -> Unit:
        return self._store.unit(unit_id)

    def units_frame(self, level: str | None = None) -> pd.DataFrame:
        return self._store.units_frame(level)

    def geometries(self, level: str) -> pd.DataFrame:
        return self._store.geometries(level)

    def key_index(self, level: str) -> dict[str, dict[str, str]]:
        return self._store.key_index(level)

    def count_units(self) -> dict[str, int]:
        return self._store.count_units()

    def unit_tree(self) -> dict[str, str | None]:
        return self._store.unit_tree()

    def indicators(self) -> list[Indicator]:
        return self._store.indicators()

    def indicator(self, indicator_id: str) -> Indicator:
        return self._store.indicator(indicator_id)

    def periods(self) -> dict[str, list[str]]:
        return self._store.periods()

    def count_observations(self) -> int:
        return self._store.count_observations()

    def datasets(self) -> list[Dataset]:
        return self._store.datasets()

    def members(self, programme: str | None = None) -> list[Member]:
        return self._store.members(programme)

    def funding(self, programme: str | None = None) -> pd.DataFrame:
        return self._store.funding(programme)

    def load_directory(self, dataset_ids: Sequence[int] | None = None) -> Directory:
        return self._store.load_directory(dataset_ids)

    def service_datasets(self) -> list[ServiceDataset]:
        return self._store.service_datasets()

    def cooperation_waves(self) -> list[dict[str, Any]]:
        return self._store.cooperation_waves()

    def cooperation_wave(self, wave: int) -> Network:
        return self._store.cooperation_wave(wave)

    def leitbild_ids(self) -> list[tuple[str, str, str]]:
        return self._store.leitbild_ids()

    def leitbild(self, leitbild_id: str) -> Leitbild:
        return self._store.leitbild(leitbild_id)

    def streets(self) -> list[StreetEntry]:
        return self._store.streets()

    # -- the one read the views change -----------------------------------------------------
    @abstractmethod
    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Stored observations as this view lets them out."""

    # -- no writes ---------------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[Writer]:
        raise KekizError("Eine Leseansicht des Stores kann nicht schreiben.",
                         message_en="A read view of the store cannot write.", status=500)


class WithheldFreeReads(_ReadView):
    """The store without withheld observations: the input of published derived figures."""

    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame:
        frame = self._store.observations(indicator_id=indicator_id, unit_ids=unit_ids,
                                         level=level, period=period)
        if "status" in frame.columns:
            frame = frame[frame["status"] != SUPPRESSED].reset_index(drop=True)
        return frame


class PublishedReads(_ReadView):
    """The store as ``audience`` may read it: observations in their published form, with
    the reason of every status that is not ``ok`` (``reason_de``, ``reason_en``)."""

    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame:
        frame = self._store.observations(indicator_id=indicator_id, unit_ids=unit_ids,
                                         level=level, period=period)
        return publish(with_reasons(frame), self.audience)
