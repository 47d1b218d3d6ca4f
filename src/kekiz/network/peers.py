"""Peer groups for benchmarking: size classes of municipalities and Kreise.

Size classes follow the usual German municipal statistics bands (BBSR Stadt- und
Gemeindetyp in spirit): Landgemeinde under 5,000 inhabitants, Kleinstadt 5,000 to under
20,000, Mittelstadt 20,000 to under 100,000, Großstadt 100,000 to under 500,000,
Metropole 500,000 and more.  Kreise are split into kreisfreie Städte and Kreise.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["SIZE_CLASSES", "kreis_type", "size_class"]

SIZE_CLASSES: tuple[tuple[float, str, str], ...] = (
    (5_000, "Landgemeinde (unter 5.000)", "rural municipality (under 5,000)"),
    (20_000, "Kleinstadt (5.000 bis unter 20.000)", "small town (5,000 to under 20,000)"),
    (100_000, "Mittelstadt (20.000 bis unter 100.000)",
     "medium town (20,000 to under 100,000)"),
    (500_000, "Großstadt (100.000 bis unter 500.000)", "city (100,000 to under 500,000)"),
    (float("inf"), "Metropole (500.000 und mehr)", "metropolis (500,000 and more)"),
)


def size_class(population: pd.Series, lang: str = "de") -> pd.Series:
    """Size-class label per unit from its inhabitants."""
    def label(n: float) -> str:
        for upper, de, en in SIZE_CLASSES:
            if n < upper:
                return en if lang == "en" else de
        return ""  # pragma: no cover - inf bounds every value

    return population.dropna().map(label)


def kreis_type(kreis_ids: pd.Series, gemeinde_parents: pd.Series, lang: str = "de") -> pd.Series:
    """'kreisfreie Stadt' for a Kreis with a single Gemeinde, else 'Kreis'."""
    children = gemeinde_parents.value_counts()
    city = "district-free city" if lang == "en" else "kreisfreie Stadt"
    kreis = "district" if lang == "en" else "Kreis"
    return pd.Series({k: city if children.get(k, 0) == 1 else kreis for k in kreis_ids},
                     dtype=object)
