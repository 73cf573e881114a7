"""Fill English translations into an app's django.po from a JSON object {"中文": "English", …}.

    python tools/pofill.py src/yigongti/org/locale/en/LC_MESSAGES/django.po translations.json

Only empty (or fuzzy) entries are filled; entries already translated are left alone. Then run
tools/i18n.sh to compile. tests/foundation/test_i18n.py lists whatever is still untranslated.
"""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "foundation"))
from po import entries, escape  # noqa: E402


def main(po_path: str, json_path: str) -> None:
    mapping = json.loads(Path(json_path).read_text())
    text = Path(po_path).read_text()
    out = text
    filled = 0
    for entry in entries(text):
        if entry.msgid in mapping and (not entry.translated or entry.fuzzy):
            new_block = entry.block
            if entry.fuzzy:
                new_block = re.sub(r"^#, fuzzy\n", "", new_block, flags=re.M)
                new_block = re.sub(r"^(#,.*), fuzzy", r"\1", new_block, flags=re.M)
            new_block = re.sub(r'msgstr ".*"(\n".*")*\s*$', f'msgstr "{escape(mapping[entry.msgid])}"\n', new_block)
            out = out.replace(entry.block, new_block, 1)
            filled += 1
    Path(po_path).write_text(out)
    print(f"filled {filled}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
