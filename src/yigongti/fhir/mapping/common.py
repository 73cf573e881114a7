"""Small helpers shared by the converters."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ..errors import invalid


def ref(resource_type: str, pk) -> dict:
    return {"reference": f"{resource_type}/{pk}"}


def coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = str(display)
    return found


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    found = {"coding": [coding(system, code, display)]}
    if text:
        found["text"] = str(text)
    return found


def instant(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def meta(version=None, updated: dt.datetime | None = None) -> dict:
    found = {}
    if version is not None:
        found["versionId"] = str(version)
    if updated is not None:
        found["lastUpdated"] = instant(updated)
    return found


def quantity(value, unit: str, code: str | None = None) -> dict:
    number = Decimal(str(value))
    return {"value": float(number) if number != number.to_integral_value() else int(number),
            "unit": unit, "system": "http://unitsofmeasure.org", "code": code or unit}


def strip_empty(resource: dict) -> dict:
    """FHIR forbids empty strings, lists and objects: drop them (recursively)."""
    def clean(value):
        if isinstance(value, dict):
            found = {k: clean(v) for k, v in value.items()}
            return {k: v for k, v in found.items() if v not in (None, "", [], {})}
        if isinstance(value, list):
            found = [clean(v) for v in value]
            return [v for v in found if v not in (None, "", [], {})]
        return value

    return clean(resource)


def reference_target(reference: dict | None, resource_type: str, field: str) -> str | None:
    """The id of ``{"reference": "Patient/12"}`` (relative or absolute, or ``urn:uuid:…`` already resolved by
    the transaction processor); None when absent."""
    if not reference:
        return None
    raw = (reference.get("reference") or "").strip() if isinstance(reference, dict) else ""
    if not raw:
        return None
    if raw.startswith(f"{resource_type}?"):
        return raw  # a conditional reference ("Patient?identifier=…"), resolved by the kind
    parts = raw.rstrip("/").split("/")
    if len(parts) < 2 or parts[-2] != resource_type:
        raise invalid(f"{field} must reference a {resource_type}.", field, status=422)
    return parts[-1]


def parse_date(raw: str | None, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise invalid(f"{field}: a full date (YYYY-MM-DD) is needed.", field, status=422) from None


def parse_datetime(raw: str | None, field: str) -> dt.datetime | None:
    if not raw:
        return None
    try:
        if len(raw) == 10:
            moment = dt.datetime.fromisoformat(raw)
        else:
            moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{field}: not a date-time.", field, status=422) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def codes_of(concept_value: dict | None, system: str | None = None) -> list[str]:
    if not concept_value:
        return []
    return [c.get("code") for c in concept_value.get("coding") or []
            if c.get("code") and (system is None or c.get("system") == system)]
