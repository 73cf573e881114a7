"""Search parameter parsing shared by the resource kinds: dates with prefixes, tokens, references, paging."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from . import conf
from .errors import invalid

_DATE_RE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?"
                      r"(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")
CHINA = ZoneInfo("Asia/Shanghai")


@dataclass
class Params:
    """The query string: {name: [value, …]} (a name repeated is AND; commas inside a value are OR)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    offset: int = 0
    count: int = 20

    def get(self, name: str) -> list[str]:
        return self.values.get(name, [])


def parse(querydict, known: set[str], strict: bool = False) -> Params:
    values: dict[str, list[str]] = {}
    for name in querydict:
        if name in ("_count", "_offset", "_format"):
            continue
        base = name.split(":")[0]
        if base not in known:
            if strict:
                raise invalid(f"Unknown search parameter {name!r}.", name)
            continue
        values[name] = [v for v in querydict.getlist(name) if v != ""]
    count = _int(querydict.get("_count"), conf.page_size(), "_count")
    offset = _int(querydict.get("_offset"), 0, "_offset")
    return Params(values, max(offset, 0), max(0, min(count, conf.max_count())))


def _int(raw, default: int, name: str) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer.", name) from None


def date_range(raw: str) -> tuple[str, dt.datetime, dt.datetime]:
    """A date parameter → (prefix, start, end): the implicit range [start, end) of its precision, in China time
    unless it carries a zone."""
    m = _DATE_RE.match(raw.strip())
    if not m:
        raise invalid(f"Bad date parameter {raw!r}.", "date")
    prefix, year, month, day, hour, minute, second, zone = m.groups()
    prefix = prefix or "eq"
    if prefix not in ("eq", "ne", "gt", "lt", "ge", "le"):
        raise invalid(f"Date prefix {prefix!r} is not supported.", "date")
    tz = CHINA
    if zone == "Z":
        tz = dt.UTC
    elif zone:
        sign = 1 if zone[0] == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        if day is None:
            start = dt.datetime(int(year), int(month or 1), 1, tzinfo=tz)
            end = (dt.datetime(int(year) + 1, 1, 1, tzinfo=tz) if month is None else
                   (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1))
        elif hour is None:
            start = dt.datetime(int(year), int(month), int(day), tzinfo=tz)
            end = start + dt.timedelta(days=1)
        else:
            start = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=tz)
            end = start + (dt.timedelta(seconds=1) if second else dt.timedelta(minutes=1))
    except ValueError:
        raise invalid(f"Bad date parameter {raw!r}.", "date") from None
    return prefix, start, end


def date_q(field_name: str, raw_values: list[str], *, is_datetime: bool) -> Q:
    """AND of the date parameters; each value may be a comma list (OR)."""
    q = Q()
    for raw in raw_values:
        alternatives = Q()
        for part in raw.split(","):
            prefix, start, end = date_range(part)
            lo, hi = (start, end) if is_datetime else (_local_date(start), _local_date_ceil(end))
            f = field_name
            cond = {
                "eq": Q(**{f"{f}__gte": lo, f"{f}__lt": hi}),
                "ne": ~Q(**{f"{f}__gte": lo, f"{f}__lt": hi}),
                "ge": Q(**{f"{f}__gte": lo}),
                "gt": Q(**{f"{f}__gte": hi}),
                "le": Q(**{f"{f}__lt": hi}),
                "lt": Q(**{f"{f}__lt": lo}),
            }[prefix]
            alternatives |= cond
        q &= alternatives
    return q


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


def _local_date_ceil(moment: dt.datetime) -> dt.date:
    local = moment.astimezone(CHINA)
    return local.date() if local.time() == dt.time(0) else local.date() + dt.timedelta(days=1)


def token(raw: str) -> tuple[str | None, str]:
    """``system|code`` → (system, code); ``code`` → (None, code); ``|code`` → ("", code)."""
    if "|" in raw:
        system, code = raw.split("|", 1)
        return system, code
    return None, raw


def reference_id(raw: str, resource_type: str) -> str:
    """``Patient/12``, ``12`` or an absolute URL ending in ``Patient/12`` → "12"."""
    raw = raw.strip().rstrip("/")
    if "/" in raw:
        parts = raw.split("/")
        if len(parts) >= 2 and parts[-2] != resource_type:
            raise invalid(f"Expected a reference to {resource_type}, got {raw!r}.")
        raw = parts[-1]
    return raw


def int_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


def now_iso() -> str:
    return timezone.now().isoformat()
