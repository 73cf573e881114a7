"""The population programmes in the demo county (part "chronic.population", after the chronic programmes), per
record through the real actions, over the two years before the demo's "today" (``ctx.today``):

- older people: in every village clinic residents ≥65 enrolled two years ago, an annual visit each year (the
  shared health exam written with it), about one in six missing this year's (overdue); self-care bands and TCM
  constitutions mixed, some raised BP (→ screening);
- children 0–6: the clinic's young children, every scheduled check since enrolment with ≈85 % attendance (missed
  checks overdue), vaccination records as the provincial export would give them (given doses and one due);
- maternal care: a few women per township centre, some pregnant now (contacts so far), some delivered with
  the postpartum visit and the 42-day check;
- health education: lectures, consultation days and materials at every clinic, quarterly.
Deterministic for a seed (``ctx.rng``)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from yigongti.demo.registry import DemoContext

PER_CLINIC = {"tiny": {"older": 3, "child": 3, "maternal": 1}, "demo": {"older": 15, "child": 10, "maternal": 3}}
CONSTITUTIONS = ("balanced", "balanced", "qi_deficiency", "yang_deficiency", "phlegm_dampness", "blood_stasis")
VACCINES = (("乙肝疫苗", 1, 0), ("卡介苗", 1, 0), ("乙肝疫苗", 2, 1), ("脊灰灭活疫苗", 1, 2), ("百白破疫苗", 1, 3),
            ("乙肝疫苗", 3, 6), ("麻腮风疫苗", 1, 8))   # (vaccine, dose, age in months) as a provincial export lists them
TOPICS = ("高血压防治", "糖尿病饮食", "老年人防跌倒", "儿童合理膳食", "孕期保健", "合理用药", "控烟限酒")


def _doctor(institution):
    from yigongti.org.models import Role

    from .demo import _doctor as find

    return find(institution, Role.VILLAGE_DOCTOR) or find(institution, Role.TOWNSHIP_DOCTOR)


def build(ctx: DemoContext) -> None:
    from yigongti.org.models import Institution
    from yigongti.people.keypops import age_on
    from yigongti.people.models import Resident

    from . import actions, programmes
    from .models import Enrolment
    from .population import service_area_q

    rng = ctx.rng("chronic.population")
    today = ctx.today
    per = PER_CLINIC.get(ctx.scale, PER_CLINIC["demo"])
    counts = {"older": 0, "child": 0, "maternal": 0, "visits": 0, "vaccinations": 0, "education": 0}
    start = today - dt.timedelta(days=730)
    clinics = list(Institution.objects.filter(tier="village", active=True).prefetch_related("service_areas")
                   .order_by("code"))
    for clinic in clinics:
        doctor = _doctor(clinic)
        taken = Enrolment.objects.filter(status="active", programme__in=("older", "child", "maternal")).values("resident_id")
        pool = list(Resident.objects.filter(service_area_q(clinic), status="active", death_date__isnull=True)
                    .exclude(pk__in=taken).order_by("pk")[:1500])
        elders = [r for r in pool if r.is_resident and age_on(r.birth_date, start) >= 65][: per["older"]]
        kids = [r for r in pool if 0 <= age_on(r.birth_date, today) <= 5][: per["child"]]
        women = [r for r in pool if r.sex == "2" and 20 <= age_on(r.birth_date, today) <= 42][: per["maternal"]]
        for r in elders:
            with transaction.atomic():
                _older(rng, r, clinic, doctor, start, today, actions, programmes, counts)
        for r in kids:
            with transaction.atomic():
                _child(rng, ctx, r, clinic, doctor, today, actions, programmes, counts)
        for i, r in enumerate(women):
            with transaction.atomic():
                _maternal(rng, i, r, clinic, doctor, today, actions, programmes, counts)
        with transaction.atomic():
            _education(rng, clinic, start, today, counts)
    ctx.log(f"    {counts['older']} older people, {counts['child']} children, {counts['maternal']} pregnancies; "
            f"{counts['visits']} visits, {counts['vaccinations']} vaccination records, "
            f"{counts['education']} education activities")


def _older(rng, r, clinic, doctor, start, today, actions, programmes, counts) -> None:
    prog = programmes.get("older")
    enrolled = min(today, start + dt.timedelta(days=rng.randint(0, 40)))
    e = actions.enrol(None, resident=r, programme="older", managing_institution=clinic, managing_doctor=doctor,
                      enrolled_on=enrolled, **prog.enrol_kwargs(r, {}, enrolled))
    skip_this_year = counts["older"] % 6 == 1        # about one in six has not had this year's visit: overdue
    day = enrolled + dt.timedelta(days=rng.randint(0, 30))
    while day <= today:
        if skip_this_year and day > today - dt.timedelta(days=330):
            break
        raised = rng.random() < 0.25
        score = rng.choice((0, 0, 1, 2, 3, 5, 7, 10, 20))
        prog.record(None, e, institution=clinic, doctor=doctor, visit_date=day, mode="clinic",
                    systolic=rng.randint(142, 165) if raised else rng.randint(112, 138),
                    diastolic=rng.randint(80, 96) if raised else rng.randint(66, 86),
                    weight=str(round(rng.uniform(45, 75), 1)),
                    details={"self_care_score": score, "constitution": rng.choice(CONSTITUTIONS),
                             "tcm_guidance_given": True, "height": str(rng.randint(148, 175)),
                             "vision": rng.choice(("normal", "normal", "abnormal")), "education": "防跌倒、合理膳食"})
        counts["visits"] += 1
        day += dt.timedelta(days=rng.randint(350, 380))
    counts["older"] += 1


def _child(rng, ctx, r, clinic, doctor, today, actions, programmes, counts) -> None:
    from yigongti.rules import child as rules

    from .vaccination import record_vaccination

    prog = programmes.get("child")
    enrolled = max(r.birth_date, today - dt.timedelta(days=730))
    e = actions.enrol(None, resident=r, programme="child", managing_institution=clinic, managing_doctor=doctor,
                      enrolled_on=enrolled, **prog.enrol_kwargs(r, {}, enrolled))
    missed_latest = counts["child"] % 4 == 1            # the latest check missed: overdue
    due_so_far = [c for c, d in rules.schedule(r.birth_date) if enrolled <= d <= today]
    for check, due in rules.schedule(r.birth_date):
        if due < enrolled or due > today or rng.random() < 0.12:
            continue
        if missed_latest and due_so_far and check == due_so_far[-1]:
            continue
        day = max(enrolled, due - dt.timedelta(days=rng.randint(0, 5) if check != "1m" else 1))
        months = max(1, (day - r.birth_date).days // 30)
        prog.record(None, e, institution=clinic, doctor=doctor, visit_date=day, mode="home" if check == "newborn" else "clinic",
                    details={"check": check, "weight_kg": str(round(3.3 + min(months, 24) * 0.42 + rng.uniform(-0.6, 0.6), 2)),
                             "haemoglobin": rng.choice((104, 115, 118, 122, 126)) if check in rules.HAEMOGLOBIN_CHECKS else None,
                             "education": "喂养指导"})
        counts["visits"] += 1
    for n, (vaccine, dose, months) in enumerate(VACCINES):
        from yigongti.rules.chronic import add_months

        given = add_months(r.birth_date, months)
        external = f"DEMO-JZ-{ctx.seed}-{r.pk}-{n}"
        if given <= today - dt.timedelta(days=3):
            record_vaccination(None, resident=r, institution=clinic, vaccine=vaccine, dose=dose, given_on=given,
                               site=f"{clinic.parent.name if clinic.parent else clinic.name}预防接种门诊",
                               batch=f"2{rng.randint(10000, 99999)}", external_id=external)
        else:
            record_vaccination(None, resident=r, institution=clinic, vaccine=vaccine, dose=dose, due_on=given,
                               external_id=external)
            counts["vaccinations"] += 1
            break
        counts["vaccinations"] += 1
    counts["child"] += 1


def _maternal(rng, i, r, clinic, doctor, today, actions, programmes, counts) -> None:
    from yigongti.rules import maternal as rules

    prog = programmes.get("maternal")
    pregnant_now = i % 2 == 0
    lmp = today - dt.timedelta(weeks=rng.randint(10, 34)) if pregnant_now else today - dt.timedelta(days=rng.randint(330, 500))
    registered = min(today, lmp + dt.timedelta(weeks=rng.choice((7, 9, 11, 12, 15))))  # never in the future
    details = {"lmp": lmp.isoformat(), "handbook": True}
    e = actions.enrol(None, resident=r, programme="maternal", managing_institution=clinic, managing_doctor=doctor,
                      enrolled_on=registered, details=details, **prog.enrol_kwargs(r, details, registered))
    for code, first, last in rules.ANTENATAL:
        day = max(registered, lmp + dt.timedelta(weeks=rng.randint(first, last)))
        if day > today or day > lmp + dt.timedelta(weeks=last, days=6):
            continue
        prog.record(None, e, institution=clinic, doctor=doctor, visit_date=day, mode="clinic",
                    systolic=rng.randint(100, 135), diastolic=rng.randint(62, 85),
                    details={"contact": code, "haemoglobin": rng.choice((102, 115, 121, 128)), "education": "孕期营养"})
        counts["visits"] += 1
    if not pregnant_now:
        delivered = rules.edd_from(lmp) - dt.timedelta(days=rng.randint(0, 10))
        discharged = delivered + dt.timedelta(days=rng.randint(1, 4))
        for day, code in ((discharged + dt.timedelta(days=rng.randint(2, 7)), "postpartum_visit"),
                          (delivered + dt.timedelta(days=42), "postpartum_42")):
            if day > today:
                continue
            prog.record(None, e, institution=clinic, doctor=doctor, visit_date=day, mode="home" if code != "postpartum_42" else "clinic",
                        systolic=rng.randint(100, 132), diastolic=rng.randint(62, 84),
                        details={"contact": code, "delivery_date": delivered.isoformat(),
                                 "discharge_date": discharged.isoformat(), "live_births": 1})
            counts["visits"] += 1
    counts["maternal"] += 1


def _education(rng, clinic, start, today, counts) -> None:
    from .education import record_activity

    day = start + dt.timedelta(days=rng.randint(0, 40))
    while day <= today:
        kind = rng.choice(("lecture", "consultation", "materials", "board"))
        record_activity(None, institution=clinic, kind=kind, held_on=day, topic=rng.choice(TOPICS),
                        place="村卫生室" if kind != "lecture" else "村委会", audience=rng.randint(12, 60),
                        materials=rng.randint(0, 80))
        counts["education"] += 1
        day += dt.timedelta(days=rng.randint(80, 100))
