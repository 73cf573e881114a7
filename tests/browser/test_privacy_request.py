"""Browser (issue 16): a village doctor registers a resident's request to see their record, answers it with
what was given to the resident, and exports the resident list only after stating a purpose (the file carries
the watermark)."""
import datetime as dt
import io
import random

import pytest
from openpyxl import load_workbook

from tests.browser.fixtures import login, screenshot
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rights_request_is_registered_answered_and_the_export_is_watermarked(page):
    from yigongti.audit.models import PrivacyRequest
    from yigongti.people import actions
    from yigongti.rules import idcard

    s = build_scenario()
    luo = actions.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="罗福英",
                                    id_number=idcard.synthetic_id(random.Random(5), dt.date(1948, 3, 2), "2"),
                                    phone="13812345678")
    login(page, "village-doctor-a", s.password)
    page.goto("/audit/privacy/")
    page.click("text=登记请求")
    page.fill("input[name=record_number]", luo.record_number)
    page.select_option("select[name=kind]", "access")
    page.fill("textarea[name=details]", "查阅本人近两年的随访记录")
    page.click("form button[type=submit]:has-text('登记')")
    page.wait_for_load_state("networkidle")
    assert "答复期限" in page.content()
    page.check("input[name=disclosed][value=basic]")
    page.check("input[name=disclosed][value=followups]")
    page.fill("textarea[name=answer]", "已当面提供打印件")
    page.click("text=提交答复")
    page.wait_for_load_state("networkidle")
    request = PrivacyRequest.objects.get()
    assert request.status == "done" and request.disclosed == ["基本信息", "慢病随访记录"]
    assert "慢病随访记录" in page.content()
    screenshot(page, "privacy-request-answered")

    page.goto("/people/export.xlsx?q=")
    page.fill("input[name=purpose]", "家庭医生随访名单核对")
    with page.expect_download() as download:
        page.click("form button[type=submit]:has-text('导出')")
    rows = list(load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active.iter_rows(values_only=True))
    assert "village-doctor-a" in rows[0][0] and "家庭医生随访名单核对" in rows[0][0]
    assert any(r[1] == "罗福英" for r in rows[2:])
    assert not page.console_errors
