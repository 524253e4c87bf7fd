"""MongoDB persistence of provisioning: the SCIM tokens of programs and the provisioned accounts.

``scim_tokens``: one document per token, holding the SHA-256 of its secret (never the secret),
the program it opens, its label, who created it and when, and when it was revoked.

``provisioned_users``: one document per participant an identity provider created, under the
participant's id: the account name the provider knows (``user_name``, unique per program without
regard to case through ``user_name_key``), the provider's own external id, and the provider's
view of the person (``representation``, a JSON text the gateway writes and reads back; the
participant holds what the platform uses). A participant without such a document was not
provisioned, and provisioning does not see them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from mentoring.domain.errors import Conflict, NotFound
from mentoring.service_layer.ports import ProvisionedUser, ScimToken
from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.moments import as_stored
from mentorship_runtime.mongo import DUPLICATE_KEY
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index, without_outbox

Document = dict[str, Any]


def user_name_key(program_id: str, user_name: str) -> str:
    """What makes an account name unique in a program: SCIM compares user names without case."""
    return f"{program_id}\n{user_name.casefold()}"


def _token(document: Document) -> ScimToken:
    return ScimToken(
        id=document["_id"],
        program_id=document["program_id"],
        label=document["label"],
        created_by=document["created_by"],
        created_at=document["created_at"],
        revoked_at=document.get("revoked_at"),
    )


def _user(document: Document) -> ProvisionedUser:
    return ProvisionedUser(
        participant_id=document["_id"],
        program_id=document["program_id"],
        user_name=document["user_name"],
        external_id=document.get("external_id"),
        representation=document["representation"],
        created_at=document["created_at"],
        updated_at=document["updated_at"],
        version=document["version"],
    )


def _user_document(user: ProvisionedUser) -> Document:
    return {
        "_id": user.participant_id,
        "program_id": user.program_id,
        "user_name": user.user_name,
        "user_name_key": user_name_key(user.program_id, user.user_name),
        "external_id": user.external_id,
        "representation": user.representation,
        "created_at": as_stored(user.created_at),
        "updated_at": as_stored(user.updated_at),
        "version": user.version,
    }


TOKEN_HIDDEN = without_outbox("secret_hash")


class ProvisioningStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.tokens: AsyncCollection[Document] = db["scim_tokens"]
        self.users: AsyncCollection[Document] = db["provisioned_users"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        """A token is written with its audit records (created, revoked) in its outbox."""
        return [self.tokens]

    async def ensure_indexes(self) -> None:
        await self.tokens.create_index("secret_hash", unique=True)
        await self.tokens.create_index("program_id")
        await self.users.create_index("user_name_key", unique=True)
        await self.users.create_index([("program_id", ASCENDING), ("_id", ASCENDING)])
        await self.users.create_index([("program_id", ASCENDING), ("external_id", ASCENDING)])
        await ensure_outbox_index(self.tokens)

    # ---- tokens -----------------------------------------------------------------------------

    async def add_token(
        self, token: ScimToken, secret_hash: str, events: Sequence[Envelope[Any]]
    ) -> None:
        document = {
            "_id": token.id,
            "program_id": token.program_id,
            "label": token.label,
            "created_by": token.created_by,
            "created_at": as_stored(token.created_at),
            "secret_hash": secret_hash,
        }
        await self._outbox.insert_one(self.tokens, document, events)

    async def token(self, token_id: str) -> ScimToken:
        document = await self.tokens.find_one({"_id": token_id}, TOKEN_HIDDEN)
        if document is None:
            raise NotFound("scim token", token_id)
        return _token(document)

    async def token_of_secret(self, secret_hash: str) -> ScimToken | None:
        document = await self.tokens.find_one({"secret_hash": secret_hash}, TOKEN_HIDDEN)
        return _token(document) if document else None

    async def tokens_of_program(self, program_id: str, limit: int) -> list[ScimToken]:
        cursor = (
            self.tokens.find({"program_id": program_id}, TOKEN_HIDDEN)
            .sort("created_at", ASCENDING)
            .limit(limit)
        )
        return [_token(d) async for d in cursor]

    async def revoke_token(
        self, token_id: str, at: datetime, events: Sequence[Envelope[Any]]
    ) -> ScimToken:
        """Revoke the token with ``events`` (a second revocation keeps the first moment and
        writes no events)."""
        await self._outbox.update_one(
            self.tokens,
            {"_id": token_id, "revoked_at": None},
            {"$set": {"revoked_at": as_stored(at)}},
            events,
        )
        return await self.token(token_id)

    # ---- provisioned users ------------------------------------------------------------------

    async def add_user(self, user: ProvisionedUser) -> None:
        """Insert the account; ``Conflict`` when the participant is provisioned already or the
        account name is taken in the program."""
        try:
            await self.users.insert_one(_user_document(user))
        except DuplicateKeyError:
            raise Conflict(
                f"user name {user.user_name!r} or participant {user.participant_id!r} "
                "is provisioned already"
            ) from None

    async def save_user(self, user: ProvisionedUser) -> ProvisionedUser:
        """Write a changed account over the version it was read at (``ConcurrentUpdate`` when
        another request wrote meanwhile; ``Conflict`` when the new name is taken)."""
        document = _user_document(user)
        document["version"] = user.version + 1
        taken = Conflict(f"user name {user.user_name!r} is taken in this program")
        holder = await self.user_of_name(user.program_id, user.user_name)
        if holder is not None and holder.participant_id != user.participant_id:
            raise taken
        try:
            result = await self.users.update_one(
                {"_id": user.participant_id, "version": user.version},
                {"$set": {k: v for k, v in document.items() if k != "_id"}},
            )
        except OperationFailure as exc:
            # FerretDB answers an update that breaks a unique index with code 1, not 11000
            if exc.code == DUPLICATE_KEY or "duplicate key" in str(exc):
                raise taken from None
            raise
        if result.matched_count == 0:
            raise ConcurrentUpdate("provisioned user", user.participant_id)
        return _user(document)

    async def user(self, program_id: str, participant_id: str) -> ProvisionedUser | None:
        document = await self.users.find_one({"program_id": program_id, "_id": participant_id})
        return _user(document) if document else None

    async def user_of_name(self, program_id: str, user_name: str) -> ProvisionedUser | None:
        document = await self.users.find_one(
            {"user_name_key": user_name_key(program_id, user_name)}
        )
        return _user(document) if document else None

    async def users_of_external_id(
        self, program_id: str, external_id: str, limit: int
    ) -> list[ProvisionedUser]:
        cursor = self.users.find({"program_id": program_id, "external_id": external_id}).limit(
            limit
        )
        return [_user(d) async for d in cursor]

    async def users_page(
        self, program_id: str, skip: int, limit: int
    ) -> tuple[int, list[ProvisionedUser]]:
        """How many accounts the program has, and a page of them in participant id order."""
        total = await self.users.count_documents({"program_id": program_id})
        if limit == 0:
            return total, []
        cursor = (
            self.users.find({"program_id": program_id})
            .sort([("program_id", ASCENDING), ("_id", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return total, [_user(d) async for d in cursor]

    async def remove_user(self, program_id: str, participant_id: str) -> bool:
        result = await self.users.delete_one({"program_id": program_id, "_id": participant_id})
        return result.deleted_count == 1
