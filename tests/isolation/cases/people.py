"""The resident record (people): a resident of village A, registered by village A's doctor. Who sees it: the
area subtree of the user's institutions (clinic A, township centre 1), the oversight roles, and care
relationships; everybody else gets 404 and their writes change nothing."""
import datetime as dt

from yigongti.org.models import Role
from yigongti.people.models import Encounter, HealthExam, Icd10Code, Resident, ResidentMerge, ResidentTag

from ..framework import Case

OWNER = "village_doctor_a"
OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "county_specialist", "system_admin",
             "security_admin", "audit_admin")
REGISTER = {Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.INSTITUTION_ADMIN, Role.MENTAL_HEALTH, Role.HEALTH_BUREAU}
NAME = "隔离甲"


def _resident(s, attr="_people_resident", name=NAME):
    """One resident of village A per scenario (kwargs are built once per user)."""
    if not hasattr(s, attr):
        from yigongti.people import actions

        Icd10Code.objects.get_or_create(code="I10.x00", defaults={"name": "原发性高血压"})
        setattr(s, attr, actions.register_resident(
            s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name=name, sex="2",
            birth_date=dt.date(1950, 1, 1), document_type="none", phone="13812340000", force=True))
    return getattr(s, attr)


def _pk(s):
    return {"pk": _resident(s).pk}


def _version(s):
    return Resident.objects.get(pk=_resident(s).pk).version


def _status(s):
    return Resident.objects.get(pk=_resident(s).pk).status


def _tagged(s):
    from yigongti.people import actions

    r = _resident(s)
    actions.add_tag(None, r, "disabled")
    return {"pk": r.pk, "tag": "disabled"}


def _merge(s):
    from yigongti.people import actions

    if not hasattr(s, "_people_merge"):
        s._people_merge = actions.merge_residents(None, _resident(s), _resident(s, "_people_dup", "隔离乙"), "重复")
    return {"pk": s._people_merge.pk}


def _scoped(**kw):
    return Case.scoped(owner=OWNER, outsiders=OUTSIDERS, **kw)


CASES = {
    "people:list": _scoped(hidden=lambda s: _resident(s).name),
    # people:export (export control, issue 16): tests/isolation/cases/security.py
    "people:new": Case.roles(REGISTER),
    "people:detail": _scoped(kwargs=_pk),
    "people:edit": _scoped(kwargs=_pk),
    "people:move": _scoped(kwargs=_pk, method="POST", payload=lambda s: {"moved_on": "2025-01-01",
                                                                        "version": _version(s)}, snapshot=_status),
    "people:death": _scoped(kwargs=_pk, method="POST", payload=lambda s: {"death_date": "2025-01-01",
                                                                         "version": _version(s)}, snapshot=_status),
    "people:tag": _scoped(kwargs=_pk, method="POST", payload=lambda s: {"tag": "disabled"},
                          snapshot=lambda s: ResidentTag.objects.filter(resident=_resident(s)).count()),
    "people:untag": _scoped(kwargs=_tagged, method="POST",
                            snapshot=lambda s: ResidentTag.objects.filter(resident=_resident(s)).count()),
    "people:merge": _scoped(kwargs=_pk, method="POST",
                            payload=lambda s: {"other": _resident(s, "_people_dup", "隔离乙").record_number,
                                               "reason": "重复"},
                            snapshot=lambda s: Resident.objects.get(pk=_resident(s, "_people_dup", "隔离乙").pk).status),
    "people:merge_undo": _scoped(kwargs=_merge, method="POST",
                                 snapshot=lambda s: ResidentMerge.objects.get(pk=s._people_merge.pk).undone_at),
    "people:exam_new": _scoped(kwargs=_pk, method="POST",
                               payload=lambda s: {"institution": s.clinic_a.pk, "exam_date": "2025-03-01",
                                                  "height": "160", "weight": "60"},
                               snapshot=lambda s: HealthExam.objects.count()),
    "people:encounter_new": _scoped(kwargs=_pk, method="POST",
                                    payload=lambda s: {"institution": s.clinic_a.pk, "kind": "outpatient",
                                                       "visit_date": "2025-03-01", "primary_diagnosis": "I10.x00",
                                                       "total_cost": "10", "drug_cost": "0",
                                                       "consumables_cost": "0", "medical_service_income": "0",
                                                       "insurance_paid": "0"},
                                    snapshot=lambda s: Encounter.objects.count()),
    "api:resident-list": _scoped(hidden=lambda s: _resident(s).name, api=True),
    "api:resident-detail": _scoped(kwargs=_pk, api=True),
    "api:exam-list": _scoped(hidden=lambda s: str(_exam(s).exam_date), api=True),
    "api:exam-detail": _scoped(kwargs=lambda s: {"pk": _exam(s).pk}, api=True),
    "api:encounter-list": _scoped(hidden=lambda s: _encounter(s).primary_diagnosis, api=True),
    "api:encounter-detail": _scoped(kwargs=lambda s: {"pk": _encounter(s).pk}, api=True),
}


def _exam(s):
    from yigongti.people import actions

    if not hasattr(s, "_people_exam"):
        s._people_exam = actions.record_exam(s.village_doctor_a, institution=s.clinic_a, resident=_resident(s),
                                             exam_date=dt.date(2024, 11, 23))
    return s._people_exam


def _encounter(s):
    from yigongti.people import actions

    if not hasattr(s, "_people_encounter"):
        s._people_encounter = actions.record_encounter(
            s.village_doctor_a, institution=s.clinic_a, resident=_resident(s), kind="outpatient",
            visit_date=dt.date(2024, 11, 23), primary_diagnosis="I10.x00", total_cost="12")
    return s._people_encounter


def _household_of(s):
    return Resident.objects.get(pk=_resident(s).pk).household_id


def _joinable(s):
    """A household of village A to join (headed by another village A resident)."""
    from yigongti.people import actions

    if not hasattr(s, "_people_home"):
        s._people_home = actions.create_household(None, _resident(s, "_people_head", "隔离户主"))
    return {"number": s._people_home.number, "relation_to_head": "spouse", "version": _version(s)}


def _in_a_household(s):
    from yigongti.people import actions

    r = _resident(s)
    if Resident.objects.get(pk=r.pk).household_id is None:
        actions.create_household(None, r)
    return {"pk": r.pk}


CASES.update({
    "people:household_new": _scoped(kwargs=_pk, method="POST", payload=lambda s: {}, snapshot=_household_of),
    "people:household_join": _scoped(kwargs=_pk, method="POST", payload=_joinable, snapshot=_household_of),
    "people:household_leave": _scoped(kwargs=_in_a_household, method="POST", payload=lambda s: {},
                                      snapshot=_household_of),
})


def _batch(s):
    """An upload by village A's doctor for clinic A: visible to its uploader only."""
    from yigongti.people.importing import start_import

    if not hasattr(s, "_people_batch"):
        s._people_batch = start_import(s.village_doctor_a, kind="residents", institution=s.clinic_a,
                                       filename="r.csv", data="姓名,村/社区\n某某,桃源村\n".encode())
    return {"batch": s._people_batch.pk}


IMPORTERS = frozenset(Role.values) - {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
CASES.update({
    "people:import_upload": Case.roles(IMPORTERS),
    "people:import_template": Case.signed_in(kwargs=lambda s: {"kind": "residents"}),
    "people:import_status": _scoped(kwargs=_batch),
    "people:import_progress": _scoped(kwargs=_batch),
    "people:import_errors": _scoped(kwargs=_batch),
})
