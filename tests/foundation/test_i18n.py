"""zh-Hans first, English kept working: every source string of every app has an English translation,
the catalogues are compiled, and the .po files are in step with the code (tools/i18n.sh)."""
from pathlib import Path

import pytest

from tests.foundation.po import entries

APPS = Path(__file__).resolve().parents[2] / "src" / "yigongti"
CATALOGUES = sorted(APPS.glob("*/locale/en/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_string_has_an_english_translation(po):
    missing = [e.msgid for e in entries(po.read_text()) if not e.translated or e.fuzzy]
    assert not missing, f"untranslated in {po}: {missing[:20]} — run tools/i18n.sh and fill them"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogues_are_compiled(po):
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1, f"run tools/i18n.sh to compile {po}"


def _xgettext_available() -> bool:
    import shutil

    return shutil.which("xgettext") is not None


@pytest.mark.parametrize("app", sorted(p.parts[-5] for p in CATALOGUES))
def test_catalogues_are_in_step_with_the_code(app, tmp_path):
    """A string added to the code but not extracted would show Chinese in the English UI."""
    import os
    import shutil
    import subprocess
    import sys

    if not _xgettext_available():
        if os.environ.get("CI") == "true":
            pytest.fail("gettext (xgettext) is needed: apt-get install gettext")
        pytest.skip("gettext (xgettext) not installed: apt-get install gettext")
    copy = tmp_path / app
    shutil.copytree(APPS / app, copy, ignore=shutil.ignore_patterns("migrations", "static", "__pycache__"))
    manage = [str(Path(sys.executable).with_name("yigongti"))]  # not `python -m`: cwd would shadow modules
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yigongti.settings_test"}
    subprocess.run([*manage, "makemessages", "-l", "en", "--no-obsolete", "-v", "0"], cwd=copy, env=env,
                   check=True, capture_output=True)
    fresh = {e.msgid for e in entries((copy / "locale/en/LC_MESSAGES/django.po").read_text())}
    committed = {e.msgid for e in entries((APPS / app / "locale/en/LC_MESSAGES/django.po").read_text())}
    missing = sorted(fresh - committed)
    assert not missing, f"{app}: strings not extracted yet, run tools/i18n.sh {app}: {missing[:10]}"
