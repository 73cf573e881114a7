"""Chinese labels of the codes the rule modules return (the rules return codes; the app translates them)."""
from django.utils.translation import gettext_lazy as _

CLASSIFICATIONS = {
    "satisfied": _("控制满意"), "unsatisfied": _("控制不满意"), "adverse_reaction": _("不良反应"),
    "complication": _("并发症"), "stable": _("稳定"), "basically_stable": _("基本稳定"), "unstable": _("不稳定"),
    "not_started": _("未开始治疗"), "intensive": _("强化期"), "continuation": _("继续期"), "finished": _("疗程结束"),
}
REFERRALS = {"": _("无需转诊"), "advised": _("建议转诊"), "urgent": _("紧急转诊")}
SYMPTOMS = {
    "none": _("无症状"), "headache_dizziness": _("头痛头晕"), "nausea_vomiting": _("恶心呕吐"),
    "dim_vision_tinnitus": _("眼花耳鸣"), "dyspnoea": _("呼吸困难"), "palpitation_chest_tightness": _("心悸胸闷"),
    "epistaxis": _("鼻衄出血不止"), "limb_numbness": _("四肢发麻"), "leg_oedema": _("下肢水肿"),
    "polydipsia": _("多饮"), "polyphagia": _("多食"), "polyuria": _("多尿"), "blurred_vision": _("视力模糊"),
    "infection": _("感染"), "hand_foot_numbness": _("手脚麻木"), "marked_weight_loss": _("体重明显下降"),
    "other": _("其他"),
    # emergency signs (spec §HT/§DM emergency referral)
    "altered_consciousness": _("意识改变"), "severe_headache_or_dizziness": _("剧烈头痛或头晕"),
    "eye_pain": _("眼痛"), "breathless_cannot_lie_flat": _("喘憋不能平卧"),
    "altered_consciousness_or_behaviour": _("意识或行为改变"), "acetone_breath": _("呼气有烂苹果丙酮味"),
    "palpitation": _("心悸"), "sweating": _("出汗"), "loss_of_appetite": _("食欲减退"), "nausea": _("恶心"),
    "vomiting": _("呕吐"), "abdominal_pain": _("腹痛"), "deep_rapid_breathing": _("深大呼吸"),
    "flushed_skin": _("皮肤潮红"),
}
REASONS = {
    "sbp_ge_180": _("收缩压≥180mmHg"), "dbp_ge_110": _("舒张压≥110mmHg"), "bp_not_on_target": _("血压未达标"),
    "bp_on_target": _("血压达标"), "two_consecutive_unsatisfied": _("连续两次控制不满意"),
    "adverse_reaction": _("药物不良反应"), "adverse_reaction_uncontrolled": _("不良反应难以控制"),
    "complication_new_or_worse": _("出现新的并发症或原有并发症加重"), "cannot_handle": _("存在不能处理的其他情况"),
    "pregnant_or_breastfeeding_raised_bp": _("妊娠或哺乳期血压升高"), "glucose_ge_16_7": _("血糖≥16.7mmol/L"),
    "glucose_le_3_9": _("血糖≤3.9mmol/L"), "glucose_not_on_target": _("空腹血糖未达标"),
    "glucose_on_target": _("空腹血糖达标"), "heart_rate_gt_100": _("心率持续超过100次/分"),
    "temperature_gt_39": _("体温超过39℃"), "sudden_vision_loss": _("突然视力下降"),
    "pregnant_or_breastfeeding_raised_glucose": _("妊娠或哺乳期血糖升高"),
    "psychotic_symptoms_obvious": _("精神症状明显"), "no_insight": _("自知力缺失"),
    "acute_adverse_reaction": _("急性药物不良反应"), "serious_physical_illness": _("严重躯体疾病"),
    "recheck_in_2_weeks": _("2周内复查"), "specialist_guidance": _("请精神专科医生指导，1个月后随访"),
}
SCREENING_ACTIONS = {
    "recheck": _("首次血压/血糖升高，择日复查"), "refer_to_confirm": _("多日升高，初步诊断，转诊确诊"),
    "high_risk_6_monthly": _("高危人群，每半年测血压"), "high_risk_yearly_glucose": _("高危人群，每年测空腹血糖"),
}


def reason_label(code: str) -> str:
    if code.startswith("symptom_"):
        return str(_("急症症状：%(s)s") % {"s": SYMPTOMS.get(code[8:], code[8:])})
    if code.startswith("risk_level_"):
        return str(_("危险性%(n)s级") % {"n": code[11:]})
    return str(REASONS.get(code, code))
