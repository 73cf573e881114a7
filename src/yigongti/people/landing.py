"""The landing section of the resident record: a search box and the records in the user's scope that need
checking (no document: identifiers.md "a record without any document is allowed and flagged for duplicate
review")."""
from django.utils.translation import gettext_lazy as _

from .models import RecordStatus
from .queries import visible_residents


def my_records(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    visible = visible_residents(user).exclude(status=RecordStatus.MERGED)
    rows = list(visible.filter(status=RecordStatus.ACTIVE, needs_review=True)
                .select_related("area").order_by("-created_at", "-pk")[:5])
    if not rows and not visible.exists():
        return None
    return {
        "title": _("居民档案"),
        "template": "people/landing.html",
        "context": {"review": rows},
        "order": 20,
    }


SECTIONS = [my_records]
