"""Validation of resources with the independent ``fhir.resources`` models, FHIR R4B (4.3.0).

fhir.resources 8.x (pydantic v2) ships R5 by default and R4B under ``fhir.resources.R4B``; the R4 (4.0.1)
models exist only in its 6.x line, on pydantic v1, which this project does not install. The server declares
fhirVersion 4.0.1 and emits only elements whose definition is the same in R4 and R4B for the resources it
uses (docs/fhir.md "R4 and R4B"); incoming resources are checked with the same models."""
from __future__ import annotations

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError as PydanticError

from .errors import FhirError


def model_for(resource_type: str):
    return get_fhir_model_class(resource_type)


def check(resource: dict, expected_type: str | None = None, *, status: int = 400) -> dict:
    """``resource`` if it is a valid R4B resource (of ``expected_type``); FhirError 400 ``structure`` with one
    issue per problem otherwise."""
    if not isinstance(resource, dict):
        raise FhirError(status, "structure", "The body is not a JSON object.")
    kind = resource.get("resourceType")
    if expected_type and kind != expected_type:
        raise FhirError(status, "structure", f"Expected a {expected_type} resource, got {kind!r}.",
                        "resourceType")
    try:
        model = model_for(str(kind))
    except (KeyError, ValueError, AttributeError, TypeError):
        raise FhirError(status, "structure", f"Unknown resourceType {kind!r}.", "resourceType") from None
    try:
        model.model_validate(resource)
    except PydanticError as exc:
        issues = [("structure", f"{err['msg']}", f"{kind}." + ".".join(str(p) for p in err["loc"]))
                  for err in exc.errors()[:20]]
        raise FhirError(status, "structure", issues[0][1], issues=issues) from None
    return resource
