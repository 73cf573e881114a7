"""Experts pages: thin views that read through queries.py and change through actions.py."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yigongti.org.access import can_act_for, institution_ids
from yigongti.org.models import Institution, Tier
from yigongti.people.queries import get_resident_for
from yigongti.people.queries import search as search_residents

from . import actions, queries
from .forms import (
    AnswerForm,
    ConsultationForm,
    EntryForm,
    ExceptionForm,
    GenerateForm,
    OutreachForm,
    SecondmentForm,
    acting_institutions,
)
from .models import BookingStatus, ConsultationStatus, OutreachKind, SessionStatus

WEEKDAYS = [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _townships():
    return Institution.objects.filter(tier=Tier.TOWNSHIP, active=True).order_by("code")


@login_required
def index(request):
    user = request.user
    today = timezone.localdate()
    mine = list(queries.sessions(specialist=user, start=today, end=today + dt.timedelta(days=14))
                .filter(status=SessionStatus.OPEN)[:20])
    ids = institution_ids(user)
    local = list(queries.open_sessions(today=today).filter(institution_id__in=ids)[:30])
    return render(request, "experts/index.html", {
        "townships": _townships(), "mine": mine, "local": local,
        "consultations_waiting": queries.visible_consultations(user).filter(
            specialist=user, status=ConsultationStatus.REQUESTED).count(),
    })


@login_required
def timetable(request, pk: int):
    """A township's weekly specialist timetable (seed 000's table), printable, with the coming sessions."""
    institution = get_object_or_404(Institution, pk=pk, tier=Tier.TOWNSHIP)
    today = timezone.localdate()
    entries = list(queries.timetable(institution.pk, on=today))
    grid, days = queries.timetable_grid(entries)
    times = sorted({(e.half_day, e.start_time, e.end_time) for e in entries})
    upcoming = list(queries.open_sessions(institution_id=institution.pk, today=today)
                    .filter(date__lte=today + dt.timedelta(days=14))[:60])
    for s in upcoming:
        s.free = s.capacity - s.booked
    return render(request, "experts/timetable.html", {
        "institution": institution, "grid": grid, "days": [WEEKDAYS[d] for d in days], "times": times,
        "upcoming": upcoming, "secondments": queries.secondments(institution_id=institution.pk, on=today),
        "print": request.GET.get("print") == "1", "may_manage": actions.may_manage(request.user, institution.pk),
    })


@login_required
def session_detail(request, pk: int):
    """The session page: for the specialist and the centre's staff, the bookings with a link to each record."""
    s = queries.get_session(request.user, pk)
    bookings = list(queries.bookings_of_session(request.user, s))
    now = timezone.now()
    may_mark = now >= s.starts_at and (s.specialist_id == request.user.pk
                                       or can_act_for(request.user, s.institution_id, actions.CLINICAL_ROLES))
    mine = actions.family_doctor_resident_ids(request.user, {b.resident_id for b in bookings})
    at_session = can_act_for(request.user, s.institution_id)
    for b in bookings:
        b.may_cancel = b.status == BookingStatus.BOOKED and (
            at_session or b.resident_id in mine or can_act_for(request.user, b.booked_for_id, actions.CLINICAL_ROLES))
        b.may_mark = may_mark and b.status == BookingStatus.BOOKED
    booked = sum(1 for b in bookings if b.status != BookingStatus.CANCELLED)
    return render(request, "experts/session.html", {
        "s": s, "bookings": bookings, "released": actions.is_released(s, now),
        "may_see_all": queries.may_see_bookings(request.user, s), "booked": booked,
        "can_book": s.status == SessionStatus.OPEN and now < s.starts_at and acting_institutions(request.user).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def book(request, pk: int):
    """The booking form: find a resident (scoped search), book them into the session."""
    s = queries.get_session(request.user, pk)
    if not acting_institutions(request.user).exists():
        raise PermissionDenied
    if request.method == "POST":
        resident = get_resident_for(request.user, request.POST.get("resident"), detail="expert_booking")
        try:
            b = actions.book_slot(request.user, s, resident)
        except ValidationError as exc:
            _flash(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您不能为该居民预约。"))
        else:
            messages.success(request, _("已为 %(name)s 预约 %(number)s 号（约 %(time)s）。") % {
                "name": resident.name, "number": b.slot.number, "time": b.slot.time.strftime("%H:%M")})
            return redirect("experts:session", s.pk)
    q = request.GET.get("q", "").strip()
    found = []
    if q:
        found = list(search_residents(request.user, q, status="active")[:20])
        for r in found:
            r.contracted = actions.has_contract(r.pk)
            r.mine = actions.is_family_doctor_of(request.user, r.pk)
    return render(request, "experts/book.html", {"s": s, "q": q, "found": found,
                                                 "released": actions.is_released(s)})


@login_required
@require_POST
def booking_step(request, pk: int, step: str):
    b = queries.get_booking_for(request.user, pk)
    try:
        if step == "cancel":
            actions.cancel_booking(request.user, b, request.POST.get("reason", ""))
        elif step == "attended":
            actions.mark_attended(request.user, b)
        elif step == "no_show":
            actions.mark_no_show(request.user, b)
        else:
            raise Http404
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("experts:session", b.session_id)


@login_required
def consultations(request):
    qs = queries.visible_consultations(request.user).select_related(
        "resident", "institution", "specialist").order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in ConsultationStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    q = request.GET.get("q", "").strip()
    can_request = acting_institutions(request.user, [Tier.TOWNSHIP, Tier.VILLAGE]).exists()
    found = list(search_residents(request.user, q, status="active")[:20]) if q and can_request else []
    return render(request, "experts/consultations.html", {"page": page, "status": status, "q": q, "found": found,
                                                          "can_request": can_request,
                                                          "statuses": ConsultationStatus.choices})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request):
    resident = get_resident_for(request.user, request.GET.get("resident") or request.POST.get("resident"),
                                detail="consultation_new")
    form = ConsultationForm(request.POST or None, user=request.user)
    if not form.fields["institution"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = actions.request_consultation(request.user, institution=d["institution"], resident=resident,
                                             specialist=d["specialist"], mode=d["mode"],
                                             scheduled_at=d.get("scheduled_at"), question=d["question"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("institution", str(exc))
        else:
            messages.success(request, _("远程会诊申请已发送。"))
            return redirect("experts:consultation", c.pk)
    return render(request, "experts/consultation_form.html", {"form": form, "resident": resident})


@login_required
def consultation_detail(request, pk: int):
    c = queries.get_consultation_for(request.user, pk)
    return render(request, "experts/consultation.html", {
        "c": c, "answer_form": AnswerForm() if c.status == ConsultationStatus.REQUESTED
        and c.specialist_id == request.user.pk else None})


@login_required
@require_POST
def consultation_answer(request, pk: int):
    c = queries.get_consultation_for(request.user, pk, detail="answer")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            actions.answer_consultation(request.user, c, answer=form.cleaned_data["answer"],
                                        video_call=form.cleaned_data["video_call"])
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("会诊意见已提交，并记入居民健康档案。"))
    else:
        messages.error(request, _("请填写会诊意见。"))
    return redirect("experts:consultation", c.pk)


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@login_required
@require_http_methods(["GET", "POST"])
def outreach(request):
    """Outreach activities with the month's and the year's figures per kind (seed 000 / 001)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        institution_id = int(request.GET.get("institution") or 0) or None
    except ValueError:
        year, institution_id = today.year, None
    form = OutreachForm(request.POST or None, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.record_outreach(request.user, kind=d["kind"], institution=d["institution"], date=d["date"],
                                    topic=d["topic"], experts=d["experts"], participants=d["participants"],
                                    count=d["count"], place=d["place"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("institution", str(exc) or _("您不能为该机构登记活动。"))
        else:
            messages.success(request, _("活动已登记。"))
            return redirect("experts:outreach")
    start, end = _year_bounds(year)
    month_start = today.replace(day=1) if year == today.year else dt.date(year, 12, 1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    year_fig = queries.outreach_figures(institution_id=institution_id, start=start, end=end)
    month_fig = queries.outreach_figures(institution_id=institution_id, start=month_start, end=month_end)
    figures = [{"kind": label, "month": month_fig.get(code, {}), "year": year_fig.get(code, {})}
               for code, label in OutreachKind.choices]
    page = Paginator(queries.outreach(institution_id=institution_id, start=start, end=end), 25).get_page(
        request.GET.get("page"))
    return render(request, "experts/outreach.html", {
        "form": form, "figures": figures, "page": page, "year": year, "month": month_start,
        "townships": _townships(), "institution_id": institution_id,
    })


@login_required
@require_http_methods(["GET", "POST"])
def secondments(request):
    form = SecondmentForm(request.POST or None)
    may_add = actions.is_office(request.user) or any(
        actions.may_manage(request.user, i) for i in institution_ids(request.user))
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.second_staff(request.user, staff=d["staff"], home_institution=d["home_institution"],
                                     institution=d["institution"], role=d["role"], specialty=d["specialty"],
                                     start_date=d["start_date"], end_date=d.get("end_date"))
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("home_institution", str(exc))
            else:
                messages.success(request, _("派驻已登记。"))
                return redirect("experts:secondments")
    page = Paginator(queries.secondments(), 50).get_page(request.GET.get("page"))
    return render(request, "experts/secondments.html", {"form": form if may_add else None, "page": page,
                                                        "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def timetable_manage(request, pk: int):
    """The centre's administrator (or the consortium office) keeps the timetable: add a cell, a 停诊 or 调班,
    generate the sessions of a date range."""
    institution = get_object_or_404(Institution, pk=pk, tier=Tier.TOWNSHIP)
    if not actions.may_manage(request.user, institution.pk):
        raise PermissionDenied
    today = timezone.localdate()
    op = request.POST.get("op", "")
    entry_form = EntryForm(request.POST if op == "entry" else None, initial={"valid_from": today})
    exception_form = ExceptionForm(request.POST if op == "exception" else None, institution=institution)
    generate_form = GenerateForm(request.POST if op == "generate" else None,
                                 initial={"start": today, "end": today + dt.timedelta(weeks=4)})
    form = {"entry": entry_form, "exception": exception_form, "generate": generate_form}.get(op)
    if form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            if op == "entry":
                actions.add_timetable_entry(request.user, institution=institution, **d)
                messages.success(request, _("排班已添加。"))
            elif op == "exception":
                actions.add_exception(request.user, institution=institution, **d)
                messages.success(request, _("排班例外已登记。"))
            else:
                made = actions.generate_sessions(request.user, institution, d["start"], d["end"])
                messages.success(request, _("已生成 %(n)s 场专家门诊。") % {"n": len(made)})
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("experts:timetable_manage", institution.pk)
    return render(request, "experts/timetable_manage.html", {
        "institution": institution, "entries": queries.timetable(institution.pk), "entry_form": entry_form,
        "exception_form": exception_form, "generate_form": generate_form, "weekdays": WEEKDAYS,
        "exceptions": institution.timetable_exceptions.filter(date__gte=today).order_by("date")[:50],
    })
