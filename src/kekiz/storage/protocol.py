"""The store as the rest of kekiz sees it: typed protocols of every read and write.

:class:`Store` reads in domain terms and opens write transactions; a :class:`Writer` is
one open transaction (everything written through it lands together or not at all).
Users, sessions, tokens, grants, login attempts and the audit log are reached through
``store.auth`` (:class:`AuthStore`) and ``tx.auth`` (:class:`AuthWriter`).  The
implementation on SQLite and PostgreSQL is :class:`kekiz.storage.store.SqlStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from kekiz.domain.accounts import Account, ReadScope, Role
    from kekiz.domain.cooperation import Network
    from kekiz.domain.deletion import DeletionPlan
    from kekiz.domain.directory import Directory, ServiceDataset
    from kekiz.domain.goals import Leitbild
    from kekiz.domain.model import Dataset, Indicator, Level, Member, Unit
    from kekiz.domain.streets import StreetEntry

__all__ = ["AuthStore", "AuthWriter", "Store", "Writer"]

Snapshot = dict[str, list[tuple[Any, ...]]]


class AuthStore(Protocol):
    """Reads of accounts, sessions, tokens, grants, login attempts and the audit log."""

    def users(self) -> list[Account]: ...

    def password_hash_of(self, name: str) -> tuple[Account, str] | None: ...

    def session_of(self, token_hash: str) -> tuple[Account, str] | None:
        """The active account and CSRF token of an unexpired session."""

    def token_of(self, token_hash: str) -> Account | None:
        """The active account of an unexpired API token (marks the token as used)."""

    def tokens(self, user_id: int | None = None) -> pd.DataFrame: ...

    def failures(self, name: str, ip: str, since: datetime) -> int:
        """Failed logins of ``name`` from ``ip`` since ``since`` (after the last success)."""

    def grants(self) -> pd.DataFrame: ...

    def audit_entries(self, *, limit: int = 100, offset: int = 0, actor: str | None = None,
                      action: str | None = None) -> pd.DataFrame: ...


class AuthWriter(Protocol):
    """Writes of the account tables, inside the caller's transaction."""

    def add_audit(self, actor: str, action: str, obj: str, before: Any = None,
                  after: Any = None) -> None: ...

    def add_user(self, name: str, password_hash: str, role: Role,
                 tenant: str | None) -> Account: ...

    def update_user(self, user_id: int, *, role: Role, tenant: str | None,
                    active: bool | None = None, password_hash: str | None = None) -> None: ...

    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    def delete_sessions_of(self, user_id: int) -> int: ...

    def add_session(self, token_hash: str, user_id: int, csrf: str,
                    expires: datetime) -> None: ...

    def delete_session(self, token_hash: str) -> None: ...

    def add_token(self, token_hash: str, user_id: int, label: str,
                  expires: datetime | None) -> int: ...

    def delete_token(self, token_id: int) -> int: ...

    def record_attempt(self, name: str, ip: str, success: bool) -> None: ...

    def add_grant(self, grantor: str, grantee: str, by: str) -> bool: ...

    def remove_grant(self, grantor: str, grantee: str) -> bool: ...


class Writer(Protocol):
    """One open write transaction."""

    @property
    def auth(self) -> AuthWriter: ...

    # -- units, indicators, observations ---------------------------------------------------
    def ensure_levels(self, levels: Iterable[Level]) -> None: ...

    def define_levels(self, levels: Iterable[Level]) -> None:
        """Store declared levels with parent level, municipality and plural names."""

    def add_dataset(self, ds: Dataset) -> Dataset:
        """Record a dataset (the next revision of its name); sets ``id`` and ``revision``."""

    def set_dataset_rows(self, dataset_id: int, rows: int) -> None: ...

    def previous_revisions(self, name: str, current_id: int) -> list[int]: ...

    def upsert_units(self, units: Sequence[Unit]) -> None: ...

    def upsert_indicators(self, indicators: Sequence[Indicator]) -> None:
        """Insert or replace; a stored private mark stays when the new row has none."""

    def set_private(self, kind: str, key: str, private_to: str | None,
                    private_state: bool) -> tuple[str | None, bool]:
        """Mark an indicator (by id) or a dataset (by name) private or public; the mark
        before (issue #20)."""

    def delete_observations_of(self, dataset_ids: Sequence[int]) -> int: ...

    def delete_observations(self, indicator_ids: Sequence[str],
                            periods: Sequence[str]) -> int:
        """Remove every observation of these indicators in these periods (all levels)."""

    def upsert_observations(self, frame: pd.DataFrame, *,
                            progress: Callable[[int], Any] | None = None) -> int: ...

    def level_observations(self, indicator_id: str, level: str) -> pd.DataFrame: ...

    def apply_deletion(self, plan: DeletionPlan) -> int:
        """Remove the rows of a deletion plan (see :meth:`Store.deletion_plan`)."""

    def replaced_values(self, frame: pd.DataFrame, dataset_name: str) -> dict[str, int]:
        """Values of ``frame`` held now by datasets of another name: name -> number."""

    def imported_keys(self, indicator_id: str, unit_ids: Sequence[str]) -> pd.MultiIndex: ...

    # -- state network ---------------------------------------------------------------------
    def replace_members(self, programme: str, members: Sequence[Member]) -> None: ...

    def replace_funding(self, programme: str, rows: pd.DataFrame, dataset_id: int) -> None: ...

    # -- service directory, cooperation, Leitbild -------------------------------------------
    def replace_directory(self, directory: Directory, dataset_id: int) -> int:
        """Store a directory under its dataset, replacing the dataset's earlier revisions;
        the number of services those held."""

    def delete_directory(self, dataset_ids: Sequence[int]) -> int: ...

    def replace_wave(self, net: Network, *, label: str = "", first_date: date | None = None,
                     last_date: date | None = None, synthetic: bool = False,
                     dataset_id: int | None = None) -> None: ...

    def replace_leitbild(self, lb: Leitbild, dataset_id: int | None = None) -> None: ...

    def delete_leitbild(self, leitbild_id: str) -> None: ...

    # -- street directory -----------------------------------------------------------------
    def replace_streets(self, entries: Sequence[StreetEntry], dataset_id: int) -> int:
        """Replace the street directory with the sections of one import; their number."""


