"""Work points: per staff member per month from what the platform recorded, quality factor, review by one
person and approval by another, XLSX for payroll."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.chronic.helpers import enrolment, followup
from yigongti.finance import actions, workpoints
from yigongti.finance.models import PointLine, SheetStatus
from yigongti.org import actions as org_actions
from yigongti.org.models import Role

D = Decimal
pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def reviewer(scenario):
    return org_actions.create_staff(None, institution=scenario.centre_1, username="fin-reviewer",
                                    full_name="审核人", password=scenario.password, roles=[Role.DEPARTMENT_HEAD],
                                    validate=False)


def test_points_come_from_the_recorded_follow_ups_with_the_control_rate(scenario):
    e1 = enrolment(scenario)
    e2 = enrolment(scenario)
    followup(scenario, e1, visit_date=dt.date(2026, 11, 3))            # controlled
    followup(scenario, e2, visit_date=dt.date(2026, 11, 4), mode="home", sbp=168, dbp=100)
    followup(scenario, e1, visit_date=dt.date(2026, 11, 5), mode="phone")   # not face to face: no points
    rows = workpoints.compute(scenario.clinic_a.pk, NOV)
    row = rows[scenario.village_doctor_a.pk]
    assert row["counts"] == {"followup": 1, "home_visit": 1}
    assert row["base"] == D("5.00")  # 2 + 3
    assert D(row["rates"]["control_rate"]) == D("0.5000")
    assert row["factor"] == D("1.00") and row["total"] == D("5.00")


def test_review_then_approval_by_another_person_then_locked(scenario, reviewer):
    e = enrolment(scenario)
    followup(scenario, e, visit_date=dt.date(2026, 11, 3))
    sheet = actions.compute_point_sheet(reviewer, institution=scenario.clinic_a, month=NOV)
    line = sheet.lines.get()
    with pytest.raises(ValidationError):
        actions.adjust_point_line(reviewer, line, adjustment="3", note="")
    line = actions.adjust_point_line(reviewer, line, adjustment="3", note="额外入户宣教")
    assert line.total == D("5.40")  # 2 × 1.20 (every follow-up controlled) + 3
    again = actions.compute_point_sheet(reviewer, institution=scenario.clinic_a, month=NOV)
    assert PointLine.objects.get(sheet=again).total == D("5.40")  # adjustment kept
    with pytest.raises(PermissionDenied):
        actions.review_point_sheet(scenario.village_doctor_a, sheet)
    sheet = actions.review_point_sheet(reviewer, sheet)
    with pytest.raises(ValidationError):
        actions.compute_point_sheet(reviewer, institution=scenario.clinic_a, month=NOV)
    sheet = actions.approve_point_sheet(scenario.institution_admin_t1, sheet)
    assert sheet.status == SheetStatus.APPROVED


def test_the_reviewer_does_not_approve_their_own_review(scenario):
    sheet = actions.compute_point_sheet(scenario.institution_admin_t1, institution=scenario.centre_1, month=NOV)
    actions.review_point_sheet(scenario.institution_admin_t1, sheet)
    with pytest.raises(ValidationError):
        actions.approve_point_sheet(scenario.institution_admin_t1, sheet)


def test_another_township_may_not_compute_and_the_future_is_refused(scenario, reviewer):
    other = org_actions.create_staff(None, institution=scenario.centre_2, username="fin-other",
                                     full_name="外乡院长", password=scenario.password,
                                     roles=[Role.INSTITUTION_ADMIN], validate=False)
    with pytest.raises(PermissionDenied):
        actions.compute_point_sheet(other, institution=scenario.clinic_a, month=NOV)
    with pytest.raises(ValidationError):
        actions.compute_point_sheet(reviewer, institution=scenario.clinic_a, month=dt.date(2027, 1, 1))


def test_a_point_value_set_by_the_office_wins_and_sources_are_pluggable(scenario, reviewer):
    actions.set_point_value(scenario.consortium_office, kind="reading", value="4")
    workpoints.register_source("test_readings", lambda inst, start, end: [(scenario.village_doctor_a.pk,
                                                                            "reading", 2)])
    try:
        rows = workpoints.compute(scenario.clinic_a.pk, NOV)
    finally:
        workpoints._sources.pop("test_readings")
    assert rows[scenario.village_doctor_a.pk]["base"] == D("8.00")
