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
