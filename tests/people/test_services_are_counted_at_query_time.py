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
