"""A database outage is a 503 with Retry-After, not a 500: nothing was changed, send it again."""

import httpx
from fastapi import FastAPI
from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError

from mentorship_runtime.http_errors import install_error_handlers


async def test_an_unreachable_database_answers_503_with_retry_after() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/selection")
    async def selection() -> None:
        raise ServerSelectionTimeoutError("127.0.0.1:27018: connection refused")

    @app.post("/reconnect")
    async def reconnect() -> None:
        raise AutoReconnect("connection reset")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        answers = [await http.post(path) for path in ("/selection", "/reconnect")]

    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "5"
        assert "nothing was changed" in answer.json()["detail"]
        assert "27018" not in answer.text  # the server's address is not the client's business
