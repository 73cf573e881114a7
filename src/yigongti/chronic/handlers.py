"""Event handlers of the programme engine (subscribed in ChronicConfig.ready(); listed in docs/architecture.md)."""
from __future__ import annotations

from yigongti import events

from .actions import leave_programme
from .models import Enrolment, EnrolmentStatus, LeaveReason, MergeRecord, Notification, ScreeningFlag, Visit

__all__ = ["on_resident_died", "on_resident_moved_away", "on_residents_merged", "on_residents_unmerged"]


def _close_all(resident_id: int, reason: str, on) -> None:
    for e in Enrolment.objects.filter(resident_id=resident_id, status=EnrolmentStatus.ACTIVE):
        leave_programme(None, e, reason=reason, left_on=on, check_acting=False)
    ScreeningFlag.objects.filter(resident_id=resident_id, status=ScreeningFlag.Status.OPEN).update(
        status=ScreeningFlag.Status.DISMISSED, note=reason)


def on_resident_died(event: events.ResidentDied) -> None:
    """ResidentDied → every active enrolment ends with reason "died" on the date of death."""
    _close_all(event.resident_id, LeaveReason.DIED, event.date_of_death)


def on_resident_moved_away(event: events.ResidentMovedAway) -> None:
    """ResidentMovedAway → every active enrolment ends with reason "moved"."""
    _close_all(event.resident_id, LeaveReason.MOVED, event.moved_on)


def on_residents_merged(event: events.ResidentsMerged) -> None:
    """Re-point enrolments, visits, flags and notifications of the merged record to the kept one; where both
    had an active enrolment in one programme, the merged one ends ("transferred") so the constraint holds.
    What moved is recorded in MergeRecord for the undo."""
    kept, merged = event.kept_id, event.merged_id
    kept_active = set(Enrolment.objects.filter(resident_id=kept, status=EnrolmentStatus.ACTIVE)
                      .values_list("programme", flat=True))
    closed = []
    for e in Enrolment.objects.filter(resident_id=merged, status=EnrolmentStatus.ACTIVE, programme__in=kept_active):
        leave_programme(None, e, reason=LeaveReason.TRANSFERRED, note="merged", check_acting=False)
        closed.append(e.pk)
    moved = {
        "enrolments": list(Enrolment.objects.filter(resident_id=merged).values_list("pk", flat=True)),
        "visits": list(Visit.objects.filter(resident_id=merged).values_list("pk", flat=True)),
        "flags": list(ScreeningFlag.objects.filter(resident_id=merged).values_list("pk", flat=True)),
        "notifications": list(Notification.objects.filter(resident_id=merged).values_list("pk", flat=True)),
        "closed": closed,
    }
    ScreeningFlag.objects.filter(resident_id=merged, status=ScreeningFlag.Status.OPEN, condition__in=list(
        ScreeningFlag.objects.filter(resident_id=kept, status="open").values_list("condition", flat=True))).update(
        status=ScreeningFlag.Status.DISMISSED, note="merged")
    Enrolment.objects.filter(pk__in=moved["enrolments"]).update(resident_id=kept)
    Visit.objects.filter(pk__in=moved["visits"]).update(resident_id=kept)
    ScreeningFlag.objects.filter(pk__in=moved["flags"]).update(resident_id=kept)
    Notification.objects.filter(pk__in=moved["notifications"]).update(resident_id=kept)
    MergeRecord.objects.update_or_create(merge_id=event.merge_id, defaults={"moved": moved})


def on_residents_unmerged(event: events.ResidentsUnmerged) -> None:
    """Put back what the merge moved (enrolments closed by the merge stay closed, with their reason)."""
    record = MergeRecord.objects.filter(merge_id=event.merge_id).first()
    if record is None:
        return
    moved, kept, restored = record.moved, event.kept_id, event.restored_id
    Enrolment.objects.filter(pk__in=moved.get("enrolments", []), resident_id=kept).update(resident_id=restored)
    Visit.objects.filter(pk__in=moved.get("visits", []), resident_id=kept).update(resident_id=restored)
    ScreeningFlag.objects.filter(pk__in=moved.get("flags", []), resident_id=kept).update(resident_id=restored)
    Notification.objects.filter(pk__in=moved.get("notifications", []), resident_id=kept).update(resident_id=restored)


