"""What was replayed from a dead-letter partition, as a committed offset and its metadata."""

from mentorship_cli.dead_letters import DeadLetterTopic, ReplayLedger, is_platform_dead_letter_topic


def test_an_empty_ledger_holds_nothing() -> None:
    ledger = ReplayLedger()

    assert 0 not in ledger
    assert (ledger.below, ledger.metadata()) == (0, "")


def test_replays_in_order_only_move_the_offset() -> None:
    ledger = ReplayLedger().add([0, 1, 2])

    assert (ledger.below, ledger.metadata()) == (3, "")
    assert all(o in ledger for o in (0, 1, 2))
    assert 3 not in ledger


def test_replays_out_of_order_are_listed_as_ranges_until_the_gap_fills() -> None:
    ledger = ReplayLedger().add([2, 3, 4, 7, 9, 10])

    assert (ledger.below, ledger.metadata()) == (0, "2-4,7,9-10")
    assert 5 not in ledger
    filled = ledger.add([0, 1])
    assert (filled.below, filled.metadata()) == (5, "7,9-10")


def test_a_ledger_survives_its_round_trip_through_the_commit() -> None:
    ledger = ReplayLedger(4).add([6, 8, 9])

    again = ReplayLedger.decode(ledger.below, ledger.metadata())

    assert again == ledger


def test_an_uncommitted_or_garbled_commit_reads_as_what_it_can() -> None:
    assert ReplayLedger.decode(-1, "") == ReplayLedger()
    assert ReplayLedger.decode(2, "x,5,y-z,7-8") == ReplayLedger(2, frozenset({5, 7, 8}))
    assert ReplayLedger.decode(2, "2-3,1") == ReplayLedger(4)


def test_dead_letter_topic_names_say_whose_events_and_which_group() -> None:
    parsed = DeadLetterTopic.parse("t1.progress.events.dlq.notify")

    assert parsed is not None
    assert (parsed.original_topic, parsed.consumer_group) == ("t1.progress.events", "notify")
    assert parsed.replayer_group == "dlq-replayer.notify"
    assert DeadLetterTopic.parse("progress.events") is None
    assert DeadLetterTopic.parse(".dlq.notify") is None
    assert is_platform_dead_letter_topic("t1.progress.events.dlq.notify", "t1.")
    assert not is_platform_dead_letter_topic("t1.progress.events.dlq.notify", "")
    assert not is_platform_dead_letter_topic("t1.elsewhere.dlq.notify", "t1.")
