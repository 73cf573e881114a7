"""The site's error pages for faults (issue 11, item 4). When the database cannot be reached the request
gets a clear 503 ("try again shortly") instead of a bare 500, in the shape its client expects (the API's
JSON error, a FHIR OperationOutcome, or a page); the connection is re-opened by the next request once the
database is back (``conn_health_checks``)."""
from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 15


def _database_down() -> bool:
    exc = sys.exc_info()[1]
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    """``handler500``: Django calls it while the exception is being handled, so sys.exc_info() names it."""
    down = _database_down()
    status = 503 if down else 500
    message = gettext("数据库暂时无法连接，请稍后重试。") if down else gettext("服务器内部错误，已记录，请稍后重试。")
    code = "database_unavailable" if down else "server_error"
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"status": status, "code": code, "message": message, "fields": {}}},
                                status=status)
    elif request.path.startswith("/fhir/"):
        response = JsonResponse({"resourceType": "OperationOutcome",
                                 "issue": [{"severity": "error", "code": "transient" if down else "exception",
                                            "diagnostics": message}]},
                                status=status, content_type="application/fhir+json")
    elif down:
        # No template, no database: the page must render while the database is away.
        body = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{message}</title></head>'
                f"<body><h1>{message}</h1><p>{gettext('医共体信息平台')}</p></body></html>")
        response = HttpResponse(body, status=status)
    else:
        return django_server_error(request)
    if down:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
