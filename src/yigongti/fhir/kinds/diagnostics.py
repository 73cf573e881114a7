"""DiagnosticReport and ImagingStudy (read, search, export) through diagnostics.queries, and the lab results as
an Observation stream (``lab-<id>-lab``) beside the vital signs — registered only when the diagnostics app
provides them. The request itself as a ServiceRequest is not registered here: the ServiceRequest kind is the
referral form's (kinds/referral.py) and one type has one kind."""
from __future__ import annotations

import importlib.util

from django.db.models import Prefetch, Q

from ..errors import not_found
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, date_q, int_id, token
from ._common import audit_read, ids_q, page_of, patient_ids

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

    def _report(r) -> dict:
        current = _current(r)
        results = list(current.results.all()) if current else []
        return mapping.to_diagnostic_report(r, current, results)

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
        return mapping.to_imaging_study(r, [f for f in r.files.all() if f.kind == "dicom"])

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
        from django.db.models import Exists, F, OuterRef

        later = Report.objects.filter(request=OuterRef("report__request"), revision__gt=OuterRef("report__revision"))
        return (Result.objects.filter(report__request__in=queries.visible_requests(user).filter(status="published")
                                      .values("pk"), report__published_at__isnull=False)
                .exclude(Exists(later))
                .annotate(effective_at=F("report__published_at"), resident_id=F("report__request__resident_id"))
                .select_related("analyte", "report", "report__request", "report__request__centre"))

    def _lab_to_fhir(x) -> dict:
        return mapping.to_lab_observation(x, x.report.request)

    add_stream(Stream("lab", "lab", _lab_results, "effective_at", True, _lab_to_fhir))
