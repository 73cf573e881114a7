import pytest


@pytest.fixture(autouse=True)
def _study_files_in_tmp(settings, tmp_path):
    """Study files of a test go to its own temporary directory (local storage)."""
    settings.YIGONGTI_DIAGNOSTICS = {**getattr(settings, "YIGONGTI_DIAGNOSTICS", {}),
                                     "STORAGE_DIR": str(tmp_path / "studies")}
