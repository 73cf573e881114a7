"""Import of enrolments and follow-up history from the county's previous public-health system (XLSX/CSV).

Both kinds plug into people's import engine (``people.importing.register``): the same upload page, job, chunks,
row-level error report and "good rows kept"; each row goes through the chronic actions. Layout: docs/chronic.md.
Rows are idempotent on the old system's number (原系统编号): an enrolment or follow-up already imported is
"unchanged".
"""
from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yigongti.people import import_files as files
from yigongti.people.importing import PERSON_COLUMNS, Column, ImportKind, RowError, register, resident_of_row

PROGRAMME_NAMES = {"高血压": "hypertension", "hypertension": "hypertension", "糖尿病": "diabetes",
                   "2型糖尿病": "diabetes", "diabetes": "diabetes", "严重精神障碍": "mental", "精神": "mental",
                   "mental": "mental", "肺结核": "tb", "结核": "tb", "tb": "tb"}
MODE_NAMES = {"门诊": "clinic", "1": "clinic", "clinic": "clinic", "家庭": "home", "入户": "home", "2": "home",
              "home": "home", "电话": "phone", "3": "phone", "phone": "phone"}
CLASSIFICATION_NAMES = {"控制满意": "satisfied", "1": "satisfied", "控制不满意": "unsatisfied", "2": "unsatisfied",
                        "不良反应": "adverse_reaction", "3": "adverse_reaction", "并发症": "complication",
                        "4": "complication"}


def _programme(kind, values):
    raw = kind.value(values, "programme", required=True)
    code = PROGRAMME_NAMES.get(raw.strip().lower()) or PROGRAMME_NAMES.get(raw.strip())
    if code is None:
        raise RowError("programme", _("管理项目应为 高血压、糖尿病、严重精神障碍 或 肺结核。"))
    return code


def _institution(kind, values, ctx, key="institution"):
    from yigongti.org.models import Institution

    code = kind.value(values, key, required=False)
    if not code or code == ctx.institution.code:
        return ctx.institution
    inst = Institution.objects.filter(code=code).first()
    if inst is None:
        raise RowError(key, gettext("机构编码 %(code)s 不存在。") % {"code": code})
    return inst


class EnrolmentsKind(ImportKind):
    name = "chronic_enrolments"
    label = _("慢病/公卫项目管理名单（原公卫系统）")
    columns = [
        *PERSON_COLUMNS,
        Column("programme", "管理项目", ("项目", "病种"), required=True, note=_("高血压、糖尿病、严重精神障碍、肺结核"),
               example="高血压"),
        Column("icd10", "诊断编码", ("ICD-10", "ICD10", "疾病编码"), required=True,
               note=_("ICD-10；高血压仅I10–I13，继发性高血压I15不纳入"), example="I10.x00"),
        Column("diagnosis_date", "确诊日期", (), kind="date", example="2019-05-06"),
        Column("enrolled_on", "纳入管理日期", ("建卡日期", "管理日期"), required=True, kind="date", example="2019-05-20"),
        Column("institution", "管理机构编码", ("机构编码",), note=_("不填则为上传时选择的机构"), example=""),
        Column("next_due", "下次随访日期", (), kind="date", note=_("不填则以最后一次导入的随访为准"), example=""),
        Column("external_id", "原系统编号", ("管理卡号", "专档编号"), required=True,
               note=_("原公卫系统中的专项档案编号；再次导入时跳过"), example="GXY-2019-00031"),
    ]
    fields = {"icd10_code": "icd10", "enrolled_on": "enrolled_on", "diagnosis_date": "diagnosis_date",
              "programme": "programme", "resident": "id_number", "__all__": ""}

    def row(self, values, ctx) -> str:
        from .actions import enrol
        from .models import Enrolment

        external_id = self.value(values, "external_id", required=True)[:64]
        programme = _programme(self, values)
        if Enrolment.objects.filter(programme=programme, external_id=external_id).exists():
            return "unchanged"
        resident = resident_of_row(self, values, ctx)
        institution = _institution(self, values, ctx)
        enrol(ctx.actor, resident=resident, programme=programme, managing_institution=institution,
              managing_doctor=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
              icd10_code=self.value(values, "icd10", required=True),
              diagnosis_date=self.value(values, "diagnosis_date", files.date),
              enrolled_on=self.value(values, "enrolled_on", files.date, required=True),
              next_due=self.value(values, "next_due", files.date), external_id=external_id)
        return "created"


