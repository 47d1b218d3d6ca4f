"""English names of the finder's topics and target groups, and of opening hours written
the German way (``Mo–Fr 9–16 Uhr``).

A topic not listed here keeps its German name in English (the data's own word), so a
municipality's own topics still show; ``topic_name`` never invents a translation.
"""

from __future__ import annotations

import re

__all__ = ["TOPICS_EN", "schedule_text", "topic_name"]

#: German topic or target group -> English.
TOPICS_EN = {
    "Ausbildung": "Vocational training",
    "Beratung": "Counselling",
    "Berufskolleg": "Vocational college",
    "Berufsorientierung": "Career orientation",
    "Bewegung": "Physical activity",
    "Eltern": "Parents",
    "Elternbildung": "Parent education",
    "Erziehung": "Parenting",
    "Familien": "Families",
    "Familien mit Neugeborenen": "Families with newborns",
    "Familienbildung": "Family education",
    "Förderschule": "Special needs school",
    "Freizeit": "Leisure",
    "Frühe Hilfen": "Early help",
    "Geburtsvorbereitung": "Antenatal classes",
    "Gesundheit": "Health",
    "Gewaltprävention": "Violence prevention",
    "Grundschule": "Primary school",
    "Jugendliche": "Adolescents",
    "Kinder und Jugendliche": "Children and adolescents",
    "Kindertagesbetreuung": "Day care",
    "Lernförderung": "Learning support",
    "Medienkompetenz": "Media literacy",
    "Offene Jugendarbeit": "Open youth work",
    "Schule": "School",
    "Schulform unbekannt": "School type unknown",
    "Schwangere": "Pregnant women",
    "Sport": "Sport",
    "Sprachförderung": "Language support",
    "Vorsorge": "Check-ups",
    "weiterführende Schule": "Secondary school",
    "werdende Eltern": "Expectant parents",
    "Willkommensbesuch": "Welcome visit",
    "Wochenbettbetreuung": "Postnatal care",
    "junge Erwachsene": "Young adults",
}

_DAYS = {"Mo": "Mon", "Di": "Tue", "Mi": "Wed", "Do": "Thu", "Fr": "Fri", "Sa": "Sat",
         "So": "Sun"}
_WORDS = {"Uhr": "h", "und": "and", "nach Vereinbarung": "by appointment",
          "Termine": "sessions", "Termin": "session"}
_DAY = re.compile(r"\b(" + "|".join(_DAYS) + r")\b")
_WORD = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b")


def topic_name(topic: str, lang: str) -> str:
    """The topic in ``lang`` (German: as stored)."""
    return TOPICS_EN.get(topic, topic) if lang == "en" else topic


def schedule_text(text: str, lang: str) -> str:
    """Opening hours in ``lang``: ``"Mo–Fr 9–16 Uhr"`` -> ``"Mon–Fri 9–16 h"`` in English."""
    if lang != "en":
        return text
    return _WORD.sub(lambda m: _WORDS[m.group(1)], _DAY.sub(lambda m: _DAYS[m.group(1)], text))
