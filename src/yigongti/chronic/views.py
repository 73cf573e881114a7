"""Pages of the programme engine (phone first): today's due list → patient → follow-up form (previous values
prefilled, the rules' classification previewed by HTMX before saving) → the printable record. Thin: every
read through queries.py, every write through the actions."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yigongti.org.access import has_role
from yigongti.org.models import Area, Role
from yigongti.people.queries import get_resident_for

from . import actions, actions_screening, actions_tb, conf, labels, programmes, queries
from .forms import (
    CallForm,
    ConfirmForm,
    EnrolForm,
    FollowupForm,
    LeaveForm,
    acting_institutions,
    initial_from,
)
from .models import ScreeningFlag

WRITERS = (Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.PUBLIC_HEALTH, Role.TEAM_LEADER,
           Role.MENTAL_HEALTH, Role.COUNTY_SPECIALIST)


def _field_errors(form, exc: ValidationError) -> None:
    for name, msgs in (exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}).items():
        field = name.split(".", 1)[-1] if name.startswith("details.") else name
        target = field if field in form.fields else None
        for m in msgs:
            form.add_error(target, m)


@login_required
def due(request):
    """Today's list: a village doctor's own patients by default; township and county views for the others."""
    p = request.GET
    scope = p.get("scope") if p.get("scope") in queries.SCOPES else "mine"
    bucket = p.get("bucket") if p.get("bucket") in queries.BUCKETS else "todo"
    sort = p.get("sort") if p.get("sort") in queries.SORTS else "risk"
    programme = p.get("programme") if p.get("programme") in programmes.REGISTRY else ""
    area_id = int(p["area"]) if p.get("area", "").isdigit() else None
    team_id = int(p["team"]) if p.get("team", "").isdigit() else None
    teams = queries.teams_of(request.user)
    if scope == "team" and team_id is None and teams:
        team_id = teams[0].pk  # my team by default; the list stays limited to what I may see
    qs = queries.due_list(request.user, scope=scope, bucket=bucket, programme=programme, area_id=area_id,
                          team_id=team_id, sort=sort)
    page = Paginator(qs, conf.get("PAGE_SIZE")).get_page(p.get("page"))
    rows = queries.due_rows(request.user, page.object_list, full_phone=(scope == "mine"))
    if scope == "mine":
        queries.audit_call_list(request.user, rows)
    townships = Area.objects.filter(level="township").order_by("code")
    visible = [pr for pr in programmes.all_programmes() if pr.code not in queries.hidden_programmes(request.user)]
    return render(request, "chronic/due.html", {
        "rows": rows, "page": page, "scope": scope, "bucket": bucket, "sort": sort, "programme": programme,
        "area_id": area_id, "townships": townships, "programmes": visible, "labels": labels,
        "teams": teams, "team_id": team_id,
        "classification_labels": labels.CLASSIFICATIONS, "call_form": CallForm(),
        "buckets": [("todo", _("待随访")), ("due_week", _("本周到期")), ("overdue", _("已逾期")),
                    ("not_seen", _("3个月未见")), ("lost", _("失访(12个月)")), ("all", _("全部在管"))],
        "scopes": [("mine", _("我的患者")), *([("team", _("本团队"))] if teams else []), ("township", _("乡镇")),
                   ("county", _("全县"))],
    })


@login_required
def enrolment(request, pk):
    e = queries.get_enrolment_for(request.user, pk)
    visits = list(e.visits.select_related("doctor").order_by("-visit_date", "-pk")[:50])
    prog = programmes.get(e.programme)
    return render(request, "chronic/enrolment.html", {
        "e": e, "visits": visits, "programme": prog, "leave_form": LeaveForm(),
        "panels": prog.panels(request.user, e) if prog.panels else [],
        "calls": queries.calls_of(e)[:10], "call_form": CallForm(), "labels": labels.CLASSIFICATIONS,
        "referrals": labels.REFERRALS, "today": timezone.localdate(),
        "team": queries.teams_of_residents([e.resident_id]).get(e.resident_id)})


def _details_form(prog, data=None, initial=None):
    return prog.details_form(data=data, initial=initial, prefix="details")


def _decision_context(decision, controlled=None):
    return {"decision": decision, "classification_label": labels.CLASSIFICATIONS.get(decision.classification,
                                                                                     decision.classification),
            "referral_label": labels.REFERRALS.get(decision.referral, decision.referral),
            "reasons": [labels.reason_label(r) for r in decision.reasons], "controlled": controlled}


@login_required
def followup_new(request, pk):
    e = queries.get_enrolment_for(request.user, pk)
    prog = programmes.get(e.programme)
    if not has_role(request.user, *WRITERS):
        raise PermissionDenied
    previous = queries.previous_visit(e)
    if request.method == "POST":
        form = FollowupForm(request.POST, user=request.user, programme=prog)
        details = _details_form(prog, request.POST)
        if form.is_valid() and details.is_valid():
            data = form.action_data(_raw_details(prog, request.POST))
            institution = form.cleaned_data["institution"]
            try:
                with transaction.atomic(durable=True):
                    visit, decision = prog.record(request.user, e, institution=institution, **data)
            except ValidationError as exc:
                _field_errors(form, exc)
            except PermissionDenied:
                form.add_error("institution", _("您不能以该机构的名义操作。"))
            else:
                ctx = _decision_context(decision)
                msg = _("已保存。此次随访分类：%(c)s；%(r)s；下次随访：%(d)s") % {
                    "c": ctx["classification_label"], "r": ctx["referral_label"],
                    "d": visit.next_due.isoformat() if visit.next_due else "—"}
                (messages.error if decision.is_urgent else messages.success)(request, msg)
                return redirect("chronic:visit", visit.pk)
    else:
        initial = initial_from(previous, timezone.localdate())
        initial.setdefault("institution", e.managing_institution_id)   # the first visit: the managing clinic
        form = FollowupForm(initial=initial, user=request.user, programme=prog)
        details = _details_form(prog, initial=(previous.details if previous else None))
    folded = {name for _title, names in prog.sections for name in names}
    return render(request, "chronic/followup_form.html", {
        "e": e, "form": form, "details": details, "programme": prog, "previous": previous,
        "open_details": [f for f in details if f.name not in folded],
        "sections": [(title, [details[n] for n in names if n in details.fields],
                      any(details[n].errors for n in names if n in details.fields)) for title, names in prog.sections],
        "labels": labels.CLASSIFICATIONS})


def _raw_details(prog, post) -> dict:
    """The programme's fields as posted (prefix "details-"), validated by the action with the same form."""
    out = {}
    for name in prog.details_form.base_fields:
        key = f"details-{name}"
        if key in post:
            out[name] = post.get(key)
    return out


