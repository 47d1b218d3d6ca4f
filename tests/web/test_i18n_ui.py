"""The scripts' texts: every text a script asks for exists in German and English."""

from __future__ import annotations

import re

from kekiz.i18n import Translator
from kekiz.i18n.ui_texts import UI_TEXTS
from kekiz.web.deps import HERE

SCRIPTS = ("kekiz.js", "kekiz-map.js", "kekiz-figures.js")


def test_every_text_a_script_uses_is_there_in_both_languages() -> None:
    de, en = Translator("de").group("js_"), Translator("en").group("js_")
    assert de.keys() == en.keys() == {k[3:] for k in UI_TEXTS if k.startswith("js_")}
    used: set[str] = set()
    for name in SCRIPTS:
        source = (HERE / "static" / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'\bsay\("(\w+)"', source))
        used |= set(re.findall(r"\btexts\.(\w+)", source))
    assert used, "the scripts ask for their texts through say() or texts.<key>"
    assert used <= de.keys(), sorted(used - de.keys())
    assert de["search_label"] == "Ort auf der Karte suchen"
    assert en["search_label"] == "Find a place on the map"
    for key in de:
        assert re.findall(r"\{\w+\}", de[key]) == re.findall(r"\{\w+\}", en[key]), key
