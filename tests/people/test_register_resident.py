"""register_resident: validation, duplicates, record numbers, pinyin, encryption, audit and events."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yigongti import events
from yigongti.audit.models import AuditEntry
from yigongti.people import actions, crypto
from yigongti.people.models import Resident

from .conftest import register, synthetic

BORN = dt.date(1948, 3, 2)


def errors_of(exc):
    return exc.value.message_dict


def test_it_rejects_a_wrong_check_digit(scenario):
    good = synthetic(BORN, "2")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        register(scenario, id_number=bad)
    assert "校验位" in errors_of(exc)["id_number"][0]


def test_a_number_that_disagrees_with_the_birth_date_is_rejected_on_birth_date(scenario):
    with pytest.raises(ValidationError) as exc:
        register(scenario, id_number=synthetic(dt.date(1950, 1, 1), "2"))
    assert set(errors_of(exc)) == {"birth_date"}


def test_a_number_that_disagrees_with_the_sex_is_rejected_on_sex(scenario):
    with pytest.raises(ValidationError) as exc:
        register(scenario, id_number=synthetic(BORN, "1"))
    assert set(errors_of(exc)) == {"sex"}


def test_birth_date_and_sex_come_from_the_number_when_left_out(scenario):
    from yigongti.people.actions import register_resident

    r = register_resident(scenario.village_doctor_a, institution=scenario.clinic_a, area=scenario.village_a,
                          name="张三", id_number=synthetic(dt.date(1960, 5, 6), "1"))
    assert r.birth_date == dt.date(1960, 5, 6) and r.sex == "1"


def test_other_document_types_are_taken_as_typed(scenario):
    r = register(scenario, name="John Smith", document_type="passport", id_number="e12345678")
    assert crypto.decrypt(r.document_number_enc) == "E12345678"
    assert not r.needs_review


def test_a_newborn_without_a_document_is_flagged_for_review(scenario):
    today = timezone.localdate()
    r = register(scenario, name="新生儿", document_type="none", birth_date=today, sex="1")
    assert r.needs_review and r.review_reason == "no_document"
    b = register(scenario, name="小宝", document_type="birth_cert", id_number="Q360123456", birth_date=today)
    assert not b.needs_review


def test_the_area_must_be_served_by_the_acting_institution(scenario):
    with pytest.raises(ValidationError) as exc:
        register(scenario, area=scenario.village_c)
    assert "area" in errors_of(exc)


def test_the_same_document_is_refused_with_the_existing_record_number(scenario):
    number = synthetic(BORN, "2")
    first = register(scenario, id_number=number)
    with pytest.raises(ValidationError) as exc:
        register(scenario, id_number=number.lower(), name="罗芳英")
    assert first.record_number in errors_of(exc)["id_number"][0]


def test_a_similar_record_warns_and_force_goes_on(scenario):
    register(scenario, phone="13812345678")
    with pytest.raises(actions.PossibleDuplicate) as exc:
        register(scenario, document_type="none", phone="13812345678", force=False)
    assert exc.value.candidates
    assert register(scenario, document_type="none", phone="13812345678", force=True).pk


def test_record_numbers_are_the_area_code_and_a_serial(scenario):
    a = register(scenario)
    b = register(scenario, name="王五", sex="1", birth_date=dt.date(1970, 1, 1))
    assert a.record_number == "36019910020100001"
    assert b.record_number == "36019910020100002"
    c = register(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_b, area=scenario.village_b)
    assert c.record_number == "36019910020200001"


def test_it_stores_pinyin_and_encrypts_personal_fields(scenario):
    r = register(scenario, phone="138 1234 5678", address="桃源村3组12号")
    r.refresh_from_db()
    assert (r.name_initials, r.name_pinyin) == ("lfy", "luofuying")
    assert "13812345678" not in r.phone_enc and crypto.decrypt(r.phone_enc) == "13812345678"
    assert r.phone_last4_index == crypto.blind_index("phone4", "5678")
    assert crypto.decrypt(r.address_enc) == "桃源村3组12号"


def test_it_audits_and_publishes(scenario, published):
    r = register(scenario, phone="13812345678")
    entry = AuditEntry.objects.get(object_type="people.Resident", object_id=str(r.pk), action="create")
    assert "13812345678" not in str(entry.changes) and entry.institution_id == scenario.clinic_a.pk
    assert [e for e in published if isinstance(e, events.ResidentRegistered)] == [
        events.ResidentRegistered(resident_id=r.pk, area_id=scenario.village_a.pk, institution_id=scenario.clinic_a.pk)]


def test_a_village_doctor_of_b_cannot_register_in_village_a(scenario):
    with pytest.raises(PermissionDenied):
        register(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_a)
    with pytest.raises(ValidationError):
        register(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_b)
    assert not Resident.objects.exists()


def test_a_duplicate_warning_names_no_record_outside_the_users_scope(scenario, client):
    a = register(scenario, phone="13812345678")
    client.force_login(scenario.village_doctor_b)
    response = client.post("/people/new/", {
        "name": "罗福英", "document_type": "none", "sex": "2", "birth_date": "1948-03-02", "phone": "13812345678",
        "area": scenario.village_b.pk, "insurance_scheme": "resident"})
    html = response.content.decode()
    assert response.status_code == 200 and "可能与已有档案重复" in html
    assert a.record_number not in html and f"/people/{a.pk}/" not in html
