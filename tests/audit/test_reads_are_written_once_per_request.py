"""Reads of one person's record are cheap: collected during a request, written in one INSERT at its end."""
import datetime as dt

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from yigongti.audit.context import bind_request
from yigongti.audit.log import record_read
from yigongti.audit.models import AuditEntry


def test_reads_in_a_request_are_one_insert(scenario):
    request = RequestFactory().get("/people/1/", REMOTE_ADDR="10.1.2.3")
    with CaptureQueriesContext(connection) as queries:
        with bind_request(request):
            for area in (scenario.village_a, scenario.village_b, scenario.village_a):
                record_read(scenario.township_doctor, subject=area, reason="area")
            assert not AuditEntry.objects.filter(action="read").exists()
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    entries = list(AuditEntry.objects.filter(action="read").order_by("id"))
    assert [e.object_id for e in entries] == [str(scenario.village_a.pk), str(scenario.village_b.pk)]
    assert {(e.client_address, e.channel) for e in entries} == {("10.1.2.3", "web")}


def test_a_record_page_writes_its_read_entry(client, scenario):
    from yigongti.people import actions

    resident = actions.register_resident(
        scenario.village_doctor_a, institution=scenario.clinic_a, area=scenario.village_a, name="审计甲", sex="1",
        birth_date=dt.date(1960, 5, 1), document_type="none", force=True)
    client.force_login(scenario.township_doctor)
    assert client.get(f"/people/{resident.pk}/").status_code == 200
    entry = AuditEntry.objects.get(action="read", resident_id=resident.pk)
    assert entry.username == "township-doctor" and entry.reason == "area" and entry.channel == "web"
    assert entry.institution_id == scenario.centre_1.pk
