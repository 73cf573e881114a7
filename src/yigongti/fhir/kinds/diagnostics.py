"""Diagnostic requests as FHIR (read, search, export) through diagnostics.queries — only when the diagnostics app
provides them:

- the request itself is a ServiceRequest ``dx-<id>``, one source of the ServiceRequest kind beside the referral
  forms (kinds/servicerequest.py): status from the request's state, category SNOMED CT imaging / ECG /
  laboratory procedure, code the test's LOINC code plus the DICOM modality for images and ECGs, priority,
  requester the requesting doctor (or institution), performer the centre and its reader, reasonCode the clinical
  information;
- its published (for the centre's readers also signed) report is a DiagnosticReport and its DICOM files an
  ImagingStudy, both with the request's id and ``basedOn`` the ServiceRequest;
- the lab result lines of published reports are an Observation stream (``lab-<id>-lab``) beside the vital
  signs, found by patient, LOINC code of the analyte, category ``laboratory`` and date (the request's time, the
  effectiveDateTime the mapping emits)."""
from __future__ import annotations

import importlib.util

from django.db.models import F, Prefetch, Q

from .. import systems
from ..errors import not_found
from ..mapping.common import coding, concept, instant, ref, strip_empty
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, date_q, int_id, token
from ._common import audit_read, ids_q, page_of, patient_ids
from .servicerequest import Source, add_source, reference_q

AVAILABLE = importlib.util.find_spec("yigongti.diagnostics.queries") is not None

