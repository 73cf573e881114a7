"""Signing: who may sign, in whose name, the area rule, consent, default term and the fee split."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.familydoctor import actions
from yigongti.familydoctor.models import Package

from .conftest import register, sign


def test_a_team_member_signs_for_one_year_with_an_audit_entry(scenario, team):
    from yigongti.audit.models import AuditEntry

    r = register(scenario)
    c = sign(scenario, team, r, actor=scenario.village_doctor_a, institution=scenario.clinic_a)
    assert (c.start_date, c.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert c.institution == scenario.clinic_a
    assert AuditEntry.objects.filter(object_type="familydoctor.Contract", object_id=str(c.pk)).exists()


def test_someone_outside_the_team_may_not_sign(scenario, team):
    r = register(scenario)
    with pytest.raises(PermissionDenied):
        sign(scenario, team, r, actor=scenario.village_doctor_b, institution=scenario.clinic_b)


def test_a_member_may_not_sign_in_the_name_of_another_township(scenario, team):
    r = register(scenario)
    with pytest.raises(PermissionDenied):
        sign(scenario, team, r, actor=scenario.village_doctor_a, institution=scenario.centre_2)


def test_a_resident_outside_the_teams_area_needs_a_reason(scenario, team):
    r = register(scenario, doctor=scenario.village_doctor_c, institution=scenario.clinic_c, area=scenario.village_c)
    with pytest.raises(ValidationError) as exc:
        sign(scenario, team, r)
    assert "out_of_area_reason" in exc.value.message_dict
    c = sign(scenario, team, r, out_of_area_reason="在东湖镇务工居住")
    assert c.out_of_area_reason


def test_the_basic_package_is_required_and_the_doctor_must_be_in_the_team(scenario, team):
    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        sign(scenario, team, r, packages=[Package.objects.get(code="diabetes")], doctor=scenario.village_doctor_b)
    assert {"packages", "doctor"} <= set(exc.value.message_dict)


def test_fees_are_split_by_the_county_setting_exact_to_the_fen(scenario, team, settings):
    settings.YIGONGTI_FAMILYDOCTOR = {"fee_shares": {"basic": {"insurance": 1, "public_health": 1, "resident": 0},
                                                     "personal": {"insurance": 1, "public_health": 1,
                                                                  "resident": 1}}}
    Package.objects.filter(code="basic").update(price=Decimal("25.00"))
    Package.objects.filter(code="hypertension").update(price=Decimal("10.00"))
    r = register(scenario)
    c = sign(scenario, team, r, packages=list(Package.objects.filter(code__in=["basic", "hypertension"])))
    assert c.fee_total == Decimal("35.00")
    assert (c.fee_insurance, c.fee_public_health, c.fee_resident) == (Decimal("15.84"), Decimal("15.83"),
                                                                     Decimal("3.33"))
    assert c.fee_insurance + c.fee_public_health + c.fee_resident == c.fee_total


def test_signing_a_household_signs_each_consenting_member(scenario, team):
    from yigongti.people import actions as people

    head = register(scenario, name="户主甲")
    spouse = register(scenario, name="配偶乙", birth_date=dt.date(1950, 5, 5))
    child = register(scenario, name="孙子丙", birth_date=dt.date(2022, 5, 5), sex="1")
    household = people.create_household(scenario.village_doctor_a, head)
    people.join_household(scenario.village_doctor_a, spouse, household, "spouse")
    people.join_household(scenario.village_doctor_a, child, household, "grandchild")
    signed = actions.sign_household(scenario.township_doctor, household=household, team=team,
                                    doctor=scenario.township_doctor, packages=[Package.objects.get(code="basic")],
                                    consents={head.pk: ("户主甲", "本人"), child.pk: ("户主甲", "监护人"),
                                              spouse.pk: None}, start_date=dt.date(2026, 1, 1))
    assert {c.resident_id for c in signed} == {head.pk, child.pk}
    guardian = next(c for c in signed if c.resident_id == child.pk)
    assert (guardian.consent_by, guardian.consent_relation) == ("户主甲", "监护人")


def test_renew_and_bulk_renew_follow_the_old_term(scenario, team):
    r1, r2 = register(scenario, name="续约甲"), register(scenario, name="续约乙")
    c1 = sign(scenario, team, r1)
    sign(scenario, team, r2)
    new = actions.renew_contract(scenario.township_doctor, c1)
    assert (new.start_date, new.end_date, new.renewed_from_id) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31), c1.pk)
    c1.refresh_from_db()
    assert (c1.status, c1.end_reason) == ("ended", "renewed")
    result = actions.bulk_renew(scenario.township_doctor, team, ending_by=dt.date(2026, 12, 31))
    assert (result["renewed"], result["refused"], result["more"]) == (1, [], False)
