"""Learning paths: modules of milestones, versioned.

A path is never edited in place: ``revised`` returns the next version, and each tracking names the
version it follows. Milestone ids are unique within the whole path (not only within their module),
so that a completion recorded against one version can be found again in the next one even when
the milestone moved to another module.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from progress.domain.errors import Invalid, NotFound
from progress.domain.validation import require_slug, require_text, require_title


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    description: str
    evidence_expected: str

    def __post_init__(self) -> None:
        require_slug("milestone.id", self.id)
        object.__setattr__(self, "title", require_title("milestone.title", self.title))
        object.__setattr__(
            self, "description", require_text("milestone.description", self.description)
        )
        object.__setattr__(
            self,
            "evidence_expected",
            require_text("milestone.evidence_expected", self.evidence_expected),
        )


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    description: str
    milestones: tuple[Milestone, ...]

    def __post_init__(self) -> None:
        require_slug("module.id", self.id)
        object.__setattr__(self, "title", require_title("module.title", self.title))
        object.__setattr__(
            self, "description", require_text("module.description", self.description)
        )
        if not self.milestones:
            raise Invalid("module.milestones", f"module {self.id!r} needs at least one milestone")

    @property
    def milestone_ids(self) -> tuple[str, ...]:
        return tuple(milestone.id for milestone in self.milestones)


@dataclass(frozen=True)
class LearningPath:
    id: str
    version: int
    title: str
    modules: tuple[Module, ...]
    _milestone_modules: dict[str, Module] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        require_slug("path.id", self.id)
        object.__setattr__(self, "title", require_title("path.title", self.title))
        if isinstance(self.version, bool) or self.version < 1:
            raise Invalid("path.version", "versions start at 1")
        if not self.modules:
            raise Invalid("path.modules", "a learning path needs at least one module")
        module_ids = [module.id for module in self.modules]
        if duplicate := _first_duplicate(module_ids):
            raise Invalid("path.modules", f"module id {duplicate!r} is used twice")
        milestone_ids = [mid for module in self.modules for mid in module.milestone_ids]
        if duplicate := _first_duplicate(milestone_ids):
            raise Invalid("path.milestones", f"milestone id {duplicate!r} is used twice")
        object.__setattr__(
            self,
            "_milestone_modules",
            {mid: module for module in self.modules for mid in module.milestone_ids},
        )

    def revised(
        self, *, title: str | None = None, modules: tuple[Module, ...] | None = None
    ) -> LearningPath:
        """The next version of this path; the current one stays as it is for those following it."""
        return replace(
            self,
            version=self.version + 1,
            title=self.title if title is None else title,
            modules=self.modules if modules is None else modules,
        )

    @property
    def module_ids(self) -> tuple[str, ...]:
        return tuple(module.id for module in self.modules)

    @property
    def milestone_ids(self) -> frozenset[str]:
        return frozenset(self._milestone_modules)

    def module(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise NotFound("module", module_id)

    def module_of(self, milestone_id: str) -> Module:
        try:
            return self._milestone_modules[milestone_id]
        except KeyError:
            raise NotFound("milestone", milestone_id) from None


def _first_duplicate(ids: list[str]) -> str | None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            return identifier
        seen.add(identifier)
    return None
