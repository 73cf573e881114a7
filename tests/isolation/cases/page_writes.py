"""Create pages in another institution's name (issue 16 point 8): a doctor of another village or township
submits the form of a page for clinic A, township centre 1 or one of their residents; nothing is saved. The
very same form submitted by the institution's own user is saved (the control). The routes are declared in
their apps' modules (``CASES`` is empty here); the records come from those modules' scenario helpers."""
from ..framework import Attack
from . import diagnostics, experts, people, pharmacy, referrals

CASES: dict = {}


def _count(model_path, **filters):
    def read(s):
        from django.apps import apps

        return apps.get_model(model_path).objects.filter(**filters).count()
    return read


def _village_a(what, **kw):
    return Attack("create", "village_doctor_b", what, control="village_doctor_a", **kw)


def _centre_1(what, **kw):
    return Attack("create", "other_township_doctor", what, control="township_doctor", **kw)


def _dx_new(s):
    from tests.diagnostics import helpers

    return {"resident": diagnostics._resident(s).pk, "institution": s.clinic_a.pk,
            "test": helpers.test_of("ECG12").pk, "priority": "routine", "clinical_info": "胸闷"}


def _consultation(s):
    return {"resident": experts._resident(s).pk, "institution": s.clinic_a.pk, "specialist": s.county_specialist.pk,
            "mode": "instant", "question": "请指导用药"}


def _referral_form(s):
    r = referrals._resident(s)
    return {"from_institution": s.centre_1.pk, "to_institution": s.county_hospital.pk, "referral_type": "inpatient",
            "reason": "difficult", "primary_diagnosis": "S66.300", "condition_summary": "左手中指肿痛",
            "treatment_advice": "建议上级医院进一步诊疗", "doctor_opinion": "同意", "consent": "on",
            "consent_by": r.name, "consent_relation": "本人"}


def _referral_setup(s):
    from tests.referrals import helpers

    helpers.icd()
    helpers.beds(s, 1)
    referrals._resident(s)
    referrals._referral(s, "draft")


def _draft_summary(s):
    from yigongti.referrals.models import Referral

    r = Referral.objects.get(pk=referrals._referral(s, "draft").pk)
    return r.condition_summary, r.version


def _filing_form(s):
    return {"resident": referrals._resident(s).pk, "institution": s.centre_1.pk, "destination": "省人民医院",
            "destination_grade": "3", "primary_diagnosis": "C34.900", "reason": "beyond_county",
            "reason_detail": "县内无法开展胸腔镜手术"}


def _enrol_form(s):
    return {"programme": "hypertension", "icd10_code": "I10.x00", "diagnosis_date": "2025-01-02",
            "managing_institution": s.clinic_a.pk, "enrolled_on": "2026-11-02"}


def _upload(s):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "residents", "institution": s.clinic_a.pk,
            "file": SimpleUploadedFile("r.csv", "姓名,村/社区\n某某,桃源村\n".encode(), "text/csv")}


def _receive(s):
    return {"drug": pharmacy._drug(s).pk, "batch_no": "ISO-PAGE-1", "expiry": "2030-06-30", "quantity": 5}


def _batch_quantity(s):
    from yigongti.pharmacy.models import StockBatch

    return sorted(StockBatch.objects.values_list("pk", "quantity"))


def _rx_form(s):
    return {"days": 3, "drug_0": pharmacy._drug(s).pk, "quantity_0": 1, "dosage_0": "每日1片"}


def _cabinet_form(s):
    return {"drug": pharmacy._drug(s).pk, "price": "9.9900", "min_quantity": "3", "in_cabinet": "on"}


def _cabinet_state(s):
    from yigongti.pharmacy.models import StockItem

    return sorted(StockItem.objects.filter(institution=s.clinic_a).values_list("drug_id", "price", "min_quantity"))


