"""Request body limit: bodies above the ``max_upload`` setting are answered with 413.

A pure ASGI middleware: a declared ``Content-Length`` above the limit is rejected before
the body is read; a body without a length (chunked) is counted while it streams and the
request is cut off with 413 as soon as it passes the limit.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_MAX_UPLOAD", "BodyLimit"]

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024  # 20 MiB


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_UPLOAD) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        mb = round(self.max_bytes / (1024 * 1024), 1)
        body = json.dumps({
            "code": "PayloadTooLarge", "status": 413,
            "description": f"Die Anfrage ist größer als erlaubt ({mb:g} MB). Abhilfe: die "
            f"Datei verkleinern oder aufteilen. / The request exceeds the limit of {mb:g} MB.",
        }, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await self._reject(send)
                    return
        seen = 0
        started = False
        rejected = False

        async def counted() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    rejected = True
                    if not started:
                        await self._reject(send)
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if rejected:
                return  # the 413 has been sent; drop the application's answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted, tracked)
