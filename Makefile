# The two commands a newcomer needs: `make dev` runs the platform, `make test` runs every check.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV ?= uv
RUN := $(UV) run --locked

.PHONY: dev test lint typecheck tests infra-up infra-down infra-status infra-clean \
        contracts-snapshot sync help bench bench-matching bench-progress bench-notify \
        bench-pipeline bench-gateway bench-latency bench-query-limits bench-recovery bench-lookups bench-report bench-report-query \
        test-faults docs

help:
	@echo "make dev        run the platform locally (Kafka, MongoDB server, services)"
	@echo "make test       lint, type checks and every test against a real Kafka and MongoDB server"
	@echo "make infra-up   start the local Kafka broker and MongoDB server (reused if running)"
	@echo "make infra-down stop them (data kept); make infra-clean also deletes their data"
	@echo "make bench      run the benchmarks (bench/), raw results in bench/results/"
	@echo "make test-faults the fault-injection suite alone (kills, outages; part of make test)"
	@echo "make docs       regenerate the AsyncAPI documents and the GraphQL schema from the code"

sync:
	@$(UV) sync --locked --all-packages --quiet

dev: sync
	@$(RUN) python -m mentorship_localstack.dev

test: sync lint typecheck tests

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck:
	$(RUN) mypy

tests:
	$(RUN) pytest --durations=15

infra-up: sync
	@$(RUN) python -m mentorship_localstack up

infra-down: sync
	@$(RUN) python -m mentorship_localstack down

infra-status: sync
	@$(RUN) python -m mentorship_localstack status

infra-clean: sync
	@$(RUN) python -m mentorship_localstack clean

bench: bench-matching bench-progress bench-notify bench-pipeline bench-gateway bench-latency \
       bench-query-limits bench-recovery bench-lookups bench-report-query
	$(MAKE) bench-report

bench-report: sync
	$(RUN) python bench/report.py

bench-matching: sync
	$(RUN) python bench/matching/bench_matching.py

bench-notify: sync
	$(RUN) python bench/notify/bench_notify.py

bench-progress: sync
	$(RUN) python bench/progress/bench_progress.py

bench-report-query: sync
	$(RUN) python bench/report_query/bench_report_query.py

contracts-snapshot: sync
	$(RUN) python -m mentorship_contracts.snapshots update

bench-pipeline: sync
	$(RUN) python bench/pipeline/bench_pipeline.py

bench-gateway: sync
	$(RUN) python bench/gateway/bench_gateway.py

bench-latency: sync
	$(RUN) python bench/latency/bench_latency.py

bench-query-limits: sync
	$(RUN) python bench/gateway/bench_query_limits.py

bench-recovery: sync
	$(RUN) python bench/recovery/bench_recovery.py

bench-lookups: sync
	$(RUN) python bench/lookups/bench_lookups.py

test-faults: sync
	$(RUN) pytest tests/faults -m faults -q -s

docs: sync
	UPDATE_DOCS=1 $(RUN) pytest tests/docs -q
	$(RUN) python -m gateway.export_schema