def _clinic_a_requests(s):
    from yigongti.pharmacy.models import Replenishment

    return Replenishment.objects.filter(requester=s.clinic_a).count()


ATTACKS = {
    "diagnostics:new": [_village_a("village B requests an ECG in clinic A's name", payload=_dx_new,
                                   query=lambda s: f"resident={diagnostics._resident(s).pk}",
                                   snapshot=_count("diagnostics.Request"), setup=lambda s: diagnostics._request(s))],
    "experts:consultation_new": [_village_a("village B asks a specialist about village A's resident for clinic A",
                                            payload=_consultation, query=lambda s: f"resident={experts._resident(s).pk}",
                                            snapshot=_count("experts.Consultation"), setup=experts._resident)],
    "chronic:enrol": [_village_a("village B enrols village A's resident in clinic A's programme", payload=_enrol_form,
                                 query=lambda s: f"resident={people._resident(s).pk}",
                                 snapshot=_count("chronic.Enrolment"), setup=people._resident)],
    "people:import_upload": [_village_a("village B uploads residents into clinic A", payload=_upload,
                                        snapshot=_count("jobs.Job"))],
    "pharmacy:stock": [_village_a("village B books stock into clinic A", kwargs=pharmacy._inst_a, payload=_receive,
                                  snapshot=_batch_quantity)],
    "pharmacy:stocktake": [Attack("modify", "village_doctor_b", "village B counts clinic A's stock down",
                                  kwargs=pharmacy._inst_a, control="village_doctor_a",
                                  payload=lambda s: {f"count_{pharmacy._batch(s).pk}": "1", "reason": "盘点"},
                                  snapshot=_batch_quantity)],
    "pharmacy:prescription_new": [_village_a("village B prescribes on clinic A's visit", payload=_rx_form,
                                             query=lambda s: f"encounter={pharmacy._rx(s).encounter_id}",
                                             snapshot=_count("pharmacy.Prescription"), setup=pharmacy._rx)],
    "pharmacy:missing": [_village_a("village B registers a missing drug for village A's resident",
                                    payload=lambda s: {"drug_text": "隔离缺药", "quantity": 1,
                                                       "resident": people._resident(s).pk},
                                    snapshot=_count("pharmacy.MissingDrug"), setup=people._resident)],
    # the page takes no institution: the request is the caller's own village clinic's, whatever the form says
    "pharmacy:replenishments": [_village_a("village B asks for drugs in clinic A's name",
                                           payload=lambda s: {"drug_0": pharmacy._drug(s).pk, "quantity_0": "5",
                                                              "note": "冒名", "requester": s.clinic_a.pk,
                                                              "institution": s.clinic_a.pk},
                                           snapshot=_clinic_a_requests, setup=pharmacy._batch)],
    "pharmacy:cabinet": [Attack("modify", "village_doctor_b", "village B prices clinic A's cabinet",
                                kwargs=pharmacy._cabinet, payload=_cabinet_form, snapshot=_cabinet_state,
                                control="consortium_office")],
    "referrals:new": [_centre_1("another township refers village A's resident from centre 1", payload=_referral_form,
                                query=lambda s: f"resident={referrals._resident(s).pk}",
                                snapshot=_count("referrals.Referral"), setup=_referral_setup)],
    "referrals:edit": [Attack("modify", "other_township_doctor", "another township edits centre 1's draft",
                              kwargs=lambda s: {"pk": referrals._referral(s, "draft").pk}, control="township_doctor",
                              payload=lambda s: {**_referral_form(s), "condition_summary": "被改写",
                                                 "version": _draft_summary(s)[1]},
                              snapshot=_draft_summary, setup=_referral_setup)],
    "referrals:filings": [_centre_1("another township files an outside referral for centre 1", payload=_filing_form,
                                    query=lambda s: f"resident={referrals._resident(s).pk}",
                                    snapshot=_count("referrals.OutsideFiling"), setup=referrals._resident)],
}
