import pytest

from mentorship_contracts import REGISTRY, EventPayload, EventRegistry
from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name


def test_every_event_of_the_catalog_is_registered_once() -> None:
    names = {(cls.event_type, cls.event_version) for cls in REGISTRY}

    assert len(names) == len(REGISTRY)
    assert ("mentoring.match.accepted", 1) in names
    assert ("progress.confidence.dropped", 1) in names
    assert ("notify.notification.created", 1) in names


def test_each_event_travels_on_the_topic_of_its_producer() -> None:
    for cls in REGISTRY:
        producer = cls.event_type.split(".", 1)[0]
        assert cls.topic.value.startswith(producer + "."), cls.__name__


def test_two_classes_claiming_one_type_and_version_are_refused() -> None:
    class First(EventPayload, type="x.y.z", version=1, topic=Topic.PROGRESS_EVENTS, key_field="k"):
        k: str

    class Second(EventPayload, type="x.y.z", version=1, topic=Topic.PROGRESS_EVENTS, key_field="k"):
        k: str

    with pytest.raises(ValueError, match="both claim"):
        EventRegistry([First, Second])


def test_a_payload_must_declare_its_type_and_version_together() -> None:
    with pytest.raises(TypeError, match="must declare"):

        class Half(EventPayload, type="x.half"):
            k: str


def test_the_key_field_must_be_a_field_of_the_payload() -> None:
    with pytest.raises(TypeError, match="not one of its fields"):

        class NoKey(
            EventPayload, type="x.k", version=1, topic=Topic.PROGRESS_EVENTS, key_field="id"
        ):
            other: str


def test_topic_names_take_a_prefix_and_dead_letters_name_their_group() -> None:
    assert topic_name(Topic.PROGRESS_EVENTS, "t123.") == "t123.progress.events"
    assert dead_letter_topic("progress.events", "notify") == "progress.events.dlq.notify"
