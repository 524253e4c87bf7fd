"""Where the stack keeps downloads (shared by checkouts) and its running state (per checkout)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
LOCAL_DEPLOY_DIR = PACKAGE_DIR.parents[1]  # deploy/local


def _repo_root() -> Path:
    candidate = LOCAL_DEPLOY_DIR.parents[1]
    if (candidate / "deploy" / "local").is_dir():
        return candidate
    return Path.cwd()


@dataclass(frozen=True)
class StackPaths:
    cache: Path
    state: Path

    @classmethod
    def from_environment(cls) -> StackPaths:
        cache_root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        cache = Path(os.environ.get("MENTORSHIP_CACHE_DIR") or Path(cache_root) / "mentorship")
        state = Path(os.environ.get("MENTORSHIP_STACK_DIR") or _repo_root() / ".stack")
        return cls(cache=cache, state=state)

    @property
    def state_file(self) -> Path:
        return self.state / "stack.json"

    @property
    def lock_file(self) -> Path:
        return self.state / "stack.lock"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"


def kafka_pom() -> Path:
    return LOCAL_DEPLOY_DIR / "kafka" / "pom.xml"
