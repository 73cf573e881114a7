"""The HTTP layer of /fhir/: content types, token authentication (DRF, like /api/v1/), OperationOutcome
errors, and the routing of interactions to the registered kinds. No mapping and no access rules here."""
from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from rest_framework import exceptions as drf_exceptions
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from . import bundle, capability, export, registry, search, validation
from .errors import FhirError, from_exception, not_found, outcome

FHIR_JSON = "application/fhir+json"
JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")


class FhirRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "json"


def respond(body: dict | None, status: int = 200, headers: dict | None = None) -> HttpResponse:
    content = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    response = HttpResponse(content, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def base_url(request) -> str:
    return request.build_absolute_uri(reverse("fhir:root"))


class FhirView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [FhirRenderer]
    parser_classes: list = []

    def perform_content_negotiation(self, request, force=False):
        accept = request.META.get("HTTP_ACCEPT", "")
        fmt = request.GET.get("_format", "")
        wants_xml = ("xml" in fmt) or ("xml" in accept and "json" not in accept and "*/*" not in accept)
        if wants_xml:
            raise FhirError(406, "not-supported", "Only JSON (application/fhir+json) is supported.")
        return FhirRenderer(), FHIR_JSON

    def handle_exception(self, exc):
        if isinstance(exc, (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed)):
            return respond(outcome([("login", str(exc.detail), None)]), 401, {"WWW-Authenticate": "Token"})
        if isinstance(exc, drf_exceptions.PermissionDenied):
            return respond(outcome([("forbidden", str(exc.detail), None)]), 403)
        if isinstance(exc, drf_exceptions.MethodNotAllowed):
            return respond(outcome([("not-supported", str(exc.detail), None)]), 405)
        if isinstance(exc, drf_exceptions.Throttled):
            return respond(outcome([("throttled", str(exc.detail), None)]), 429)
        error = from_exception(exc)
        if error is None:
            raise exc
        return respond(outcome(error.issues), error.status)

    def body(self, request) -> dict:
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            raise FhirError(415, "not-supported", "Send application/fhir+json.")
        try:
            raw = request._request.body
        except RequestDataTooBig:
            raise FhirError(413, "too-costly", "The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE; send smaller "
                                               "Bundles.") from None
        try:
            return json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise FhirError(400, "structure", "The body is not valid JSON.") from None


def _resource_headers(kind: registry.ResourceKind, resource: dict) -> dict:
    headers = {}
    if kind.versioned and (resource.get("meta") or {}).get("versionId"):
        headers["ETag"] = f'W/"{resource["meta"]["versionId"]}"'
    return headers


class MetadataView(FhirView):
    permission_classes = [AllowAny]

    def get(self, request):
        return respond(capability.statement(base_url(request)))


class RootView(FhirView):
    """GET: the CapabilityStatement (as /metadata); POST: a transaction Bundle."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsAuthenticated()]

    def get(self, request):
        return respond(capability.statement(base_url(request)))

    def post(self, request):
        result = bundle.transaction_bundle(request.user, self.body(request), base_url(request))
        return respond(result)


class TypeView(FhirView):
    """``[base]/[type]``: search (GET) and create (POST)."""

    resource_type = ""

    @property
    def kind(self) -> registry.ResourceKind:
        return registry.get(self.resource_type)

    def get(self, request):
        kind = self.kind
        strict = "handling=strict" in request.META.get("HTTP_PREFER", "")
        params = search.parse(request.GET, {p.name for p in kind.search_params}, strict=strict)
        page = kind.search(request.user, params)
        return respond(bundle.searchset(base_url(request), kind.type, page, params, params.values))

    def post(self, request):
        kind = self.kind
        if kind.create is None:
            raise FhirError(405, "not-supported", f"{kind.type} cannot be created here.")
        if_none_exist = request.META.get("HTTP_IF_NONE_EXIST")
        if if_none_exist and not kind.conditional_create:
            raise FhirError(400, "not-supported", f"Conditional create is not supported for {kind.type}.")
        resource = validation.check(self.body(request), kind.type)
        if resource.get("id"):
            resource = {k: v for k, v in resource.items() if k != "id"}  # a create ignores a client id
        with transaction.atomic(durable=True):
            created, is_new = kind.create(request.user, resource, if_none_exist)
        location = f"{base_url(request)}{kind.type}/{created['id']}"
        headers = {"Location": location, "Content-Location": location, **_resource_headers(kind, created)}
        prefer = request.META.get("HTTP_PREFER", "")
        return respond(None if "return=minimal" in prefer else created, 201 if is_new else 200, headers)


class InstanceView(FhirView):
    """``[base]/[type]/[id]``: read (GET) and update (PUT)."""

    resource_type = ""

    @property
    def kind(self) -> registry.ResourceKind:
        return registry.get(self.resource_type)

    def get(self, request, resource_id: str):
        kind = self.kind
        resource = kind.read(request.user, resource_id)
        return respond(resource, 200, _resource_headers(kind, resource))

    def put(self, request, resource_id: str):
        kind = self.kind
        if kind.update is None:
            raise FhirError(405, "not-supported", f"{kind.type} cannot be updated here.")
        resource = validation.check(self.body(request), kind.type)
        expected = bundle._if_match(request.META.get("HTTP_IF_MATCH")) if kind.versioned else None
        with transaction.atomic(durable=True):
            updated = kind.update(request.user, resource_id, resource, expected)
        return respond(updated, 200, _resource_headers(kind, updated))


class ExportView(FhirView):
    """Bulk data kick-off: ``[base]/$export`` (system) and ``[base]/Patient/$export`` (patients and their
    compartment). 202 with Content-Location of the status URL."""

    level = "system"

    def get(self, request):
        job = export.kick_off(request.user, level=self.level, types=request.GET.get("_type", ""),
                              output_format=request.GET.get("_outputFormat", ""),
                              purpose=request.GET.get("purpose") or request.headers.get("X-Purpose", ""),
                              approval=request.GET.get("approval", ""))
        status_url = request.build_absolute_uri(reverse("fhir:export-status", kwargs={"job_id": job.pk}))
        return respond(outcome([("informational", f"Export queued as job {job.pk}.", None)], severity="information"),
                       202, {"Content-Location": status_url})


class ExportStatusView(FhirView):
    def get(self, request, job_id: int):
        job = export.job_for(request.user, job_id)
        state = export.state_of(job)
        if state == "pending":
            done = (job.progress or {}).get("done", "")
            return HttpResponse(status=202, headers={"X-Progress": f"in progress {done}".strip(), "Retry-After": "5"})
        if state == "approval":
            result = job.result or {}
            return respond(outcome([("forbidden", f"The export of {result.get('rows')} rows needs approval "
                                     f"#{result.get('approval_required')} (/audit/export-approvals/); once approved, "
                                     f"kick off again with approval={result.get('approval_required')}.", None)]), 403)
        if state == "failed":
            return respond(outcome([("exception", "The export failed; ask the system administrator (/jobs/).",
                                     None)]), 500)
        manifest = export.manifest(job, lambda name: request.build_absolute_uri(
            reverse("fhir:export-file", kwargs={"job_id": job.pk, "name": name})),
            request.build_absolute_uri())
        return HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/json",
                            headers={"Expires": manifest.get("expires", "")} if manifest.get("expires") else {})


class ExportFileView(FhirView):
    def get(self, request, job_id: int, name: str):
        job = export.job_for(request.user, job_id)
        handle = export.open_file(job, name)
        if handle is None:
            raise not_found()
        return FileResponse(handle, content_type="application/fhir+ndjson")
