"""Security and privacy (issue 16): export approvals, residents' rights requests, the password reset, the
FHIR bulk export's role limit; and the attacks every app's routes must withstand: exports across
institutions, without a purpose or by a role that exports nothing; creating and changing data in another
institution's name; break-glass misuse; role escalation."""
import datetime as dt

from django.utils import timezone

from tests.fhir.conftest import AREA_EXT
from yigongti.audit.models import AuditEntry, BreakGlassGrant, ExportApproval, PrivacyRequest
from yigongti.jobs.models import Job
from yigongti.org.models import Membership, Role, StaffRole, User
from yigongti.people.models import Encounter, Resident

from ..framework import Attack, Case
from .kpi import CODE as KPI_CODE
from .kpi import _village_a_encounter

APPROVERS = {Role.SECURITY_ADMIN, Role.CONSORTIUM_OFFICE}
EXPORTERS = frozenset(Role.values) - {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
NOT_CLINIC_A = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "county_specialist",
                "system_admin", "security_admin", "audit_admin")
NOT_T1_ADMINS = ("township_doctor", "other_township_doctor", "village_doctor_a", "village_doctor_b",
                 "county_specialist", "health_bureau", "security_admin", "audit_admin", "mental_health_doctor")
NAME = "隔离丁"


def _resident(s):
    """A resident of village A registered by clinic A (phone and document held encrypted)."""
    if not hasattr(s, "_sec_resident"):
        from yigongti.people import actions

        s._sec_resident = actions.register_resident(
            s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name=NAME, sex="1",
            birth_date=dt.date(1950, 3, 3), document_type="none", phone="13812347777", force=True)
    return s._sec_resident


def _privacy_request(s):
    if not hasattr(s, "_sec_request"):
        from yigongti.audit import privacy

        s._sec_request = privacy.open_request(s.village_doctor_a, resident_id=_resident(s).pk,
                                              institution=s.clinic_a, kind="access", details="查阅本人档案")
    return s._sec_request


def _pending_approval(s):
    """A large export asked for by the township doctor, waiting for approval."""
    return ExportApproval.objects.create(requested_by=s.township_doctor, kind="people.Resident", rows=5000,
                                         purpose="年度核对", path="/people/export.xlsx?purpose=x")


def _approval_status(s):
    return sorted(ExportApproval.objects.values_list("id", "status"))


def _requests(s):
    return sorted(PrivacyRequest.objects.values_list("id", "status", "answer"))


def _password_of(user_attr):
    return lambda s: User.objects.get(pk=getattr(s, user_attr).pk).password


def _membership(s):
    return {"pk": s.village_doctor_a.memberships.get().pk}


CASES = {
    "audit:approvals": Case.signed_in(note="the caller's own requests; approvers also see those waiting"),
    "audit:approval_decide": Case.roles(APPROVERS, kwargs=lambda s: {"pk": _pending_approval(s).pk}, method="POST",
                                        payload=lambda s: {"decision": "approve"}, snapshot=_approval_status),
    "audit:privacy_list": Case.scoped(owner="village_doctor_a", outsiders=NOT_CLINIC_A,
                                      hidden=lambda s: f'href="/audit/privacy/{_privacy_request(s).pk}/"'),
    "audit:privacy_new": Case.scoped(
        owner="village_doctor_a", outsiders=NOT_CLINIC_A, method="POST",
        payload=lambda s: {"record_number": _resident(s).record_number, "institution": s.clinic_a.pk,
                           "kind": "correct", "details": "更正电话"},
        snapshot=lambda s: PrivacyRequest.objects.count()),
    "audit:privacy_detail": Case.scoped(owner="village_doctor_a", outsiders=NOT_CLINIC_A,
                                        kwargs=lambda s: {"pk": _privacy_request(s).pk}, method="POST",
                                        payload=lambda s: {"answer": "已提供打印件", "disclosed": ["basic"]},
                                        snapshot=_requests),
    "org:membership_password": Case.scoped(
        owner="institution_admin_t1", outsiders=NOT_T1_ADMINS, kwargs=_membership, method="POST",
        payload=lambda s: {"password": "Reset-initial-2031"}, snapshot=_password_of("village_doctor_a")),
    # the resident search as XLSX: the caller's scope only, with a purpose, watermarked (issue 16)
    "people:export": Case.scoped(owner="village_doctor_a", outsiders=NOT_CLINIC_A, hidden=lambda s: _resident(s).name,
                                 query=lambda s: "q=&purpose=核对"),
    # FHIR bulk export: every role but the three administrators, with a stated purpose (issue 16)
    "fhir:export": Case("roles", allowed_roles=EXPORTERS, api=True, query=lambda s: "_type=Organization&purpose=核对"),
    "fhir:patient-export": Case("roles", allowed_roles=EXPORTERS, api=True, query=lambda s: "purpose=核对"),
}


