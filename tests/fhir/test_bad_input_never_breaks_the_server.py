"""Arbitrary JSON sent to every write of the FHIR interface gives an OperationOutcome with a 4xx status (or a
created resource), never a 500 — generated inputs, bounded (hypothesis, fixed seed)."""
import json

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from .conftest import LOINC, assert_valid, blood_pressure, body, patient

pytestmark = pytest.mark.django_db

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["male", "2026-11-20", "Patient/1", LOINC, "85354-9",
                                                           "mm[Hg]", "final", "AMB", "I10.x00", "urn:uuid:x"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(
                                                          ["value", "code", "system", "reference", "text",
                                                           "coding", "valueQuantity", "start", "url"]), inner,
                                                          max_size=3)), max_leaves=8)


def _mutations(base: dict):
    return st.dictionaries(st.sampled_from(sorted(base) + ["component", "valueQuantity", "extension", "contained",
                                                           "identifier", "period", "class", "reasonCode"]),
                           values, max_size=3).map(lambda changes: {**base, **changes})


@seed(20261123)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_generated_resources_get_an_answer_not_an_error_page(scenario, fhir, data):
    client = fhir(scenario.village_doctor_a)
    target = data.draw(st.sampled_from(["Patient", "Observation", "Encounter", "bundle"]))
    if target == "Patient":
        resource = data.draw(_mutations(patient(scenario)))
    elif target == "Observation":
        resource = data.draw(_mutations(blood_pressure("Patient/1")))
    elif target == "Encounter":
        resource = data.draw(_mutations({"resourceType": "Encounter", "status": "finished",
                                         "class": {"code": "AMB"}, "subject": {"reference": "Patient/1"}}))
    else:
        resource = {"resourceType": "Bundle", "type": "transaction",
                    "entry": [{"request": {"method": data.draw(st.sampled_from(["POST", "PUT", "GET"])),
                                           "url": data.draw(st.sampled_from(["Patient", "Patient/1", "Observation",
                                                                             "Encounter?patient=1", "x"]))},
                               "resource": data.draw(_mutations(patient(scenario)))}]}
    path = "/fhir/" if target == "bundle" else f"/fhir/{target}"
    try:
        json.dumps(resource, allow_nan=False)
    except ValueError:
        return
    response = client.post(path, resource)
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert_valid(body(response))
