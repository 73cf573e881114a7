"""Import of the contracts in force from the previous system (XLSX/CSV), through people's import engine
(``people.importing.register``): the same upload page (居民档案 → 导入), job, chunks, row-level error report
and "good rows kept". Each row signs through ``actions.import_contract`` (the validation of a page: one active
contract per resident, the basic package, a responsible doctor of the team, a reason for a resident outside the
team's area). Layout: docs/familydoctor.md.

A row whose contract already exists (same resident, team and start date) is "unchanged", so importing the
same file again creates nothing new. Contracts whose end date has passed are history and are not imported.
"""
from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yigongti.people import import_files as files
from yigongti.people.importing import PERSON_COLUMNS, Column, ImportKind, RowError, register, resident_of_row

SIGNATURE_WORDS = {"纸质": "paper", "纸质签字": "paper", "签字": "paper", "paper": "paper", "1": "paper",
                   "电子": "electronic", "电子签名": "electronic", "electronic": "electronic", "2": "electronic"}


class ContractsKind(ImportKind):
    name = "familydoctor_contracts"
    label = _("家庭医生签约（原签约系统）")
    columns = [
        *PERSON_COLUMNS,
        Column("team", "签约团队", ("团队", "团队名称", "家庭医生团队"), required=True,
               note=_("平台中已建的团队名称（先在“家庭医生签约”中建团队）"), example="东湖1团队"),
        Column("doctor", "责任医生", ("签约医生", "家庭医生"), note=_("团队成员的姓名或登录名；不填则为团队长"),
               example="李乡医"),
        Column("packages", "服务包", ("签约服务包", "服务包编码"),
               note=_("服务包编码或名称，多个用分号隔开；须含基础服务包；不填则为基础服务包"), example="basic；hypertension"),
        Column("start_date", "签约日期", ("开始日期", "生效日期"), required=True, kind="date", example="2026-01-01"),
        Column("end_date", "到期日期", ("结束日期", "截止日期"), kind="date", note=_("不填则按默认期限（一年）"),
               example="2026-12-31"),
        Column("signature", "签字方式", (), note=_("纸质 或 电子；不填为纸质"), example="纸质"),
        Column("consent_by", "同意人", ("签字人",), note=_("本人或监护人姓名；不填为居民本人"), example=""),
        Column("consent_relation", "同意人身份", ("与居民关系",), note=_("本人、监护人、配偶等；不填为本人"), example="本人"),
        Column("out_of_area_reason", "跨片区理由", ("跨片区签约理由",), note=_("居民不在团队服务片区时必填"), example=""),
    ]
    fields = {"resident": "name", "team": "team", "doctor": "doctor", "packages": "packages",
              "start_date": "start_date", "end_date": "end_date", "signature": "signature",
              "consent_by": "consent_by", "out_of_area_reason": "out_of_area_reason", "__all__": ""}

    def team(self, values, ctx):
        from .models import Team

        raw = self.value(values, "team", required=True).strip()
        cache = ctx.cache.setdefault("fd_teams", {})
        if raw not in cache:
            found = list(Team.objects.filter(name=raw, active=True).order_by("pk")[:3])
            mine = [t for t in found if t.institution_id == ctx.institution.pk]
            cache[raw] = mine[0] if len(mine) == 1 else (found[0] if len(found) == 1 else len(found))
        team = cache[raw]
        if team == 0:
            raise RowError("team", gettext("没有名为“%(name)s”的团队。") % {"name": raw})
        if isinstance(team, int):
            raise RowError("team", gettext("有多个名为“%(name)s”的团队，请在所属机构选择团队的牵头机构。") % {"name": raw})
        return team

    def doctor(self, values, team):
        from .models import TeamMember

        raw = (self.value(values, "doctor") or "").strip()
        if not raw:
            return team.leader
        member = (TeamMember.objects.filter(team=team).filter(Q(user__full_name=raw) | Q(user__username=raw))
                  .select_related("user").first())
        if member is None:
            raise RowError("doctor", gettext("“%(name)s”不是该团队的成员。") % {"name": raw})
        return member.user

    def packages(self, values, ctx):
        from .models import Package

        raw = (self.value(values, "packages") or "").replace(";", "；").replace(",", "；").replace("，", "；")
        wanted = [p.strip() for p in raw.split("；") if p.strip()] or ["basic"]
        cache = ctx.cache.setdefault("fd_packages", {})
        chosen = []
        for word in wanted:
            if word not in cache:
                cache[word] = Package.objects.filter(Q(code=word) | Q(name=word), active=True).first()
            if cache[word] is None:
                raise RowError("packages", gettext("没有服务包“%(name)s”。") % {"name": word})
            chosen.append(cache[word])
        return chosen

    def row(self, values, ctx) -> str:
        from . import actions
        from .models import Contract

        resident = resident_of_row(self, values, ctx)
        team = self.team(values, ctx)
        start = self.value(values, "start_date", files.date, required=True)
        end = self.value(values, "end_date", files.date)
        if end is not None and end < timezone.localdate():
            raise RowError("end_date", _("该签约已到期，只导入在约的签约。"))
        if Contract.objects.filter(resident=resident, team=team, start_date=start).exists():
            return "unchanged"
        raw_signature = (self.value(values, "signature") or "纸质").strip().lower()
        signature = SIGNATURE_WORDS.get(raw_signature)
        if signature is None:
            raise RowError("signature", _("签字方式应为 纸质 或 电子。"))
        actions.import_contract(
            ctx.actor, resident=resident, team=team, doctor=self.doctor(values, team),
            packages=self.packages(values, ctx), start_date=start, end_date=end, signature=signature,
            consent_by=(self.value(values, "consent_by") or resident.name).strip(),
            consent_relation=(self.value(values, "consent_relation") or "本人").strip(),
            out_of_area_reason=(self.value(values, "out_of_area_reason") or "").strip())
        return "created"


def register_kinds() -> None:
    register(ContractsKind())
