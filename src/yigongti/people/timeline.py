"""The shared timeline of a resident's record across institutions: encounters and exams here; later apps
(follow-ups, referrals, vaccinations, contracts) add their entries with ``register(provider)`` in their
AppConfig.ready(). A provider is ``provider(resident, user) -> iterable of Entry``; the user has already
been allowed to see the resident (get_resident_for)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    date: dt.date
    kind: str  # "encounter", "exam", …
    kind_label: str
    title: str
    institution: str = ""
    detail: str = ""
    url: str = ""


Provider = Callable[[object, object], Iterable[Entry]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def entries(resident, user, limit: int = 200) -> list[Entry]:
    found: list[Entry] = []
    for provider in _providers:
        found.extend(provider(resident, user))
    found.sort(key=lambda e: e.date, reverse=True)
    return found[:limit]


def _encounters(resident, user) -> Iterable[Entry]:
    from .models import Icd10Code

    rows = list(resident.encounters.select_related("institution", "department").order_by("-visit_date", "-pk")[:100])
    names = dict(Icd10Code.objects.filter(code__in={e.primary_diagnosis for e in rows}).values_list("code", "name"))
    for e in rows:
        dept = f" · {e.department.name}" if e.department_id else ""
        detail = _("总费用 %(total)s 元，药品费 %(drug)s 元") % {"total": e.total_cost, "drug": e.drug_cost}
        if e.discharge_date:
            detail = _("出院 %(date)s；") % {"date": e.discharge_date.isoformat()} + detail
        yield Entry(e.visit_date, "encounter", str(e.get_kind_display()),
                    f"{e.primary_diagnosis} {names.get(e.primary_diagnosis, '')}".strip(),
                    f"{e.institution.short_name or e.institution.name}{dept}", str(detail))


def _exams(resident, user) -> Iterable[Entry]:
    for x in resident.exams.select_related("institution").order_by("-exam_date", "-pk")[:50]:
        parts = []
        if x.systolic_left or x.systolic_right:
            parts.append(_("血压 %(s)s/%(d)s mmHg") % {"s": x.systolic_left or x.systolic_right,
                                                      "d": x.diastolic_left or x.diastolic_right})
        if x.fasting_glucose is not None:
            parts.append(_("空腹血糖 %(g)s mmol/L") % {"g": x.fasting_glucose})
        if x.bmi is not None:
            parts.append(_("BMI %(b)s") % {"b": x.bmi})
        yield Entry(x.exam_date, "exam", str(_("健康体检")), str(_("健康体检")),
                    x.institution.short_name or x.institution.name, "；".join(str(p) for p in parts))


register(_encounters)
register(_exams)
