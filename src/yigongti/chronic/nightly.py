"""Nightly enrolment of the population programmes (issue 17): every night

1. enrolments of a programme with an age limit (``ProgrammeDef.leave_at_age``: children 0–6 end on the 7th
   birthday, spec §Child "0–6岁儿童健康管理" [C], ``rules.child.LEAVE_AGE_YEARS``) end, reason "aged_out",
   on that birthday, through ``actions.leave_programme``;
2. every resident a programme with ``auto_enrol`` is for (its ``eligible``: older people 常住 ≥65, children
   0–6 including newborns without an ID number) who has an active record, a managing institution (建档机构)
   and has never been in that programme is enrolled through ``actions.enrol`` — the action the pages use
   (validation, the one-active-enrolment constraint, the audit entry) — attributed to the resident's
   managing institution, enrolled on the run's day, the schedule from the programme (``enrol_defaults``).

Residents whose enrolment in the programme ended (moved and back, lost, transferred) are not re-enrolled by
the machine: a person decided that, and a person re-enrols them (the programme page's "enrol the eligible").
Residents without a managing institution are counted (``unattributed``), not enrolled.

Set-based and cheap: one query per programme picks the candidates (the eligibility filter on indexed birth
dates and a NOT EXISTS on the enrolments), never a loop over every resident. Idempotent: a second run finds
nothing to do. Resumable: it works in batches of ``limit`` state changes; the job queues a continuation with
the cursor when a batch is full, each batch commits on its own, and a failed batch is simply run again.
Run once by hand: ``yigongti chronic enrol-population [--date YYYY-MM-DD]``."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from yigongti.people.models import RecordStatus, Resident
from yigongti.rules.chronic import add_months

from . import actions, programmes
from .models import Enrolment, EnrolmentStatus, LeaveReason

BATCH = 500


def _age_limited():
    return [p for p in programmes.all_programmes() if p.leave_at_age]


def _auto():
    return [p for p in programmes.all_programmes() if p.auto_enrol and p.eligible is not None]


def aged_out(prog, today: dt.date):
    """Active enrolments of ``prog`` whose resident has reached ``prog.leave_at_age`` by ``today``."""
    return Enrolment.objects.filter(programme=prog.code, status=EnrolmentStatus.ACTIVE,
                                    resident__birth_date__lte=add_months(today, -12 * prog.leave_at_age))


def _never_enrolled(prog):
    return ~Exists(Enrolment.objects.filter(resident_id=OuterRef("pk"), programme=prog.code))


def candidates(prog, today: dt.date):
    """The residents the nightly run enrols in ``prog`` (one query; see the module's docstring)."""
    residents = Resident.objects.filter(status=RecordStatus.ACTIVE, managing_institution__isnull=False,
                                        managing_institution__active=True)
    return prog.eligible(residents, today).filter(_never_enrolled(prog))


def unattributed(prog, today: dt.date) -> int:
    residents = Resident.objects.filter(Q(managing_institution__isnull=True) | Q(managing_institution__active=False),
                                        status=RecordStatus.ACTIVE)
    return prog.eligible(residents, today).filter(_never_enrolled(prog)).count()


def run(today: dt.date | None = None, *, limit: int = BATCH, after: dict | None = None) -> dict:
    """One batch of at most ``limit`` state changes. Returns what it did, ``more`` (a further batch is due)
    and ``after`` (the cursor per programme: the last resident id tried, for the continuation)."""
    today = today or timezone.localdate()
    after = dict(after or {})
    result: dict = {"date": today.isoformat(), "ended": {}, "enrolled": {}, "failed": [], "unattributed": {},
                    "more": False, "after": after}
    budget = limit
    for prog in _age_limited():
        qs = aged_out(prog, today).select_related("resident").order_by("pk")[:budget]
        ended = 0
        for e in qs:
            birthday = add_months(e.resident.birth_date, 12 * prog.leave_at_age)
            actions.leave_programme(None, e, reason=LeaveReason.AGED_OUT, left_on=min(birthday, today),
                                    note=f"age {prog.leave_at_age}", check_acting=False)
            ended += 1
        result["ended"][prog.code] = ended
        budget -= ended
        if budget <= 0:
            result["more"] = True
            return result
    for prog in _auto():
        cursor = int(after.get(prog.code, 0))
        enrolled = 0
        qs = (candidates(prog, today).filter(pk__gt=cursor).select_related("managing_institution")
              .order_by("pk")[:budget])
        for resident in qs:
            try:
                with transaction.atomic():
                    actions.enrol(None, resident=resident, programme=prog.code,
                                  managing_institution=resident.managing_institution, enrolled_on=today,
                                  **prog.enrol_kwargs(resident, {}, today))
                enrolled += 1
            except ValidationError as exc:
                result["failed"].append({"resident_id": resident.pk, "programme": prog.code,
                                         "errors": sorted(getattr(exc, "message_dict", {"__all__": []}))})
            cursor = resident.pk
            budget -= 1
        after[prog.code] = cursor
        result["enrolled"][prog.code] = enrolled
        result["unattributed"][prog.code] = unattributed(prog, today)
        if budget <= 0:
            result["more"] = True
            return result
    return result


def run_all(today: dt.date | None = None, *, limit: int = BATCH, on_batch=None) -> dict:
    """Every batch until nothing is left, each in its own durable transaction (the command's run-once)."""
    after: dict = {}
    total: dict = {"ended": {}, "enrolled": {}, "failed": [], "unattributed": {}, "batches": 0}
    while True:
        with transaction.atomic(durable=True):
            result = run(today, limit=limit, after=after)
        total["batches"] += 1
        for key in ("ended", "enrolled"):
            for code, n in result[key].items():
                total[key][code] = total[key].get(code, 0) + n
        total["failed"] += result["failed"]
        total["unattributed"].update(result["unattributed"])
        if on_batch:
            on_batch(result)
        if not result["more"]:
            return total
        after = result["after"]
