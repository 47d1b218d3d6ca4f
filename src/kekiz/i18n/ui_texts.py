"""Texts of the interactive maps, figure downloads and the API documentation page.

Merged into :data:`kekiz.i18n.TEXTS`.  Keys starting with ``js_`` are what the
scripts show; ``base.html`` hands them to the page as JSON in ``<meta
name="kekiz-texts">`` (``Translator.group("js_")``), so the scripts hold no text of their
own.  ``{name}``-style fields in them are filled in by the scripts.
"""

from __future__ import annotations

__all__ = ["UI_TEXTS"]

UI_TEXTS: dict[str, tuple[str, str]] = {
    "api_docs": ("API-Dokumentation", "API documentation"),
    "api_docs_intro": ("Alle Endpunkte der REST-API mit ihren Parametern und Antworten, "
                       "zum Lesen und Ausprobieren. Die maschinenlesbare Beschreibung steht "
                       "als OpenAPI-JSON bereit.",
                       "Every endpoint of the REST API with its parameters and responses, "
                       "to read and to try out. The machine-readable description is "
                       "available as OpenAPI JSON."),
    "endpoints": ("Endpunkte", "Endpoints"),
    "openapi_raw": ("OpenAPI-Beschreibung (JSON)", "OpenAPI description (JSON)"),
    "api_docs_nojs": ("Diese Ansicht braucht JavaScript. Ohne JavaScript beschreibt die "
                      "OpenAPI-Beschreibung (JSON) dieselben Endpunkte.",
                      "This view needs JavaScript. Without it, the OpenAPI description "
                      "(JSON) describes the same endpoints."),
    "measure_col": ("Kennzahl", "Measure"),
    "js_map_label": ("Interaktive Karte: {title}", "Interactive map: {title}"),
    "js_map_help": ("Pfeiltasten verschieben die Karte, Plus und Minus zoomen, die "
                    "Eingabetaste öffnet das Gebiet in der Kartenmitte, Pos1 zeigt wieder "
                    "die ganze Karte. Mit der Maus: ziehen, Mausrad, Klick auf ein Gebiet; "
                    "auf dem Telefon: tippen zeigt den Wert, ein zweites Tippen öffnet das "
                    "Gebiet.",
                    "Arrow keys pan the map, plus and minus zoom, Enter opens the area in "
                    "the centre of the map, Home shows the whole map again. With a mouse: "
                    "drag, wheel, click an area; on a phone: a tap shows the value, a "
                    "second tap opens the area."),
    "js_zoom_in": ("Vergrößern", "Zoom in"),
    "js_zoom_out": ("Verkleinern", "Zoom out"),
    "js_reset": ("Ganze Karte zeigen", "Show the whole map"),
    "js_centre": ("Kartenmitte: {name}", "Map centre: {name}"),
    "js_centre_none": ("Kartenmitte: kein Gebiet", "Map centre: no area"),
    "js_tap_again": ("Noch einmal tippen öffnet das Gebiet.", "Tap again to open the area."),
    "js_list": ("Gebiete der Karte als Liste ({n})", "Areas of the map as a list ({n})"),
    "js_search_label": ("Ort auf der Karte suchen", "Find a place on the map"),
    "js_search_help": ("Gemeinde, Stadtbezirk, Stadtteil oder Straße",
                       "Municipality, borough, district or street"),
    "js_search_button": ("Suchen", "Search"),
    "js_search_none": ("Kein Ort gefunden für „{q}“.", "No place found for “{q}”."),
    "js_search_found": ("Gefundene Orte: {n}. Einen auswählen, um die Karte dorthin zu "
                        "bewegen.", "Places found: {n}. Choose one to move the map there."),
    "js_search_error": ("Die Ortssuche ist gerade nicht möglich.",
                        "The place search is not available right now."),
    "js_centred": ("Die Karte zeigt {name}.", "The map shows {name}."),
    "js_map_error": ("Die interaktive Karte konnte nicht geladen werden; die Karte unten "
                     "zeigt alle Gebiete.", "The interactive map could not be loaded; the "
                     "map below shows every area."),
    "js_dl_png": ("{what} als PNG-Bild herunterladen", "Download {what} as PNG image"),
    "js_dl_svg": ("{what} als SVG-Grafik herunterladen", "Download {what} as SVG graphic"),
    "js_dl_csv": ("Daten als CSV (Excel) herunterladen", "Download the data as CSV (Excel)"),
    "js_map_word": ("Karte", "Map"),
    "js_chart_word": ("Diagramm", "Chart"),
    "js_table_region": ("{name} (seitlich verschiebbar)", "{name} (scrolls sideways)"),
    "js_table_word": ("Tabelle", "Table"),
    "js_csv_id": ("Schlüssel", "Key"),
    "js_csv_area": ("Gebiet", "Area"),
    "js_csv_series": ("Reihe", "Series"),
    "js_csv_x": ("x", "x"),
    "js_csv_y": ("y", "y"),
    "js_csv_value": ("Wert", "Value"),
    "js_csv_label": ("Beschriftung", "Label"),
    # the family finder's button for the device's position
    "js_finder_here_wait": ("Standort wird bestimmt …", "Finding your location …"),
    "js_finder_here_denied": ("Der Standort ist nicht verfügbar (nicht erlaubt oder nicht "
                              "bestimmbar). Bitte eine Adresse eingeben.",
                              "The location is not available (not allowed or not found). "
                              "Please enter an address."),
}
