import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.errors import Invalid, InvalidSignature
from notify.domain.events import EventKind
from notify.domain.notifications import Priority
from notify.domain.webhooks import sign, verify, webhook_payload

from .builders import notification

SECRET = b"whsec-test-only"
BODY = b'{"text": "Ada seems to have stalled"}'
SENT_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TS = int(SENT_AT.timestamp())


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_body() -> None:
    expected = hmac.new(SECRET, f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert sign(SECRET, TS, BODY) == f"t={TS},v1={expected}"


def test_an_authentic_fresh_request_is_accepted() -> None:
    header = sign(SECRET, TS, BODY)

    verify(SECRET, header, BODY, SENT_AT + timedelta(seconds=299))


def test_a_tampered_body_is_rejected() -> None:
    header = sign(SECRET, TS, BODY)

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, header, BODY.replace(b"Ada", b"Bob"), SENT_AT)


def test_a_signature_made_with_another_secret_is_rejected() -> None:
    header = sign(b"someone-elses-secret", TS, BODY)

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, header, BODY, SENT_AT)


def test_a_moved_timestamp_breaks_the_signature() -> None:
    signature = sign(SECRET, TS, BODY).split(",")[1]

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, f"t={TS + 600},{signature}", BODY, SENT_AT + timedelta(seconds=600))


@pytest.mark.parametrize(
    "age", [timedelta(seconds=301), timedelta(hours=2), -timedelta(seconds=301)]
)
def test_a_stale_or_future_request_is_rejected_as_a_replay(age: timedelta) -> None:
    header = sign(SECRET, TS, BODY)

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(SECRET, header, BODY, SENT_AT + age)


def test_the_tolerance_can_be_tightened() -> None:
    header = sign(SECRET, TS, BODY)

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(
            SECRET, header, BODY, SENT_AT + timedelta(seconds=31), tolerance=timedelta(seconds=30)
        )


def test_during_a_secret_rotation_one_matching_signature_is_enough() -> None:
    old = sign(b"old-secret", TS, BODY).split(",")[1]
    header = f"{sign(SECRET, TS, BODY)},{old}"

    verify(SECRET, header, BODY, SENT_AT)
    verify(b"old-secret", header, BODY, SENT_AT)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"v1={'a' * 64}",
        f"t={TS}",
        f"t=yesterday,v1={'a' * 64}",
        f"t=-5,v1={'a' * 64}",
        f"t={TS},t={TS},v1={'a' * 64}",
        f"t={TS},v1=not-hex",
        f"t={TS},v1={'é' * 64}",
        f"t={TS},v1={'a' * 64}," + "x=y," * 300,
    ],
)
def test_a_malformed_header_is_rejected(header: str) -> None:
    with pytest.raises(InvalidSignature, match="malformed"):
        verify(SECRET, header, BODY, SENT_AT)


def test_signing_needs_a_secret_and_verifying_an_aware_time() -> None:
    with pytest.raises(Invalid, match="secret"):
        sign(b"", TS, BODY)
    with pytest.raises(Invalid, match="now"):
        verify(SECRET, sign(SECRET, TS, BODY), BODY, SENT_AT.replace(tzinfo=None))


def test_the_payload_is_what_slack_and_teams_incoming_webhooks_accept() -> None:
    alert = notification(
        kind=EventKind.MENTEE_STALLED,
        priority=Priority.HIGH,
        title="Ada seems to have stalled",
        body="Ada has recorded no activity for 14 days.\n\nThis is a good moment to reach out.",
    )

    payload = webhook_payload(alert)

    assert payload["text"] == (
        "Ada seems to have stalled\n\nAda has recorded no activity for 14 days.\n\n"
        "This is a good moment to reach out."
    )
    assert payload["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "Ada seems to have stalled"}},
        {"type": "section", "text": {"type": "plain_text", "text": alert.body}},
        {
            "type": "context",
            "elements": [{"type": "plain_text", "text": "high priority · progress.mentee_stalled"}],
        },
    ]
    assert payload["notification"] == {
        "id": alert.notification_id,
        "kind": "progress.mentee_stalled",
        "priority": "high",
        "recipient_id": "pt-grace",
        "subject_id": "pt-ada",
        "event_id": "ev-1",
        "created_at": "2026-11-02T09:00:00+00:00",
        "title": alert.title,
        "body": alert.body,
    }
    json.dumps(payload)


def test_a_name_in_the_payload_cannot_ping_a_whole_slack_channel() -> None:
    hostile = notification(title="<!channel> reached a milestone", body="<https://evil|click> & co")

    payload = webhook_payload(hostile)

    assert payload["text"] == (
        "&lt;!channel&gt; reached a milestone\n\n&lt;https://evil|click&gt; &amp; co"
    )
