"""Every change in the experts app: one function per state change, each with its validation, the check that
the actor may act for the institution concerned, the transaction and the audit entry.

    s = second_staff(office, staff=specialist, home_institution=hospital, institution=centre,
                     role="rotating_expert", start_date=…)          # title copied from the staff's org title
    e = add_timetable_entry(admin, institution=centre, clinic="外科门诊", weekday=2, half_day="am",
                            specialty="骨科", specialist=…, capacity=20, reserved=5, valid_from=…)
    add_exception(admin, institution=centre, kind="holiday", date=…)          # or kind="swap", entry=, new_date=
    generate_sessions(admin, centre, start, end)   # sessions + slots; a release job per session
    b = book_slot(family_doctor, session, resident)                 # reserved part for contracted residents
    cancel_booking(user, b, reason="…");  mark_attended(user, b);  mark_no_show(user, b)
    c = request_consultation(doctor, institution=clinic, resident=p, specialist=…, mode="instant", question="…")
    answer_consultation(specialist, c, answer="…", video_call=True)
    record_outreach(user, kind="lecture", institution=centre, date=…, topic="…", experts=[…], participants=40)

Contested rows: a booking claims a slot by inserting a live Booking; the partial unique constraints
(booking_one_live_per_slot, booking_one_per_resident_session) decide a race on both databases, and on
PostgreSQL the candidate slot rows are also locked with select_for_update() in number order first.
Bad input raises ValidationError with field-level Chinese messages; acting for an institution the actor is
not a member of raises PermissionDenied.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for, has_role, institution_ids, roles_by_institution
from yigongti.org.models import Institution, Role, Tier
from yigongti.people.models import RecordStatus, Resident
from yigongti.rules import experts as rules

from . import conf
from .models import (
    LIVE_BOOKING,
    Booking,
    BookingSource,
    BookingStatus,
    Consultation,
    ConsultationMode,
    ConsultationStatus,
    ExceptionKind,
    HalfDay,
    OutreachActivity,
    OutreachKind,
    Secondment,
    SecondmentRole,
    Session,
    SessionStatus,
    Slot,
    TimetableEntry,
    TimetableException,
)

CLINICAL_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.COUNTY_SPECIALIST,
                            Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.PUBLIC_HEALTH})
SPECIALIST_ROLES = frozenset({Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD})
RELEASE_JOB = "experts.release_reserved"
HALF_DAY_TIMES = {HalfDay.AM: rules.MORNING, HalfDay.PM: rules.AFTERNOON}


# --- helpers -----------------------------------------------------------------------------------------


def _err(field: str, message, code: str = "invalid", **params) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code, params=params or None)]})


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict, field: str, message, code: str = "invalid", **params) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code, params=params or None))


def _json(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _snap(obj, fields) -> dict:
    return {f: _json(getattr(obj, f)) for f in fields}


def _audit(actor, obj, before, fields, *, reason: str, institution_id: int | None) -> None:
    record_change(actor, action="create" if before is None else "update", subject=obj, before=before,
                  after=_snap(obj, fields), institution_id=institution_id, reason=reason)


def china_now() -> dt.datetime:
    return timezone.localtime()


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def is_office(user) -> bool:
    return user is None or has_role(user, Role.CONSORTIUM_OFFICE)


def may_manage(user, institution_id: int | None) -> bool:
    """Timetables, exceptions and sessions: the consortium office, or the institution's own administrator."""
    return is_office(user) or can_act_for(user, institution_id, {Role.INSTITUTION_ADMIN})


