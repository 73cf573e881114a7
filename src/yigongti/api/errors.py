"""One JSON error shape for the whole API, in the request's language:

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"id_number": ["…"]}}}

Field-level messages come from the serializers (translated with gettext); 404 where existence must not
leak; 409 on a stale edit (``StaleEdit``). Bad input never gives a 500.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class StaleEdit(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该记录已被他人修改，请刷新后重试。")
    default_code = "stale"


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for v in detail for m in _flatten(v)]
    return [str(detail)]


def _fields(detail) -> dict:
    if not isinstance(detail, dict):
        return {}
    fields = {}
    for name, value in detail.items():
        if name in ("non_field_errors", "__all__"):
            continue
        fields[name] = value if isinstance(value, dict) else _flatten(value)
    return fields


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        non_field = detail.get("non_field_errors", []) if isinstance(detail, dict) else detail
        message = " ".join(_flatten(non_field)) or str(_("提交的数据有误，请检查标出的字段。"))
        code = "invalid"
    else:
        message = str(detail.get("detail", "")) if isinstance(detail, dict) else " ".join(_flatten(detail))
        code = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
    body = {"error": {"status": response.status_code, "code": code, "message": message,
                      "fields": _fields(detail) if isinstance(exc, exceptions.ValidationError) else {}}}
    return Response(body, status=response.status_code, headers=dict(response.headers))
