"""Bundles: searchset pages and transactions.

A transaction is all-or-nothing: every entry runs inside one durable database transaction; the first
entry that fails rolls back everything before it and the answer is that entry's OperationOutcome (its
status, with ``Bundle.entry[n]`` in the issue's expression). ``urn:uuid:`` fullUrls of created resources
may be referenced by later entries; creates run before updates before reads, Patients first."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.db import transaction
from django.http import QueryDict

from . import registry, search, validation
from .errors import FhirError, from_exception, invalid

CREATE_ORDER = {"Patient": 0, "Encounter": 1}
METHOD_ORDER = {"POST": 0, "PUT": 1, "GET": 2}


def searchset(base: str, resource_type: str, page: registry.Page, params: search.Params, query: dict) -> dict:
    def link(relation: str, offset: int) -> dict:
        q = [(k, v) for k, values in query.items() for v in values] + [("_count", params.count),
                                                                       ("_offset", offset)]
        return {"relation": relation, "url": f"{base}{resource_type}?{urlencode(q)}"}

    links = [link("self", params.offset)]
    if page.total is None or params.offset + params.count < page.total:
        if params.count and len(page.resources) == params.count:
            links.append(link("next", params.offset + params.count))
    if params.offset > 0:
        links.append(link("previous", max(0, params.offset - params.count)))
    body = {"resourceType": "Bundle", "id": str(uuid.uuid4()), "meta": {"lastUpdated": search.now_iso()},
            "type": "searchset", "link": links,
            "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in page.resources]}
    if page.total is not None:
        body["total"] = page.total
    return body


def _rewrite(value, resolved: dict[str, str]):
    if isinstance(value, dict):
        found = {}
        for k, v in value.items():
            if k == "reference" and isinstance(v, str) and v in resolved:
                found[k] = resolved[v]
            else:
                found[k] = _rewrite(v, resolved)
        return found
    if isinstance(value, list):
        return [_rewrite(v, resolved) for v in value]
    return value


def _if_match(raw: str | None) -> int | None:
    if not raw:
        return None
    tag = raw.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    if not tag.isdigit():
        raise invalid("If-Match must be a version tag like W/\"3\".", "If-Match")
    return int(tag)


def _split_url(url: str) -> tuple[str, str | None, str]:
    path, _sep, query = (url or "").partition("?")
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts:
        raise invalid("Bundle.entry.request.url is empty.")
    return parts[0], parts[1] if len(parts) > 1 else None, query


def transaction_bundle(user, bundle: dict, base: str) -> dict:
    validation.check(bundle, "Bundle")
    if bundle.get("type") != "transaction":
        raise FhirError(400, "not-supported", "Only Bundle.type = transaction is supported here.", "Bundle.type")
    entries = list(enumerate(bundle.get("entry") or []))
    for n, entry in entries:
        method = (entry.get("request") or {}).get("method")
        if method not in METHOD_ORDER:
            raise FhirError(400, "not-supported", f"Method {method!r} is not supported in a transaction.",
                            f"Bundle.entry[{n}].request.method")

    def order(item):
        n, entry = item
        method = entry["request"]["method"]
        kind = (entry.get("resource") or {}).get("resourceType", "")
        return METHOD_ORDER[method], CREATE_ORDER.get(kind, 9) if method == "POST" else 0, n

    resolved: dict[str, str] = {}
    responses: dict[int, dict] = {}
    with transaction.atomic(durable=True):
        for n, entry in sorted(entries, key=order):
            try:
                responses[n] = _entry(user, entry, resolved, base)
            except Exception as exc:  # noqa: BLE001 - translated, or re-raised below
                error = from_exception(exc, prefix="")
                if error is None:
                    raise
                error.issues = [(code, diag, f"Bundle.entry[{n}]" + (f".resource.{expr}" if expr else ""))
                                for code, diag, expr in error.issues]
                raise error from exc
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "transaction-response",
            "meta": {"lastUpdated": search.now_iso()},
            "entry": [responses[n] for n, _e in entries]}


def _entry(user, entry: dict, resolved: dict[str, str], base: str) -> dict:
    request = entry["request"]
    method = request["method"]
    resource_type, resource_id, query = _split_url(request.get("url", ""))
    kind = registry.get(resource_type)
    if kind is None:
        raise FhirError(404, "not-supported", f"Resource type {resource_type} is not supported.")
    if method == "GET":
        if resource_id:
            resource = kind.read(user, resource_id)
            return {"fullUrl": f"{base}{resource_type}/{resource['id']}", "resource": resource,
                    "response": {"status": "200 OK"}}
        qd = QueryDict(query)
        params = search.parse(qd, {p.name for p in kind.search_params})
        page = kind.search(user, params)
        return {"resource": searchset(base, resource_type, page, params, dict(qd.lists())),
                "response": {"status": "200 OK"}}
    resource = _rewrite(entry.get("resource") or {}, resolved)
    validation.check(resource, resource_type)
    if method == "POST":
        if kind.create is None:
            raise FhirError(405, "not-supported", f"{resource_type} cannot be created here.")
        if request.get("ifNoneExist") and not kind.conditional_create:
            raise FhirError(400, "not-supported", f"Conditional create is not supported for {resource_type}.")
        created, is_new = kind.create(user, resource, request.get("ifNoneExist"))
        if entry.get("fullUrl"):
            resolved[entry["fullUrl"]] = f"{resource_type}/{created['id']}"
        return {"fullUrl": f"{base}{resource_type}/{created['id']}", "resource": created,
                "response": {"status": "201 Created" if is_new else "200 OK",
                             "location": f"{resource_type}/{created['id']}",
                             **({"etag": f'W/"{created["meta"]["versionId"]}"'} if kind.versioned else {})}}
    if kind.update is None or not resource_id:
        raise FhirError(405, "not-supported", f"{resource_type} cannot be updated here.")
    updated = kind.update(user, resource_id, resource, _if_match(request.get("ifMatch")) if kind.versioned else None)
    return {"fullUrl": f"{base}{resource_type}/{updated['id']}", "resource": updated,
            "response": {"status": "200 OK", "location": f"{resource_type}/{updated['id']}"}}
