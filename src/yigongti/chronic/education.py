"""Health education (健康教育): activities an institution holds (lectures, consultation days, materials, boards,
videos) and education given at a visit (the ``education`` field of the population programmes' visit forms),
recorded and counted. Education at a visit also counts as a service (``people.services`` kind
``health_education``) towards contracts."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for, institution_ids
from yigongti.people import services

SERVICE = "health_education"


def payload(a) -> dict:
    return {"institution_id": a.institution_id, "kind": a.kind, "held_on": a.held_on.isoformat(), "topic": a.topic,
            "audience": a.audience, "materials": a.materials}


def record_activity(actor, *, institution, kind: str, held_on: dt.date, topic: str, place: str = "",
                    audience: int = 0, materials: int = 0):
    """Record one activity (the acting institution's check, the audit entry)."""
    from .models import EducationActivity

    if actor is not None and (institution is None or not can_act_for(actor, institution.pk)):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))
    errors = {}
    if kind not in EducationActivity.Kind.values:
        errors["kind"] = [_("请选择活动形式。")]
    if not held_on:
        errors["held_on"] = [_("请填写活动日期。")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("活动日期不能晚于今天。")]
    if not (topic or "").strip():
        errors["topic"] = [_("请填写活动主题。")]
    for name, value in (("audience", audience), ("materials", materials)):
        if not isinstance(value, int) or value < 0 or value > 100000:
            errors[name] = [_("请填写0–100000的整数。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        a = EducationActivity.objects.create(
            institution=institution, kind=kind, held_on=held_on, topic=topic.strip()[:120], place=place[:120],
            audience=audience, materials=materials,
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        record_change(actor, action="create", subject=a, before=None, after=payload(a), institution_id=institution.pk)
    return a


def visible_activities(user):
    from .models import EducationActivity

    if not getattr(user, "is_authenticated", False):
        return EducationActivity.objects.none()
    return EducationActivity.objects.filter(institution_id__in=institution_ids(user))


def counts(user, year: int) -> dict:
    """Activities of the user's institutions in the year by kind (activities, audience, materials) and the
    visits with education recorded by those institutions."""
    from .models import EducationActivity, Visit

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (visible_activities(user).filter(held_on__range=(start, end)).values("kind")
            .annotate(n=Count("id"), audience=Sum("audience"), materials=Sum("materials")).order_by("kind"))
    labels = dict(EducationActivity.Kind.choices)
    by_kind = [{"kind": labels.get(r["kind"], r["kind"]), "n": r["n"], "audience": r["audience"] or 0,
                "materials": r["materials"] or 0} for r in rows]
    at_visits = Visit.objects.filter(institution_id__in=institution_ids(user), visit_date__range=(start, end)).filter(
        _education_q()).count()
    return {"by_kind": by_kind, "activities": sum(r["n"] for r in by_kind), "at_visits": at_visits}


def _education_q() -> Q:
    return Q(details__has_key="education")


def services_source(resident_ids, start: dt.date, end: dt.date):
    from .models import Visit

    rows = (Visit.objects.filter(resident_id__in=resident_ids, visit_date__range=(start, end)).filter(_education_q())
            .values("resident_id", "visit_date").annotate(n=Count("id")).values_list("resident_id", "visit_date", "n")
            .order_by())
    for rid, day, n in rows:
        yield rid, SERVICE, day, n


class ActivityForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("开展机构"), queryset=None)
    kind = forms.ChoiceField(label=_("活动形式"))
    held_on = forms.DateField(label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    topic = forms.CharField(label=_("活动主题"), max_length=120)
    place = forms.CharField(label=_("活动地点"), max_length=120, required=False)
    audience = forms.IntegerField(label=_("参与人数"), min_value=0, max_value=100000, initial=0)
    materials = forms.IntegerField(label=_("发放资料份数"), min_value=0, max_value=100000, initial=0, required=False)

    def __init__(self, *args, user=None, **kwargs):
        from .forms import acting_institutions
        from .models import EducationActivity

        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = acting_institutions(user)
        self.fields["kind"].choices = EducationActivity.Kind.choices


def register_all() -> None:
    services.register_kind(SERVICE, _("健康教育（随访中）"), app="chronic")
    services.register_source("chronic_education", services_source)


register_all()
