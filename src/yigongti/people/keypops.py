"""Key populations (重点人群) of a resident: derived from the birth date at a date (children 0–6, people
aged 65 and over: public-health-spec.md, the national basic public-health service groups), programme
membership through a registry later apps fill, and manual tags (ResidentTag)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Resident, ResidentTag

CHILDREN_0_6 = "children_0_6"
OLDER_65 = "older_65"
DERIVED = {CHILDREN_0_6: _("0～6岁儿童"), OLDER_65: _("65岁及以上老年人")}


def age_on(birth: dt.date, on: dt.date) -> int:
    """Full years on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def derived_q(code: str, on: dt.date | None = None) -> Q:
    """A filter for a derived population on a date (an index on birth_date serves it)."""
    on = on or timezone.localdate()
    if code == CHILDREN_0_6:  # aged 0–6: born after the 7th birthday's date
        return Q(birth_date__gt=_years_before(on, 7), birth_date__lte=on)
    if code == OLDER_65:
        return Q(birth_date__lte=_years_before(on, 65))
    raise KeyError(code)


def derived_of(resident: Resident, on: dt.date | None = None) -> list[str]:
    on = on or timezone.localdate()
    age = age_on(resident.birth_date, on)
    codes = []
    if 0 <= age <= 6:
        codes.append(CHILDREN_0_6)
    if age >= 65:
        codes.append(OLDER_65)
    return codes


@dataclass(frozen=True)
class Programme:
    code: str
    label: str  # gettext_lazy
    members: Callable[[], QuerySet]  # a QuerySet with a ``resident_id`` column of current members
    sensitive: str = ""  # "mental" / "hiv": shown only to holders of the programme role


_programmes: dict[str, Programme] = {}


def register_programme(code: str, label, members: Callable[[], QuerySet], sensitive: str = "") -> None:
    """Later apps (chronic, maternal, …) register their programme's membership in AppConfig.ready()."""
    _programmes[code] = Programme(code, label, members, sensitive)


def programmes() -> list[Programme]:
    return list(_programmes.values())


def programmes_of(resident: Resident, user=None) -> list[Programme]:
    from yigongti.org.scoping import may_see_sensitive

    found = []
    for prog in _programmes.values():
        if prog.sensitive and (user is None or not may_see_sensitive(user, prog.sensitive)):
            continue
        if prog.members().filter(resident_id=resident.pk).exists():
            found.append(prog)
    return found


@dataclass(frozen=True)
class Population:
    code: str
    label: str
    source: str  # "derived" | "programme" | "tag"


def populations_of(resident: Resident, user=None, on: dt.date | None = None) -> list[Population]:
    from yigongti.org.scoping import may_see_sensitive

    found = [Population(c, str(DERIVED[c]), "derived") for c in derived_of(resident, on)]
    found += [Population(p.code, str(p.label), "programme") for p in programmes_of(resident, user)]
    for tag in resident.tags.all():
        if tag.tag in ResidentTag.SENSITIVE and (user is None or not may_see_sensitive(user, tag.tag)):
            continue
        found.append(Population(tag.tag, tag.get_tag_display(), "tag"))
    return found
