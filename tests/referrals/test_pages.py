"""The referral pages: write a form, attach results, submit; the desk finds it by the number (typed or
scanned), accepts with a bed; the print page carries the seed form's fields, its QR code (inline SVG), the
存根 and the 回转单; field errors on the form, never a 500."""
from django.urls import reverse

from yigongti.referrals.models import Referral, Status

from . import helpers


def test_write_submit_find_accept(scenario, client):
    s = scenario
    patient = helpers.resident(s)
    helpers.beds(s, 2)
    client.force_login(s.township_doctor)
    page = client.get(reverse("referrals:new"), {"resident": patient.pk})
    assert page.status_code == 200 and patient.name in page.content.decode()
    bad = client.post(reverse("referrals:new") + f"?resident={patient.pk}", {
        "from_institution": s.centre_1.pk, "to_institution": s.county_hospital.pk, "referral_type": "outpatient",
        "reason": "difficult", "primary_diagnosis": "Q99.999"})
    assert bad.status_code == 200 and "不在疾病分类目录中" in bad.content.decode()
    made = client.post(reverse("referrals:new") + f"?resident={patient.pk}", {
        "from_institution": s.centre_1.pk, "to_institution": s.county_hospital.pk, "referral_type": "inpatient",
        "reason": "difficult", "primary_diagnosis": "S66.300", "condition_summary": "左手中指肿痛，活动受限",
        "treatment_advice": "建议上级医院进一步诊疗", "doctor_opinion": "同意", "consent": "on",
        "consent_by": patient.name, "consent_relation": "本人"})
    assert made.status_code == 302, made.content.decode()[:2000]
    r = Referral.objects.get()
    assert client.post(reverse("referrals:submit", args=[r.pk])).status_code == 302
    r.refresh_from_db()
    assert r.status == Status.SUBMITTED

    client.force_login(s.county_specialist)
    found = client.get(reverse("referrals:find"), {"number": f" {r.number[:4].lower()}-{r.number[4:]} "})
    assert found.status_code == 302 and found["Location"] == reverse("referrals:detail", args=[r.pk])
    assert client.get(reverse("referrals:find"), {"number": "T001209900001"}).status_code == 404
    detail = client.get(reverse("referrals:detail", args=[r.pk])).content.decode()
    assert "空闲预留床位：2 张" in detail and 'id="do-accept"' in detail and 'id="do-cancel"' not in detail
    client.post(reverse("referrals:accept", args=[r.pk]), {"reserve_bed": "on", "note": "绿色通道"})
    r.refresh_from_db()
    assert r.status == Status.ACCEPTED and r.bed is not None
    beds = client.get(reverse("referrals:beds")).content.decode()
    assert "空闲 1 / 2 张" in beds


def test_the_print_page(scenario, client):
    s = scenario
    r = helpers.submitted(s)
    client.force_login(s.county_specialist)
    html = client.get(reverse("referrals:print", args=[r.pk])).content.decode()
    for text in ("分级诊疗转诊意见书", "转诊编号", r.number, "转诊单有效期", "入册次数", "转诊单有效期内单次有效",
                 "西医诊断", "中医诊断", "病情介绍", "后续治疗意见", "主诊医生意见", "科主任意见", "患者及家属意见",
                 "存根", "回转单", "住院病案号", "下一步治疗方案及康复建议", "上转补差", "<svg"):
        assert text in html, text
    assert f"{r.valid_from:%Y-%m-%d}--{r.valid_until:%Y-%m-%d}" in html


def test_the_list_filters_and_masks(scenario, client):
    s = scenario
    r = helpers.submitted(s)
    client.force_login(s.county_specialist)
    listing = client.get(reverse("referrals:list"), {"box": "in"}).content.decode()
    assert r.number in listing and "13812" not in listing
    assert r.number not in client.get(reverse("referrals:list"), {"box": "out"}).content.decode()
    assert client.get(reverse("referrals:list"), {"state": "nonsense", "page": "x"}).status_code == 200


def test_a_step_of_the_other_side_is_refused(scenario, client):
    s = scenario
    r = helpers.submitted(s)
    client.force_login(s.township_doctor)
    assert client.post(reverse("referrals:accept", args=[r.pk])).status_code == 403
    client.force_login(s.county_specialist)
    assert client.post(reverse("referrals:cancel", args=[r.pk])).status_code == 403
    r.refresh_from_db()
    assert r.status == Status.SUBMITTED


def test_the_landing_page_and_the_navigation(scenario, client):
    s = scenario
    helpers.beds(s, 2)
    helpers.submitted(s)
    client.force_login(s.county_specialist)
    home = client.get("/").content.decode()
    assert "待接收/待接诊的转入" in home and "双向转诊" in home
    client.force_login(s.audit_admin)
    assert "待接收/待接诊的转入" not in client.get("/").content.decode()
