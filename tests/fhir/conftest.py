"""FHIR test helpers: a client that speaks application/fhir+json with a user's API token, an independent R4B
validator (fhir.resources), ICD-10 codes, and resources built like an integrator would build them."""
from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from fhir.resources.R4B import get_fhir_model_class
from rest_framework.authtoken.models import Token

from yigongti import events
from yigongti.rules import idcard

SID = "https://fhir.yigongti.local/sid/"
AREA_EXT = "https://fhir.yigongti.local/StructureDefinition/area-code"
LOINC = "http://loinc.org"


def assert_valid(resource: dict) -> dict:
    """Validate with the fhir.resources R4B model of the resource's type (raises on any problem)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


class FhirClient:
    def __init__(self, client, user=None):
        self.client = client
        client.logout()
        self.headers = {}
        if user is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"

    def get(self, path, params=None, **headers):
        return self.client.get(path, params or {}, **self.headers, **headers)

    def post(self, path, body, **headers):
        return self.client.post(path, json.dumps(body), content_type="application/fhir+json", **self.headers,
                                **headers)

    def put(self, path, body, **headers):
        return self.client.put(path, json.dumps(body), content_type="application/fhir+json", **self.headers,
                               **headers)


def body(response) -> dict:
    return json.loads(response.content)


@pytest.fixture
def fhir(client):
    return lambda user=None: FhirClient(client, user)


@pytest.fixture
def icd(db):
    from yigongti.people.models import Icd10Code

    for code, name in [("I10.x00", "原发性高血压"), ("E11.900", "2型糖尿病"), ("J06.900", "急性上呼吸道感染")]:
        Icd10Code.objects.get_or_create(code=code, defaults={"name": name})


@pytest.fixture
def published():
    seen: list = []

    def record(event):
        seen.append(event)

    for event_type in events.EVENT_TYPES:
        events.subscribe(event_type, record, app="tests")
    yield seen
    for event_type in events.EVENT_TYPES:
        events.unsubscribe(event_type, record)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def citizen_id(born=dt.date(1956, 4, 12), sex="1", seed=7) -> str:
    return idcard.synthetic_id(random.Random(seed), born, sex)


def patient(scenario, *, name="黄建国", born=dt.date(1956, 4, 12), sex="male", number=None, org=None, area=None,
            phone="13900001111") -> dict:
    number = number or citizen_id(born, "1" if sex == "male" else "2")
    resource = {
        "resourceType": "Patient",
        "identifier": [{"system": SID + "cn-citizen-id", "value": number}],
        "name": [{"use": "official", "text": name}],
        "gender": sex,
        "birthDate": born.isoformat(),
        "telecom": [{"system": "phone", "value": phone}],
        "address": [{"use": "home", "text": "桃源村3组12号",
                     "extension": [{"url": AREA_EXT, "valueCode": (area or scenario.village_a).code}]}],
        "managingOrganization": {"reference": f"Organization/{(org or scenario.clinic_a).pk}"},
    }
    return resource


def blood_pressure(subject: str, systolic=150, diastolic=95, when="2026-11-20T09:30:00+08:00", org=None,
                   identifier=None) -> dict:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": "85354-9"}]},
        "subject": {"reference": subject},
        "effectiveDateTime": when,
        "component": [
            {"code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
             "valueQuantity": {"value": systolic, "unit": "mmHg", "system": "http://unitsofmeasure.org",
                               "code": "mm[Hg]"}},
            {"code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
             "valueQuantity": {"value": diastolic, "unit": "mmHg", "system": "http://unitsofmeasure.org",
                               "code": "mm[Hg]"}},
        ],
    }
    if org is not None:
        resource["performer"] = [{"reference": f"Organization/{org.pk}"}]
    if identifier:
        resource["identifier"] = [{"system": SID + "observation/V001", "value": identifier}]
    return resource


def transaction(*entries) -> dict:
    """entries: (method, url, resource or None, fullUrl or None)."""
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {k: v for k, v in {"fullUrl": full, "resource": resource, "request": {"method": method, "url": url}}.items()
         if v is not None}
        for method, url, resource, full in entries]}
