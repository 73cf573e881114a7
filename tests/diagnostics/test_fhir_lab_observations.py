"""Laboratory results in the Observation search: ``code=<LOINC of an analyte>``, ``category=laboratory`` and
``date`` find the result lines of published reports, merged with the vital signs (an exam's fasting glucose is
laboratory too), with stable ids and paging that neither repeats nor skips; signed but unpublished results and
results of residents the user may not see stay out."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.fhir.conftest import FhirClient, assert_valid, body

from . import helpers

CHINA = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
LOINC = "http://loinc.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def _lab(s, code, results, *, patient, publish=True, repeat_reason=""):
    from yigongti.diagnostics import actions

    r = helpers.request(s, code, patient=patient, repeat_reason=repeat_reason)
    sp = actions.collect_specimen(s.village_doctor_a, r)
    actions.receive_specimen(s.county_specialist, sp, barcode=sp.barcode)
    actions.mark_tested(s.county_specialist, sp)
    actions.claim_request(s.county_specialist, r)
    actions.save_report(s.county_specialist, r, impression="见结果", results=results)
    actions.sign_report(s.county_specialist, r)
    if publish:
        actions.publish_report(s.county_specialist, r)
    return r


@pytest.fixture
def world(scenario):
    from yigongti.diagnostics.models import Request
    from yigongti.people import actions

    s = scenario
    patient = helpers.resident(s)
    bmp = _lab(s, "LAB-BMP", {"K": "6.8", "NA": "140", "GLU": "7.2", "CREA": "80"}, patient=patient)
    cbc = _lab(s, "LAB-CBC", {"WBC": "5.1", "HGB": "130", "PLT": "210"}, patient=patient)
    signed = _lab(s, "LAB-CBC", {"WBC": "12.0", "HGB": "100", "PLT": "90"}, patient=patient, publish=False,
                  repeat_reason="复查血象")
    actions.record_exam(s.village_doctor_a, institution=s.clinic_a, resident=patient, exam_date=dt.date(2026, 3, 5),
                        systolic_left=130, diastolic_left=80, fasting_glucose="5.6", weight=60)
    Request.objects.filter(pk=bmp.pk).update(requested_at=dt.datetime(2026, 3, 10, 8, 0, tzinfo=CHINA))
    Request.objects.filter(pk=cbc.pk).update(requested_at=dt.datetime(2026, 2, 1, 8, 0, tzinfo=CHINA))
    return s, patient, bmp, cbc, signed


def codes(bundle) -> list[str]:
    return [e["resource"]["code"]["coding"][0]["code"] for e in bundle.get("entry", [])]


def test_a_lab_code_finds_its_results(world, client):
    s, patient, bmp, cbc, signed = world
    fhir = FhirClient(client, s.village_doctor_a)
    potassium = assert_valid(body(fhir.get("/fhir/Observation", {"patient": patient.pk, "code": "2823-3"})))
    assert potassium["total"] == 1
    obs = potassium["entry"][0]["resource"]
    assert obs["id"].startswith("lab-") and obs["valueQuantity"]["value"] == 6.8
    assert obs["interpretation"][0]["coding"][0]["code"] == "HH"
    assert obs["category"][0]["coding"][0] == {"system": CATEGORY, "code": "laboratory"}
    assert obs["effectiveDateTime"].startswith("2026-03-10T08:00")
    both = body(fhir.get("/fhir/Observation", {"patient": patient.pk, "code": f"{LOINC}|2823-3,{LOINC}|718-7"}))
    assert sorted(codes(both)) == ["2823-3", "718-7"]  # the signed, unpublished CBC stays out
    assert body(fhir.get("/fhir/Observation", {"code": "http://other|2823-3"}))["total"] == 0
    assert body(fhir.get("/fhir/Observation", {"code": "2823-3", "category": "vital-signs"}))["total"] == 0
    # a vital-sign code finds no lab line, a lab code no vital sign; repeated codes are AND
    assert codes(body(fhir.get("/fhir/Observation", {"patient": patient.pk, "code": "1558-6"}))) == ["1558-6"]
    assert body(fhir.get("/fhir/Observation", {"code": ["2823-3", "2951-2"]}))["total"] == 0


def test_category_laboratory_merges_results_with_the_exam_glucose(world, client):
    s, patient, bmp, cbc, signed = world
    fhir = FhirClient(client, s.village_doctor_a)
    labs = assert_valid(body(fhir.get("/fhir/Observation", {"patient": patient.pk, "category": "laboratory",
                                                            "_count": 50})))
    # newest first: the BMP (10 March), the exam's glucose (5 March), the CBC (1 February)
    assert labs["total"] == 8
    assert codes(labs)[:4] and set(codes(labs)[:4]) == {"2823-3", "2951-2", "2345-7", "2160-0"}
    assert codes(labs)[4] == "1558-6" and set(codes(labs)[5:]) == {"6690-2", "718-7", "777-3"}
    vitals = body(fhir.get("/fhir/Observation", {"patient": patient.pk, "category": f"{CATEGORY}|vital-signs"}))
    assert set(codes(vitals)) == {"85354-9", "29463-7"}
    everything = body(fhir.get("/fhir/Observation", {"patient": patient.pk}))
    assert everything["total"] == 10

    march = body(fhir.get("/fhir/Observation", {"patient": patient.pk, "category": "laboratory",
                                                "date": "2026-03"}))
    assert march["total"] == 5
    early = body(fhir.get("/fhir/Observation", {"patient": patient.pk, "date": "lt2026-03-01"}))
    assert set(codes(early)) == {"6690-2", "718-7", "777-3"}
    assert body(fhir.get("/fhir/Observation", {"category": "laboratory", "date": "2026-03-10T08:00"}))["total"] == 4


def test_paging_walks_the_merged_list_and_ids_are_stable(world, client):
    s, patient, bmp, cbc, signed = world
    fhir = FhirClient(client, s.county_specialist)
    whole = body(fhir.get("/fhir/Observation", {"patient": patient.pk, "_count": 50}))
    walked = []
    for offset in range(0, whole["total"], 3):
        page = body(fhir.get("/fhir/Observation", {"patient": patient.pk, "_count": 3, "_offset": offset}))
        walked += [e["resource"]["id"] for e in page["entry"]]
    assert walked == [e["resource"]["id"] for e in whole["entry"]] and len(set(walked)) == whole["total"] == 10
    again = body(fhir.get("/fhir/Observation", {"patient": patient.pk, "_count": 50}))
    assert [e["resource"] for e in again["entry"]] == [e["resource"] for e in whole["entry"]]
    for entry in whole["entry"]:
        if entry["resource"]["id"].startswith("lab-"):
            assert body(fhir.get(f"/fhir/Observation/{entry['resource']['id']}")) == entry["resource"]
    ids = ",".join(e["resource"]["id"] for e in whole["entry"][:2])
    assert body(fhir.get("/fhir/Observation", {"_id": ids}))["total"] == 2


def test_an_outsider_finds_no_lab_result(world, client):
    s, patient, bmp, cbc, signed = world
    outsider = FhirClient(client, s.village_doctor_c)
    assert body(outsider.get("/fhir/Observation", {"category": "laboratory"}))["total"] == 0
    assert body(outsider.get("/fhir/Observation", {"code": "2823-3"}))["total"] == 0
