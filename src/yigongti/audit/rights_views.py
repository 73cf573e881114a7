"""Pages for export approvals and for residents' personal-information rights requests (issue 16). Thin:
the rules live in exports.py (decide_export) and privacy.py (open_request, close_request)."""
from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yigongti.org.access import ADMINISTRATOR_ROLES, has_role, institution_ids, roles_by_institution
from yigongti.org.models import Institution
from yigongti.org.scoping import access_reason

from . import privacy
from .exports import APPROVER_ROLES, decide_export
from .models import ExportApproval, PrivacyRequest

# What a resident may be given in answer to a request (the list on the answer form).
DISCLOSABLE = [
    ("basic", gettext_lazy("基本信息")), ("contact", gettext_lazy("联系方式与住址")),
    ("exams", gettext_lazy("健康体检")), ("encounters", gettext_lazy("就诊记录")),
    ("followups", gettext_lazy("慢病随访记录")), ("contracts", gettext_lazy("家庭医生签约")),
    ("referrals", gettext_lazy("转诊记录")), ("prescriptions", gettext_lazy("处方与用药")),
    ("access_log", gettext_lazy("档案被查阅的记录")),
]


# --- export approvals ---------------------------------------------------------------------------------


@login_required
def approvals(request):
    """My own export requests, and for a security administrator or the consortium office those waiting."""
    approver = has_role(request.user, *APPROVER_ROLES)
    mine = ExportApproval.objects.filter(requested_by=request.user).order_by("-id")[:100]
    waiting = (ExportApproval.objects.filter(status=ExportApproval.Status.PENDING)
               .exclude(requested_by=request.user).select_related("requested_by").order_by("id")[:200]
               if approver else [])
    return render(request, "audit/approvals.html", {"mine": mine, "waiting": waiting, "approver": approver})


@login_required
@require_POST
def approval_decide(request, pk: int):
    approval = get_object_or_404(ExportApproval, pk=pk)
    if approval.requested_by_id == request.user.pk or not has_role(request.user, *APPROVER_ROLES):
        raise PermissionDenied
    try:
        decide_export(request.user, approval, approve=request.POST.get("decision") == "approve")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已批准") if approval.status == ExportApproval.Status.APPROVED else _("已驳回"))
    return redirect("audit:approvals")


# --- personal-information rights requests ------------------------------------------------------------------


def _handling_institutions(user):
    """Where the user handles requests: their institutions, as long as they hold a role other than the three
    separated administrators (who handle no personal data)."""
    ids = [i for i, roles in roles_by_institution(user).items() if roles - ADMINISTRATOR_ROLES]
    return Institution.objects.filter(pk__in=ids).order_by("tier", "code")


def _request_for(user, pk: int) -> PrivacyRequest:
    request = PrivacyRequest.objects.filter(pk=pk, institution__in=_handling_institutions(user)).first()
    if request is None:
        from django.http import Http404

        raise Http404
    return request


@login_required
def privacy_list(request):
    institutions = _handling_institutions(request.user)
    qs = PrivacyRequest.objects.filter(institution__in=institutions).select_related("institution")
    status = request.GET.get("status") or "open"
    if status in PrivacyRequest.Status.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    rows = list(qs.order_by("due_date", "id")[:300])
    return render(request, "audit/privacy_list.html", {
        "rows": rows, "today": today, "status": status, "statuses": PrivacyRequest.Status.choices,
        "can_open": institutions.exists(), "answer_days": privacy.answer_days(),
        "overdue": sum(1 for r in rows if r.status == PrivacyRequest.Status.OPEN and r.due_date < today),
    })


def _resident_in_scope(user, record_number: str):
    """The resident with this health-record number if the user may see their record (the same rule as every
    read), else None. Looked up by name of the model: the audit layer does not import the people app."""
    Resident = apps.get_model("people", "Resident")
    resident = Resident.objects.filter(Q(record_number=record_number.strip())).only("pk", "area_id").first()
    if resident is None or access_reason(user, resident_id=resident.pk, resident_area_id=resident.area_id) is None:
        return None
    return resident


@login_required
@require_http_methods(["GET", "POST"])
def privacy_new(request):
    institutions = _handling_institutions(request.user)
    if not institutions.exists():
        raise PermissionDenied
    errors, data = {}, request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        resident = _resident_in_scope(request.user, data.get("record_number", ""))
        institution = institutions.filter(pk=int(data["institution"])).first() \
            if (data.get("institution") or "").isdigit() else None
        if resident is None:
            errors["record_number"] = [_("未找到该健康档案，或您无权查看")]
        if institution is None:
            errors["institution"] = [_("请选择您所在的受理机构")]
        if not errors:
            try:
                made = privacy.open_request(request.user, resident_id=resident.pk, institution=institution,
                                            kind=data.get("kind", ""), details=data.get("details", ""))
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("已登记，答复期限 %(date)s") % {"date": made.due_date.isoformat()})
                return redirect("audit:privacy_detail", pk=made.pk)
    return render(request, "audit/privacy_new.html", {
        "institutions": institutions, "kinds": PrivacyRequest.Kind.choices, "errors": errors, "data": data,
        "answer_days": privacy.answer_days()})


@login_required
@require_http_methods(["GET", "POST"])
def privacy_detail(request, pk: int):
    item = _request_for(request.user, pk)
    errors = {}
    if request.method == "POST":
        labels = dict(DISCLOSABLE)
        disclosed = [str(labels[k]) for k in request.POST.getlist("disclosed") if k in labels]
        extra = (request.POST.get("disclosed_other") or "").strip()
        if extra:
            disclosed.append(extra[:100])
        try:
            privacy.close_request(request.user, item, answer=request.POST.get("answer", ""), disclosed=disclosed,
                                  refused=request.POST.get("refused") == "1")
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("已答复"))
            return redirect("audit:privacy_detail", pk=item.pk)
    Resident = apps.get_model("people", "Resident")
    resident = Resident.objects.filter(pk=item.resident_id).only("pk", "record_number").first()
    return render(request, "audit/privacy_detail.html", {
        "item": item, "resident": resident, "errors": errors, "disclosable": DISCLOSABLE,
        "overdue": item.status == PrivacyRequest.Status.OPEN and item.due_date < timezone.localdate(),
        "mine": institution_ids(request.user)})
