"""The ``diagnostics`` fixture of the indicator catalog: readings made through the real actions at known China
times in 2025, returned as the raw records rules/diagnostics.py's ``measure`` reads.

    r1 ECG  clinic A     stat     01-10 09:00 → published 09:20 (20′); critical 09:15, acknowledged 09:25
    —       clinic A     uses r1's result on 01-12 (an avoided repeat)
    r2 ECG  clinic A     routine  01-14 10:00, repeat inside r1's window with a reason → published 10:30 (30′)
    r3 DR   centre 1     routine  02-03 10:00 → published 02-04 12:00 (1560′: late)
    r4 LAB  centre 2     urgent   02-20 08:00 → signed 09:20 with K 6.8 (critical, never acknowledged:
                                  escalated 09:35) → published 09:30 (90′)
    r5 CT   clinic A     stat     03-31 23:50 → published 04-01 00:20 (counts in April)
    r6 US   centre 1     claimed, never published (counts nowhere)
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import time_machine
from django.db import transaction

CHINA = dt.timezone(dt.timedelta(hours=8))


def _at(text: str):
    return time_machine.travel(dt.datetime.fromisoformat(text).replace(tzinfo=CHINA), tick=False)


def diagnostics(county):
    from tests.kpi.fixtures import Built
    from yigongti.diagnostics import actions
    from yigongti.diagnostics.indicators import critical_record, reading_record, recognition_record
    from yigongti.diagnostics.models import CriticalValue, Recognition, Request
    from yigongti.people import actions as people_actions
    from yigongti.rules.indicators import parse_period

    from . import helpers

    s = SimpleNamespace(**county.areas, **county.institutions, **county.users)
    reader, village, township, other = (s.county_specialist, s.village_doctor_a, s.township_doctor,
                                        s.other_township_doctor)

    def patient(n, doctor, institution, area):
        return people_actions.register_resident(doctor, institution=institution, area=area, name=f"读片患者{n}",
                                                sex="1", birth_date=dt.date(1950, 1, n), document_type="none",
                                                force=True)

    with transaction.atomic():
        helpers.centre(s)
        p1 = patient(1, village, s.clinic_a, s.village_a)
        p2 = patient(2, township, s.centre_1, s.village_b)
        p3 = patient(3, other, s.centre_2, s.village_c)
        p4 = patient(4, village, s.clinic_a, s.village_a)

    def ask(doctor, inst, p, code, priority, **kw):
        return actions.create_request(doctor, institution=inst, resident=p, test=helpers.test_of(code),
                                      priority=priority, clinical_info="指标", **kw)

    def read(r, impression="结论", results=None):
        actions.claim_request(reader, r)
        actions.save_report(reader, r, findings="所见", impression=impression, results=results)
        actions.sign_report(reader, r)

    made = {}

    def step(when, fn):
        with _at(when), transaction.atomic():
            return fn()

    made["r1"] = step("2025-01-10 09:00", lambda: ask(village, s.clinic_a, p1, "ECG12", "stat"))
    step("2025-01-10 09:10", lambda: read(made["r1"], "急性下壁心梗"))
    made["cv1"] = step("2025-01-10 09:15", lambda: actions.mark_critical(reader, made["r1"], description="急性下壁心梗"))
    step("2025-01-10 09:20", lambda: actions.publish_report(reader, made["r1"]))
    step("2025-01-10 09:25", lambda: actions.acknowledge_critical(village, made["cv1"]))
    step("2025-01-12 08:00", lambda: actions.use_earlier_result(village, institution=s.clinic_a, resident=p1,
                                                                 test=helpers.test_of("ECG12")))
    made["r2"] = step("2025-01-14 10:00", lambda: ask(village, s.clinic_a, p1, "ECG12", "routine",
                                                      repeat_reason="胸痛再发"))
    step("2025-01-14 10:20", lambda: read(made["r2"]))
    step("2025-01-14 10:30", lambda: actions.publish_report(reader, made["r2"]))
    made["r3"] = step("2025-02-03 10:00", lambda: ask(township, s.centre_1, p2, "DR-CHEST", "routine"))
    step("2025-02-04 11:00", lambda: read(made["r3"]))
    step("2025-02-04 12:00", lambda: actions.publish_report(reader, made["r3"]))
    made["r4"] = step("2025-02-20 08:00", lambda: ask(other, s.centre_2, p3, "LAB-BMP", "urgent"))
    sp = step("2025-02-20 08:05", lambda: actions.collect_specimen(other, made["r4"]))
    step("2025-02-20 08:40", lambda: actions.receive_specimen(reader, sp, barcode=sp.barcode))
    step("2025-02-20 09:00", lambda: actions.mark_tested(reader, sp))
    step("2025-02-20 09:20", lambda: read(made["r4"], "高钾血症", {"K": "6.8", "NA": "140", "GLU": "5", "CREA": "90"}))
    step("2025-02-20 09:30", lambda: actions.publish_report(reader, made["r4"]))
    step("2025-02-20 09:35", lambda: actions.escalate_due())
    made["r5"] = step("2025-03-31 23:50", lambda: ask(village, s.clinic_a, p4, "CT-HEAD", "stat"))
    step("2025-04-01 00:10", lambda: read(made["r5"]))
    step("2025-04-01 00:20", lambda: actions.publish_report(reader, made["r5"]))
    made["r6"] = step("2025-03-10 10:00", lambda: ask(township, s.centre_1, p2, "US-ABD", "routine"))
    step("2025-03-10 11:00", lambda: actions.claim_request(reader, made["r6"]))

    published = Request.objects.filter(status="published").select_related("centre").order_by("pk")
    records = {"reading": [reading_record(r) for r in published],
               "critical": [critical_record(cv) for cv in CriticalValue.objects.select_related(
                   "request", "request__centre").order_by("pk")],
               "recognition": [recognition_record(x) for x in Recognition.objects.order_by("pk")]}
    return Built(records=records, periods=[parse_period(p) for p in ("2025-01", "2025-02", "2025-03", "2025-04",
                                                                       "2025-Q1", "2025", "2024")])


KPI_FIXTURES = {"diagnostics": diagnostics}
