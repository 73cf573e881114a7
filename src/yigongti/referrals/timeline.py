"""Referrals on the shared record's timeline (people.timeline): each referral the user may see, with its
回转单 (diagnosis found and plan) once the receiving institution completed it."""
from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from yigongti.people.timeline import Entry

from .models import Status
from .queries import visible_referrals, with_state


def referral_entries(resident, user) -> Iterable[Entry]:
    rows = (with_state(visible_referrals(user).filter(resident_id=resident.pk).exclude(status=Status.DRAFT))
            .select_related("from_institution", "to_institution").order_by("-submitted_at", "-pk")[:50])
    for r in rows:
        day = (r.completed_at or r.submitted_at or r.created_at)
        state = _("已过期") if r.state == "expired" else r.get_status_display()
        title = _("%(direction)s：%(from)s → %(to)s（%(state)s）") % {
            "direction": r.get_direction_display(), "from": r.from_institution.short_name or r.from_institution.name,
            "to": r.to_institution.short_name or r.to_institution.name, "state": state}
        detail = f"{r.number} · {r.primary_diagnosis}"
        if r.status == Status.COMPLETED:
            detail = _("回转单：%(diagnosis)s %(text)s；%(plan)s") % {
                "diagnosis": r.return_diagnosis, "text": r.return_diagnosis_text, "plan": r.return_plan[:120]}
        from django.utils import timezone

        yield Entry(timezone.localtime(day).date(), "referral", str(_("双向转诊")), str(title),
                    r.to_institution.short_name or r.to_institution.name, str(detail),
                    reverse("referrals:detail", args=[r.pk]))
