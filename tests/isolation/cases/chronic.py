"""Chronic programmes: village doctor A manages a hypertension patient of village A (clinic A); the mental-health
doctor of centre 1 manages a severe-mental-disorder patient (sensitive: needs the programme role even inside the
area); a TB notification and a screening flag in village A. Other villages and the other township get 404 and their
writes change nothing; a township doctor without the 精防 role sees no SMI row or record."""
from yigongti.chronic.models import CallOutcome, Enrolment, FirstVisitAttempt, ScreeningFlag, Visit

from ..framework import Case

FAR = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "system_admin", "security_admin",
       "audit_admin")
HT_NAME = "隔离慢病甲"
SMI_NAME = "隔离精障乙"
FLAG_NAME = "隔离筛查丙"
TB_ID = "TB-ISO-0001"


def _ht(s):
    if not hasattr(s, "_chr_ht"):
        import datetime as dt

        from tests.chronic import helpers

        s._chr_ht = helpers.enrolment(s, name=HT_NAME)
        s._chr_visit, _ = helpers.followup(s, s._chr_ht, visit_date=dt.date(2026, 11, 2))
    return s._chr_ht


def _smi(s):
    if not hasattr(s, "_chr_smi"):
        from tests.chronic import helpers

        s._chr_smi = helpers.enrolment(s, programme="mental", name=SMI_NAME)
    return s._chr_smi


def _flag(s):
    if not hasattr(s, "_chr_flag"):
        import datetime as dt

        from tests.chronic import helpers
        from yigongti.people import actions

        r = helpers.resident(s, name=FLAG_NAME, born=dt.date(1970, 1, 1))
        actions.record_exam(s.village_doctor_a, institution=s.clinic_a, resident=r, exam_date=dt.date(2026, 11, 1),
                            systolic_left=150, diastolic_left=95)
        s._chr_flag = ScreeningFlag.objects.get(resident=r)
    return s._chr_flag


def _tb(s):
    if not hasattr(s, "_chr_tb"):
        import datetime as dt

        from tests.chronic import helpers
        from yigongti.chronic.actions_tb import import_tb_notification

        r = helpers.resident(s, name="隔离结核丁")
        s._chr_tb = import_tb_notification(s.village_doctor_a, external_id=TB_ID, resident=r,
                                           arrived_at=dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC),
                                           regimen="2HRZE/4HR", treatment_start=dt.date(2026, 11, 18),
                                           supervision="family", managing_institution=s.clinic_a)
    return s._chr_tb


def _followup_payload(s):
    return {"visit_date": "2026-11-20", "mode": "clinic", "institution": s.clinic_a.pk, "systolic": "150",
            "diastolic": "95"}


def _ht_case(**kw):
    return Case.scoped(owner="village_doctor_a", outsiders=FAR, **kw)


def _ht_write(**kw):
    return Case.scoped(owner="village_doctor_a", outsiders=(*FAR, "township_doctor"), **kw)


def _smi_case(**kw):
    return Case.scoped(owner="mental_health_doctor", outsiders=(*FAR, "township_doctor", "village_doctor_a"), **kw)


def _elder(s):
    """An older resident of village A not yet in the older-people programme (issue 17)."""
    if not hasattr(s, "_chr_elder"):
        import datetime as dt

        from tests.chronic import helpers

        s._chr_elder = helpers.resident(s, name="隔离老人戊", born=dt.date(1945, 5, 5))
    return s._chr_elder


def _older_count(s):
    return Enrolment.objects.filter(programme="older").count()


def _education_payload(s):
    from django.utils import timezone

    return {"institution": s.clinic_a.pk, "kind": "lecture", "held_on": timezone.localdate().isoformat(),
            "topic": "隔离宣教", "audience": "12"}


def _education_count(s):
    from yigongti.chronic.models import EducationActivity

    return EducationActivity.objects.count()


CASES = {
    "chronic:due": _smi_case(query=lambda s: "scope=county&bucket=all&programme=" + _smi(s).programme,
                             hidden=lambda s: SMI_NAME),
    "chronic:enrolment": _smi_case(kwargs=lambda s: {"pk": _smi(s).pk}),
    "chronic:enrol": _ht_case(query=lambda s: f"resident={_ht(s).resident_id}"),
    "chronic:followup_new": _ht_write(kwargs=lambda s: {"pk": _ht(s).pk}, method="POST", payload=_followup_payload,
                                      snapshot=lambda s: Visit.objects.count(), readers=("township_doctor",)),
    "chronic:followup_preview": _ht_case(kwargs=lambda s: {"pk": _ht(s).pk}, method="POST",
                                         payload=_followup_payload),
    "chronic:leave": _ht_write(kwargs=lambda s: {"pk": _ht(s).pk}, method="POST",
                               payload=lambda s: {"reason": "moved", "left_on": "2026-11-20"},
                               snapshot=lambda s: Enrolment.objects.get(pk=_ht(s).pk).status),
    "chronic:call": _ht_write(kwargs=lambda s: {"pk": _ht(s).pk}, method="POST",
                              payload=lambda s: {"outcome": "no_answer"}, snapshot=lambda s: CallOutcome.objects.count()),
    "chronic:visit": _ht_case(kwargs=lambda s: (_ht(s), {"pk": s._chr_visit.pk})[1]),
    "chronic:screening": _ht_case(hidden=lambda s: (_flag(s), FLAG_NAME)[1]),
    "chronic:screening_decide": _ht_write(kwargs=lambda s: {"pk": _flag(s).pk, "decision": "dismiss"}, method="POST",
                                          payload=lambda s: {"note": "白大衣高血压"},
                                          snapshot=lambda s: ScreeningFlag.objects.get(pk=_flag(s).pk).status),
    "chronic:tb": _ht_case(hidden=lambda s: (_tb(s), TB_ID)[1]),
    "chronic:tb_attempt": _ht_write(kwargs=lambda s: {"pk": _tb(s).pk}, method="POST",
                                    payload=lambda s: {"succeeded": "1"},
                                    snapshot=lambda s: FirstVisitAttempt.objects.count()),
    "chronic:programme": Case.signed_in(kwargs=lambda s: {"code": "hypertension"},
                                        note="aggregates by area; patient counts only through the user's scope"),
    "chronic:import": Case.signed_in(note="redirects to people's import page, which decides who may upload"),
    "chronic:education": _ht_write(method="POST", payload=_education_payload, snapshot=_education_count),
    "chronic:enrol_population": _ht_write(kwargs=lambda s: (_elder(s), {"code": "older"})[1], method="POST",
                                          payload=lambda s: {"institution": s.clinic_a.pk}, snapshot=_older_count),
    "api:enrolment-list": _smi_case(api=True, hidden=lambda s: (_smi(s), SMI_NAME)[1]),
    "api:enrolment-detail": _smi_case(api=True, kwargs=lambda s: {"pk": _smi(s).pk}),
    "api:followup-list": _ht_case(api=True, hidden=lambda s: (_ht(s), f'"id":{s._chr_visit.pk},')[1]),
    "api:followup-detail": _ht_case(api=True, kwargs=lambda s: (_ht(s), {"pk": s._chr_visit.pk})[1]),
    "api:followup-due": _smi_case(api=True, query=lambda s: "scope=county&bucket=all&programme=mental",
                                  hidden=lambda s: (_smi(s), SMI_NAME)[1]),
}