def _require(allowed: bool, message) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(errors: dict, field: str, value, *, required: bool = False, max_len: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        _add(errors, field, _("此项为必填项。"), "required")
    elif len(value) > max_len:
        _add(errors, field, _("不能超过 %(n)s 个字。"), "too_long", n=max_len)
    return value


def _is_county_staff(user, institution: Institution) -> bool:
    return institution.tier == Tier.COUNTY and institution.pk in roles_by_institution(user)


# --- secondments ----------------------------------------------------------------------------------------

SECONDMENT_FIELDS = ("staff_id", "home_institution_id", "institution_id", "role", "specialty", "title",
                     "start_date", "end_date")


def second_staff(actor, *, staff, home_institution: Institution, institution: Institution, role: str,
                 start_date: dt.date, end_date: dt.date | None = None, specialty: str = "",
                 note: str = "") -> Secondment:
    """County staff seconded to a township centre (执行院长 / 科主任 / 轮转专家), with their title."""
    with transaction.atomic():
        _require(is_office(actor) or may_manage(actor, home_institution.pk),
                 _("只有医共体办公室或派出机构的管理员可以安排派驻。"))
        errors: dict = {}
        if role not in SecondmentRole.values:
            _add(errors, "role", _("请选择派驻岗位。"), "invalid_choice")
        if home_institution.tier != Tier.COUNTY:
            _add(errors, "home_institution", _("派出机构须为县级医院。"), "not_county")
        if institution.tier != Tier.TOWNSHIP:
            _add(errors, "institution", _("派驻机构须为乡镇卫生院或社区卫生服务中心。"), "not_township")
        if home_institution.pk not in roles_by_institution(staff):
            _add(errors, "staff", _("派驻人员须为派出机构的在职人员。"), "not_member")
        if start_date is None:
            _add(errors, "start_date", _("此项为必填项。"), "required")
        elif end_date is not None and end_date < start_date:
            _add(errors, "end_date", _("结束日期不能早于开始日期。"), "before_start")
        specialty = _text(errors, "specialty", specialty, max_len=40)
        note = _text(errors, "note", note)
        if start_date is not None and not errors:
            for other in Secondment.objects.filter(staff=staff, institution=institution):
                if rules.overlaps(other.start_date, other.end_date, start_date, end_date):
                    _add(errors, "start_date", _("该人员在此期间已派驻到该机构。"), "overlap")
                    break
        _raise(errors)
        s = Secondment.objects.create(staff=staff, home_institution=home_institution, institution=institution,
                                      role=role, specialty=specialty, title=staff.title, title_name=staff.title_name,
                                      start_date=start_date, end_date=end_date, note=note,
                                      created_by=actor if getattr(actor, "is_authenticated", False) else None)
        _audit(actor, s, None, SECONDMENT_FIELDS, reason="second_staff", institution_id=institution.pk)
    return s


def end_secondment(actor, s: Secondment, end_date: dt.date) -> Secondment:
    with transaction.atomic():
        _require(is_office(actor) or may_manage(actor, s.home_institution_id), _("只有医共体办公室或派出机构的管理员可以结束派驻。"))
        if end_date < s.start_date:
            raise _err("end_date", _("结束日期不能早于开始日期。"), "before_start")
        before = _snap(s, SECONDMENT_FIELDS)
        s.end_date = end_date
        s.save(update_fields=["end_date"])
        _audit(actor, s, before, SECONDMENT_FIELDS, reason="end_secondment", institution_id=s.institution_id)
    return s


# --- timetable ------------------------------------------------------------------------------------------

ENTRY_FIELDS = ("institution_id", "clinic", "weekday", "half_day", "start_time", "end_time", "specialty",
                "specialist_id", "capacity", "reserved", "valid_from", "valid_until", "active")


def _validate_specialist(errors: dict, specialist, home_institution: Institution | None, field="specialist"):
    if specialist is None:
        return
    if home_institution is not None and not can_act_for(specialist, home_institution.pk, SPECIALIST_ROLES):
        _add(errors, field, _("坐诊专家须为所在医院的专科医生。"), "not_specialist")
    elif home_institution is None and not any(
            roles & SPECIALIST_ROLES for roles in roles_by_institution(specialist).values()):
        _add(errors, field, _("坐诊专家须为县级医院的专科医生。"), "not_specialist")


def add_timetable_entry(actor, *, institution: Institution, clinic: str, weekday: int, half_day: str,
                        specialty: str, valid_from: dt.date, specialist=None,
                        home_institution: Institution | None = None, capacity: int = 20, reserved: int = 5,
                        start_time: dt.time | None = None, end_time: dt.time | None = None,
                        valid_until: dt.date | None = None) -> TimetableEntry:
    """A cell of the weekly timetable; times default to seed 000's 8:00–11:30 / 14:00–16:00."""
    with transaction.atomic():
        _require(may_manage(actor, institution.pk), _("只有医共体办公室或本机构管理员可以维护专家排班。"))
        errors: dict = {}
        if institution.tier != Tier.TOWNSHIP:
            _add(errors, "institution", _("专家排班只用于乡镇卫生院。"), "not_township")
        clinic = _text(errors, "clinic", clinic, required=True, max_len=40)
        specialty = _text(errors, "specialty", specialty, required=True, max_len=40)
        try:
            weekday = int(weekday)
        except (TypeError, ValueError):
            weekday = -1
        if not 0 <= weekday <= 6:
            _add(errors, "weekday", _("星期须为星期一至星期日。"), "invalid_choice")
        if half_day not in HalfDay.values:
            _add(errors, "half_day", _("请选择上午或下午。"), "invalid_choice")
        else:
            default = HALF_DAY_TIMES[half_day]
            start_time = start_time or default[0]
            end_time = end_time or default[1]
            if end_time <= start_time:
                _add(errors, "end_time", _("结束时间须晚于开始时间。"), "before_start")
        if capacity is None or not 1 <= int(capacity) <= 200:
            _add(errors, "capacity", _("号源数须在 1 到 200 之间。"), "range")
        elif reserved is None or not 0 <= int(reserved) <= int(capacity):
            _add(errors, "reserved", _("预留号源不能多于号源数。"), "range")
        if valid_from is None:
            _add(errors, "valid_from", _("此项为必填项。"), "required")
        elif valid_until is not None and valid_until < valid_from:
            _add(errors, "valid_until", _("失效日期不能早于生效日期。"), "before_start")
        if home_institution is not None and home_institution.tier != Tier.COUNTY:
            _add(errors, "home_institution", _("专家所在医院须为县级医院。"), "not_county")
        _validate_specialist(errors, specialist, home_institution)
        _raise(errors)
        e = TimetableEntry.objects.create(
            institution=institution, clinic=clinic, weekday=weekday, half_day=half_day, start_time=start_time,
            end_time=end_time, specialty=specialty, specialist=specialist, home_institution=home_institution,
            capacity=int(capacity), reserved=int(reserved), valid_from=valid_from, valid_until=valid_until)
        _audit(actor, e, None, ENTRY_FIELDS, reason="add_timetable_entry", institution_id=institution.pk)
    return e


def retire_timetable_entry(actor, e: TimetableEntry, valid_until: dt.date) -> TimetableEntry:
    with transaction.atomic():
        _require(may_manage(actor, e.institution_id), _("只有医共体办公室或本机构管理员可以维护专家排班。"))
        if valid_until < e.valid_from:
            raise _err("valid_until", _("失效日期不能早于生效日期。"), "before_start")
        before = _snap(e, ENTRY_FIELDS)
        e.valid_until = valid_until
        e.save(update_fields=["valid_until"])
        _audit(actor, e, before, ENTRY_FIELDS, reason="retire_timetable_entry", institution_id=e.institution_id)
    return e


EXCEPTION_FIELDS = ("institution_id", "kind", "date", "entry_id", "new_date", "new_specialist_id", "note")


def add_exception(actor, *, institution: Institution, kind: str, date: dt.date, entry: TimetableEntry | None = None,
                  new_date: dt.date | None = None, new_specialist=None, note: str = "") -> TimetableException:
    """停诊 (a day off: every session of the centre that day, or only ``entry``'s) or 调班 (``entry``'s
    session moves to ``new_date`` and/or to ``new_specialist``). Sessions already generated follow at once:
    a cancelled session's bookings are cancelled (their bookers get a to-do)."""
    with transaction.atomic():
        _require(may_manage(actor, institution.pk), _("只有医共体办公室或本机构管理员可以维护专家排班。"))
        errors: dict = {}
        if kind not in ExceptionKind.values:
            _add(errors, "kind", _("请选择停诊或调班。"), "invalid_choice")
        if date is None:
            _add(errors, "date", _("此项为必填项。"), "required")
        if entry is not None and entry.institution_id != institution.pk:
            _add(errors, "entry", _("排班不属于该机构。"), "other_institution")
        if kind == ExceptionKind.SWAP:
            if entry is None:
                _add(errors, "entry", _("调班须指明原排班。"), "required")
            if new_date is None and new_specialist is None:
                _add(errors, "new_date", _("请填写调至日期或替班专家。"), "required")
            _validate_specialist(errors, new_specialist, entry.home_institution if entry else None, "new_specialist")
        note = _text(errors, "note", note)
        _raise(errors)
        x = TimetableException.objects.create(
            institution=institution, kind=kind, date=date, entry=entry, new_date=new_date,
            new_specialist=new_specialist, note=note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        _audit(actor, x, None, EXCEPTION_FIELDS, reason="add_exception", institution_id=institution.pk)
        sessions = Session.objects.filter(institution=institution, date=date, status=SessionStatus.OPEN)
        if entry is not None:
            sessions = sessions.filter(entry=entry)
        for s in sessions:
            if kind == ExceptionKind.HOLIDAY:
                cancel_session(actor, s, reason=note or str(_("停诊")))
            else:
                _swap_session(actor, s, new_date=new_date, new_specialist=new_specialist)
    return x


SESSION_FIELDS = ("institution_id", "date", "half_day", "start_time", "specialist_id", "capacity", "reserved",
                  "status")


def _swap_session(actor, s: Session, *, new_date, new_specialist) -> None:
    before = _snap(s, SESSION_FIELDS)
    if new_date is not None and new_date != s.date:
        s.date = new_date
        s.starts_at = _aware(new_date, s.start_time)
        s.release_at = rules.release_at(s.starts_at, conf.get("RELEASE_HOURS_BEFORE"))
        _enqueue_release(s)
    if new_specialist is not None:
        s.specialist = new_specialist
    s.save(update_fields=["date", "starts_at", "release_at", "specialist"])
    _audit(actor, s, before, SESSION_FIELDS, reason="swap", institution_id=s.institution_id)


def cancel_session(actor, s: Session, reason: str = "") -> Session:
    """停诊: the session closes; its live bookings are cancelled and each booker gets a to-do."""
    from yigongti.tasks.actions import create_task

    with transaction.atomic():
        _require(may_manage(actor, s.institution_id), _("只有医共体办公室或本机构管理员可以停诊。"))
        before = _snap(s, SESSION_FIELDS)
        if Session.objects.filter(pk=s.pk, status=SessionStatus.OPEN).update(status=SessionStatus.CANCELLED) != 1:
            return s
        s.refresh_from_db()
        for b in Booking.objects.filter(session=s, status=BookingStatus.BOOKED).select_related("resident"):
            Booking.objects.filter(pk=b.pk, status=BookingStatus.BOOKED).update(
                status=BookingStatus.CANCELLED, cancelled_at=timezone.now(),
                cancel_reason=(reason or str(_("停诊")))[:200])
            if b.booked_by_id:
                create_task(title=_("专家门诊停诊，请为 %(name)s 改约：%(session)s") % {"name": b.resident.name,
                                                                              "session": str(s)},
                            kind="experts", assignee=b.booked_by, source=b, created_by=actor)
        _audit(actor, s, before, SESSION_FIELDS, reason="cancel_session", institution_id=s.institution_id)
    return s


def _holidays(start: dt.date, end: dt.date) -> set[dt.date]:
    """Statutory holidays (not ordinary weekends) between the dates, from chinese-calendar's data."""
    import chinese_calendar

    out = set()
    day = start
    while day <= end:
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # a year beyond the package's data: no statutory holidays known
            on_holiday, name = False, None
        if on_holiday and name is not None:
            out.add(day)
        day += dt.timedelta(days=1)
    return out


def _enqueue_release(s: Session) -> None:
    from yigongti.jobs.queue import enqueue

    if s.reserved and s.release_at > timezone.now():
        enqueue(RELEASE_JOB, {"session_id": s.pk}, run_after=s.release_at)


def create_session(actor, *, institution: Institution, date: dt.date, half_day: str, clinic: str, specialty: str,
                   start_time: dt.time, end_time: dt.time, capacity: int, reserved: int, specialist=None,
                   home_institution: Institution | None = None, entry: TimetableEntry | None = None) -> Session:
    """One session with its slots (the first ``reserved`` numbers are the family doctors' part)."""
    with transaction.atomic():
        _require(may_manage(actor, institution.pk), _("只有医共体办公室或本机构管理员可以安排专家门诊。"))
        starts_at = _aware(date, start_time)
        s = Session.objects.create(
            institution=institution, entry=entry, date=date, half_day=half_day, start_time=start_time,
            end_time=end_time, starts_at=starts_at,
            release_at=rules.release_at(starts_at, conf.get("RELEASE_HOURS_BEFORE")), clinic=clinic,
            specialty=specialty, specialist=specialist, home_institution=home_institution, capacity=capacity,
            reserved=reserved)
        times = rules.slot_times(start_time, end_time, capacity)
        Slot.objects.bulk_create([Slot(session=s, number=i + 1, time=t, reserved=i < reserved)
                                  for i, t in enumerate(times)])
        _enqueue_release(s)
        _audit(actor, s, None, SESSION_FIELDS, reason="create_session", institution_id=institution.pk)
    return s


def generate_sessions(actor, institution: Institution, start: dt.date, end: dt.date | None = None) -> list[Session]:
    """Sessions (with slots) from the institution's timetable for [start, end] (default GENERATE_WEEKS weeks),
    skipping statutory holidays and 停诊 days and applying 调班; idempotent (one session per entry and date)."""
    end = end or start + dt.timedelta(weeks=conf.get("GENERATE_WEEKS")) - dt.timedelta(days=1)
    with transaction.atomic():
        _require(may_manage(actor, institution.pk), _("只有医共体办公室或本机构管理员可以安排专家门诊。"))
        if end < start or (end - start).days > 366:
            raise _err("end", _("日期范围须在一年以内。"), "range")
        holidays = _holidays(start, end)
        exceptions = list(TimetableException.objects.filter(institution=institution, date__range=(start, end)))
        off_all = {x.date for x in exceptions if x.kind == ExceptionKind.HOLIDAY and x.entry_id is None}
        off_entry = {(x.entry_id, x.date) for x in exceptions if x.kind == ExceptionKind.HOLIDAY and x.entry_id}
        swaps = {(x.entry_id, x.date): x for x in exceptions if x.kind == ExceptionKind.SWAP}
        existing = set(Session.objects.filter(institution=institution, entry__isnull=False,
                                              date__range=(start, end)).values_list("entry_id", "date"))
        made = []
        entries = TimetableEntry.objects.filter(institution=institution, active=True).order_by("weekday", "half_day", "pk")
        for e in entries:
            for day in rules.session_dates(e.weekday, start, end, holidays=holidays | off_all,
                                           valid_from=e.valid_from, valid_until=e.valid_until):
                if (e.pk, day) in off_entry:
                    continue
                swap = swaps.get((e.pk, day))
                on = swap.new_date if swap and swap.new_date else day
                if (e.pk, on) in existing or (on != day and Session.objects.filter(entry=e, date=on).exists()):
                    continue
                made.append(create_session(
                    actor, institution=institution, date=on, half_day=e.half_day, clinic=e.clinic,
                    specialty=e.specialty, start_time=e.start_time, end_time=e.end_time, capacity=e.capacity,
                    reserved=e.reserved, specialist=(swap.new_specialist if swap and swap.new_specialist
                                                     else e.specialist),
                    home_institution=e.home_institution, entry=e))
                existing.add((e.pk, on))
    return made


def release_reserved(session_id: int, now: dt.datetime | None = None) -> bool:
    """The release job: mark the session's reserved part released once its release time has come (the
    booking check applies the same rule on the clock, so a late job never keeps slots closed)."""
    now = now or timezone.now()
    return Session.objects.filter(pk=session_id, released_at__isnull=True, release_at__lte=now).update(
        released_at=now) == 1


def is_released(s: Session, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return s.released_at is not None or rules.reserved_released(now, s.starts_at, conf.get("RELEASE_HOURS_BEFORE"))


# --- booking -----------------------------------------------------------------------------------------------

BOOKING_FIELDS = ("session_id", "slot_id", "resident_id", "status", "source", "booked_for_id", "referral_id",
                  "cancel_reason")
CHECK_MESSAGES = {
    rules.SESSION_CANCELLED: (_("该专家门诊已停诊。"), "session"),
    rules.SESSION_PASSED: (_("该专家门诊已开始或已结束，不能再预约。"), "session"),
    rules.ALREADY_BOOKED: (_("该居民已预约本场专家门诊，同一场次只能预约一个号。"), "resident"),
    rules.NO_SHOW_LIMIT: (_("该居民近 %(days)s 天内爽约 %(count)s 次，暂停预约。"), "resident"),
}


def is_family_doctor_of(user, resident_id: int) -> bool:
    """A member (or the leader) of the team holding the resident's active contract (familydoctor.queries)."""
    from yigongti.familydoctor.queries import team_for_residents, team_members

    found = team_for_residents([resident_id]).get(resident_id)
    return bool(found) and team_members(found["team_id"]).filter(pk=user.pk).exists()


def family_doctor_resident_ids(user, resident_ids) -> set[int]:
    """Of ``resident_ids``, those whose contracted team ``user`` belongs to (one query)."""
    from yigongti.familydoctor.queries import contract_relationship

    return set(contract_relationship(user).filter(resident_id__in=list(resident_ids))
               .values_list("resident_id", flat=True))


def has_contract(resident_id: int) -> bool:
    from yigongti.familydoctor.queries import team_for_residents

    return resident_id in team_for_residents([resident_id])


def _may_see(user, resident: Resident) -> bool:
    from yigongti.people.queries import visible_residents

    return user is None or visible_residents(user).filter(pk=resident.pk).exists()


def _no_show_dates(resident_id: int, today: dt.date) -> list[dt.date]:
    since = today - dt.timedelta(days=int(conf.get("NO_SHOW_WINDOW_DAYS")))
    return list(Booking.objects.filter(resident_id=resident_id, status=BookingStatus.NO_SHOW, session__date__gte=since)
                .values_list("session__date", flat=True))


def _booking_institution(actor, session: Session, institution: Institution | None) -> int | None:
    if institution is not None:
        return institution.pk
    ids = [i for i in institution_ids(actor) if can_act_for(actor, i, CLINICAL_ROLES)] if actor else []
    return session.institution_id if session.institution_id in ids or not ids else ids[0]


def book_slot(actor, session: Session, resident: Resident, *, institution: Institution | None = None,
              source: str | None = None, referral_id: int | None = None, note: str = "",
              now: dt.datetime | None = None) -> Booking:
    """Book ``resident`` into ``session``. A family doctor of the resident's contracted team may use the
    reserved part; everyone else only the general part until the release time (rules/experts.py). One slot
    per resident per session; the last slot goes to exactly one booker (constraints + row locks)."""
    now = now or timezone.now()
    with transaction.atomic():
        if actor is not None:
            if not any(can_act_for(actor, i, CLINICAL_ROLES) for i in institution_ids(actor)):
                raise PermissionDenied(_("只有医务人员可以预约专家门诊。"))
            if institution is not None and not can_act_for(actor, institution.pk, CLINICAL_ROLES):
                raise PermissionDenied(_("您不能代表该机构预约。"))
            if not _may_see(actor, resident):
                raise PermissionDenied(_("您无权查看该居民的档案。"))
        session = Session.objects.get(pk=session.pk)
        family = actor is not None and is_family_doctor_of(actor, resident.pk)
        source = source or (BookingSource.FAMILY_DOCTOR if family else BookingSource.DESK)
        contracted = has_contract(resident.pk)
        released = is_released(session, now)
        today = timezone.localtime(now).date()
        limit, window = int(conf.get("NO_SHOW_LIMIT")), int(conf.get("NO_SHOW_WINDOW_DAYS"))
        code = rules.booking_check(
            now=now, starts_at=session.starts_at, cancelled=session.status == SessionStatus.CANCELLED,
            already_booked=Booking.objects.filter(LIVE_BOOKING, session=session, resident=resident).exists(),
            no_show_blocked=rules.no_shows_block(_no_show_dates(resident.pk, today), today, limit=limit,
                                                 window_days=window))
        if code != rules.OK:
            message, field = CHECK_MESSAGES[code]
            raise _err(field, message, code, days=window, count=limit)
        if resident.status in (RecordStatus.DECEASED, RecordStatus.MERGED):
            raise _err("resident", _("该居民档案已注销，不能预约。"), "inactive")
        use_reserved = rules.may_use_reserved(family_doctor_booking=source == BookingSource.FAMILY_DOCTOR,
                                              has_contract=contracted, released=released)
        free = Slot.objects.filter(session=session).exclude(
            pk__in=Booking.objects.filter(LIVE_BOOKING, session=session).values("slot_id"))
        if not use_reserved:
            free = free.filter(reserved=False)
        # A family doctor takes the reserved part first, leaving the general numbers for everyone else.
        order = ("-reserved", "number") if use_reserved and not released else ("number",)
        candidates = list(free.order_by(*order).values_list("pk", flat=True)[:20])
        if candidates and connection.features.has_select_for_update:
            list(Slot.objects.select_for_update().filter(pk__in=candidates).order_by("pk").values_list("pk"))
        booking = None
        for slot_id in candidates:
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        slot_id=slot_id, session=session, resident=resident, source=source,
                        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
                        booked_for_id=_booking_institution(actor, session, institution), referral_id=referral_id,
                        note=(note or "")[:200])
                break
            except IntegrityError:
                if Booking.objects.filter(LIVE_BOOKING, session=session, resident=resident).exists():
                    message, field = CHECK_MESSAGES[rules.ALREADY_BOOKED]
                    raise _err(field, message, rules.ALREADY_BOOKED) from None
                continue   # another booker took this slot a moment ago: try the next one
        if booking is None:
            reserved_left = (not use_reserved) and Slot.objects.filter(session=session, reserved=True).exclude(
                pk__in=Booking.objects.filter(LIVE_BOOKING, session=session).values("slot_id")).exists()
            if reserved_left and not contracted:
                raise _err("slot", _("剩余号源为家庭医生为签约居民预留，该居民未签约家庭医生，不能预约预留号源。"),
                           rules.RESERVED_NEEDS_CONTRACT)
            if reserved_left:
                raise _err("slot", _("剩余号源为家庭医生预留，请由该居民的签约家庭医生预约，或在 %(at)s 后再预约。"),
                           rules.RESERVED_NEEDS_CONTRACT,
                           at=timezone.localtime(session.release_at).strftime("%Y-%m-%d %H:%M"))
            raise _err("slot", _("本场专家门诊号源已约满。"), rules.FULL)
        _audit(actor, booking, None, BOOKING_FIELDS, reason="book", institution_id=session.institution_id)
    return booking


def may_change_booking(user, b: Booking) -> bool:
    """The booking's institution, the session's institution, the resident's family doctor."""
    if user is None:
        return True
    return (can_act_for(user, b.booked_for_id, CLINICAL_ROLES) or can_act_for(user, b.session.institution_id)
            or is_family_doctor_of(user, b.resident_id))


def cancel_booking(actor, b: Booking, reason: str = "") -> Booking:
    with transaction.atomic():
        b = Booking.objects.select_related("session").get(pk=b.pk)
        _require(may_change_booking(actor, b), _("您不能取消该预约。"))
        reason = (reason or "").strip()
        if len(reason) > 200:
            raise _err("reason", _("不能超过 %(n)s 个字。"), "too_long", n=200)
        before = _snap(b, BOOKING_FIELDS)
        if Booking.objects.filter(pk=b.pk, status=BookingStatus.BOOKED).update(
                status=BookingStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason) != 1:
            raise _err("status", _("该预约当前状态为“%(state)s”，不能取消。"), "illegal_transition",
                       state=str(b.get_status_display()))
        b.refresh_from_db()
        _audit(actor, b, before, BOOKING_FIELDS, reason="cancel", institution_id=b.session.institution_id)
    return b


def _mark(actor, b: Booking, status: str, reason: str, now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        b = Booking.objects.select_related("session").get(pk=b.pk)
        _require(actor is None or can_act_for(actor, b.session.institution_id, CLINICAL_ROLES)
                 or (b.session.specialist_id is not None and b.session.specialist_id == actor.pk),
                 _("只有坐诊机构的医务人员或坐诊专家可以登记。"))
        if now < b.session.starts_at:
            raise _err("status", _("专家门诊开始后才能登记就诊或爽约。"), "too_early")
        before = _snap(b, BOOKING_FIELDS)
        if Booking.objects.filter(pk=b.pk, status=BookingStatus.BOOKED).update(status=status, marked_at=now) != 1:
            raise _err("status", _("该预约当前状态为“%(state)s”，不能登记。"), "illegal_transition",
                       state=str(b.get_status_display()))
        b.refresh_from_db()
        _audit(actor, b, before, BOOKING_FIELDS, reason=reason, institution_id=b.session.institution_id)
    return b


def mark_attended(actor, b: Booking, now: dt.datetime | None = None) -> Booking:
    return _mark(actor, b, BookingStatus.ATTENDED, "attended", now)


def mark_no_show(actor, b: Booking, now: dt.datetime | None = None) -> Booking:
    return _mark(actor, b, BookingStatus.NO_SHOW, "no_show", now)


def session_at(institution_id: int, at: dt.datetime) -> Session | None:
    """The open session at the institution whose hours hold ``at`` (a referral's appointment time)."""
    local = timezone.localtime(at)
    return (Session.objects.filter(institution_id=institution_id, date=local.date(), status=SessionStatus.OPEN,
                                   start_time__lte=local.time(), end_time__gt=local.time())
            .order_by("start_time", "pk").first())


def book_for_referral(actor, session: Session, *, resident: Resident, referral_id: int,
                      institution_id: int | None = None, valid_until: dt.date | None = None) -> Booking:
    """A referral accepted into a session books a slot (the referral app calls this from accept_referral):
    the session must be at the receiving institution and within the referral's validity window."""
    if institution_id is not None and session.institution_id != institution_id:
        raise _err("session", _("专家门诊不属于接诊机构。"), "other_institution")
    if valid_until is not None and session.date > valid_until:
        raise _err("session", _("专家门诊须在转诊单有效期（至 %(until)s）内。"), "after_validity",
                   until=valid_until.isoformat())
    return book_slot(actor, session, resident, source=BookingSource.REFERRAL, referral_id=referral_id)


def cancel_for_referral(referral_id: int, reason: str = "") -> int:
    """A withdrawn referral frees the slot it booked (called by referrals.actions.cancel_referral)."""
    return Booking.objects.filter(referral_id=referral_id, status=BookingStatus.BOOKED).update(
        status=BookingStatus.CANCELLED, cancelled_at=timezone.now(),
        cancel_reason=(reason or str(_("转诊撤销")))[:200])


def slot_datetime(b: Booking) -> dt.datetime:
    return _aware(b.session.date, b.slot.time)


# --- remote consultation ----------------------------------------------------------------------------------

CONSULT_FIELDS = ("resident_id", "institution_id", "specialist_id", "specialist_institution_id", "mode",
                  "scheduled_at", "status", "video_call", "answered_at")


def _record_summary(resident: Resident) -> list[dict]:
    """A copy of the shared record as the requesting doctor saw it: the last exams and encounters."""
    from yigongti.people.models import Encounter, HealthExam

    out = []
    for x in HealthExam.objects.filter(resident=resident).select_related("institution").order_by("-exam_date", "-pk")[:3]:
        parts = []
        if x.systolic_left and x.diastolic_left:
            parts.append(f"BP {x.systolic_left}/{x.diastolic_left} mmHg")
        if x.fasting_glucose is not None:
            parts.append(f"FPG {x.fasting_glucose} mmol/L")
        if x.bmi is not None:
            parts.append(f"BMI {x.bmi}")
        out.append({"kind": "exam", "date": x.exam_date.isoformat(), "title": str(_("健康体检")),
                    "summary": " ".join(parts), "institution": x.institution.name})
    for e in Encounter.objects.filter(resident=resident).select_related("institution").order_by("-visit_date", "-pk")[:5]:
        parts = [e.primary_diagnosis]
        if e.systolic and e.diastolic:
            parts.append(f"BP {e.systolic}/{e.diastolic} mmHg")
        out.append({"kind": "encounter", "date": e.visit_date.isoformat(), "title": e.get_kind_display(),
                    "summary": " ".join(parts), "institution": e.institution.name})
    return out


def request_consultation(actor, *, institution: Institution, resident: Resident, specialist, mode: str,
                         question: str, scheduled_at: dt.datetime | None = None,
                         now: dt.datetime | None = None) -> Consultation:
    """A township or village doctor asks a county specialist (即时 or 预约), the shared record attached."""
    from yigongti.tasks.actions import create_task

    now = now or timezone.now()
    with transaction.atomic():
        _require(actor is None or can_act_for(actor, institution.pk, CLINICAL_ROLES),
                 _("只有申请机构的医务人员可以申请会诊。"))
        errors: dict = {}
        if institution.tier not in (Tier.TOWNSHIP, Tier.VILLAGE):
            _add(errors, "institution", _("远程会诊由乡镇卫生院或村卫生室申请。"), "not_primary")
        home = None
        if specialist is not None:
            homes = [i for i, roles in roles_by_institution(specialist).items() if roles & SPECIALIST_ROLES]
            home = Institution.objects.filter(pk__in=homes, tier=Tier.COUNTY).order_by("pk").first()
        if home is None:
            _add(errors, "specialist", _("请选择县级医院的专科医生。"), "not_specialist")
        if mode not in ConsultationMode.values:
            _add(errors, "mode", _("请选择即时会诊或预约会诊。"), "invalid_choice")
        elif mode == ConsultationMode.BOOKED:
            if scheduled_at is None:
                _add(errors, "scheduled_at", _("预约会诊须填写会诊时间。"), "required")
            elif scheduled_at < now:
                _add(errors, "scheduled_at", _("会诊时间不能早于现在。"), "past")
        question = _text(errors, "question", question, required=True, max_len=2000)
        if actor is not None and not _may_see(actor, resident):
            raise PermissionDenied(_("您无权查看该居民的档案。"))
        _raise(errors)
        c = Consultation.objects.create(
            resident=resident, institution=institution, requested_by=actor if actor is not None else specialist,
            specialist=specialist, specialist_institution=home, mode=mode,
            scheduled_at=scheduled_at if mode == ConsultationMode.BOOKED else None, question=question,
            record_summary=_record_summary(resident))
        _audit(actor, c, None, CONSULT_FIELDS, reason="request_consultation", institution_id=institution.pk)
        from django.urls import reverse

        create_task(title=_("远程会诊申请：%(inst)s（%(mode)s）") % {"inst": institution.short_name or institution.name,
                                                             "mode": c.get_mode_display()},
                    kind="experts", assignee=specialist, source=c, source_url=reverse("experts:consultation", args=[c.pk]),
                    created_by=actor, due_at=c.scheduled_at)
    return c


def answer_consultation(actor, c: Consultation, *, answer: str, video_call: bool = False) -> Consultation:
    """The specialist's written answer (and whether a video call took place); it lands on the record."""
    with transaction.atomic():
        c = Consultation.objects.get(pk=c.pk)
        _require(actor is None or actor.pk == c.specialist_id, _("只有受邀会诊专家可以答复。"))
        errors: dict = {}
        answer = _text(errors, "answer", answer, required=True, max_len=4000)
        _raise(errors)
        before = _snap(c, CONSULT_FIELDS)
        now = timezone.now()
        if Consultation.objects.filter(pk=c.pk, status=ConsultationStatus.REQUESTED).update(
                status=ConsultationStatus.ANSWERED, answer=answer, video_call=bool(video_call), answered_at=now) != 1:
            raise _err("status", _("该会诊已答复或已撤销。"), "illegal_transition")
        c.refresh_from_db()
        _audit(actor, c, before, CONSULT_FIELDS, reason="answer_consultation", institution_id=c.specialist_institution_id)
        _close_tasks(c, actor)
    return c


def cancel_consultation(actor, c: Consultation) -> Consultation:
    with transaction.atomic():
        c = Consultation.objects.get(pk=c.pk)
        _require(actor is None or can_act_for(actor, c.institution_id, CLINICAL_ROLES), _("只有申请机构的医务人员可以撤销。"))
        before = _snap(c, CONSULT_FIELDS)
        if Consultation.objects.filter(pk=c.pk, status=ConsultationStatus.REQUESTED).update(
                status=ConsultationStatus.CANCELLED) != 1:
            raise _err("status", _("该会诊已答复或已撤销。"), "illegal_transition")
        c.refresh_from_db()
        _audit(actor, c, before, CONSULT_FIELDS, reason="cancel_consultation", institution_id=c.institution_id)
        _close_tasks(c, actor)
    return c


def _close_tasks(c: Consultation, actor) -> None:
    from yigongti.tasks.models import Task, TaskState

    Task.objects.filter(source_type=Consultation._meta.label, source_id=str(c.pk), state=TaskState.OPEN).update(
        state=TaskState.DONE, completed_by=actor if getattr(actor, "is_authenticated", False) else None,
        completed_at=timezone.now())


# --- outreach ------------------------------------------------------------------------------------------------

OUTREACH_FIELDS = ("kind", "institution_id", "date", "place", "topic", "participants", "count")


def may_record_outreach(user, institution_id: int) -> bool:
    return user is None or is_office(user) or can_act_for(user, institution_id)


def record_outreach(actor, *, kind: str, institution: Institution, date: dt.date, topic: str, experts=(),
                    participants: int = 0, count: int = 1, place: str = "", note: str = "") -> OutreachActivity:
    with transaction.atomic():
        _require(may_record_outreach(actor, institution.pk), _("只有开展机构的人员或医共体办公室可以登记活动。"))
        errors: dict = {}
        if kind not in OutreachKind.values:
            _add(errors, "kind", _("请选择活动类别。"), "invalid_choice")
        if date is None:
            _add(errors, "date", _("此项为必填项。"), "required")
        elif date > timezone.localdate():
            _add(errors, "date", _("不能登记未来的活动。"), "future")
        topic = _text(errors, "topic", topic, required=True, max_len=120)
        place = _text(errors, "place", place, max_len=100)
        note = _text(errors, "note", note)
        for field, value in (("participants", participants), ("count", count)):
            try:
                if int(value) < 0:
                    raise ValueError
            except (TypeError, ValueError):
                _add(errors, field, _("请填写不小于 0 的整数。"), "invalid")
        experts = list(experts)
        if not experts:
            _add(errors, "experts", _("请至少选择一位专家。"), "required")
        _raise(errors)
        a = OutreachActivity.objects.create(
            kind=kind, institution=institution, date=date, topic=topic, participants=int(participants),
            count=int(count), place=place, note=note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        a.experts.set(experts)
        _audit(actor, a, None, OUTREACH_FIELDS, reason="record_outreach", institution_id=institution.pk)
    return a


# --- events ----------------------------------------------------------------------------------------------------


def on_resident_died(event) -> None:
    """Design "resident died → close … slots": the resident's future bookings are cancelled."""
    Booking.objects.filter(resident_id=event.resident_id, status=BookingStatus.BOOKED,
                           session__starts_at__gt=timezone.now()).update(
        status=BookingStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason=str(_("患者死亡")))
    Consultation.objects.filter(resident_id=event.resident_id, status=ConsultationStatus.REQUESTED).update(
        status=ConsultationStatus.CANCELLED)


def on_residents_merged(event) -> None:
    """Re-point bookings and consultations; a second live booking of the kept resident in one session is
    cancelled (one slot per resident per session). Remembered in ResidentMerge.moved["experts"]."""
    from yigongti.people.models import ResidentMerge

    kept_sessions = set(Booking.objects.filter(LIVE_BOOKING, resident_id=event.kept_id).values_list("session_id", flat=True))
    dupes = Booking.objects.filter(LIVE_BOOKING, resident_id=event.merged_id, session_id__in=kept_sessions)
    dupes.update(status=BookingStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason=str(_("档案合并")))
    booking_ids = list(Booking.objects.filter(resident_id=event.merged_id).values_list("pk", flat=True))
    consult_ids = list(Consultation.objects.filter(resident_id=event.merged_id).values_list("pk", flat=True))
    Booking.objects.filter(pk__in=booking_ids).update(resident_id=event.kept_id)
    Consultation.objects.filter(pk__in=consult_ids).update(resident_id=event.kept_id)
    merge = ResidentMerge.objects.select_for_update().get(pk=event.merge_id)
    moved = dict(merge.moved or {})
    moved["experts"] = {"bookings": booking_ids, "consultations": consult_ids}
    merge.moved = moved
    merge.save(update_fields=["moved"])


def on_residents_unmerged(event) -> None:
    from yigongti.people.models import ResidentMerge

    moved = (ResidentMerge.objects.get(pk=event.merge_id).moved or {}).get("experts") or {}
    Booking.objects.filter(pk__in=moved.get("bookings", []), resident_id=event.kept_id).update(
        resident_id=event.restored_id)
    Consultation.objects.filter(pk__in=moved.get("consultations", []), resident_id=event.kept_id).update(
        resident_id=event.restored_id)

