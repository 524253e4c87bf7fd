"""Container health check: GET a path (``/healthz`` unless given) on this process's HTTP port.

Standard library only, so the runtime image needs no curl. Exit 0 on HTTP 200, else 1.
The port is ``HTTP_PORT``, as the service's settings read it.
"""

import os
import sys
import urllib.request

path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
url = f"http://127.0.0.1:{os.environ.get('HTTP_PORT', '8000')}{path}"
try:
    with urllib.request.urlopen(url, timeout=3) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except OSError as exc:
    print(f"{url}: {exc}", file=sys.stderr)
    sys.exit(1)
