"""The audit log: every staff action, written in the same transaction as the action itself.

Entries hold ids, action names and codes, never a resident's details: the log
outlives the purge of personal data and must not undo it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry


def audit(session: Session, *, staff_id: int | None, action: str, now: datetime, target: str | None = None,
          detail: str | None = None) -> AuditEntry:
    """Record that `staff_id` (None: the system, such as a scheduled purge) did `action` to `target`."""
    entry = AuditEntry(staff_id=staff_id, action=action[:40], target=target and target[:60],
                       detail=detail and detail[:300], at=now)
    session.add(entry)
    return entry


def recent_audit(session: Session, *, limit: int = 100, staff_id: int | None = None,
                 target: str | None = None) -> list[AuditEntry]:
    """Newest first, for the admin's audit page."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if staff_id is not None:
        query = query.where(AuditEntry.staff_id == staff_id)
    if target is not None:
        query = query.where(AuditEntry.target == target)
    return list(session.scalars(query))
