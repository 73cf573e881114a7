"""Export control (issue 16): purpose logged, role-limited, watermarked, large exports need approval."""
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook, load_workbook

from yigongti.audit.exports import ApprovalRequired, authorise_export, decide_export, watermark_workbook
from yigongti.audit.models import AuditEntry, ExportApproval


def test_purpose_is_required_and_logged(scenario):
    with pytest.raises(ValidationError):
        authorise_export(scenario.township_doctor, "people.Resident", 10, "")
    ticket = authorise_export(scenario.township_doctor, "people.Resident", 10, "随访名单核对")
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.reason == "随访名单核对" and entry.changes["rows"] == 10
    assert "township-doctor" in ticket.watermark


def test_administrators_export_no_personal_data(scenario):
    with pytest.raises(PermissionDenied):
        authorise_export(scenario.system_admin, "people.Resident", 1, "检查")
    authorise_export(scenario.audit_admin, "audit.AuditEntry", 1, "审计检查")


def test_a_large_export_needs_another_persons_approval(scenario, settings):
    settings.YIGONGTI_EXPORT_APPROVAL_ROWS = 100
    with pytest.raises(ApprovalRequired) as exc:
        authorise_export(scenario.consortium_office, "people.Resident", 500, "年度统计")
    approval = exc.value.approval
    with pytest.raises(PermissionDenied):
        decide_export(scenario.consortium_office, approval, approve=True)  # not one's own
    with pytest.raises(PermissionDenied):
        decide_export(scenario.township_doctor, approval, approve=True)  # not an approver role
    decide_export(scenario.security_admin, approval, approve=True)
    ticket = authorise_export(scenario.consortium_office, "people.Resident", 500, "年度统计", approval_id=approval.pk)
    assert ticket.approval_id == approval.pk
    assert ExportApproval.objects.get(pk=approval.pk).status == "used"
    with pytest.raises(ApprovalRequired):  # an approval is used once
        authorise_export(scenario.consortium_office, "people.Resident", 500, "年度统计", approval_id=approval.pk)


def test_the_workbook_carries_the_watermark(scenario):
    ticket = authorise_export(scenario.township_doctor, "people.Resident", 1, "核对")
    wb = Workbook()
    wb.active.append(["x"])
    watermark_workbook(wb, ticket)
    buffer = io.BytesIO()
    wb.save(buffer)
    again = load_workbook(io.BytesIO(buffer.getvalue()))
    assert "township-doctor" in again.active.oddHeader.center.text
    assert "township-doctor" in again.properties.description


def test_the_audit_log_export_is_watermarked(scenario, client):
    client.force_login(scenario.audit_admin)
    response = client.get("/audit/export.xlsx?purpose=季度检查")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert "audit-admin" in wb.properties.description and "季度检查" in wb.properties.description


def test_an_approval_covers_a_little_growth_but_not_a_bigger_export(scenario, settings):
    settings.YIGONGTI_EXPORT_APPROVAL_ROWS = 100
    with pytest.raises(ApprovalRequired) as exc:
        authorise_export(scenario.consortium_office, "people.Resident", 500, "年度统计")
    decide_export(scenario.security_admin, exc.value.approval, approve=True)
    with pytest.raises(ApprovalRequired):  # far more rows than approved: a new request
        authorise_export(scenario.consortium_office, "people.Resident", 600, "年度统计",
                         approval_id=exc.value.approval.pk)
    authorise_export(scenario.consortium_office, "people.Resident", 540, "年度统计", approval_id=exc.value.approval.pk)
