"""Pharmacy test helpers: a small formulary, stock, patients and encounters made through the real actions.

Plain functions (no fixtures) so the isolation cases, the race test and the browser test share them."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

_seq = itertools.count(1)
TODAY = None


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def drug(s, code="Y001", name="苯磺酸氨氯地平片", tiers=("county", "township", "village"), price="0.50", **fields):
    """A catalog item on the given tiers, made by the consortium office."""
    from yigongti.pharmacy import actions
    from yigongti.pharmacy.models import Drug

    found = Drug.objects.filter(code=code).first()
    if found:
        return found
    data = {"generic_name": name, "strength": "5mg", "dosage_form": "片剂", "pack": "7片/盒", "unit": "盒",
            "manufacturer": "示范制药有限公司", "approval_number": "国药准字H20000001",
            "insurance_code": f"XC{code}", "insurance_category": "A", "essential": True,
            "centrally_procured": True, "list_price": Decimal(price), "reference_price": Decimal(price) * 3}
    data.update(fields)
    d = actions.save_drug(s.consortium_office, code=code, **data)
    for tier in tiers:
        actions.set_tier(s.consortium_office, d, tier)
    return d


def stock(s, institution, d, quantity, *, batch_no=None, days=365, cost=None):
    """Receive ``quantity`` of ``d`` at ``institution`` as one batch expiring in ``days`` days."""
    from yigongti.pharmacy import actions

    user = {s.centre_1.pk: s.township_doctor, s.centre_2.pk: s.other_township_doctor,
            s.clinic_a.pk: s.village_doctor_a, s.clinic_b.pk: s.village_doctor_b,
            s.clinic_c.pk: s.village_doctor_c}.get(institution.pk, s.county_specialist)
    return actions.receive_stock(user, institution=institution, drug=d, batch_no=batch_no or f"B{next(_seq):05d}",
                                 expiry=today() + dt.timedelta(days=days), quantity=quantity,
                                 unit_cost=cost if cost is not None else d.list_price)


def patient(s, village="village_a", name=None):
    from tests.referrals import helpers

    return helpers.resident(s, village=village, name=name)


def encounter(s, *, doctor=None, institution=None, resident=None, total="20.00", drug_cost="0.00",
              diagnosis="I10.x00"):
    from tests.referrals import helpers
    from yigongti.people import actions

    helpers.icd()
    return actions.record_encounter(doctor or s.village_doctor_a, institution=institution or s.clinic_a,
                                    resident=resident or patient(s), kind="outpatient",
                                    visit_date=today(), primary_diagnosis=diagnosis,
                                    total_cost=Decimal(total), drug_cost=Decimal(drug_cost),
                                    medical_service_income=Decimal("10.00"))


def prescription(s, d, quantity=2, *, doctor=None, enc=None, long_term=False, days=7):
    from yigongti.pharmacy import actions

    enc = enc or encounter(s, doctor=doctor)
    return actions.issue_prescription(doctor or s.village_doctor_a, encounter=enc, long_term=long_term, days=days,
                                      lines=[{"drug": d, "quantity": quantity, "dosage": "每次1片 每日1次 口服"}])


def on_hand(institution, d) -> int:
    from django.db.models import Sum

    from yigongti.pharmacy.models import StockBatch

    return StockBatch.objects.filter(institution=institution, drug=d).aggregate(n=Sum("quantity"))["n"] or 0
