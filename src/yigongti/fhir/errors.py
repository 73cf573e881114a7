"""Every error is an OperationOutcome with the right HTTP status (docs/fhir.md "Errors")."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


class FhirError(Exception):
    """An error to answer as an OperationOutcome. ``issues``: [(code, diagnostics, expression or None)]."""

    def __init__(self, status: int, code: str, diagnostics: str, expression: str | None = None,
                 issues: list[tuple[str, str, str | None]] | None = None):
        super().__init__(diagnostics)
        self.status = status
        self.issues = issues or [(code, diagnostics, expression)]


def not_found() -> FhirError:
    return FhirError(404, "not-found", _("未找到。"))


def invalid(diagnostics: str, expression: str | None = None, status: int = 400) -> FhirError:
    return FhirError(status, "invalid", diagnostics, expression)


def not_supported(diagnostics: str, status: int = 405) -> FhirError:
    return FhirError(status, "not-supported", diagnostics)


def outcome(issues, severity: str = "error") -> dict:
    body = {"resourceType": "OperationOutcome", "issue": []}
    for code, diagnostics, expression in issues:
        issue = {"severity": severity, "code": code, "diagnostics": str(diagnostics)}
        if expression:
            issue["expression"] = [expression]
        body["issue"].append(issue)
    return body


def from_exception(exc: Exception, *, prefix: str = "") -> FhirError | None:
    """Translate what the actions and queries raise into a FhirError; None for anything unexpected.

    ValidationError → 422 (a business rule of the platform: ID check, duplicate, range) with one issue per
    field; a possible duplicate or a known document number → 409 ``duplicate``; PermissionDenied → 403;
    Http404 → 404; a stale version → 412 (FHIR's answer to a failed If-Match)."""
    from yigongti.api.errors import StaleEdit

    if isinstance(exc, FhirError):
        return exc
    if isinstance(exc, Http404):
        return not_found()
    if isinstance(exc, PermissionDenied):
        return FhirError(403, "forbidden", str(exc) or _("无权执行该操作。"))
    if isinstance(exc, StaleEdit):
        return FhirError(412, "conflict", _("该记录已被他人修改（版本不符），请重新读取后再提交。"))
    if isinstance(exc, ValidationError):
        issues = []
        duplicate = False
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                for error in errors:
                    duplicate |= error.code in ("possible_duplicate", "duplicate_document")
                    message = error.message % error.params if error.params else error.message
                    where = None if field == "__all__" else f"{prefix}{field}"
                    issues.append(("business-rule", str(message), where))
        else:
            for error in exc.error_list:
                duplicate |= error.code in ("possible_duplicate", "duplicate_document")
                message = error.message % error.params if error.params else error.message
                issues.append(("business-rule", str(message), None))
        if duplicate:
            issues = [("duplicate", d, e) for _c, d, e in issues]
            return FhirError(409, "duplicate", issues[0][1], issues=issues)
        return FhirError(422, "business-rule", issues[0][1] if issues else "", issues=issues)
    return None
