"""Expenses: at or above 10,000 yuan they wait for the finance director (consortium office); audited."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.audit.models import AuditEntry
from yigongti.finance import actions
from yigongti.finance.models import ExpenseStatus
from yigongti.tasks.models import Task, TaskState

pytestmark = pytest.mark.django_db


def record(s, amount, user=None):
    return actions.record_expense(user or s.institution_admin_t1, institution=s.centre_1,
                                  spent_on=dt.date(2026, 11, 2), category="设备", description="心电图机", amount=amount)


def test_below_the_threshold_it_is_recorded_at_once(scenario):
    assert record(scenario, "9999.99").status == ExpenseStatus.RECORDED


def test_at_the_threshold_it_waits_and_the_office_gets_a_to_do(scenario):
    e = record(scenario, "10000")
    assert e.status == ExpenseStatus.PENDING
    task = Task.objects.get(source_id=str(e.pk), kind="finance.expense")
    assert task.role == "consortium_office" and task.institution == scenario.county_hospital
    e = actions.decide_expense(scenario.consortium_office, e, approve=True, note="同意")
    assert e.status == ExpenseStatus.APPROVED and e.decided_by == scenario.consortium_office
    task.refresh_from_db()
    assert task.state == TaskState.DONE
    assert set(AuditEntry.objects.filter(reason__startswith="finance.expense").values_list("reason", flat=True)) == {
        "finance.expense.record", "finance.expense.approve"}
    with pytest.raises(ValidationError):
        actions.decide_expense(scenario.consortium_office, e, approve=False, note="再驳回")


def test_rejection_needs_a_reason_and_only_the_office_decides(scenario):
    e = record(scenario, Decimal("25000.00"))
    with pytest.raises(PermissionDenied):
        actions.decide_expense(scenario.institution_admin_t1, e, approve=True)
    with pytest.raises(ValidationError) as exc:
        actions.decide_expense(scenario.consortium_office, e, approve=False)
    assert "decision_note" in exc.value.message_dict
    e = actions.decide_expense(scenario.consortium_office, e, approve=False, note="超预算")
    assert e.status == ExpenseStatus.REJECTED


def test_only_an_administrator_of_the_institution_records_and_bad_amounts_are_field_errors(scenario):
    with pytest.raises(PermissionDenied):
        record(scenario, "100", user=scenario.township_doctor)
    with pytest.raises(PermissionDenied):
        actions.record_expense(scenario.institution_admin_t1, institution=scenario.centre_2,
                               spent_on=dt.date(2026, 11, 2), category="设备", description="x", amount="1")
    for bad in ("abc", "-5", "0", "1.234"):
        with pytest.raises(ValidationError) as exc:
            record(scenario, bad)
        assert "amount" in exc.value.message_dict


def test_where_there_is_a_finance_director_the_expense_waits_for_them(scenario):
    """The consortium finance director (医共体财务总监) gets the to-do and decides; they see money, not records."""
    from yigongti.org import actions as org
    from yigongti.org.models import Role
    from yigongti.people.queries import visible_residents

    director = org.create_staff(None, institution=scenario.county_hospital, username="finance-director",
                                full_name="钱总监", password="Finance-pass-2026!", roles=[Role.FINANCE_DIRECTOR])
    e = record(scenario, "25000")
    task = Task.objects.get(source_id=str(e.pk), kind="finance.expense")
    assert task.role == Role.FINANCE_DIRECTOR and task.institution == scenario.county_hospital
    e = actions.decide_expense(director, e, approve=True, note="同意")
    assert e.status == ExpenseStatus.APPROVED and e.decided_by == director
    assert not visible_residents(director).exists()
