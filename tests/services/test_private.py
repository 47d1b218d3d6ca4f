"""Private indicators end to end (issue #20): marked on import and by ``kekiz private``,
inherited by every derived value, kept out of public reads and exports.

The store holds Köln with two Stadtteile and Bonn (tests/storage/sample.py).  Köln's
"Hilfen zur Erziehung" cases (12 in Altstadt/Süd, 14 in Neustadt/Süd, 2023) are imported
through the real command line as private to Köln, readable by the state office; the
children under 18 (600 and 350) are public.  Every expected number is computed by hand
in the test that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kekiz.app import Kekiz
from kekiz.domain.accounts import ReadScope
from kekiz.domain.errors import KekizError
from kekiz.domain.model import Dataset, Indicator, private_mark
from kekiz.settings import load_settings
from kekiz.storage import open_store
from kekiz.storage.protocol import Store
from tests.storage.sample import ALTSTADT, BONN, KOELN, NEUSTADT, UNITS

PUBLIC = ReadScope()
STATE = ReadScope(state=True)
OWN = ReadScope(tenants=frozenset({KOELN, ALTSTADT, NEUSTADT}))
FOREIGN = ReadScope(tenants=frozenset({BONN}))
HZE = "hze_faelle"
DATASET = "HzE Köln 2023"


@dataclass
class Result:
    code: int
    out: str
    err: str


def _run(url: str, *args: object) -> Result:
    """``kekiz --store URL ARGS`` in-process."""
    from kekiz.cli import main

    result = CliRunner().invoke(main.app, ["--store", url, *map(str, args)],
                                env={"COLUMNS": "250", "KEKIZ_USER": "pytest"})
    if isinstance(result.exception, KekizError):
        return Result(1, result.stdout, result.exception.text("de"))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return Result(result.exit_code, result.stdout, result.stderr)


def _csv(path: Path, rows: dict[str, float]) -> Path:
    path.write_text("raum_id;wert\n" + "".join(f"{k};{v:g}\n" for k, v in rows.items()),
                    encoding="utf-8")
    return path


def _import(url: str, path: Path, indicator: str, period: str, *extra: str) -> Result:
    return _run(url, "import", "indicators", path, "--level", "stadtteil", "--key", "raum_id",
                "--period", period, "--indicator", indicator, "--aggregation", "sum", *extra)


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[tuple[str, Store, Path]]:
    store = open_store(store_url)
    with store.transaction() as tx:
        tx.upsert_units(UNITS)
    kids = _import(store_url, _csv(tmp_path / "kinder.csv", {ALTSTADT: 600, NEUSTADT: 350}),
                   "kinder_u18", "2023", "--dataset", "Kinder 2023")
    assert kids.code == 0, kids.err
    hze = _csv(tmp_path / "hze.csv", {ALTSTADT: 12, NEUSTADT: 14})
    done = _import(store_url, hze, HZE, "2023", "--dataset", DATASET,
                   "--private", KOELN, "--state-may-read")
    assert done.code == 0, done.err
    assert f"Privat für {KOELN} (Landesstelle darf lesen)" in done.out
    try:
        yield store_url, store, hze
    finally:
        store.dispose()


def _values(store: Store, scope: ReadScope | None, indicator: str) -> dict[str, float]:
    view = store if scope is None else store.scoped(scope)
    obs = view.observations(indicator_id=indicator)
    return {f"{r.unit_id}/{r.period}": float(r.value) for r in obs.itertuples()}


def _ids(store: Store, scope: ReadScope) -> set[str]:
    return {i.id for i in store.scoped(scope).indicators()}


def test_private_import_is_read_by_its_owner_and_the_state_office_only(
        world: tuple[str, Store, Path]) -> None:
    _, store, _ = world
    own = {f"{ALTSTADT}/2023": 12.0, f"{NEUSTADT}/2023": 14.0}
    for scope in (OWN, STATE, None):
        assert _values(store, scope, HZE) == own
        assert HZE in ({i.id for i in store.indicators()} if scope is None
                       else _ids(store, scope))
    for scope in (PUBLIC, FOREIGN):
        assert _values(store, scope, HZE) == {}
        assert HZE not in _ids(store, scope)
        assert DATASET not in {d.name for d in store.scoped(scope).datasets()}
    ind = store.indicator(HZE)
    assert (ind.private_to, ind.private_state) == (KOELN, True)
    ds = next(d for d in store.datasets() if d.name == DATASET)
    assert (ds.private_to, ds.private_state) == (KOELN, True)
    # the public children's counts are public
    assert _values(store, PUBLIC, "kinder_u18") == {f"{ALTSTADT}/2023": 600.0,
                                                    f"{NEUSTADT}/2023": 350.0}


def test_mark_survives_reimport_and_is_lifted_only_by_the_command(
        world: tuple[str, Store, Path]) -> None:
    url, store, hze = world
    again = _import(url, hze, HZE, "2023", "--dataset", DATASET)  # no --private
    assert again.code == 0, again.err
    revisions = [(d.revision, d.private_to) for d in store.datasets() if d.name == DATASET]
    assert revisions == [(1, KOELN), (2, KOELN)]
    assert store.indicator(HZE).private_to == KOELN
    assert _values(store, PUBLIC, HZE) == {}

    listed = _run(url, "private", "list")
    assert listed.code == 0 and HZE in listed.out and DATASET in listed.out
    assert _run(url, "private", "indicator", HZE, "--public").code == 0
    assert _values(store, PUBLIC, HZE) == {}  # the dataset is still private
    lifted = _run(url, "private", "dataset", DATASET, "--public")
    assert lifted.code == 0, lifted.err
    assert _values(store, PUBLIC, HZE) == {f"{ALTSTADT}/2023": 12.0,
                                           f"{NEUSTADT}/2023": 14.0}
    assert _run(url, "private", "indicator", HZE, "--to", BONN).code == 0
    assert _values(store, OWN, HZE) == {} and _values(store, STATE, HZE) == {}
    assert len(_values(store, FOREIGN, HZE)) == 2

    audit = store.auth.audit_entries(limit=20)
    marks = audit[audit["action"] == "indicator.private"]
    assert list(marks["object"]) == [f"indicator:{HZE}"] * 2
    texts = " ".join(map(str, marks["before"])) + " ".join(map(str, marks["after"]))
    assert KOELN in texts and BONN in texts


def test_marking_needs_a_known_row_and_a_known_unit(world: tuple[str, Store, Path]) -> None:
    url, store, hze = world
    unknown = _run(url, "private", "indicator", "gibt_es_nicht", "--to", KOELN)
    assert unknown.code == 1 and "gibt_es_nicht" in unknown.err
    nowhere = _run(url, "private", "indicator", HZE, "--to", "99999999")
    assert nowhere.code == 1 and "99999999" in nowhere.err
    assert _run(url, "private", "indicator", HZE).code == 2  # neither --to nor --public
    before = store.snapshot()
    refused = _import(url, hze, "neu", "2023", "--private", "99999999")
    assert refused.code == 1 and "99999999" in refused.err
    assert store.snapshot() == before  # nothing stored


def test_private_rows_of_a_public_indicator_stay_private(
        world: tuple[str, Store, Path], tmp_path: Path) -> None:
    url, store, _ = world
    own = _import(url, _csv(tmp_path / "k24.csv", {ALTSTADT: 610, NEUSTADT: 340}),
                  "kinder_u18", "2024", "--dataset", "Kinder Köln 2024", "--private", KOELN)
    assert own.code == 0, own.err
    assert store.indicator("kinder_u18").private_to is None  # the indicator stays public
    assert set(_values(store, PUBLIC, "kinder_u18")) == {f"{ALTSTADT}/2023",
                                                         f"{NEUSTADT}/2023"}
    assert _values(store, OWN, "kinder_u18")[f"{ALTSTADT}/2024"] == 610.0
    assert f"{ALTSTADT}/2024" not in _values(store, STATE, "kinder_u18")  # not shared

    # aggregation: 600 + 350 = 950 for Köln in 2023 (public); the private 2024 rows
    # do not enter a public sum; the private indicator's sum 12 + 14 = 26 stays private
    assert _run(url, "aggregate").code == 0
    assert _values(store, PUBLIC, "kinder_u18")[f"{KOELN}/2023"] == 950.0
    assert f"{KOELN}/2024" not in _values(store, None, "kinder_u18")
    assert _values(store, OWN, HZE)[f"{KOELN}/2023"] == 26.0
    assert f"{KOELN}/2023" not in _values(store, PUBLIC, HZE)
    assert f"{KOELN}/2023" not in _values(store, FOREIGN, HZE)


def test_derived_values_inherit_the_mark(world: tuple[str, Store, Path]) -> None:
    url, store, _ = world
    app = Kekiz(load_settings({"store": url}, environ={}))
    try:
        # 12 / 600 * 1000 = 20 and 14 / 350 * 1000 = 40 cases per 1,000 children
        rate = app.monitoring.derive_rate("hze_rate", HZE, "kinder_u18", "stadtteil",
                                          kind="rate", multiplier=1000)
        classes = app.monitoring.classify("hze_rate", "stadtteil", method="equal_interval",
                                          k=2)
    finally:
        app.close()
    assert rate[0].private_to == KOELN and classes.private_to == KOELN
    assert _values(store, OWN, "hze_rate") == {f"{ALTSTADT}/2023": 20.0,
                                               f"{NEUSTADT}/2023": 40.0}
    for ind in ("hze_rate", "hze_rate_klasse"):
        stored = store.indicator(ind)
        assert (stored.private_to, stored.private_state) == (KOELN, True)
        assert _values(store, PUBLIC, ind) == {} and _values(store, FOREIGN, ind) == {}
        assert ind not in _ids(store, PUBLIC)
        assert len(_values(store, STATE, ind)) == 2
    derived = [d for d in store.datasets() if d.kind == "derived"]
    assert derived and all(d.private_to == KOELN for d in derived)


def test_private_mark_of_combined_sources() -> None:
    pub = Indicator("a", "A", "A")
    koeln = Indicator("b", "B", "B", private_to=KOELN, private_state=True)
    koeln_closed = Dataset("c", "indicators", private_to=KOELN)
    bonn = Indicator("d", "D", "D", private_to=BONN)
    assert private_mark([pub]) == (None, False)
    assert private_mark([pub, koeln]) == (KOELN, True)
    assert private_mark([koeln, koeln_closed]) == (KOELN, False)  # state: only if all allow
    with pytest.raises(KekizError, match="verschiedene Kommunen"):
        private_mark([koeln, bonn])


def test_export_holds_private_data_only_for_its_tenant(
        world: tuple[str, Store, Path], tmp_path: Path) -> None:
    url, _, _ = world
    exported: dict[str, pd.DataFrame] = {}
    for who, extra in (("public", ()), ("koeln", ("--tenant", KOELN)),
                       ("bonn", ("--tenant", BONN))):
        out = tmp_path / f"{who}.csv"
        r = _run(url, "export", "-o", out, "--level", "stadtteil", *extra)
        assert r.code == 0, r.err
        exported[who] = pd.read_csv(out, sep=";", dtype=str)
    indicator = next(c for c in exported["public"].columns if "ndikator" in c)
    for who, expected in (("public", False), ("bonn", False), ("koeln", True)):
        assert (HZE in set(exported[who][indicator])) is expected, who
        assert "kinder_u18" in set(exported[who][indicator])
