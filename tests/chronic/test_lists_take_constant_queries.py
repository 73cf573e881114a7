"""The due list page and the API's due list run the same number of queries for 2 patients as for 12 (no
per-row query)."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import helpers


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries(scenario, client):
    for _ in range(2):
        helpers.followup(scenario, helpers.enrolment(scenario), visit_date=dt.date(2026, 6, 1))
    client.force_login(scenario.village_doctor_a)
    urls = ["/chronic/?scope=mine&bucket=all", "/api/v1/followups/due/?bucket=all",
            f"/chronic/?scope=township&bucket=all&area={scenario.township_1.pk}"]
    before = [_queries(client, u) for u in urls]
    for _ in range(10):
        helpers.followup(scenario, helpers.enrolment(scenario), visit_date=dt.date(2026, 6, 1))
    after = [_queries(client, u) for u in urls]
    assert after == before, (before, after)