class Store(Protocol):
    """Reads in domain terms; writes only through :meth:`transaction`."""

    url: str

    @property
    def scope(self) -> ReadScope | None:
        """The scope of this view (None: the whole store)."""

    @property
    def auth(self) -> AuthStore: ...

    # -- the store itself -------------------------------------------------------------------
    def safe_url(self) -> str: ...

    def schema_version(self) -> str | None: ...

    def check_schema(self, *, create: bool) -> None: ...

    def upgrade(self) -> None: ...

    def data_version(self) -> int:
        """A counter that grows with every write transaction that changed data."""

    def derived_get(self, name: str, key: str, version: int) -> bytes | None:
        """A derived result kept at data version ``version`` (None: not kept)."""

    def derived_put(self, name: str, key: str, version: int, payload: bytes) -> None:
        """Keep a derived result of data version ``version`` (not data: the data
        version does not change)."""

    def scoped(self, scope: ReadScope) -> Store:
        """A view of this store (same connections) that reads only within ``scope``."""

    def transaction(self) -> AbstractContextManager[Writer]: ...

    def dispose(self) -> None: ...

    def snapshot(self) -> Snapshot: ...

    def deletion_plan(self, kind: str, target: str,
                      indicator: str | None = None) -> DeletionPlan:
        """What deleting a dataset, indicator, unit or period would remove."""

    # -- levels and units --------------------------------------------------------------------
    def levels(self) -> list[Level]: ...

    def level(self, level_id: str) -> Level: ...

    def units(self, level: str | None = None, parent_id: str | None = None,
              with_geometry: bool = False) -> list[Unit]: ...

    def unit(self, unit_id: str) -> Unit: ...

    def units_frame(self, level: str | None = None) -> pd.DataFrame: ...

    def geometries(self, level: str) -> pd.DataFrame: ...

    def key_index(self, level: str) -> dict[str, dict[str, str]]: ...

    def count_units(self) -> dict[str, int]: ...

    def unit_tree(self) -> dict[str, str | None]: ...

    # -- indicators, observations, datasets -------------------------------------------------
    def indicators(self) -> list[Indicator]: ...

    def indicator(self, indicator_id: str) -> Indicator: ...

    def periods(self) -> dict[str, list[str]]: ...

    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame: ...

    def count_observations(self) -> int: ...

    def datasets(self) -> list[Dataset]: ...

    # -- state network -----------------------------------------------------------------------
    def members(self, programme: str | None = None) -> list[Member]: ...

    def funding(self, programme: str | None = None) -> pd.DataFrame: ...

    # -- service directory, cooperation, Leitbild -------------------------------------------
    def load_directory(self, dataset_ids: Sequence[int] | None = None) -> Directory: ...

    def service_datasets(self) -> list[ServiceDataset]: ...

    def cooperation_waves(self) -> list[dict[str, Any]]: ...

    def cooperation_wave(self, wave: int) -> Network: ...

    def leitbild_ids(self) -> list[tuple[str, str, str]]: ...

    def leitbild(self, leitbild_id: str) -> Leitbild: ...

    def streets(self) -> list[StreetEntry]:
        """The sections of the stored street directory."""
