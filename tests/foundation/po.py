"""A small reader of gettext .po files (enough for our checks; no dependency)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def unescape(s: str) -> str:
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode("utf-8") \
        if "\\" in s else s


def escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass
class Entry:
    block: str
    msgid: str
    msgstr: str
    fuzzy: bool
    plural: bool

    @property
    def translated(self) -> bool:
        return bool(self.msgstr.strip())


def _collect(lines: list[str], start: int) -> tuple[str, int]:
    parts = [m.group(1) for m in _STRING.finditer(lines[start])]
    i = start + 1
    while i < len(lines) and lines[i].startswith('"'):
        parts.extend(m.group(1) for m in _STRING.finditer(lines[i]))
        i += 1
    return "".join(unescape(p) for p in parts), i


def entries(text: str) -> list[Entry]:
    result = []
    for block in re.split(r"\n\s*\n", text):
        block = block.strip("\n") + "\n"
        lines = block.splitlines()
        msgid = msgstr = None
        plural = False
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("msgid "):
                msgid, i = _collect(lines, i)
                continue
            if line.startswith("msgid_plural"):
                plural = True
            if line.startswith("msgstr ") or line.startswith("msgstr[0]"):
                msgstr, i = _collect(lines, i)
                continue
            i += 1
        if msgid:  # the header has an empty msgid
            result.append(Entry(block, msgid, msgstr or "", fuzzy, plural))
    return result
