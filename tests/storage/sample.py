"""A small store for the storage contract tests: Köln with two Stadtteile, Bonn, two
public indicators and one private indicator of Köln, with values in two years."""

from __future__ import annotations

from datetime import date

import pandas as pd

from kekiz.domain.model import Aggregation, Dataset, Indicator, Member, Unit
from kekiz.storage import Store

KOELN, BONN = "05315000", "05314000"
ALTSTADT, NEUSTADT = "05315000-101", "05315000-102"
UNITS = [
    Unit("05315", "Köln", "kreis", keys={"ags": "05315"}),
    Unit("05314", "Bonn", "kreis", keys={"ags": "05314"}),
    Unit(KOELN, "Köln", "gemeinde", parent_id="05315", valid_from=date(2021, 1, 1),
         keys={"ars": "053150000000"}),
    Unit(BONN, "Bonn", "gemeinde", parent_id="05314", keys={"ars": "053140000000"}),
    Unit(ALTSTADT, "Altstadt/Süd", "stadtteil", parent_id=KOELN, keys={"local": "101"}),
    Unit(NEUSTADT, "Neustadt/Süd", "stadtteil", parent_id=KOELN, keys={"local": "102"}),
]
PUBLIC = Indicator("einwohner", "Einwohner", "Inhabitants", aggregation=Aggregation.SUM)
SHARE = Indicator("kinder", "Kinder", "Children", aggregation=Aggregation.SUM)
#: Köln's own indicator, shared with the state office
PRIVATE = Indicator("schulweg", "Schulweg", "Way to school", private_to=KOELN,
                    private_state=True)
#: Köln's indicator kept from the state office as well
SECRET = Indicator("intern", "Intern", "Internal", private_to=KOELN)


def obs(indicator: str, unit: str, period: str, value: float, dataset: int | None
        ) -> dict[str, object]:
    return {"indicator_id": indicator, "unit_id": unit, "period": period, "value": value,
            "status": "ok", "dataset_id": dataset}


def fill(store: Store) -> dict[str, int]:
    """Units, the four indicators and their values; a public dataset, a dataset private to
    Köln (public indicator, private rows), and members and funding of a programme.
    Returns the dataset ids by name."""
    with store.transaction() as tx:
        tx.upsert_units(UNITS)
        tx.upsert_indicators([PUBLIC, SHARE, PRIVATE, SECRET])
        pub = tx.add_dataset(Dataset(name="öffentlich", kind="indicators"))
        own = tx.add_dataset(Dataset(name="Köln intern", kind="indicators",
                                     private_to=KOELN))
        assert pub.id is not None and own.id is not None
        rows = [obs("einwohner", u, p, v, pub.id) for u, p, v in (
            (KOELN, "2020", 1000.0), (KOELN, "2021", 1010.0), (BONN, "2021", 300.0),
            (ALTSTADT, "2021", 60.0), (NEUSTADT, "2021", 40.0))]
        rows += [obs("kinder", KOELN, "2021", 150.0, own.id),  # public indicator, own rows
                 obs("schulweg", KOELN, "2021", 2.5, pub.id),
                 obs("intern", KOELN, "2021", 7.0, own.id),
                 obs("kinder", BONN, "2021", 45.0, None)]  # no dataset: public
        tx.upsert_observations(pd.DataFrame(rows))
        tx.replace_members("KeKiz", [Member("05315", "Köln", "KeKiz", date(2017, 1, 1)),
                                     Member("05314", "Bonn", "KeKiz", date(2018, 1, 1))])
        tx.replace_funding("KeKiz", pd.DataFrame([
            {"unit_id": "05315", "year": 2017, "source": "Land", "amount": 100.0},
            {"unit_id": "05314", "year": 2018, "source": "Land", "amount": 50.0}]),
            pub.id)
    return {"public": pub.id, "own": own.id}
