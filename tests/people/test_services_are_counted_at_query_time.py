"""The service registry counts what the record holds, per resident and kind, inside the date range."""
import datetime as dt

import pytest

from yigongti.people import services
from yigongti.people.models import Encounter, HealthExam

from .conftest import register

pytestmark = pytest.mark.django_db


def test_it_counts_exams_and_outpatient_visits_in_range(scenario):
    a = register(scenario)
    b = register(scenario, name="张建国")
    for day in (dt.date(2026, 1, 5), dt.date(2026, 6, 1), dt.date(2025, 12, 31)):
        HealthExam.objects.create(resident=a, exam_date=day, institution=scenario.centre_1)
    Encounter.objects.create(resident=b, kind="outpatient", visit_date=dt.date(2026, 3, 3),
                             institution=scenario.centre_1, primary_diagnosis="J06.900")
    Encounter.objects.create(resident=b, kind="inpatient", visit_date=dt.date(2026, 3, 3),
                             institution=scenario.county_hospital, primary_diagnosis="J06.900")
    counts = services.delivered([a.pk, b.pk], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert counts[a.pk][services.HEALTH_EXAM] == 2
    assert counts[b.pk] == {services.ENCOUNTER_OUTPATIENT: 1}
    assert services.label_of(services.HEALTH_EXAM) == "健康体检"


def test_terms_with_their_own_start_dates_are_counted_in_one_pass(scenario, monkeypatch, django_assert_max_num_queries):
    """delivered_in_terms: each term counts only its own days (edges inclusive), a resident may hold two terms,
    and residents are read in chunks; the queries do not grow with the number of distinct start dates."""
    a = register(scenario)
    b = register(scenario, name="张建国")
    c = register(scenario, name="王秀英")
    for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 3, 15), dt.date(2026, 12, 31)):
        HealthExam.objects.create(resident=a, exam_date=day, institution=scenario.centre_1)
    HealthExam.objects.create(resident=b, exam_date=dt.date(2026, 2, 1), institution=scenario.centre_1)
    terms = [
        ("a-old", a.pk, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),   # the ended term: only 2025-12-31
        ("a-new", a.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),   # its renewal: 1 Jan, 15 Mar, 31 Dec
        ("b", b.pk, dt.date(2026, 2, 2), dt.date(2027, 2, 1)),         # started the day after b's exam
        ("c", c.pk, dt.date(2026, 5, 1), dt.date(2027, 4, 30)),        # nothing delivered
    ]
    monkeypatch.setattr(services, "TERM_CHUNK", 2)  # a and b in one chunk, c in the next
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_pass:
        services.delivered([a.pk], dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    with django_assert_max_num_queries(2 * len(one_pass)):  # two chunks, each one pass over the sources
        counts = services.delivered_in_terms(terms)
    assert counts["a-old"][services.HEALTH_EXAM] == 1
    assert counts["a-new"][services.HEALTH_EXAM] == 3
    assert counts["b"][services.HEALTH_EXAM] == 0
    assert counts["c"] == {}
    # the same answer as one delivered() per term
    for key, rid, start, end in terms:
        assert counts[key][services.HEALTH_EXAM] == services.delivered([rid], start, end).get(rid, {}).get(
            services.HEALTH_EXAM, 0)
