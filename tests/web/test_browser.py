"""The web app's journeys in a real browser (Debian's Chromium, driven by playwright-core from
``web/e2e/``) against the platform ``make dev`` starts: the Vite server, the gateway, the services
and the demo data."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

from mentorship_localstack.dev import WEB_DIR
from tests.dev.conftest import DevPlatform

CHROMIUM_HINT = (
    "the browser journeys need Chromium: install Debian's package (`sudo apt-get install "
    "chromium`), or name another executable in CHROMIUM (.ci/run installs it when missing)"
)


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(found).exists(), CHROMIUM_HINT
    return found


async def test_the_browser_journeys_pass(dev_platform: DevPlatform) -> None:
    demo = dev_platform.demo()
    assert "web" in demo["urls"], f"make dev did not serve the web app:\n{dev_platform.output()}"
    env = {
        **os.environ,
        "WEB_URL": demo["urls"]["web"],
        "WEB_DEMO_FILE": str(dev_platform.state / "demo-tokens.json"),
        "CHROMIUM": chromium(),
        "SCREENSHOT_DIR": str(WEB_DIR / "e2e" / "screenshots"),
    }
    command = ["npx", "vitest", "run", "--config", "vitest.e2e.config.ts"]

    result = await asyncio.to_thread(
        subprocess.run, command, cwd=WEB_DIR, env=env, capture_output=True, text=True, timeout=600
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