@login_required
@require_POST
def followup_preview(request, pk):
    """HTMX: the rules' decision on what is typed so far (the same computation as the save)."""
    e = queries.get_enrolment_for(request.user, pk)
    prog = programmes.get(e.programme)
    form = FollowupForm(request.POST, user=request.user, programme=prog)
    ctx = {"errors": []}
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items()}
    try:
        cleaned, decision, controlled = actions.evaluate(e, {**form.action_data(_raw_details(prog, request.POST)),
                                                             **{k: data.get(k) for k in ("visit_date", "mode")}})
        ctx.update(_decision_context(decision, controlled))
    except ValidationError as exc:
        ctx["errors"] = exc.messages
    except (KeyError, TypeError):
        ctx["errors"] = [_("请先填写随访日期和随访方式。")]
    return render(request, "chronic/_decision.html", ctx)


@login_required
def visit(request, pk):
    v = queries.get_visit_for(request.user, pk)
    prog = programmes.get(v.programme)
    return render(request, "chronic/visit.html", {
        "v": v, "programme": prog, "classification": labels.CLASSIFICATIONS.get(v.classification, v.classification),
        "computed": labels.CLASSIFICATIONS.get(v.computed_classification, v.computed_classification),
        "referral": labels.REFERRALS.get(v.referral, v.referral),
        "reasons": [labels.reason_label(r) for r in v.reasons],
        "symptoms": [labels.SYMPTOMS.get(s, s) for s in v.symptoms],
        "details": [(f.label, dict(getattr(f, "choices", ())).get(v.details.get(n), v.details.get(n)))
                    for n, f in prog.details_form.base_fields.items() if v.details.get(n) not in (None, "", False)],
        "mode_numbers": {"clinic": 1, "home": 2, "phone": 3}})


