"""Creates over /api/v1/ in another institution's name (issue 16 point 8): a user of another village or
township posts a record for clinic A or township centre 1 (or for one of their residents); nothing is saved.
The very same body posted by the institution's own user is saved (the control), so the refusal is not a
broken body. No routes are declared here (``CASES`` is empty); the records come from the app modules' scenario helpers."""
import datetime as dt

from ..framework import Attack
from . import chronic, diagnostics, experts, familydoctor, people, pharmacy, referrals

JSON = "application/json"
CASES: dict = {}


def _count(model_path):
    def read(s):
        from django.apps import apps

        return apps.get_model(model_path).objects.count()
    return read


def _create(user, control, what, payload, snapshot, setup=None):
    return Attack("create", user, what, api=True, content_type=JSON, payload=payload, snapshot=snapshot,
                  setup=setup, control=control)


def _village_a(user, what, payload, snapshot, setup=None):
    return _create(user, "village_doctor_a", what, payload, snapshot, setup)


def _centre_1(what, payload, snapshot, setup=None, control="township_doctor"):
    return _create("other_township_doctor", control, what, payload, snapshot, setup)


def _exam(s):
    return {"resident": people._resident(s).pk, "institution": s.clinic_a.pk, "exam_date": "2025-03-01",
            "height": "160", "weight": "60"}


def _encounter(s):
    return {"resident": people._resident(s).pk, "institution": s.clinic_a.pk, "kind": "outpatient",
            "visit_date": "2025-03-01", "primary_diagnosis": "I10.x00", "total_cost": "10"}


def _enrolment(s):
    return {"resident": people._resident(s).pk, "programme": "hypertension", "icd10_code": "I10.x00",
            "managing_institution": s.clinic_a.pk, "diagnosis_date": "2025-01-02"}


def _followup(s):
    return {"enrolment": chronic._ht(s).pk, "institution": s.clinic_a.pk, "visit_date": "2026-11-20",
            "mode": "clinic", "systolic": 150, "diastolic": 95}


def _consultation(s):
    return {"resident": experts._resident(s).pk, "institution": s.clinic_a.pk, "specialist": s.county_specialist.pk,
            "mode": "instant", "question": "请指导"}


def _dx_request(s):
    return {"resident": diagnostics._resident(s).pk, "institution": s.clinic_a.pk, "test": "LAB-BMP",
            "clinical_info": "乏力"}


def _stock(s):
    return {"institution": s.clinic_a.pk, "drug": pharmacy._drug(s).pk, "batch_no": "ISO-API-1",
            "expiry": "2030-01-01", "quantity": 5}


def _prescription(s):
    return {"encounter": pharmacy._rx(s).encounter_id, "days": 3,
            "lines": [{"drug": pharmacy._drug(s).pk, "quantity": 1, "dosage": "每日1片"}]}


def _order(s):
    from tests.pharmacy import helpers as h

    return {"number": "ISO-PO-API-1", "institution": s.centre_1.pk, "supplier": "隔离医药配送公司",
            "ordered_on": str(h.today()), "lines": [{"drug": pharmacy._drug(s).pk, "quantity": 10,
                                                     "unit_price": "0.45"}]}


def _filing(s):
    return {"resident": referrals._resident(s).pk, "institution": s.centre_1.pk, "destination": "省人民医院",
            "destination_grade": "3", "primary_diagnosis": "C34.900", "reason": "beyond_county",
            "reason_detail": "县内无法开展胸腔镜手术"}


def _referral(s):
    r = referrals._resident(s)
    return {"resident": r.pk, "from_institution": s.centre_1.pk, "to_institution": s.county_hospital.pk,
            "reason": "difficult", "referral_type": "inpatient", "primary_diagnosis": "S66.300",
            "condition_summary": "左手中指肿痛", "consent": True, "consent_by": r.name}


def _referral_setup(s):
    from tests.referrals import helpers

    helpers.icd()
    helpers.beds(s, 1)
    referrals._resident(s)


def _expense(s):
    return {"institution": s.centre_1.pk, "spent_on": "2026-11-01", "category": "设备", "description": "隔离API",
            "amount": "150"}


def _sheet(s):
    return {"institution": s.clinic_a.pk, "month": "2026-11-01"}


def _sheet_setup(s):
    from tests.chronic.helpers import enrolment, followup

    followup(s, enrolment(s), visit_date=dt.date(2026, 11, 3))


ATTACKS = {
    "api:exam-list": [_village_a("village_doctor_b", "village B records an exam in clinic A's name", _exam,
                                 _count("people.HealthExam"), setup=people._resident)],
    "api:encounter-list": [_village_a("village_doctor_b", "village B records a visit in clinic A's name", _encounter,
                                      _count("people.Encounter"), setup=people._resident)],
    "api:enrolment-list": [_village_a("village_doctor_b", "village B enrols village A's resident for clinic A",
                                      _enrolment, _count("chronic.Enrolment"), setup=people._resident)],
    "api:followup-list": [_village_a("village_doctor_b", "village B records a follow-up of clinic A's patient",
                                     _followup, _count("chronic.Visit"), setup=chronic._ht)],
    "api:consultation-list": [_village_a("village_doctor_b", "village B asks a specialist in clinic A's name",
                                         _consultation, _count("experts.Consultation"), setup=experts._resident)],
    "api:diagnostics-request-list": [_village_a("village_doctor_b", "village B requests a test in clinic A's name",
                                                _dx_request, _count("diagnostics.Request"),
                                                setup=lambda s: diagnostics._request(s))],
    "api:stock-list": [_village_a("village_doctor_b", "village B books stock into clinic A", _stock,
                                  _count("pharmacy.StockBatch"), setup=pharmacy._batch)],
    "api:prescription-list": [_village_a("village_doctor_b", "village B prescribes on clinic A's visit",
                                         _prescription, _count("pharmacy.Prescription"), setup=pharmacy._rx)],
    "api:purchase-order-list": [_centre_1("another township orders for township centre 1", _order,
                                          _count("pharmacy.PurchaseOrder"), setup=pharmacy._drug)],
    "api:referral-filing-list": [_centre_1("another township files an outside referral for centre 1", _filing,
                                           _count("referrals.OutsideFiling"), setup=referrals._resident)],
    "api:referral-list": [_centre_1("another township refers from centre 1", _referral, _count("referrals.Referral"),
                                    setup=_referral_setup)],
    "api:fd-contract-list": [_centre_1("another township signs a contract for centre 1's team",
                                       familydoctor._api_sign_payload, familydoctor._contracts_of_second,
                                       setup=familydoctor._team)],
    "api:expense-list": [_centre_1("another township records an expense of centre 1", _expense,
                                   _count("finance.Expense"), control="institution_admin_t1")],
    "api:workpoint-list": [_centre_1("another township computes clinic A's work points", _sheet,
                                     _count("finance.PointSheet"), setup=_sheet_setup,
                                     control="institution_admin_t1")],
}
