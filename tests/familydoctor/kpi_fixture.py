"""The ``familydoctor`` fixture of the indicator catalog (found by tests/kpi/fixtures.py through ``KPI_FIXTURES``):
contracts signed, renewed and terminated through the real actions in 2024–2025, key populations made by the
real programme and people actions, follow-ups that the fulfilment counts; returned as the raw records the pure
functions of rules/contracts.py read.

常住 2025: village A 10, village B 6, village C 8 (township 1 = 16, township 2 = 8, county 24).

    R1 village A  born 1950, hypertension      signed 2025-01-01 basic + hypertension; follow-ups 06-20, 09-15
    R2 village A  born 1990                    signed 2025-03-01, terminated (wish) 2025-05-15
    R3 village A  born 1948 (older)            never signed
    R4 village B  born 2022 (child 0–6)        signed 2025-02-01
    R5 village C  born 1962, diabetes          signed 2024-07-01 with team 2, renewed from 2025-07-01
    R6 village C  born 1980, poverty-monitored signed 2025-09-01 with team 2
    R7 village A  born 1970, severe mental     signed 2025-01-10
    R8 village B  born 1985, TB                signed 2025-06-01
    R9 village B  born 1995, maternal care      signed 2025-04-01

    signed on 2025-03-31: R1 R2 R4 R5 R7 → county 5/24, township 1 4/16, township 2 1/8
    signed on 2025-06-30: R1 R4 R5 R7 R8 R9; on 2025-12-31 also R6 (R5 through its renewal)
    key members: R1 R3 R4 R5 R6 R7 R8 R9 (8), signed among them on 2025-12-31: 7
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import transaction

D = dt.date


def build(s) -> dict:
    from tests.chronic import helpers
    from yigongti.chronic import actions as chronic
    from yigongti.chronic.actions_tb import import_tb_notification
    from yigongti.familydoctor import actions
    from yigongti.familydoctor.models import Package
    from yigongti.org import actions as org
    from yigongti.org.models import Membership, Role, StaffRole
    from yigongti.people import actions as people
    from yigongti.people import services
    from yigongti.rules import contracts as rules

    # The office reads the severe-mental-disorder drill-down only with the programme role.
    membership = Membership.objects.filter(user=s.consortium_office).first()
    StaffRole.objects.get_or_create(membership=membership, role=Role.MENTAL_HEALTH)
    s.consortium_office.__dict__.pop("_yg_roles_by_institution", None)

    for area, n in ((s.village_a, 10), (s.village_b, 6), (s.village_c, 8)):
        org.set_denominator(None, area=area, year=2025, sex="1", age_band="35-64", resident=n, registered=n)

    basic, hypertension = Package.objects.get(code="basic"), Package.objects.get(code="hypertension")
    team1 = actions.create_team(None, institution=s.centre_1, name="指标1团队", leader=s.township_doctor,
                                areas=[s.village_a, s.village_b])
    team2 = actions.create_team(None, institution=s.centre_2, name="指标2团队", leader=s.other_township_doctor,
                                areas=[s.village_c])

    r1 = helpers.enrolment(s, name="签约指标一", born=D(1950, 5, 5)).resident
    r2 = helpers.resident(s, name="签约指标二", born=D(1990, 1, 1))
    r3 = helpers.resident(s, name="签约指标三", born=D(1948, 2, 2))
    r4 = helpers.resident(s, village="village_b", name="签约指标四", born=D(2022, 5, 1))
    e5 = helpers.enrolment(s, village="village_c", programme="diabetes", name="签约指标五", born=D(1962, 3, 2))
    r5 = e5.resident
    r6 = helpers.resident(s, village="village_c", name="签约指标六", born=D(1980, 8, 8))
    people.add_tag(None, r6, "poverty_monitored")
    r7 = helpers.enrolment(s, programme="mental", details={"disease": "精神分裂症"}, name="签约指标七",
                           born=D(1970, 7, 7)).resident
    r8 = helpers.resident(s, village="village_b", name="签约指标八", born=D(1985, 4, 4))
    import_tb_notification(None, external_id="FD-TB-1", resident=r8,
                           arrived_at=dt.datetime(2025, 5, 1, 1, 0, tzinfo=dt.UTC), regimen="2HRZE/4HR",
                           treatment_start=D(2025, 5, 1), supervision="family", managing_institution=s.clinic_b,
                           managing_doctor=s.village_doctor_b)

    r9 = helpers.resident(s, village="village_b", name="签约指标九", born=D(1995, 3, 3), sex="2")
    from yigongti.chronic import programmes

    edd = D(2025, 10, 1)
    chronic.enrol(s.village_doctor_b, resident=r9, programme="maternal", managing_institution=s.clinic_b,
                  managing_doctor=s.village_doctor_b, enrolled_on=D(2025, 3, 1), details={"edd": edd.isoformat()},
                  **programmes.get("maternal").enrol_kwargs(r9, {"edd": edd.isoformat()}, D(2025, 3, 1)))

    from yigongti.chronic.models import Enrolment

    e1 = Enrolment.objects.get(resident=r1, programme="hypertension")
    for day in (D(2025, 6, 20), D(2025, 9, 15)):
        chronic.record_followup(s.village_doctor_a, e1, institution=s.clinic_a, visit_date=day, mode="clinic",
                                systolic=132, diastolic=82)

    def sign(r, team, start, packages=(basic,)):
        with transaction.atomic():
            return actions.sign_contract(None, resident=r, team=team, doctor=team.leader, packages=list(packages),
                                         start_date=start, consent_by=r.name)

    c1 = sign(r1, team1, D(2025, 1, 1), (basic, hypertension))
    c2 = sign(r2, team1, D(2025, 3, 1))
    with transaction.atomic():
        actions.terminate_contract(None, c2, reason="wish", on=D(2025, 5, 15))
    sign(r4, team1, D(2025, 2, 1))
    c5 = sign(r5, team2, D(2024, 7, 1))
    with transaction.atomic():
        actions.renew_contract(None, c5)
    sign(r7, team1, D(2025, 1, 10))
    sign(r8, team1, D(2025, 6, 1))
    sign(r6, team2, D(2025, 9, 1))
    sign(r9, team1, D(2025, 4, 1))
    del c1

    known = services.kinds()
    from yigongti.familydoctor.models import Contract

    terms = []
    for c in Contract.objects.order_by("pk"):
        items = tuple(rules.Item(i.service_code, i.yearly_count, i.population, i.service_code in known)
                      for p in c.packages.order_by("pk") for i in p.items.order_by("position", "pk"))
        terms.append(rules.Term(c.pk, c.resident_id, {r.pk: r.area_id for r in (r1, r2, r3, r4, r5, r6, r7, r8, r9)}[
            c.resident_id], c.team_id, c.start_date, c.end_date, rules.last_day(c.end_date, c.ended_on), items))
    residents = {r.pk: r.area_id for r in (r1, r2, r3, r4, r5, r6, r7, r8, r9)}
    members = {"older_65": {r1.pk, r3.pk}, "children_0_6": {r4.pk}, "hypertension": {r1.pk}, "diabetes": {r5.pk},
               "mental": {r7.pk}, "tb": {r8.pk}, "poverty_monitored": {r6.pk}, "maternal": {r9.pk}}
    services_done = {r1.pk: [("followup_hypertension", D(2025, 6, 20)), ("followup_hypertension", D(2025, 9, 15))]}
    population = {(s.village_a.pk, 2025): 10, (s.village_b.pk, 2025): 6, (s.village_c.pk, 2025): 8}
    return {"terms": terms, "residents": residents, "members": members, "services": services_done,
            "population": population}


def familydoctor(county):
    from tests.kpi.fixtures import Built
    from yigongti.org.models import User
    from yigongti.rules.indicators import parse_period

    s = SimpleNamespace(**county.areas, **county.institutions, **county.users)
    for attr in ("village_doctor_b", "village_doctor_c", "mental_health_doctor"):
        setattr(s, attr, User.objects.get(username=attr.replace("_", "-")))
    with transaction.atomic():
        records = build(s)
    return Built(records=records, periods=[parse_period(p) for p in ("2025-03", "2025-06", "2025-Q3", "2025")])


KPI_FIXTURES = {"familydoctor": familydoctor}
