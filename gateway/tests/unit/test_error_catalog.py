"""Every error message a client can read today has a French translation.

The messages are read from the code: each ``raise`` of a domain error (mentoring, progress,
notify and the shared runtime), each ``ValueError`` a request schema's validator raises (a 422
problem, written ``Value error, ...`` by pydantic), and each error result the gateway builds itself
(``invalid(...)``, ``Forbidden(...)``...), and each top-level field error the gateway raises
(``bad_input``, ``forbidden``, ``field_error``, ``unauthenticated``, a ``ServiceUnavailable``, a
``GraphQLError``; and the kind each ``not_visible`` names, which the catalog must know as a word
too). A message is written as the code would write it, with sample values where the code puts
values (a quoted ``'x-1'`` for a ``!r``, ``7`` for anything else), and must come out of the French
catalog changed. A new English message without a French
entry fails here; a message built entirely at run time must be listed in ``BUILT_AT_RUN_TIME``
with the reason it cannot have an entry.
"""

from __future__ import annotations

import ast
import builtins
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.errors import not_visible
from gateway.i18n import catalog, translate
from gateway.services import ServiceUnavailable
from mentorship_runtime.errors import DomainError as RuntimeDomainError
from notify.domain.errors import DomainError as NotifyDomainError

ROOT = Path(__file__).resolve().parents[3]
SOURCES = {
    "mentoring": ROOT / "services/mentoring/src",
    "progress": ROOT / "services/progress/src",
    "notify": ROOT / "services/notify/src",
    "mentorship_runtime": ROOT / "libs/runtime/src",
    "gateway": ROOT / "gateway/src",
}
QUOTED = "'x-1'"
VALUE = "7"

# modules whose errors no mutation result can carry, and why
NOT_A_MUTATION_RESULT: dict[str, str] = {
    "notify/domain/webhooks.py": "the signature check of webhooks notify sends, never a request",
    "notify/domain/events.py": "events read from Kafka",
    "notify/domain/rules.py": "events read from Kafka, made into notifications",
    "notify/domain/directory.py": "the people notify learns of from events",
    "notify/domain/dispatch.py": "choosing channels for a notification, inside notify",
    "notify/domain/quiet_hours.py": "holding a notification in quiet hours, inside notify",
    "notify/domain/digest.py": "building a digest, inside notify",
    "notify/domain/delivery.py": "a delivery's attempts, inside notify",
    "notify/domain/invitations.py": "calendar invitations built from events",
    "notify/domain/check_ins.py": "check-in reminders kept from events",
    "notify/adapters/nudges.py": "check-in reminders kept from events",
    "notify/domain/weekly_digest.py": "mentors' weekly digests, built from events by notify's job "
    "(its schedule is a setting, checked at start)",
    "mentoring/entrypoints/provisioning.py": "SCIM requests, answered as SCIM errors",
}

# (file, the message's source): why no catalog entry can hold it
BUILT_AT_RUN_TIME: dict[tuple[str, str], str] = {
    ("mentoring/service_layer/provisioning.py", "result.reason or 'refused'"): (
        "a SCIM account's refusal, a reason the import's row check writes (refused rows are "
        "reported in ImportReport, not as an error result)"
    ),
    ("notify/domain/preferences.py", "str(error)"): (
        "Python's own message for an unknown enum value, never reached through the gateway, "
        "whose enums admit only known kinds and channels"
    ),
    ("mentoring/entrypoints/schemas.py", "problem"): (
        "the message of domain.participants.levels_problem, whose own texts are checked below"
    ),
    ("gateway/features/programs.py", "detail_of(exc.body)"): (
        "progress's own message about a learning path, passed on (checked at its raise site)"
    ),
    ("mentoring/domain/participants.py", "problem"): (
        "the message of skill_key_problem, whose own text is checked below"
    ),
    ("notify/service_layer/preferences.py", "message"): (
        "a notify domain rule's message, passed on (checked at its raise site)"
    ),
    ("progress/domain/learning_paths.py", "message"): (
        "a part's own rule's message, passed on under another field (checked at its raise site)"
    ),
    ("gateway/errors.py", "kind"): "the kind of thing its caller did not find (checked there)",
    ("gateway/loaders.py", "kind"): "the kind of thing a loader did not find (checked at each)",
    ("gateway/context.py", "self.auth_problem"): (
        "'a bearer token is required', or 'invalid token: ' and why the verifier refused it "
        "(PyJWT's words, kept as they are), both in the catalog"
    ),
    ("gateway/features/imports.py", "str(exc)"): (
        "a CSV file that cannot be read, in the words of participant_csv, whose own texts are "
        "checked below"
    ),
}


