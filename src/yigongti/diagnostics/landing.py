"""The diagnostics section of the role landing page: critical values waiting for the user's acknowledgement
(first, in red) and the reader's worklist size."""
from django.utils.translation import gettext_lazy as _

from .queries import open_criticals_for, reader_centres, worklist


def waiting(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    criticals = open_criticals_for(user).count()
    to_read = worklist(user).filter(status="requested").count() if reader_centres(user).exists() else 0
    if not criticals and not to_read:
        return None
    return {"title": _("检查检验"), "template": "diagnostics/landing.html",
            "context": {"criticals": criticals, "to_read": to_read}, "order": 25}


SECTIONS = [waiting]
