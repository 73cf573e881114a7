"""The upload page: the file becomes jobs (read, then chunks of rows), the page shows the progress and the
result with the error report link; the report and the batch are the uploader's only."""
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yigongti.jobs.models import Job
from yigongti.jobs.queue import run_pending
from yigongti.people import importing
from yigongti.people.models import Resident

from .conftest import RESIDENT_HEADER, read_xlsx, resident_rows, xlsx_bytes


def _upload(client, scenario, rows):
    data = xlsx_bytes([RESIDENT_HEADER, *rows])
    return client.post(reverse("people:import_upload"), {
        "kind": "residents", "institution": scenario.clinic_a.pk,
        "file": SimpleUploadedFile("花名册.xlsx", data)})


def test_an_upload_is_imported_by_the_worker(scenario, catalog, client, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK", 2)
    rows = resident_rows(scenario, 5)
    rows[3][1] = rows[3][1][:-1] + ("0" if rows[3][1][-1] != "0" else "1")
    client.force_login(scenario.village_doctor_a)
    response = _upload(client, scenario, rows)
    batch = Job.objects.get(kind="people.import")
    assert response.status_code == 302 and response.url == reverse("people:import_status", args=[batch.pk])

    page = client.get(response.url)
    assert "排队中" in page.content.decode() and 'hx-trigger="every 1s"' in page.content.decode()

    assert run_pending() == 4  # read the file, then three chunks of two rows
    status = importing.batch_status(batch.pk)
    assert (status.state, status.total, status.counts.created, status.counts.failed) == ("done", 5, 4, 1)
    assert Resident.objects.count() == 4

    fragment = client.get(reverse("people:import_progress", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in fragment and "下载错误报告" in fragment and "校验位错误" in fragment
    report = client.get(reverse("people:import_errors", args=[batch.pk]))
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert read_xlsx(report.content)[1] == [5, "证件号码", "身份证号码校验位错误，请核对。"]

    client.force_login(scenario.village_doctor_b)
    assert client.get(reverse("people:import_status", args=[batch.pk])).status_code == 404
    assert client.get(reverse("people:import_errors", args=[batch.pk])).status_code == 404


def test_the_same_upload_again_creates_nothing(scenario, catalog, client):
    rows = resident_rows(scenario, 3)
    client.force_login(scenario.village_doctor_a)
    _upload(client, scenario, rows)
    run_pending()
    _upload(client, scenario, rows)
    run_pending()
    second = importing.batch_status(Job.objects.filter(payload__step="parse").order_by("-id").first().pk)
    assert (second.counts.created, second.counts.unchanged) == (0, 3)
    assert Resident.objects.count() == 3


def test_a_file_without_the_required_columns_fails_with_a_reason(scenario, catalog, client):
    client.force_login(scenario.village_doctor_a)
    client.post(reverse("people:import_upload"), {
        "kind": "residents", "institution": scenario.clinic_a.pk,
        "file": SimpleUploadedFile("x.xlsx", xlsx_bytes([["电话", "备注"], ["1", "2"]]))})
    run_pending()
    status = importing.batch_status(Job.objects.get().pk)
    assert status.state == "failed" and "缺少必填列" in status.message


def test_an_old_xls_file_is_refused_on_the_form(scenario, client):
    client.force_login(scenario.village_doctor_a)
    response = client.post(reverse("people:import_upload"), {
        "kind": "residents", "institution": scenario.clinic_a.pk,
        "file": SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)})
    assert response.status_code == 200 and "另存为" in response.content.decode()
    assert not Job.objects.exists()


def test_the_templates_download(scenario, client):
    client.force_login(scenario.village_doctor_a)
    for kind in importing.KINDS:
        response = client.get(reverse("people:import_template", args=[kind]))
        assert response.status_code == 200
        assert read_xlsx(io.BytesIO(response.content).getvalue())[0][0]


def test_administrators_cannot_import(scenario, client):
    client.force_login(scenario.system_admin)
    assert client.get(reverse("people:import_upload")).status_code == 404
