"""The API lists of residents, exams and encounters take a constant number of queries (design: Scale)."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from yigongti.people import actions

from .conftest import register


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_lists_do_not_grow_with_rows(scenario, icd, client):
    client.force_login(scenario.village_doctor_a)

    def add(i):
        r = register(scenario, name=f"居民{i}", document_type="none", phone=f"1380000{i:04d}")
        actions.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r,
                            exam_date=dt.date(2025, 3, 1), height=160, weight=60)
        actions.record_encounter(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r,
                                 kind="outpatient", visit_date=dt.date(2025, 3, 1), primary_diagnosis="I10.x00",
                                 total_cost="10")

    add(0)
    urls = ["/api/v1/residents/", "/api/v1/exams/", "/api/v1/encounters/", "/api/v1/residents/?q=0000"]
    for url in urls:
        _count(client, url)
    one = {url: _count(client, url) for url in urls}
    for i in range(1, 8):
        add(i)
    assert {url: _count(client, url) for url in urls} == one
