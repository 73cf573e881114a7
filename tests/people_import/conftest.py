"""Import test helpers: the ICD-10 subset, synthetic people, files in the formats offices send (CSV in UTF-8
or GBK, XLSX with title rows), and the root URLs with the import pages."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest

from yigongti.rules import idcard


@pytest.fixture(autouse=True)
def _import_urls(settings, tmp_path):
    settings.ROOT_URLCONF = "tests.people_import.urls"
    # uploads kept for the jobs go to a temporary directory, not var/media
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}


@pytest.fixture
def catalog(db):
    """The ICD-10 subset the demo ships, loaded by the catalogue import."""
    from yigongti.people.demo import SUBSET
    from yigongti.people.importing import import_catalog

    return import_catalog(SUBSET.read_bytes(), SUBSET.name)


def person_id(born: dt.date, sex: str, seed: int) -> str:
    return idcard.synthetic_id(random.Random(seed), born, sex)


def bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], *, title_rows: list[list] | None = None, sheet: str = "Sheet1",
               text_columns: tuple[int, ...] = ()) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in (title_rows or []) + rows:
        ws.append(row)
    for column in text_columns:
        for cell in ws.iter_cols(min_col=column, max_col=column):
            for c in cell:
                c.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes, sheet: int = 0) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


RESIDENT_HEADER = ["姓名", "证件号码", "性别", "出生日期", "村/社区", "本人电话", "户编号", "与户主关系", "医疗费用支付方式"]


def resident_rows(scenario, n: int = 3, *, seed: int = 1) -> list[list]:
    """n good residents of village A, one household."""
    rows = []
    for i in range(n):
        sex = "1" if i % 2 == 0 else "2"
        born = dt.date(1950 + i, 3, 2 + i)
        rows.append([f"测试{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{i}", person_id(born, sex, seed * 1000 + i),
                     "男" if sex == "1" else "女", born.isoformat(), scenario.village_a.code,
                     f"138{seed:02d}{i:06d}", "001", "户主" if i == 0 else "子女", "城乡居民基本医疗保险"])
    return rows


def run_import(kind: str, data: bytes, filename: str, *, actor, institution, chunk: int = 500):
    from yigongti.people.importing import import_file

    return import_file(kind, data, filename, actor=actor, institution=institution, chunk=chunk)
