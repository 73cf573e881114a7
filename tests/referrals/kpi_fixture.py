"""The ``referrals`` fixture of the indicator catalog (tests/kpi/fixtures.py names it in FIXTURES): referrals
made through the real actions at known China times in 2025, returned as the raw records the pure functions
of rules/referral.py read.

    up   centre 1 → county     submitted 01-10 09:00, accepted 6 h later, received 01-11
    up   clinic A → centre 1   submitted 02-03, accepted 02-05 (after 24 h), received 02-05
    down county → centre 1     submitted 02-10, accepted and received 02-11
    up   centre 1 → county     submitted 03-01, rejected 03-01
    up   centre 1 → county     submitted 03-05, accepted, never received: expired after 03-08
    up   centre 1 → county     questionable (J06 on the 一级 catalog), submitted 03-20, cancelled 03-21
    down county → clinic A     submitted 03-25, received 03-26
    a draft (counts nowhere); filings: centre 1 on 02-14, the county hospital on 03-02
"""
from __future__ import annotations

import datetime as dt

import time_machine
from django.db import transaction

CHINA = dt.timezone(dt.timedelta(hours=8))


def _at(text: str):
    return time_machine.travel(dt.datetime.fromisoformat(text).replace(tzinfo=CHINA), tick=False)


def referrals(county):
    from django.utils import timezone

    from tests.kpi.fixtures import Built
    from yigongti.people import actions as people_actions
    from yigongti.referrals import actions
    from yigongti.referrals.indicators import filing_record_of, record_of
    from yigongti.referrals.models import OutsideFiling, Referral
    from yigongti.rules.indicators import parse_period

    from . import helpers

    helpers.icd()
    u = county.users
    township, specialist, village, office = (u["township_doctor"], u["county_specialist"], u["village_doctor_a"],
                                              u["consortium_office"])
    centre_1, hospital, clinic_a = county.inst("centre_1"), county.inst("county_hospital"), county.inst("clinic_a")

    def patient(n):
        return people_actions.register_resident(village, institution=clinic_a, area=county.areas["village_a"],
                                                name=f"指标患者{n}", sex="1", birth_date=dt.date(1955, 1, n),
                                                document_type="none", force=True)

    def write(doctor, frm, to, p, **kw):
        data = {"reason": "difficult", "primary_diagnosis": "S66.300", "condition_summary": "病情说明",
                "consent": True, "consent_by": p.name, **kw}
        return actions.create_referral(doctor, from_institution=frm, to_institution=to, resident=p, **data)

    with transaction.atomic():
        actions.add_catalog_entry(office, kind="first_diagnosis", grade_level="1", code="J06", name="上感")
        people = [patient(n) for n in range(1, 9)]
    steps = [
        ("2025-01-10 09:00", lambda: actions.submit_referral(township, write(township, centre_1, hospital, people[0]))),
        ("2025-02-03 10:00", lambda: actions.submit_referral(village, write(village, clinic_a, centre_1, people[1]))),
        ("2025-02-10 10:00", lambda: actions.submit_referral(specialist, write(
            specialist, hospital, centre_1, people[2], reason="recovery", primary_diagnosis="I63.900"))),
        ("2025-03-01 08:00", lambda: actions.submit_referral(township, write(township, centre_1, hospital, people[3]))),
        ("2025-03-05 08:00", lambda: actions.submit_referral(township, write(township, centre_1, hospital, people[4]))),
        ("2025-03-20 08:00", lambda: actions.submit_referral(township, write(
            township, centre_1, hospital, people[5], primary_diagnosis="J06.900", justification="高热不退伴抽搐"))),
        ("2025-03-25 08:00", lambda: actions.submit_referral(specialist, write(
            specialist, hospital, clinic_a, people[6], reason="stable_chronic", primary_diagnosis="I10.x00"))),
    ]
    made = []
    for when, step in steps:
        with _at(when), transaction.atomic():
            made.append(step())
    r1, r2, r3, r4, r5, r6, r7 = made
    later = [
        ("2025-01-10 15:00", lambda: actions.accept_referral(specialist, r1)),
        ("2025-01-11 09:00", lambda: actions.receive_referral(specialist, r1)),
        ("2025-02-05 11:00", lambda: actions.accept_referral(township, r2)),
        ("2025-02-05 15:00", lambda: actions.receive_referral(township, r2)),
        ("2025-02-11 09:00", lambda: actions.accept_referral(township, r3)),
        ("2025-02-11 10:00", lambda: actions.receive_referral(township, r3)),
        ("2025-03-01 10:00", lambda: actions.reject_referral(specialist, r4, "专科无床位")),
        ("2025-03-05 12:00", lambda: actions.accept_referral(specialist, r5)),
        ("2025-03-21 09:00", lambda: actions.cancel_referral(township, r6, "患者病情好转")),
        ("2025-03-26 09:00", lambda: actions.accept_referral(village, r7)),
        ("2025-03-26 10:00", lambda: actions.receive_referral(village, r7)),
        ("2025-02-14 10:00", lambda: actions.file_outside(township, institution=centre_1, resident=people[0],
                                                          destination="省人民医院", primary_diagnosis="C34.900",
                                                          reason="beyond_county", reason_detail="县内无法开展该手术")),
        ("2025-03-02 10:00", lambda: actions.file_outside(specialist, institution=hospital, resident=people[7],
                                                          destination="省肿瘤医院", primary_diagnosis="C34.900",
                                                          reason="specialist", reason_detail="需要放疗，县内无设备")),
    ]
    for when, step in later:
        with _at(when), transaction.atomic():
            step()
    with transaction.atomic():
        write(township, centre_1, hospital, people[7])  # a draft: counts nowhere
    records = {"referrals": [record_of(r) for r in Referral.objects.order_by("pk")],
               "filings": [filing_record_of(f) for f in OutsideFiling.objects.order_by("pk")],
               "today": timezone.localdate()}
    return Built(records=records, periods=[parse_period(p) for p in ("2025-01", "2025-02", "2025-03", "2025-Q1",
                                                                       "2025", "2024")])
