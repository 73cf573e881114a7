"""Published readings on the shared record's timeline (people.timeline): the test, the centre and its
impression, linked to the report (printable on A4)."""
from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yigongti.people.timeline import Entry

from .queries import published_for_resident


def diagnostic_entries(resident, user) -> Iterable[Entry]:
    rows = list(published_for_resident(user, resident.pk).prefetch_related("reports")[:50])
    for r in rows:
        reports = sorted(r.reports.all(), key=lambda x: x.revision)
        last = reports[-1] if reports else None
        detail = (last.impression if last else "")[:160]
        if last and last.revision > 1:
            detail = _("（第%(n)s次修订）") % {"n": last.revision - 1} + detail
        yield Entry(timezone.localdate(r.published_at), "diagnostics", str(_("检查检验")),
                    f"{r.test.name}（{r.get_modality_display()}）", r.centre.name, str(detail),
                    reverse("diagnostics:detail", args=[r.pk]))