@dataclass(frozen=True)
class Site:
    file: str
    line: int
    message: str | None
    source: str
    kind: str | None = None
    """The kind of thing not found the message names, which the catalog must know too."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message or self.source}"


def _sample(node: ast.expr) -> str | None:
    """The text an expression would give, values replaced by samples; None for a text built at
    run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            elif isinstance(part, ast.FormattedValue):
                parts.append(QUOTED if part.conversion == ord("r") else VALUE)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return None if left is None or right is None else left + right
    return None


def _argument(node: ast.expr) -> str:
    """An exception's argument: a text as the code gives it, any other value as a sample."""
    text = _sample(node)
    return text if text is not None else VALUE


def _modules() -> Iterator[tuple[str, str, ast.Module]]:
    for package, root in SOURCES.items():
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            yield name, str(relative), ast.parse(path.read_text(encoding="utf-8"))


def _class_of(module: object, node: ast.expr) -> type | None:
    if isinstance(node, ast.Name):
        found = getattr(module, node.id, getattr(builtins, node.id, None))
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        found = getattr(getattr(module, node.value.id, None), node.attr, None)
    else:
        return None
    return found if isinstance(found, type) else None


def _own_init(cls: type) -> bool:
    """Whether the error builds its message from values (NotFound, InvalidTransition...) rather
    than taking it whole (Conflict, Forbidden, ValueError)."""
    return any("__init__" in vars(base) for base in cls.__mro__ if base not in _PLAIN)


_PLAIN = {RuntimeDomainError, NotifyDomainError, ValueError, Exception, BaseException, object}


