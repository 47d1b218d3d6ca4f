"""Which modules of the web have data for the reader's store or tenant, and the page that
says what would fill an empty one (the menu hides empty modules; their pages never answer
with 404 or 422 only because nothing was imported yet)."""

from __future__ import annotations

from typing import Any

from kekiz.i18n import Translator
from kekiz.services.pages import PageService

__all__ = ["MODULES", "empty_module", "modules"]

#: module -> (German title, English title, German text, English text, command)
MODULES: dict[str, tuple[str, str, str, str, str]] = {
    "network": ("Landesnetzwerk", "State network",
                "Die Seite zeigt die Mitglieder eines Landesnetzwerks (etwa „kinderstark – "
                "NRW schafft Chancen“), ihre Reichweite und Förderung. Sie füllt sich, "
                "sobald die Mitgliederliste importiert ist.",
                "This page shows the members of a state network, their reach and funding. "
                "It fills once the list of members is imported.",
                "kekiz import members MITGLIEDER.csv"),
    "chain": ("Präventionskette", "Prevention chain",
              "Die Präventionskette zeigt Angebote (Kitas, Familienzentren, Beratung ...) je "
              "Lebensphase und Gebiet gegen den Bedarf. Sie füllt sich, sobald Angebote "
              "importiert sind.",
              "The prevention chain shows offers (day care, family centres, counselling ...) "
              "per life phase and area against need. It fills once offers are imported.",
              "kekiz chain import ANGEBOTE.csv"),
    "finder": ("Angebotsfinder", "Offer finder",
               "Der Angebotsfinder sucht Angebote in der Nähe einer Adresse. Er füllt sich, "
               "sobald Angebote importiert sind.",
               "The offer finder searches offers near an address. It fills once offers are "
               "imported.", "kekiz chain import ANGEBOTE.csv"),
    "cooperation": ("Kooperation", "Cooperation",
                    "Die Seite zeigt das Kooperationsnetzwerk der Akteure aus einer Befragung. "
                    "Sie füllt sich, sobald eine Befragungswelle importiert ist.",
                    "This page shows the cooperation network of the actors from a survey. It "
                    "fills once a survey wave is imported.",
                    "kekiz coop import BEFRAGUNG.csv --wave 1"),
    "goals": ("Ziele", "Goals",
              "Die Seite zeigt das Leitbild mit Zielen, Kennzahlen und Zielerreichung. Sie "
              "füllt sich, sobald ein Leitbild importiert ist.",
              "This page shows the Leitbild with goals, indicators and progress. It fills "
              "once a Leitbild is imported.", "kekiz goals import leitbild.yaml"),
}


def modules(m: PageService) -> dict[str, bool]:
    """Whether each module of :data:`MODULES` has data for this reader (cached until the
    next write)."""
    def make() -> dict[str, bool]:
        store = m.store
        offers = not store.load_directory().offers().empty
        return {"network": bool(store.members()), "chain": offers, "finder": offers,
                "cooperation": bool(store.cooperation_waves()),
                "goals": bool(store.leitbild_ids())}

    found: dict[str, bool] = m.cached(("modules",), make)
    return found


def empty_module(lang: str, module: str) -> dict[str, Any]:
    """The context of the page of an empty module: what it shows and what fills it."""
    title_de, title_en, text_de, text_en, command = MODULES[module]
    t = Translator(lang)
    return {"module": module, "title": t.pick(title_de, title_en),
            "text": t.pick(text_de, text_en), "command": command}
