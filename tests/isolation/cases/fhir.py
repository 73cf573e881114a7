"""FHIR (/fhir/): a resident of village A with a blood pressure, an encounter and its diagnosis, made through
the people actions by village A's doctor. Reads and searches go through people.queries like the pages: the
owner sees them, outsiders get 404 and searches without them. Structure (Organization, Practitioner,
PractitionerRole) is for every signed-in user; an export's status and files only for whoever asked.
Writes (create, update, transaction) by an outsider in clinic A's name are the ATTACKS at the end of this
module (JSON bodies, with village A's doctor as the control)."""
import datetime as dt

from yigongti.people.models import Icd10Code

from ..framework import Case

OWNER = "village_doctor_a"
OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "county_specialist", "system_admin",
             "security_admin", "audit_admin")
NAME = "隔离丙"


def _resident(s):
    if not hasattr(s, "_fhir_resident"):
        from yigongti.people import actions

        s._fhir_resident = actions.register_resident(
            s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name=NAME, sex="1",
            birth_date=dt.date(1952, 5, 6), document_type="none", phone="13812349999", force=True)
    return s._fhir_resident


def _measurement(s):
    if not hasattr(s, "_fhir_measurement"):
        from django.utils import timezone

        from yigongti.people.measurements import record_measurement

        s._fhir_measurement, _created = record_measurement(
            s.village_doctor_a, institution=s.clinic_a, resident=_resident(s), code="85354-9",
            measured_at=timezone.now() - dt.timedelta(hours=2), systolic=151, diastolic=96)
    return s._fhir_measurement


def _encounter(s):
    if not hasattr(s, "_fhir_encounter"):
        from yigongti.people import actions

        Icd10Code.objects.get_or_create(code="I10.x00", defaults={"name": "原发性高血压"})
        s._fhir_encounter = actions.record_encounter(
            s.village_doctor_a, institution=s.clinic_a, resident=_resident(s), kind="outpatient",
            visit_date=dt.date(2026, 11, 2), primary_diagnosis="I10.x00", total_cost="15")
    return s._fhir_encounter


def _job(s, run=False):
    if not hasattr(s, "_fhir_job"):
        from yigongti.fhir.export import kick_off

        s._fhir_job = kick_off(s.village_doctor_a, level="system", types="Organization", purpose="核对")
    if run:
        from yigongti.jobs.queue import run_pending

        run_pending()
    return s._fhir_job


def _scoped(**kw):
    return Case.scoped(owner=OWNER, outsiders=OUTSIDERS, api=True, **kw)


def _signed_in(**kw):
    return Case.signed_in(api=True, **kw)


CASES = {
    "fhir:metadata": Case.public(note="the CapabilityStatement is public"),
    "fhir:root": Case.public(note="GET answers the CapabilityStatement; POST (transaction) needs a token: "
                                  "tests/fhir/test_transaction_is_all_or_nothing.py"),
    "fhir:Patient-type": _scoped(hidden=lambda s: _resident(s).name),
    "fhir:Patient-instance": _scoped(kwargs=lambda s: {"resource_id": str(_resident(s).pk)}),
    "fhir:Observation-type": _scoped(hidden=lambda s: f'"m-{_measurement(s).pk}"'),
    "fhir:Observation-instance": _scoped(kwargs=lambda s: {"resource_id": f"m-{_measurement(s).pk}"}),
    "fhir:Encounter-type": _scoped(hidden=lambda s: f'"id": "{_encounter(s).pk}"'),
    "fhir:Encounter-instance": _scoped(kwargs=lambda s: {"resource_id": str(_encounter(s).pk)}),
    "fhir:Condition-type": _scoped(hidden=lambda s: f"enc-{_encounter(s).pk}-0",
                                   query=lambda s: f"patient={_resident(s).pk}"),
    "fhir:Condition-instance": _scoped(kwargs=lambda s: {"resource_id": f"enc-{_encounter(s).pk}-0"}),
    "fhir:Organization-type": _signed_in(),
    "fhir:Organization-instance": _signed_in(kwargs=lambda s: {"resource_id": str(s.clinic_a.pk)}),
    "fhir:Practitioner-type": _signed_in(),
    "fhir:Practitioner-instance": _signed_in(kwargs=lambda s: {"resource_id": str(s.township_doctor.pk)}),
    "fhir:PractitionerRole-type": _signed_in(),
    "fhir:PractitionerRole-instance": _signed_in(
        kwargs=lambda s: {"resource_id": str(s.township_doctor.memberships.get().pk)}),
    # fhir:export and fhir:patient-export (export control, issue 16): tests/isolation/cases/security.py
    "fhir:export-status": _scoped(kwargs=lambda s: {"job_id": _job(s).pk}),
    "fhir:export-file": _scoped(kwargs=lambda s: {"job_id": _job(s, run=True).pk, "name": "Organization"}),
}


