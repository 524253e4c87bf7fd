"""A stand-in for a service under the ``make dev`` supervisor: it answers every GET (``/readyz``
too) with 200 on ``HTTP_PORT`` until it is killed."""

from __future__ import annotations

import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Ready(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return None


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(os.environ["HTTP_PORT"])), Ready).serve_forever()
