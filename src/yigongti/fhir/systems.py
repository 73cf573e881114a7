"""The URIs of identifier systems and code systems this server emits and accepts (docs/fhir.md lists them).

Chinese documents have no internationally registered FHIR naming system; the consortium defines its own
under ``conf.system_base()`` (a deployment sets YIGONGTI_FHIR_SYSTEM_BASE to a domain it owns) and types
each identifier with HL7 v2 table 0203 so that a receiver that does not know our URIs still knows what the
number is. Codes of international terminologies use their canonical URIs (LOINC, UCUM, v3 ActCode)."""
from __future__ import annotations

from . import conf


def sid(name: str) -> str:
    return f"{conf.system_base()}/sid/{name}"


def codesystem(name: str) -> str:
    return f"{conf.system_base()}/CodeSystem/{name}"


def extension(name: str) -> str:
    return f"{conf.system_base()}/StructureDefinition/{name}"


LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"

# people.DocumentType → (identifier system name, v2-0203 type code, display)
DOCUMENTS = {
    "id_card": ("cn-citizen-id", "NI", "居民身份证（GB 11643）"),
    "hmt_permit": ("cn-hmt-residence-permit", "NI", "港澳台居民居住证"),
    "birth_cert": ("cn-birth-certificate", "BCT", "出生医学证明"),
    "passport": ("passport", "PPN", "护照"),
    "foreign_pr": ("cn-foreign-permanent-residence", "PRC", "外国人永久居留身份证"),
}


def document_system(document_type: str) -> str | None:
    entry = DOCUMENTS.get(document_type)
    return sid(entry[0]) if entry else None


def document_type_of(system: str) -> str | None:
    for doc_type, (name, _code, _display) in DOCUMENTS.items():
        if system == sid(name):
            return doc_type
    return None


RECORD_NUMBER = "health-record-number"  # 17 digits: 12-digit area code + 5-digit serial (identifiers.md)
INSTITUTION_CODE = "institution-code"
INSURANCE_CODE = "insurance-institution-code"
AREA_CODE = "area-code"  # GB/T 2260 (county) / NBS 12-digit statistical code
USERNAME = "staff-username"
ICD10 = "icd-10-cn"  # ICD-10 国家临床版 2.0 (and 医保版 2.0), the platform's disease catalogue


def his_encounter(institution_code: str) -> str:
    """Encounter numbers are unique per institution and source system."""
    return sid(f"encounter/{institution_code}")


def his_observation(institution_code: str) -> str:
    return sid(f"observation/{institution_code}")
