"""Settings of the diagnostics app: ``settings.YIGONGTI_DIAGNOSTICS`` (a dict) overrides these defaults.

- ``ESCALATION_MINUTES`` (15): a critical value not acknowledged this long after it was raised escalates to
  the requesting institution's duty doctor [U].
- ``RECOGNITION_DAYS``: result-recognition window per modality in days (a test in the catalog may set its
  own) [U]; see rules/diagnostics.py.
- ``TURNAROUND_TARGET_MINUTES``: the worklist timers' targets per priority [U].
- ``STORAGE`` ("local"): where study files are kept — "local" (files under ``STORAGE_DIR``) or "orthanc"
  (DICOM to the Orthanc archive through DICOMweb at ``ORTHANC_URL``; PDFs and images stay local).
- ``MAX_UPLOAD_BYTES`` (50 MB): the largest study file accepted.
"""
from __future__ import annotations

from django.conf import settings

from yigongti.rules import diagnostics as rules

DEFAULTS = {
    "ESCALATION_MINUTES": rules.DEFAULT_ESCALATION_MINUTES,
    "RECOGNITION_DAYS": dict(rules.DEFAULT_RECOGNITION_DAYS),
    "TURNAROUND_TARGET_MINUTES": dict(rules.TURNAROUND_TARGET_MINUTES),
    "STORAGE": "local",
    "STORAGE_DIR": None,  # default: <VAR_DIR>/diagnostics
    "ORTHANC_URL": "http://127.0.0.1:8042",
    "ORTHANC_AUTH": None,  # (user, password) when Orthanc asks for it
    "MAX_UPLOAD_BYTES": 50 * 1024 * 1024,
}


def get(name: str):
    return {**DEFAULTS, **getattr(settings, "YIGONGTI_DIAGNOSTICS", {})}[name]


def storage_dir():
    from pathlib import Path

    return Path(get("STORAGE_DIR") or Path(settings.VAR_DIR) / "diagnostics")
