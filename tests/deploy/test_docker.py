"""The Dockerfiles (hadolint and what the images promise) and the build context. The four Python
images are kept alike; the web app's (Node builds it, nginx serves it) has checks of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from .checks import (
    APPS,
    REPO,
    dockerfile,
    dockerfile_drift,
    dockerfile_problems,
    dockerfiles,
    dockerignore_problems,
    hadolint_problems,
    web_dockerfile_problems,
)
from .conftest import edit


@pytest.mark.parametrize("path", dockerfiles(), ids=lambda p: p.name)
def test_each_dockerfile_passes_hadolint(path: Path) -> None:
    assert hadolint_problems(path) == []


def test_every_image_has_its_dockerfile_checked() -> None:
    assert {p.name for p in dockerfiles()} == {f"{a}.Dockerfile" for a in (*APPS, "web")}


@pytest.mark.parametrize("app", APPS)
def test_each_image_runs_its_own_package_as_non_root_with_a_health_check(app: str) -> None:
    assert dockerfile_problems(dockerfile(app), app) == []


def test_the_web_image_builds_with_node_and_serves_with_unprivileged_nginx() -> None:
    assert web_dockerfile_problems(dockerfile("web")) == []


def test_the_images_differ_only_by_service_and_port() -> None:
    assert dockerfile_drift({app: dockerfile(app) for app in APPS}) == []


def test_the_build_context_keeps_what_uv_sync_needs_and_nothing_else() -> None:
    assert dockerignore_problems(REPO / ".dockerignore") == []


def _broken_copy(tmp_path: Path, app: str, old: str, new: str) -> Path:
    copy = tmp_path / dockerfile(app).name
    copy.write_text(dockerfile(app).read_text())
    edit(copy, old, new)
    return copy


def test_hadolint_rejects_an_unpinned_image_and_a_root_user(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path, "mentoring", "USER 10001:10001", "USER root")
    edit(copy, "FROM python:3.13-slim-trixie AS build", "FROM python:latest AS build")
    found = "\n".join(hadolint_problems(copy))
    assert "DL3007" in found  # the `latest` tag
    assert "DL3002" in found  # last USER is root


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("--package mentorship-mentoring\n", "--package mentorship-progress\n", "--package"),
        ('ENTRYPOINT ["mentoring"]', 'ENTRYPOINT ["mentoring-api"]', "ENTRYPOINT"),
        ("USER 10001:10001", "USER 0", "non-root"),
        ("/healthz", "/health", "HEALTHCHECK"),
        ("EXPOSE 8101", "EXPOSE 8000", "EXPOSE"),
        ("ghcr.io/astral-sh/uv:0.13.8", "ghcr.io/astral-sh/uv", "not pinned"),
    ],
)
def test_the_image_checks_reject_a_broken_dockerfile(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    copy = _broken_copy(tmp_path, "mentoring", old, new)
    assert any(complaint in problem for problem in dockerfile_problems(copy, "mentoring"))


def test_drift_between_images_is_reported(tmp_path: Path) -> None:
    paths = {app: dockerfile(app) for app in APPS}
    paths["notify"] = _broken_copy(tmp_path, "notify", "UV_LINK_MODE=copy", "UV_LINK_MODE=hardlink")
    assert dockerfile_drift(paths) == [
        "notify.Dockerfile differs from gateway.Dockerfile beyond the service's name and port"
    ]


def test_the_build_context_check_rejects_a_missing_lock_or_a_leaked_venv(tmp_path: Path) -> None:
    copy = tmp_path / ".dockerignore"
    copy.write_text((REPO / ".dockerignore").read_text())
    edit(copy, "!uv.lock\n", "")
    edit(copy, "!pyproject.toml\n", "!pyproject.toml\n!.venv/\n")
    problems = dockerignore_problems(copy)
    assert ".dockerignore leaves out uv.lock, which the images need" in problems
    assert ".dockerignore lets .venv/pyvenv.cfg into the build context" in problems


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        (
            "FROM node:20.19-bookworm-slim AS build",
            "FROM node:22-bookworm-slim AS build",
            "Node 20",
        ),
        ("    npm ci --no-audit --no-fund", "    npm install --no-audit --no-fund", "`npm ci`"),
        ("RUN npm run build", "RUN npm run typecheck", "`npm run build`"),
        ("FROM nginxinc/nginx-unprivileged:1.28-alpine", "FROM nginx:1.28-alpine", "unprivileged"),
        ("nginxinc/nginx-unprivileged:1.28-alpine", "nginxinc/nginx-unprivileged", "not pinned"),
        ("USER 101:101", "USER root", "non-root"),
        ("=build /src/web/dist /usr", "=build /src/web /usr", "dist/"),
        ("/default.conf.template", "/default.conf", "is not copied into"),
        ("web.nginx.conf /etc/nginx/nginx.conf", "web.nginx.conf /etc/nginx/", "nginx.conf"),
        ('    WEB_CONNECT_SRC=""', '    WEB_CONNECT=""', "${WEB_CONNECT_SRC}"),
        ("8080/healthz", "8080/", "HEALTHCHECK"),
        ("EXPOSE 8080", "EXPOSE 80", "EXPOSE 8080"),
    ],
)
def test_the_web_image_check_rejects_a_broken_dockerfile(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    copy = _broken_copy(tmp_path, "web", old, new)
    problems = web_dockerfile_problems(copy)
    assert any(complaint in problem for problem in problems), problems


def test_the_build_context_check_rejects_the_web_apps_packages_or_a_missing_template(
    tmp_path: Path,
) -> None:
    copy = tmp_path / ".dockerignore"
    copy.write_text((REPO / ".dockerignore").read_text())
    edit(copy, "web/node_modules\n", "")
    edit(copy, "!deploy/docker/web.conf.template\n", "")
    problems = dockerignore_problems(copy)
    assert ".dockerignore leaves out deploy/docker/web.conf.template, which the images need" in (
        problems
    )
    assert ".dockerignore lets web/node_modules/react/package.json into the build context" in (
        problems
    )
