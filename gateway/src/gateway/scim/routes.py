"""The SCIM 2.0 edge (``/scim/v2``): identity providers provision a program's participants.

Every ``/Users`` call carries a program's SCIM token as its bearer token; the gateway hands it
to the mentoring service, which checks it on every call and works in that program only. The
discovery endpoints (``/ServiceProviderConfig``, ``/Schemas``, ``/ResourceTypes``) describe the
service and are open. Answers are ``application/scim+json``; every error is a SCIM error
(``status``, ``scimType`` where RFC 7644 names one, ``detail``).

Filters: ``userName eq "…"``, ``externalId eq "…"`` and ``id eq "…"``; any other is an
``invalidFilter``. ``startIndex`` (from 1) and ``count`` (0 to 100, 100 when not given) page the
list. PATCH applies RFC 7644 §3.5.2's operations (``scim2-models``) to the stored user and
replaces it whole. DELETE withdraws the person, as ``active: false`` does, and forgets the
account: the participant stays (withdrawn), the provider no longer sees them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Error,
    ETag,
    Filter,
    Meta,
    Patch,
    PatchOp,
    ResourceType,
    ResponseParameters,
    SchemaExtension,
    SCIMException,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
)

from gateway.context import Runtime, correlation_id
from gateway.request_body import BadRequestBody, decode_request
from gateway.scim.mapping import account_body, user_of
from gateway.scim.resources import Enterprise, Mentorship, User
from gateway.services import CallLog, ServiceCalls, ServiceRejected, ServiceUnavailable

SCIM_JSON = "application/scim+json"
WITH_IDS = {"Users", "Schemas", "ResourceTypes"}
ENDPOINTS = {"ServiceProviderConfig", "Schemas", "ResourceTypes", "Users", ".search"}
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
MAX_BODY = 256 * 1024
MAX_COUNT = 100
PATCH_ATTEMPTS = 10
"""Rounds of read-patch-write while other requests change the same user (each round, one
of them wins)."""
_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,64}")
_FILTER = re.compile(
    r'\s*(?P<attribute>[A-Za-z:._0-9]+)\s+eq\s+(?P<value>"(?:[^"\\]|\\.)*")\s*', re.IGNORECASE
)
FILTERABLE = {"username": "user_name", "externalid": "external_id", "id": "id"}
_KNOWN = {
    alias.casefold()
    for field, info in User.model_fields.items()
    for alias in (info.serialization_alias or field, field)
} | {"schemas", "id", "externalid", "meta"}
_EXTENSIONS = {Enterprise.__schema__.casefold(), Mentorship.__schema__.casefold()}

router = APIRouter(prefix="/scim/v2")


class ScimProblem(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        super().__init__(detail)


def scim_json(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(content, status_code=status, media_type=SCIM_JSON, headers=headers)


def error_response(status: int, detail: str, scim_type: str | None = None) -> Response:
    body = Error(status=status, scim_type=scim_type, detail=detail).model_dump()
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return scim_json(body, status, headers)


async def problem_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ScimProblem)
    return error_response(exc.status, exc.detail, exc.scim_type)


# ---- discovery ------------------------------------------------------------------------------


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + router.prefix


def _config(request: Request) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Program SCIM token",
                description="A bearer token an admin of the program creates (GraphQL "
                "createScimToken); it opens that program only.",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=_base(request) + "/ServiceProviderConfig",
        ),
    )


def _schemas(request: Request) -> list[Any]:
    found = []
    for model in (User, Enterprise, Mentorship):
        schema = model.to_schema()
        schema.meta = Meta(resource_type="Schema", location=f"{_base(request)}/Schemas/{schema.id}")
        found.append(schema)
    return found


def _resource_type(request: Request) -> ResourceType:
    return ResourceType(
        id="User",
        name="User",
        description="A participant of the program the token opens",
        endpoint="/Users",
        schema_=URN(User.__schema__),
        schema_extensions=[
            SchemaExtension(schema_=URN(Enterprise.__schema__), required=False),
            SchemaExtension(schema_=URN(Mentorship.__schema__), required=False),
        ],
        meta=Meta(resource_type="ResourceType", location=f"{_base(request)}/ResourceTypes/User"),
    )


def _listed(resources: list[Any]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": [r.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for r in resources],
    }


@router.get("/ServiceProviderConfig")
async def service_provider_config(request: Request) -> Response:
    return scim_json(_config(request).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@router.get("/Schemas")
async def schemas(request: Request) -> Response:
    return scim_json(_listed(_schemas(request)))


@router.get("/Schemas/{schema_id}")
async def schema(schema_id: str, request: Request) -> Response:
    for found in _schemas(request):
        if found.id == schema_id:
            return scim_json(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise ScimProblem(404, f"no schema {schema_id[:200]!r}")


@router.get("/ResourceTypes")
async def resource_types(request: Request) -> Response:
    return scim_json(_listed([_resource_type(request)]))


@router.get("/ResourceTypes/{type_id}")
async def resource_type(type_id: str, request: Request) -> Response:
    if type_id != "User":
        raise ScimProblem(404, f"no resource type {type_id[:200]!r}")
    return scim_json(_resource_type(request).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


# ---- users ----------------------------------------------------------------------------------


def _calls(request: Request) -> ServiceCalls:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or not token.isascii() or not token.isprintable():
        raise ScimProblem(401, "a program's SCIM token is required as the bearer token")
    runtime: Runtime = request.app.state.runtime
    return ServiceCalls(
        runtime.clients,
        token,
        correlation_id(request.headers.get("x-correlation-id")),
        CallLog(),
    )


async def _mentoring(call: Callable[[], Awaitable[Any]]) -> Any:
    """The mentoring service's answer, its refusals as SCIM errors."""
    try:
        return await call()
    except ServiceUnavailable:
        raise ScimProblem(503, "the mentoring service cannot answer now; try again") from None
    except ServiceRejected as exc:
        detail = _detail(exc.body)
        if exc.status == 401:
            raise ScimProblem(
                401, "the SCIM token is unknown, revoked or no longer valid"
            ) from None
        if exc.status == 404:
            raise ScimProblem(404, detail) from None
        if exc.status == 409:
            raise ScimProblem(409, detail, "uniqueness") from None
        if exc.status == 403:
            raise ScimProblem(403, detail) from None
        if exc.status == 412:
            raise ScimProblem(412, detail) from None
        raise ScimProblem(400, detail, "invalidValue") from None


