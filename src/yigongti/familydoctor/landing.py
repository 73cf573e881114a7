"""The family-doctor section of the role landing page: for members of a team, its contracts in force, those
expiring this month and those whose items fall behind are one click away."""
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Contract, ContractStatus
from .queries import teams_of_user


def month_end(today: dt.date) -> dt.date:
    return (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def my_teams(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    teams = list(teams_of_user(user).order_by("pk")[:5])
    if not teams:
        return None
    today = timezone.localdate()
    active = Contract.objects.filter(team__in=teams, status=ContractStatus.ACTIVE)
    rows = [{"team": t, "active": active.filter(team=t).count(),
             "expiring": active.filter(team=t, end_date__lte=month_end(today)).count()} for t in teams]
    return {"title": _("家庭医生签约"), "template": "familydoctor/landing.html", "context": {"rows": rows},
            "order": 25}


SECTIONS = [my_teams]
