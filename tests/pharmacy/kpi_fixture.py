"""The ``pharmacy`` fixture of the indicator catalog (tests/kpi/fixtures.py lists it in FIXTURES): orders on
and off the provincial platform, centrally procured and other drugs, dispensing and scrapping on several dates,
made through the real actions; ``records`` are written out by hand from what was made, so the pure function
is checked against data it did not read back from the database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import time_machine
from django.utils import timezone

from yigongti.rules.indicators import parse_period


def _at(day: str):
    return time_machine.travel(timezone.make_aware(dt.datetime.fromisoformat(f"{day} 10:00")), tick=False)


def pharmacy(county):
    from tests.kpi.fixtures import Built
    from tests.referrals import helpers as ref
    from yigongti.people import actions as people
    from yigongti.pharmacy import actions

    office, township, village = (county.users[n] for n in ("consortium_office", "township_doctor",
                                                            "village_doctor_a"))
    specialist = county.users["county_specialist"]
    centre, clinic, hospital = county.inst("centre_1"), county.inst("clinic_a"), county.inst("county_hospital")
    cp = actions.save_drug(office, code="KPI-A", generic_name="苯磺酸氨氯地平片", centrally_procured=True,
                           list_price=D("0.50"), reference_price=D("1.50"))
    other = actions.save_drug(office, code="KPI-B", generic_name="复方丹参片", list_price=D("2.00"))
    for d in (cp, other):
        for tier in ("county", "township", "village"):
            actions.set_tier(office, d, tier)
    ref.icd()
    with _at("2025-01-10"):
        actions.record_order(specialist, institution=hospital, number="KPI-PO-1", supplier="甲配送",
                             ordered_on=dt.date(2025, 1, 10), lines=[(cp, 200, "0.45")])
    with _at("2025-03-05"):
        actions.record_order(township, institution=centre, number="KPI-PO-2", supplier="甲配送",
                             ordered_on=dt.date(2025, 3, 5), lines=[(cp, 100, "0.50"), (other, 10, "2.00")])
    with _at("2025-03-20"):
        actions.record_order(village, institution=clinic, number="KPI-PO-3", supplier="乙药店", on_platform=False,
                             ordered_on=dt.date(2025, 3, 20), lines=[(other, 5, "2.20")])
    with _at("2025-03-10"):
        batch = actions.receive_stock(village, institution=clinic, drug=cp, batch_no="KPI-B1",
                                      expiry=dt.date(2026, 1, 31), quantity=50, unit_cost=D("0.50"))
        resident = people.register_resident(village, institution=clinic, area=county.areas["village_a"],
                                            name="指标患者", sex="1", birth_date=dt.date(1950, 5, 5),
                                            document_type="none", force=True)
        enc = people.record_encounter(village, institution=clinic, resident=resident, kind="outpatient",
                                      visit_date=dt.date(2025, 3, 10), primary_diagnosis="I10.x00",
                                      total_cost=D("10.00"), medical_service_income=D("5.00"))
        rx = actions.issue_prescription(village, encounter=enc, days=30, lines=[{"drug": cp, "quantity": 10}])
        actions.dispense_prescription(village, rx)
        actions.remove_stock(village, batch, 4, "scrap", reason="破损")
    with _at("2025-06-01"):
        batch.refresh_from_db()
        actions.remove_stock(village, batch, 2, "scrap", reason="近效期")
    lines = [
        (hospital.pk, "2025-01-10", 200, "0.45", True, "1.50", True),
        (centre.pk, "2025-03-05", 100, "0.50", True, "1.50", True),
        (centre.pk, "2025-03-05", 10, "2.00", True, None, False),
        (clinic.pk, "2025-03-20", 5, "2.20", False, None, False),
    ]
    order_lines = [{"institution_id": i, "on": dt.date.fromisoformat(on), "quantity": q, "unit_price": D(p),
                    "value": D(p) * q, "on_platform": online, "reference_price": D(r) if r else None,
                    "centrally_procured": c} for i, on, q, p, online, r, c in lines]
    moves = [{"institution_id": clinic.pk, "on": dt.date(2025, 3, 10), "kind": "dispense", "value": D("5.00")},
             {"institution_id": clinic.pk, "on": dt.date(2025, 3, 10), "kind": "scrap", "value": D("2.00")},
             {"institution_id": clinic.pk, "on": dt.date(2025, 6, 1), "kind": "scrap", "value": D("1.00")}]
    # the whole ledger, signed at cost: receipt of 50 × 0.50, then dispense 10, scrap 4, scrap 2
    ledger = [{"institution_id": clinic.pk, "on": dt.date(2025, 3, 10), "kind": "receipt", "value": D("25.00")},
              *({**m, "value": -m["value"]} for m in moves)]
    return Built(records={"order_lines": order_lines, "moves": moves, "ledger": ledger},
                 periods=[parse_period(p) for p in ("2025", "2025-Q1", "2025-03", "2025-06", "2024")])