@login_required
def enrol(request):
    resident = get_resident_for(request.user, request.GET.get("resident") or request.POST.get("resident"),
                                detail="chronic enrol")
    form = EnrolForm(request.POST or None, user=request.user, initial={"enrolled_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        raw = _raw_details_enrol(c["programme"], request.POST)
        extra = programmes.get(c["programme"]).enrol_kwargs(resident, raw, c["enrolled_on"] or timezone.localdate())
        try:
            with transaction.atomic(durable=True):
                e = actions.enrol(request.user, resident=resident, programme=c["programme"], **extra,
                                  icd10_code=c["icd10_code"], diagnosis_date=c["diagnosis_date"],
                                  diagnosing_institution=c["diagnosing_institution"],
                                  managing_institution=c["managing_institution"], managing_doctor=request.user,
                                  enrolled_on=c["enrolled_on"], details=raw)
        except ValidationError as exc:
            _field_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您不能以该机构的名义操作。"))
        else:
            messages.success(request, _("已纳入管理。"))
            return redirect("chronic:enrolment", e.pk)
    programme_forms = [(p, p.enrolment_form(request.POST or None, use_required_attribute=False))
                       for p in programmes.all_programmes() if p.enrolment_form is not None]
    return render(request, "chronic/enrol.html", {"form": form, "resident": resident,
                                                  "programme_forms": programme_forms})


def _raw_details_enrol(code, post) -> dict:
    prog = programmes.REGISTRY.get(code)
    if prog is None or prog.enrolment_form is None:
        return {}
    return {name: post.get(name) for name in prog.enrolment_form.base_fields if name in post}


@login_required
@require_POST
def leave(request, pk):
    e = queries.get_enrolment_for(request.user, pk)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                actions.leave_programme(request.user, e, reason=form.cleaned_data["reason"],
                                        left_on=form.cleaned_data["left_on"], note=form.cleaned_data["note"])
            messages.success(request, _("已结束管理。"))
        except ValidationError as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("chronic:enrolment", e.pk)


@login_required
@require_POST
def call(request, pk):
    e = queries.get_enrolment_for(request.user, pk)
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                actions.record_call_outcome(request.user, e, outcome=form.cleaned_data["outcome"],
                                            note=form.cleaned_data["note"])
            messages.success(request, _("已记录电话结果。"))
        except ValidationError as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/chronic/")
                    else "chronic:due")


@login_required
def screening(request):
    flags = (queries.visible_flags(request.user).filter(status=ScreeningFlag.Status.OPEN)
             .select_related("resident", "resident__area").order_by("due_on", "pk"))
    page = Paginator(flags, conf.get("PAGE_SIZE")).get_page(request.GET.get("page"))
    return render(request, "chronic/screening.html", {"page": page, "actions": labels.SCREENING_ACTIONS,
                                                      "confirm_form": ConfirmForm(user=request.user)})


@login_required
@require_POST
def screening_decide(request, pk, decision):
    flag = queries.get_flag_for(request.user, pk)
    try:
        with transaction.atomic(durable=True):
            if decision == "confirm":
                form = ConfirmForm(request.POST, user=request.user)
                if not form.is_valid():
                    raise ValidationError(form.errors)
                e = actions_screening.confirm_screening(
                    request.user, flag, managing_institution=form.cleaned_data["managing_institution"],
                    icd10_code=form.cleaned_data["icd10_code"], diagnosis_date=form.cleaned_data["diagnosis_date"])
                messages.success(request, _("已确诊并纳入管理。"))
                return redirect("chronic:enrolment", e.pk)
            if decision != "dismiss":
                raise Http404
            inst = flag.institution or acting_institutions(request.user).first()
            actions_screening.dismiss_screening(request.user, flag, institution=inst, note=request.POST.get("note", ""))
            messages.success(request, _("已排除。"))
    except ValidationError as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("chronic:screening")


@login_required
def tb_list(request):
    notes = queries.visible_notifications(request.user).select_related("resident").prefetch_related("attempts")
    now = timezone.now()
    rows = [(n, actions_tb.first_visit_status(n, now)) for n in notes.order_by("-arrived_at")[:200]]
    return render(request, "chronic/tb.html", {"rows": rows})


@login_required
@require_POST
def tb_attempt(request, pk):
    n = queries.get_notification_for(request.user, pk)
    try:
        with transaction.atomic(durable=True):
            actions_tb.record_tb_first_visit_attempt(request.user, n, succeeded=request.POST.get("succeeded") == "1",
                                                     note=request.POST.get("note", ""))
        messages.success(request, _("已记录入户。"))
    except ValidationError as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("chronic:tb")


@login_required
def programme_page(request, code):
    """One programme by township (or the county): patients under care, overdue, lost, and the rates."""
    if code not in programmes.REGISTRY or code in queries.hidden_programmes(request.user):
        raise Http404
    prog = programmes.get(code)
    from . import indicators

    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else timezone.localdate().year
    table = indicators.programme_table(request.user, code, year)
    return render(request, "chronic/programme.html", {"programme": prog, "table": table, "year": year,
                                                      "rate_names": indicators.population_rate_names(code),
                                                      "years": range(timezone.localdate().year - 2,
                                                                     timezone.localdate().year + 1)})

