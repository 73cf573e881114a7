"""Diagnostics: clinic A (village_doctor_a) requests readings for a resident of village A from the county
centre (county_specialist reads). The requesting clinic, the centre and the doctors whose area holds the
resident (township centre 1) see the request; everybody else gets 404 and their writes change nothing.
Steps belong to one side: the requester uploads, collects, cancels and acknowledges; the centre's reader
claims, reports, signs, publishes, revises and marks critical values; the centre phones them."""
from ..framework import Case

ADMINS = ("system_admin", "security_admin", "audit_admin")
OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", *ADMINS)
NAME = "隔离检查甲"


def _resident(s):
    if not hasattr(s, "_dx_resident"):
        from tests.referrals import helpers

        s._dx_resident = helpers.resident(s, name=NAME)
    return s._dx_resident


def _request(s, state="requested", code="ECG12"):
    """One request per state (and test) per scenario."""
    attr = f"_dx_{state}_{code}"
    if not hasattr(s, attr):
        from tests.diagnostics import helpers
        from yigongti.diagnostics import actions

        patient = _resident(s)
        if state == "published":
            r = helpers.published(s, code, patient=patient)
        else:
            r = helpers.request(s, code, patient=patient)
            if state == "collected":
                actions.collect_specimen(s.village_doctor_a, r)
            if state in ("claimed", "drafted", "reported"):
                actions.claim_request(s.county_specialist, r)
            if state in ("drafted", "reported"):
                actions.save_report(s.county_specialist, r, impression="窦性心律")
            if state == "reported":
                actions.sign_report(s.county_specialist, r)
        r.refresh_from_db()
        setattr(s, attr, r)
    return getattr(s, attr)


def _critical(s, phoned=False):
    attr = f"_dx_critical_{phoned}"
    if not hasattr(s, attr):
        from yigongti.diagnostics import actions

        cv = actions.mark_critical(s.county_specialist, _request(s, "claimed"), description="室性心动过速")
        if phoned:
            actions.record_call(s.county_specialist, cv, phoned_to="赵村医", read_back="室速")
        setattr(s, attr, cv)
    return getattr(s, attr)


def _pk(state, code="ECG12"):
    return lambda s: {"pk": _request(s, state, code).pk}


def _state(state, code="ECG12"):
    def read(s):
        from yigongti.diagnostics.models import Request

        r = Request.objects.get(pk=_request(s, state, code).pk)
        return (r.status, r.version, r.files.count(), r.critical_values.count(), r.reports.count(),
                hasattr(r, "specimen"))
    return read


def _file(s):
    from tests.diagnostics import helpers
    from yigongti.diagnostics import actions

    if not hasattr(s, "_dx_file"):
        s._dx_file = actions.attach_study(s.village_doctor_a, _request(s), filename="ecg.pdf",
                                          content=helpers.ecg_pdf())
    return {"pk": s._dx_file.request_id, "file_id": s._dx_file.pk}


def _dicom(s):
    from tests.diagnostics import helpers
    from yigongti.diagnostics import actions

    if not hasattr(s, "_dx_dicom"):
        s._dx_dicom = actions.attach_study(s.village_doctor_a, _request(s, code="DR-CHEST"), filename="c.dcm",
                                           content=helpers.dicom())
    return {"pk": s._dx_dicom.request_id, "file_id": s._dx_dicom.pk}


def _upload(s):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.diagnostics import helpers

    return {"study": SimpleUploadedFile("ecg.pdf", helpers.ecg_pdf("again"), "application/pdf")}


def _cv(phoned=False):
    return lambda s: {"pk": _critical(s, phoned).pk}


def _cv_state(phoned=False):
    def read(s):
        from yigongti.diagnostics.models import CriticalValue

        cv = CriticalValue.objects.get(pk=_critical(s, phoned).pk)
        return (cv.phoned_at, cv.acknowledged_at)
    return read


def _requester(**kw):
    return Case.scoped(owner="village_doctor_a", outsiders=(*OUTSIDERS, "township_doctor"), **kw)


def _reader(**kw):
    return Case.scoped(owner="county_specialist", outsiders=(*OUTSIDERS, "township_doctor", "village_doctor_a"), **kw)


def _sees(**kw):
    return Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS, **kw)


def _duty_count(s):
    from yigongti.diagnostics.models import DutyShift

    return DutyShift.objects.count()


def _barcode(s):
    return _request(s, "collected", "LAB-CBC").specimen.barcode


