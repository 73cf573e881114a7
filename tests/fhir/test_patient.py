"""Patient over FHIR: read, search with the standard parameters, create (through register_resident: ID check,
duplicate detection), conditional create, update with If-Match, and what outsiders get."""
import datetime as dt

import pytest

from yigongti.audit.models import AuditEntry
from yigongti.people.models import Resident

from .conftest import SID, assert_valid, body, citizen_id, patient

pytestmark = pytest.mark.django_db


def _create(his, scenario, **kw):
    response = his.post("/fhir/Patient", patient(scenario, **kw))
    assert response.status_code == 201, response.content
    return body(response)


def test_create_goes_through_the_people_action_and_read_returns_it_in_full(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    number = citizen_id()
    response = his.post("/fhir/Patient", patient(scenario, number=number))
    assert response.status_code == 201
    created = assert_valid(body(response))
    assert response["Location"].endswith(f"/fhir/Patient/{created['id']}")
    assert response["ETag"] == 'W/"1"'
    read = his.get(f"/fhir/Patient/{created['id']}")
    resource = assert_valid(body(read))
    assert resource["identifier"][0] == {"use": "official", "type": resource["identifier"][0]["type"],
                                         "system": SID + "cn-citizen-id", "value": number}
    assert resource["identifier"][1]["system"] == SID + "health-record-number"
    assert resource["telecom"][0]["value"] == "13900001111"
    assert resource["address"][0]["text"] == "桃源村3组12号"
    assert resource["address"][0]["extension"][0]["valueCode"] == scenario.village_a.code
    assert resource["address"][0]["line"] == ["东湖镇", "桃源村"]
    assert resource["address"][0]["district"] == "示范县"
    assert resource["managingOrganization"]["reference"] == f"Organization/{scenario.clinic_a.pk}"
    assert AuditEntry.objects.filter(action="read", object_id=created["id"], channel="fhir").exists()


def test_search_by_identifier_name_birthdate_gender_with_masked_numbers(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    number = citizen_id()
    mine = _create(his, scenario, number=number)
    _create(his, scenario, name="刘桂兰", born=dt.date(1970, 2, 3), sex="female", phone="13900002222")

    def ids(params):
        found = assert_valid(body(his.get("/fhir/Patient", params)))
        return [e["resource"]["id"] for e in found.get("entry", [])]

    assert ids({"identifier": f"{SID}cn-citizen-id|{number}"}) == [mine["id"]]
    assert ids({"identifier": number}) == [mine["id"]]
    assert ids({"identifier": f"{SID}passport|{number}"}) == []
    assert ids({"name": "黄"}) == [mine["id"]]
    assert ids({"name": "hjg"}) == [mine["id"]]
    assert ids({"birthdate": "1956-04-12"}) == [mine["id"]]
    assert ids({"birthdate": "1956"}) == [mine["id"]]
    assert ids({"birthdate": "ge1960-01-01"}) != [mine["id"]]
    assert len(ids({"birthdate": "lt2000-01-01"})) == 2
    assert ids({"gender": "male"}) == [mine["id"]]
    listed = body(his.get("/fhir/Patient", {"_id": mine["id"]}))["entry"][0]["resource"]
    assert "*" in listed["identifier"][0]["value"] and "*" in listed["telecom"][0]["value"]
    assert "text" not in listed["address"][0]


def test_paging_with_count_and_links(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    for n, name in enumerate(["甲一", "甲二", "甲三"]):
        _create(his, scenario, name=name, number=citizen_id(seed=n + 100), phone=f"1390000300{n}")
    first = body(his.get("/fhir/Patient", {"_count": 2}))
    assert first["total"] == 3 and len(first["entry"]) == 2
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert "next" in links and "previous" not in links
    second = body(his.get(links["next"]))
    assert len(second["entry"]) == 1
    assert {link["relation"] for link in second["link"]} == {"self", "previous"}
    seen = {e["resource"]["id"] for e in first["entry"] + second["entry"]}
    assert len(seen) == 3
    assert body(his.get("/fhir/Patient", {"_count": 0}))["total"] == 3


def test_a_bad_citizen_id_is_a_field_error(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    bad = citizen_id()[:-1] + ("0" if citizen_id()[-1] != "0" else "1")
    response = his.post("/fhir/Patient", patient(scenario, number=bad))
    assert response.status_code == 422
    outcome = assert_valid(body(response))
    assert outcome["issue"][0]["code"] == "business-rule"
    assert outcome["issue"][0]["expression"] == ["id_number"]
    assert "校验位" in outcome["issue"][0]["diagnostics"]
    assert not Resident.objects.exists()


def test_the_same_document_twice_is_a_duplicate_and_if_none_exist_finds_it(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    number = citizen_id()
    first = _create(his, scenario, number=number)
    again = his.post("/fhir/Patient", patient(scenario, number=number))
    assert again.status_code == 409 and body(again)["issue"][0]["code"] == "duplicate"
    similar = his.post("/fhir/Patient", patient(scenario, number=citizen_id(seed=99), phone="13900001111"))
    assert similar.status_code == 409  # same name, birth date and phone: possible duplicate
    conditional = his.post("/fhir/Patient", patient(scenario, number=number),
                           HTTP_IF_NONE_EXIST=f"identifier={SID}cn-citizen-id|{number}")
    assert conditional.status_code == 200 and body(conditional)["id"] == first["id"]
    assert Resident.objects.count() == 1


def test_update_with_if_match_and_a_stale_version(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    created = _create(his, scenario)
    changed = dict(created, telecom=[{"system": "phone", "value": "13700009999"}])
    ok = his.put(f"/fhir/Patient/{created['id']}", changed, HTTP_IF_MATCH='W/"1"')
    assert ok.status_code == 200, ok.content
    assert body(ok)["telecom"][0]["value"] == "13700009999" and ok["ETag"] == 'W/"2"'
    stale = his.put(f"/fhir/Patient/{created['id']}", changed, HTTP_IF_MATCH='W/"1"')
    assert stale.status_code == 412 and body(stale)["issue"][0]["code"] == "conflict"
    wrong_id = his.put(f"/fhir/Patient/{created['id']}", dict(changed, id="999"))
    assert wrong_id.status_code == 400


def test_outsiders_get_404_and_their_writes_change_nothing(scenario, fhir):
    created = _create(fhir(scenario.village_doctor_a), scenario)
    for user in (scenario.village_doctor_b, scenario.other_township_doctor, scenario.county_specialist,
                 scenario.audit_admin):
        outsider = fhir(user)
        assert outsider.get(f"/fhir/Patient/{created['id']}").status_code == 404
        assert body(outsider.get("/fhir/Patient", {"_id": created["id"]}))["total"] == 0
        changed = dict(created, telecom=[{"system": "phone", "value": "13700009999"}])
        assert outsider.put(f"/fhir/Patient/{created['id']}", changed).status_code == 404
    assert fhir(scenario.township_doctor).get(f"/fhir/Patient/{created['id']}").status_code == 200


def test_creating_in_another_institutions_name_is_refused(scenario, fhir):
    response = fhir(scenario.village_doctor_b).post("/fhir/Patient", patient(scenario, org=scenario.clinic_a))
    assert response.status_code == 403
    assert body(response)["resourceType"] == "OperationOutcome"
    assert not Resident.objects.exists()


def test_an_unknown_area_code_and_a_missing_area(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    resource = patient(scenario)
    resource["address"][0]["extension"][0]["valueCode"] = "360199999999"
    assert his.post("/fhir/Patient", resource).status_code == 422
    del resource["address"]
    response = his.post("/fhir/Patient", resource)
    assert response.status_code == 422 and body(response)["issue"][0]["expression"] == ["Patient.address"]