def _service_sites() -> Iterator[Site]:
    """Domain errors raised by the services, and the request validators' ValueErrors."""
    for name, file, tree in _modules():
        if name.startswith("gateway") or file in NOT_A_MUTATION_RESULT:
            continue
        module = importlib.import_module(name)
        validators = file.endswith(("entrypoints/schemas.py", "/trimmed.py"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                continue
            call = node.exc
            cls = _class_of(module, call.func)
            if cls is None or not call.args:
                continue
            domain = issubclass(cls, RuntimeDomainError | NotifyDomainError)
            if not domain and not (validators and cls is ValueError):
                continue
            given = call.args[-1]
            source = ast.unparse(given)
            if cls.__name__ == "Invalid":  # (field, message): the problem's message alone
                yield Site(file, node.lineno, _sample(given), source)
            elif cls is ValueError:
                text = _sample(given)
                yield Site(file, node.lineno, text and f"Value error, {text}", source)
            elif _own_init(cls):
                yield Site(file, node.lineno, str(cls(*map(_argument, call.args))), source)
            else:
                yield Site(file, node.lineno, _sample(given), source)


_GATEWAY_BUILDERS = {
    "invalid": 1,
    "Forbidden": None,
    "NotFound": None,
    "Conflict": None,
    "FileProblem": 0,  # a CSV file the import cannot read: a ValidationError on file
}

# functions whose texts become an error's message elsewhere
MESSAGE_FUNCTIONS = {("mentoring/domain/participants.py", "skill_key_problem")}


def _returned_sites() -> Iterator[Site]:
    for _, file, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (file, node.name) in MESSAGE_FUNCTIONS:
                for returned in ast.walk(node):
                    if not isinstance(returned, ast.Return) or returned.value is None:
                        continue
                    if isinstance(returned.value, ast.Constant) and returned.value.value is None:
                        continue
                    text = _sample(returned.value)
                    yield Site(file, returned.lineno, text, ast.unparse(returned))


def _gateway_sites() -> Iterator[Site]:
    """The error results the gateway builds itself."""
    for name, file, tree in _modules():
        if not name.startswith("gateway"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id not in _GATEWAY_BUILDERS:
                continue
            position = _GATEWAY_BUILDERS[node.func.id]
            if position is not None and len(node.args) > position:
                given = node.args[position]
            else:
                keyword = next((k for k in node.keywords if k.arg == "written_message"), None)
                if keyword is None:
                    continue
                given = keyword.value
            passed_on = isinstance(given, ast.Name) and given.id == "message"
            if passed_on and file == "gateway/errors.py":
                continue  # a service's message, passed on
            yield Site(file, node.lineno, _sample(given), ast.unparse(given))


# the gateway's top-level field errors: the position of their message among the arguments
_FIELD_ERROR_HELPERS = {
    "field_error": 1,
    "unauthenticated": 0,
    "forbidden": 0,
    "bad_input": 0,
    "GraphQLError": 0,
}

# calls whose argument at that position is the kind of thing not found: their error reads
# "<kind> '<id>' does not exist or is not visible to you" (``errors.not_visible``)
_KIND_GIVERS = {
    "not_visible": 0,
    "as_field_error": 1,
    "rejected": 1,
    "answers_of": 0,
    "_by_id": 1,
}

# modules whose GraphQLErrors are not a field error of an executed request, and why
NOT_A_FIELD_ERROR: dict[str, str] = {
    "gateway/limits.py": "a query refused before it runs (too complex, rate limited, ids)",
    "gateway/input_values.py": "a query refused before it runs (its literal values)",
    "gateway/extensions.py": "the masking of an unexpected error, quoting its correlation id",
    "gateway/error_language.py": "an error already written, rewritten in the reader's language",
    "gateway/app.py": "a request past its deadline, answered outside the execution",
}


def _kind_site(file: str, node: ast.Call, given: ast.expr) -> Site:
    kind = _sample(given)
    source = ast.unparse(given)
    if kind is None or not isinstance(given, ast.Constant):
        return Site(file, node.lineno, None, source)
    return Site(file, node.lineno, not_visible(kind, "x-1").message, source, kind)


def _field_error_sites() -> Iterator[Site]:
    """The gateway's top-level field errors, and the kinds of things it does not find."""
    for _, file, tree in _modules():
        if not file.startswith("gateway/") or file in NOT_A_FIELD_ERROR:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name == "ServiceUnavailable":
                message = str(ServiceUnavailable("mentoring", _argument(node.args[1])))
                yield Site(file, node.lineno, message, ast.unparse(node))
            elif name in _FIELD_ERROR_HELPERS and len(node.args) > _FIELD_ERROR_HELPERS[name]:
                given = node.args[_FIELD_ERROR_HELPERS[name]]
                written = isinstance(given, ast.Constant | ast.JoinedStr)
                if file == "gateway/errors.py" and not written:
                    continue  # a helper passing on its caller's message, or a service's
                yield Site(file, node.lineno, _sample(given), ast.unparse(given))
            elif name in _KIND_GIVERS and len(node.args) > _KIND_GIVERS[name]:
                given = node.args[_KIND_GIVERS[name]]
                if isinstance(given, ast.Starred):
                    continue  # history_read's ``about``, checked at its callers below
                yield _kind_site(file, node, given)
            elif name == "history_read":
                about = next((k.value for k in node.keywords if k.arg == "about"), None)
                if isinstance(about, ast.Tuple):
                    yield _kind_site(file, node, about.elts[0])
                else:
                    yield _kind_site(file, node, ast.Constant("mentee"))


def _sites() -> list[Site]:
    return [*_service_sites(), *_gateway_sites(), *_returned_sites(), *_field_error_sites()]


SITES = _sites()


def test_the_scan_finds_the_error_sites_of_every_service_and_the_gateway() -> None:
    files = {site.file.split("/")[0] for site in SITES}
    assert files == {"mentoring", "progress", "notify", "mentorship_runtime", "gateway"}
    assert len(SITES) > 150


@pytest.mark.parametrize("site", SITES, ids=str)
def test_every_error_message_has_a_french_translation(site: Site) -> None:
    if site.message is None:
        assert (site.file, site.source) in BUILT_AT_RUN_TIME, (
            f"{site}: a message built at run time cannot have a catalog entry; write it from a "
            "fixed text with values, or list it in BUILT_AT_RUN_TIME with the reason"
        )
        return
    french = translate(site.message, "fr")
    assert french != site.message, f"no French for {site}"
    if site.kind is not None:
        assert catalog("fr").get(site.kind) is not None, f"no French for {site.kind!r}: {site}"
    assert translate(site.message, "en") == site.message


def test_every_exception_listed_is_still_in_the_code() -> None:
    dynamic = {(site.file, site.source) for site in SITES if site.message is None}
    assert set(BUILT_AT_RUN_TIME) <= dynamic
    found = {(site.file, site.source.split(" ")[0]) for site in SITES}
    assert {(file, "return") for file, _ in MESSAGE_FUNCTIONS} <= found
    for file in NOT_A_MUTATION_RESULT:
        package = file.split("/")[0]
        assert (SOURCES[package] / file).is_file(), file
