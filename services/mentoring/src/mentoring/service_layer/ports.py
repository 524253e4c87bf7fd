"""What the mentoring use cases need from the outside world, as typed interfaces.

The adapters (MongoDB, Kafka through the outbox) implement them; ``bootstrap`` wires them in; the
service-layer tests use in-memory fakes of them.
"""

from __future__ import annotations

# ---- programs, participants, matches, matching runs, roster, report ---------------------------


# ---- personal data (exports, erasures), provisioning (SCIM), the audit trail ------------------
