"""The audit log: changes with masked numbers, append-only, the auditor's page, export and API."""
import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from yigongti.audit.log import diff, record_change, record_read
from yigongti.audit.models import AppendOnly, AuditEntry
from yigongti.org import actions


def test_diff_masks_documents_and_phones():
    changes = diff({"phone": "13812345678", "name": "甲", "id_number": "360199198001010011", "address_enc": "x"},
                   {"phone": "13900001111", "name": "乙", "id_number": "360199198001010011", "address_enc": "y"})
    assert changes == {"phone": ["138****5678", "139****1111"], "name": ["甲", "乙"], "address_enc": ["***", "***"]}


def test_actions_write_their_entry_in_the_same_transaction(scenario):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.add_department(scenario.consortium_office, scenario.centre_1, code="ZZ", name="测试科")
        raise RuntimeError("rolled back")
    assert AuditEntry.objects.count() == before
    dept = actions.add_department(scenario.consortium_office, scenario.centre_1, code="ZZ", name="测试科")
    entry = AuditEntry.objects.latest("id")
    assert entry.object_type == "org.Department" and entry.object_id == str(dept.pk)
    assert entry.username == "consortium-office" and entry.institution_id == scenario.centre_1.pk


def test_staff_phone_is_masked_in_the_entry(scenario):
    actions.create_staff(scenario.institution_admin_t1, institution=scenario.clinic_a, username="vd-new",
                         full_name="新村医", password="x" * 12, roles=["village_doctor"], phone="13812345678",
                         validate=False)
    entry = AuditEntry.objects.filter(object_type="org.User").latest("id")
    assert entry.changes["phone"] == [None, "138****5678"]


def test_entries_cannot_be_changed_or_deleted(scenario):
    entry = record_read(scenario.township_doctor, subject=scenario.village_a, reason="area")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_changes_too(scenario):
    entry = record_read(scenario.township_doctor, subject=scenario.village_a, reason="area")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'forged' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":  # SQLite: see migration 0002
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])


def test_the_page_is_for_the_auditor_only(client, scenario):
    record_change(scenario.township_doctor, action="update", subject=scenario.centre_1,
                  before={"phone": "13812345678"}, after={"phone": "13900001111"}, institution_id=scenario.centre_1.pk)
    for user in (scenario.system_admin, scenario.consortium_office, scenario.township_doctor):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export.xlsx").status_code == 403
    client.force_login(scenario.audit_admin)
    body = client.get("/audit/?user=township-doctor&action=update").content.decode()
    assert "138****5678" in body and "13812345678" not in body
    assert "东湖镇中心卫生院" in body


def test_export_is_xlsx_of_the_filtered_rows_and_is_itself_audited(client, scenario):
    record_read(scenario.township_doctor, subject=scenario.village_a, reason="area")
    record_read(scenario.village_doctor_a, subject=scenario.village_a, reason="area")
    client.force_login(scenario.audit_admin)
    form = client.get("/audit/export.xlsx?user=township-doctor&action=read")  # first the purpose
    assert form.status_code == 200 and 'name="purpose"' in form.content.decode()
    response = client.get("/audit/export.xlsx?user=township-doctor&action=read&purpose=季度检查")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "audit-admin" in rows[0][0]  # the watermark row
    assert rows[1][0] == "时间" and len(rows) == 3 and rows[2][1] == "township-doctor"
    assert AuditEntry.objects.filter(action="export", username="audit-admin").exists()


def test_api_for_the_auditor_only(client, scenario):
    record_read(scenario.township_doctor, subject=scenario.village_a, reason="area")
    auditor = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=scenario.audit_admin).key}"}
    other = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=scenario.consortium_office).key}"}
    body = client.get("/api/v1/audit/?action=read", **auditor).json()
    assert body["count"] >= 1 and body["results"][0]["action"] == "read"
    assert client.get("/api/v1/audit/", **other).status_code == 403


def test_the_break_glass_page(client, scenario):
    client.force_login(scenario.village_doctor_b)
    bad = client.post("/audit/break-glass/", {"resident": "5", "institution": scenario.clinic_b.pk, "reason": ""})
    assert bad.status_code == 200 and "理由" in bad.content.decode()
    ok = client.post("/audit/break-glass/", {"resident": "5", "institution": scenario.clinic_b.pk,
                                             "reason": "夜间急诊，需查过敏史", "next": "/"})
    assert ok.status_code == 302
    assert AuditEntry.objects.filter(action="break_glass", resident_id=5).exists()
