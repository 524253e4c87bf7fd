"""A request body larger than the limit is refused (413) before it is read whole: the token
limit bounds a query's text, this bounds everything else a client can send (variables). A
multipart request (a file upload, spooled to disk as it arrives) has a limit of its own."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int | None = None
    ) -> None:
        self._app = app
        self._max = max_bytes
        self._max_upload = max_upload_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self._max_upload if content_type == b"multipart/form-data" else self._max
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, send, limit)
            return
        seen = 0
        started = False

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, counting, tracking)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        message = f"the request body is larger than {limit} bytes"
        if str(scope.get("path", "")).startswith("/scim/"):  # SCIM's error format
            body = json.dumps(
                {"schemas": [SCIM_ERROR], "status": "413", "detail": message}
            ).encode()
            content_type = b"application/scim+json"
        else:
            body = json.dumps(
                {"errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
            ).encode()
            content_type = b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", content_type)],
            }
        )
        await send({"type": "http.response.body", "body": body})
