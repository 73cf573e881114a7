"""Settings of the FHIR interface: ``YIGONGTI_FHIR_<NAME>`` in settings, these defaults otherwise."""
from django.conf import settings


def _get(name: str, default):
    return getattr(settings, f"YIGONGTI_FHIR_{name}", default)


def system_base() -> str:
    """Root of the identifier and code-system URIs this server defines (docs/fhir.md "Identifier systems")."""
    return str(_get("SYSTEM_BASE", "https://fhir.yigongti.local")).rstrip("/")


def page_size() -> int:
    return int(_get("PAGE_SIZE", 20))


def max_count() -> int:
    return int(_get("MAX_COUNT", 200))


def export_dir() -> str:
    """Folder in the default file storage where $export writes its NDJSON files."""
    return str(_get("EXPORT_DIR", "fhir-export"))


def export_keep_days() -> int:
    return int(_get("EXPORT_KEEP_DAYS", 7))
