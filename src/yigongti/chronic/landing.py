"""The landing section of the programme engine: the doctor's own follow-ups due or overdue today."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .queries import due_list


def my_followups(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    todo = due_list(user, scope="mine", bucket="todo", today=today)
    total = todo.count()
    if not total:
        return None
    return {"title": _("今日随访"), "template": "chronic/landing.html", "order": 15,
            "context": {"total": total, "overdue": due_list(user, scope="mine", bucket="overdue", today=today).count(),
                        "rows": list(todo[:5])}}


SECTIONS = [my_followups]
