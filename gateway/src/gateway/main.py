"""``gateway``: serve the GraphQL gateway with uvicorn (settings from the environment)."""

from __future__ import annotations

import uvicorn

from gateway.app import create_app
from gateway.config import Settings
from mentorship_runtime.settings import load_settings_or_exit


def main() -> None:
    settings = load_settings_or_exit(Settings)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
        ws_max_size=settings.max_body_bytes,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