def _detail(body: Any) -> str:
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):
        return (
            "; ".join(
                f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}"
                for d in detail
                if isinstance(d, dict)
            )
            or "refused"
        )
    return str(detail)[:500]


def _user_id(raw: str) -> str:
    if not _ID.fullmatch(raw) or set(raw) == {"."}:
        raise ScimProblem(404, "no such user")
    return raw


async def _body(request: Request) -> dict[str, Any]:
    data = await request.body()
    if len(data) > MAX_BODY:
        raise ScimProblem(413, f"the body is larger than {MAX_BODY} bytes")
    if not data.lstrip().startswith(b"{"):
        raise ScimProblem(400, "the body must be a JSON object", "invalidSyntax")
    try:
        return decode_request(data, max_bytes=MAX_BODY)
    except BadRequestBody as exc:
        raise ScimProblem(400, str(exc), "invalidSyntax") from None


def _kept(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without the attributes and extensions this platform does not keep."""
    kept = {
        k: v for k, v in payload.items() if k.casefold() in _KNOWN or k.casefold() in _EXTENSIONS
    }
    if isinstance(kept.get("schemas"), list):
        kept["schemas"] = [
            s
            for s in kept["schemas"]
            if not isinstance(s, str)
            or s.casefold() in _EXTENSIONS
            or s.casefold() == User.__schema__.casefold()
        ]
    return kept


def _parsed(payload: dict[str, Any], context: Context) -> User:
    try:
        return User.model_validate(_kept(payload), scim_ctx=context)
    except ValidationError as exc:
        raise ScimProblem(400, _validation_detail(exc), "invalidValue") from None
    except SCIMException as exc:
        raise ScimProblem(exc.status, exc.detail, exc.scim_type) from None


def _validation_detail(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"{where}: {first['msg']}"[:500]


def _asked(params: dict[str, Any]) -> ResponseParameters[Any]:
    """The ``attributes`` or ``excludedAttributes`` a request names (checked before any work)."""
    attributes, excluded = params.get("attributes"), params.get("excludedAttributes")
    if attributes and excluded:
        raise ScimProblem(
            400, "attributes and excludedAttributes exclude each other", "invalidValue"
        )
    try:
        return ResponseParameters(
            attributes=_names(attributes) if attributes else None,
            excluded_attributes=_names(excluded) if excluded else None,
        )
    except (ValidationError, SCIMException) as exc:
        raise ScimProblem(400, f"attributes: {exc}"[:500], "invalidValue") from None


def _shape(user: User, context: Context, asked: ResponseParameters[Any]) -> dict[str, Any]:
    return user.model_dump(scim_ctx=context, response_parameters=asked)


def _names(given: Any) -> list[str]:
    names = given.split(",") if isinstance(given, str) else given
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ScimProblem(400, "attributes are a list of attribute names", "invalidValue")
    return [n.strip() for n in names if n.strip()][:100]


def _location(request: Request, participant_id: str) -> str:
    return f"{_base(request)}/Users/{participant_id}"


def _scim_user(request: Request, account: dict[str, Any]) -> User:
    return user_of(account, _location(request, account["participant_id"]))


async def _account(calls: ServiceCalls, user_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = await _mentoring(
        lambda: calls.get("mentoring", f"/provisioning/accounts/{user_id}")
    )
    return answer


def _filter(expression: str) -> dict[str, str]:
    found = _FILTER.fullmatch(expression)
    attribute = found["attribute"].casefold() if found else ""
    prefix = User.__schema__.casefold() + ":"
    attribute = attribute.removeprefix(prefix)
    if found is None or attribute not in FILTERABLE:
        raise ScimProblem(
            400,
            'the filters served are userName eq "…", externalId eq "…" and id eq "…"',
            "invalidFilter",
        )
    value = json.loads(found["value"])
    return {FILTERABLE[attribute]: value}


def _paging(start: Any, count: Any) -> tuple[int, int]:
    def number(raw: Any, name: str, default: int) -> int:
        if raw is None:
            return default
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ScimProblem(400, f"{name} is a whole number", "invalidValue") from None

    first = max(1, number(start, "startIndex", 1))  # RFC 7644 §3.4.2.4: less than 1 is 1
    size = min(MAX_COUNT, max(0, number(count, "count", MAX_COUNT)))
    return min(first, 1_000_000), size


async def _list(request: Request, params: dict[str, Any]) -> Response:
    calls = _calls(request)
    asked = _asked(params)
    start, count = _paging(params.get("startIndex"), params.get("count"))
    query: dict[str, Any] = {"start": start, "count": count}
    expression = params.get("filter")
    if expression is not None:
        if not isinstance(expression, str) or len(expression) > 1000:
            raise ScimProblem(
                400, "a filter is a text of at most 1,000 characters", "invalidFilter"
            )
        query |= _filter(expression)
    page: dict[str, Any]
    if "id" in query:
        wanted = query.pop("id")
        try:
            found = [await _account(calls, _user_id(wanted))]
        except ScimProblem as exc:
            if exc.status != 404:
                raise
            found = []
        page = {"total": len(found), "items": found[start - 1 : start - 1 + count]}
    else:
        page = await _mentoring(lambda: calls.get("mentoring", "/provisioning/accounts", query))
    users = [_shape(_scim_user(request, a), Context.SEARCH_RESPONSE, asked) for a in page["items"]]
    body = {
        "schemas": [LIST_RESPONSE],
        "totalResults": page["total"],
        "startIndex": start,
        "itemsPerPage": len(users),
        "Resources": users,
    }
    return scim_json(body)


@router.get("/Users")
async def list_users(request: Request) -> Response:
    return await _list(request, dict(request.query_params))


@router.post("/Users/.search")
@router.post("/.search")
async def search_users(request: Request) -> Response:
    payload = await _body(request)
    try:
        search: SearchRequest[Any] = SearchRequest.model_validate(
            payload, scim_ctx=Context.SEARCH_REQUEST
        )
    except ValidationError as exc:
        raise ScimProblem(400, _validation_detail(exc), "invalidValue") from None
    except SCIMException as exc:
        raise ScimProblem(exc.status, exc.detail, exc.scim_type) from None
    params: dict[str, Any] = {
        "filter": payload.get("filter"),
        "startIndex": search.start_index,
        "count": search.count,
        "attributes": [str(a) for a in search.attributes or []] or None,
        "excludedAttributes": [str(a) for a in search.excluded_attributes or []] or None,
    }
    return await _list(request, params)


@router.post("/Users")
async def create_user(request: Request) -> Response:
    calls = _calls(request)
    asked = _asked(dict(request.query_params))
    user = _parsed(await _body(request), Context.RESOURCE_CREATION_REQUEST)
    body = _mapped(user)
    account = await _mentoring(lambda: calls.post("mentoring", "/provisioning/accounts", body))
    created = _scim_user(request, account)
    return scim_json(
        _shape(created, Context.RESOURCE_CREATION_RESPONSE, asked),
        201,
        {"Location": _location(request, account["participant_id"])},
    )


def _mapped(user: User) -> dict[str, Any]:
    try:
        return account_body(user)
    except SCIMException as exc:
        raise ScimProblem(exc.status, exc.detail, exc.scim_type) from None


@router.get("/Users/{user_id}")
async def get_user(user_id: str, request: Request) -> Response:
    calls = _calls(request)
    asked = _asked(dict(request.query_params))
    account = await _account(calls, _user_id(user_id))
    user = _scim_user(request, account)
    return scim_json(_shape(user, Context.RESOURCE_QUERY_RESPONSE, asked))


async def _replace(
    request: Request,
    calls: ServiceCalls,
    user_id: str,
    user: User,
    asked: ResponseParameters[Any],
    based_on: int | None = None,
) -> Response:
    body = _mapped(user) | {"based_on": based_on}
    account = await _mentoring(
        lambda: calls.request("mentoring", "PUT", f"/provisioning/accounts/{user_id}", json=body)
    )
    return scim_json(
        _shape(_scim_user(request, account), Context.RESOURCE_REPLACEMENT_RESPONSE, asked)
    )


@router.put("/Users/{user_id}")
async def replace_user(user_id: str, request: Request) -> Response:
    calls = _calls(request)
    asked = _asked(dict(request.query_params))
    user_id = _user_id(user_id)
    user = _parsed(await _body(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    stored = _scim_user(request, await _account(calls, user_id))
    if user.id is not None and user.id != user_id:
        raise ScimProblem(400, "id is the one of the URL, and never changes", "mutability")
    if user.user_name is None:
        raise ScimProblem(400, "userName is required", "invalidValue")
    user.id = stored.id
    return await _replace(request, calls, user_id, user, asked)


@router.patch("/Users/{user_id}")
async def patch_user(user_id: str, request: Request) -> Response:
    calls = _calls(request)
    asked = _asked(dict(request.query_params))
    user_id = _user_id(user_id)
    payload = await _body(request)
    try:
        patch = PatchOp[User].model_validate(payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    except ValidationError as exc:
        raise ScimProblem(400, _validation_detail(exc), _patch_type(exc)) from None
    except SCIMException as exc:
        raise ScimProblem(exc.status, exc.detail, exc.scim_type) from None
    for _ in range(PATCH_ATTEMPTS):
        account = await _account(calls, user_id)
        stored = _scim_user(request, account)
        try:
            patch.patch(stored)
        except SCIMException as exc:
            raise ScimProblem(exc.status, exc.detail, exc.scim_type) from None
        except (ValidationError, ValueError, TypeError) as exc:
            detail = f"the operations do not apply: {exc}"[:500]
            raise ScimProblem(400, detail, "invalidValue") from None
        try:
            return await _replace(request, calls, user_id, stored, asked, account["version"])
        except ScimProblem as exc:
            if exc.status != 412:
                raise
    raise ScimProblem(409, "the user kept changing meanwhile; send the PATCH again")


def _patch_type(exc: ValidationError) -> str:
    text = str(exc).casefold()
    return "invalidPath" if "path" in text else "invalidSyntax"


@router.delete("/Users/{user_id}")
async def delete_user(user_id: str, request: Request) -> Response:
    calls = _calls(request)
    user_id = _user_id(user_id)
    await _mentoring(
        lambda: calls.request("mentoring", "DELETE", f"/provisioning/accounts/{user_id}")
    )
    return Response(status_code=204)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def unknown(rest: str, request: Request) -> Response:
    """A path this edge does not serve is a 404; a method a served path does not take, a 405."""
    parts = rest.strip("/").split("/")
    served = parts[0] in ENDPOINTS and (
        len(parts) == 1 or (parts[0] in WITH_IDS and len(parts) == 2)
    )
    if served:
        raise ScimProblem(405, f"{request.method} is not served on /{rest.strip('/')}"[:300])
    raise ScimProblem(404, "no such SCIM endpoint")