CASES = {
    "diagnostics:list": _sees(hidden=lambda s: _request(s).number),
    "diagnostics:worklist": Case.scoped(owner="county_specialist", outsiders=(*OUTSIDERS, "village_doctor_a",
                                                                              "township_doctor"),
                                        hidden=lambda s: _request(s).number),
    "diagnostics:new": Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS,
                                   query=lambda s: f"resident={_resident(s).pk}"),
    "diagnostics:critical_list": Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS,
                                             hidden=lambda s: _critical(s).description),
    "diagnostics:critical": _sees(kwargs=_cv()),
    "diagnostics:critical_call": _reader(kwargs=_cv(), method="POST",
                                         payload=lambda s: {"phoned_to": "赵村医", "read_back": "室速"},
                                         snapshot=_cv_state()),
    "diagnostics:critical_ack": _requester(kwargs=_cv(True), method="POST", snapshot=_cv_state(True)),
    "diagnostics:duty": Case.scoped(owner="township_doctor", outsiders=("village_doctor_c", "other_township_doctor",
                                                                        *ADMINS),
                                    method="POST", payload=lambda s: {
                                        "institution": s.centre_1.pk, "doctor": s.township_doctor.pk,
                                        "starts_at": "2026-03-02T08:00", "ends_at": "2026-03-02T20:00"},
                                    snapshot=_duty_count),
    "diagnostics:specimen_scan": Case.scoped(owner="county_specialist", outsiders=(*OUTSIDERS, "village_doctor_a"),
                                             method="POST", payload=lambda s: {"barcode": _barcode(s),
                                                                               "step": "receive"},
                                             snapshot=lambda s: _request(s, "collected", "LAB-CBC").specimen
                                             .__class__.objects.get(barcode=_barcode(s)).state),
    "diagnostics:detail": _sees(kwargs=_pk("requested")),
    "diagnostics:print": _sees(kwargs=_pk("published")),
    "diagnostics:label": _sees(kwargs=_pk("collected", "LAB-CBC")),
    "diagnostics:file": _sees(kwargs=_file),
    "diagnostics:preview": _sees(kwargs=_dicom),
    "diagnostics:upload": _requester(kwargs=_pk("requested"), method="POST", payload=_upload,
                                     snapshot=_state("requested")),
    "diagnostics:collect": _requester(kwargs=_pk("requested", "LAB-BMP"), method="POST",
                                      snapshot=_state("requested", "LAB-BMP")),
    "diagnostics:cancel": _requester(kwargs=_pk("requested"), method="POST", payload=lambda s: {"reason": "误开"},
                                     snapshot=_state("requested")),
    "diagnostics:claim": _reader(kwargs=_pk("requested"), method="POST", snapshot=_state("requested")),
    "diagnostics:release": _reader(kwargs=_pk("claimed"), method="POST", snapshot=_state("claimed")),
    "diagnostics:report": _reader(kwargs=_pk("claimed"), method="POST",
                                  payload=lambda s: {"findings": "所见", "impression": "窦性心律"},
                                  snapshot=_state("claimed")),
    "diagnostics:sign": _reader(kwargs=_pk("drafted"), method="POST", snapshot=_state("drafted")),
    "diagnostics:publish": _reader(kwargs=_pk("reported"), method="POST", snapshot=_state("reported")),
    "diagnostics:revise": _reader(kwargs=_pk("published"), method="POST",
                                  payload=lambda s: {"reason": "更正", "impression": "窦性心动过速"},
                                  snapshot=_state("published")),
    "diagnostics:critical_new": _reader(kwargs=_pk("claimed"), method="POST",
                                        payload=lambda s: {"description": "室颤"}, snapshot=_state("claimed")),
}


def _study_payload(s):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.diagnostics import helpers

    return {"file": SimpleUploadedFile("ecg.pdf", helpers.ecg_pdf("api"), "application/pdf")}


CASES.update({
    "api:diagnostics-request-list": _sees(hidden=lambda s: _request(s).number, api=True),
    "api:diagnostics-request-detail": _sees(kwargs=_pk("requested"), api=True),
    "api:diagnostics-request-claim": _reader(kwargs=_pk("requested"), method="POST", api=True,
                                             snapshot=_state("requested")),
    "api:diagnostics-request-report": _reader(kwargs=_pk("claimed"), method="POST", api=True,
                                              payload=lambda s: {"impression": "窦性心律", "sign": "true"},
                                              snapshot=_state("claimed")),
    "api:diagnostics-request-publish": _reader(kwargs=_pk("reported"), method="POST", api=True,
                                               snapshot=_state("reported")),
    "api:diagnostics-request-study": _requester(kwargs=_pk("requested"), method="POST", api=True,
                                                payload=_study_payload, snapshot=_state("requested")),
})


def _ct_with_study(s):
    if not hasattr(s, "_dx_ct"):
        from tests.diagnostics import helpers
        from yigongti.diagnostics import actions

        r = _request(s, code="CT-HEAD")
        actions.attach_study(s.village_doctor_a, r, filename="head.dcm", content=helpers.dicom("CT"))
        s._dx_ct = r
    return s._dx_ct


# FHIR (fhir/kinds/diagnostics.py): the published report and the CT study of a village A resident.
CASES.update({
    "fhir:DiagnosticReport-type": _sees(api=True, hidden=lambda s: _request(s, "published").number),
    "fhir:DiagnosticReport-instance": _sees(api=True, kwargs=lambda s: {"resource_id": str(_request(s, "published").pk)}),
    "fhir:ImagingStudy-type": _sees(api=True, hidden=lambda s: str(_ct_with_study(s).files.get().study_uid)),
    "fhir:ImagingStudy-instance": _sees(api=True, kwargs=lambda s: {"resource_id": str(_ct_with_study(s).pk)}),
})
