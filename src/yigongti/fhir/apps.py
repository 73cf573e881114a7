from django.apps import AppConfig


class FhirConfig(AppConfig):
    """FHIR R4 接口"""

    name = "yigongti.fhir"
    label = "fhir"
    default_auto_field = "django.db.models.BigAutoField"