def _referral(s):
    if not hasattr(s, "_fhir_referral"):
        from tests.referrals import helpers

        helpers.icd()
        s._fhir_referral = helpers.submitted(s, patient=_resident(s))
    return s._fhir_referral


def _add_referral_cases():
    """ServiceRequest and Task exist once the referrals app provides its queries (fhir/kinds/referral.py). A
    submitted up-referral from township centre 1 for a village A resident: the sender, the receiving county
    hospital and village A's clinic see it; other villages and townships do not."""
    from yigongti.fhir import registry

    if registry.get("Task") is None:
        return
    outsiders = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "system_admin", "security_admin",
                 "audit_admin")
    for kind in ("ServiceRequest", "Task"):
        CASES[f"fhir:{kind}-type"] = Case.scoped(owner=OWNER, outsiders=outsiders, api=True,
                                                 hidden=lambda s: _referral(s).number)
        CASES[f"fhir:{kind}-instance"] = Case.scoped(owner=OWNER, outsiders=outsiders, api=True,
                                                     kwargs=lambda s: {"resource_id": str(_referral(s).pk)})


_add_referral_cases()


def _enrolment(s):
    if not hasattr(s, "_fhir_enrolment"):
        from tests.chronic import helpers

        helpers.icd()
        s._fhir_enrolment = helpers.enrolment(s, patient=_resident(s))
    return s._fhir_enrolment


def _add_programme_cases():
    """CarePlan exists once the chronic app provides its queries (fhir/kinds/chronic.py): a village A resident's
    hypertension plan, seen by clinic A and township centre 1, not by other villages or townships."""
    from yigongti.fhir import registry

    if registry.get("CarePlan") is None:
        return
    CASES["fhir:CarePlan-type"] = _scoped(hidden=lambda s: f'"id": "{_enrolment(s).pk}"')
    CASES["fhir:CarePlan-instance"] = _scoped(kwargs=lambda s: {"resource_id": str(_enrolment(s).pk)})


_add_programme_cases()


def _team(s):
    if not hasattr(s, "_fhir_team"):
        from yigongti.familydoctor import actions

        s._fhir_team = actions.create_team(None, institution=s.centre_1, name="隔离团队", leader=s.township_doctor,
                                           areas=[s.village_a])
        actions.add_member(None, s._fhir_team, user=s.village_doctor_a, institution=s.clinic_a,
                           role="village_doctor")
    return s._fhir_team


def _add_team_cases():
    """CareTeam exists once the familydoctor app provides its queries (fhir/kinds/careteam.py): a team of
    township centre 1 serving village A, with village A's doctor as a member."""
    from yigongti.fhir import registry

    if registry.get("CareTeam") is None:
        return
    CASES["fhir:CareTeam-type"] = _scoped(hidden=lambda s: _team(s).name)
    CASES["fhir:CareTeam-instance"] = _scoped(kwargs=lambda s: {"resource_id": str(_team(s).pk)})


_add_team_cases()


# --- attacks: FHIR writes in another institution's name or on its data (issue 16) ---------------------------
# Village B's doctor (clinic B, township centre 1's other village) creates, updates and posts a transaction for
# village A's resident or in clinic A's name; nothing is saved. Village A's doctor sends the very same request
# and it is saved (the control), so the refusals are not a broken body.

from ..framework import Attack  # noqa: E402

