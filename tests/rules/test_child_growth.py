"""rules/child.py growth assessment against a loaded WS/T 423-2022 table. No verifiable copy of the standard's
tables was available, so these tests use a CLEARLY SYNTHETIC table built here (round numbers, one SD = 1 kg or
1 cm; not the standard's values): they check the mechanics — which table applies at which age, which row is
taken, the cut-offs, the validation of a supplied table — never a value of the standard."""
import datetime as dt
from decimal import Decimal

from yigongti.rules import child

D = Decimal


def row(indicator, sex, x, median, sd=1):
    """A synthetic row: −3SD … +3SD = median − 3·sd … median + 3·sd."""
    return child.ReferenceRow(indicator, sex, D(str(x)), tuple(D(str(median)) + k * D(str(sd)) for k in range(-3, 4)))


SYNTHETIC = child.build_table([
    row(child.WEIGHT_FOR_AGE, "1", 0, 3), row(child.WEIGHT_FOR_AGE, "1", 12, 10),
    row(child.WEIGHT_FOR_AGE, "1", 15, 11),
    row(child.HEIGHT_FOR_AGE, "1", 12, 75), row(child.HEIGHT_FOR_AGE, "1", 36, 95),
    row(child.WEIGHT_FOR_LENGTH, "1", 72, 9), row(child.WEIGHT_FOR_LENGTH, "1", 75, 10), row(child.WEIGHT_FOR_LENGTH, "1", 75.5, 10.1),
    row(child.WEIGHT_FOR_HEIGHT, "1", 95, 14), row(child.WEIGHT_FOR_HEIGHT, "1", 96, 14.3),
])


def assess(months, weight=None, height=None, sex="1", table=SYNTHETIC, **kw):
    return child.assess_growth(sex, months, weight=None if weight is None else D(str(weight)),
                               height=None if height is None else D(str(height)), table=table, **kw)


def test_low_weight_stunting_and_wasting_are_strictly_below_minus_2sd():
    assert assess(12, weight=7.9) == (child.R_UNDERWEIGHT,)       # −2SD = 8
    assert assess(12, weight=8) == ()
    assert assess(12, height=72.9) == (child.R_STUNTING,)         # −2SD = 73
    assert assess(12, height=73) == ()
    assert assess(12, weight=7.9, height=75) == (child.R_UNDERWEIGHT, child.R_WASTING)   # W/L −2SD = 8


def test_overweight_and_obesity_from_weight_for_length_or_height():
    assert assess(12, weight=12.1, height=75) == (child.R_OVERWEIGHT,)    # > +2SD (12), not > +3SD (13)
    assert assess(12, weight=12, height=75) == ()
    assert assess(12, weight=13.1, height=75) == (child.R_OBESITY,)
    # 3 years: weight-for-height (+3SD 17); the synthetic table has no weight-for-age row at 36 months
    assert assess(36, weight=17.5, height=95) == (child.R_NO_REFERENCE, child.R_OBESITY)


def test_length_under_2_years_height_from_2_years():
    # 23 months: weight-for-length (its 75 cm row: normal); the synthetic weight-for-age table stops at 17 months
    assert assess(23, weight=10, height=75) == (child.R_NO_REFERENCE,)
    assert assess(23, weight=12.5, height=75) == (child.R_NO_REFERENCE, child.R_OVERWEIGHT)  # no W/A row for 23
    # weight-for-height has no 75 cm row (weight-for-length has): no_reference, never the length table
    assert assess(36, weight=14, height=75) == (child.R_NO_REFERENCE, child.R_STUNTING)
    assert assess(12, weight=10, height=75, length_until_months=12) == (child.R_NO_REFERENCE,)


def test_the_age_group_row_and_the_nearest_length_row():
    table = SYNTHETIC
    assert table.lookup(child.WEIGHT_FOR_AGE, "1", 13).x == 12           # 12–14 months → the 12-month row
    assert table.lookup(child.WEIGHT_FOR_AGE, "1", 17).x == 15           # last group 15–17 (step 3)
    assert table.lookup(child.WEIGHT_FOR_AGE, "1", 18) is None           # past the table's last group
    assert table.lookup(child.WEIGHT_FOR_LENGTH, "1", D("75.2")).x == D("75")
    assert table.lookup(child.WEIGHT_FOR_LENGTH, "1", D("75.3")).x == D("75.5")
    assert table.lookup(child.WEIGHT_FOR_LENGTH, "1", D("75.8")) is None   # beyond half a step past the end
    assert table.lookup(child.WEIGHT_FOR_AGE, "2", 12) is None           # no rows for girls


def test_no_table_and_out_of_scope_never_guess():
    assert assess(12, weight=1, table=child.EMPTY_TABLE) == (child.R_NO_TABLE,)
    assert assess(12, table=child.EMPTY_TABLE) == ()
    assert assess(84, weight=20) == (child.R_NO_REFERENCE,)               # 7 years: outside "7岁以下"
    assert assess(12, weight=10, sex="2") == (child.R_NO_REFERENCE,)


def test_cut_offs_are_a_setting():
    strict = child.Cutoffs(underweight=-1)
    assert assess(12, weight=8.5, cutoffs=strict) == (child.R_UNDERWEIGHT,)   # −1SD = 9
    assert assess(12, weight=8.5) == ()


def test_the_visit_classification_from_the_growth_findings():
    birth = dt.date(2025, 11, 10)
    visit = dict(visit_date=dt.date(2026, 11, 10), birth_date=birth, sex="1", check="12m")
    fat = child.classify(child.ChildVisit(**visit, weight=D("12.5"), height=D("75")), None, table=SYNTHETIC)
    assert fat.classification == child.ATTENTION and child.R_OVERWEIGHT in fat.reasons
    thin = child.classify(child.ChildVisit(**visit, weight=D("6.5"), height=D("72")), None, table=SYNTHETIC)
    assert thin.classification == child.HIGH_RISK
    assert {child.R_UNDERWEIGHT, child.R_STUNTING, child.R_WASTING} <= set(thin.reasons)


HEADER = {c: c for c in child.CSV_COLUMNS}


def rec(**over):
    base = {"indicator": "weight_for_age", "sex": "1", "x": "12", "sd_neg3": "7", "sd_neg2": "8", "sd_neg1": "9",
            "median": "10", "sd_pos1": "11", "sd_pos2": "12", "sd_pos3": "13"}
    return {**base, **over}


def test_a_supplied_table_is_validated_row_by_row():
    rows, errors = child.parse_rows([rec(), rec(x="13"), rec(indicator="weight_for_length", x="75.5")])
    assert errors == [] and len(rows) == 3 and rows[2].x == D("75.5") and rows[0].at(-2) == D(8)
    _, errors = child.parse_rows([
        rec(), rec(indicator="bmi"), rec(sex="M"), rec(x="abc"), rec(x="90"), rec(x="12.5", sex="2"),
        rec(sd_neg2="6.5"), rec(median="-1"), rec(), {"indicator": "weight_for_age"}])
    assert errors[:7] == [(3, "indicator", "unknown_indicator"), (4, "sex", "unknown_sex"), (5, "x", "bad_number"),
                          (6, "x", "x_out_of_range"), (7, "x", "x_not_whole_months"),
                          (8, "median", "sd_not_increasing"), (9, "median", "not_positive")]
    assert (10, "x", "duplicate_row") in errors and (11, "sex", "missing_column") in errors
    assert child.parse_rows([])[1] == [(1, "indicator", "empty_table")]
    assert child.parse_rows([{c: "" for c in child.CSV_COLUMNS}])[1] == [(1, "indicator", "empty_table")]
