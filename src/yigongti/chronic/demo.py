"""The programme part of the demo county (demo/registry.py, order 50: after the residents and their activity).

Per-record path (tiny, demo), through the real actions: in every village clinic some residents aged ≥35 are
enrolled in hypertension and type-2 diabetes about two years before the demo's "today" (``ctx.today``) and
followed up about quarterly by the clinic's village doctor, with a realistic mix — mostly controlled, some not
controlled (two in a row: referral advised), a few urgent referrals (BP ≥180/110), some telephone follow-ups,
patients now overdue and a few lost to follow-up; severe-mental-disorder patients at the Xiangtang centre (the
demo 精防 account) and TB notifications that arrived in the last days. Bulk path (``--residents N``): the same
mix written with bulk inserts, classifications from the same rules. Deterministic for a seed (``ctx.rng``)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from yigongti.demo.registry import DemoContext, DemoPart

PER_CLINIC = {"tiny": 3, "demo": 18}       # hypertension patients per clinic on the per-record path
PROFILES = (("controlled", 50), ("uncontrolled", 18), ("overdue", 14), ("phone", 8), ("urgent", 4), ("lost", 6))
# the per-record path deals profiles in this order (every kind appears even at the tiny scale)
ORDER = ("controlled", "phone", "uncontrolled", "urgent", "overdue", "controlled", "lost", "controlled",
         "uncontrolled", "controlled", "overdue", "controlled", "controlled", "phone", "controlled", "controlled",
         "uncontrolled", "controlled", "overdue", "controlled")
MEDS = [("氨氯地平", "1", "5mg"), ("缬沙坦", "1", "80mg"), ("硝苯地平缓释片", "2", "10mg"), ("依那普利", "2", "10mg")]
DM_MEDS = [("二甲双胍", "2", "0.5g"), ("格列美脲", "1", "2mg"), ("阿卡波糖", "3", "50mg")]


def _profile(rng) -> str:
    roll, acc = rng.randrange(100), 0
    for name, weight in PROFILES:
        acc += weight
        if roll < acc:
            return name
    return "controlled"


def _doctor(institution, *roles):
    from yigongti.org.models import User

    return User.objects.filter(memberships__institution=institution, memberships__roles__role__in=roles,
                               is_active=True).order_by("pk").distinct().first()


def _visits(rng, profile: str, enrolled: dt.date, today: dt.date, programme: str):
    """(date, mode, values) for a patient's follow-ups from enrolment until the profile stops them."""
    stop = {"overdue": today - dt.timedelta(days=rng.randint(100, 200)),
            "lost": today - dt.timedelta(days=rng.randint(380, 450))}.get(profile, today - dt.timedelta(days=rng.randint(5, 80)))
    day = enrolled + dt.timedelta(days=rng.randint(0, 20))
    out, i = [], 0
    while day <= stop:
        mode = "phone" if (profile == "phone" and i % 2) else ("home" if rng.random() < 0.2 else "clinic")
        if programme == "diabetes":
            glucose = round(rng.uniform(5.2, 6.8), 1) if profile in ("controlled", "phone") else round(rng.uniform(7.2, 10.5), 1)
            values = {"fasting_glucose": str(glucose), "systolic": rng.randint(118, 142), "diastolic": rng.randint(70, 88)}
        else:
            if profile == "uncontrolled":
                sbp, dbp = rng.randint(142, 168), rng.randint(88, 102)
            else:
                sbp, dbp = rng.randint(112, 138), rng.randint(68, 88)
            values = {"systolic": sbp, "diastolic": dbp}
        out.append((day, mode, values))
        day += dt.timedelta(days=rng.randint(80, 95))
        i += 1
    if profile == "urgent" and out:
        day = out[-1][0] + dt.timedelta(days=rng.randint(20, 60))
        if day < today:
            values = {"systolic": rng.randint(182, 196), "diastolic": rng.randint(110, 118)}
            if programme == "diabetes":
                values["fasting_glucose"] = str(round(rng.uniform(16.8, 19.5), 1))
            out.append((day, "clinic", values))
    return out


