"""Tokens are accepted only when signed with the expected algorithm and key, for us, and fresh."""

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from mentorship_runtime.auth import (
    AuthenticationError,
    TokenSettings,
    TokenVerifier,
    issue_token,
)

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
SETTINGS = TokenSettings(issuer="mentorship-dev", audience="mentorship", secret=SECRET)
verifier = TokenVerifier(SETTINGS)


def token(**overrides: object) -> str:
    return issue_token(SETTINGS, user_id="u-1", roles=["mentor"], name="Grace", **overrides)  # type: ignore[arg-type]


async def test_a_valid_token_gives_the_user_and_roles() -> None:
    principal = await verifier.verify(token())

    assert principal.user_id == "u-1"
    assert principal.roles == {"mentor"}
    assert principal.name == "Grace"


async def test_unknown_roles_are_dropped() -> None:
    forged = issue_token(SETTINGS, user_id="u-1", roles=["mentor", "superuser"])

    assert (await verifier.verify(forged)).roles == {"mentor"}


def _b64(part: Mapping[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")


async def test_alg_none_is_refused() -> None:
    claims = jwt.decode(token(), options={"verify_signature": False})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."

    with pytest.raises(AuthenticationError):
        await verifier.verify(unsigned)


async def test_a_token_signed_with_another_key_is_refused() -> None:
    other = TokenSettings(
        issuer="mentorship-dev",
        audience="mentorship",
        secret="another-key-entirely-also-long-enough-here",
    )

    with pytest.raises(AuthenticationError, match="Signature"):
        await verifier.verify(issue_token(other, user_id="u-1", roles=["admin"]))


async def test_an_expired_token_is_refused() -> None:
    long_ago = datetime.now(UTC) - timedelta(days=2)
    expired = issue_token(
        SETTINGS,
        user_id="u-1",
        roles=["mentor"],
        lifetime=timedelta(hours=1),
        clock=lambda: long_ago,
    )

    with pytest.raises(AuthenticationError, match="expired"):
        await verifier.verify(expired)


async def test_a_token_for_another_audience_is_refused() -> None:
    elsewhere = TokenSettings(
        issuer="mentorship-dev",
        audience="payroll",
        secret="a-test-secret-that-is-long-enough-for-hs256",
    )

    with pytest.raises(AuthenticationError, match=r"[Aa]udience"):
        await verifier.verify(issue_token(elsewhere, user_id="u-1", roles=["admin"]))


async def test_a_token_from_another_issuer_is_refused() -> None:
    elsewhere = TokenSettings(
        issuer="someone-else",
        audience="mentorship",
        secret="a-test-secret-that-is-long-enough-for-hs256",
    )

    with pytest.raises(AuthenticationError, match=r"[Ii]ssuer"):
        await verifier.verify(issue_token(elsewhere, user_id="u-1", roles=["admin"]))


async def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = token().split(".")
    claims = jwt.decode(token(), options={"verify_signature": False})
    claims["roles"] = ["admin"]

    with pytest.raises(AuthenticationError):
        await verifier.verify(f"{header}.{_b64(claims)}.{signature}")


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    """A JWKS endpoint on loopback serving one RSA public key, as an identity provider would."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    server.shutdown()


def rs256_verifier(url: str) -> TokenVerifier:
    return TokenVerifier(
        TokenSettings(issuer="mentorship-dev", audience="mentorship", jwks_url=url)
    )


def rs256_token(key: rsa.RSAPrivateKey, **claims: object) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": "u-9",
        "roles": ["admin"],
        "iss": "mentorship-dev",
        "aud": "mentorship",
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


async def test_an_rs256_token_is_verified_with_the_key_from_the_jwks_url(
    jwks_server: tuple[str, rsa.RSAPrivateKey],
) -> None:
    url, key = jwks_server

    principal = await rs256_verifier(url).verify(rs256_token(key))

    assert principal.user_id == "u-9"
    assert principal.is_admin


async def test_an_hmac_token_keyed_with_the_public_key_is_refused_where_rs256_is_expected(
    jwks_server: tuple[str, rsa.RSAPrivateKey],
) -> None:
    """Algorithm confusion: the attacker signs HS256 with the (public) RSA key as the secret."""
    url, key = jwks_server
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    claims = jwt.decode(rs256_token(key), options={"verify_signature": False})
    signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
    signature = (
        base64.urlsafe_b64encode(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
        .decode()
        .rstrip("=")
    )

    with pytest.raises(AuthenticationError):
        await rs256_verifier(url).verify(f"{signing_input.decode()}.{signature}")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x", "." * 3000])
async def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(AuthenticationError):
        await verifier.verify(garbage)


def test_exactly_one_key_source_must_be_configured() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        TokenSettings(issuer="i", audience="a")
    with pytest.raises(ValueError, match="exactly one"):
        TokenSettings(issuer="i", audience="a", secret="s", jwks_url="http://x/jwks")


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"user_id": "u\x00-1"}, "sub"),
        ({"user_id": "u-\ud800"}, "sub"),
        ({"user_id": "u-1", "name": "Gr\x00ace"}, "name"),
        ({"user_id": "u-1", "email": "g\x00@example.org"}, "email"),
    ],
)
async def test_a_signed_token_naming_someone_in_text_no_database_can_store_is_refused(
    claims: dict[str, str], named: str
) -> None:
    """Its subject becomes the user id that queries and documents carry: FerretDB on PostgreSQL
    answered such a lookup with a 500 (found by the fault suite's hostile requests)."""
    signed = issue_token(SETTINGS, roles=["mentor"], **claims)  # type: ignore[arg-type]

    with pytest.raises(AuthenticationError, match=f"the {named} claim must not contain"):
        await verifier.verify(signed)


def roles_verifier(claim: str) -> TokenVerifier:
    return TokenVerifier(
        TokenSettings(
            issuer="mentorship-dev",
            audience="mentorship",
            secret=SECRET,
            roles_claim=claim,
        )
    )


def hs256_token(**claims: object) -> str:
    payload = {
        "sub": "u-7",
        "iss": "mentorship-dev",
        "aud": "mentorship",
        "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
        **claims,
    }
    return jwt.encode(payload, SECRET, algorithm="HS256")


async def test_roles_are_read_at_a_dotted_path_where_keycloak_puts_them() -> None:
    signed = hs256_token(roles=["admin"], realm_access={"roles": ["mentor", "offline_access"]})

    principal = await roles_verifier("realm_access.roles").verify(signed)

    assert principal.roles == {"mentor"}


async def test_a_claim_whose_name_has_dots_is_found_by_its_whole_name() -> None:
    signed = hs256_token(**{"https://mentorship.example.com/roles": ["mentee"]})

    principal = await roles_verifier("https://mentorship.example.com/roles").verify(signed)

    assert principal.roles == {"mentee"}


@pytest.mark.parametrize(
    "claims", [{}, {"realm_access": {}}, {"realm_access": "admin"}, {"roles": ["admin"]}]
)
async def test_a_token_without_the_roles_claim_gives_no_role(claims: dict[str, object]) -> None:
    principal = await roles_verifier("realm_access.roles").verify(hs256_token(**claims))

    assert principal.user_id == "u-7"
    assert principal.roles == frozenset()


@pytest.mark.parametrize("roles", ["admin", {"admin": True}, [1, 2], ["admin", None], [["admin"]]])
async def test_a_roles_claim_that_is_not_a_list_of_strings_is_refused(roles: object) -> None:
    signed = hs256_token(realm_access={"roles": roles})

    with pytest.raises(AuthenticationError, match=r"the realm_access\.roles claim must be a list"):
        await roles_verifier("realm_access.roles").verify(signed)


@pytest.mark.parametrize(
    "claim", ["", ".roles", "roles.", "realm_access..roles", "ro les", "rôles", "r" * 201]
)
def test_a_roles_claim_setting_that_names_no_claim_is_refused(claim: str) -> None:
    with pytest.raises(ValueError, match="dotted path"):
        roles_verifier(claim)
