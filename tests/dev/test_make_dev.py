"""Under ``make dev``, a service killed with SIGKILL is restarted, and nothing in flight is lost:
every confidence drop recorded around the crashes reaches the mentor's inbox exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import httpx

from mentorship_testing.kafka import eventually

from .conftest import DevPlatform

DROPS = 12


async def _pids(platform: DevPlatform) -> dict[str, int]:
    return {name: info["pid"] for name, info in platform.running().items() if name != "supervisor"}


async def test_killed_services_restart_and_lose_nothing(dev_platform: DevPlatform) -> None:
    demo = dev_platform.demo()
    urls, tokens = demo["urls"], demo["tokens"]
    as_mentee = {"Authorization": f"Bearer {tokens['mentee']}"}
    as_mentor = {"Authorization": f"Bearer {tokens['mentor']}"}
    mentee_id = demo["mentee_id"]
    async with httpx.AsyncClient(timeout=30) as http:

        async def inbox_about_mentee() -> list[dict[str, Any]]:
            page = await http.get(
                f"{urls['notify']}/inbox", headers=as_mentor, params={"first": 100}
            )
            page.raise_for_status()
            return [
                n
                for n in page.json()["items"]
                if n["subject_id"] == mentee_id and n["kind"] == "progress.confidence_dropped"
            ]

        before = len(await inbox_about_mentee())
        pids = await _pids(dev_platform)
        check_ins = f"{urls['progress']}/mentees/{mentee_id}/check-ins"
        for i in range(DROPS):
            for confidence in (5, 1):
                answer = await http.post(
                    check_ins,
                    headers=as_mentee,
                    json={
                        "module_id": "knowing-the-limits",
                        "confidence": confidence,
                        "check_in_id": f"sup-{i}-{confidence}",
                    },
                )
                assert answer.status_code == 201, answer.text
            if i == DROPS // 2:
                os.kill(pids["notify"], signal.SIGKILL)  # in the middle of consuming the drops
        os.kill(pids["progress"], signal.SIGKILL)  # right after its last answer

        async def restarted() -> bool:
            now = await _pids(dev_platform)
            return all(now[name] != pids[name] for name in ("notify", "progress"))

        await eventually(restarted, timeout=60)

        async def all_alerts_arrived() -> bool:
            try:
                return len(await inbox_about_mentee()) >= before + DROPS
            except httpx.TransportError:  # restarted, not listening yet
                return False

        await eventually(all_alerts_arrived, timeout=120)
        await asyncio.sleep(3)  # anything redelivered after the restarts would show up by now
        alerts = await inbox_about_mentee()
        assert len(alerts) == before + DROPS
        assert len({a["id"] for a in alerts}) == len(alerts)
        view = await http.get(f"{urls['progress']}/mentees/{mentee_id}/progress", headers=as_mentor)
        assert view.status_code == 200
