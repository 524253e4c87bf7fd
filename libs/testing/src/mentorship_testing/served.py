"""An ASGI app served by uvicorn on a free local port, for tests that need a real server
(websockets, a client in another event loop, HTTP as a front end speaks it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import uvicorn

from mentorship_testing.kafka import eventually


@asynccontextmanager
async def served(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "auto", log_level: str = "warning"
) -> AsyncIterator[str]:
    """The app's base URL (``http://127.0.0.1:<port>``) while it is served; stopped after.
    ``lifespan="off"`` for an app whose lifespan the test has entered already."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level=log_level,
        ws="websockets-sansio",
        lifespan=lifespan,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or task.done(), timeout=30)
        if task.done():
            task.result()
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
