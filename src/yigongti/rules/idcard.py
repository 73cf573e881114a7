"""Citizen ID numbers (GB 11643-1999 公民身份号码), pure: no Django. Returns codes, never text.

Cited from ../shared/domain/identifiers.md "Citizen ID number":
- 18 characters: 6-digit address code + YYYYMMDD birth date + 3-digit sequence (odd = male, even = female)
  + check character (ISO 7064 MOD 11-2, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; S mod 11 → 1 0 X 9 8 7 6
  5 4 3 2). Lower-case x is normalised to X.
- Retired address codes are accepted (only the code's form is checked); 1880s birth dates occur.
- 15-digit numbers (GB 11643-1989): YYMMDD, no check character; convert by inserting "19".
- 港澳台居民居住证 use address codes 810000 / 820000 / 830000 with the same rule.
- Synthetic numbers use the unassigned address code 360199.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"  # S mod 11 = 0…10
HMT_ADDRESS_CODES = frozenset({"810000", "820000", "830000"})  # 香港, 澳门, 台湾 residence permits
SYNTHETIC_ADDRESS_CODE = "360199"
EARLIEST_BIRTH = dt.date(1850, 1, 1)

# Codes (apps translate them).
OK = "ok"
EMPTY = "id_empty"
BAD_LENGTH = "id_length"
BAD_FORMAT = "id_format"
BAD_ADDRESS = "id_address"
BAD_DATE = "id_date"
BAD_CHECK = "id_check"

MALE, FEMALE = "1", "2"  # GB/T 2261.1

_RE18 = re.compile(r"^\d{17}[\dX]$")
_RE15 = re.compile(r"^\d{15}$")


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalised, 18 characters
    birth_date: dt.date
    sex: str  # "1" male, "2" female
    address_code: str
    is_hmt_permit: bool
    converted_from_15: bool = False


class IdCardError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise(number: str | None) -> str:
    """Strip spaces, upper-case the check character (x → X)."""
    return (number or "").strip().replace(" ", "").upper()


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise IdCardError(BAD_FORMAT)
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_MAP[total % 11]


def convert_15_to_18(number: str) -> str:
    """GB 11643-1989 15-digit number → 18 digits: insert "19" before YYMMDD, append the check character."""
    number = normalise(number)
    if not _RE15.match(number):
        raise IdCardError(BAD_FORMAT)
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


def _address_ok(code: str) -> bool:
    # Form only: two-digit province 11–83 (retired county codes stay valid, identifiers.md).
    return code.isdigit() and 11 <= int(code[:2]) <= 83


def _birth(digits8: str, today: dt.date | None) -> dt.date | None:
    try:
        born = dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return None
    if born < EARLIEST_BIRTH or born > (today or dt.date.today()):  # noqa: DTZ011 - pure rule, local date
        return None
    return born


def parse(number: str | None, *, today: dt.date | None = None) -> IdInfo:
    """Validate and decode a citizen ID (18 or 15 digits). Raises IdCardError(code)."""
    raw = normalise(number)
    if not raw:
        raise IdCardError(EMPTY)
    converted = False
    if len(raw) == 15:
        if not _RE15.match(raw):
            raise IdCardError(BAD_FORMAT)
        if _birth("19" + raw[6:12], today) is None:
            raise IdCardError(BAD_DATE)
        raw = convert_15_to_18(raw)
        converted = True
    elif len(raw) != 18:
        raise IdCardError(BAD_LENGTH)
    if not _RE18.match(raw):
        raise IdCardError(BAD_FORMAT)
    address = raw[:6]
    if not _address_ok(address):
        raise IdCardError(BAD_ADDRESS)
    born = _birth(raw[6:14], today)
    if born is None:
        raise IdCardError(BAD_DATE)
    if check_character(raw[:17]) != raw[17]:
        raise IdCardError(BAD_CHECK)
    sex = MALE if int(raw[16]) % 2 == 1 else FEMALE
    return IdInfo(number=raw, birth_date=born, sex=sex, address_code=address,
                  is_hmt_permit=address in HMT_ADDRESS_CODES, converted_from_15=converted)


def validate(number: str | None, *, today: dt.date | None = None) -> str:
    """OK or the first problem's code."""
    try:
        parse(number, today=today)
    except IdCardError as exc:
        return exc.code
    return OK


def synthetic_id(rng, birth_date: dt.date, sex: str, address_code: str = SYNTHETIC_ADDRESS_CODE) -> str:
    """A valid-looking ID that can be nobody's: address code 360199 (identifiers.md "Synthetic ID numbers").
    ``rng`` is a random.Random; ``sex`` "1" male (odd sequence) / "2" female (even)."""
    seq = rng.randrange(0, 100) * 10 + rng.randrange(0, 5) * 2  # 000…998, even
    if sex == MALE:
        seq += 1
    first17 = f"{address_code}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)
