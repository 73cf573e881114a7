"""The pharmacy API lists read a page in a constant number of queries, however many rows it holds."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import helpers as h


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_stock_and_prescription_lists(scenario, client):
    s = scenario
    d = h.drug(s)
    h.stock(s, s.clinic_a, d, 100)
    h.prescription(s, d, 1)
    client.force_login(s.village_doctor_a)
    few = (_count(client, "/api/v1/stock/"), _count(client, "/api/v1/prescriptions/"), _count(client, "/api/v1/drugs/"))
    for i in range(5):
        other = h.drug(s, code=f"Q{i}", name=f"药{i}")
        h.stock(s, s.clinic_a, other, 10)
        h.prescription(s, other, 1)
    many = (_count(client, "/api/v1/stock/"), _count(client, "/api/v1/prescriptions/"), _count(client, "/api/v1/drugs/"))
    assert many == few
