"""Demo data for ``make dev``: a program on the default path, mentors and mentees, matched, with
some activity, so that dashboards and alerts are not empty.

Everything goes through the services' HTTP APIs with development tokens, as a front-end would;
nothing is written to a database directly. Seeding is idempotent: when the demo program exists,
nothing is added.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from mentorship_runtime.auth import TokenSettings, issue_token

DEMO_PROGRAM = "Demo: social business pilot"
DESCRIPTION = "Accompanying the move to the enterprise social network."
ADMIN = "demo-admin"
MODULES = (
    "purpose",
    "community-rules",
    "digital-identity",
    "uses-for-my-job",
    "bringing-value",
    "knowing-the-limits",
)
MILESTONES = {
    "purpose": ("explain-the-why", "clarify-expectations", "set-a-personal-goal"),
    "digital-identity": ("complete-the-profile", "sort-what-to-share"),
}
FIRST_NAMES = (
    "Ada", "Alan", "Barbara", "Claude", "Dorothy", "Edsger", "Frances", "Grace", "Hedy", "Ivan",
    "Joan", "Ken", "Katherine", "Linus", "Margaret", "Niklaus", "Radia", "Seymour", "Sophie",
    "Tim", "Ursula", "Vint", "Whitfield", "Xavier", "Yvonne", "Zuse",
)  # fmt: skip
DEPARTMENTS = ("Sales", "Finance", "Operations", "Human resources", "Legal")


class DemoError(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    role: str
    name: str


@dataclass(frozen=True)
class Pair:
    mentor_user_id: str
    mentee_user_id: str
    mentee_id: str  # the mentee's participant id, which progress and the gateway use


@dataclass(frozen=True)
class Demo:
    program_id: str
    admin: DemoUser
    mentors: tuple[DemoUser, ...]
    mentees: tuple[DemoUser, ...]
    pairs: tuple[Pair, ...]
    created: bool

    def user(self, user_id: str) -> DemoUser:
        return next(u for u in (self.admin, *self.mentors, *self.mentees) if u.user_id == user_id)

    def showcase(self) -> Pair:
        """The pair whose tokens are printed: a mentor with the most mentees, and one of them."""
        busiest = max(
            self.mentors, key=lambda m: sum(p.mentor_user_id == m.user_id for p in self.pairs)
        )
        return next(p for p in self.pairs if p.mentor_user_id == busiest.user_id)

    def token(self, settings: TokenSettings, user: DemoUser, hours: int = 12) -> str:
        return issue_token(
            settings,
            user_id=user.user_id,
            roles=[user.role],
            name=user.name,
            email=f"{user.user_id}@demo.example.org",
            lifetime=timedelta(hours=hours),
        )


def demo_people(mentors: int, mentees: int) -> tuple[tuple[DemoUser, ...], tuple[DemoUser, ...]]:
    def person(i: int, role: str) -> DemoUser:
        first = FIRST_NAMES[(i * 7 + (3 if role == "mentee" else 0)) % len(FIRST_NAMES)]
        name = f"{first} ({role} {i + 1})"
        return DemoUser(f"demo-{role}-{i + 1:02d}", role, name)

    return (
        tuple(person(i, "mentor") for i in range(mentors)),
        tuple(person(i, "mentee") for i in range(mentees)),
    )


class _Api:
    def __init__(self, urls: Mapping[str, str], tokens: TokenSettings) -> None:
        self._urls = urls
        self._tokens = tokens
        self._http = httpx.AsyncClient(timeout=30)

    async def close(self) -> None:
        await self._http.aclose()

    async def call(
        self, service: str, method: str, path: str, user: DemoUser, **kw: Any
    ) -> httpx.Response:
        token = issue_token(
            self._tokens,
            user_id=user.user_id,
            roles=[user.role],
            name=user.name,
            email=f"{user.user_id}@demo.example.org",
        )
        return await self._http.request(
            method,
            self._urls[service] + path,
            headers={"Authorization": f"Bearer {token}"},
            **kw,
        )

    async def ok(self, service: str, method: str, path: str, user: DemoUser, **kw: Any) -> Any:
        answer = await self.call(service, method, path, user, **kw)
        if answer.status_code >= 400:
            raise DemoError(f"{method} {service}{path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()


async def seed(
    urls: Mapping[str, str],
    tokens: TokenSettings,
    *,
    mentors: int = 4,
    mentees: int = 24,
    mentor_capacity: int = 6,
    say: Callable[[str], None] = print,
    today: date | None = None,
) -> Demo:
    """Create the demo program, its people, their matches and some activity (once).

    ``mentor_capacity``: how many mentees each mentor takes (e.g. one mentor with 50 mentees for
    a benchmark of the dashboard)."""
    rng = random.Random(7)  # noqa: S311 - reproducible demo data, not secrets
    admin = DemoUser(ADMIN, "admin", "Demo Admin")
    mentor_users, mentee_users = demo_people(mentors, mentees)
    api = _Api(urls, tokens)
    try:
        programs = await api.ok("mentoring", "GET", "/programs", admin)
        existing = [p for p in programs if p["name"] == DEMO_PROGRAM]
        if existing:
            pairs = await _pairs(api, existing[0]["id"], admin)
            return Demo(existing[0]["id"], admin, mentor_users, mentee_users, pairs, created=False)
        program = await api.ok(
            "mentoring",
            "POST",
            "/programs",
            admin,
            json={"name": DEMO_PROGRAM, "description": DESCRIPTION},
        )
        program_id = program["id"]
        say(f"demo: program {program_id}; registering {mentors} mentors and {mentees} mentees")
        participants = await _register(
            api, program_id, mentor_users, mentee_users, rng, mentor_capacity
        )
        run = await api.ok(
            "mentoring",
            "POST",
            f"/programs/{program_id}/matching-runs",
            admin,
            json={"objective": "most_matched"},
        )
        say(f"demo: matching proposed {run['matched_count']} matches; mentors accept them")
        by_user = {u.user_id: u for u in mentor_users}
        for match_id in run["proposals"]:
            match = await api.ok("mentoring", "GET", f"/matches/{match_id}", admin)
            mentor = by_user[match["mentor"]["user_id"]]
            await api.ok("mentoring", "POST", f"/matches/{match_id}/accept", mentor)
        matched = await _wait_tracked(api, participants, mentee_users)
        say(f"demo: progress tracks {len(matched)} mentees; recording some activity")
        await _activity(api, matched, rng, today or datetime.now(UTC).date())
        pairs = await _pairs(api, program_id, admin)
        return Demo(program_id, admin, mentor_users, mentee_users, pairs, created=True)
    finally:
        await api.close()


async def _pairs(api: _Api, program_id: str, admin: DemoUser) -> tuple[Pair, ...]:
    pairs: list[Pair] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"program_id": program_id, "status": "active", "first": 100}
        if after:
            params["after"] = after
        page = await api.ok("mentoring", "GET", "/matches", admin, params=params)
        pairs += [
            Pair(m["mentor"]["user_id"], m["mentee"]["user_id"], m["mentee"]["participant_id"])
            for m in page["items"]
        ]
        after = page.get("next_cursor")
        if not after:
            return tuple(pairs)


async def _register(
    api: _Api,
    program_id: str,
    mentors: tuple[DemoUser, ...],
    mentees: tuple[DemoUser, ...],
    rng: random.Random,
    mentor_capacity: int = 6,
) -> dict[str, str]:
    """Each person registers themselves; returns participant id by user id."""
    ids: dict[str, str] = {}
    for user in (*mentors, *mentees):
        profile: dict[str, Any] = {
            "roles": [user.role],
            "display_name": user.name,
            "email": f"{user.user_id}@demo.example.org",
            "language": rng.choice(("en", "fr")),
            "department": rng.choice(DEPARTMENTS),
            "timezone": rng.choice(("Europe/Paris", "Europe/London", "America/Montreal")),
        }
        if user.role == "mentor":
            profile["competencies"] = {m: rng.randint(3, 5) for m in rng.sample(MODULES, 4)}
            profile["capacity"] = mentor_capacity
        else:
            profile["goals"] = {m: rng.randint(2, 5) for m in rng.sample(MODULES, 3)}
        registered = await api.ok(
            "mentoring", "POST", f"/programs/{program_id}/participants", user, json=profile
        )
        ids[user.user_id] = registered["id"]
    return ids


async def _wait_tracked(
    api: _Api, participants: Mapping[str, str], mentees: tuple[DemoUser, ...]
) -> list[tuple[DemoUser, str]]:
    """The mentees progress has started tracking (it learns of matches through Kafka)."""
    pending = {u.user_id: u for u in mentees}
    tracked: list[tuple[DemoUser, str]] = []
    for _ in range(120):
        for user_id, user in list(pending.items()):
            path = f"/mentees/{participants[user_id]}/progress"
            if (await api.call("progress", "GET", path, user)).status_code == 200:
                tracked.append((user, participants[user_id]))
                del pending[user_id]
        if not pending or len(tracked) >= len(mentees) * 3 // 4:
            break
        await asyncio.sleep(0.5)
    if not tracked:
        raise DemoError("progress did not start tracking any demo mentee; is its worker running?")
    return tracked


async def _activity(
    api: _Api, matched: list[tuple[DemoUser, str]], rng: random.Random, today: date
) -> None:
    for index, (user, mentee_id) in enumerate(matched):
        base = f"/mentees/{mentee_id}"
        for module in rng.sample(MODULES, 2):
            await api.ok(
                "progress",
                "POST",
                f"{base}/check-ins",
                user,
                json={"module_id": module, "confidence": rng.randint(2, 5)},
            )
        for milestone in MILESTONES["purpose"][: index % 4]:
            await api.ok(
                "progress",
                "POST",
                f"{base}/milestones/{milestone}/complete",
                user,
                json={"evidence": "Shared in the team's community."},
            )
        if index % 3 == 0:
            await api.ok(
                "progress",
                "POST",
                f"{base}/sessions",
                user,
                json={
                    "held_on": (today - timedelta(days=1 + index % 5)).isoformat(),
                    "duration_minutes": 45,
                    "module_ids": ["purpose"],
                    "rating": 4,
                },
            )
        if index % 5 == 1:  # a confidence drop: the mentor gets an alert
            for confidence in (4, 1):
                await api.ok(
                    "progress",
                    "POST",
                    f"{base}/check-ins",
                    user,
                    json={"module_id": "community-rules", "confidence": confidence},
                )
