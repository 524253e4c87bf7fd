"""Learning paths: modules of milestones, versioned.

A path is never edited in place: ``revised`` returns the next version, and each tracking names the
version it follows. Milestone ids are unique within the whole path (not only within their module),
so that a completion recorded against one version can be found again in the next one even when
the milestone moved to another module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar

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


T = TypeVar("T")
MAX_MODULES = 30
MAX_MILESTONES_PER_MODULE = 30


@dataclass(frozen=True)
class MilestoneSpec:
    id: str
    title: str
    description: str
    evidence_expected: str


@dataclass(frozen=True)
class ModuleSpec:
    id: str
    title: str
    description: str
    milestones: tuple[MilestoneSpec, ...]


def build_path(
    *, path_id: str, version: int, title: str, modules: tuple[ModuleSpec, ...]
) -> LearningPath:
    """A path from what an admin wrote; a refusal names the field by its place in the request
    (``modules.2.milestones.0.title``), so that the editor can point at it."""
    require_slug("id", path_id)
    require_title("title", title)
    if not 1 <= len(modules) <= MAX_MODULES:
        raise Invalid("modules", f"a learning path has 1 to {MAX_MODULES} modules")
    built: list[Module] = []
    seen_modules: dict[str, int] = {}
    seen_milestones: dict[str, str] = {}
    for i, spec in enumerate(modules):
        where = f"modules.{i}"
        if spec.id in seen_modules:
            raise Invalid(
                f"{where}.id",
                f"module id {spec.id!r} is already used by modules.{seen_modules[spec.id]}",
            )
        seen_modules[spec.id] = i
        if not 1 <= len(spec.milestones) <= MAX_MILESTONES_PER_MODULE:
            raise Invalid(
                f"{where}.milestones",
                f"a module has 1 to {MAX_MILESTONES_PER_MODULE} milestones",
            )
        milestones: list[Milestone] = []
        for j, m in enumerate(spec.milestones):
            at = f"{where}.milestones.{j}"
            if m.id in seen_milestones:
                raise Invalid(
                    f"{at}.id",
                    f"milestone id {m.id!r} is already used by {seen_milestones[m.id]} "
                    "(milestone ids are unique in the whole path)",
                )
            seen_milestones[m.id] = at
            milestones.append(
                _named(at, partial(Milestone, m.id, m.title, m.description, m.evidence_expected))
            )
        built.append(
            _named(where, partial(Module, spec.id, spec.title, spec.description, tuple(milestones)))
        )
    return LearningPath(path_id, version, title, tuple(built))


def _named(where: str, make: Callable[[], T]) -> T:
    """Build one part; a refused ``milestone.title`` becomes ``<where>.title``."""
    try:
        return make()
    except Invalid as exc:
        field_name = exc.field.rsplit(".", 1)[-1]
        message = str(exc).split(": ", 1)[-1]
        raise Invalid(f"{where}.{field_name}", message) from None
