"""Browser: a village doctor uploads a roster (XLSX) with some bad rows on the import page, watches it finish
(HTMX polling while the worker runs), sees the counts and the errors, and downloads the error report."""
import datetime as dt
import io
import random

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE, login, screenshot
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _roster(village_code: str) -> bytes:
    from yigongti.rules import idcard

    rng = random.Random(11)
    book = Workbook()
    ws = book.active
    ws.append(["桃源村居民花名册"])
    ws.append(["姓名", "证件号码", "性别", "出生日期", "村/社区", "本人电话", "户编号", "与户主关系"])
    people = [("罗秀英", dt.date(1946, 5, 1), "2"), ("罗建华", dt.date(1970, 8, 9), "1"),
              ("罗子涵", dt.date(2016, 2, 3), "2"), ("错校验", dt.date(1958, 1, 1), "1"),
              ("错村", dt.date(1959, 1, 1), "1")]
    for i, (name, born, sex) in enumerate(people):
        number = idcard.synthetic_id(rng, born, sex)
        if name == "错校验":
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        ws.append([name, number, "男" if sex == "1" else "女", born.isoformat(),
                   "360199999999" if name == "错村" else village_code, f"1380000{i:04d}", "7",
                   "户主" if i == 0 else "子女"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_village_doctor_imports_a_roster_and_reads_the_error_report(page, settings):
    settings.ROOT_URLCONF = "tests.people_import.urls"
    from yigongti.jobs.queue import run_pending
    from yigongti.people.demo import SUBSET
    from yigongti.people.importing import import_catalog
    from yigongti.people.models import Resident

    s = build_scenario()
    import_catalog(SUBSET.read_bytes(), SUBSET.name)

    login(page, "village-doctor-a", s.password)
    page.goto("/people/import/")
    expect(page.locator("h1")).to_have_text("批量导入")
    screenshot(page, "people-import-upload")
    page.select_option("select[name=kind]", "residents")
    page.set_input_files("input[name=file]", files=[{
        "name": "桃源村花名册.xlsx", "buffer": _roster(s.village_a.code),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/people/import/*/")
    expect(page.locator("#import-progress")).to_contain_text("排队中")

    assert run_pending() >= 2  # the worker: read the file, then the rows
    expect(page.locator("#import-created")).to_have_text("3", timeout=10_000)
    expect(page.locator("#import-failed")).to_have_text("2")
    table = page.locator("#import-progress table.data")
    expect(table).to_contain_text("身份证号码校验位错误")
    expect(table).to_contain_text("360199999999")
    assert Resident.objects.count() == 3
    screenshot(page, "people-import-result")

    with page.expect_download() as download:
        page.click("#import-error-report")
    report = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    rows = [list(r) for r in report.active.iter_rows(values_only=True)]
    assert rows[0] == ["行号", "列", "原因"]
    assert [r[0] for r in rows[1:]] == [6, 7]

    screenshot(page, "people-import-result-phone", **PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert not page.console_errors
