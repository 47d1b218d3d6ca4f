"""Screenshots of the real pages for the guides (docs/img/*.png).

Starts ``kekiz serve`` on a free loopback port over a store (the demo store by default),
drives Debian's Chromium (/usr/bin/chromium) with Playwright and writes small palette
PNGs.  Run once from the repository root, after ``kekiz demo``::

    KEKIZ_STORE=sqlite:////tmp/docs/demo.db .venv/bin/python docs/tools/screenshots.py

The PNGs are committed; nothing here runs in the test suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "img"
CHROMIUM = os.environ.get("KEKIZ_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# name -> (path, language)
PAGES: dict[str, tuple[str, str]] = {
    "start": ("/", "de"),
    "atlas_stadtteile": ("/atlas?level=stadtteil&indicator=einwohner_u3&period=2012", "de"),
    "atlas_gisd": ("/atlas?level=gemeinde&indicator=gisd_score&period=2021", "de"),
    "profil_stadtteil": ("/unit/05315000-101", "de"),
    "vergleich": ("/compare", "de"),
    "netzwerk": ("/network", "de"),
    "quellen": ("/sources", "de"),
    "kette": ("/chain", "de"),
    "kooperation": ("/cooperation", "de"),
    "ziele": ("/goals", "de"),
    "wegweiser": ("/finder", "de"),
    "anmeldung": ("/login", "de"),
    "atlas_en": ("/atlas?level=stadtteil&indicator=einwohner_u3&period=2012&lang=en", "en"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shrink(path: Path) -> None:
    """Palette PNG with 128 colours: a few dozen KB instead of several hundred."""
    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)


def main() -> int:
    store = os.environ.get("KEKIZ_STORE")
    if not store:
        print("KEKIZ_STORE fehlt: Adresse eines Demo-Stores angeben.", file=sys.stderr)
        return 2
    port = free_port()
    kekiz = str(Path(sys.executable).with_name("kekiz"))
    proc = subprocess.Popen([kekiz, "--store", store, "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    profile = tempfile.mkdtemp(prefix="kekiz-shots-")
    try:
        for _ in range(300):
            if proc.poll() is not None:
                print(f"kekiz serve endete mit {proc.returncode}", file=sys.stderr)
                return 1
            try:
                if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                viewport={"width": 1200, "height": 780}, locale="de-DE")
            for name, (path, _lang) in PAGES.items():
                page = ctx.new_page()
                page.goto(url + path, wait_until="networkidle", timeout=180_000)
                target = OUT / f"{name}.png"
                page.screenshot(path=str(target))
                page.close()
                shrink(target)
                print(f"{target.relative_to(REPO)}: {target.stat().st_size:,} Bytes")
            ctx.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
