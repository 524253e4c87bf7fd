from icalendar import Calendar, Event

from notify.domain.directory import Language
from notify.domain.erasure import NO_ADDRESS, document_without, without_names

NAME = "Zoé de La Fontaine, Jr"
EMAIL = "zoe.fontaine@example.org"


def test_the_name_gives_way_to_the_wording_of_the_readers_language() -> None:
    assert without_names(f"{NAME} a besoin d'aide.", [NAME], Language.FR) == (
        "Un ancien participant a besoin d'aide."
    )
    assert without_names(f"Check in with {NAME} today", [NAME], Language.EN) == (
        "Check in with a former participant today"
    )


def test_only_whole_names_are_replaced() -> None:
    assert without_names("Ada lives in Canada", ["Ada"], Language.EN) == (
        "A former participant lives in Canada"
    )


def test_markup_escapes_are_found_too() -> None:
    html_body = "<p>Tom &amp; Jerry&#x27;s plan</p>"
    changed = without_names(
        "<p>Tom &amp; Jerry's plan</p>", ["Tom & Jerry"], Language.EN, markup=True
    )

    assert changed == "<p>A former participant's plan</p>"
    assert without_names(html_body, ["Nobody"], Language.EN, markup=True) == html_body


def invitation() -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//test//")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", "ps-1@test")
    event.add("summary", f"Mentoring session with {NAME}")
    event.add("description", f"{NAME} wants to talk about a very long topic " * 3)
    event.add("attendee", f"mailto:{EMAIL}", parameters={"CN": NAME})
    calendar.add_component(event)
    return str(calendar.to_ical().decode())


def test_an_invitation_loses_the_name_and_the_address_and_stays_readable() -> None:
    stored = {"title": f"{NAME} planned a session", "body": "b", "calendar": {"ics": invitation()}}

    changed = document_without(stored, [NAME], [EMAIL], Language.EN)

    ics = changed["calendar"]["ics"]
    unfolded = ics.replace("\r\n ", "")
    assert "Fontaine" not in unfolded
    assert EMAIL not in unfolded
    assert NO_ADDRESS in unfolded
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["summary"]) == "Mentoring session with a former participant"
    assert changed["title"] == "A former participant planned a session"
