"""Purchase plans are aggregated and approved by the consortium, orders recorded, deliveries received by batch
and reconciled against the plan, 两票制 invoices kept; a missing drug registered by a village doctor gives the
central pharmacy a to-do, and when it is supplied the doctor gets a to-do and the resident a message."""
import datetime as dt
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from yigongti.pharmacy import actions, queries
from yigongti.pharmacy.models import MissingStatus, PlanStatus
from yigongti.tasks.models import Task

from . import helpers as h


def test_plans_are_aggregated_and_approved_and_orders_reconciled(scenario):
    s = scenario
    d = h.drug(s)
    p1 = actions.submit_plan(s.township_doctor, actions.save_plan(s.township_doctor, institution=s.centre_1,
                                                                  period="2026-12", lines=[(d, 300)]))
    actions.submit_plan(s.other_township_doctor, actions.save_plan(s.other_township_doctor, institution=s.centre_2,
                                                                   period="2026-12", lines=[(d, 200)]))
    agg = queries.aggregate_plans("2026-12")
    assert [(r["drug"].code, r["quantity"], str(r["value"])) for r in agg] == [("Y001", 500, "250.00")]
    with pytest.raises(PermissionDenied):
        actions.approve_plan(s.township_doctor, p1)
    assert actions.approve_plan(s.consortium_office, p1).status == PlanStatus.APPROVED
    with pytest.raises(ValidationError):
        actions.save_plan(s.township_doctor, institution=s.centre_1, period="2026-12", lines=[(d, 1)])
    order = actions.record_order(s.township_doctor, institution=s.centre_1, number="PO-1", supplier="配送甲",
                                 ordered_on=h.today(), period="2026-12", lines=[(d, 280, None)])
    line = order.lines.get()
    actions.receive_delivery(s.township_doctor, order, delivered_on=h.today(), lines=[
        {"order_line": line, "batch_no": "D1", "expiry": h.today() + dt.timedelta(days=500), "quantity": 200}])
    rows = queries.reconcile(order)
    assert [(r["planned"], r["ordered"], r["received"], r["outstanding"]) for r in rows] == [(300, 280, 200, 80)]
    actions.record_invoice(s.township_doctor, order, kind="first", number="F-1", issuer="示范制药有限公司",
                           amount="90.00", issued_on=h.today())
    actions.record_invoice(s.township_doctor, order, kind="second", number="S-1", issuer="配送甲", amount="100.00",
                           issued_on=h.today())
    assert order.invoices.count() == 2
    with pytest.raises(ValidationError):
        actions.record_invoice(s.township_doctor, order, kind="second", number="S-1", issuer="配送甲",
                               amount="100.00", issued_on=h.today())


def test_a_missing_drug_reaches_the_central_pharmacy_and_back(scenario, caplog):
    s = scenario
    d = h.drug(s)
    patient = h.patient(s)
    m = actions.register_missing_drug(s.village_doctor_a, institution=s.clinic_a, resident=patient, drug=d,
                                      quantity=2)
    assert Task.objects.filter(kind="pharmacy_missing", institution=s.centre_1, role="township_doctor").exists()
    with pytest.raises(PermissionDenied):
        actions.mark_missing_supplied(s.village_doctor_b, m, via="采购")
    h.stock(s, s.centre_1, d, 50)
    req = actions.request_replenishment(s.village_doctor_a, requester=s.clinic_a, lines=[(d, 2)])
    with caplog.at_level(logging.INFO, logger="yigongti.notifications"), \
            TestCase.captureOnCommitCallbacks(execute=True):
        actions.fulfil_replenishment(s.township_doctor, req)
    m.refresh_from_db()
    assert m.status == MissingStatus.SUPPLIED and m.supplied_via == req.number
    assert Task.objects.filter(kind="pharmacy_missing_supplied", assignee=s.village_doctor_a).exists()
    assert any("请前往领取" in r.getMessage() for r in caplog.records)