FHIR_JSON = "application/fhir+json"
INTRUDER = "village_doctor_b"


def _read(s, resource_type, resource_id):
    from yigongti.fhir import registry

    return registry.get(resource_type).read(s.village_doctor_a, resource_id)


def _renamed_patient(s):
    resource = _read(s, "Patient", str(_resident(s).pk))
    resource.pop("meta", None)
    resource["name"] = [{"use": "official", "text": "被改名"}]
    return resource


def _resident_name(s):
    from yigongti.people.models import Resident

    return Resident.objects.get(pk=_resident(s).pk).name


def _bp(s, systolic=150, diastolic=95, org=None):
    from tests.fhir.conftest import blood_pressure

    return blood_pressure(f"Patient/{_resident(s).pk}", systolic=systolic, diastolic=diastolic, org=org)


def _measurements(s):
    from yigongti.people.models import Measurement

    return sorted(Measurement.objects.values_list("pk", "systolic", "diastolic"))


def _corrected_bp(s):
    resource = _bp(s, systolic=142, diastolic=90)
    resource["id"] = f"m-{_measurement(s).pk}"
    resource["effectiveDateTime"] = _measurement(s).measured_at.isoformat()
    return resource


def _encounter_resource(s):
    from tests.fhir.test_encounter_and_condition import encounter

    return encounter(_resident(s).pk, s.clinic_a, number="ISO-HIS-1")


def _encounters(s):
    from yigongti.people.models import Encounter

    return sorted(Encounter.objects.values_list("pk", "total_cost", "version"))


def _changed_encounter(s):
    from tests.fhir.test_encounter_and_condition import encounter

    resource = encounter(_resident(s).pk, s.clinic_a, number=None, start="2026-11-02", total="999")
    resource["id"] = str(_encounter(s).pk)
    return resource


def _transaction(s):
    from tests.fhir.conftest import patient, transaction

    new = patient(s, name="冒名建档", phone="13900002222")
    new.pop("identifier")
    return transaction(("POST", "Patient", new, "urn:uuid:0d4b8c7e-0000-4000-8000-000000000001"),
                       ("POST", "Observation", {**_bp(s), "subject": {
                           "reference": "urn:uuid:0d4b8c7e-0000-4000-8000-000000000001"}}, None))


def _residents(s):
    from yigongti.people.models import Resident

    return Resident.objects.count()


def _records(s):
    """Village A's resident with a blood pressure and a visit, made before the snapshot is taken."""
    _measurement(s)
    _encounter(s)


def _fhir_attack(kind, what, **kw):
    return Attack(kind, INTRUDER, what, api=True, content_type=FHIR_JSON, control=OWNER, setup=_records, **kw)


ATTACKS = {
    "fhir:Patient-instance": [
        _fhir_attack("modify", "village B renames village A's Patient (PUT)", method="PUT",
                     kwargs=lambda s: {"resource_id": str(_resident(s).pk)}, payload=_renamed_patient,
                     snapshot=_resident_name, refused=True),
    ],
    "fhir:Observation-type": [
        _fhir_attack("create", "village B records a blood pressure for village A's resident", payload=_bp,
                     snapshot=_measurements),
    ],
    "fhir:Observation-instance": [
        _fhir_attack("modify", "village B corrects clinic A's blood pressure (PUT)", method="PUT",
                     kwargs=lambda s: {"resource_id": f"m-{_measurement(s).pk}"}, payload=_corrected_bp,
                     snapshot=_measurements, refused=True),
    ],
    "fhir:Encounter-type": [
        _fhir_attack("create", "village B records a visit in clinic A's name", payload=_encounter_resource,
                     snapshot=_encounters),
    ],
    "fhir:Encounter-instance": [
        _fhir_attack("modify", "village B changes the cost of clinic A's visit (PUT)", method="PUT",
                     kwargs=lambda s: {"resource_id": str(_encounter(s).pk)}, payload=_changed_encounter,
                     snapshot=_encounters, refused=True),
    ],
    "fhir:root": [
        _fhir_attack("create", "village B's transaction registers a Patient in clinic A's name",
                     payload=_transaction, snapshot=_residents),
    ],
}
