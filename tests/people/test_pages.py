"""The record pages: list (masked, query count), export, new (newborn), record page, edit, merge and undo."""
import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from yigongti.audit.models import AuditEntry
from yigongti.people.models import Resident, ResidentMerge

from .conftest import register


def test_the_list_masks_document_and_phone(scenario, client):
    register(scenario, phone="13812345678")
    client.force_login(scenario.village_doctor_a)
    html = client.get("/people/?q=lfy").content.decode()
    assert "罗福英" in html and "138****5678" in html and "13812345678" not in html
    assert "3601**********" in html


def test_the_list_takes_a_constant_number_of_queries(scenario, client):
    client.force_login(scenario.village_doctor_a)
    register(scenario)
    client.get("/people/")
    with CaptureQueriesContext(connection) as one:
        client.get("/people/")
    for i in range(10):
        register(scenario, name=f"居民{i}", document_type="none")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/people/").status_code == 200
    assert len(many) == len(one)


def test_htmx_gets_only_the_results(scenario, client):
    register(scenario)
    client.force_login(scenario.village_doctor_a)
    html = client.get("/people/?q=lfy", HTTP_HX_REQUEST="true").content.decode()
    assert "罗福英" in html and "<html" not in html


def test_the_export_is_the_scoped_search_masked(scenario, client):
    register(scenario, phone="13812345678")
    register(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_b, area=scenario.village_b,
             name="柳林人")
    client.force_login(scenario.village_doctor_a)
    response = client.get("/people/export.xlsx?q=&purpose=核对")  # a purpose is required (issue 16)
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)[1:]  # after the watermark row
    assert len(rows) == 2 and rows[1][1] == "罗福英" and rows[1][6] == "138****5678"
    assert AuditEntry.objects.filter(action="export").exists()


def test_a_newborn_without_a_document_is_registered_on_the_page(scenario, client):
    client.force_login(scenario.village_doctor_a)
    today = timezone.localdate().isoformat()
    response = client.post("/people/new/", {
        "name": "罗小宝", "document_type": "birth_cert", "id_number": "Q360199001", "sex": "1", "birth_date": today,
        "area": scenario.village_a.pk, "insurance_scheme": "resident", "is_resident": "on", "is_registered": "on"})
    r = Resident.objects.get(name="罗小宝")
    assert response.status_code == 302 and response["Location"] == f"/people/{r.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "0～6岁儿童" in html and "出生医学证明" in html
    assert AuditEntry.objects.filter(action="read", object_id=str(r.pk)).count() == 1


def test_a_wrong_check_digit_shows_on_the_field(scenario, client):
    client.force_login(scenario.village_doctor_a)
    response = client.post("/people/new/", {
        "name": "张三", "document_type": "id_card", "id_number": "110105194912310021",
        "area": scenario.village_a.pk, "insurance_scheme": "resident"})
    assert response.status_code == 200 and "校验位错误" in response.content.decode()


def test_the_record_page_shows_the_timeline_and_merge_and_undo_work(scenario, icd, client):
    from yigongti.people import actions

    kept = register(scenario, phone="13812345678")
    dup = register(scenario, document_type="none", phone="13812345678")
    actions.record_encounter(scenario.village_doctor_a, institution=scenario.clinic_a, resident=dup,
                             kind="outpatient", visit_date=dt.date(2025, 1, 2), primary_diagnosis="I10.x00",
                             total_cost="10")
    client.force_login(scenario.village_doctor_a)
    page = client.get(f"/people/{kept.pk}/").content.decode()
    assert dup.record_number in page and "65岁及以上老年人" in page
    client.post(f"/people/{kept.pk}/merge/", {"other": dup.record_number, "reason": "重复建档"})
    page = client.get(f"/people/{kept.pk}/").content.decode()
    assert "原发性高血压" in page and "撤销合并" in page
    merge = ResidentMerge.objects.get()
    client.post(f"/people/merges/{merge.pk}/undo/")
    assert Resident.objects.get(pk=dup.pk).status == "active"


def test_edit_with_a_stale_version_says_so(scenario, client):
    r = register(scenario)
    client.force_login(scenario.village_doctor_a)
    data = {"name": "罗福英", "document_type": "none", "id_number": "", "sex": "2", "birth_date": "1948-03-02",
            "area": scenario.village_a.pk, "insurance_scheme": "resident", "version": r.version}
    assert client.post(f"/people/{r.pk}/edit/", data).status_code == 302
    response = client.post(f"/people/{r.pk}/edit/", data)
    assert "已被他人修改" in response.content.decode()


def test_exam_and_encounter_forms(scenario, icd, client):
    r = register(scenario)
    client.force_login(scenario.village_doctor_a)
    assert client.get(f"/people/{r.pk}/exams/new/").status_code == 200
    response = client.post(f"/people/{r.pk}/exams/new/", {"institution": scenario.clinic_a.pk,
                                                          "exam_date": "2025-03-01", "height": "160", "weight": "64"})
    assert response.status_code == 302
    response = client.post(f"/people/{r.pk}/encounters/new/", {
        "institution": scenario.clinic_a.pk, "kind": "outpatient", "visit_date": "2025-03-01",
        "primary_diagnosis": "I10.x00", "total_cost": "50", "drug_cost": "80", "consumables_cost": "0",
        "medical_service_income": "0", "insurance_paid": "0"})
    assert response.status_code == 200 and "不能超过总费用" in response.content.decode()
    move = client.post(f"/people/{r.pk}/move/", {"moved_on": "2025-04-01", "version": r.version})
    assert move.status_code == 302 and Resident.objects.get(pk=r.pk).status == "moved"
