"""Structure actions: validation, permissions on writes, 三员分立."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.org import actions
from yigongti.org.models import Role, StaffRole
from yigongti.org.queries import free_beds, structure_tree
from yigongti.rules.areas import area_code_problem


def test_area_code_rules():
    assert area_code_problem("360121", "county", None, None) is None
    assert area_code_problem("36012", "county", None, None) == "county_code_6_digits"
    assert area_code_problem("360121100000", "township", "360121", "county") is None
    assert area_code_problem("360122100000", "township", "360121", "county") == "not_under_parent"
    assert area_code_problem("360121100201", "village", "360121100000", "township") is None
    assert area_code_problem("360121101201", "village", "360121100000", "township") == "not_under_parent"
    assert area_code_problem("360121100201", "village", "360121", "county") == "level_order"
    assert area_code_problem("3601211002", "village", "360121100000", "township") == "code_12_digits"


def test_it_rejects_a_village_code_outside_its_township(scenario):
    with pytest.raises(ValidationError) as exc:
        actions.create_area(scenario.consortium_office, code="360199200299", name="错村", level="village",
                            parent=scenario.township_1)
    assert "code" in exc.value.message_dict


def test_a_village_clinic_must_be_run_by_a_township_centre(scenario):
    with pytest.raises(ValidationError) as exc:
        actions.create_institution(scenario.consortium_office, code="V999", name="无主卫生室", tier="village",
                                   kind="village_clinic", area=scenario.village_a)
    assert "parent" in exc.value.message_dict


def test_kind_must_fit_the_tier(scenario):
    with pytest.raises(ValidationError) as exc:
        actions.create_institution(scenario.consortium_office, code="X1", name="错", tier="county",
                                   kind="village_clinic", area=scenario.county)
    assert "kind" in exc.value.message_dict


def test_only_the_office_or_system_admin_create_institutions(scenario):
    for outsider in (scenario.township_doctor, scenario.institution_admin_t1, scenario.village_doctor_a):
        with pytest.raises(PermissionDenied):
            actions.create_institution(outsider, code="X2", name="新院", tier="township", kind="township_centre",
                                       area=scenario.township_1)


def test_an_institution_admin_manages_own_and_child_institutions_only(scenario):
    admin = scenario.institution_admin_t1
    actions.update_institution(admin, scenario.centre_1, phone="0791-1234567")
    actions.add_department(admin, scenario.clinic_a, code="QK", name="全科")
    with pytest.raises(PermissionDenied):
        actions.update_institution(admin, scenario.centre_2, phone="1")
    with pytest.raises(PermissionDenied):
        actions.add_department(admin, scenario.clinic_c, code="QK", name="全科")
    with pytest.raises(PermissionDenied):
        actions.create_staff(admin, institution=scenario.centre_2, username="x", full_name="某", password="p" * 12,
                             roles=[Role.TOWNSHIP_DOCTOR], validate=False)
    with pytest.raises(PermissionDenied):  # structure (tier, parent …) is the consortium office's
        actions.update_institution(admin, scenario.centre_1, tier="county")


def test_separated_administrators_are_three_people(scenario):
    membership = scenario.system_admin.memberships.get()
    with pytest.raises(ValidationError):
        actions.assign_role(scenario.consortium_office, membership, Role.AUDIT_ADMIN)
    assert not StaffRole.objects.filter(membership=membership, role=Role.AUDIT_ADMIN).exists()


def test_institution_admin_cannot_grant_administrator_roles(scenario):
    membership = scenario.township_doctor.memberships.get()
    with pytest.raises(PermissionDenied):
        actions.assign_role(scenario.institution_admin_t1, membership, Role.SYSTEM_ADMIN)
    actions.assign_role(scenario.institution_admin_t1, membership, Role.TEAM_LEADER)
    assert StaffRole.objects.filter(membership=membership, role=Role.TEAM_LEADER).exists()


def test_seconded_staff_hold_memberships_at_two_institutions(scenario):
    actions.add_membership(scenario.consortium_office, user=scenario.county_specialist,
                           institution=scenario.centre_1, roles=[Role.COUNTY_SPECIALIST])
    from yigongti.org.access import can_act_for, institution_ids

    assert set(institution_ids(scenario.county_specialist)) == {scenario.county_hospital.pk, scenario.centre_1.pk}
    scenario.county_specialist.__dict__.pop("_yg_roles_by_institution", None)
    assert can_act_for(scenario.county_specialist, scenario.centre_1.pk)
    assert not can_act_for(scenario.county_specialist, scenario.centre_2.pk)


def test_reserved_beds_are_free_until_held(scenario):
    import datetime as dt

    from django.utils import timezone

    bed = actions.add_reserved_bed(scenario.consortium_office, scenario.county_hospital, label="预留1")
    assert list(free_beds(scenario.county_hospital)) == [bed]
    bed.holder_label, bed.hold_until = "转诊 R1", timezone.now() + dt.timedelta(hours=2)
    bed.save()
    assert not free_beds(scenario.county_hospital).exists()
    assert free_beds(scenario.county_hospital, now=timezone.now() + dt.timedelta(hours=3)).exists()


def test_the_tree_counts_subtrees(scenario):
    actions.set_denominator(scenario.consortium_office, area=scenario.village_a, year=2026, sex="1",
                            age_band="65+", resident=40, registered=44)
    actions.set_denominator(scenario.consortium_office, area=scenario.village_c, year=2026, sex="2",
                            age_band="35-64", resident=70, registered=70)
    (root,) = structure_tree(2026)
    assert root["area"] == scenario.county
    assert root["totals"]["population"] == 110
    assert root["totals"]["institutions"] == 7
    township_1 = next(n for n in root["children"] if n["area"] == scenario.township_1)
    assert township_1["totals"]["population"] == 40 and township_1["totals"]["institutions"] == 3
    assert township_1["totals"]["staff"] == 5  # 2 village doctors + 3 at the centre