# --- attacks ---------------------------------------------------------------------------------------------

def _exports(s):
    return AuditEntry.objects.filter(action="export").count()


def _jobs(s):
    return Job.objects.count()


def _grants(s):
    return BreakGlassGrant.objects.count()


def _residents(s):
    return Resident.objects.count()


def _roles_of(attr):
    return lambda s: sorted(StaffRole.objects.filter(membership__user=getattr(s, attr)).values_list("role", flat=True))


def _expired_grant(s):
    """Village B's doctor once had break-glass access to the village A resident; it ran out an hour ago."""
    now = timezone.now()
    BreakGlassGrant.objects.create(user=s.village_doctor_b, institution=s.clinic_b, resident_id=_resident(s).pk,
                                   reason="夜间急诊", created_at=now - dt.timedelta(hours=2),
                                   expires_at=now - dt.timedelta(hours=1))


def _grant_for_someone_else(s):
    """A live grant, but for another resident of village A."""
    from yigongti.people import actions

    other = actions.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="隔离戊",
                                      sex="2", birth_date=dt.date(1951, 1, 1), document_type="none", force=True)
    BreakGlassGrant.objects.create(user=s.village_doctor_b, institution=s.clinic_b, resident_id=other.pk,
                                   reason="夜间急诊", expires_at=timezone.now() + dt.timedelta(minutes=30))


def _my_membership(attr):
    return lambda s: {"pk": getattr(s, attr).memberships.get().pk}


def _own_approval(s):
    return {"pk": ExportApproval.objects.create(requested_by=s.consortium_office, kind="people.Resident", rows=9000,
                                                purpose="自己批自己").pk}


def _resident_page(s):
    return {"pk": _resident(s).pk}


def _version(s):
    return Resident.objects.get(pk=_resident(s).pk).version


def _name(s):
    return Resident.objects.get(pk=_resident(s).pk).name


def _b_resident(s):
    if not hasattr(s, "_sec_b_resident"):
        from yigongti.people import actions

        s._sec_b_resident = actions.register_resident(
            s.village_doctor_b, institution=s.clinic_b, area=s.village_b, name="隔离己", sex="1",
            birth_date=dt.date(1949, 9, 9), document_type="none", force=True)
    return s._sec_b_resident


def _fhir_patient(s):
    return {"resourceType": "Patient", "name": [{"text": "冒名建档"}], "gender": "male", "birthDate": "1960-01-01",
            "managingOrganization": {"reference": f"Organization/{s.clinic_a.pk}"},
            "address": [{"use": "home", "extension": [{"url": AREA_EXT, "valueCode": s.village_a.code}]}]}


