"""Named scenario users: the people every suite reuses (style.md, after healthchecks' BaseTestCase).

    def test_it_validates_ownership(scenario, client):
        client.force_login(scenario.village_doctor_b)
        ...

The county (360199, a code no real county has) has two townships: township 1 with villages A and B,
each with its own village clinic run by township centre 1, and township 2 with village C and its clinic.
The county hospital leads the consortium. Users:

| attribute | role | institution |
|---|---|---|
| village_doctor_a / village_doctor_b / village_doctor_c | 乡村医生 | clinic A / B / C |
| township_doctor / other_township_doctor | 乡镇医生 | centre 1 / centre 2 |
| county_specialist | 县级专科医生 | county hospital |
| consortium_office | 医共体办公室 | county hospital |
| health_bureau | 卫健局/疾控 | county CDC |
| system_admin / security_admin / audit_admin | 三员 | county hospital |
| institution_admin_t1 | 机构管理员 | centre 1 |
| mental_health_doctor | 乡镇医生 + 精防医生 | centre 1 |

Everything is made through the org actions, so the fixture exercises them. Password: ``scenario.password``.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

PASSWORD = "Scenario-pass-2026"


def build_scenario() -> SimpleNamespace:
    from yigongti.org import actions
    from yigongti.org.models import Role

    s = SimpleNamespace(password=PASSWORD)
    s.county = actions.create_area(None, code="360199", name="示范县", level="county")
    s.township_1 = actions.create_area(None, code="360199100000", name="东湖镇", level="township", parent=s.county)
    s.township_2 = actions.create_area(None, code="360199200000", name="西山乡", level="township", parent=s.county)
    s.village_a = actions.create_area(None, code="360199100201", name="桃源村", level="village", parent=s.township_1)
    s.village_b = actions.create_area(None, code="360199100202", name="柳林村", level="village", parent=s.township_1)
    s.village_c = actions.create_area(None, code="360199200201", name="石门村", level="village", parent=s.township_2)

    def inst(code, name, tier, kind, area, parent=None, serves=(), **extra):
        return actions.create_institution(None, code=code, name=name, tier=tier, kind=kind, area=area,
                                          parent=parent, service_areas=serves, **extra)

    s.county_hospital = inst("H001", "示范县人民医院", "county", "general_hospital", s.county, grade="3B",
                             is_lead=True, beds=600)
    s.cdc = inst("H005", "示范县疾病预防控制中心", "county", "cdc", s.county, serves=[s.county])
    s.centre_1 = inst("T001", "东湖镇中心卫生院", "township", "township_centre", s.township_1,
                      serves=[s.township_1], grade="1A", beds=120, is_subcentre=True)
    s.centre_2 = inst("T002", "西山乡卫生院", "township", "township_centre", s.township_2,
                      serves=[s.township_2], grade="1B", beds=40)
    s.clinic_a = inst("V001", "桃源村卫生室", "village", "village_clinic", s.village_a, parent=s.centre_1,
                      serves=[s.village_a])
    s.clinic_b = inst("V002", "柳林村卫生室", "village", "village_clinic", s.village_b, parent=s.centre_1,
                      serves=[s.village_b])
    s.clinic_c = inst("V003", "石门村卫生室", "village", "village_clinic", s.village_c, parent=s.centre_2,
                      serves=[s.village_c])

    def staff(attr, institution, full_name, roles, title="junior"):
        user = actions.create_staff(None, institution=institution, username=attr.replace("_", "-"),
                                    full_name=full_name, password=PASSWORD, roles=roles, title=title,
                                    validate=False)
        setattr(s, attr, user)
        return user

    staff("village_doctor_a", s.clinic_a, "赵村医", [Role.VILLAGE_DOCTOR])
    staff("village_doctor_b", s.clinic_b, "钱村医", [Role.VILLAGE_DOCTOR])
    staff("village_doctor_c", s.clinic_c, "孙村医", [Role.VILLAGE_DOCTOR])
    staff("township_doctor", s.centre_1, "李乡医", [Role.TOWNSHIP_DOCTOR], "intermediate")
    staff("other_township_doctor", s.centre_2, "周乡医", [Role.TOWNSHIP_DOCTOR], "intermediate")
    staff("county_specialist", s.county_hospital, "吴专家", [Role.COUNTY_SPECIALIST], "associate_senior")
    staff("consortium_office", s.county_hospital, "郑主任", [Role.CONSORTIUM_OFFICE], "senior")
    staff("health_bureau", s.cdc, "王科长", [Role.HEALTH_BUREAU])
    staff("system_admin", s.county_hospital, "冯系统", [Role.SYSTEM_ADMIN])
    staff("security_admin", s.county_hospital, "陈安全", [Role.SECURITY_ADMIN])
    staff("audit_admin", s.county_hospital, "褚审计", [Role.AUDIT_ADMIN])
    staff("institution_admin_t1", s.centre_1, "卫院长", [Role.INSTITUTION_ADMIN, Role.TOWNSHIP_DOCTOR], "senior")
    staff("mental_health_doctor", s.centre_1, "蒋精防", [Role.TOWNSHIP_DOCTOR, Role.MENTAL_HEALTH], "intermediate")
    # Two-factor login is required for the office and administrator roles (web.twofactor): they have a
    # confirmed authenticator; tests compute its code with django-otp's TOTP (browser fixture ``login``).
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for user in (s.consortium_office, s.health_bureau, s.system_admin, s.security_admin, s.audit_admin):
        TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    return s


def totp_code(username: str, *, confirmed: bool = True) -> str:
    """The current code of the user's TOTP device (django-otp's own TOTP), replay guard reset."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=confirmed).latest("pk")
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login_through_pages(client, username: str, password: str):
    """Log in as a person does: password, then (for a 2FA role) the setup or verify page with the code."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    if response.status_code != 302:
        return response
    landing = client.get(response.url)
    if landing.status_code == 302 and "/accounts/2fa/" in landing.url:
        setup = "/2fa/setup/" in landing.url
        client.get(landing.url)  # the setup page makes the pending device
        response = client.post(landing.url.split("?")[0], {"token": totp_code(username, confirmed=not setup)})
    return response


@pytest.fixture
def scenario(db):
    return build_scenario()
