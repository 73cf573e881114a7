"""The ``experts`` fixture of the indicator catalog: secondments and outreach activities made through the real
actions in 2025, and the 常住 population of the two townships, returned as the records the pure functions read.

    secondments  county specialist (副高, hospital 3B) → centre 1, 2025-01-02 – 2025-06-30   counts
                 the same specialist → centre 2 from 2025-07-01                               counts (once in 2025)
                 a junior county doctor → centre 1 from 2025-03-01                            title too low
    population   village A 30,000, village C 15,000 (2025)
    outreach     centre 1: lectures 01-08, 03-12; a ward round 03-12; surgeries taught 02-20 (3), 03-05 (2);
                 a free clinic 03-15 (120); centre 2: a training 02-11, a lecture 09-09; clinic A: a free clinic
                 05-04 (40)
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction


def experts(county):
    from tests.kpi.fixtures import Built
    from yigongti.experts import actions
    from yigongti.experts.indicators import outreach_record, secondment_record
    from yigongti.experts.models import OutreachActivity, Secondment
    from yigongti.org import actions as org_actions
    from yigongti.org.models import Role
    from yigongti.rules.indicators import parse_period

    u = county.users
    specialist = u["county_specialist"]
    hospital, centre_1, centre_2 = county.inst("county_hospital"), county.inst("centre_1"), county.inst("centre_2")
    clinic_a = county.inst("clinic_a")
    d = dt.date.fromisoformat
    with transaction.atomic():
        junior = org_actions.create_staff(None, institution=hospital, username="kpi-junior", full_name="低年资医师",
                                          password="Kpi-pass-2026-x", roles=[Role.COUNTY_SPECIALIST], title="junior",
                                          validate=False)
        actions.second_staff(None, staff=specialist, home_institution=hospital, institution=centre_1,
                             role="department_head", start_date=d("2025-01-02"), end_date=d("2025-06-30"))
        actions.second_staff(None, staff=specialist, home_institution=hospital, institution=centre_2,
                             role="rotating_expert", start_date=d("2025-07-01"))
        actions.second_staff(None, staff=junior, home_institution=hospital, institution=centre_1,
                             role="rotating_expert", start_date=d("2025-03-01"))
        population = {}
        for area, n in (("village_a", 30000), ("village_c", 15000)):
            org_actions.set_denominator(None, area=county.areas[area], year=2025, sex="1", age_band="35-64",
                                        resident=n, registered=n)
            population[(county.areas[area].pk, 2025)] = n
        for kind, inst, day, count in [
            ("lecture", centre_1, "2025-01-08", 1), ("lecture", centre_1, "2025-03-12", 1),
            ("ward_round", centre_1, "2025-03-12", 1), ("surgery_taught", centre_1, "2025-02-20", 3),
            ("surgery_taught", centre_1, "2025-03-05", 2), ("free_clinic", centre_1, "2025-03-15", 120),
            ("training", centre_2, "2025-02-11", 1), ("lecture", centre_2, "2025-09-09", 1),
            ("free_clinic", clinic_a, "2025-05-04", 40),
        ]:
            actions.record_outreach(None, kind=kind, institution=inst, date=d(day), topic=f"{kind} {day}",
                                    experts=[specialist], participants=20, count=count)
    records = {"secondments": [secondment_record(x) for x in Secondment.objects.select_related("home_institution")],
               "outreach": [outreach_record(a) for a in OutreachActivity.objects.all()],
               "population": population}
    return Built(records=records, periods=[parse_period(p) for p in ("2025-01", "2025-03", "2025-Q1", "2025",
                                                                       "2025-YTD06")])


KPI_FIXTURES = {"experts": experts}