ATTACKS = {
    # export: across institutions, by roles that export nothing, without a purpose
    "people:export": [
        Attack("export", "village_doctor_b", "village B exports the search: village A's resident is not in it",
               method="GET", query=lambda s: "q=&purpose=核对", hidden=lambda s: _resident(s).name),
        Attack("export", "system_admin", "an administrator exports residents", method="GET",
               query=lambda s: "purpose=检查", refused=True, snapshot=_exports),
        Attack("export", "village_doctor_a", "an export without a purpose hands out no file", method="GET",
               hidden=lambda s: _resident(s).name, snapshot=_exports),
    ],
    "audit:export": [
        Attack("export", "security_admin", "the audit log is for the auditor", method="GET",
               query=lambda s: "purpose=检查", refused=True, snapshot=_exports),
        Attack("export", "consortium_office", "the office exports the audit log", method="GET",
               query=lambda s: "purpose=检查", refused=True, snapshot=_exports),
    ],
    "kpi:drill": [
        Attack("export", "village_doctor_b", "village B exports clinic A's records behind a figure", method="GET",
               kwargs=lambda s: KPI_CODE, hidden=_village_a_encounter,
               query=lambda s: f"period=2026&cut=institution:{s.clinic_a.pk}&export=records&purpose=核对"),
        Attack("export", "audit_admin", "an administrator exports the records behind a figure", method="GET",
               kwargs=lambda s: KPI_CODE, refused=True, snapshot=_exports,
               query=lambda s: f"period=2026&cut=institution:{s.clinic_a.pk}&export=records&purpose=核对"),
    ],
    "fhir:export": [
        Attack("export", "system_admin", "an administrator starts a bulk export", method="GET", api=True,
               query=lambda s: "purpose=检查", refused=True, snapshot=_jobs),
        Attack("export", "village_doctor_a", "a bulk export without a purpose", method="GET", api=True,
               snapshot=_jobs),
    ],
    "fhir:patient-export": [
        Attack("export", "security_admin", "an administrator exports patients", method="GET", api=True,
               query=lambda s: "purpose=检查", refused=True, snapshot=_jobs),
    ],
    # create / modify in another institution's name or on its data
    "people:new": [
        Attack("create", "village_doctor_b", "village B registers a resident in village A",
               payload=lambda s: {"name": "冒名建档", "document_type": "none", "sex": "1", "birth_date": "1960-01-01",
                                  "area": s.village_a.pk, "insurance_scheme": "resident", "force": "on"},
               snapshot=_residents, control="village_doctor_a"),
    ],
    "api:resident-list": [
        Attack("create", "village_doctor_b", "village B registers a resident in clinic A's name (API)", api=True,
               payload=lambda s: {"institution": s.clinic_a.pk, "area": s.village_a.pk, "name": "冒名建档",
                                  "sex": "1", "birth_date": "1960-01-01", "document_type": "none", "force": True},
               snapshot=_residents, control="village_doctor_a"),
    ],
    "fhir:Patient-type": [
        Attack("create", "village_doctor_b", "village B creates a Patient managed by clinic A (FHIR)", api=True,
               payload=_fhir_patient, content_type="application/fhir+json", snapshot=_residents,
               control="village_doctor_a"),
    ],
    "people:edit": [
        Attack("modify", "village_doctor_b", "village B renames village A's resident", kwargs=_resident_page,
               payload=lambda s: {"name": "被改名", "document_type": "none", "sex": "1", "birth_date": "1950-03-03",
                                  "area": s.village_a.pk, "insurance_scheme": "resident",
                                  "version": _version(s)},
               snapshot=_name, control="village_doctor_a"),
    ],
    "api:resident-detail": [
        Attack("modify", "village_doctor_c", "another township renames village A's resident (API)", api=True,
               method="PATCH", kwargs=_resident_page, payload=lambda s: {"name": "被改名", "version": _version(s)},
               snapshot=_name, refused=True, control="village_doctor_a"),
    ],
    "people:encounter_new": [
        Attack("escalation", "village_doctor_b", "village B records a visit of its own resident in clinic A's name",
               kwargs=lambda s: {"pk": _b_resident(s).pk},
               payload=lambda s: {"institution": s.clinic_a.pk, "kind": "outpatient", "visit_date": "2025-03-01",
                                  "primary_diagnosis": "I10.x00", "total_cost": "10", "drug_cost": "0",
                                  "consumables_cost": "0", "medical_service_income": "0", "insurance_paid": "0"},
               snapshot=lambda s: Encounter.objects.filter(institution=s.clinic_a).count()),
    ],
    "audit:privacy_new": [
        Attack("create", "village_doctor_b", "village B files a rights request in clinic A's name",
               payload=lambda s: {"record_number": _resident(s).record_number, "institution": s.clinic_a.pk,
                                  "kind": "restrict"},
               snapshot=lambda s: PrivacyRequest.objects.count(), control="village_doctor_a"),
    ],
    "audit:privacy_detail": [
        Attack("modify", "village_doctor_b", "village B answers clinic A's request",
               kwargs=lambda s: {"pk": _privacy_request(s).pk}, payload=lambda s: {"answer": "已办", "refused": "1"},
               snapshot=_requests, refused=True, control="village_doctor_a"),
    ],
    # break-glass misuse
    "audit:break_glass": [
        Attack("break_glass", "village_doctor_b", "break-glass without a reason",
               payload=lambda s: {"resident": str(_resident(s).pk), "institution": s.clinic_b.pk, "reason": ""},
               snapshot=_grants),
        Attack("break_glass", "village_doctor_b", "break-glass with a one-word reason",
               payload=lambda s: {"resident": str(_resident(s).pk), "institution": s.clinic_b.pk, "reason": "看"},
               snapshot=_grants),
        Attack("break_glass", "system_admin", "an administrator breaks the glass",
               payload=lambda s: {"resident": str(_resident(s).pk), "reason": "系统维护需要查看"}, snapshot=_grants),
        Attack("break_glass", "village_doctor_b", "break-glass in another institution's name",
               payload=lambda s: {"resident": str(_resident(s).pk), "institution": s.clinic_a.pk,
                                  "reason": "夜间急诊需查过敏史"}, snapshot=_grants, control="village_doctor_a"),
        Attack("break_glass", "village_doctor_b", "break-glass that sends the user off-site afterwards",
               payload=lambda s: {"resident": str(_resident(s).pk), "institution": s.clinic_b.pk,
                                  "reason": "夜间急诊需查过敏史", "next": "https://evil.example/"},
               hidden=lambda s: "evil.example"),
    ],
    "people:detail": [
        Attack("break_glass", "village_doctor_b", "a break-glass grant used after its window", method="GET",
               kwargs=_resident_page, setup=_expired_grant, refused=True),
        Attack("break_glass", "village_doctor_b", "a grant for one resident used for another", method="GET",
               kwargs=_resident_page, setup=_grant_for_someone_else, refused=True),
    ],
    # role escalation: granting oneself a role, acting for an institution one does not belong to
    "org:membership_roles": [
        Attack("escalation", "institution_admin_t1", "an institution admin makes themselves consortium office",
               kwargs=_my_membership("institution_admin_t1"),
               payload=lambda s: {"roles": ["institution_admin", "consortium_office"]},
               snapshot=_roles_of("institution_admin_t1"), control="consortium_office"),
        Attack("escalation", "institution_admin_t1", "an institution admin grants themselves team leader",
               kwargs=_my_membership("institution_admin_t1"),
               payload=lambda s: {"roles": ["institution_admin", "team_leader"]},
               snapshot=_roles_of("institution_admin_t1"), control="consortium_office"),
        Attack("escalation", "institution_admin_t1", "an institution admin makes a doctor security administrator",
               kwargs=_membership, payload=lambda s: {"roles": ["village_doctor", "security_admin"]},
               snapshot=_roles_of("village_doctor_a"), control="system_admin"),
        Attack("escalation", "township_doctor", "a doctor grants themselves institution admin",
               kwargs=_my_membership("township_doctor"),
               payload=lambda s: {"roles": ["township_doctor", "institution_admin"]},
               snapshot=_roles_of("township_doctor"), refused=True),
    ],
    "org:staff_new": [
        Attack("escalation", "institution_admin_t1", "an institution admin creates an audit administrator",
               kwargs=lambda s: {"pk": s.clinic_a.pk},
               payload=lambda s: {"username": "shadow-auditor", "full_name": "影子", "roles": ["audit_admin"],
                                  "password": "Long-enough-pass-2026"},
               snapshot=lambda s: User.objects.filter(username="shadow-auditor").count(), control="system_admin"),
        Attack("escalation", "institution_admin_t1", "an institution admin places staff in another township",
               kwargs=lambda s: {"pk": s.clinic_c.pk},
               payload=lambda s: {"username": "plant", "full_name": "某人", "roles": ["village_doctor"],
                                  "password": "Long-enough-pass-2026"},
               snapshot=lambda s: Membership.objects.filter(institution=s.clinic_c).count(), refused=True),
    ],
    "org:membership_password": [
        Attack("escalation", "institution_admin_t1", "an institution admin resets the office's password",
               kwargs=_my_membership("consortium_office"), payload=lambda s: {"password": "Take-over-2031!"},
               snapshot=_password_of("consortium_office"), refused=True, control="system_admin"),
        Attack("escalation", "institution_admin_t1", "an institution admin resets their own password here",
               kwargs=_my_membership("institution_admin_t1"), payload=lambda s: {"password": "Take-over-2031!"},
               snapshot=_password_of("institution_admin_t1"), refused=True),
    ],
    "audit:approval_decide": [
        Attack("escalation", "consortium_office", "an approver approves their own export", kwargs=_own_approval,
               payload=lambda s: {"decision": "approve"}, snapshot=_approval_status, refused=True,
               control="security_admin"),
        Attack("escalation", "township_doctor", "a doctor approves someone's export",
               kwargs=lambda s: {"pk": _pending_approval(s).pk}, payload=lambda s: {"decision": "approve"},
               snapshot=_approval_status, refused=True),
    ],
}


