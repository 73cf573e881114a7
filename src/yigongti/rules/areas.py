"""Administrative division codes (identifiers.md "Administrative divisions"): county and above GB/T 2260
6 digits; township and village the NBS 统计用区划代码, 12 digits = 6 county + 3 township + 3 village.
Returns problem codes; the apps translate them."""

LEVEL_ORDER = {"county": 0, "township": 1, "village": 2, "community": 2}


def area_code_problem(code: str, level: str, parent_code: str | None, parent_level: str | None) -> str | None:
    if level == "county":
        return None if len(code) == 6 and code.isdigit() else "county_code_6_digits"
    if not (len(code) == 12 and code.isdigit()):
        return "code_12_digits"
    if parent_code is None or parent_level is None:
        return "level_order"
    if LEVEL_ORDER[level] != LEVEL_ORDER[parent_level] + 1:
        return "level_order"
    if level == "township":
        ok = code.startswith(parent_code[:6]) and code[9:] == "000" and code[6:9] != "000"
    else:
        ok = code[:9] == parent_code[:9] and code[9:] != "000"
    return None if ok else "not_under_parent"


def township_code(county_code: str, n: int) -> str:
    return f"{county_code}{n:03d}000"


def village_code(township: str, n: int) -> str:
    return f"{township[:9]}{n:03d}"
