"""The gateway's ASGI app: GraphQL over HTTP (POST only) and graphql-transport-ws, health."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from cross_web import HTTPException
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from graphql import GraphQLError
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http.exceptions import NonTextMessageReceived
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from gateway import dev_sign_in, sign_in_config
from gateway.audit_csv import router as audit_csv_router
from gateway.body_limit import BodyLimit
from gateway.config import ServiceName, Settings
from gateway.context import GatewayContext, Runtime, bearer_token, correlation_id
from gateway.data_export_zip import router as data_export_zip_router
from gateway.errors import TIMEOUT, UNAUTHENTICATED
from gateway.examples import EXAMPLE_OPERATIONS
from gateway.live import NotificationFeed, NotificationHub
from gateway.report_csv import router as report_csv_router
from gateway.request_body import BadRequestBody, decode_request, too_large
from gateway.schema import build_schema
from gateway.scim.routes import ScimProblem
from gateway.scim.routes import problem_handler as scim_problem
from gateway.scim.routes import router as scim_router
from gateway.services import make_clients
from mentorship_runtime.auth import TokenVerifier
from mentorship_runtime.logging import configure_logging
from mentorship_runtime.metrics import HttpMetrics, metrics_router
from mentorship_runtime.tracing import configure_tracing

PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")
_EXAMPLE_LITERAL = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)


async def _context(connection: HTTPConnection) -> GatewayContext:
    runtime: Runtime = connection.app.state.runtime
    websocket = connection.scope["type"] == "websocket"
    context = GatewayContext(
        runtime,
        correlation_id(connection.headers.get("x-correlation-id")),
        per_connection=websocket,
    )
    if not websocket:
        await context.authenticate(bearer_token(connection.headers.get("authorization")))
    return context


WS_MESSAGE_TOO_BIG = 4413
WS_BAD_MESSAGE = 4400


class BoundedWebSocketAdapter(ASGIWebSocketAdapter):
    """Websocket messages are held to the HTTP body limit and decoded by the same rules; a
    message that breaks them closes the socket with a code and a reason saying which."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        router: GatewayRouter = self.view  # type: ignore[assignment]
        limit = router.settings.max_body_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                try:
                    text = await self.ws.receive_text()
                except KeyError as exc:
                    raise NonTextMessageReceived from exc
                if too_large(text, limit):
                    await self.close(WS_MESSAGE_TOO_BIG, f"a message is larger than {limit} bytes")
                    return
                try:
                    message = decode_request(text, max_bytes=limit)
                except BadRequestBody as exc:
                    if ignore_parsing_errors:
                        continue
                    await self.close(WS_BAD_MESSAGE, str(exc)[:120])
                    return
                yield message
        except WebSocketDisconnect:
            return


class GatewayRouter(GraphQLRouter[GatewayContext, None]):
    websocket_adapter_class = BoundedWebSocketAdapter

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        self.settings = settings
        super().__init__(
            build_schema(settings),
            path="/graphql",
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=False,
            context_getter=_context,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=settings.subscriptions_per_connection,
            multipart_uploads_enabled=True,
            **kwargs,
        )

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL opens on example operations of this API."""
        example = f"const EXAMPLE_QUERY = {json.dumps(EXAMPLE_OPERATIONS)};"
        return _EXAMPLE_LITERAL.sub(lambda _: example, super().graphql_ide_html, count=1)

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        """File uploads (the GraphQL multipart request spec) only with a header a browser
        cannot send across sites without asking first (``PREFLIGHT_HEADERS``): a form posted
        from another site is refused before its body is read."""
        if not any(request.headers.get(name) for name in PREFLIGHT_HEADERS):
            raise HTTPException(
                400,
                "a multipart request needs a non-empty Apollo-Require-Preflight or "
                "X-Apollo-Operation-Name header (protection against cross-site requests)",
            )
        return await super().parse_multipart(request)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return decode_request(data, max_bytes=self.settings.max_body_bytes)
        except BadRequestBody as exc:
            raise HTTPException(400, str(exc)) from None

    async def on_ws_connect(self, context: GatewayContext) -> UnsetType | dict[str, object] | None:
        """The token comes in ``connection_init``'s payload (``Authorization``, ``authorization``
        or ``token``), or else in the upgrade request's ``Authorization`` header."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        raw: object = (
            params.get("Authorization") or params.get("authorization") or params.get("token")
        )
        if raw is None and context.request is not None:
            raw = context.request.headers.get("authorization")
        await context.authenticate(bearer_token(raw))
        if context.principal is None:
            raise ConnectionRejectionError(
                {"code": UNAUTHENTICATED, "message": context.auth_problem}
            )
        acknowledged: UnsetType = UNSET
        return acknowledged

    async def execute_single(self, **kwargs: Any) -> ExecutionResult:  # type: ignore[override]
        """Every request has a deadline: past it, the caller gets a TIMEOUT error."""
        context: GatewayContext = kwargs["context"]
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds) as deadline:
                context.deadline = deadline
                return await super().execute_single(**kwargs)
        except TimeoutError:
            message = "the request took longer than it may"
            error = GraphQLError(message, extensions={"code": TIMEOUT})
            return ExecutionResult(
                data=None,
                errors=[error],
                extensions={"correlationId": context.correlation_id},
            )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Requests that are not GraphQL at all (no query, not JSON, GET) answer with a GraphQL
        error body and their 4xx status, like every other error."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            return JSONResponse(
                {"errors": [{"message": exc.reason, "extensions": {"code": "BAD_REQUEST"}}]},
                status_code=exc.status_code,
            )


def create_app(
    settings: Settings,
    *,
    transports: Mapping[ServiceName, httpx.AsyncBaseTransport] | None = None,
    live_updates: bool = True,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """``transports`` replaces the network for tests (e.g. the services' ASGI apps in-process);
    ``live_updates=False`` runs without Kafka (no subscriptions); ``verifier`` replaces the one
    the settings describe (tests of the production profile, which has no local keys)."""
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name)
    hub = NotificationHub(settings.subscription_queue_size)
    feed = (
        NotificationFeed(
            hub,
            bootstrap=settings.kafka_bootstrap_servers,
            topic_prefix=settings.kafka_topic_prefix,
            instance_id=settings.instance_id,
            security=settings.kafka_security(),
        )
        if live_updates
        else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        clients = make_clients(settings, transports)
        verifying = verifier or TokenVerifier(settings.token_settings())
        app.state.runtime = Runtime(settings, verifying, clients, hub)
        if feed is not None:
            await feed.start()
        try:
            yield
        finally:
            if feed is not None:
                await feed.stop()
            for client in clients.values():
                await client.aclose()

    app = FastAPI(
        title="Mentoring platform GraphQL gateway",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.feed = feed
    app.state.hub = hub
    app.include_router(GatewayRouter(settings))
    app.include_router(report_csv_router)
    app.include_router(data_export_zip_router)
    app.include_router(audit_csv_router)
    app.include_router(metrics_router())
    if dev_sign_in.enabled(settings):
        app.include_router(dev_sign_in.router())
    app.include_router(sign_in_config.router(settings))
    app.include_router(scim_router)
    app.add_exception_handler(ScimProblem, scim_problem)
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes
    )
    app.add_middleware(HttpMetrics)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        """Ready to serve queries. Live updates are reported, not required: without Kafka the
        gateway still answers queries and mutations, and subscriptions start when it is back."""
        live = "off" if feed is None else ("on" if feed.ready.is_set() else "connecting")
        return {"status": "ok", "live_updates": live}

    return app
