"""Browser, the Done-when path of the shared diagnostic centres: a village doctor requests an ECG and uploads it
as a PDF; the county reader claims it from the worklist, reports from a template and marks a critical value,
records the phone call with read-back and publishes; the village doctor acknowledges the alert, finds the
report on the shared record, and a repeat request inside the recognition window is caught. The worklist and
the A4 print are screenshotted."""
import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import login, screenshot
from tests.diagnostics import helpers
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ecg_to_critical_value_to_the_record(page, tmp_path, settings):
    from yigongti.diagnostics.models import CriticalValue, Request

    settings.YIGONGTI_DIAGNOSTICS = {"STORAGE_DIR": str(tmp_path / "studies")}
    s = build_scenario()
    helpers.centre(s)
    patient = helpers.resident(s, name="邱桂兰")
    ecg = helpers.test_of("ECG12")

    login(page, "village-doctor-a", s.password)
    page.goto("/diagnostics/?patient=邱桂兰")
    page.locator("a", has_text="申请检查").first.click()
    page.select_option("select[name=test]", str(ecg.pk))
    page.select_option("select[name=priority]", "stat")
    page.fill("textarea[name=clinical_info]", "胸骨后压榨样疼痛1小时，伴大汗")
    page.set_input_files("input[name=study]", {"name": "ecg.pdf", "mimeType": "application/pdf",
                                                "buffer": helpers.ecg_pdf("12-lead")})
    page.click("#submit-request")
    expect(page.locator("#state")).to_have_text("待阅片")
    expect(page.locator("#study")).to_contain_text("ecg.pdf")
    r = Request.objects.get()

    page.context.clear_cookies()
    login(page, "county-specialist", s.password)
    page.goto("/diagnostics/worklist/?modality=ecg")
    expect(page.locator("#worklist")).to_contain_text(r.number)
    screenshot(page, "diagnostics-worklist")
    page.click(f"[data-claim='{r.pk}']")
    expect(page.locator("h1")).to_contain_text("书写报告")
    page.select_option("#template", label="急性ST段抬高型心肌梗死")
    expect(page.locator("textarea[name=impression]")).to_have_value("急性前壁ST段抬高型心肌梗死（危急值）。")
    page.click("#do-sign")
    expect(page.locator("#state")).to_have_text("已签名待发布")
    page.fill("#critical-description", "急性前壁ST段抬高型心肌梗死")
    page.click("#do-critical")
    page.fill("input[name=phoned_to]", "赵村医")
    page.fill("input[name=read_back]", "急性前壁心梗，立即转诊")
    page.click("#do-call")
    expect(page.locator("#call")).to_contain_text("急性前壁心梗，立即转诊")
    page.goto(f"/diagnostics/{r.pk}/")
    page.click("#do-publish")
    expect(page.locator("#state")).to_have_text("已发布")

    page.context.clear_cookies()
    login(page, "village-doctor-a", s.password)
    expect(page.locator("#landing-criticals")).to_contain_text("1")
    page.goto("/diagnostics/critical/")
    page.locator("a", has_text="查看并确认").first.click()
    expect(page.locator("#critical-text")).to_contain_text("急性前壁ST段抬高型心肌梗死")
    page.click("#do-ack")
    expect(page.locator("#ack")).to_contain_text("赵村医")
    cv = CriticalValue.objects.get()
    assert cv.acknowledged_by == s.village_doctor_a and cv.phoned_at <= cv.acknowledged_at

    page.goto(f"/people/{patient.pk}/")
    expect(page.locator("main")).to_contain_text("急性前壁ST段抬高型心肌梗死（危急值）")
    page.goto(f"/diagnostics/{r.pk}/print/")
    expect(page.locator("#sheet")).to_contain_text("县域医学影像与心电诊断中心")
    page.emulate_media(media="print")
    screenshot(page, "diagnostics-print-a4", width=794, height=1123)
    page.emulate_media(media="screen")

    # a repeat inside the window: the earlier result is shown, and going ahead needs a reason
    page.goto(f"/diagnostics/new/?resident={patient.pk}")
    page.select_option("select[name=test]", str(ecg.pk))
    expect(page.locator("#recognition")).to_contain_text(r.number)
    page.click("#submit-request")
    expect(page.locator("main")).to_contain_text("请说明理由")
    assert Request.objects.count() == 1
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
