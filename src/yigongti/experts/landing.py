"""The experts section of the role landing page: the specialist's coming sessions and waiting consultations,
and the outreach figures (this month, this year) of the user's township centres."""
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.org.access import institution_ids
from yigongti.org.models import Institution, Tier

from . import queries
from .models import ConsultationStatus, OutreachKind, SessionStatus


def experts(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    sessions = queries.sessions(specialist=user, start=today, end=today + dt.timedelta(days=7)).filter(
        status=SessionStatus.OPEN).count()
    waiting = queries.visible_consultations(user).filter(specialist=user, status=ConsultationStatus.REQUESTED).count()
    centres = list(Institution.objects.filter(pk__in=institution_ids(user), tier=Tier.TOWNSHIP).order_by("code")[:3])
    figures = []
    for centre in centres:
        month = queries.outreach_figures(institution_id=centre.pk, start=today.replace(day=1), end=today)
        year = queries.outreach_figures(institution_id=centre.pk, start=today.replace(month=1, day=1), end=today)
        figures.append({"centre": centre, "rows": [
            {"label": label, "month": month.get(code, {}), "year": year.get(code, {})}
            for code, label in OutreachKind.choices]})
    if not sessions and not waiting and not figures:
        return None
    return {"title": _("专家下沉"), "template": "experts/landing.html",
            "context": {"sessions": sessions, "waiting": waiting, "figures": figures}, "order": 35}


SECTIONS = [experts]
