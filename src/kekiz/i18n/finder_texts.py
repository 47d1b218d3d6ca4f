"""Texts of the family finder's starting points, result details and the start page card
(issue #19).  Merged into :data:`kekiz.i18n.TEXTS`; the finder's search texts are there."""

from __future__ import annotations

__all__ = ["FINDER_TEXTS"]

FINDER_TEXTS: dict[str, tuple[str, str]] = {
    "finder_near_help": ("Straße und Hausnummer (z. B. Hauptstraße 12), Stadtteil oder "
                         "Koordinaten (50.94, 6.96)",
                         "street and house number (e.g. Hauptstraße 12), district or "
                         "coordinates (50.94, 6.96)"),
    "finder_area": ("Der Familienwegweiser umfasst die Angebote in: {area}.",
                    "The family service finder covers the offers in: {area}."),
    "finder_here": ("Meinen Standort verwenden", "Use my location"),
    "finder_here_help": ("Erst nach einem Klick fragt der Browser, ob er Ihren Standort "
                         "weitergeben darf. Der Standort wird nur für diese Suche genutzt "
                         "und nicht gespeichert.",
                         "Only after a click does the browser ask whether it may share your "
                         "location. The location is used for this search only and is not "
                         "stored."),
    "finder_here_nojs": ("Ohne JavaScript: Koordinaten Ihres Standorts (z. B. aus einer "
                         "Karten-App) in „In der Nähe von“ eintragen.",
                         "Without JavaScript: enter the coordinates of your location (e.g. "
                         "from a map app) in “Near”."),
    "finder_start_device": ("Entfernung gemessen ab Ihrem Standort (vom Gerät; nicht "
                            "gespeichert).", "Distance measured from your location (from "
                            "the device; not stored)."),
    "finder_start_street": ("Entfernung gemessen ab: {name} (Stadtteil {unit}; Lage des "
                            "Straßenabschnitts laut Straßenverzeichnis).",
                            "Distance measured from: {name} (district {unit}; position of "
                            "the street section in the street directory)."),
    "finder_start_street_unit": ("Entfernung gemessen ab: {name} – das Straßenverzeichnis "
                                 "nennt keine Lage, gemessen wird ab einem Punkt im "
                                 "Stadtteil {unit}.",
                                 "Distance measured from: {name} – the street directory "
                                 "gives no position, so from a point inside the district "
                                 "{unit}."),
    "finder_streets_synthetic": ("Achtung: Das Straßenverzeichnis der Demo ist synthetisch "
                                 "(erfundene Straßen und Lagen).",
                                 "Note: the demo's street directory is synthetic (invented "
                                 "streets and positions)."),
    "finder_street_suggest": ("Die Straße „{value}“ steht nicht im Straßenverzeichnis. "
                              "Meinten Sie „{street}“?",
                              "The street “{value}” is not in the street directory. Did you "
                              "mean “{street}”?"),
    "finder_street_missing_house_number": (
        "„{value}“: Die Straße liegt in mehreren Stadtteilen. Bitte die Hausnummer angeben.",
        "“{value}”: the street runs through several districts. Please give the house number."),
    "finder_street_house_number_outside": (
        "„{value}“: Diese Hausnummer steht nicht im Straßenverzeichnis.",
        "“{value}”: this house number is not in the street directory."),
    "finder_street_ambiguous": (
        "„{value}“: Die Adresse ist im Straßenverzeichnis nicht eindeutig. Bitte die "
        "Postleitzahl angeben (z. B. Hauptstraße 12, 50667).",
        "“{value}”: the address is ambiguous in the street directory. Please give the "
        "postcode (e.g. Hauptstraße 12, 50667)."),
    "finder_street_postcode_mismatch": (
        "„{value}“: Die Straße hat im Straßenverzeichnis eine andere Postleitzahl.",
        "“{value}”: the street has another postcode in the street directory."),
    "finder_street_no_directory": ("„{value}“ wurde nicht gefunden.",
                                   "“{value}” was not found."),
    "walking_time": ("ca. {n} Min. zu Fuß", "about {n} min on foot"),
    "walking_rule": ("Luftlinie; Gehzeit bei {kmh} km/h – der Weg auf der Straße ist "
                     "meist länger.", "straight line; walking time at {kmh} km/h – the way "
                     "along the streets is usually longer."),
    "free_of_charge": ("kostenlos", "free of charge"),
    "finder_field_address": ("Adresse", "Address"),
    "finder_field_phone": ("Telefon", "Phone"),
    "finder_field_email": ("E-Mail", "E-mail"),
    "finder_field_website": ("Website", "Website"),
    "finder_field_schedule": ("Öffnungszeiten", "Opening hours"),
    "finder_field_languages": ("Sprachen", "Languages"),
    "finder_field_cost": ("Kosten", "Costs"),
    "finder_field_position": ("Lage", "Position"),
    "finder_field_topics": ("Themen", "Topics"),
    "finder_position": ("{lat}° N, {lon}° O (auf etwa 100 m)",
                        "{lat}° N, {lon}° E (to about 100 m)"),
    "finder_missing": ("Nicht in den Daten: {fields}.", "Not in the data: {fields}."),
    "finder_source": ("Quelle: {source}", "Source: {source}"),
    "finder_card_title": ("Angebote für Familien finden", "Find offers for families"),
    "finder_card_text": ("Kita, Hebamme, Beratung, Sport und mehr in Ihrer Nähe: nach Alter "
                         "des Kindes, Thema und Adresse – mit Öffnungszeiten, Kontakt und "
                         "Gehzeit.", "Day care, midwives, counselling, sport and more near "
                         "you: by the child's age, topic and address – with opening hours, "
                         "contact and walking time."),
    "finder_card_link": ("Zum Familienwegweiser", "Open the family service finder"),
    "report_of_area": ("Bericht zu diesem Gebiet", "Report on this area"),
    "report_pdf": ("PDF öffnen", "Open PDF"),
    "report_html": ("HTML herunterladen", "Download HTML"),
    "report_on_demand": ("wird beim ersten Abruf erstellt, das kann etwas dauern",
                         "built on first request, this may take a while"),
    "interval_95": ("95-%-Intervall", "95% interval"),
    "count_numerator": ("Fälle (Zähler)", "Cases (numerator)"),
    "count_denominator": ("Basis (Nenner)", "Base (denominator)"),
    "categorical_note": ("Kategorien, keine Zahlen: jede Farbe steht für eine Art von "
                         "Ergebnis (Hotspot rot, Coldspot blau), nicht für eine Größe.",
                         "Categories, not numbers: each colour stands for a kind of result "
                         "(hot spot red, cold spot blue), not for a size."),
}