# --- reads and downloads of one institution's records by an outsider (issue 16 point 8) ------------------------

def _fhir_job_file(s):
    from .fhir import _job

    return {"job_id": _job(s, run=True).pk, "name": "Organization"}


def _study_file(s):
    from .diagnostics import _file

    return _file(s)


def _import_batch(s):
    from .people import _batch

    return _batch(s)


def _point_sheet(s):
    from .finance import _sheet

    return {"pk": _sheet(s).pk}


ATTACKS.update({
    "people:edit": [*ATTACKS["people:edit"],
                    Attack("read", "village_doctor_b", "village B opens the edit form of village A's resident",
                           method="GET", kwargs=_resident_page, refused=True, hidden=lambda s: _resident(s).name,
                           control="village_doctor_a")],
    "fhir:export-file": [
        Attack("export", "village_doctor_b", "village B downloads the file of clinic A's doctor's export",
               method="GET", api=True, kwargs=_fhir_job_file, refused=True),
    ],
    "diagnostics:file": [
        Attack("export", "village_doctor_b", "village B downloads the ECG of village A's resident", method="GET",
               kwargs=_study_file, refused=True),
    ],
    "people:import_errors": [
        Attack("export", "village_doctor_b", "village B downloads the error rows of clinic A's upload",
               method="GET", kwargs=_import_batch, refused=True),
    ],
    "finance:sheet": [
        Attack("export", "other_township_doctor", "another township exports clinic A's work points (staff pay)",
               method="GET", kwargs=_point_sheet, query=lambda s: "export=xlsx&purpose=核对", refused=True,
               snapshot=_exports),
    ],
})
