"""What an admin writes becomes a path version, or is refused naming the field by its place."""

import pytest

from progress.domain.errors import Invalid
from progress.domain.learning_paths import (
    MAX_MILESTONES_PER_MODULE,
    MAX_MODULES,
    MilestoneSpec,
    ModuleSpec,
    build_path,
)


def step(milestone_id: str, title: str = "A step") -> MilestoneSpec:
    return MilestoneSpec(milestone_id, title, "What to do.", "A link.")


def part(module_id: str, *milestones: MilestoneSpec, title: str = "A module") -> ModuleSpec:
    return ModuleSpec(module_id, title, "What it covers.", milestones)


def refusal(*modules: ModuleSpec, title: str = "A path") -> Invalid:
    with pytest.raises(Invalid) as raised:
        build_path(path_id="a-path", version=1, title=title, modules=modules)
    return raised.value


def test_a_written_path_becomes_the_version_asked_for() -> None:
    path = build_path(
        path_id="a-path",
        version=3,
        title="  A path  ",
        modules=(part("one", step("read"), step("try")), part("two", step("post"))),
    )

    assert (path.id, path.version, path.title) == ("a-path", 3, "A path")
    assert path.module_ids == ("one", "two")
    assert path.module_of("post").id == "two"


def test_a_module_id_used_twice_is_refused_at_its_second_place() -> None:
    error = refusal(part("one", step("read")), part("one", step("post")))

    assert error.field == "modules.1.id"
    assert "already used by modules.0" in str(error)


def test_a_milestone_id_used_twice_anywhere_in_the_path_is_refused() -> None:
    error = refusal(part("one", step("read")), part("two", step("post"), step("read")))

    assert error.field == "modules.1.milestones.1.id"
    assert "modules.0.milestones.0" in str(error)


def test_a_blank_milestone_title_is_refused_naming_its_place() -> None:
    error = refusal(part("one", step("read"), step("try", title="   ")))

    assert error.field == "modules.0.milestones.1.title"


def test_a_blank_module_title_is_refused_naming_its_place() -> None:
    error = refusal(part("one", step("read")), part("two", step("post"), title=""))

    assert error.field == "modules.1.title"


def test_a_blank_path_title_is_refused() -> None:
    assert refusal(part("one", step("read")), title=" ").field == "title"


def test_a_module_id_that_is_not_a_slug_is_refused() -> None:
    assert refusal(part("One Module", step("read"))).field == "modules.0.id"


def test_a_path_without_modules_or_a_module_without_milestones_is_refused() -> None:
    assert refusal().field == "modules"
    assert refusal(part("one")).field == "modules.0.milestones"


def test_sizes_are_bounded() -> None:
    many_modules = tuple(part(f"m{i}", step(f"s{i}")) for i in range(MAX_MODULES + 1))
    crowded = part("one", *(step(f"s{i}") for i in range(MAX_MILESTONES_PER_MODULE + 1)))

    assert refusal(*many_modules).field == "modules"
    assert refusal(crowded).field == "modules.0.milestones"
