"""The pharmacy section of the role landing page: for the institutions a user acts for, items below their
threshold, replenishment requests to send and prescriptions waiting for the user's review."""
from django.utils.translation import gettext_lazy as _

from .models import RequestStatus
from .queries import acting_institutions, low_stock, replenishments, review_queue


def waiting(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    institutions = list(acting_institutions(user)[:5])
    if not institutions:
        return None
    low = sum(len(low_stock(user, inst)) for inst in institutions)
    to_send = replenishments(user).filter(status=RequestStatus.REQUESTED,
                                          supplier__in=[i.pk for i in institutions]).count()
    to_review = review_queue(user).count()
    if not (low or to_send or to_review):
        return None
    return {"title": _("药械统一"), "template": "pharmacy/landing.html",
            "context": {"low": low, "to_send": to_send, "to_review": to_review,
                        "institution": institutions[0].pk}, "order": 45}


SECTIONS = [waiting]
