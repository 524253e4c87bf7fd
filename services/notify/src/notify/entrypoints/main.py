"""``notify``: run the service (HTTP API and/or worker, by ``ROLE``)."""

from __future__ import annotations

import uvicorn

from mentorship_runtime.settings import load_settings_or_exit
from notify.bootstrap import create_app
from notify.config import Settings


def main() -> None:
    settings = load_settings_or_exit(Settings)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


if __name__ == "__main__":
    main()
