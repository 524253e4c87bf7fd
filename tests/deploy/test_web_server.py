"""The web image's server configuration (deploy/docker/web.conf.template), rendered as the image's
entrypoint renders it and run by a real nginx (Debian's, fetched once into the cache) in front of
a stand-in gateway that records what reaches it."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mentorship_localstack.tooling import ensure_nginx, nginx_mime_types

from .checks import (
    WEB_MAIN_CONFIG,
    WEB_TEMPLATE,
    WebServer,
    dockerfile,
    image_environment,
    lay_out_web_server,
    web_main_config_problems,
    web_server_problems,
)
from .conftest import edit

INDEX = "<!doctype html><title>app</title><script src=/assets/index-abc123.js></script>"


@dataclass
class Gateway:
    """Answers every request with what it received: method, path and the headers that matter."""

    port: int
    seen: list[dict[str, str]] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def nginx() -> Path:
    return ensure_nginx()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    record = Gateway(port=0)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            seen = {
                "method": self.command,
                "path": self.path,
                "host": self.headers.get("Host", ""),
                "upgrade": self.headers.get("Upgrade", ""),
                "connection": self.headers.get("Connection", ""),
                "forwarded_proto": self.headers.get("X-Forwarded-Proto", ""),
                "body": body,
            }
            record.seen.append(seen)
            if seen["upgrade"] == "websocket":
                self._tunnel()
                return
            answer = json.dumps(seen).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def _tunnel(self) -> None:
            """Switches protocols, then answers each chunk it reads with that chunk, marked."""
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.end_headers()
            self.wfile.flush()
            while chunk := self.connection.recv(1024):
                self.connection.sendall(b"echo:" + chunk)
            self.close_connection = True

        do_GET = do_POST = _answer

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()


def _lay_out(nginx: Path, template: Path, tmp_path: Path, gateway_port: int) -> WebServer:
    env = {
        **image_environment(dockerfile("web")),
        "GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
    }
    server = lay_out_web_server(
        nginx, nginx_mime_types(nginx), template, env, tmp_path / "nginx", _free_port()
    )
    (server.prefix / "html" / "index.html").write_text(INDEX)
    (server.prefix / "html" / "assets").mkdir()
    (server.prefix / "html" / "assets" / "index-abc123.js").write_text("console.log(1);\n" * 200)
    return server


@pytest.fixture
def served(nginx: Path, gateway: Gateway, tmp_path: Path) -> Iterator[WebServer]:
    server = _lay_out(nginx, WEB_TEMPLATE, tmp_path, gateway.port)
    log = server.prefix / "output.log"
    with log.open("w") as output:
        process = subprocess.Popen(server.command(), stdout=output, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"nginx stopped: {log.read_text()}")
                threading.Event().wait(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(
    server: WebServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, body="{}" if method == "POST" else None,
                           headers=headers or {})  # fmt: skip
        response = connection.getresponse()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            (response.read().decode(errors="replace")),
        )
    finally:
        connection.close()


def test_nginx_accepts_the_configuration(nginx: Path, gateway: Gateway, tmp_path: Path) -> None:
    assert web_server_problems(_lay_out(nginx, WEB_TEMPLATE, tmp_path, gateway.port)) == []


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("    proxy_read_timeout 300s;\n", "    proxy_read_timeout 300s\n", "unexpected"),
        ("try_files $uri /index.html;", "try_file $uri /index.html;", "unknown directive"),
        (
            "connect-src 'self' ${WEB_CONNECT_SRC};",
            "connect-src 'self' ${WEB_CONNECT};",
            'unknown "web_connect" variable',
        ),
    ],
)
def test_nginx_rejects_a_broken_configuration(
    nginx: Path, gateway: Gateway, tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    template = tmp_path / WEB_TEMPLATE.name
    template.write_text(WEB_TEMPLATE.read_text())
    edit(template, old, new)
    problems = web_server_problems(_lay_out(nginx, template, tmp_path, gateway.port))
    assert any(complaint in problem for problem in problems), problems


def test_the_main_configuration_writes_only_to_the_mounted_volumes() -> None:
    assert web_main_config_problems(WEB_MAIN_CONFIG) == []


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("pid /tmp/nginx.pid;", "pid /run/nginx.pid;", "would write /run/nginx.pid"),
        ("    proxy_temp_path /tmp/proxy_temp;\n", "", "proxy_temp_path is not set"),
        ("worker_processes 2;", "worker_processes auto;", "not a fixed number"),
        ("include /etc/nginx/conf.d/*.conf;", "include /etc/nginx/sites/*.conf;", "conf.d"),
    ],
)
def test_the_main_configuration_check_rejects_a_broken_copy(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    copy = tmp_path / WEB_MAIN_CONFIG.name
    copy.write_text(WEB_MAIN_CONFIG.read_text())
    edit(copy, old, new)
    problems = web_main_config_problems(copy)
    assert any(complaint in problem for problem in problems), problems


def test_any_route_of_the_app_gets_index_html_checked_again_on_every_visit(
    served: WebServer, gateway: Gateway
) -> None:
    for path in ("/", "/programs/p-1/roster", "/mentees/m-1?checkIn=c-2", "/index.html"):
        status, headers, body = _get(served, path)
        assert (status, body) == (200, INDEX), path
        assert headers["cache-control"] == "no-cache", path
    assert gateway.seen == []


def test_hashed_assets_are_cached_for_a_year_and_a_missing_one_is_not_the_app(
    served: WebServer,
) -> None:
    status, headers, body = _get(
        served, "/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-type"].startswith("application/javascript")
    assert headers.get("content-encoding") == "gzip"
    status, _, body = _get(served, "/assets/index-gone.js")
    assert status == 404
    assert "app" not in body


def test_every_answer_carries_the_security_headers(served: WebServer) -> None:
    for path in ("/", "/assets/index-abc123.js", "/assets/index-gone.js", "/graphql", "/healthz"):
        _, headers, _ = _get(served, path)
        policy = headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy, path
        assert "connect-src 'self'" in policy, path
        assert "frame-ancestors 'none'" in policy, path
        assert "script-src 'self';" in policy, path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "same-origin", path
        assert headers.get("x-frame-options") == "DENY", path


def test_graphql_reaches_the_gateway_with_its_websocket_upgrade(
    served: WebServer, gateway: Gateway
) -> None:
    status, headers, body = _get(served, "/graphql", method="POST")
    assert status == 200
    assert json.loads(body)["body"] == "{}"
    assert "cache-control" not in headers  # the gateway's own caching headers, if any, stand
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as browser:
        browser.sendall(
            f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n".encode()
        )
        handshake = b""
        while b"\r\n\r\n" not in handshake:
            handshake += browser.recv(1024)
        assert handshake.startswith(b"HTTP/1.1 101 "), handshake
        browser.sendall(b"connection_init")  # the tunnel carries bytes both ways
        assert browser.recv(1024) == b"echo:connection_init"
    post, upgrade = gateway.seen
    assert (post["method"], post["path"], post["connection"]) == ("POST", "/graphql", "close")
    assert (upgrade["upgrade"], upgrade["connection"]) == ("websocket", "upgrade")
    assert upgrade["host"] == f"127.0.0.1:{served.port}"  # as sent: the gateway checks Origin
    assert upgrade["forwarded_proto"] == "http"


def test_downloads_and_sign_in_config_reach_the_gateway_and_dev_never_does(
    served: WebServer, gateway: Gateway
) -> None:
    passed = (
        "/reports/r-1.csv?from=2026-01-01",
        "/data-exports/x-1.zip",
        "/audit/programs/p-1.csv",
        "/scim/v2/Users?count=10",
        "/auth/config",
    )
    for path in passed:
        status, _, body = _get(served, path)
        assert (status, json.loads(body)["path"]) == (200, path)
    for path, method in (("/dev/people", "GET"), ("/dev/token", "POST")):
        status, _, _ = _get(served, path, method=method)
        assert status == 404, path
    # the provider sends the browser back to the app's own page, which the app answers
    status, headers, body = _get(served, "/auth/callback?code=x&state=s")
    assert (status, body, headers.get("cache-control")) == (200, INDEX, "no-cache")
    assert [seen["path"] for seen in gateway.seen] == list(passed)


def test_the_health_endpoint_answers_without_the_gateway(served: WebServer) -> None:
    status, _, body = _get(served, "/healthz")
    assert (status, body) == (200, "ok\n")
