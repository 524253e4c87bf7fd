# The two commands a newcomer needs: `make dev` runs the platform, `make test` runs every check.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV ?= uv
RUN := $(UV) run --locked

.PHONY: dev test lint typecheck tests infra-up infra-down infra-status infra-clean \
        contracts-snapshot sync help bench bench-matching bench-progress bench-notify \
        bench-pipeline bench-gateway bench-latency bench-query-limits bench-recovery bench-lookups bench-import bench-report bench-report-query \
        test-faults docs web-install web-check web-codegen

help:
	@echo "make dev        run the platform locally (Kafka, MongoDB server, services)"
	@echo "make test       lint, type checks and every test against a real Kafka and MongoDB server"
	@echo "make infra-up   start the local Kafka broker and MongoDB server (reused if running)"
	@echo "make infra-down stop them (data kept); make infra-clean also deletes their data"
	@echo "make bench      run the benchmarks (bench/), raw results in bench/results/"
	@echo "make test-faults the fault-injection suite alone (kills, outages; part of make test)"
	@echo "make docs       regenerate the AsyncAPI documents and the GraphQL schema from the code"
	@echo "make web-check  the web app's codegen freshness, type check, lint, unit tests and build"

sync:
	@$(UV) sync --locked --all-packages --quiet

dev: sync
	@if command -v node >/dev/null 2>&1; then $(MAKE) --no-print-directory web-install; \
	 else echo "Node.js 20 is not installed: the web app will not be served (install Node 20 and npm)"; fi
	@$(RUN) python -m mentorship_localstack.dev

test: sync lint typecheck web-check tests

# The web app (web/): its packages, from the lock file, installed again when the lock file changes.
web-install:
	@command -v npm >/dev/null 2>&1 || { echo "the web app needs Node.js 20 and npm: install them"; exit 1; }
	@if [ ! web/node_modules/.package-lock.json -nt web/package-lock.json ]; then \
	  cd web && npm ci --no-audit --no-fund --loglevel=error; fi

web-check: web-install
	cd web && npm run codegen:check
	cd web && npm run typecheck
	cd web && npm run lint
	cd web && npm test
	cd web && npm run build

web-codegen: web-install
	cd web && npm run codegen

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports --no-cache --no-logo .importlinter

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
       bench-query-limits bench-recovery bench-lookups bench-import bench-report-query
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

bench-import: sync
	$(RUN) python bench/import/bench_import.py

test-faults: sync
	$(RUN) pytest tests/faults -m faults -q -s

docs: sync
	UPDATE_DOCS=1 $(RUN) pytest tests/docs -q
	$(RUN) python -m gateway.export_schema
	@if [ -d web/node_modules ]; then cd web && npm run codegen --silent; fi
