"""``kekiz serve``: the web application (pages, REST API, OGC API - Features) under uvicorn.

The command checks the store once, then hands uvicorn the application factory
``kekiz.web:app_from_env`` by name: every worker process builds its own application and
store connection from the same settings, passed on in the environment (``KEKIZ_STORE``,
``KEKIZ_LANG``).  Several workers suit PostgreSQL; SQLite serves many readers from one
worker as well.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer

from kekiz.cli.context import kekiz, out, t

__all__ = ["serve"]

APP_FACTORY = "kekiz.web:app_from_env"


def serve(
    host: Annotated[str, typer.Option(help="Adresse, an der der Server lauscht.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Anzahl der Prozesse "
                                         "(mehrere vor allem mit PostgreSQL).")] = 1,
    behind_proxy: Annotated[bool, typer.Option(
        "--behind-proxy", help="Hinter einem Reverse-Proxy (nginx): X-Forwarded-Proto und "
        "X-Forwarded-For der Adressen aus --forwarded-allow-ips übernehmen, damit Links "
        "https:// tragen.")] = False,
    forwarded_allow_ips: Annotated[str, typer.Option(
        help="Adressen des Proxys, deren X-Forwarded-Kopfzeilen gelten (kommagetrennt).")
    ] = "127.0.0.1",
) -> None:
    """Web-Anwendung starten: Atlas, Gebietsprofile, Landesnetzwerk, REST-API, OGC API.

    Beispiel: kekiz --store sqlite:///kekiz.db serve --port 8000 --workers 1

    Hinter nginx mit TLS: kekiz serve --port 8000 --workers 4 --behind-proxy
    """
    import uvicorn

    app = kekiz()
    settings = app.settings
    version = app.init()  # opens the store: a wrong address fails here, not per request
    safe_url = app.store.safe_url()
    app.close()
    os.environ["KEKIZ_STORE"] = str(settings.store)
    os.environ["KEKIZ_LANG"] = str(settings.lang)
    # several workers share their public answers here (kekiz.web.cache); only this
    # user reads it; one worker keeps them in its memory alone
    shared = tempfile.mkdtemp(prefix="kekiz-cache-") if workers > 1 else ""
    os.environ["KEKIZ_SHARED_CACHE_DIR"] = shared
    shown = f"[{host}]" if ":" in host else host
    out.print(t(
        f"kekiz: http://{shown}:{port}/ (Store {safe_url}, Schema {version}, "
        f"{workers} Prozess{'e' if workers != 1 else ''}); beenden mit Strg+C",
        f"kekiz: http://{shown}:{port}/ (store {safe_url}, schema {version}, "
        f"{workers} worker{'s' if workers != 1 else ''}); stop with Ctrl+C"))
    try:
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers,
                    log_level="warning", server_header=False, proxy_headers=behind_proxy,
                    forwarded_allow_ips=forwarded_allow_ips if behind_proxy else None,
                    timeout_keep_alive=30)
    finally:
        if shared:
            shutil.rmtree(shared, ignore_errors=True)
