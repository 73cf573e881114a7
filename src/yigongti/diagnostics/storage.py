"""Where study files live, behind one small interface:

    store = get_storage()               # settings.YIGONGTI_DIAGNOSTICS["STORAGE"]: "local" (default) or "orthanc"
    saved = store.save(content, kind="dicom", filename="chest.dcm", content_type="application/dicom")
    store.open(saved.storage, saved.key) -> bytes

``LocalStorage`` keeps files under ``conf.storage_dir()`` named by their SHA-256 (the same file twice is kept
once). ``OrthancStorage`` sends DICOM instances to the Orthanc archive with DICOMweb STOW-RS, finds studies with
QIDO-RS (modalities send to the archive themselves; the platform links the study to the request), and reads an
instance back through Orthanc's REST API; PDFs and images (ECGs) stay in local storage. HTTP goes through
urllib: no extra dependency."""
from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import conf


@dataclass(frozen=True)
class Saved:
    storage: str
    key: str
    sha256: str
    size: int


class StorageError(RuntimeError):
    pass


class LocalStorage:
    name = "local"

    def __init__(self, root: Path | None = None):
        self.root = Path(root or conf.storage_dir())

    def save(self, content: bytes, *, kind: str, filename: str, content_type: str) -> Saved:
        digest = hashlib.sha256(content).hexdigest()
        key = f"{digest[:2]}/{digest}"
        path = self.root / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
        return Saved(self.name, key, digest, len(content))

    def open(self, key: str) -> bytes:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError("bad key")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StorageError("missing") from None


class OrthancStorage:
    """The Orthanc archive through DICOMweb (Debian's ``orthanc`` + ``orthanc-dicomweb``)."""

    name = "orthanc"

    def __init__(self, base_url: str | None = None, auth: tuple[str, str] | None = None, timeout: float = 10,
                 local: LocalStorage | None = None):
        self.base = (base_url or conf.get("ORTHANC_URL")).rstrip("/")
        self.auth = auth if auth is not None else conf.get("ORTHANC_AUTH")
        self.timeout = timeout
        self.local = local or LocalStorage()

    # -- HTTP ------------------------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> bytes:
        url = self.base + path
        if not url.startswith(("http://", "https://")):
            raise StorageError("Orthanc URL must be http(s)")
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))  # noqa: S310
        if self.auth:
            token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 (http(s) checked above)
                return resp.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise StorageError(f"Orthanc: {exc}") from None

    def reachable(self) -> bool:
        try:
            return "Version" in json.loads(self._call("GET", "/system"))
        except (StorageError, ValueError):
            return False

    def stow(self, content: bytes) -> dict:
        """STOW-RS one instance; returns Orthanc's DICOM JSON answer."""
        boundary = f"yigongti-{uuid.uuid4().hex}"
        body = (f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + content
                + f"\r\n--{boundary}--\r\n".encode())
        answer = self._call("POST", "/dicom-web/studies", body, {
            "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
            "Accept": "application/dicom+json"})
        data = json.loads(answer or b"{}")
        failed = (data.get("00081198") or {}).get("Value")  # FailedSOPSequence
        stored = (data.get("00081199") or {}).get("Value")  # ReferencedSOPSequence
        if failed or not stored:
            raise StorageError("Orthanc refused the instance")
        return data

    def find_instances(self, study_uid: str) -> list[dict]:
        """QIDO-RS: the instances of a study, as {study_uid, series_uid, instance_uid, modality}."""
        path = f"/dicom-web/studies/{urllib.parse.quote(study_uid)}/instances"
        try:
            rows = json.loads(self._call("GET", path, headers={"Accept": "application/dicom+json"}) or b"[]")
        except StorageError:
            return []

        def value(row, tag):
            return ((row.get(tag) or {}).get("Value") or [""])[0]

        return [{"study_uid": value(r, "0020000D"), "series_uid": value(r, "0020000E"),
                 "instance_uid": value(r, "00080018"), "modality": value(r, "00080060")} for r in rows]

    def find_studies(self, **filters: str) -> list[str]:
        """QIDO-RS study search (e.g. StudyDate="20260302", ModalitiesInStudy="CT"): StudyInstanceUIDs."""
        query = urllib.parse.urlencode(filters)
        rows = json.loads(self._call("GET", f"/dicom-web/studies?{query}",
                                     headers={"Accept": "application/dicom+json"}) or b"[]")
        return [((r.get("0020000D") or {}).get("Value") or [""])[0] for r in rows]

    # -- the storage interface -------------------------------------------------------------------------
    def save(self, content: bytes, *, kind: str, filename: str, content_type: str) -> Saved:
        if kind != "dicom":
            return self.local.save(content, kind=kind, filename=filename, content_type=content_type)
        from .dicom import parse

        info = parse(content)
        self.stow(content)
        key = "/".join((info["study_uid"], info["series_uid"], info["instance_uid"]))
        return Saved(self.name, key, hashlib.sha256(content).hexdigest(), len(content))

    def open(self, key: str) -> bytes:
        study, series, instance = key.split("/")
        found = json.loads(self._call("POST", "/tools/lookup", instance.encode()) or b"[]")
        ids = [row["ID"] for row in found if row.get("Type") == "Instance"]
        if not ids:
            raise StorageError("missing")
        return self._call("GET", f"/instances/{ids[0]}/file")


def get_storage(name: str | None = None):
    name = name or conf.get("STORAGE")
    return OrthancStorage() if name == "orthanc" else LocalStorage()


def open_file(storage_name: str, key: str) -> bytes:
    store = OrthancStorage() if storage_name == "orthanc" else LocalStorage()
    return store.open(key)
