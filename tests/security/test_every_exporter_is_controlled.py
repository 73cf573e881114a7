"""Every export of personal data goes through export control (issue 16): the resident search, the records
behind an indicator, the audit log and the FHIR bulk export each ask for a purpose, log it, are refused to
the administrators, carry the watermark (user and time) and above the row threshold wait for another
person's approval, which is used once."""
import io
import json
from html import escape

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.fhir.conftest import FhirClient
from tests.isolation.cases.kpi import _village_a_encounter
from tests.people.conftest import register
from yigongti.audit.exports import decide_export
from yigongti.audit.models import AuditEntry, ExportApproval
from yigongti.jobs.queue import run_pending

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(response):
    assert response["Content-Type"].startswith(XLSX), response.content[:300]
    book = load_workbook(io.BytesIO(response.content))
    return book, list(book.active.iter_rows(values_only=True))


def _the_page_way(client, url, user, approver, *, first_cell_has, settings):
    """Purpose form → file with the watermark and a logged purpose → above the threshold the approval
    page → approved → the file once → then approval again."""
    client.force_login(user)
    form = client.get(url)
    assert form.status_code == 200 and 'name="purpose"' in form.content.decode()
    sep = "&" if "?" in url else "?"
    book, rows = _sheet(client.get(f"{url}{sep}purpose=季度核对"))
    assert user.username in rows[0][0] and "季度核对" in rows[0][0]  # the watermark row
    assert user.username in book.active.oddHeader.center.text and user.username in book.properties.description
    assert any(first_cell_has in str(v) for row in rows for v in row if v)
    entry = AuditEntry.objects.filter(action="export", user=user).latest("id")
    assert entry.reason == "季度核对"

    settings.YIGONGTI_EXPORT_APPROVAL_ROWS = 0
    waiting = client.get(f"{url}{sep}purpose=全量核对")
    assert waiting.status_code == 200 and "导出待审批" in waiting.content.decode()
    approval = ExportApproval.objects.filter(requested_by=user).latest("id")
    assert approval.status == "pending" and approval.path.startswith(url.split("?")[0])
    assert client.get(f"{url}{sep}purpose=全量核对").status_code == 200  # asking again: the same request
    assert ExportApproval.objects.filter(requested_by=user, status="pending").count() == 1
    decide_export(approver, approval, approve=True)
    page = client.get("/audit/export-approvals/").content.decode()
    resume = f"{escape(approval.path)}&amp;approval={approval.pk}"
    assert resume in page
    _sheet(client.get(resume.replace("&amp;", "&")))
    assert ExportApproval.objects.get(pk=approval.pk).status == "used"
    again = client.get(resume.replace("&amp;", "&"))
    assert "导出待审批" in again.content.decode()  # used once


def test_the_resident_search(scenario, client, settings):
    register(scenario, name="导出甲", phone="13812345678")
    _the_page_way(client, "/people/export.xlsx?q=", scenario.village_doctor_a, scenario.security_admin,
                  first_cell_has="导出甲", settings=settings)
    client.force_login(scenario.system_admin)
    assert client.get("/people/export.xlsx?q=&purpose=检查").status_code == 403


def test_the_records_behind_an_indicator(scenario, client, settings):
    name = _village_a_encounter(scenario)
    url = f"/kpi/i/effect.drug_share/records/?period=2026&cut=institution:{scenario.clinic_a.pk}&export=records"
    _the_page_way(client, url, scenario.village_doctor_a, scenario.consortium_office, first_cell_has=name,
                  settings=settings)


def test_the_audit_log(scenario, client, settings):
    from yigongti.audit.log import record_read

    record_read(scenario.township_doctor, subject=scenario.village_a, reason="area")
    _the_page_way(client, "/audit/export.xlsx", scenario.audit_admin, scenario.security_admin,
                  first_cell_has="township-doctor", settings=settings)


@pytest.fixture
def bulk(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def _lines(api, manifest):
    out = []
    for output in manifest["output"]:
        response = api.get(output["url"])
        out += [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    return out


def test_the_fhir_bulk_export(scenario, settings, bulk):
    register(scenario, name="导出乙", phone="13812340001")
    api = FhirClient(Client(), scenario.village_doctor_a)
    assert api.get("/fhir/$export", {"_type": "Patient"}).status_code == 400  # no purpose
    assert FhirClient(Client(), scenario.system_admin).get(
        "/fhir/$export", {"_type": "Patient", "purpose": "检查"}).status_code == 403
    status = api.get("/fhir/$export", {"_type": "Patient", "purpose": "随访核对"})["Content-Location"]
    run_pending()
    manifest = json.loads(api.get(status).content)
    patients = _lines(api, manifest)
    assert patients and all(any(t["system"] == "urn:yigongti:export-watermark" and "village-doctor-a" in t["display"]
                                 and "随访核对" in t["display"] for t in p["meta"]["tag"]) for p in patients)
    assert "village-doctor-a" in manifest["extension"]["urn:yigongti:export-watermark"]
    entry = AuditEntry.objects.filter(action="export", object_type="fhir.bulk").get()
    assert entry.reason == "随访核对" and entry.changes["rows"] == len(patients)

    settings.YIGONGTI_EXPORT_APPROVAL_ROWS = 0
    status = api.get("/fhir/$export", {"_type": "Patient", "purpose": "全量"})["Content-Location"]
    run_pending()
    refused = api.get(status)
    assert refused.status_code == 403 and "approval" in refused.content.decode()
    approval = ExportApproval.objects.get(requested_by=scenario.village_doctor_a, kind="fhir.bulk")
    decide_export(scenario.consortium_office, approval, approve=True)
    status = api.get("/fhir/$export", {"_type": "Patient", "purpose": "全量",
                                       "approval": approval.pk})["Content-Location"]
    run_pending()
    assert _lines(api, json.loads(api.get(status).content))
    assert ExportApproval.objects.get(pk=approval.pk).status == "used"
