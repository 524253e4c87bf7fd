import pytest

from progress.domain.errors import Invalid, NotFound
from progress.domain.learning_paths import LearningPath
from progress.domain.seed import DEFAULT_PATH

from .builders import PATH, milestone, module


def test_the_default_path_has_the_six_modules_of_the_product_in_order() -> None:
    assert DEFAULT_PATH.id == "social-business-accompaniment"
    assert DEFAULT_PATH.title == "Social business accompaniment"
    assert DEFAULT_PATH.version == 1
    assert DEFAULT_PATH.module_ids == (
        "purpose",
        "community-rules",
        "digital-identity",
        "uses-for-my-job",
        "bringing-value",
        "knowing-the-limits",
    )


def test_every_default_module_has_two_or_three_described_milestones() -> None:
    for default_module in DEFAULT_PATH.modules:
        assert 2 <= len(default_module.milestones) <= 3
        for each in default_module.milestones:
            assert each.title
            assert each.description
            assert each.evidence_expected


def test_a_revision_is_the_next_version_and_leaves_the_original_as_it_was() -> None:
    revised = PATH.revised(title="Small path, revised", modules=(module("basics", "read"),))

    assert revised.version == 2
    assert revised.id == PATH.id
    assert revised.milestone_ids == {"read"}
    assert PATH.version == 1
    assert PATH.milestone_ids == {"read", "try", "post"}


def test_a_revision_without_changes_is_still_a_new_version() -> None:
    assert PATH.revised().version == 2


def test_a_path_needs_at_least_one_module() -> None:
    with pytest.raises(Invalid, match="at least one module") as raised:
        LearningPath("empty", 1, "Empty", ())
    assert raised.value.field == "path.modules"


def test_a_module_needs_at_least_one_milestone() -> None:
    with pytest.raises(Invalid, match="at least one milestone"):
        module("basics")


def test_module_ids_are_unique_within_a_path() -> None:
    with pytest.raises(Invalid, match="module id 'basics' is used twice"):
        LearningPath("twice", 1, "Twice", (module("basics", "read"), module("basics", "post")))


def test_milestone_ids_are_unique_across_the_whole_path() -> None:
    with pytest.raises(Invalid, match="milestone id 'read' is used twice"):
        LearningPath("twice", 1, "Twice", (module("basics", "read"), module("practice", "read")))


def test_a_revision_is_checked_like_a_new_path() -> None:
    with pytest.raises(Invalid, match="used twice"):
        PATH.revised(modules=(module("basics", "read"), module("basics", "try")))


@pytest.mark.parametrize(
    "bad_id", ["", "Purpose", "with space", "double--hyphen", "-edge", "x" * 65]
)
def test_ids_are_short_slugs(bad_id: str) -> None:
    with pytest.raises(Invalid, match="not a slug"):
        milestone(bad_id)


def test_versions_start_at_one() -> None:
    with pytest.raises(Invalid, match="versions start at 1"):
        LearningPath("small-path", 0, "Small path", PATH.modules)


def test_a_blank_title_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        LearningPath("small-path", 1, "   ", PATH.modules)
    assert raised.value.field == "path.title"


def test_looking_up_an_unknown_module_names_it() -> None:
    with pytest.raises(NotFound, match="module 'nowhere' not found") as raised:
        PATH.module("nowhere")
    assert (raised.value.kind, raised.value.identifier) == ("module", "nowhere")


def test_looking_up_an_unknown_milestone_names_it() -> None:
    with pytest.raises(NotFound, match="milestone 'nothing' not found"):
        PATH.module_of("nothing")


def test_a_milestone_is_found_in_its_module() -> None:
    assert PATH.module_of("post").id == "practice"
