"""The audit trail's index made by the deployment's Job, checked by mentoring at start, on the
real server: a mentoring set to check (AUDIT_LOG_INDEX=check) refuses to start before the Job ran
and finds the index the Job made. (A TTL index is refused by the unit tests: the local FerretDB
does not create one.)"""

from __future__ import annotations

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.audit_log import AuditIndexRefused, AuditLog
from mentoring.bootstrap import create_app, create_audit_index
from mentoring.config import AuditIndexSettings, Settings
from mentorship_runtime.mongo import Document
from mentorship_testing.services import serving, settings_for


async def test_mentoring_set_to_check_starts_only_once_the_job_made_the_audit_index(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> None:
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        role="api",
        audit_log_index="check",
        kafka_create_topics=False,
    )
    with pytest.raises(AuditIndexRefused, match="no index on"):
        async with serving(create_app(settings), "mentoring"):
            pass
    assert await mongo_db["audit_log"].index_information() == {}  # nor did it create one

    job = AuditIndexSettings(mongodb_url=mongo_url, mongodb_database=mongo_db.name)
    await create_audit_index(job)
    await create_audit_index(job)  # the next release's run: a no-op
    await AuditLog(mongo_db).check_indexes()
    async with serving(create_app(settings), "mentoring") as http:
        assert (await http.get("/healthz")).status_code == 200
