"""Audit log (auditor only), break-glass (in one's own institution's name only) and the inbox."""
from yigongti.audit.log import record_read
from yigongti.audit.models import BreakGlassGrant
from yigongti.org.models import Role
from yigongti.tasks.actions import create_task
from yigongti.tasks.models import Task

from ..framework import Case

AUDITOR = {Role.AUDIT_ADMIN}
OTHERS = ("village_doctor_b", "village_doctor_c", "township_doctor", "other_township_doctor", "county_specialist",
          "consortium_office", "system_admin", "audit_admin")


def _task(s):
    return {"pk": create_task(title="随访", assignee=s.village_doctor_a).pk}


def _entry(s):
    return {"pk": record_read(s.township_doctor, subject=s.village_a, reason="area").pk}


CASES = {
    "audit:list": Case.roles(AUDITOR),
    "audit:export": Case.roles(AUDITOR),
    "api:auditentry-list": Case.roles(AUDITOR, api=True),
    "api:auditentry-detail": Case.roles(AUDITOR, kwargs=_entry, api=True),
    # Break-glass in clinic A's name: only clinic A's doctor; anyone else's request creates no grant.
    "audit:break_glass": Case.scoped(
        owner="village_doctor_a", outsiders=OTHERS + ("security_admin",), method="POST",
        payload=lambda s: {"resident": "9001", "institution": s.clinic_a.pk, "reason": "夜间急诊需查过敏史"},
        snapshot=lambda s: BreakGlassGrant.objects.filter(resident_id=9001).count()),
    "tasks:list": Case.signed_in(),
    "tasks:complete": Case.scoped(owner="village_doctor_a", outsiders=OTHERS, kwargs=_task, method="POST",
                                  payload=lambda s: {}, snapshot=lambda s: sorted(
                                      Task.objects.values_list("id", "state"))),
    "api:task-list": Case.scoped(owner="village_doctor_a", outsiders=OTHERS, api=True,
                                 hidden=lambda s: create_task(title="村医甲的随访任务",
                                                              assignee=s.village_doctor_a).title),
    "api:task-detail": Case.scoped(owner="village_doctor_a", outsiders=OTHERS, kwargs=_task, api=True),
    "api:task-complete": Case.scoped(owner="village_doctor_a", outsiders=OTHERS, kwargs=_task, method="POST",
                                     payload=lambda s: {}, api=True,
                                     snapshot=lambda s: sorted(Task.objects.values_list("id", "state"))),
}
