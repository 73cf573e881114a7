"""The experts part of the demo county (demo/registry.py, order 70, after the contracts): seed 000's weekly
timetable (康复科, 内儿科, 外科, 慢病门诊 by weekday, 8:00–11:30 and 14:00–16:00) at every township centre, held by
the county hospital's specialists (synthetic names from the org part, never the seed's), secondments (12 to
Xiangtang as in seed 000, two to every other centre), the coming two weeks of sessions with slots at
Xiangtang, a year of outreach ("每周有讲座、每月有义诊、每季度有大型活动"; surgeries taught as in seed 000's
"前三季度外科手术带教 63例"), family doctors' bookings of contracted residents and a few remote consultations.
Everything through the real actions; deterministic for a seed (``ctx.rng``)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yigongti.demo.registry import DemoContext, DemoPart

# seed 000: 星期 一 … 五 per clinic: specialty or "/" (no session); the 康复科 cells name a person there
TIMETABLE = [
    ("康复科门诊", ["康复医学科", None, "康复医学科", None, "康复医学科"]),
    ("内、儿科门诊", ["神经内科", None, "呼吸内科", None, "肾内/感染科"]),
    ("外科门诊", ["普外（泌外）", "普外（肝胆）", "骨科", "胸外", "骨科"]),
    ("慢病门诊", [None, "内分泌科", None, "心血管内科", None]),
]
TOPICS = {
    "lecture": ["高血压基层诊疗指南（完整版）", "国家基层糖尿病防治管理指南解读", "慢性乙肝治疗的必要性及可及性",
                "脑卒中早期识别", "慢阻肺稳定期管理", "合理使用抗菌药物"],
    "training": ["心肺复苏", "病历书写规范", "简易呼吸器的使用", "气管插管", "电除颤"],
    "ward_round": ["肠梗阻规范化治疗", "慢性阻塞性肺疾病", "脑梗死", "肺脓肿"],
    "surgery_taught": ["腹腔镜胆囊切除术", "疝修补术", "清创缝合术", "骨折内固定术"],
    "free_clinic": ["进村义诊", "慢病义诊", "健康义诊进社区"],
}


def _specialists():
    from yigongti.org.models import Institution, Role, User

    hospital = Institution.objects.filter(tier="county", is_lead=True).first()
    users = list(User.objects.filter(memberships__institution=hospital, memberships__roles__role=Role.COUNTY_SPECIALIST,
                                     is_active=True).distinct().order_by("pk"))
    demo = [u for u in users if u.username == "demo-specialist"]
    return hospital, demo + [u for u in users if u.username != "demo-specialist"]


def build(ctx: DemoContext) -> None:
    from yigongti.familydoctor.models import Contract
    from yigongti.org.models import Institution

    from . import actions
    from .models import Session

    rng = ctx.rng("experts")
    hospital, doctors = _specialists()
    if hospital is None or not doctors:
        return
    centres = list(Institution.objects.filter(tier="township", active=True).order_by("code"))
    xiangtang = ctx.made.get("xiangtang_centre") or next((c for c in centres if c.is_subcentre), centres[0])
    today = max(ctx.today, timezone.localdate())
    year_ago = today - dt.timedelta(days=365)
    entries = sessions = seconded = outreach = bookings = 0
    for n, centre in enumerate(centres):
        with transaction.atomic():
            for row, (clinic, days) in enumerate(TIMETABLE):
                for weekday, specialty in enumerate(days):
                    if specialty is None:
                        continue
                    doctor = doctors[(n * 7 + row * 5 + weekday) % len(doctors)]
                    for half in ("am", "pm"):
                        actions.add_timetable_entry(
                            None, institution=centre, clinic=clinic, weekday=weekday, half_day=half,
                            specialty=specialty, specialist=doctor, home_institution=hospital,
                            capacity=12 if half == "am" else 8, reserved=4 if half == "am" else 2,
                            valid_from=year_ago)
                        entries += 1
            how_many = 12 if centre == xiangtang else 2
            for i, doctor in enumerate(doctors[:how_many]):
                role = "executive_director" if i == 0 else "department_head" if i < 3 else "rotating_expert"
                start = dt.date(today.year - 1, 1, 2) if centre == xiangtang else year_ago + dt.timedelta(days=30 * i)
                if actions.Secondment.objects.filter(staff=doctor, institution=centre).exists():
                    continue
                actions.second_staff(None, staff=doctor, home_institution=hospital, institution=centre, role=role,
                                     start_date=start, specialty="")
                seconded += 1
            # a year of outreach: every week a lecture, every month a free clinic, ward rounds and surgeries
            weeks = 52 if centre == xiangtang else 12
            step = 7 if centre == xiangtang else 30
            for w in range(weeks):
                day = today - dt.timedelta(days=1 + w * step)
                plan = [("lecture", 1)]
                if w % 4 == 0:
                    plan += [("free_clinic", rng.randint(60, 180)), ("training", 1)]
                if w % 2 == 0:
                    plan.append(("ward_round", 1))
                if centre == xiangtang:
                    plan.append(("surgery_taught", rng.randint(1, 2)))
                for kind, count in plan:
                    actions.record_outreach(
                        None, kind=kind, institution=centre, date=day, topic=rng.choice(TOPICS[kind]),
                        experts=[doctors[rng.randrange(len(doctors))]], participants=rng.randint(8, 60),
                        count=count, place=str(centre.short_name or centre.name))
                    outreach += 1
    # the coming two weeks of sessions at Xiangtang, and bookings of contracted residents by their doctors
    with transaction.atomic():
        made = actions.generate_sessions(None, xiangtang, today + dt.timedelta(days=1), today + dt.timedelta(days=14))
        sessions = len(made)
        contracts = list(Contract.objects.filter(status="active", institution=xiangtang)
                         .select_related("doctor", "resident").order_by("pk")[:60])
        demo_sessions = [s for s in made if s.specialist and s.specialist.username == "demo-specialist"]
        targets = (demo_sessions + made)[:12]
        for i, contract in enumerate(contracts[: 3 * len(targets)]):
            session = targets[i % len(targets)] if targets else None
            if session is None or contract.doctor is None:
                continue
            try:
                with transaction.atomic():
                    actions.book_slot(contract.doctor, Session.objects.get(pk=session.pk), contract.resident)
                bookings += 1
            except Exception:  # noqa: S112, BLE001 - a full session or a resident booked twice: skip it
                continue
        from yigongti.org.models import User
        from yigongti.people.queries import visible_residents

        village = User.objects.filter(username="demo-village-a").first()
        specialist = next((d for d in doctors if d.username == "demo-specialist"), doctors[0])
        clinic = village.memberships.select_related("institution").first().institution if village else None
        if village and clinic:
            patients = list(visible_residents(village).filter(status="active").order_by("pk")[:3])
            for k, p in enumerate(patients):
                c = actions.request_consultation(village, institution=clinic, resident=p, specialist=specialist,
                                                 mode="instant", question="血压控制不佳，近一周头晕，请专家指导用药。")
                if k == 0:
                    actions.answer_consultation(specialist, c, answer="建议加用氨氯地平5mg每日一次，两周后复测血压。",
                                                video_call=True)
    ctx.log(f"experts: {entries} timetable cells, {seconded} secondments, {outreach} outreach activities, "
            f"{sessions} sessions, {bookings} bookings")


def bulk(ctx: DemoContext) -> None:
    """The bulk path (``--residents N``) loads no experts data: bench/experts_slots.py adds its own."""
    ctx.log("experts: nothing in the bulk path")


PARTS = [DemoPart(name="experts.timetables", order=70, build=build, bulk=bulk)]