class FollowupsKind(ImportKind):
    name = "chronic_followups"
    label = _("慢病随访记录（原公卫系统）")
    columns = [
        *PERSON_COLUMNS,
        Column("programme", "管理项目", ("项目", "病种"), required=True, example="高血压"),
        Column("visit_date", "随访日期", (), required=True, kind="date", example="2025-03-18"),
        Column("mode", "随访方式", (), required=True, note=_("门诊、家庭、电话（或 1、2、3）"), example="门诊"),
        Column("systolic", "收缩压", (), kind="int", note="mmHg", example="138"),
        Column("diastolic", "舒张压", (), kind="int", note="mmHg", example="86"),
        Column("heart_rate", "心率", (), kind="int", example="72"),
        Column("weight", "体重", (), kind="decimal", note="kg", example="62.5"),
        Column("fasting_glucose", "空腹血糖", ("血糖",), kind="decimal", note="mmol/L", example=""),
        Column("classification", "随访分类", ("此次随访分类",),
               note=_("原系统记录的分类；与规则计算不同时保留为修改分类并注明来源"), example="控制满意"),
        Column("medications", "用药情况", ("用药",), note=_("每种药一段，用分号隔开：药名 每日次数 每次剂量"),
               example="氨氯地平 1 5mg；二甲双胍 2 0.5g"),
        Column("next_due", "下次随访日期", (), kind="date", example="2025-06-18"),
        Column("institution", "随访机构编码", ("机构编码",), note=_("不填则为上传时选择的机构"), example=""),
        Column("external_id", "原系统随访编号", ("随访编号",), required=True, example="SF-2025-000112"),
    ]
    fields = {"visit_date": "visit_date", "mode": "mode", "systolic": "systolic", "diastolic": "diastolic",
              "fasting_glucose": "fasting_glucose", "heart_rate": "heart_rate", "weight": "weight",
              "next_due": "next_due", "__all__": ""}

    def row(self, values, ctx) -> str:
        from .actions import record_followup
        from .models import Enrolment, EnrolmentStatus, Visit

        external_id = self.value(values, "external_id", required=True)[:64]
        programme = _programme(self, values)
        if Visit.objects.filter(programme=programme, external_id=external_id).exists():
            return "unchanged"
        resident = resident_of_row(self, values, ctx)
        enrolment = Enrolment.objects.filter(resident=resident, programme=programme,
                                             status=EnrolmentStatus.ACTIVE).first()
        if enrolment is None:
            raise RowError("programme", _("该居民不在此项目管理中，请先导入管理名单。"))
        mode = MODE_NAMES.get(self.value(values, "mode", required=True).strip().lower())
        if mode is None:
            raise RowError("mode", _("随访方式应为 门诊、家庭 或 电话。"))
        meds = []
        for part in (self.value(values, "medications") or "").replace(";", "；").split("；"):
            bits = part.split()
            if bits:
                meds.append({"drug": bits[0], "times": bits[1] if len(bits) > 1 else "",
                             "dose": bits[2] if len(bits) > 2 else ""})
        data = {"visit_date": self.value(values, "visit_date", files.date, required=True), "mode": mode,
                "medications": meds}
        for key, convert in (("systolic", files.integer), ("diastolic", files.integer), ("heart_rate", files.integer),
                             ("weight", files.decimal), ("fasting_glucose", files.decimal)):
            value = self.value(values, key, convert)
            if value is not None:
                data[key] = value
        old = CLASSIFICATION_NAMES.get((self.value(values, "classification") or "").strip(), "")
        record_followup(ctx.actor, enrolment, institution=_institution(self, values, ctx),
                        override_classification=old, override_reason=str(_("原公卫系统记录")) if old else "",
                        next_due=self.value(values, "next_due", files.date), external_id=external_id, **data)
        return "created"


def register_kinds() -> None:
    register(EnrolmentsKind())
    register(FollowupsKind())
