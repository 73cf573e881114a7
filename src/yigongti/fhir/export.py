"""Bulk data export ($export, FHIR Bulk Data Access): kick-off queues a job, the job writes one NDJSON file per
resource type of the user's scope (the same queries as every read) to the default file storage, and the
status URL answers 202 while it runs and the manifest when it is done. Only the user who asked may see
the status and the files. Each file is an audited export (audit.log.record_export)."""
from __future__ import annotations

import datetime as dt
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from yigongti.audit.exports import ApprovalRequired, ExportTicket, authorise_export, may_export
from yigongti.audit.log import record_export
from yigongti.jobs.models import Job, JobState
from yigongti.jobs.queue import enqueue, set_progress

from . import conf, registry
from .errors import FhirError, not_found

KIND = "fhir.export"
BULK_KIND = "fhir.bulk"  # the kind export control knows the bulk export by
WATERMARK_SYSTEM = "urn:yigongti:export-watermark"
FORMATS = ("", "application/fhir+ndjson", "application/ndjson", "ndjson")


def exportable(level: str) -> list[str]:
    kinds = [k for k in registry.kinds() if k.export is not None]
    if level == "patient":
        kinds = [k for k in kinds if k.patient_compartment]
    return [k.type for k in kinds]


def kick_off(user, *, level: str, types: str = "", output_format: str = "", purpose: str = "",
             approval: str = "") -> Job:
    """Export control (issue 16): the role must be allowed to export personal data and the request states
    its purpose (``purpose`` parameter or ``X-Purpose`` header); above the row threshold the job stops
    with an approval request, and a kick-off naming the approved request (``approval``) then runs."""
    if not may_export(user, BULK_KIND):
        raise FhirError(403, "forbidden", "Your role may not export personal data.")
    purpose = (purpose or "").strip()[:200]
    if not purpose:
        raise FhirError(400, "required", "purpose: state what the export is for (logged and watermarked).",
                        "purpose")
    if output_format not in FORMATS:
        raise FhirError(400, "not-supported", "_outputFormat: only application/fhir+ndjson.", "_outputFormat")
    allowed = exportable(level)
    wanted = [t.strip() for t in types.split(",") if t.strip()] or allowed
    unknown = [t for t in wanted if t not in allowed]
    if unknown:
        raise FhirError(400, "not-supported", f"_type: cannot export {', '.join(unknown)} here.", "_type")
    with transaction.atomic(durable=True):
        return enqueue(KIND, {"level": level, "types": wanted, "requested_at": timezone.now().isoformat(),
                              "purpose": purpose, "approval": int(approval) if str(approval).isdigit() else None},
                       created_by=user, max_attempts=2)


def job_for(user, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, kind=KIND, created_by_id=getattr(user, "pk", None)).first()
    if job is None:
        raise not_found()
    return job


def state_of(job: Job) -> str:
    if job.state == JobState.DONE and (job.result or {}).get("approval_required"):
        return "approval"
    if job.state == JobState.DONE:
        return "done"
    if job.state == JobState.FAILED:
        return "failed"
    return "pending"


def _path(job_id: int, resource_type: str) -> str:
    return f"{conf.export_dir()}/{job_id}/{resource_type}.ndjson"


def _watermarked(resource: dict, tag: dict) -> dict:
    meta = dict(resource.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), tag]
    return {**resource, "meta": meta}


def run(job: Job, *, level: str, types: list[str], requested_at: str = "", purpose: str = "",
        approval: int | None = None) -> dict:
    """The job: write the files (each resource tagged with the watermark), authorise the whole export
    (audit.exports: purpose, role, approval above the threshold), audit each file as an export, return the
    manifest's output list."""
    user = job.created_by
    if user is None or not user.is_active:
        raise PermissionError("the user who asked for the export is gone")
    if not purpose:
        raise PermissionError("an export without a purpose")  # jobs queued before export control
    provisional = ExportTicket(username=user.get_username(), kind=BULK_KIND, rows=0, purpose=purpose,
                               at=timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    tag = {"system": WATERMARK_SYSTEM, "code": f"export-{job.pk}", "display": provisional.watermark}
    output = []
    for n, resource_type in enumerate(types):
        kind = registry.get(resource_type)
        lines = [json.dumps(_watermarked(resource, tag), ensure_ascii=False) for resource in kind.export(user)]
        path = _path(job.pk, resource_type)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(("\n".join(lines) + ("\n" if lines else "")).encode()))
        record_export(user, object_type=f"fhir.{resource_type}", count=len(lines),
                      filters=f"$export level={level} job={job.pk}")
        output.append({"type": resource_type, "count": len(lines)})
        set_progress(job, done=f"{n + 1}/{len(types)}")
    total = sum(o["count"] for o in output)
    try:
        ticket = authorise_export(user, BULK_KIND, total, purpose, approval_id=approval,
                                  path=f"$export level={level} types={','.join(types)}", filters=f"job={job.pk}")
    except ApprovalRequired as exc:
        for o in output:  # nothing is handed out before the approval
            default_storage.delete(_path(job.pk, o["type"]))
        return {"approval_required": exc.approval.pk, "rows": total, "output": [], "level": level}
    return {"transactionTime": requested_at or timezone.now().isoformat(), "output": output, "level": level,
            "watermark": ticket.watermark}


def manifest(job: Job, file_url, request_url: str) -> dict:
    result = job.result or {}
    finished = job.finished_at or timezone.now()
    return {
        "transactionTime": result.get("transactionTime"),
        "request": request_url,
        "requiresAccessToken": True,
        "output": [{"type": o["type"], "url": file_url(o["type"]), "count": o["count"]}
                   for o in result.get("output", [])],
        "error": [],
        "expires": (finished + dt.timedelta(days=conf.export_keep_days())).isoformat(),
        "extension": {WATERMARK_SYSTEM: result.get("watermark", "")},
    }


def open_file(job: Job, resource_type: str):
    if state_of(job) != "done":
        return None
    if resource_type not in {o["type"] for o in (job.result or {}).get("output", [])}:
        return None
    path = _path(job.pk, resource_type)
    return default_storage.open(path, "rb") if default_storage.exists(path) else None
