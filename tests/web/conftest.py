"""The platform as ``make dev`` runs it (services, gateway, web app, demo data), beside any
platform already running here: the same fixture as ``tests/dev``."""

from tests.dev.conftest import dev_platform

__all__ = ["dev_platform"]
