"""Pages of the population programmes that the chronic pages do not already cover: enrolling everyone a
population programme is for in the user's service area (older people ≥65, children 0–6) and health education
(activities recorded, counted with the education given at visits). Thin: writes through the actions."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yigongti.org.access import can_act_for, has_role

from . import education, population, programmes
from .forms import acting_institutions
from .views import WRITERS


@login_required
@require_POST
def enrol_population(request, code):
    """Enrol every eligible resident of the chosen institution's service area (the user manages them)."""
    prog = programmes.REGISTRY.get(code)
    if prog is None or not prog.population:
        raise Http404
    if not has_role(request.user, *WRITERS):
        raise PermissionDenied
    institution = acting_institutions(request.user).filter(pk=request.POST.get("institution") or 0).first()
    if institution is None or not can_act_for(request.user, institution.pk):
        raise PermissionDenied
    with transaction.atomic(durable=True):
        made = population.enrol_eligible(request.user, programme=code, institution=institution,
                                         managing_doctor=request.user)
    messages.success(request, _("已纳入%(n)s人（%(p)s）。") % {"n": len(made), "p": prog.label})
    return redirect(f"/chronic/?scope=mine&bucket=todo&programme={code}")


@login_required
def education_page(request):
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else timezone.localdate().year
    form = education.ActivityForm(request.POST or None, user=request.user,
                                  initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        if not has_role(request.user, *WRITERS):
            raise PermissionDenied
        if form.is_valid():
            c = form.cleaned_data
            try:
                with transaction.atomic(durable=True):
                    education.record_activity(request.user, institution=c["institution"], kind=c["kind"],
                                              held_on=c["held_on"], topic=c["topic"], place=c["place"],
                                              audience=c["audience"], materials=c["materials"] or 0)
            except ValidationError as exc:
                for name, msgs in exc.message_dict.items():
                    for m in msgs:
                        form.add_error(name if name in form.fields else None, m)
            except PermissionDenied:
                form.add_error("institution", _("您不能以该机构的名义操作。"))
            else:
                messages.success(request, _("已记录健康教育活动。"))
                return redirect("chronic:education")
    activities = education.visible_activities(request.user).filter(held_on__year=year).order_by("-held_on", "-pk")
    return render(request, "chronic/education.html", {
        "form": form, "activities": activities[:100], "counts": education.counts(request.user, year), "year": year,
        "population_programmes": [p for p in programmes.all_programmes() if p.population],
        "institutions": acting_institutions(request.user)})
