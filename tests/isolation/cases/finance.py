"""医保基金与绩效: the budget, settlements and public-health funds are county-wide money figures without personal
data — the consortium office (standing in for the finance director) and the health bureau read them, the office
alone writes. Work-point sheets belong to an institution: clinic A's sheet is reviewed and approved at township
centre 1 (its administrator, institution_admin_t1); another township, the village doctors and the administrators
get 404/403 and their writes change nothing. Expenses belong to the recording institution (centre 1); only the
consortium office decides pending ones."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from yigongti.org.models import Role

from ..framework import Case

ADMINS = ("system_admin", "security_admin", "audit_admin")
OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "county_specialist", *ADMINS)
BUDGET_READERS = {Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU}
OFFICE = {Role.CONSORTIUM_OFFICE}
NOV = dt.date(2026, 11, 1)
EXPENSE_TEXT = "隔离测试彩超探头更换"


def _year(s, year=2026):
    from yigongti.finance import actions
    from yigongti.finance.models import BudgetYear

    if not BudgetYear.objects.filter(year=year).exists():
        actions.set_budget_year(s.consortium_office, year=year, gross_fund="100000000", insured=500_000)
    return {"year": year}


def _settled(s):
    from yigongti.finance import actions
    from yigongti.finance.models import BudgetYear

    _year(s, 2025)
    by = BudgetYear.objects.get(year=2025)
    if by.status != "settled":
        actions.settle_year(s.consortium_office, by, on=dt.date(2026, 1, 2))
    return {"year": 2025}


def _status_of_year(s):
    from yigongti.finance.models import BudgetYear

    return list(BudgetYear.objects.values_list("year", "status"))


def _fund(s):
    from yigongti.finance import actions

    if not hasattr(s, "_fin_fund"):
        s._fin_fund = actions.save_public_health_fund(s.consortium_office, name="隔离公卫经费", start=dt.date(2026, 1, 1),
                                                      end=dt.date(2026, 3, 31), total="1000")
    return s._fin_fund


def _counts(model):
    def read(s):
        from yigongti.finance import models

        return getattr(models, model).objects.count()

    return read


def _head(s):
    if not hasattr(s, "_fin_head"):
        from yigongti.org import actions as org_actions

        s._fin_head = org_actions.create_staff(None, institution=s.centre_1, username="fin-head-t1",
                                               full_name="审核主任", password=s.password,
                                               roles=[Role.DEPARTMENT_HEAD], validate=False)
    return s._fin_head


def _sheet(s, state="draft"):
    attr = f"_fin_sheet_{state}"
    if not hasattr(s, attr):
        from tests.chronic.helpers import enrolment, followup
        from yigongti.finance import actions

        if not hasattr(s, "_fin_visit"):
            s._fin_visit = followup(s, enrolment(s), visit_date=dt.date(2026, 11, 3))
        month = {"draft": NOV, "reviewed": dt.date(2026, 10, 1), "reopen": dt.date(2026, 9, 1)}[state]
        sheet = actions.compute_point_sheet(_head(s), institution=s.clinic_a, month=month)
        if state != "draft":
            sheet = actions.review_point_sheet(_head(s), sheet)
        setattr(s, attr, sheet)
    return getattr(s, attr)


def _sheet_field(state, field):
    def read(s):
        from yigongti.finance.models import PointSheet

        return getattr(PointSheet.objects.get(pk=_sheet(s, state).pk), field)

    return read


def _line(s):
    return _sheet(s).lines.get()


def _line_adjustment(s):
    from yigongti.finance.models import PointLine

    return PointLine.objects.get(pk=_line(s).pk).adjustment


def _expense(s, key="main"):
    attr = f"_fin_expense_{key}"
    if not hasattr(s, attr):
        from yigongti.finance import actions

        setattr(s, attr, actions.record_expense(s.institution_admin_t1, institution=s.centre_1,
                                                spent_on=dt.date(2026, 11, 2), category="设备",
                                                description=f"{EXPENSE_TEXT}{key}", amount="12000"))
    return getattr(s, attr)


def _expense_status(key):
    def read(s):
        from yigongti.finance.models import Expense

        return Expense.objects.get(pk=_expense(s, key).pk).status

    return read


def _sheet_count(s):
    from yigongti.finance.models import PointSheet

    return PointSheet.objects.filter(institution=s.clinic_a).count()


def _settlement_file(s):
    return {"file": SimpleUploadedFile("s.csv", "结算月份,险种,类别,县域内,定点机构编码,定点机构名称,结算人次,结算人数,医疗总费用,基金支付\n"
                                       "2026-03,居民,住院,是,H001,,10,10,1000,700\n".encode())}


def _sheet_case(state="draft", **kw):
    return Case.scoped(owner="institution_admin_t1", outsiders=(*OUTSIDERS, "village_doctor_a"),
                       kwargs=lambda s: {"pk": _sheet(s, state).pk}, **kw)


def _expense_case(key="main", **kw):
    return Case.scoped(owner="institution_admin_t1", outsiders=OUTSIDERS, kwargs=lambda s: {"pk": _expense(s, key).pk},
                       **kw)


def _decide_case(key, *, api=False, payload=None):
    # the recording institution's administrator sees the expense but may not decide it
    return Case.scoped(owner="consortium_office", outsiders=(*OUTSIDERS, "institution_admin_t1", "township_doctor"),
                       method="POST", api=api, kwargs=lambda s: {"pk": _expense(s, key).pk}, payload=payload,
                       snapshot=_expense_status(key))


CASES = {
    "finance:index": Case.signed_in(),
    # county-wide money: read by the office and the bureau, written by the office
    "finance:budget_years": Case.roles(OFFICE, method="POST", payload=lambda s: {"year": 2026, "gross_fund": "1000000"},
                                       snapshot=_counts("BudgetYear")),
    "finance:budget_year": Case.roles(BUDGET_READERS, kwargs=_year),
    "finance:settle": Case.roles(OFFICE, method="POST", kwargs=lambda s: _year(s, 2025), snapshot=_status_of_year),
    "finance:statement": Case.roles(BUDGET_READERS, kwargs=_settled),
    "finance:penalties": Case.roles(BUDGET_READERS, kwargs=_year),
    "finance:settlements": Case.roles(OFFICE, method="POST", payload=_settlement_file, snapshot=_counts("Settlement")),
    "finance:public_health": Case.roles(OFFICE, method="POST", snapshot=_counts("PublicHealthFund"),
                                        payload=lambda s: {"name": "公卫", "start": "2026-01-01", "end": "2026-03-31",
                                                           "total": "100"}),
    "finance:public_health_fund": Case.roles(BUDGET_READERS, kwargs=lambda s: {"pk": _fund(s).pk}),
    "api:budget-year-list": Case.roles(BUDGET_READERS, api=True),
    "api:budget-year-detail": Case.roles(BUDGET_READERS, api=True, kwargs=_year),
    "api:budget-year-settle": Case.roles(OFFICE, method="POST", api=True, kwargs=lambda s: _year(s, 2025),
                                         snapshot=_status_of_year),
    "api:settlement-list": Case.roles(BUDGET_READERS, api=True),
    "api:settlement-import-file": Case.roles(OFFICE, method="POST", api=True, payload=_settlement_file,
                                             snapshot=_counts("Settlement")),
    # work points: clinic A's sheet, reviewed and approved at township centre 1
    "finance:sheets": Case.scoped(owner="institution_admin_t1", outsiders=(*OUTSIDERS, "village_doctor_a"),
                                  method="POST", payload=lambda s: {"institution": s.clinic_a.pk, "month": "2026-11"},
                                  snapshot=_sheet_count),
    "finance:sheet": _sheet_case(),
    "finance:sheet_recompute": _sheet_case(method="POST", snapshot=_sheet_field("draft", "computed_at")),
    "finance:sheet_review": _sheet_case(method="POST", snapshot=_sheet_field("draft", "status")),
    "finance:sheet_approve": _sheet_case("reviewed", method="POST", snapshot=_sheet_field("reviewed", "status")),
    "finance:sheet_reopen": _sheet_case("reopen", method="POST", snapshot=_sheet_field("reopen", "status")),
    "finance:line_adjust": Case.scoped(owner="institution_admin_t1", outsiders=(*OUTSIDERS, "village_doctor_a"),
                                       method="POST", kwargs=lambda s: {"pk": _sheet(s).pk, "line": _line(s).pk},
                                       payload=lambda s: {"adjustment": "2", "note": "补录"},
                                       snapshot=_line_adjustment),
    "api:workpoint-list": Case.scoped(owner="institution_admin_t1", outsiders=(*OUTSIDERS, "village_doctor_a"),
                                      api=True, hidden=lambda s: _sheet(s).institution.name),
    "api:workpoint-detail": _sheet_case(api=True),
    "api:workpoint-review": _sheet_case(method="POST", api=True, snapshot=_sheet_field("draft", "status")),
    "api:workpoint-approve": _sheet_case("reviewed", method="POST", api=True,
                                         snapshot=_sheet_field("reviewed", "status")),
    # expenses: centre 1's, decided by the office
    "finance:expenses": Case.scoped(owner="institution_admin_t1", outsiders=OUTSIDERS, method="POST",
                                    snapshot=_counts("Expense"),
                                    payload=lambda s: {"institution": s.centre_1.pk, "spent_on": "2026-11-02",
                                                       "category": "设备", "description": "写入测试", "amount": "50"},
                                    read_hidden=lambda s: _expense(s).description),
    "finance:expense": _expense_case(),
    "finance:expense_approve": _decide_case("approve"),
    "finance:expense_reject": _decide_case("reject", payload=lambda s: {"note": "不同意"}),
    "api:expense-list": Case.scoped(owner="institution_admin_t1", outsiders=OUTSIDERS, api=True,
                                    hidden=lambda s: _expense(s).description),
    "api:expense-detail": _expense_case(api=True),
    "api:expense-approve": _decide_case("api-approve", api=True),
    "api:expense-reject": _decide_case("api-reject", api=True, payload=lambda s: {"note": "不同意"}),
}
