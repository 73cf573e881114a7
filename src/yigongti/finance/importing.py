"""Insurance settlement import (医保结算数据): XLSX or CSV from the 医保 settlement system, one row per month ×
scheme × kind of care × provider. Built on the shared import machinery (people.importing: header matching,
per-row savepoints, every rejected row reported with its reason, good rows kept, error workbook, job path).
Re-importing a file updates the lines it names and never duplicates them.

Layout (headers in Chinese; aliases accepted): 结算月份 (2026-03 or a date), 险种 (职工/居民), 类别 (住院/门诊/
药店), 县域内 (是/否), 定点机构编码 (a consortium institution's 医保定点编码 or 机构编码 for in-county members),
定点机构名称, 结算人次, 结算人数, 医疗总费用, 基金支付.
"""
from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from yigongti.people import import_files as files
from yigongti.people.importing import Column, ImportKind, RowError, register

KIND = "finance_settlements"
SCHEMES = {"职工": "employee", "职工医保": "employee", "城镇职工": "employee", "employee": "employee",
           "居民": "resident", "居民医保": "resident", "城乡居民": "resident", "resident": "resident"}
CARES = {"住院": "inpatient", "inpatient": "inpatient", "门诊": "outpatient", "门急诊": "outpatient",
         "outpatient": "outpatient", "药店": "pharmacy", "定点药店": "pharmacy", "pharmacy": "pharmacy"}
YES = {"是", "县内", "县域内", "y", "yes", "1", "true"}
NO = {"否", "县外", "县域外", "n", "no", "0", "false"}


def month_value(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})月?(?:[-/.]\d{1,2}日?)?", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise files.CellProblem(_("结算月份应为 2026-03 这样的年月"))
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


class SettlementsKind(ImportKind):
    name = KIND
    label = _("医保结算数据")
    columns = [
        Column("month", "结算月份", ("月份", "结算年月"), required=True, note=_("年月，如 2026-03"), example="2026-03"),
        Column("scheme", "险种", ("医保类型",), required=True, note=_("职工 或 居民"), example="居民"),
        Column("care", "类别", ("就医类别", "医疗类别"), required=True, note=_("住院、门诊 或 药店"), example="住院"),
        Column("in_county", "县域内", ("是否县域内",), required=True, note=_("是 或 否"), example="是"),
        Column("provider_code", "定点机构编码", ("医保定点编码", "机构编码"), required=True,
               note=_("县域内医共体成员填本平台的医保定点编码或机构编码"), example="H36012100001"),
        Column("provider_name", "定点机构名称", ("机构名称",), note=_("县外或非成员机构必填名称"), example="县人民医院"),
        Column("cases", "结算人次", ("人次",), required=True, kind="int", example="1200"),
        Column("persons", "结算人数", ("人数",), kind="int", note=_("不填则等于人次"), example="1100"),
        Column("total_cost", "医疗总费用", ("总费用",), required=True, kind="decimal", example="6000000.00"),
        Column("fund_paid", "基金支付", ("统筹支付", "医保基金支付"), required=True, kind="decimal", example="4200000.00"),
    ]
    fields = {"month": "month", "scheme": "scheme", "care": "care", "provider_code": "provider_code",
              "cases": "cases", "persons": "persons", "total_cost": "total_cost", "fund_paid": "fund_paid",
              "__all__": ""}

    def _word(self, values, key, table, message):
        raw = str(self.value(values, key, required=True)).strip()
        code = table.get(raw) or table.get(raw.lower())
        if code is None:
            raise RowError(key, message)
        return code

    def row(self, values, ctx) -> str:
        from .actions import save_settlement

        month = self.value(values, "month", month_value, required=True)
        scheme = self._word(values, "scheme", SCHEMES, _("险种应为 职工 或 居民"))
        care = self._word(values, "care", CARES, _("类别应为 住院、门诊 或 药店"))
        raw_in = str(self.value(values, "in_county", required=True)).strip().lower()
        if raw_in not in YES | NO:
            raise RowError("in_county", _("县域内应填 是 或 否"))
        in_county = raw_in in YES
        code = self.value(values, "provider_code", required=True)
        name = self.value(values, "provider_name", required=False)
        cases = self.value(values, "cases", files.integer, required=True)
        persons = self.value(values, "persons", files.integer, required=False)
        total_cost = self.value(values, "total_cost", files.decimal, required=True)
        fund_paid = self.value(values, "fund_paid", files.decimal, required=True)
        from .actions import member_codes

        if "members" not in ctx.cache:
            ctx.cache["members"] = member_codes()
            ctx.cache["names"] = {}
        members = ctx.cache["members"]
        if in_county:
            if code not in members and not name:
                raise RowError("provider_name", _("非医共体成员机构须填写定点机构名称"))
        elif not name:
            raise RowError("provider_name", _("县外机构须填写定点机构名称"))
        if in_county and code in members and not name:
            from yigongti.org.models import Institution

            names = ctx.cache["names"]
            if code not in names:
                names[code] = Institution.objects.filter(pk=members[code]).values_list("name", flat=True).first()
            name = names[code]
        return save_settlement(ctx.actor, month=month, scheme=scheme, care=care, in_county=in_county,
                               provider_code=code, provider_name=name or "", cases=cases, members=members,
                               persons=persons if persons is not None else cases, total_cost=total_cost,
                               fund_paid=fund_paid)


def register_kinds() -> None:
    register(SettlementsKind())


def import_settlements(user, data: bytes, filename: str = ""):
    """Import a settlement file now (pages and the API; a large file can go through the people import job with
    kind ``finance_settlements``). Returns people.importing.Counts; raises FileProblem for an unreadable file."""
    from django.db import transaction

    from yigongti.people.importing import KINDS, Context, parse, run_rows

    from .actions import require_finance

    require_finance(user)
    kind = KINDS[KIND]
    parsed = parse(kind, data, filename)
    ctx = Context(actor=user, institution=None, labels=parsed.labels)
    with transaction.atomic():
        return run_rows(kind, ctx, parsed.rows)
