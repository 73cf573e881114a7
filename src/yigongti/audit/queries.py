"""Reads of the audit log: only the audit administrator (审计管理员) reads it."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied

from yigongti.org.access import has_role
from yigongti.org.models import Role

from .models import AuditEntry

FILTERS = ("user", "institution", "action", "object_type", "resident_id", "date_from", "date_to")


def require_auditor(user) -> None:
    if not has_role(user, Role.AUDIT_ADMIN):
        raise PermissionDenied


def entries_for(user, params) -> tuple:
    """The filtered entries and the filters applied. ``params`` is a QueryDict or dict."""
    require_auditor(user)
    qs = AuditEntry.objects.select_related("institution")
    applied = {}
    if params.get("user"):
        qs = qs.filter(username=params["user"].strip())
        applied["user"] = params["user"].strip()
    if (params.get("institution") or "").isdigit():
        qs = qs.filter(institution_id=int(params["institution"]))
        applied["institution"] = params["institution"]
    if params.get("action"):
        qs = qs.filter(action=params["action"])
        applied["action"] = params["action"]
    if params.get("object_type"):
        qs = qs.filter(object_type=params["object_type"])
        applied["object_type"] = params["object_type"]
    if (params.get("resident_id") or "").isdigit():
        qs = qs.filter(resident_id=int(params["resident_id"]))
        applied["resident_id"] = params["resident_id"]
    for key, lookup in (("date_from", "at__date__gte"), ("date_to", "at__date__lte")):
        try:
            day = dt.date.fromisoformat(params.get(key) or "")
        except ValueError:
            continue
        qs = qs.filter(**{lookup: day})
        applied[key] = day.isoformat()
    return qs, applied
