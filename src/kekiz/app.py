"""The application object: one service per capability, composed from settings and store.

``Kekiz(settings, store)`` is what the command line and the web application receive, as
datasette's ``Datasette`` or httpx's ``Client``: commands and handlers are a few lines that
call a service on it.  Each service is built on first use (so that ``kekiz --help`` and
small commands do not import pandas, geopandas or scipy) and receives what it needs of
other services as constructor arguments::

    imports     files -> store (boundaries, indicator tables, members, funding)
    data        summary, a unit's values, tables, exports, aggregation upward
    monitoring  rates with intervals, classes, hot spots, trends, priority lists
    indices     composite indices, typologies, the MSS index of a file
    directory   the stored service directory of the prevention chain (import, export)
    chain       chain matrix, coverage, gaps, what-if scenarios, sites
    finder      the family finder
    goals       the Leitbild: scorecards, status, charts
    cooperation survey waves of the cooperation network and their metrics
    records     individual records -> protected district indicators
    network     the state network: reach, funding, comparison, evaluation
    reports     reports of a municipality or the network (HTML/PDF)
    admin       accounts, sessions, tokens, grants, audit log
    files       jobs on a file without the store (DiD, table protection)
    pages(aud)  the read model of the web pages and APIs for one audience

Reports and pages read through the publication gate (:mod:`kekiz.privacy.publish`): the
services they are given run over a view of the store without withheld values, and every
table they show is published for its audience.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from kekiz.settings import Settings, load_settings

if TYPE_CHECKING:
    from kekiz.privacy.publish import Audience, PublishedReads
    from kekiz.services.admin import AdminService
    from kekiz.services.chain import ChainService
    from kekiz.services.chain_data import ChainData
    from kekiz.services.cooperation import CooperationService
    from kekiz.services.data import DataService
    from kekiz.services.deletion import DeletionService
    from kekiz.services.derived import DerivedResults
    from kekiz.services.directory import DirectoryService
    from kekiz.services.files import FileService
    from kekiz.services.finder import FinderService
    from kekiz.services.goals import GoalService
    from kekiz.services.imports import ImportService
    from kekiz.services.indices import IndexService
    from kekiz.services.levels import LevelService
    from kekiz.services.monitoring import MonitoringService
    from kekiz.services.network import NetworkService
    from kekiz.services.pages import PageService
    from kekiz.services.records import RecordService
    from kekiz.services.reports import ReportService
    from kekiz.services.rollups import RollupService
    from kekiz.services.warm import Warmed
    from kekiz.storage.protocol import Store

__all__ = ["Kekiz"]


class Kekiz:
    """kekiz for one store: ``Kekiz(settings, store)``; the store is opened from the
    settings on first use when not given."""

    def __init__(self, settings: Settings | None = None, store: Store | None = None) -> None:
        self.settings = settings if settings is not None else load_settings()
        self._store = store
        self._pages: dict[str, PageService] = {}
        self._published_by: dict[str, _PublishedServices] = {}
        self._lock = threading.Lock()
        #: The data version when this object opened the store (None: given a store).
        self.opened_at: int | None = None

    # -- the store ---------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        if self._store is None:
            from kekiz.storage import open_store

            self._store = open_store(self.settings.store)
            self.opened_at = self._store.data_version()
        return self._store

    @property
    def lang(self) -> str:
        return "en" if str(self.settings.lang) == "en" else "de"

    def init(self, upgrade: bool = False) -> str:
        """Create the store (or, with ``upgrade``, migrate an older one); its schema."""
        if upgrade:
            from kekiz.storage import open_store

            if self._store is None:
                self._store = open_store(self.settings.store, create=True, check=False)
            self._store.upgrade()
        return self.store.schema_version() or ""

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()

    # -- views of the store through the publication gate -------------------------------------
    @cached_property
    def _withheld_free(self) -> Store:
        from kekiz.privacy.publish import WithheldFreeReads

        # a read view: every read of the Store protocol, no writes
        return cast("Store", WithheldFreeReads(self.store))

    # -- services ----------------------------------------------------------------------------
    @cached_property
    def imports(self) -> ImportService:
        from kekiz.services.imports import ImportService

        return ImportService(self.store, self.settings)

    @cached_property
    def levels(self) -> LevelService:
        from kekiz.services.levels import LevelService

        return LevelService(self.store, self.settings)

    @cached_property
    def deletion(self) -> DeletionService:
        from kekiz.services.deletion import DeletionService

        return DeletionService(self.store, self.settings)

    @cached_property
    def rollups(self) -> RollupService:
        from kekiz.services.rollups import RollupService

        return RollupService(self.store, self.settings)

    @cached_property
    def data(self) -> DataService:
        from kekiz.services.data import DataService

        return DataService(self.store, self.settings)

    @cached_property
    def _derived(self) -> DerivedResults:
        from kekiz.services.derived import DerivedResults

        return DerivedResults(self.store, self.settings)

    @cached_property
    def monitoring(self) -> MonitoringService:
        return self._monitoring_over(self.store, self._derived)

    def _monitoring_over(self, store: Store, derived: DerivedResults) -> MonitoringService:
        from kekiz.services.monitoring import MonitoringService
        from kekiz.services.trends import TrendsAndPriorities

        trends = TrendsAndPriorities(store, self._withheld_free, derived)
        return MonitoringService(store, self.settings, derived, trends)

    @cached_property
    def indices(self) -> IndexService:
        from kekiz.services.indices import IndexService

        return IndexService(self.store, self.settings, self._derived)

    @cached_property
    def _chain_data(self) -> ChainData:
        from kekiz.services.chain_data import ChainData

        return ChainData(self.store, self.settings)

    @cached_property
    def directory(self) -> DirectoryService:
        from kekiz.services.directory import DirectoryService

        return DirectoryService(self.store, self.settings, self._chain_data)

    @cached_property
    def chain(self) -> ChainService:
        from kekiz.services.chain import ChainService

        return ChainService(self.store, self.settings, self._chain_data)

    @cached_property
    def finder(self) -> FinderService:
        from kekiz.services.finder import FinderService

        return FinderService(self.store, self._chain_data)

    @cached_property
    def goals(self) -> GoalService:
        from kekiz.services.goals import GoalService

        return GoalService(self.store, self.settings, self.chain)

    @cached_property
    def cooperation(self) -> CooperationService:
        from kekiz.services.cooperation import CooperationService

        return CooperationService(self.store, self.settings)

    @cached_property
    def records(self) -> RecordService:
        from kekiz.services.records import RecordService

        return RecordService(self.store, self.settings)

    @cached_property
    def network(self) -> NetworkService:
        from kekiz.services.network import NetworkService

        return NetworkService(self.store)

    @cached_property
    def admin(self) -> AdminService:
        from kekiz.services.admin import AdminService

        return AdminService(self.store, self.settings)

    @cached_property
    def files(self) -> FileService:
        from kekiz.services.files import FileService

        return FileService(self.settings)

    @cached_property
    def _published(self) -> _PublishedServices:
        """Monitoring, chain, goals and network over the store without withheld values
        and without private data: what the public's reports and pages compute published
        figures with, and the network benchmarking for every audience."""
        return _PublishedServices(self, self._withheld_free)

    def _published_for(self, audience: Audience) -> _PublishedServices:
        """The published services over what ``audience`` may read of private data: the
        derived figures of a private indicator (classes, goal status, chain results)
        reach its municipality and nobody else (issue #20)."""
        from kekiz.privacy.publish import WithheldFreeReads

        if audience.key == "public":
            return self._published
        found = self._published_by.get(audience.key)
        if found is None:
            view: Any = WithheldFreeReads(self.store, audience)
            found = self._published_by.setdefault(audience.key,
                                                  _PublishedServices(self, view))
        return found

    @cached_property
    def reports(self) -> ReportService:
        """Reports for the public (no private data)."""
        from kekiz.privacy.publish import PUBLIC

        return self.reports_for(PUBLIC)

    def reports_for(self, audience: Audience) -> ReportService:
        """Reports built for ``audience``: a municipality's report holds its private
        indicators only when the municipality builds it; the network figures are always
        the public ones (issue #20)."""
        from kekiz.services.reports import ReportService

        scope = audience.read_scope()
        store = self.store if scope is None else self.store.scoped(scope)
        pub = self._published_for(audience)
        return ReportService(store, self.settings, monitoring=pub.monitoring,
                             chain=pub.chain, goals=pub.goals,
                             network=self._published.network, audience=audience)

    def audience_of_tenant(self, unit_id: str, role: Any = None) -> Audience:
        """The audience of a municipality's account (default role: editor) for the unit
        ``unit_id``: its own units and the units granted to it (CLI ``--tenant``)."""
        from kekiz.domain.accounts import Account, Role
        from kekiz.privacy.publish import Audience

        self.store.unit(unit_id)  # an unknown unit is refused with its message
        account = Account(0, f"tenant:{unit_id}", role or Role.EDITOR, unit_id)
        return Audience.of(account, self.admin.visible_units(account))

    def pages(self, audience: Audience | None = None) -> PageService:
        """The read model of the pages and APIs for ``audience`` (default: the public);
        one per kind of audience, kept for the life of the application (caches)."""
        from kekiz.privacy.publish import PUBLIC, PublishedReads

        audience = audience or PUBLIC
        found = self._pages.get(audience.key)
        if found is None:
            with self._lock:
                found = self._pages.get(audience.key)
                if found is None:
                    found = self._page_service(PublishedReads(self.store, audience))

                    self._pages[audience.key] = found
        return found

    def _page_service(self, reads: PublishedReads) -> PageService:
        """Pages over ``reads``: chain, goals and the directory over what the audience may
        read; the network benchmarking and the family finder (a public search) always
        over the public data (issue #20)."""
        from kekiz.services.directory import DirectoryService
        from kekiz.services.pages import PageService

        own = self._published_for(reads.audience)
        public = self._published
        view: Any = reads  # a read view: every read of the Store protocol, no writes
        return PageService(reads, self.settings, network=public.network, data=self.data,
                           chain=own.chain, goals=own.goals, cooperation=self.cooperation,
                           finder=public.finder,
                           directory=DirectoryService(view, self.settings, own.chain.data))

    def warm(self, stop: Callable[[], bool] | None = None) -> Warmed:
        """Compute what the pages show for the current data version and keep it in the
        store (:mod:`kekiz.services.warm`): for the public, for each municipality whose
        accounts read private data of their own, and ``goals status`` of every unit.
        ``stop`` is asked between two results (true: stop early)."""
        from kekiz.privacy.publish import PUBLIC
        from kekiz.services.warm import Warmed, private_owners, warm_goals, warm_pages

        done = Warmed(self.store.data_version())
        if stop is not None:
            done.stop = stop
        seen = {PUBLIC.key: PUBLIC}
        owners = private_owners(self.store)
        for account in self.admin.accounts() if owners else []:
            audience = self.audience(account)
            if account.active and (audience.own_units or frozenset()) & owners:
                seen.setdefault(audience.key, audience)
        for audience in seen.values():
            warm_pages(self.pages(audience), done)
        warm_goals(self.goals, self.store, done)
        return done

    def warm_if_changed(self) -> Warmed | None:
        """:meth:`warm` if the data changed since this object opened the store (what the
        CLI runs at the end of every command); None if they did not or the setting
        ``warm`` is ``off``."""
        if self._store is None or self.opened_at is None or self.settings.warm == "off" \
                or self._store.data_version() == self.opened_at:
            return None
        done = self.warm()
        self.opened_at = done.version
        return done

    def audience(self, account: Any) -> Audience:
        """Who ``account`` (None: the public) is, for the publication gate."""
        from kekiz.privacy.publish import Audience

        if account is None:
            return Audience.of(None)
        return Audience.of(account, self.admin.visible_units(account))


class _PublishedServices:
    """The services whose results are published, over ``store``: a view of the store
    without withheld values (and within an audience's read scope)."""

    def __init__(self, app: Kekiz, store: Store) -> None:
        from kekiz.services.chain import ChainService
        from kekiz.services.chain_data import ChainData
        from kekiz.services.derived import DerivedResults
        from kekiz.services.finder import FinderService
        from kekiz.services.goals import GoalService
        from kekiz.services.network import NetworkService

        self.monitoring = app._monitoring_over(store, DerivedResults(store, app.settings))
        self.chain = ChainService(store, app.settings, ChainData(store, app.settings))
        self.goals = GoalService(store, app.settings, self.chain)
        self.network = NetworkService(store)
        self.finder = FinderService(store, self.chain.data)
