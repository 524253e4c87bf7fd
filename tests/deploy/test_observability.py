"""deploy/observability: the dashboard asks for metrics that exist, Prometheus scrapes them all."""

from __future__ import annotations

import json
from pathlib import Path

from .checks import REPO, dashboard_problems, metric_names, prometheus_problems
from .conftest import edit

OBSERVABILITY = REPO / "deploy" / "observability"
DASHBOARD = OBSERVABILITY / "grafana" / "dashboards" / "mentorship.json"
DATASOURCES = OBSERVABILITY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml"
PROMETHEUS = OBSERVABILITY / "prometheus" / "prometheus.yml"


def test_the_dashboard_asks_only_for_exported_metrics_from_the_provisioned_datasource() -> None:
    assert dashboard_problems(DASHBOARD, DATASOURCES) == []


def test_the_dashboard_covers_latency_events_lag_and_outbox() -> None:
    exprs = " ".join(
        t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p.get("targets", [])
    )
    for metric in (
        "mentorship_http_request_seconds_bucket",
        "mentorship_events_consumed_total",
        "mentorship_events_published_total",
        "mentorship_event_failures_total",
        "mentorship_events_dead_lettered_total",
        "mentorship_event_handler_seconds_bucket",
        "mentorship_consumer_lag",
        "mentorship_outbox_backlog",
        "mentorship_gateway_internal_calls_total",
    ):
        assert metric in exprs
        assert metric in metric_names()


def test_prometheus_scrapes_every_service_and_the_gateway() -> None:
    assert prometheus_problems(PROMETHEUS, REPO / "compose.yaml") == []


def test_the_dashboard_check_rejects_a_misspelt_metric_or_datasource(tmp_path: Path) -> None:
    copy = tmp_path / "mentorship.json"
    copy.write_text(DASHBOARD.read_text())
    edit(copy, "mentorship_consumer_lag", "mentorship_consumer_lags")
    edit(copy, '"uid": "prometheus"', '"uid": "prom"')
    problems = dashboard_problems(copy, DATASOURCES)
    assert any("mentorship_consumer_lags, which no service exports" in p for p in problems)
    assert any("uses datasource 'prom', not provisioned" in p for p in problems)
    copy.write_text(DASHBOARD.read_text()[:-3])
    assert dashboard_problems(copy, DATASOURCES)[0].startswith("mentorship.json: not JSON")


def test_the_scrape_check_rejects_a_missing_or_wrong_target(tmp_path: Path) -> None:
    copy = tmp_path / "prometheus.yml"
    copy.write_text(PROMETHEUS.read_text())
    edit(copy, '"notify:8103"', '"notify:8000"')
    assert prometheus_problems(copy, REPO / "compose.yaml") == [
        "prometheus.yml: does not scrape notify:8103",
        "prometheus.yml: scrapes notify:8000, which is not a service of compose.yaml",
    ]
