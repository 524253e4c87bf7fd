"""A comma-separated KAFKA_BOOTSTRAP_SERVERS reaches the broker (FastStream takes a list)."""

from mentorship_runtime.kafka import make_broker


async def test_a_comma_separated_bootstrap_list_connects(kafka_bootstrap: str) -> None:
    broker = make_broker(f"{kafka_bootstrap}, {kafka_bootstrap}", client_id="bootstrap-list")
    try:
        await broker.start()
        assert await broker.ping(timeout=5)
    finally:
        await broker.stop()