def build(ctx: DemoContext) -> None:
    from yigongti.org.models import Institution, Role
    from yigongti.people.keypops import age_on
    from yigongti.people.models import Icd10Code, Resident

    from . import actions
    from .actions_tb import import_tb_notification

    rng = ctx.rng("chronic")
    today = ctx.today
    for code, name in (("I10.x00", "原发性高血压"), ("E11.900", "2型糖尿病"), ("F20.900", "精神分裂症"),
                       ("A15.000", "肺结核，经显微镜下痰检查证实")):
        Icd10Code.objects.get_or_create(code=code, defaults={"name": name})
    clinics = list(Institution.objects.filter(tier="village", active=True).order_by("code"))
    counts = {"hypertension": 0, "diabetes": 0, "visits": 0, "mental": 0, "tb": 0}
    per_clinic = PER_CLINIC.get(ctx.scale, PER_CLINIC["demo"])
    dealt = 0
    for clinic in clinics:
        doctor = _doctor(clinic, Role.VILLAGE_DOCTOR)
        people = [r for r in Resident.objects.filter(status="active", area__in=clinic.service_areas.all())
                  .order_by("pk")[:600] if age_on(r.birth_date, today) >= 35]
        rng.shuffle(people)
        n_ht = min(per_clinic, len(people))
        n_dm = max(1, n_ht // 3) if people else 0
        for i, patient in enumerate(people[: n_ht + n_dm]):
            programme = "hypertension" if i < n_ht else "diabetes"
            profile = ORDER[dealt % len(ORDER)]
            dealt += 1
            enrolled = today - dt.timedelta(days=rng.randint(420, 760))
            with transaction.atomic():
                e = actions.enrol(None, resident=patient, programme=programme,
                                  icd10_code="I10.x00" if programme == "hypertension" else "E11.900",
                                  diagnosis_date=enrolled - dt.timedelta(days=rng.randint(0, 30)),
                                  diagnosing_institution=clinic.parent or clinic, managing_institution=clinic,
                                  managing_doctor=doctor, enrolled_on=enrolled)
                meds = [dict(zip(("drug", "times", "dose"), rng.choice(DM_MEDS if programme == "diabetes" else MEDS),
                                 strict=True))]
                for day, mode, values in _visits(rng, profile, enrolled, today, programme):
                    actions.record_followup(None, e, institution=clinic, doctor=doctor, visit_date=day, mode=mode,
                                            medications=meds, adherence="regular", **values)
                    counts["visits"] += 1
            counts[programme] += 1
    _build_smi_and_tb(ctx, rng, counts, actions, import_tb_notification)
    ctx.log(f"    {counts['hypertension']} hypertension, {counts['diabetes']} diabetes, {counts['mental']} SMI, "
            f"{counts['tb']} TB patients; {counts['visits']} follow-ups")


def _build_smi_and_tb(ctx, rng, counts, actions, import_tb_notification) -> None:
    from django.utils import timezone

    from yigongti.org.models import Institution, Role
    from yigongti.people.models import Resident

    today = ctx.today
    centre = ctx.made.get("xiangtang_centre") or Institution.objects.filter(tier="township").order_by("code").first()
    if centre is None:
        return
    mh = ctx.made.get("accounts", {}).get("demo-mental-health") or _doctor(centre, Role.MENTAL_HEALTH)
    clinics = list(Institution.objects.filter(parent=centre, tier="village").order_by("code"))
    from django.db.models import Q

    near = Q(pk__in=[])
    for path in centre.service_areas.values_list("path", flat=True):
        near |= Q(area__path__startswith=path)
    pool = list(Resident.objects.filter(near, status="active", birth_date__lte=dt.date(1990, 1, 1))
                .exclude(chronic_enrolments__status="active").order_by("-pk")[:20])
    n_smi = min(3, max(1, len(pool) - 2))
    for i, patient in enumerate(pool[:n_smi]):
        enrolled = today - dt.timedelta(days=rng.randint(300, 600))
        with transaction.atomic():
            e = actions.enrol(None, resident=patient, programme="mental", icd10_code="F20.900",
                              managing_institution=centre, managing_doctor=mh, enrolled_on=enrolled,
                              details={"disease": "精神分裂症", "guardian": ""})
            day = enrolled + dt.timedelta(days=10)
            while day < today - dt.timedelta(days=20 if i else 120):
                risk = 3 if (i == 2 and day > today - dt.timedelta(days=60)) else rng.choice((0, 0, 1))
                actions.record_followup(None, e, institution=centre, doctor=mh, visit_date=day,
                                        mode="home" if i % 2 else "clinic",
                                        details={"risk_level": risk, "insight": "full" if risk == 0 else "partial",
                                                 "social_function": "good", "adverse_level": "none",
                                                 "symptoms_largely_gone": risk == 0})
                counts["visits"] += 1
                day += dt.timedelta(days=90)
        counts["mental"] += 1
    for i, patient in enumerate(pool[n_smi:n_smi + 2]):
        clinic = clinics[i % len(clinics)] if clinics else centre
        arrived = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1 + 3 * i), dt.time(9, 30)))
        with transaction.atomic():
            n = import_tb_notification(None, external_id=f"DEMO-TB-{ctx.seed}-{i + 1}", resident=patient,
                                       arrived_at=arrived, regimen="2HRZE/4HR",
                                       treatment_start=arrived.date() - dt.timedelta(days=2),
                                       supervision="family" if i else "staff", managing_institution=clinic,
                                       managing_doctor=_doctor(clinic, Role.VILLAGE_DOCTOR),
                                       reported_by="示范县疾病预防控制中心")
        counts["tb"] += 1
        del n


