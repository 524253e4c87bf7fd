"""``/readyz`` answers 200 only when MongoDB and Kafka both answer, and says which one does not."""

import httpx
from fastapi import FastAPI

from mentorship_localstack.processes import free_port
from mentorship_runtime.health import health_router, infrastructure_checks
from mentorship_runtime.kafka import make_broker
from mentorship_runtime.mongo import make_mongo_client


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


async def test_ready_when_mongodb_and_kafka_answer(kafka_bootstrap: str, mongo_url: str) -> None:
    mongo = make_mongo_client(mongo_url, app_name="test-health")
    broker = make_broker(kafka_bootstrap, client_id="test-health")
    await broker.connect()
    app = FastAPI()
    app.include_router(health_router(infrastructure_checks(mongo, broker)))

    async with client_for(app) as http:
        live, ready = await http.get("/healthz"), await http.get("/readyz")
    await broker.stop()
    await mongo.close()

    assert live.status_code == 200
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"mongodb": "ok", "kafka": "ok"}}


async def test_not_ready_when_mongodb_is_unreachable_and_it_says_so(kafka_bootstrap: str) -> None:
    nobody = free_port(0, taken={0})
    mongo = make_mongo_client(f"mongodb://127.0.0.1:{nobody}/", app_name="x", timeout_ms=300)
    broker = make_broker(kafka_bootstrap, client_id="test-health")
    await broker.connect()
    app = FastAPI()
    app.include_router(health_router(infrastructure_checks(mongo, broker), timeout=2.0))

    async with client_for(app) as http:
        ready = await http.get("/readyz")
    await broker.stop()
    await mongo.close()

    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["kafka"] == "ok"
    assert body["checks"]["mongodb"] != "ok"
