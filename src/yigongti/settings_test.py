"""Test settings: the real settings with a fast password hasher and plain static storage."""
import os

os.environ.setdefault("YIGONGTI_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("YIGONGTI_HTTPS", "0")

from yigongti.settings import *  # noqa: E402,F403
from yigongti.settings import STORAGES, VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
KEY_DIR = VAR_DIR / "test-keys"
AXES_ENABLED = True
LANGUAGE_CODE = "zh-hans"

# SQLite tests run on a file database (WAL), not in memory, so race tests see real locking; one file per
# test run (xdist workers add their own suffix), removed when the run ends.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    os.environ.setdefault("YIGONGTI_TEST_RUN", str(os.getpid()))
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.environ['YIGONGTI_TEST_RUN']}.sqlite3")}  # noqa: F405
KEY_AUTO_CREATE = True  # tests create their field-encryption keys on first use (var/test-keys)