def bulk(ctx: DemoContext) -> None:
    """``--residents N``: enrolments and two years of quarterly follow-ups with bulk inserts (no per-record
    actions, no events: the design's bulk path), classification and next date from the same rules."""
    from yigongti.org.models import Membership, Role
    from yigongti.people.models import Icd10Code, Resident

    from . import programmes
    from .models import Enrolment, Visit

    rng = ctx.rng("chronic.bulk")
    today = ctx.today
    icd = {}
    for code, name in (("I10.x00", "原发性高血压"), ("E11.900", "2型糖尿病")):
        icd[code] = Icd10Code.objects.get_or_create(code=code, defaults={"name": name})[0]
    doctors = dict(Membership.objects.filter(roles__role=Role.VILLAGE_DOCTOR).order_by("pk")
                   .values_list("institution_id", "user_id"))
    cutoff = dt.date(today.year - 35, today.month, 1)
    rows = (Resident.objects.filter(status="active", birth_date__lte=cutoff, managing_institution__isnull=False)
            .exclude(chronic_enrolments__status="active")
            .values_list("pk", "birth_date", "managing_institution_id").order_by("pk").iterator(chunk_size=20000))
    enrolments, plans = [], []
    for pk, birth, inst in rows:
        roll = rng.random()
        programme = "hypertension" if roll < 0.12 else "diabetes" if roll < 0.17 else None
        if programme is None:
            continue
        enrolled = today - dt.timedelta(days=rng.randint(60, 760))
        enrolments.append(Enrolment(resident_id=pk, programme=programme,
                                    icd10=icd["I10.x00" if programme == "hypertension" else "E11.900"],
                                    managing_institution_id=inst, managing_doctor_id=doctors.get(inst),
                                    enrolled_on=enrolled, next_due=enrolled))
        plans.append((programme, _profile(rng), enrolled, birth))
    with transaction.atomic():
        made = Enrolment.objects.bulk_create(enrolments, batch_size=5000)
        batch: list[Visit] = []
        updates = []
        for e, (programme, profile, enrolled, birth) in zip(made, plans, strict=True):
            prog = programmes.get(programme)
            previous = None
            last = None
            for day, mode, values in _visits(rng, profile, enrolled, today, programme):
                data = {"visit_date": day, "mode": mode, "symptoms": [], **values, "details": {}}
                if "fasting_glucose" in data:
                    from decimal import Decimal

                    data["fasting_glucose"] = Decimal(data["fasting_glucose"])
                age = day.year - birth.year
                decision = prog.classify(e, data, previous, age)
                previous = decision.classification
                batch.append(Visit(enrolment_id=e.pk, resident_id=e.resident_id, programme=programme, visit_date=day,
                                   mode=mode, institution_id=e.managing_institution_id,
                                   doctor_id=e.managing_doctor_id, systolic=values.get("systolic"),
                                   diastolic=values.get("diastolic"), fasting_glucose=data.get("fasting_glucose"),
                                   classification=decision.classification,
                                   computed_classification=decision.classification, referral=decision.referral,
                                   reasons=list(decision.reasons), next_due=decision.next_due,
                                   controlled=prog.controlled(data, age)))
                last = (day, decision)
            if last is not None:
                e.last_visit_on, e.next_due = last[0], last[1].next_due
                e.last_classification = last[1].classification
                e.risk = prog.rank(last[1].classification) + (10 if last[1].referral == "urgent" else
                                                              5 if last[1].referral else 0)
                updates.append(e)
            if len(batch) >= 20000:
                Visit.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Visit.objects.bulk_create(batch, batch_size=5000)
        Enrolment.objects.bulk_update(updates, ["last_visit_on", "next_due", "last_classification", "risk"],
                                      batch_size=5000)
    ctx.log(f"    chronic bulk: {len(made)} enrolments")


def _build_population(ctx: DemoContext) -> None:
    from .demo_programmes import build as build_population

    build_population(ctx)


PARTS = [DemoPart(name="chronic.programmes", order=50, build=build, bulk=bulk),
         DemoPart(name="chronic.population", order=55, build=_build_population)]
