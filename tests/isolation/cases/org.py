"""Structure pages and API. Structure and counts are not personal data: every signed-in user reads them;
changes are for the consortium office / system admin, and institution admins for their own institutions."""
from yigongti.org.models import Department, Institution, Membership, ReservedBed, Role

from ..framework import Case

STRUCTURE = {Role.CONSORTIUM_OFFICE, Role.SYSTEM_ADMIN}
DENOMINATORS = {Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU, Role.SYSTEM_ADMIN}
NOT_T1_ADMINS = ("township_doctor", "other_township_doctor", "village_doctor_a", "village_doctor_b",
                 "county_specialist", "health_bureau", "security_admin", "audit_admin", "mental_health_doctor")


def _institution_details(s):
    return {"name": "改名卫生院", "short_name": "改", "grade": "1A", "insurance_code": "H9",
            "clinical_system": "yigongti", "address": "某地", "phone": "1", "beds": 999}


CASES = {
    "org:tree": Case.signed_in(),
    "org:institution": Case.signed_in(kwargs=lambda s: {"pk": s.centre_1.pk}),
    "org:denominators": Case.signed_in(),
    "org:denominator_template": Case.signed_in(),
    "org:area_new": Case.roles(STRUCTURE, method="POST",
                               payload=lambda s: {"code": "360199100299", "name": "新村", "level": "village",
                                                  "parent": s.township_1.pk},
                               snapshot=lambda s: s.township_1.children.count()),
    "org:institution_new": Case.roles(STRUCTURE, method="POST",
                                      payload=lambda s: {"code": "T999", "name": "新卫生院", "tier": "township",
                                                         "kind": "township_centre", "area": s.township_1.pk,
                                                         "clinical_system": "yigongti", "beds": 1},
                                      snapshot=lambda s: Institution.objects.count()),
    "org:institution_edit": Case.scoped(
        owner="institution_admin_t1", outsiders=NOT_T1_ADMINS, kwargs=lambda s: {"pk": s.centre_1.pk},
        method="POST", payload=_institution_details,
        snapshot=lambda s: Institution.objects.get(pk=s.centre_1.pk).name),
    "org:department_new": Case.scoped(
        owner="institution_admin_t1", outsiders=NOT_T1_ADMINS, kwargs=lambda s: {"pk": s.clinic_a.pk},
        method="POST", payload=lambda s: {"code": "QK", "name": "全科"},
        snapshot=lambda s: Department.objects.filter(institution=s.clinic_a).count()),
    "org:bed_new": Case.scoped(
        owner="institution_admin_t1", outsiders=NOT_T1_ADMINS, kwargs=lambda s: {"pk": s.centre_1.pk},
        method="POST", payload=lambda s: {"label": "B1"},
        snapshot=lambda s: ReservedBed.objects.filter(institution=s.centre_1).count()),
    "org:staff_new": Case.scoped(
        owner="institution_admin_t1", outsiders=NOT_T1_ADMINS, kwargs=lambda s: {"pk": s.clinic_b.pk},
        method="POST", payload=lambda s: {"username": "intruder", "full_name": "某人", "roles": ["village_doctor"],
                                          "password": "Long-enough-pass-2026"},
        snapshot=lambda s: Membership.objects.filter(institution=s.clinic_b).count()),
    "org:membership_roles": Case.scoped(
        owner="institution_admin_t1", outsiders=NOT_T1_ADMINS,
        kwargs=lambda s: {"pk": s.village_doctor_a.memberships.get().pk}, method="POST",
        payload=lambda s: {"roles": ["village_doctor", "team_leader"]},
        snapshot=lambda s: sorted(s.village_doctor_a.memberships.get().roles.values_list("role", flat=True))),
    "org:denominator_edit": Case.roles(DENOMINATORS, kwargs=lambda s: {"area_id": s.village_a.pk, "year": 2026}),
    "org:denominator_import": Case.roles(DENOMINATORS),
    "org:denominator_errors": Case.roles(DENOMINATORS),
    "api:institution-list": Case.signed_in(api=True),
    "api:institution-detail": Case.signed_in(kwargs=lambda s: {"pk": s.centre_1.pk}, api=True),
    "api:area-list": Case.signed_in(api=True),
    "api:area-detail": Case.signed_in(kwargs=lambda s: {"pk": s.village_a.pk}, api=True),
}
