"""The session page and the slots API read a constant number of queries whatever the number of bookings."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yigongti.experts import actions

from . import helpers


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_session_page_and_slot_list(client, scenario):
    s = scenario
    session = helpers.session(s, capacity=10, reserved=0)
    actions.book_slot(s.township_doctor, session, helpers.resident(s))
    client.force_login(s.county_specialist)
    url = reverse("experts:session", args=[session.pk])
    client.get(url)
    one = _count(lambda: client.get(url))
    for _ in range(4):
        actions.book_slot(s.township_doctor, session, helpers.resident(s))
    assert _count(lambda: client.get(url)) == one

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=s.village_doctor_a)[0].key}")
    before = _count(lambda: api.get("/api/v1/slots/"))
    helpers.session(s, capacity=5, reserved=1, date=session.date + __import__("datetime").timedelta(days=7))
    assert _count(lambda: api.get("/api/v1/slots/")) == before
