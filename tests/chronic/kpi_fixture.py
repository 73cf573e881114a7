"""The ``chronic`` fixture of the indicator catalog (tests/kpi/fixtures.py should name it in FIXTURES): patients
enrolled and followed up through the real actions in 2026, returned as the raw records the rates read.

常住 ≥35: village A 20, village C 8 (prevalence setting 0.25 hypertension, 0.10 diabetes).

    hypertension                                      managed  规范   控制
    P1 village A  4 clinic visits, last 132/82          yes     yes    yes
    P2 village A  telephone only (4 calls), last 150/95  yes     no     no
    P3 village A  enrolled 2026-05-10 (mid-year: 2 due),
                  clinic 07-15 + home 10-20, last 128/78 yes     yes    yes
    P4 village A  34 years old at the year's end        no (population ≥35)
    P5 village A  I15 secondary: refused, never enrolled
    P6 village C  enrolled 2025, no visit in 2026       yes     no     no (never followed up)
    P7 village A  3 clinic visits, last 150/95          yes     no     no
    → county 管理率 5/(28×0.25=7) = 71.43, 规范 2/5 = 40.00, 控制 2/5 = 40.00
      township 1: 4/5 = 80.00, 2/4 = 50.00, 2/4 = 50.00; township 2: 1/2 = 50.00, 0.00, 0.00
    diabetes: D1 village A 4 clinic visits glucose 6.2 (yes/yes/yes); D2 village C one visit 8.0 (yes/no/no)
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from yigongti.chronic import actions
from yigongti.chronic.indicators import Patient

D = dt.date


def _hist(s, e, visits, village="village_a"):
    clinic = {"village_a": s.clinic_a, "village_c": s.clinic_c}[village]
    doctor = {"village_a": s.village_doctor_a, "village_c": s.village_doctor_c}[village]
    out = []
    for day, mode, values in visits:
        visit, _ = actions.record_followup(doctor, e, institution=clinic, visit_date=day, mode=mode, **values)
        out.append((visit.visit_date, visit.mode, visit.controlled))
    return out


def build(s) -> dict:
    """Make the data; returns {"patients": {programme: [Patient]}, "population": {(area_id, year): n}}."""
    from yigongti.org import actions as org

    from . import helpers

    for area, n in ((s.village_a, 10), (s.village_c, 4)):
        for sex in ("1", "2"):
            org.set_denominator(None, area=area, year=2026, sex=sex, age_band="35-64", resident=n, registered=n)
        org.set_denominator(None, area=area, year=2026, sex="1", age_band="7-34", resident=50, registered=50)
    bp = lambda a, b: {"systolic": a, "diastolic": b}  # noqa: E731
    ok, high = bp(132, 82), bp(150, 95)
    patients = {"hypertension": [], "diabetes": []}

    def patient(programme, e, visits, village="village_a"):
        r = e.resident
        hist = _hist(s, e, visits, village)
        patients[programme].append(Patient(r.pk, r.area_id, r.birth_date, r.is_resident, e.icd10.code, e.enrolled_on,
                                           None, None, hist))

    quarterly = [D(2026, 2, 10), D(2026, 5, 10), D(2026, 8, 10), D(2026, 11, 10)]
    patient("hypertension", helpers.enrolment(s, enrolled_on=D(2025, 6, 1), name="规范甲"),
            [(d, "clinic", ok) for d in quarterly])
    patient("hypertension", helpers.enrolment(s, enrolled_on=D(2025, 6, 1), name="电话乙"),
            [(d, "phone", high) for d in quarterly])
    patient("hypertension", helpers.enrolment(s, enrolled_on=D(2026, 5, 10), name="年中丙"),
            [(D(2026, 7, 15), "clinic", high), (D(2026, 10, 20), "home", bp(128, 78))])
    patient("hypertension", helpers.enrolment(s, enrolled_on=D(2025, 6, 1), name="年轻丁", born=D(1992, 3, 1)),
            [(d, "clinic", ok) for d in quarterly])
    try:
        helpers.enrolment(s, code="I15.900", name="继发戊")
    except ValidationError:
        pass
    else:  # pragma: no cover
        raise AssertionError("I15 must not be enrolled")
    patient("hypertension", helpers.enrolment(s, village="village_c", enrolled_on=D(2025, 6, 1), name="未访己"), [],
            village="village_c")
    patient("hypertension", helpers.enrolment(s, enrolled_on=D(2025, 6, 1), name="未控庚"),
            [(D(2026, 3, 1), "clinic", ok), (D(2026, 6, 1), "clinic", ok), (D(2026, 11, 1), "clinic", high)])
    patient("diabetes", helpers.enrolment(s, programme="diabetes", enrolled_on=D(2025, 6, 1), name="糖控辛"),
            [(d, "clinic", {"fasting_glucose": "6.2"}) for d in quarterly])
    patient("diabetes", helpers.enrolment(s, programme="diabetes", village="village_c", enrolled_on=D(2025, 6, 1),
                                          name="糖高壬"),
            [(D(2026, 9, 1), "clinic", {"fasting_glucose": "8.0"})], village="village_c")
    population = {(s.village_a.pk, 2026): 20, (s.village_c.pk, 2026): 8}
    # 慢性病健康管理人群住院率: in-county stays discharged in 2026 — 规范甲 (managed: counts, twice but once),
    # 糖高壬 (managed, village C), 年轻丁 (not in the population), 电话乙 discharged in 2025 (other year)
    # → county 2/7 = 28.57; township 1 1/5, township 2 1/2.
    from tests.referrals import helpers as referral_helpers
    from yigongti.people import actions as people

    referral_helpers.icd()
    by_name = {p.resident_id: p for ps in patients.values() for p in ps}
    from yigongti.people.models import Resident

    stays = []
    for name, admitted, discharged in (("规范甲", D(2026, 3, 1), D(2026, 3, 8)), ("规范甲", D(2026, 9, 1), D(2026, 9, 4)),
                                       ("糖高壬", D(2026, 4, 2), D(2026, 4, 9)), ("年轻丁", D(2026, 2, 1), D(2026, 2, 5)),
                                       ("电话乙", D(2025, 12, 20), D(2025, 12, 28))):
        r = Resident.objects.get(name=name)
        people.record_encounter(s.township_doctor, institution=s.centre_1, resident=r, kind="inpatient",
                                visit_date=admitted, discharge_date=discharged, primary_diagnosis="I10.x00",
                                total_cost="3000.00")
        assert r.pk in by_name
        stays.append({"resident_id": r.pk, "discharged_on": discharged})
    return {"patients": patients, "population": population, "stays": stays}


def chronic(county):
    """For tests/kpi/fixtures.py: ``FIXTURES["chronic"] = chronic``."""
    from types import SimpleNamespace

    from tests.kpi.fixtures import Built
    from yigongti.rules.indicators import parse_period

    s = SimpleNamespace(**county.areas, **county.institutions, **county.users)
    if not hasattr(s, "village_doctor_c"):
        from yigongti.org.models import User

        s.village_doctor_c = User.objects.get(username="village-doctor-c")
    return Built(records=build(s), periods=[parse_period(p) for p in ("2026", "2026-11")])


# --- issue 17: the population programmes (older people, children 0–6, maternal care) -----------------------
"""``chronic_programmes``: 2026, through the real actions.

