"""OpenAPI schema additions: every operation documents the one error shape (api/errors.py) for the
statuses the API can answer with, so clients and the fuzz suite (tests/fuzz) know what to expect."""
from __future__ import annotations

ERROR_STATUSES = {
    "400": "提交的数据有误（字段级错误） / invalid input, with field-level messages",
    "401": "未登录或令牌无效 / not authenticated",
    "403": "无权执行该操作 / not allowed",
    "404": "不存在或无权查看 / not found, or not visible to this user",
    "409": "记录已被他人修改 / stale edit (version conflict)",
    "429": "请求过于频繁 / too many requests",
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "fields"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
        }
    },
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (settings SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}})
    return result


def only_api_paths(endpoints):
    """drf-spectacular preprocessing hook: the OpenAPI schema documents /api/v1/ only. FHIR (/fhir/) is
    described by its own CapabilityStatement at /fhir/metadata, not by OpenAPI."""
    return [e for e in endpoints if e[0].startswith("/api/")]
