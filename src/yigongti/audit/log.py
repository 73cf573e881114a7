"""Writing the audit log. Called by actions (changes, in the action's transaction) and by the scoped read
helpers (one person's record viewed). Document numbers, phones and addresses are masked before they are
stored."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from yigongti.rules.masking import mask_document, mask_phone

from .context import current
from .models import Action, AuditEntry

_DOCUMENT = re.compile(r"(document|id_number|id_card|passport)", re.I)
_PHONE = re.compile(r"phone|mobile|tel", re.I)
_SECRET = re.compile(r"(address|password|_enc$|_index$)", re.I)


def mask_value(field: str, value: Any) -> Any:
    if value is None or value == "":
        return value
    if _SECRET.search(field):
        return "***"
    if _DOCUMENT.search(field):
        return mask_document(str(value))
    if _PHONE.search(field):
        return mask_phone(str(value))
    if isinstance(value, (dt.date, dt.datetime, Decimal)):
        return str(value)
    if isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


def diff(before: dict | None, after: dict | None) -> dict:
    """{field: [old, new]} for the fields that changed, masked."""
    before, after = before or {}, after or {}
    changes = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = [mask_value(field, old), mask_value(field, new)]
    return changes


def _resident_id(subject) -> int | None:
    label = subject._meta.label_lower
    if label == "people.resident":
        return subject.pk
    return getattr(subject, "resident_id", None)


def _entry(actor, *, action: str, subject=None, object_type: str = "", object_id: str = "",
           display: str = "", resident_id=None, changes=None, reason="", institution_id=None) -> AuditEntry:
    ctx = current()
    user = actor if getattr(actor, "is_authenticated", False) else None
    if subject is not None:
        object_type = subject._meta.label
        object_id = str(subject.pk)
        display = str(subject)[:120]
        resident_id = resident_id if resident_id is not None else _resident_id(subject)
    return AuditEntry(
        user=user, username=getattr(user, "username", "") or ("system" if actor is None else ""),
        institution_id=institution_id, action=action, object_type=object_type, object_id=object_id,
        object_display=display, resident_id=resident_id, changes=changes or {}, reason=reason[:200],
        client_address=ctx.client_address, channel=ctx.channel,
    )


def _write(actor, **fields) -> AuditEntry:
    from .chain import write

    return write(_entry(actor, **fields))


def record_change(actor, *, action: str, subject, before: dict | None, after: dict | None,
                  institution_id=None, reason: str = "") -> AuditEntry:
    """A create/update/delete of personal, clinical or structural data; call inside the action's
    transaction so the entry exists exactly when the change does."""
    return _write(actor, action=action, subject=subject, changes=diff(before, after), reason=reason,
                  institution_id=institution_id)


def record_read(actor, *, subject, institution_id=None, reason: str, detail: str = "") -> AuditEntry:
    """One person's record was viewed (page, API, FHIR, export of one record). In a request the entry is
    collected and written with the request's other reads in one INSERT when the response is ready (the
    returned entry then has no pk yet); elsewhere (jobs, commands, tests) it is written at once."""
    entry = _entry(actor, action=Action.READ, subject=subject, reason=reason,
                   changes={"detail": detail} if detail else {}, institution_id=institution_id)
    ctx = current()
    if not ctx.batch_reads:
        from .chain import write

        return write(entry)
    key = (entry.user_id, entry.object_type, entry.object_id, entry.reason, detail)
    if not any(getattr(e, "_yg_key", None) == key for e in ctx.pending):  # the same view twice: one entry
        entry._yg_key = key
        ctx.pending.append(entry)
    return entry


def record_export(actor, *, object_type: str, count: int, filters: str = "", reason: str = "") -> AuditEntry:
    """A list was exported (one entry for the whole file)."""
    return _write(actor, action=Action.EXPORT, object_type=object_type, display=f"{count}",
                  changes={"filters": filters, "rows": count}, reason=reason)
