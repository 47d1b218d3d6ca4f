"""Behind a TLS-terminating reverse proxy, links carry the proxy's scheme."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.web.server import kekiz_serve

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}


def _link_schemes(url: str) -> set[str]:
    body = httpx.get(f"{url}/ogcapi?f=json", headers=FORWARDED, timeout=30).json()
    return {link["href"].split("://", 1)[0] for link in body["links"]
            if "://" in link["href"]}


def test_behind_proxy_takes_the_forwarded_scheme(web_db: Path) -> None:
    with kekiz_serve(f"sqlite:///{web_db}", extra=("--behind-proxy",)) as s:
        assert _link_schemes(s.url) == {"https"}


def test_without_the_flag_forwarded_headers_are_ignored(web_db: Path) -> None:
    with kekiz_serve(f"sqlite:///{web_db}") as s:
        assert _link_schemes(s.url) == {"http"}