常住 65+: village A 10, village C 4; 0–2: A 4, C 2; 3–6: A 4, C 2; live births: A 3, C 2.

    older   O1 A visit 03-01 (yes); O2 A enrolled, no visit (no); O3 C visit 04-01 (yes)
            → county 2/14 = 14.29; township 1: 1/10; township 2: 1/4
    child   C1 A born 2025-05-10, checks 8m, 12m, 18m on time   → managed, systematic
            C2 A born 2024-01-15, 24m check only (30m missed)   → managed, not systematic
            C3 C born 2023-03-01, 36m check                      → managed (3 at year end: not in 系统管理)
            → 管理率 3/12 = 25.00; 系统管理率 1/6 = 16.67
    maternal M1 A LMP 2026-01-05, registered week 8, delivered 10-10, postpartum visit 10-15 → early, visited
            M2 A LMP 2025-12-01, registered week 16, delivered 09-05, only the 42-day check  → neither
            M3 C EDD 2026-08-01, registered week 11, no delivery recorded (EDD counts)      → early
            → 早孕建册率 2/5 = 40.00; 产后访视率 1/5 = 20.00
"""


def build_programmes(s) -> dict:
    from yigongti.chronic import programmes
    from yigongti.chronic.rates_programmes import Member
    from yigongti.org import actions as org

    from . import helpers

    for area, (old, small, pre, births) in ((s.village_a, (5, 2, 2, 3)), (s.village_c, (2, 1, 1, 2))):
        for sex in ("1", "2"):
            org.set_denominator(None, area=area, year=2026, sex=sex, age_band="65+", resident=old, registered=old)
            org.set_denominator(None, area=area, year=2026, sex=sex, age_band="0-2", resident=small,
                                registered=small)
            org.set_denominator(None, area=area, year=2026, sex=sex, age_band="3-6", resident=pre, registered=pre)
        org.set_year_figures(None, area=area, year=2026, live_births=births, insured_employee=0, insured_resident=0)
    members = {"older": [], "child": [], "maternal": []}
    villages = {"village_a": (s.village_doctor_a, s.clinic_a), "village_c": (s.village_doctor_c, s.clinic_c)}

    def member(code, name, born, enrolled_on, visits, village="village_a", sex="1", details=None):
        doctor, clinic = villages[village]
        prog = programmes.get(code)
        r = helpers.resident(s, village=village, name=name, born=born, sex=sex)
        e = actions.enrol(doctor, resident=r, programme=code, managing_institution=clinic, managing_doctor=doctor,
                          enrolled_on=enrolled_on, details=details, **prog.enrol_kwargs(r, details or {}, enrolled_on))
        hist = []
        for day, data in visits:
            v, _d = prog.record(doctor, e, institution=clinic, visit_date=day, mode="clinic", **data)
            hist.append((v.visit_date, tuple(v.reasons)))
        e.refresh_from_db()
        members[code].append(Member(r.pk, r.area_id, r.birth_date, r.is_resident, e.enrolled_on, e.details, hist))

    care = {"details": {"self_care_score": 2}}
    member("older", "老人O1", D(1950, 1, 1), D(2026, 1, 1), [(D(2026, 3, 1), care)])
    member("older", "老人O2", D(1955, 6, 1), D(2026, 1, 1), [])
    member("older", "老人O3", D(1948, 2, 2), D(2026, 1, 1), [(D(2026, 4, 1), care)], village="village_c")
    member("child", "儿童C1", D(2025, 5, 10), D(2025, 5, 10),
           [(D(2026, 1, 10), {}), (D(2026, 5, 10), {}), (D(2026, 11, 10), {})])
    member("child", "儿童C2", D(2024, 1, 15), D(2024, 1, 15), [(D(2026, 1, 15), {})])
    member("child", "儿童C3", D(2023, 3, 1), D(2023, 3, 1), [(D(2026, 3, 1), {})], village="village_c")
    member("maternal", "孕产妇M1", D(1995, 2, 2), D(2026, 3, 2),
           [(D(2026, 3, 2), {}), (D(2026, 10, 15), {"details": {"delivery_date": "2026-10-10",
                                                                 "discharge_date": "2026-10-12", "live_births": 1}})],
           sex="2", details={"lmp": "2026-01-05"})
    member("maternal", "孕产妇M2", D(1993, 2, 2), D(2026, 3, 23),
           [(D(2026, 10, 20), {"details": {"delivery_date": "2026-09-05", "live_births": 1}})],
           sex="2", details={"lmp": "2025-12-01"})
    member("maternal", "孕产妇M3", D(1997, 2, 2), D(2026, 1, 10), [], village="village_c", sex="2",
           details={"edd": "2026-08-01"})
    population = {}
    for area, (old, small, pre) in ((s.village_a, (10, 4, 4)), (s.village_c, (4, 2, 2))):
        population[(area.pk, 2026, "65+")] = old
        population[(area.pk, 2026, "0-2")] = small
        population[(area.pk, 2026, "3-6")] = pre
    return {"members": members, "population": population,
            "births": {(s.village_a.pk, 2026): 3, (s.village_c.pk, 2026): 2}}


def chronic_programmes(county):
    from types import SimpleNamespace

    from tests.kpi.fixtures import Built
    from yigongti.rules.indicators import parse_period

    s = SimpleNamespace(**county.areas, **county.institutions, **county.users)
    if not hasattr(s, "village_doctor_c"):
        from yigongti.org.models import User

        s.village_doctor_c = User.objects.get(username="village-doctor-c")
    return Built(records=build_programmes(s), periods=[parse_period("2026")])


KPI_FIXTURES = {"chronic_programmes": chronic_programmes}
