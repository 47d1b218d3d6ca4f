#!/usr/bin/env python
"""Copy the browser tests' screenshots of every page into the handbook.

``tests/web/test_browser_a11y.py`` opens every HTML page of the demo (enumerated from the
routes) at 1366 px and 390 px and saves a full-page screenshot of each in
``test-artifacts/screenshots/page-<name>-<width>.png``.  This script takes those, scales
them to a width that reads well in the handbook (desktop 900 px, phone 300 px), cuts very
long pages at a height that still shows the page's head and its first results, and writes
them to ``docs/img/pages/`` with the gallery page ``docs/pages.md``; the handbook's own
pictures of pages (:data:`HANDBOOK`) are refreshed from the same screenshots.

Usage (after the browser tests ran, e.g. ``make screenshots``)::

    .venv/bin/python tools/docs_screenshots.py
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
OUT = ROOT / "docs" / "img" / "pages"
PAGE = ROOT / "docs" / "pages.md"
#: width: (width in the handbook, highest height kept)
SIZES = {1366: (800, 1100), 390: (280, 1000)}
#: The handbook's own pictures of pages (getting started, guides), refreshed too.
HANDBOOK = {"start.png": "index", "atlas_stadtteile.png":
            "atlas-level-stadtteil-indicator-einwohner-u3-period-2012",
            "profil_stadtteil.png": "unit-05315000-101", "kette.png": "chain",
            "kooperation.png": "cooperation", "netzwerk.png": "network",
            "quellen.png": "sources", "anmeldung.png": "login", "ziele.png": "goals",
            "vergleich.png":
            "compare-indicator-gisd-score-unit-05111000-unit-05513000-unit-05315000",
            "wegweiser.png": "finder-age-4-district-05315000-102"}
NAME = re.compile(r"^page-(?P<name>.+)-(?P<width>1366|390)\.png$")


def _scaled(source: Path, width: int, height: int) -> Image.Image:
    with Image.open(source) as img:
        img = img.convert("RGB")
        factor = width / img.width
        img = img.resize((width, max(1, round(img.height * factor))), Image.LANCZOS)
        # a palette of 128 colours keeps the handbook's pictures small (pages are flat)
        return img.crop((0, 0, width, min(img.height, height))).quantize(
            128, method=Image.Quantize.MEDIANCUT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, default=SHOTS)
    args = parser.parse_args(argv)
    found: dict[str, set[int]] = {}
    for path in sorted(args.shots.glob("page-*.png")):
        m = NAME.match(path.name)
        if m:
            found.setdefault(m["name"], set()).add(int(m["width"]))
    pages = sorted(n for n, widths in found.items() if widths == set(SIZES))
    if not pages:
        print(f"Keine Seitenbilder in {args.shots}: zuerst die Browsertests ausführen "
              "(make screenshots).", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    for name in pages:
        for width, (w, h) in SIZES.items():
            img = _scaled(args.shots / f"page-{name}-{width}.png", w, h)
            img.save(OUT / f"{name}-{width}.png", optimize=True)
    for target, name in HANDBOOK.items():
        if name in pages:
            _scaled(args.shots / f"page-{name}-1366.png", *SIZES[1366]).save(
                ROOT / "docs" / "img" / target, optimize=True)
    lines = [
        "# Die Seiten / The pages",
        "",
        "Jede Seite der Webanwendung mit den Demodaten, am Bildschirm (1366 px) und am "
        "Telefon (390 px). Die Bilder entstehen in den Browsertests "
        "(`tests/web/test_browser_a11y.py`, die auch Breite und Barrierefreiheit jeder "
        "Seite prüfen) und werden mit `make screenshots` übernommen; lange Seiten sind "
        "unten abgeschnitten.",
        "",
        "*Every page of the web application with the demo data, on a desktop (1366 px) and "
        "a phone (390 px), taken by the browser tests.*",
        "",
    ]
    for name in pages:
        lines += [f"## `{name}`", "",
                  f"![{name}, 1366 px](img/pages/{name}-1366.png){{ width=\"640\" }} "
                  f"![{name}, 390 px](img/pages/{name}-390.png){{ width=\"200\" }}", ""]
    PAGE.write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(pages)} Seiten, {2 * len(pages)} Bilder in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
