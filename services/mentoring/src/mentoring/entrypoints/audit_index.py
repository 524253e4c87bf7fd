"""``python -m mentoring.entrypoints.audit_index``: create the audit trail's index, and stop.

Run once per deployment (the production overlay's Job) as a database user that is not
mentoring's: there mentoring's own user may not create indexes on ``audit_log``, and mentoring
only checks the index at start (``AUDIT_LOG_INDEX=check``). Creating an index that exists is a
no-op, so the Job can run again at each release.
"""

from __future__ import annotations

import asyncio

from mentoring.bootstrap import create_audit_index
from mentoring.config import AuditIndexSettings
from mentorship_runtime.settings import load_settings_or_exit


def main() -> None:
    asyncio.run(create_audit_index(load_settings_or_exit(AuditIndexSettings)))


if __name__ == "__main__":
    main()
