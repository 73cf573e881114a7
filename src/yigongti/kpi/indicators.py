"""The consortium-wide indicators kpi owns: the national monitoring set (2024) and the seeds' 成效分析.

One declaration each (rules.indicators.Indicator); definitions from ../shared/domain/consortium-indicators.md.
Other apps declare their own rates in their own ``indicators.py``.
"""
from django.utils.translation import gettext_lazy as _

from yigongti.rules.indicators import (
    ALL_KINDS,
    PRIMARY_TIERS,
    STATUS_NEEDS_DATA,
    STAY_KINDS,
    UNIT_COUNT,
    UNIT_PERCENT,
    UNIT_YUAN,
    VISIT_KINDS,
    Indicator,
    Measure,
    RatioSpec,
)

from .residents import RecordCoverage

ENCOUNTER_LEVELS = ("county", "tier", "township", "institution")
VISIT_RULE = _("按就诊日期归入统计期（门诊、急诊）。按就诊机构统计；乡镇＝该乡镇的卫生院及辖区内村卫生室。")
STAY_RULE = _("按出院日期归入统计期；未出院者暂不计入。按就诊机构统计；乡镇＝该乡镇的卫生院及辖区内村卫生室。")
ALL_RULE = _("门诊、急诊按就诊日期，住院按出院日期（未出院者暂不计入）归入统计期。按就诊机构统计；"
             "乡镇＝该乡镇的卫生院及辖区内村卫生室。")
NATIONAL_PROMOTE = _("国家监测指标·促分工")
NATIONAL_EFFICIENCY = _("国家监测指标·提效能")
NATIONAL_HEALTH = _("国家监测指标·保健康")
EFFECT = _("成效分析")
# The four settlement indicators (医保基金县域内支出占比 …) are finance/indicators.py's: finance owns settlements.

visits = Measure("visits", VISIT_KINDS)
stays = Measure("visits", STAY_KINDS)

INDICATORS = [
    # --- national monitoring indicators (2024), consortium-indicators.md "促分工" / "提效能" / "保健康"
    Indicator(
        code="national.primary_visit_share", order=10, group=NATIONAL_PROMOTE, source="national_2024",
        name=_("县域内基层医疗卫生机构诊疗人次数占比"),
        numerator=_("乡级、村级医疗卫生机构的门诊和急诊人次"),
        denominator=_("县域内全部医疗卫生机构的门诊和急诊人次"),
        spec=RatioSpec(Measure("visits", VISIT_KINDS, tiers=PRIMARY_TIERS), visits, UNIT_PERCENT),
        unit=UNIT_PERCENT, direction="up", levels=("county",), period_rule=VISIT_RULE,
        fixture="encounters",
    ),
    Indicator(
        code="national.tcm_visit_share", order=20, group=NATIONAL_EFFICIENCY, source="national_2024",
        name=_("县域内中医类诊疗量占比"),
        numerator=_("中医类门诊和急诊人次（就诊标记为中医）"),
        denominator=_("门诊和急诊人次"),
        spec=RatioSpec(Measure("visits", VISIT_KINDS, tcm=True), visits, UNIT_PERCENT),
        unit=UNIT_PERCENT, direction="up", levels=ENCOUNTER_LEVELS, period_rule=VISIT_RULE,
        fixture="encounters",
    ),
    Indicator(
        code="national.premature_chronic_mortality", order=80, group=NATIONAL_HEALTH, source="national_2024",
        name=_("县域内四类慢性病过早死亡率"),
        numerator=_("30–70岁居民因心脑血管病、癌症、慢性呼吸系统疾病、糖尿病死亡人数"),
        denominator=_("30–70岁常住人口"),
        unit=UNIT_PERCENT, direction="down", levels=("county",), period_rule=_("按死亡日期，年度。"),
        periods=("year",),
        status=STATUS_NEEDS_DATA,
        data_needs=_("死因监测数据（根本死因 ICD-10 编码）与分年龄段常住人口。"),
    ),
    # --- the seeds' 成效分析 (000), per institution, each with its year-on-year change
    Indicator(
        code="effect.outpatient_visits", order=110, group=EFFECT, source="seed",
        name=_("门诊人次"), numerator=_("门诊和急诊人次"),
        spec=RatioSpec(visits, None, UNIT_COUNT),
        unit=UNIT_COUNT, direction="up", levels=ENCOUNTER_LEVELS, period_rule=VISIT_RULE, fixture="encounters",
    ),
    Indicator(
        code="effect.inpatient_stays", order=120, group=EFFECT, source="seed",
        name=_("住院人次"), numerator=_("出院人次"),
        spec=RatioSpec(stays, None, UNIT_COUNT),
        unit=UNIT_COUNT, direction="up", levels=ENCOUNTER_LEVELS, period_rule=STAY_RULE, fixture="encounters",
    ),
    Indicator(
        code="effect.outpatient_avg_cost", order=130, group=EFFECT, source="seed",
        name=_("门诊均次费用"), numerator=_("门诊和急诊总费用"), denominator=_("门诊和急诊人次"),
        spec=RatioSpec(Measure("total_cost", VISIT_KINDS), visits, UNIT_YUAN),
        unit=UNIT_YUAN, direction="down", levels=ENCOUNTER_LEVELS, period_rule=VISIT_RULE, fixture="encounters",
    ),
    Indicator(
        code="effect.inpatient_avg_cost", order=140, group=EFFECT, source="seed",
        name=_("住院均次费用"), numerator=_("出院者住院总费用"), denominator=_("出院人次"),
        spec=RatioSpec(Measure("total_cost", STAY_KINDS), stays, UNIT_YUAN),
        unit=UNIT_YUAN, direction="down", levels=ENCOUNTER_LEVELS, period_rule=STAY_RULE, fixture="encounters",
    ),
    Indicator(
        code="effect.drug_share", order=150, group=EFFECT, source="seed",
        name=_("药占比"), numerator=_("药品费用（门诊、急诊、住院）"), denominator=_("医疗总费用（门诊、急诊、住院）"),
        spec=RatioSpec(Measure("drug_cost", ALL_KINDS), Measure("total_cost", ALL_KINDS), UNIT_PERCENT),
        unit=UNIT_PERCENT, direction="down", levels=ENCOUNTER_LEVELS, period_rule=ALL_RULE, fixture="encounters",
    ),
    Indicator(
        code="effect.service_income_share", order=160, group=EFFECT, source="seed",
        name=_("医疗服务性收入占比"),
        numerator=_("医疗服务性收入（不含药品、耗材、检查检验收入）"), denominator=_("医疗总收入"),
        spec=RatioSpec(Measure("medical_service_income", ALL_KINDS), Measure("total_cost", ALL_KINDS),
                       UNIT_PERCENT),
        unit=UNIT_PERCENT, direction="up", levels=ENCOUNTER_LEVELS, period_rule=ALL_RULE, fixture="encounters",
    ),
    # --- programme indicators
    Indicator(
        code="records.coverage", order=210, group=_("项目指标"), source="programme",
        name=_("建档率"), numerator=_("统计期末有健康档案、在本地居住的居民数"),
        denominator=_("常住人口数（统计部门人口分母，统计年度）"),
        hooks=RecordCoverage(), unit=UNIT_PERCENT, direction="up", levels=("county", "township", "area"),
        period_rule=_("时点指标：按统计期末居民的居住地归属；分母取统计期所在年度的常住人口。"),
        fixture="records",
    ),
]
