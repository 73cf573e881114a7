"""One active contract per resident: refused with a field message by the action, and by the database's
conditional unique constraint when the action's check is bypassed (a race); never a 500."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from yigongti.familydoctor.models import Contract

from .conftest import register, sign


def test_a_second_active_contract_is_refused_with_a_field_message(scenario, team):
    r = register(scenario)
    sign(scenario, team, r)
    with pytest.raises(ValidationError) as exc:
        sign(scenario, team, r)
    assert "resident" in exc.value.message_dict
    assert Contract.objects.filter(resident=r).count() == 1


def test_the_database_refuses_a_second_active_row(scenario, team):
    r = register(scenario)
    c = sign(scenario, team, r)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(resident=r, team=team, doctor=c.doctor, institution=c.institution,
                                start_date=dt.date(2026, 2, 1), end_date=dt.date(2027, 1, 31), consent_by="本人")


def test_terminated_contracts_do_not_count(scenario, team):
    from yigongti.familydoctor import actions

    r = register(scenario)
    c = sign(scenario, team, r)
    actions.terminate_contract(scenario.township_doctor, c, reason="wish", on=dt.date(2026, 3, 1))
    again = sign(scenario, team, r, start_date=dt.date(2026, 3, 2))
    assert again.status == "active"
    assert Contract.objects.filter(resident=r).count() == 2


def test_the_constraint_turns_a_racing_insert_into_a_field_error(scenario, team, monkeypatch):
    """The action's own check is skipped (as when two signers pass it at once): the constraint answers."""

    r = register(scenario)
    sign(scenario, team, r)
    real = Contract.objects.filter

    def no_existing(*args, **kw):
        if kw.get("status") == "active" and "resident" in kw:
            return real(pk__in=[])
        return real(*args, **kw)

    monkeypatch.setattr(Contract.objects, "filter", no_existing)
    with pytest.raises(ValidationError) as exc:
        sign(scenario, team, r)
    assert "resident" in exc.value.message_dict
