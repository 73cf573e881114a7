"""Closed periods: closing freezes the values; later data shows as a revision with its difference."""
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from yigongti.kpi import actions, catalog
from yigongti.kpi.models import FrozenFigure
from yigongti.kpi.queries import Reader
from yigongti.rules.indicators import Cut, parse_period

from .conftest import payload, publish

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def frozen_clock():
    with time_machine.travel("2026-02-10 09:00 +0800", tick=False):
        yield


def _close(user, code):
    with transaction.atomic():
        return actions.close_period(user, code)


def test_a_closed_period_keeps_its_reported_value_and_shows_the_revision(county):
    centre = county.inst("centre_1")
    publish(None, payload(centre, visit_date="2025-12-05", total="100.00", drug="40.00"))
    _close(county.users["consortium_office"], "2025-12")
    assert FrozenFigure.objects.filter(indicator="effect.drug_share", cut=f"institution:{centre.pk}").exists()

    publish(None, payload(centre, visit_date="2025-12-20", total="100.00", drug="20.00"))  # arrives late

    reading = Reader().reading(catalog.get("effect.drug_share"), parse_period("2025-12"),
                               Cut("institution", str(centre.pk)))
    assert reading.closed and reading.value == Decimal("40.00")
    assert reading.revised and reading.live.value == Decimal("30.00")
    assert reading.revision == Decimal("-10.00")
    visits = Reader().reading(catalog.get("effect.outpatient_visits"), parse_period("2025-12"), Cut())
    assert (visits.value, visits.live.value, visits.revision) == (1, 2, 1)
    # a period that was not closed (the quarter) shows the live figure
    quarter = Reader().reading(catalog.get("effect.outpatient_visits"), parse_period("2025-Q4"), Cut())
    assert not quarter.closed and quarter.value == 2


def test_only_the_consortium_office_closes_and_only_ended_periods_once(county):
    with pytest.raises(PermissionDenied):
        _close(county.users["township_doctor"], "2025-12")
    office = county.users["consortium_office"]
    with pytest.raises(ValidationError) as exc:
        _close(office, "2026-02")
    assert "尚未结束" in str(exc.value)
    with pytest.raises(ValidationError):
        _close(office, "2025-13")
    _close(office, "2025")
    with pytest.raises(ValidationError) as exc:
        _close(office, "2025")
    assert "已关账" in str(exc.value)


def test_the_closing_page_closes_a_period(county, client):
    client.force_login(county.users["consortium_office"])
    response = client.post("/kpi/periods/close/", {"period": "2025-Q4"}, follow=True)
    assert response.status_code == 200
    assert "2025-Q4" in response.content.decode()
    bad = client.post("/kpi/periods/close/", {"period": "nonsense"}, follow=True)
    assert bad.status_code == 200 and "统计期格式不正确" in bad.content.decode()
    client.force_login(county.users["township_doctor"])
    assert client.post("/kpi/periods/close/", {"period": "2025-11"}).status_code == 403


def test_closing_is_audited(county):
    from yigongti.audit.models import AuditEntry

    _close(county.users["consortium_office"], "2025-11")
    entry = AuditEntry.objects.get(object_type="kpi.ClosedPeriod")
    assert entry.user == county.users["consortium_office"] and entry.reason == "close_period"
