from django.utils.translation import gettext_lazy as _

from .queries import todays_work


def todays_work_section(request):
    return {"title": _("今日工作"), "template": "tasks/_today.html", "context": todays_work(request.user),
            "order": 10}


SECTIONS = [todays_work_section]
