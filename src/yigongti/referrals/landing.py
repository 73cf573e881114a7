"""The referral section of the role landing page: referrals waiting for the user's institutions (to accept,
to receive, to approve) and the free reserved beds of their institutions."""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Status
from .queries import expired_q, free_beds, member_institution_ids, visible_referrals


def waiting(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    ids = member_institution_ids(user)
    if not ids:
        return None
    qs = visible_referrals(user).exclude(expired_q())
    incoming = qs.filter(to_institution_id__in=ids, status__in=[Status.SUBMITTED, Status.ACCEPTED]).count()
    pending = qs.filter(Q(from_institution_id__in=ids), status=Status.PENDING_APPROVAL).count()
    beds = sum(free_beds(i).count() for i in ids)
    if not incoming and not pending and not beds:
        return None
    return {"title": _("双向转诊"), "template": "referrals/landing.html",
            "context": {"incoming": incoming, "pending": pending, "beds": beds}, "order": 30}


SECTIONS = [waiting]
