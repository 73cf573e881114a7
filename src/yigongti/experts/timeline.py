"""Expert bookings and remote consultations on the shared record's timeline (people.timeline): a booking
with its session; a consultation with the specialist's written answer once given."""
from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yigongti.people.timeline import Entry

from .models import ConsultationStatus
from .queries import visible_bookings, visible_consultations


def expert_entries(resident, user) -> Iterable[Entry]:
    rows = (visible_bookings(user).filter(resident_id=resident.pk).select_related("session", "session__institution",
                                                                                  "session__specialist")
            .order_by("-session__date")[:30])
    for b in rows:
        s = b.session
        inst = s.institution.short_name or s.institution.name
        title = _("专家门诊预约：%(clinic)s %(specialty)s（%(state)s）") % {
            "clinic": s.clinic, "specialty": s.specialty, "state": b.get_status_display()}
        detail = f"{s.get_half_day_display()} {s.start_time:%H:%M}–{s.end_time:%H:%M}"
        if s.specialist_id:
            detail += f" · {s.specialist.display_name}"
        yield Entry(s.date, "expert_booking", str(_("专家下沉")), str(title), inst, detail,
                    reverse("experts:session", args=[s.pk]))
    for c in (visible_consultations(user).filter(resident_id=resident.pk).select_related("specialist",
                                                                                       "specialist_institution")
              .order_by("-created_at")[:30]):
        day = timezone.localtime(c.answered_at or c.created_at).date()
        title = _("远程会诊（%(mode)s，%(state)s）：%(doctor)s") % {
            "mode": c.get_mode_display(), "state": c.get_status_display(), "doctor": c.specialist.display_name}
        detail = c.answer[:200] if c.status == ConsultationStatus.ANSWERED else c.question[:120]
        if c.status == ConsultationStatus.ANSWERED and c.video_call:
            detail = _("（已视频通话）") + detail
        yield Entry(day, "consultation", str(_("远程会诊")), str(title),
                    c.specialist_institution.short_name or c.specialist_institution.name, str(detail),
                    reverse("experts:consultation", args=[c.pk]))



