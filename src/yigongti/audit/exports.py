"""Export control for personal data (issue 16): every export of personal data (XLSX lists, FHIR bulk) is
authorised here first — logged with its purpose, limited by role, watermarked with user and time, and
above a row threshold it needs another person's approval.

    ticket = authorise_export(request.user, "people.Resident", rows=n, purpose=form["purpose"])
    ... build the workbook ...; watermark_workbook(wb, ticket)

``authorise_export`` raises PermissionDenied (role), ValidationError (no purpose) or ApprovalRequired
(too many rows without an approved request; the exception carries the pending ExportApproval).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from yigongti.org.access import ADMINISTRATOR_ROLES, has_role, user_roles
from yigongti.org.models import Role

from .log import record_export
from .models import ExportApproval

# Who may approve a large export (never the requester).
APPROVER_ROLES = frozenset({Role.SECURITY_ADMIN, Role.CONSORTIUM_OFFICE})


class ApprovalRequired(Exception):
    def __init__(self, approval: ExportApproval):
        super().__init__(f"export of {approval.rows} rows needs approval #{approval.pk}")
        self.approval = approval


@dataclass(frozen=True)
class ExportTicket:
    username: str
    kind: str
    rows: int
    purpose: str
    at: str
    approval_id: int | None = None

    @property
    def watermark(self) -> str:
        return _("导出人 %(user)s · %(at)s · 用途：%(purpose)s · 含个人信息，严禁外传") % {
            "user": self.username, "at": self.at, "purpose": self.purpose}


def approval_threshold() -> int:
    return int(getattr(settings, "YIGONGTI_EXPORT_APPROVAL_ROWS", 1000))


def may_export(user, kind: str) -> bool:
    """The three separated administrators export no personal data, except the audit administrator the
    audit log; everyone else exports only what their scoped queries return."""
    roles = user_roles(user)
    if kind.startswith("audit."):
        return Role.AUDIT_ADMIN in roles or Role.SECURITY_ADMIN in roles
    return bool(roles - ADMINISTRATOR_ROLES)


def authorise_export(user, kind: str, rows: int, purpose: str, approval_id: int | None = None,
                     path: str = "", filters: str = "") -> ExportTicket:
    """Check and log an export of ``rows`` rows of ``kind``; see the module docstring."""
    if not may_export(user, kind):
        raise PermissionDenied(_("您的角色不能导出这类个人信息"))
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("请填写导出用途")})
    used = None
    if rows > approval_threshold():
        # An approval is used once: taken with a conditional UPDATE whose row count decides (both databases).
        # The data may have grown a little between the request and its approval (new records, the audit
        # log's own entries): an approval covers up to 10% (at least 10) more rows than it was asked for.
        taken = bool(approval_id) and ExportApproval.objects.filter(
            pk=approval_id, requested_by=user, kind=kind, status=ExportApproval.Status.APPROVED,
            rows__gte=rows - max(10, rows // 11),
        ).update(status=ExportApproval.Status.USED) == 1
        if not taken:
            # the request is recorded (committed by the caller's transaction, or at once) before refusing;
            # asking again for the same export reuses the pending request
            approval = ExportApproval.objects.filter(
                requested_by=user, kind=kind, status=ExportApproval.Status.PENDING, rows__gte=rows, purpose=purpose,
            ).order_by("id").first() or ExportApproval.objects.create(
                requested_by=user, kind=kind, rows=rows, purpose=purpose, path=path[:500])
            raise ApprovalRequired(approval)
        used = ExportApproval.objects.get(pk=approval_id)
    record_export(user, object_type=kind, count=rows, reason=purpose[:200],
                  filters=" ".join(p for p in (filters, f"approval={used.pk}" if used else "") if p))
    return ExportTicket(username=user.get_username(), kind=kind, rows=rows, purpose=purpose,
                        at=timezone.localtime().strftime("%Y-%m-%d %H:%M"), approval_id=used.pk if used else None)


@transaction.atomic
def decide_export(actor, approval: ExportApproval, *, approve: bool) -> ExportApproval:
    """A security administrator or the consortium office approves or rejects someone else's request."""
    if approval.requested_by_id == actor.pk or not has_role(actor, *APPROVER_ROLES):
        raise PermissionDenied(_("不能审批该导出申请"))
    if approval.status != ExportApproval.Status.PENDING:
        raise ValidationError({"status": _("该申请已处理")})
    approval.status = ExportApproval.Status.APPROVED if approve else ExportApproval.Status.REJECTED
    approval.decided_by, approval.decided_at = actor, timezone.now()
    approval.save(update_fields=["status", "decided_by", "decided_at"])
    from .log import record_change

    record_change(actor, action="update", subject=approval, before={"status": "pending"},
                  after={"status": approval.status})
    return approval


def watermark_workbook(workbook, ticket: ExportTicket) -> None:
    """Put the watermark in every sheet's printed header and footer and as document properties (works
    for write-only workbooks too)."""
    for ws in workbook.worksheets:
        for header in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
            header.center.text = ticket.watermark
        ws.oddFooter.center.text = ticket.watermark
    workbook.properties.creator = ticket.username
    workbook.properties.description = ticket.watermark
    workbook.properties.keywords = f"export:{ticket.kind}:{ticket.rows}"


# --- the gate every export view goes through ---------------------------------------------------------------

PURPOSE_PARAM, APPROVAL_PARAM = "purpose", "approval"


def export_gate(request, kind: str, rows: int, filters: str = ""):
    """For an export view: the ExportTicket to watermark the file with, or the page to answer instead:
    the purpose form (no purpose given yet), or "this export waits for approval #n". A role that may not
    export this kind gets 403 (PermissionDenied).

        ticket = export_gate(request, "people.Resident", n)
        if not isinstance(ticket, ExportTicket):
            return ticket
    """
    if not may_export(request.user, kind):
        raise PermissionDenied(_("您的角色不能导出这类个人信息"))
    purpose = (request.GET.get(PURPOSE_PARAM) or "").strip()
    approval = request.GET.get(APPROVAL_PARAM) or ""
    params = [(k, v) for k, values in request.GET.lists() if k not in (PURPOSE_PARAM, APPROVAL_PARAM) for v in values]
    context = {"kind": kind, "rows": rows, "threshold": approval_threshold(), "params": params,
               "action": request.path, "purpose": purpose, "approval_id": approval}
    if not purpose:
        return render(request, "audit/export_purpose.html", context)
    resume = f"{request.path}?{urlencode(params + [(PURPOSE_PARAM, purpose)])}"
    try:
        return authorise_export(request.user, kind, rows, purpose,
                                approval_id=int(approval) if approval.isdigit() else None, path=_safe_path(resume),
                                filters=filters)
    except ApprovalRequired as exc:
        return render(request, "audit/export_approval_needed.html", {**context, "approval": exc.approval})
    except ValidationError as exc:
        return render(request, "audit/export_purpose.html", {**context, "errors": exc.message_dict})


def _safe_path(path: str) -> str:
    """Only a local path is kept (the approvals page links back to it)."""
    return path[:500] if path.startswith("/") and not path.startswith("//") else ""


def watermark_rows(ticket: ExportTicket) -> list[list[str]]:
    """The watermark as the first rows of a sheet (the printed header is not shown on screen)."""
    return [[ticket.watermark]]
