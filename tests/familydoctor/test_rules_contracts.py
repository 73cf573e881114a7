"""rules/contracts.py, the pure arithmetic of the contract rates (the companion of tests/rules/: kept here because
this app owns the module): in force, expected counts, 签约率, 重点人群签约率 and 履约率 on plain records."""
import datetime as dt

from yigongti.rules import contracts as rules

D = dt.date


def test_last_day_and_in_force():
    assert rules.last_day(D(2026, 12, 31), None) == D(2026, 12, 31)
    assert rules.last_day(D(2026, 12, 31), D(2026, 5, 15)) == D(2026, 5, 15)  # terminated early
    assert rules.in_force(D(2026, 1, 1), D(2026, 5, 15), D(2026, 5, 15))
    assert not rules.in_force(D(2026, 1, 1), D(2026, 5, 15), D(2026, 5, 16))
    assert not rules.in_force(D(2026, 1, 1), D(2026, 5, 15), D(2025, 12, 31))


def test_expected_is_spread_evenly_and_rounded_half_up():
    start, end = D(2026, 1, 1), D(2026, 12, 31)
    assert rules.expected(4, start, end, D(2025, 12, 1)) == 0
    assert rules.expected(4, start, end, D(2026, 2, 14)) == 0  # 45/365 × 4 = 0.49
    assert rules.expected(4, start, end, D(2026, 2, 15)) == 1  # 46/365 × 4 = 0.50: a quarterly item mid-quarter
    assert rules.expected(1, start, end, D(2026, 7, 1)) == 0  # 182/365 < ½
    assert rules.expected(1, start, end, D(2026, 7, 2)) == 1  # 183/365 ≥ ½: a yearly item from mid-term
    assert rules.expected(4, start, end, D(2027, 3, 1)) == 4
    assert rules.expected(4, start, end, end) == 4


def _term(cid, rid, area, start, last, items=(), team=1, end=None):
    return rules.Term(cid, rid, area, team, start, end or D(start.year, 12, 31), last, tuple(items))


def test_contract_and_key_rates():
    terms = [_term(1, 10, 100, D(2026, 1, 1), D(2026, 12, 31)),
             _term(2, 11, 100, D(2026, 3, 1), D(2026, 5, 15)),          # terminated in May
             _term(3, 12, 200, D(2026, 2, 1), D(2026, 12, 31), team=2),
             _term(4, 12, 200, D(2026, 6, 1), D(2026, 12, 31), team=2)]  # the same resident twice: counts once
    assert rules.contract_rate(terms, D(2026, 4, 30), 50) == (3, 50)
    assert rules.contract_rate(terms, D(2026, 6, 30), 50) == (2, 50)
    assert rules.contract_rate(terms, D(2026, 6, 30), 30, area_ids={200}) == (1, 30)
    residents = {10: 100, 11: 100, 12: 200, 13: 200}
    members = {"older_65": {10, 13}, "hypertension": {10, 11}, "tb": {99}}  # 99: not a counted resident
    assert rules.key_contract_rate(terms, D(2026, 6, 30), members, residents) == (1, 3)
    assert rules.key_contract_rate(terms, D(2026, 4, 30), members, residents, "hypertension") == (2, 2)
    assert rules.key_contract_rate(terms, D(2026, 4, 30), members, residents, "older_65", {200}) == (0, 1)
    assert rules.key_contract_rate(terms, D(2026, 4, 30), members, residents, "tb") == (0, 0)


def test_fulfilment_counts_done_up_to_due_for_the_items_that_apply():
    items = [rules.Item("followup_hypertension", 4, "hypertension"), rules.Item("health_exam", 1, "older_65"),
             rules.Item("tcm", 1, "", recorded=False), rules.Item("encounter_outpatient", 0)]
    terms = [_term(1, 10, 100, D(2026, 1, 1), D(2026, 12, 31), items),
             _term(2, 11, 100, D(2026, 1, 1), D(2026, 12, 31), items)]
    members = {"hypertension": {10, 11}, "older_65": {10}}
    services = {10: [("followup_hypertension", D(2026, 2, 1)), ("followup_hypertension", D(2026, 3, 1)),
                     ("followup_hypertension", D(2026, 4, 1)), ("followup_hypertension", D(2025, 12, 1))],
                11: [("health_exam", D(2026, 3, 1))]}  # not older: the exam is not due for 11
    # on 2026-06-30: 4 × 181/365 = 1.98 → 2 due each; 10 has 3 done (counted 2); the exam is not due yet
    assert rules.fulfilment_rate(terms, services, members, D(2026, 6, 30)) == (2, 4)
    # at the year's end: 4 + 1 due for 10 (3 done), 4 for 11 (0 done)
    assert rules.fulfilment_rate(terms, services, members, D(2026, 12, 31)) == (3, 9)
    assert rules.fulfilment_rate(terms, services, members, D(2026, 12, 31), team_ids={2}) == (0, 0)
