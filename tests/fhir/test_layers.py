"""fhir is layer 6 and thin: no domain app imports it, and its mapping layer knows nothing of HTTP or access
(so HL7 v2 / CDA adapters can sit beside it)."""
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "yigongti"
IMPORT = re.compile(r"^\s*(from|import)\s+(\S+)", re.M)


def _imports(path: Path) -> set[str]:
    return {m.group(2) for m in IMPORT.finditer(path.read_text())}


def test_no_domain_app_imports_fhir():
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.parts[len(SRC.parts)] not in ("fhir",) and any("fhir" in i.split(".")[:3]
                                                                     for i in _imports(p) if "yigongti" in i)]
    assert not offenders


def test_the_mapping_layer_does_no_http_no_access_and_no_writes():
    forbidden = ("django.http", "rest_framework", "yigongti.org.scoping", "yigongti.org.access", "actions",
                 "queries", "..views", "..kinds")
    for path in (SRC / "fhir" / "mapping").glob("*.py"):
        imports = _imports(path)
        assert not [i for i in imports if any(f in i for f in forbidden)], path.name
