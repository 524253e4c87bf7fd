# syntax=docker/dockerfile:1
# The GraphQL gateway, port 8100.
# Build from the repository root: docker build -f deploy/docker/gateway.Dockerfile .
# The four images (gateway, gateway, progress, notify) share this layout; a test keeps them alike.

FROM ghcr.io/astral-sh/uv:0.13.8 AS uv

# Only the workspace manifests and the lock: the dependency layer below is rebuilt when they
# change, not when the code does.
FROM python:3.13-slim-trixie AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name pyproject.toml ! -name uv.lock -delete

FROM python:3.13-slim-trixie AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /src
COPY --from=manifests /src .
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --no-install-workspace --package mentorship-gateway
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package mentorship-gateway

# The runtime: the same Python, the virtual environment and nothing else (no uv, no sources).
FROM python:3.13-slim-trixie
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-log-init --no-create-home \
        --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
COPY deploy/docker/healthcheck.py /usr/local/lib/healthcheck.py
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8100
USER 10001:10001
EXPOSE 8100
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/usr/local/lib/healthcheck.py", "/healthz"]
ENTRYPOINT ["gateway"]
