"""The diagnostics part of the demo county (demo/registry.py, order 65, after the residents and referrals): the
catalog, the county hospital's reading centre, a duty roster at Xiangtang's centre, and a year of readings
through the real actions — ECGs from the village clinics and the township centre, DR, ultrasound, CT and lab
panels — with realistic turnaround by priority, a few critical values (most acknowledged in minutes, one
escalated), repeats avoided or justified under result recognition, and a handful open today for the demo
accounts (the county reader's worklist, a critical value for the village doctor to acknowledge).

The steps run now; finished readings are then moved back in time as a whole (every timestamp shifted so the
request falls on its day and the turnaround is the one drawn), so the figures spread over the past year. Demo
data only: the per-record actions never back-date. No study files are made (the demo has no images); the
tests make synthetic ones. Deterministic for a seed (``ctx.rng``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from yigongti.demo.registry import DemoContext, DemoPart

COUNTS = {"tiny": 24, "demo": 480}  # finished readings over the year
MIX = [("ECG12", 40), ("DR-CHEST", 18), ("US-ABD", 14), ("CT-HEAD", 6), ("LAB-CBC", 12), ("LAB-BMP", 10)]
PRIORITY = [("stat", 10), ("urgent", 25), ("routine", 65)]
# minutes from request to publication by priority: (low, high), drawn uniformly
TURNAROUND = {"stat": (8, 45), "urgent": (40, 200), "routine": (90, 1800)}
CLINICAL = ["胸闷、心悸2小时", "头晕乏力1周", "咳嗽咳痰伴发热3天", "右上腹隐痛", "高血压随访复查", "糖尿病年度检查",
            "外伤后头痛", "体检发现心电图异常", "腹胀纳差半月"]
CRITICAL_ECG = ("ecg", "急性ST段抬高型心肌梗死", "急性下壁ST段抬高型心肌梗死（危急值）。")


def _pick(rng, weighted):
    total = sum(w for _v, w in weighted)
    x = rng.uniform(0, total)
    for value, w in weighted:
        x -= w
        if x <= 0:
            return value
    return weighted[-1][0]


def _staff(institution, *roles):
    from yigongti.org.models import User

    return User.objects.filter(memberships__institution=institution, memberships__roles__role__in=roles,
                               is_active=True).order_by("pk").distinct().first()


def _places(ctx: DemoContext):
    from yigongti.org.models import Institution
    from yigongti.people.models import Resident

    hospital = ctx.made.get("county_hospital") or Institution.objects.filter(tier="county", is_lead=True).first()
    centre = ctx.made.get("xiangtang_centre") or Institution.objects.filter(tier="township", is_subcentre=True
                                                                            ).order_by("code").first()
    clinics = list(Institution.objects.filter(parent=centre, tier="village").order_by("code")) if centre else []
    residents = {c.pk: list(Resident.objects.filter(status="active", area__in=c.service_areas.all())
                            .order_by("pk")[:300]) for c in [*clinics, centre] if c is not None}
    return hospital, centre, clinics, residents


def _shift(r, start: dt.datetime, minutes: int) -> None:
    """Move a finished reading so it was requested at ``start`` and published ``minutes`` later; the steps in
    between keep their order (demo data only)."""
    from .models import CriticalValue, Recognition, Report, Request, Specimen

    published = start + dt.timedelta(minutes=minutes)
    claimed = start + dt.timedelta(minutes=max(1, minutes // 3))
    signed = published - dt.timedelta(minutes=min(5, max(1, minutes // 10)))
    Request.objects.filter(pk=r.pk).update(requested_at=start, claimed_at=claimed, reported_at=signed,
                                           published_at=published)
    Report.objects.filter(request=r).update(signed_at=signed, published_at=published, created_at=claimed)
    Specimen.objects.filter(request=r).update(collected_at=start + dt.timedelta(minutes=1),
                                              received_at=claimed - dt.timedelta(minutes=1),
                                              tested_at=signed - dt.timedelta(minutes=1), verified_at=published)
    for cv in CriticalValue.objects.filter(request=r):
        delta = cv.marked_at - signed
        CriticalValue.objects.filter(pk=cv.pk).update(
            marked_at=F("marked_at") - delta, phoned_at=F("phoned_at") - delta,
            acknowledged_at=F("acknowledged_at") - delta, escalated_at=F("escalated_at") - delta)
    Recognition.objects.filter(repeat_request=r).update(decided_at=start)


def build(ctx: DemoContext, n: int | None = None) -> None:
    from yigongti.org.models import Role

    from . import actions
    from .catalog import ensure_catalog
    from .models import Centre, CriticalValue, Recognition, Template, Test

    rng = ctx.rng("diagnostics")
    hospital, centre, clinics, residents = _places(ctx)
    if hospital is None or centre is None:
        ctx.log("    diagnostics: no county hospital or Xiangtang centre, skipped")
        return
    accounts = ctx.made.get("accounts", {})
    reader = accounts.get("demo-specialist") or _staff(hospital, Role.COUNTY_SPECIALIST)
    township = accounts.get("demo-township") or _staff(centre, Role.TOWNSHIP_DOCTOR)
    village = accounts.get("demo-village-a") or (_staff(clinics[0], Role.VILLAGE_DOCTOR) if clinics else None)
    if reader is None or township is None:
        ctx.log("    diagnostics: no reader or township doctor, skipped")
        return
    with transaction.atomic():
        ensure_catalog()
        hub = Centre.objects.filter(institution=hospital).first() or actions.create_centre(
            None, institution=hospital, name=f"{hospital.short_name or hospital.name}医学影像与心电诊断中心",
            modalities=["ecg", "dr", "us", "ct", "lab"], header=f"{hospital.name} · 县域医学影像、心电与检验中心",
            phone="0791-0000000")
        now = dt.datetime.combine(ctx.today, dt.time(9, 0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
        actions.add_duty_shift(None, institution=centre, doctor=township, starts_at=now - dt.timedelta(hours=12),
                               ends_at=now + dt.timedelta(days=30))
    tests = {t.code: t for t in Test.objects.all()}
    templates = {}
    for t in Template.objects.filter(active=True).order_by("pk"):
        templates.setdefault(t.modality, t)
    requesters = [(c, _staff(c, Role.VILLAGE_DOCTOR)) for c in clinics]
    requesters = [(c, d) for c, d in requesters if d is not None] + [(centre, township)]
    if village is not None and clinics:
        requesters[0] = (clinics[0], village)

    def finish(r, *, critical=False):
        actions.claim_request(reader, r)
        if r.modality == "lab":
            sp = actions.collect_specimen(r.requesting_doctor, r)
            actions.receive_specimen(reader, sp, barcode=sp.barcode)
            actions.mark_tested(reader, sp)
            values = {a.code: _lab_value(rng, a, critical) for a in r.test.analytes.all()}
            actions.save_report(reader, r, results=values, impression="详见检验结果")
        elif critical and r.modality == "ecg":
            t = Template.objects.filter(modality="ecg", name=CRITICAL_ECG[1]).first()
            actions.save_report(reader, r, template=t)
        else:
            actions.save_report(reader, r, template=templates.get(r.modality), impression="")
        actions.sign_report(reader, r)
        if critical and r.modality != "lab":
            actions.mark_critical(reader, r, description=CRITICAL_ECG[1])
        actions.publish_report(reader, r)
        for cv in CriticalValue.objects.filter(request=r, phoned_at__isnull=True):
            actions.record_call(reader, cv, phoned_to=r.requesting_doctor.display_name,
                                read_back=cv.description[:60])
        return r

    n = n or COUNTS.get(ctx.scale, COUNTS["demo"])
    done = criticals = avoided = 0
    for i in range(n):
        clinic, doctor = requesters[i % len(requesters)]
        people = residents.get(clinic.pk) or []
        if not people:
            continue
        patient = people[rng.randrange(len(people))]
        test = tests[_pick(rng, MIX)]
        priority = _pick(rng, PRIORITY)
        critical = i % 40 == 7
        days_back = 365 - (i * 364) // max(n - 1, 1)
        start = now - dt.timedelta(days=days_back, hours=rng.randrange(0, 9), minutes=rng.randrange(60))
        low, high = TURNAROUND[priority]
        minutes = rng.randint(low, high)
        with transaction.atomic():
            r = actions.create_request(doctor, institution=clinic, resident=patient, test=test, centre=hub,
                                       priority="stat" if critical else priority,
                                       clinical_info=CLINICAL[rng.randrange(len(CLINICAL))],
                                       repeat_reason="病情变化，需复查")
            finish(r, critical=critical)
            for cv in CriticalValue.objects.filter(request=r):
                criticals += 1
                if i % 80 != 7:  # most acknowledged within minutes; every other one escalates first
                    actions.acknowledge_critical(doctor, cv)
                    CriticalValue.objects.filter(pk=cv.pk).update(
                        acknowledged_at=F("phoned_at") + dt.timedelta(minutes=rng.randint(2, 12)))
                else:
                    CriticalValue.objects.filter(pk=cv.pk).update(escalated_at=F("marked_at") + dt.timedelta(
                        minutes=15), escalated_to=township)
                    cv.refresh_from_db()
                    actions.acknowledge_critical(township, cv)
                    CriticalValue.objects.filter(pk=cv.pk).update(
                        acknowledged_at=F("marked_at") + dt.timedelta(minutes=22))
            _shift(r, start, minutes)
            done += 1
            # within days, the same test is sometimes wanted again: the earlier result is used instead
            if i % 12 == 3:
                rec = Recognition.objects.create(resident=patient, test=test, institution=clinic, doctor=doctor,
                                                 earlier_result=r, avoided=True,
                                                 decided_at=start + dt.timedelta(days=1))
                avoided += 1
                del rec
    # Open today for the demo accounts: the reader's worklist, and a critical value to acknowledge.
    open_items = 0
    with transaction.atomic():
        for k, (code, priority) in enumerate([("ECG12", "stat"), ("DR-CHEST", "urgent"), ("ECG12", "routine"),
                                              ("US-ABD", "routine")]):
            clinic, doctor = requesters[k % len(requesters)]
            people = residents.get(clinic.pk) or []
            if people:
                actions.create_request(doctor, institution=clinic, resident=people[-1 - k], test=tests[code],
                                       centre=hub, priority=priority, clinical_info=CLINICAL[k],
                                       repeat_reason="病情变化，需复查")
                open_items += 1
        if requesters and residents.get(requesters[0][0].pk):
            clinic, doctor = requesters[0]
            r = actions.create_request(doctor, institution=clinic, resident=residents[clinic.pk][0],
                                       test=tests["ECG12"], centre=hub, priority="stat", clinical_info="胸痛1小时",
                                       repeat_reason="胸痛再发")
            actions.claim_request(reader, r)
            cv = actions.mark_critical(reader, r, description="急性前壁ST段抬高型心肌梗死")
            actions.record_call(reader, cv, phoned_to=doctor.display_name, read_back="急性前壁心梗")
            open_items += 1
    ctx.made["diagnostics_centre"] = hub
    ctx.log(f"    {done} readings over a year, {criticals} critical values, {avoided} repeats avoided, "
            f"{open_items} open today")


def _lab_value(rng, analyte, critical: bool) -> str:
    if critical and analyte.critical_high is not None and analyte.code in ("K", "GLU", "WBC"):
        return str(analyte.critical_high + Decimal("0.4"))
    low = analyte.low if analyte.low is not None else Decimal(0)
    high = analyte.high if analyte.high is not None else low * 2 + 1
    span = high - low
    value = low - span * Decimal("0.1") + span * Decimal(str(round(rng.random() * 1.2, 3)))
    return str(value.quantize(Decimal("0.1")))


def bulk(ctx: DemoContext) -> None:
    """Large scales: a small year through the actions (benchmarks bulk-insert their own readings)."""
    build(ctx, n=BULK_COUNT)


BULK_COUNT = 40
PARTS = [DemoPart(name="diagnostics.readings", order=65, build=build, bulk=bulk)]
