"""experts test helpers: plain functions (no fixtures) so the isolation cases, the kpi fixture, the race test
and the browser test share them. Everything is made through the real actions."""
from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

_seq = itertools.count(1)


def next_weekday(weekday: int, after: dt.date | None = None) -> dt.date:
    """The first date after ``after`` (default: today, China time) falling on ``weekday`` (0 = Monday),
    at least two days ahead so the 24-hour release has not come yet."""
    day = (after or timezone.localdate()) + dt.timedelta(days=2)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def resident(s, *, village="village_a", name=None):
    from yigongti.people import actions

    doctor = {"village_a": s.village_doctor_a, "village_b": s.village_doctor_b, "village_c": s.village_doctor_c}[village]
    clinic = {"village_a": s.clinic_a, "village_b": s.clinic_b, "village_c": s.clinic_c}[village]
    n = next(_seq)
    return actions.register_resident(doctor, institution=clinic, area=getattr(s, village),
                                     name=name or f"预约居民{n}", sex="1", birth_date=dt.date(1958, 2, 1 + n % 27),
                                     document_type="none", phone=f"1397654{n:04d}", insurance_scheme="resident",
                                     force=True)


def team(s):
    """Township centre 1's 1+1+N team for villages A and B: the township doctor leads, village doctor A is in."""
    from yigongti.familydoctor import actions
    from yigongti.familydoctor.models import Team

    found = Team.objects.filter(name="东湖专家预约团队").first()
    if found:
        return found
    t = actions.create_team(s.township_doctor, institution=s.centre_1, name="东湖专家预约团队",
                            leader=s.township_doctor, areas=[s.village_a, s.village_b])
    actions.add_member(s.township_doctor, t, user=s.village_doctor_a, institution=s.clinic_a, role="village_doctor")
    return t


def contracted(s, **kw):
    """A resident of village A with an active contract with the township doctor's team."""
    from yigongti.familydoctor import actions
    from yigongti.familydoctor.models import Package

    p = resident(s, **kw)
    actions.sign_contract(s.township_doctor, resident=p, team=team(s), doctor=s.township_doctor,
                          packages=[Package.objects.get(code="basic")])
    return p


def entry(s, *, weekday=2, half_day="am", capacity=4, reserved=2, clinic="外科门诊", specialty="骨科",
          specialist=None, institution=None):
    from yigongti.experts import actions

    return actions.add_timetable_entry(
        None, institution=institution or s.centre_1, clinic=clinic, weekday=weekday, half_day=half_day,
        specialty=specialty, specialist=specialist if specialist is not None else s.county_specialist,
        home_institution=s.county_hospital, capacity=capacity, reserved=reserved,
        valid_from=timezone.localdate() - dt.timedelta(days=30))


def session(s, *, capacity=4, reserved=2, institution=None, specialist=None, date=None):
    """One future session of the county specialist at township centre 1 (from a timetable entry)."""
    from yigongti.experts import actions

    e = entry(s, capacity=capacity, reserved=reserved, institution=institution, specialist=specialist,
              weekday=date.weekday() if date else 2)
    day = date or next_weekday(e.weekday)
    made = actions.generate_sessions(None, e.institution, day, day)
    return made[0]
