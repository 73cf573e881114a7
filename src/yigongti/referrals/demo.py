"""The referral part of the demo county (demo/registry.py, order 60, after the residents and their care):
the catalogs (first-diagnosis per grade, down-referral), the county hospital's approval setting, and a
realistic mix of referrals through the real actions — up from Xiangtang's centre and its village clinics to the
county hospital (most completed with a 回转单, some rejected, expired, cancelled, a few questionable), down
from the county hospital back to Xiangtang (approved by the department head), out-of-consortium filings, and a
handful open today for the demo accounts (the county desk's inbox, a held reserved bed).

The steps run now; finished referrals are then moved back in time as a whole (every timestamp and the validity
window shifted by the same amount, their bed holds too) so the figures spread over the past months. Demo data
only: the per-record actions never back-date. Deterministic for a seed (``ctx.rng``)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from yigongti.demo.registry import DemoContext, DemoPart

COUNTS = {"tiny": (10, 4, 2), "demo": (60, 20, 8)}  # up, down, filings

FIRST_L1 = [("J06", "急性上呼吸道感染"), ("J20", "急性支气管炎"), ("A09", "感染性腹泻"), ("K29", "胃炎"),
            ("K30", "功能性消化不良"), ("L30", "皮炎"), ("M54", "背痛"), ("H10", "结膜炎"), ("B01", "水痘"),
            ("J02", "急性咽炎"), ("N39.0", "泌尿道感染"), ("R50", "发热")]
FIRST_L2 = [("K35", "急性阑尾炎"), ("J18", "肺炎"), ("K80", "胆石症"), ("N20", "肾结石"), ("I63", "脑梗死"),
            ("S72", "股骨骨折"), ("M17", "膝关节病"), ("J44", "慢性阻塞性肺疾病急性加重"), ("I50", "心力衰竭"),
            *FIRST_L1]
DOWN = [("I63", "脑梗死恢复期"), ("I69", "脑血管病后遗症"), ("I10", "高血压病稳定期"), ("E11", "2型糖尿病稳定期"),
        ("S72", "骨折术后康复"), ("J44", "慢阻肺稳定期"), ("I25", "慢性缺血性心脏病")]
UP_DIAGNOSES = [("I21.900", "急性心肌梗死"), ("I63.900", "脑梗死"), ("K35.800", "急性阑尾炎"), ("S72.000", "股骨颈骨折"),
                ("C34.900", "肺恶性肿瘤待查"), ("J18.900", "重症肺炎"), ("S06.000", "脑震荡"), ("K80.200", "胆囊结石伴胆囊炎"),
                ("I50.900", "心力衰竭"), ("R07.400", "胸痛待查")]
DOWN_DIAGNOSES = ["I63.900", "I69.300", "I10.x00", "E11.900", "S72.000", "J44.900"]
SUMMARIES = ["胸闷胸痛3小时，心电图ST段抬高，需急诊介入治疗。", "右下腹痛伴发热1天，麦氏点压痛，血象升高。",
             "跌倒后髋部疼痛、活动受限，X线提示股骨颈骨折。", "言语不清伴右侧肢体无力半天。",
             "反复咳嗽咯血1月，胸片见右肺占位。", "发热咳嗽5天，抗感染治疗效果差，呼吸急促。"]
# What becomes of the up-referrals that are not open today, in turn.
OUTCOMES = ["completed", "rejected", "completed", "expired", "completed", "cancelled", "received", "completed",
            "completed", "expired", "completed", "completed"]
SHIFT_FIELDS = ("submitted_at", "approved_at", "accepted_at", "received_at", "completed_at", "closed_at",
                "bed_hold_until", "appointment_at", "created_at")


def _places(ctx: DemoContext):
    from yigongti.org.models import Department, Institution
    from yigongti.people.models import Resident

    hospital = ctx.made.get("county_hospital") or Institution.objects.filter(tier="county", is_lead=True).first()
    centre = ctx.made.get("xiangtang_centre") or Institution.objects.filter(tier="township", is_subcentre=True
                                                                            ).order_by("code").first()
    clinics = list(Institution.objects.filter(parent=centre, tier="village").order_by("code"))
    residents = {c.pk: list(Resident.objects.filter(status="active", area__in=c.service_areas.all())
                            .order_by("pk")[:400]) for c in clinics}
    departments = {d.code: d for d in Department.objects.filter(institution=hospital)}
    return hospital, centre, clinics, residents, departments


def _staff(institution, *roles):
    from yigongti.org.models import User

    return User.objects.filter(memberships__institution=institution, memberships__roles__role__in=roles,
                               is_active=True).order_by("pk").distinct().first()


def _shift(r, days: int) -> None:
    """Move a finished referral back by ``days`` (demo data only), its bed hold with it."""
    from yigongti.org.models import ReservedBed

    from .actions import bed_ref
    from .models import Referral

    delta = dt.timedelta(days=days)
    updates = {name: F(name) - delta for name in SHIFT_FIELDS if getattr(r, name) is not None}
    if r.valid_from:
        updates.update(valid_from=r.valid_from - delta, valid_until=r.valid_until - delta)
    Referral.objects.filter(pk=r.pk).update(**updates)
    ReservedBed.objects.filter(holder_ref=bed_ref(r), hold_until__isnull=False).update(
        hold_until=F("hold_until") - delta)


def build(ctx: DemoContext) -> None:
    from yigongti.org.models import Role

    from . import actions
    from .models import CatalogEntry

    rng = ctx.rng("referrals")
    hospital, centre, clinics, residents, departments = _places(ctx)
    if hospital is None or centre is None or not clinics:
        ctx.log("    referrals: no county hospital or Xiangtang centre, skipped")
        return
    accounts = ctx.made.get("accounts", {})
    township = accounts.get("demo-township") or _staff(centre, Role.TOWNSHIP_DOCTOR)
    village = accounts.get("demo-village-a") or _staff(clinics[0], Role.VILLAGE_DOCTOR)
    specialist = accounts.get("demo-specialist") or _staff(hospital, Role.COUNTY_SPECIALIST)
    head = accounts.get("demo-dept-head") or _staff(hospital, Role.DEPARTMENT_HEAD)
    office = accounts.get("demo-office")
    n_up, n_down, n_filings = COUNTS.get(ctx.scale, COUNTS["demo"])

    with transaction.atomic():
        if not CatalogEntry.objects.exists():
            for level, entries in (("1", FIRST_L1), ("2", FIRST_L2), ("3", FIRST_L2)):
                for code, name in entries:
                    actions.add_catalog_entry(office, kind="first_diagnosis", grade_level=level, code=code, name=name)
            for code, name in DOWN:
                actions.add_catalog_entry(office, kind="down_referral", code=code, name=name)
        if head is not None:
            actions.set_policy(office, hospital, requires_head_approval=True)

    def pick(clinic):
        people = residents.get(clinic.pk) or []
        return people[rng.randrange(len(people))] if people else None

    counts = {"up": 0, "down": 0, "filings": 0}
    for i in range(n_up):
        clinic = clinics[i % len(clinics)]
        patient = pick(clinic)
        if patient is None:
            continue
        from_clinic = i % 3 == 2  # a third from the village clinic, the rest from the township centre
        doctor, frm = (village, clinics[0]) if from_clinic else (township, centre)
        if from_clinic:
            patient = pick(clinics[0]) or patient
        code, text = UP_DIAGNOSES[rng.randrange(len(UP_DIAGNOSES))]
        questionable = i % 9 == 4
        if questionable:
            code, text = "J06.900", "急性上呼吸道感染"
        outcome = rng.random()
        with transaction.atomic():
            r = actions.create_referral(
                doctor, from_institution=frm, to_institution=hospital, resident=patient,
                reason="critical" if code.startswith(("I21", "I63")) else "difficult", primary_diagnosis=code,
                referral_type="inpatient" if outcome < 0.8 else "outpatient", diagnosis_text=f"初步诊断：{text}",
                condition_summary=SUMMARIES[rng.randrange(len(SUMMARIES))], treatment_advice="建议上级医院进一步诊治",
                consent=True, consent_by=patient.name, consent_relation="本人",
                justification="高热不退3天，伴精神差，基层处理无效" if questionable else "",
                to_department=departments.get("NK") if code.startswith(("I", "J", "R")) else departments.get("WK"))
            actions.attach_recent_results(doctor, r)
            r = actions.submit_referral(doctor, r)
            open_today = i >= n_up - 3
            if open_today:
                if i == n_up - 1:  # a held reserved bed for the demo
                    actions.accept_referral(specialist, r, reserve_bed=True, note="绿色通道，已通知病房")
                counts["up"] += 1
                continue
            fate = OUTCOMES[i % len(OUTCOMES)]
            if fate == "rejected":
                actions.reject_referral(specialist, r, "该病种建议先在基层规范治疗")
            elif fate == "cancelled":
                actions.cancel_referral(doctor, r, "患者家属决定暂缓转诊")
            else:
                bed = outcome < 0.4
                r = actions.accept_referral(specialist, r, reserve_bed=bed, doctor=specialist,
                                            note="请直接到住院部" if bed else "")
                if fate != "expired":  # an expired one never came
                    r = actions.receive_referral(specialist, r)
                    if fate == "completed":
                        actions.complete_referral(
                            specialist, r, return_diagnosis=code, return_diagnosis_text=text,
                            inpatient_number=f"ZY{rng.randrange(100000, 999999)}",
                            return_results="血常规、生化、影像学检查见病历", return_treatment="住院规范治疗，病情好转",
                            return_plan="出院后回基层随访，2周后复诊")
            r.refresh_from_db()
            _shift(r, rng.randrange(5, 150))
        counts["up"] += 1
    for i in range(n_down):
        clinic = clinics[i % len(clinics)]
        patient = pick(clinic)
        if patient is None:
            continue
        code = DOWN_DIAGNOSES[i % len(DOWN_DIAGNOSES)]
        with transaction.atomic():
            r = actions.create_referral(
                specialist, from_institution=hospital, to_institution=centre, resident=patient,
                reason="recovery" if code.startswith(("I63", "I69", "S72")) else "stable_chronic",
                primary_diagnosis=code, from_department=departments.get("NK"), condition_summary="病情稳定，转基层康复管理。",
                treatment_advice="继续规律服药，每月随访一次", consent=True, consent_by=patient.name)
            r = actions.submit_referral(specialist, r)
            if head is not None and r.status == "pending_approval":
                r = actions.approve_referral(head, r, "同意下转")
            if i < n_down - 1:
                r = actions.accept_referral(township, r)
                r = actions.receive_referral(township, r)
                if i % 2 == 0:
                    actions.complete_referral(township, r, return_plan="已纳入家庭医生团队管理")
                r.refresh_from_db()
                _shift(r, rng.randrange(5, 120))
        counts["down"] += 1
    for i in range(n_filings):
        patient = pick(clinics[i % len(clinics)])
        if patient is None:
            continue
        with transaction.atomic():
            actions.file_outside(
                specialist if i % 2 else township, institution=hospital if i % 2 else centre, resident=patient,
                destination=["省人民医院", "省肿瘤医院", "省儿童医院"][i % 3], destination_grade="3",
                primary_diagnosis=["C34.900", "C16.900", "C22.000"][i % 3],
                reason=["beyond_county", "specialist", "followup"][i % 3], reason_detail="县域内暂不能开展该项诊疗",
                filed_on=ctx.today - dt.timedelta(days=rng.randrange(1, 150)))
        counts["filings"] += 1
    ctx.log(f"    {counts['up']} up-referrals, {counts['down']} down-referrals, {counts['filings']} filings")


PARTS = [DemoPart(name="referrals.mix", order=60, build=build, bulk=build)]