if AVAILABLE:
    from yigongti.diagnostics import queries
    from yigongti.diagnostics.models import Report, Result

    from ..mapping import diagnostics as mapping
    from .observation import Stream, add_stream

    REPORT_STATES = ["reported", "published"]
    CATEGORY_MODALITIES = {"LAB": ["lab"], "CG": ["ecg"], "RAD": ["dr", "us", "ct"]}

    def _current(r):
        reports = sorted(r.reports.all(), key=lambda x: x.revision)
        return reports[-1] if reports else None

    def _based_on(resource: dict, r) -> dict:
        return {**resource, "basedOn": [ref("ServiceRequest", f"dx-{r.pk}")]}

    def _report(r) -> dict:
        current = _current(r)
        results = list(current.results.all()) if current else []
        return _based_on(mapping.to_diagnostic_report(r, current, results), r)

    def _reports_qs(user):
        from yigongti.diagnostics.actions import READER_ROLES
        from yigongti.org.access import roles_by_institution

        reader_of = [i for i, roles in roles_by_institution(user).items() if roles & READER_ROLES]
        return (queries.visible_requests(user)
                .filter(Q(status="published") | Q(status="reported", centre__institution_id__in=reader_of))
                .select_related("test", "centre")
                .prefetch_related(Prefetch("reports", queryset=Report.objects.prefetch_related("results"))))

    def _studies_qs(user):
        return (queries.visible_requests(user).filter(files__kind="dicom").distinct()
                .select_related("test").prefetch_related("files"))

    def _study(r) -> dict:
        return _based_on(mapping.to_imaging_study(r, [f for f in r.files.all() if f.kind == "dicom"]), r)

    def _filtered(qs, params: Params, date_field: str):
        qs = qs.filter(ids_q(params))
        for ids in patient_ids(params):
            qs = qs.filter(resident_id__in=ids)
        if params.get("date"):
            qs = qs.filter(date_q(date_field, params.get("date"), is_datetime=True))
        for raw in params.get("code"):
            qs = qs.filter(test__loinc__in=[token(v)[1] for v in raw.split(",")])
        for raw in params.get("identifier"):
            qs = qs.filter(number__in=[token(v)[1] for v in raw.split(",")])
        return qs.order_by("-pk")

    def _report_search(user, params: Params):
        qs = _filtered(_reports_qs(user), params, "requested_at")
        for raw in params.get("category"):
            wanted = [m for v in raw.split(",") for m in CATEGORY_MODALITIES.get(token(v)[1].upper(), [])]
            qs = qs.filter(modality__in=wanted)
        for raw in params.get("status"):
            codes = {token(v)[1] for v in raw.split(",")}
            cond = Q(pk__in=[])
            if "preliminary" in codes:
                cond |= Q(status="reported")
            if codes & {"final", "amended"}:
                cond |= Q(status="published")
            qs = qs.filter(cond)
        return page_of(qs, params, _report)

    def _read(qs_of, to_fhir, detail):
        def read(user, raw_id: str) -> dict:
            pk = int_id(raw_id)
            row = qs_of(user).filter(pk=pk).first() if pk is not None else None
            if row is None:
                raise not_found()
            audit_read(user, row.resident_id, detail)
            return to_fhir(row)
        return read

    def _export(qs_of, to_fhir):
        def export(user):
            for r in qs_of(user).order_by("pk").iterator(chunk_size=200):
                yield to_fhir(r)
        return export

    COMMON = [SearchParam("_id", "token", "Logical id (the request's id)"),
              SearchParam("patient", "reference", "The resident"),
              SearchParam("subject", "reference", "The resident"),
              SearchParam("code", "token", "LOINC code of the test"),
              SearchParam("identifier", "token", "The request number (申请单号)"),
              SearchParam("date", "date", "When the test was requested")]

    register(ResourceKind(
        type="DiagnosticReport",
        documentation="Readings of the shared diagnostic centres (心电、影像、检验): published reports (final, "
                      "amended after a revision); the centre's readers also see signed reports (preliminary).",
        read=_read(_reports_qs, _report, "fhir diagnosticreport"),
        search=_report_search, export=_export(_reports_qs, _report), patient_compartment=True,
        search_params=[*COMMON, SearchParam("category", "token", "LAB | CG (ECG) | RAD"),
                       SearchParam("status", "token", "preliminary | final | amended")],
    ))
    register(ResourceKind(
        type="ImagingStudy",
        documentation="DICOM studies linked to diagnostic requests (uploaded, or sent by the modality to the "
                      "Orthanc archive and linked); identifier is the StudyInstanceUID.",
        read=_read(_studies_qs, _study, "fhir imagingstudy"),
        search=lambda user, params: page_of(_filtered(_studies_qs(user), params, "requested_at"), params, _study),
        export=_export(_studies_qs, _study), patient_compartment=True, search_params=COMMON,
    ))

    def _lab_results(user):
        """Lab result lines of the current revision of published reports, with the stream's date and resident as
        annotations (earlier revisions' lines stay in the report's history, not in the Observation list)."""
        from django.db.models import Exists, OuterRef

        later = Report.objects.filter(request=OuterRef("report__request"), revision__gt=OuterRef("report__revision"))
        return (Result.objects.filter(report__request__in=queries.visible_requests(user).filter(status="published")
                                      .values("pk"), report__published_at__isnull=False)
                .exclude(Exists(later))
                .annotate(effective_at=F("report__request__requested_at"),
                          resident_id=F("report__request__resident_id"))
                .select_related("analyte", "report", "report__request", "report__request__centre"))

    def _lab_to_fhir(x) -> dict:
        return mapping.to_lab_observation(x, x.report.request)

    add_stream(Stream("lab", "lab", _lab_results, "effective_at", True, _lab_to_fhir, category="laboratory",
                      code_field="analyte__loinc"))


    # --- ServiceRequest: the reading request, one source of the merged kind ----------------------------

    SNOMED = "http://snomed.info/sct"
    # modality → ServiceRequest.category (SNOMED CT procedures, the codes of FHIR's servicerequest-category)
    REQUEST_CATEGORY = {"lab": ("108252007", "Laboratory procedure"),
                        "ecg": ("29303009", "Electrocardiographic procedure"),
                        "dr": ("363679005", "Imaging"), "us": ("363679005", "Imaging"), "ct": ("363679005", "Imaging")}
    # request status → ServiceRequest.status: open until the report is published; a cancelled request is revoked
    REQUEST_STATUS = {"requested": "active", "claimed": "active", "reported": "active", "published": "completed",
                      "cancelled": "revoked"}
    TEST_SYSTEM = "diagnostic-test"  # {base}/CodeSystem/diagnostic-test: the catalogue's own test codes

    def _notes(r) -> list[dict]:
        from yigongti.diagnostics.models import Request

        found = []
        for name in ("repeat_reason", "cancel_reason"):
            if getattr(r, name):
                found.append({"text": f"{Request._meta.get_field(name).verbose_name}: {getattr(r, name)}"})
        return found

    def to_service_request(r) -> dict:
        """A reading request (检查检验申请) as a ServiceRequest ``dx-<id>``."""
        test = r.test
        codes = [coding(systems.LOINC, test.loinc, test.name)] if test.loinc else []
        if r.modality in mapping.MODALITY:
            codes.append(coding(mapping.DCM, *mapping.MODALITY[r.modality]))
        codes.append(coding(systems.codesystem(TEST_SYSTEM), test.code, test.name))
        performers = [ref("Organization", r.centre.institution_id)]
        if r.reader_id:
            performers.append(ref("Practitioner", r.reader_id))
        return strip_empty({
            "resourceType": "ServiceRequest",
            "id": f"dx-{r.pk}",
            "meta": {"versionId": str(r.version), "lastUpdated": instant(r.updated_at)},
            "identifier": [{"system": systems.sid("diagnostic-request-number"), "value": r.number}] if r.number
            else [],
            "status": REQUEST_STATUS.get(r.status, "unknown"),
            "intent": "order",
            "category": [concept(SNOMED, *REQUEST_CATEGORY[r.modality])],
            "priority": r.priority,  # routine | urgent | stat: the FHIR request-priority codes themselves
            "code": {"coding": codes, "text": test.name},
            "subject": ref("Patient", r.resident_id),
            "authoredOn": instant(r.requested_at),
            "requester": ref("Practitioner", r.requesting_doctor_id) if r.requesting_doctor_id else
            ref("Organization", r.requesting_institution_id),
            "performer": performers,
            "reasonCode": [{"text": r.clinical_info}] if r.clinical_info else [],
            "note": _notes(r),
        })

    def _requests(user):
        return queries.visible_requests(user).select_related("test", "centre").annotate(authored=F("requested_at"))

    def _request_code_q(raw: str) -> Q:
        q = Q(pk__in=[])
        for part in raw.split(","):
            system, code = token(part)
            if not code:
                continue
            if system in (None, "", systems.LOINC):
                q |= Q(test__loinc=code)
            if system in (None, "", mapping.DCM):
                q |= Q(modality__in=[m for m, (c, _d) in mapping.MODALITY.items() if c == code])
            if system in (None, "", systems.codesystem(TEST_SYSTEM)):
                q |= Q(test__code=code)
        return q

    def _narrow(qs, params: Params):
        for raw in params.get("category"):
            wanted = {code for system, code in map(token, raw.split(",")) if system in (None, "", SNOMED)}
            qs = qs.filter(modality__in=[m for m, (code, _d) in REQUEST_CATEGORY.items() if code in wanted])
        for raw in params.get("code"):
            qs = qs.filter(_request_code_q(raw))
        for raw in params.get("status"):
            wanted = {token(v)[1] for v in raw.split(",")}
            qs = qs.filter(status__in=[s for s, code in REQUEST_STATUS.items() if code in wanted])
        for raw in params.get("requester"):
            qs = qs.filter(reference_q(raw, "requesting_institution", "requesting_doctor"))
        for raw in params.get("performer"):
            qs = qs.filter(reference_q(raw, "centre__institution", "reader"))
        for raw in params.get("identifier"):
            qs = qs.filter(number__in=[code for system, code in map(token, raw.split(","))
                                       if code and system in (None, "", systems.sid("diagnostic-request-number"))])
        return qs

    add_source(Source(
        prefix="dx",
        documentation="Diagnostic reading requests (检查检验申请) to a shared centre: id dx-<id>, category SNOMED CT "
                      "363679005 imaging, 29303009 ECG or 108252007 laboratory procedure; code the test's LOINC "
                      "code, the DICOM modality (DX, US, CT, ECG) and the catalogue's test code.",
        queryset=_requests, narrow=_narrow,
        read=lambda user, pk: queries.get_request_for(user, pk, detail="fhir servicerequest"),
        to_fhir=to_service_request,
        params={"status": "diagnostic request: active (requested, claimed, signed) | completed (published) | "
                          "revoked (cancelled)",
                "requester": "diagnostic request: Organization/<requesting institution> or "
                             "Practitioner/<requesting doctor>",
                "performer": "diagnostic request: Organization/<the centre's institution> or Practitioner/<reader>",
                "category": f"{SNOMED}|363679005 (imaging), |29303009 (ECG), |108252007 (laboratory)",
                "code": f"diagnostic request: LOINC of the test, DICOM modality ({mapping.DCM}: DX, US, CT, "
                        f"ECG) or the test code ({systems.codesystem(TEST_SYSTEM)})",
                "identifier": "diagnostic request: the request number (申请单号, "
                              f"{systems.sid('diagnostic-request-number')})"},
    ))
