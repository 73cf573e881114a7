"""The CapabilityStatement, generated from the registry of implemented kinds and interactions (never a
hand-written JSON): what /fhir/metadata says is what the URLs, the transaction processor and $export do."""
from __future__ import annotations

from django.utils import timezone

from . import registry

FHIR_VERSION = "4.0.1"
SECURITY = "http://terminology.hl7.org/CodeSystem/restful-security-service"
EXPORT_DEFINITION = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"
PATIENT_EXPORT_DEFINITION = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"


def statement(base_url: str) -> dict:
    resources = []
    for kind in registry.kinds():
        entry = {
            "type": kind.type,
            "documentation": kind.documentation,
            "interaction": [{"code": code} for code in kind.interactions],
            "versioning": "versioned" if kind.versioned else "no-version",
            "readHistory": False,
            "updateCreate": False,
            "conditionalCreate": kind.conditional_create,
            "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
            "searchParam": [{"name": p.name, "type": p.type, "documentation": p.documentation}
                            for p in kind.search_params],
        }
        if kind.type == "Patient":
            entry["operation"] = [{"name": "export", "definition": PATIENT_EXPORT_DEFINITION}]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().isoformat(timespec="seconds"),
        "publisher": "yigongti",
        "kind": "instance",
        "software": {"name": "yigongti"},
        "implementation": {"description": "医共体信息平台 FHIR R4 接口", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Search results are paged with _count (default 20, at most 200) and _offset; "
                             "see docs/fhir.md.",
            "security": {
                "service": [{"coding": [{"system": SECURITY, "code": "Basic", "display": "Token"}],
                             "text": "DRF token: Authorization: Token <key> (yigongti token USERNAME)"}],
                "description": "The same token authentication, scoping and audit as the REST API.",
            },
            "resource": resources,
            "interaction": [{"code": "transaction", "documentation": "All-or-nothing: one database transaction"}],
            "operation": [{"name": "export", "definition": EXPORT_DEFINITION}],
        }],
    }
