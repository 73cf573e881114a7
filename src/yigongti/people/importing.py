"""Import of residents, health exams and encounters from CSV or XLSX, and of the ICD-10 catalogue.

Rules (issue 5): every row goes through the real actions (people.actions), so an import validates exactly
what a page validates (ID check digit, birth date and sex agreeing with the ID, a known village code …);
good rows are saved, bad rows are reported (row, column, reason in Chinese) in a downloadable XLSX; a bad
row never loses the rows already saved (each row in its own savepoint, chunks committed one by one); and
importing the same file again creates nothing new — residents are matched on the document number's blind
index (else name + sex + birth date in the village), encounters and exams on their external number, or on
resident + institution + date.

Uploads run as jobs: the first job ("parse") reads the file into a normalised list of rows; each following
job ("rows") runs one chunk of rows in its own transaction and queues the next, so the page can show the
progress and a crash loses at most one chunk, which the retry redoes (re-importing is idempotent).
"""
from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import import_files as files
from .import_files import CellProblem, Column, FileProblem

CHUNK = 500  # rows per job (one transaction each)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_REPORTED_ERRORS = 20_000


# --- the ICD-10 catalogue ---------------------------------------------------------------------------------

# Header names of the official files, best first: 医保版 2.0 has 类目/亚目/诊断 columns (诊断代码 is the
# full code); 国家临床版 2.0 has 主要编码 / 附加编码 / 疾病名称 (附加编码 is the asterisk code, not ours).
CATALOG_COLUMNS = [
    Column("code", "诊断代码", ("诊断编码", "疾病编码", "疾病代码", "主要编码", "icd-10编码", "icd10编码", "icd-10代码",
                             "icd编码", "编码", "代码", "code", "icd10", "icd-10"), required=True),
    Column("name", "诊断名称", ("疾病名称", "疾病诊断名称", "名称", "name", "description"), required=True),
    Column("chapter", "章", ("章代码", "章节", "chapter")),
]
_ICD_CODE = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Za-z]{1,4}(x\d{3})?)?[+*†]?$")


@dataclass
class CatalogResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0


def parse_catalog(data: bytes, filename: str = "") -> tuple[CatalogResult, dict[str, tuple[str, str]]]:
    """Read code + name rows of the first sheet with a recognisable header. Returns the result so far
    (header position, bad rows) and {code: (name, chapter)}; a code listed twice keeps its first name."""
    result = CatalogResult()
    for sheet_name, rows in files.sheets(data, filename):
        header, _missing = files.find_header(rows, CATALOG_COLUMNS)
        if header is None:
            continue
        result.sheet, result.header_row = sheet_name, header.row_number
        codes: dict[str, tuple[str, str]] = {}
        cols = header.columns
        for number, cells in enumerate(rows, start=header.row_number + 1):
            if not cells or files.is_blank(cells):
                continue

            def cell(key, cells=cells, cols=cols):
                index = cols.get(key)
                return files.text(cells[index]) if index is not None and index < len(cells) else ""

            code, name = cell("code").replace(" ", ""), cell("name")
            if code and code[0].islower():
                code = code[0].upper() + code[1:]
            if not code and not name:
                continue
            if not _ICD_CODE.match(code):
                result.errors.append((number, header.labels["code"], gettext("不是有效的 ICD-10 编码")))
                continue
            if not name:
                result.errors.append((number, header.labels["name"], gettext("名称不能为空")))
                continue
            codes.setdefault(code, (name[:200], cell("chapter")[:8]))
        return result, codes
    raise FileProblem(_("没有找到表头：需要“诊断代码/主要编码”和“诊断名称/疾病名称”两列。"))


def detect_version(filename: str, explicit: str | None = None) -> str:
    from .models import Icd10Code

    if explicit:
        return explicit
    lowered = filename.lower()
    if "医保" in filename or "insurance" in lowered or "yb" in lowered:
        return Icd10Code.Version.INSURANCE
    return Icd10Code.Version.CLINICAL


def import_catalog(data: bytes, filename: str = "", *, version: str | None = None, actor=None) -> CatalogResult:
    """Idempotent upsert of an ICD-10 catalogue (国家临床版 2.0 or 医保版 2.0) into people.Icd10Code: new codes
    are added, changed names updated, the rest left alone. Runs inside the caller's transaction."""
    from .models import Icd10Code

    result, codes = parse_catalog(data, filename)
    version = detect_version(filename, version)
    existing = {c.code: c for c in Icd10Code.objects.filter(version=version)}
    new, changed = [], []
    for code, (name, chapter) in codes.items():
        known = existing.get(code)
        if known is None:
            new.append(Icd10Code(code=code, name=name, version=version, chapter=chapter))
        elif known.name != name or (chapter and known.chapter != chapter) or not known.active:
            known.name, known.active = name, True
            known.chapter = chapter or known.chapter
            changed.append(known)
        else:
            result.unchanged += 1
    Icd10Code.objects.bulk_create(new, batch_size=2000)
    Icd10Code.objects.bulk_update(changed, ["name", "chapter", "active"], batch_size=2000)
    result.created, result.updated = len(new), len(changed)
    if actor is not None and (new or changed):
        _audit(actor, action="people.import_catalog", subject=None,
               after={"version": version, "created": len(new), "updated": len(changed), "file": filename})
    return result


def _audit(actor, *, action: str, subject, after: dict) -> None:
    try:
        from yigongti.audit.log import record_change
    except ImportError:  # the audit log arrives with Foundation 3
        return
    if subject is not None:
        record_change(actor, action=action, subject=subject, before=None, after=after)


# --- rows: the framework every kind shares ------------------------------------------------------------------

class RowError(Exception):
    """A row cannot be imported: ``column`` is a column key of the kind (or "" for the whole row)."""

    def __init__(self, column: str, reason):
        super().__init__(str(reason))
        self.column = column
        self.reason = reason


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[list] = field(default_factory=list)  # [row number, column as written in the file, reason]

    def add(self, other: Counts) -> None:
        for name in ("rows", "created", "updated", "unchanged", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors[: max(0, MAX_REPORTED_ERRORS - len(self.errors))])

    def as_dict(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "failed": self.failed, "errors": self.errors}

    @classmethod
    def from_dict(cls, data: dict) -> Counts:
        return cls(**{k: data.get(k, 0) for k in ("rows", "created", "updated", "unchanged", "failed")},
                   errors=list(data.get("errors", [])))


@dataclass
class Context:
    """Who imports, for which institution; caches a kind fills while it runs (codes → objects)."""

    actor: Any
    institution: Any
    labels: dict[str, str] = field(default_factory=dict)  # column key -> header as written in the file
    cache: dict[str, Any] = field(default_factory=dict)

    def label(self, key: str, kind: ImportKind) -> str:
        if not key:
            return gettext("整行")
        if key in self.labels:
            return self.labels[key]
        column = kind.column(key)
        return str(column.label) if column else key


class ImportKind:
    """One kind of import. Subclasses give the columns and ``row`` (one row through the actions)."""

    name = ""
    label: Any = ""
    columns: list[Column] = []
    # action field name -> column key, for the ValidationErrors the actions raise
    fields: dict[str, str] = {}

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def row(self, values: dict[str, Any], ctx: Context) -> str:
        """Import one row; returns "created", "updated" or "unchanged"; raises RowError / ValidationError."""
        raise NotImplementedError

    def value(self, values: dict[str, Any], key: str, convert: Callable[[Any], Any] = files.text,
              required: bool | None = None):
        """A converted cell; a bad or missing required value is a RowError on that column."""
        column = self.column(key)
        raw = values.get(key)
        try:
            converted = convert(raw)
        except CellProblem as exc:
            raise RowError(key, exc.reason) from None
        if (required if required is not None else (column and column.required)) and converted in (None, ""):
            raise RowError(key, _("不能为空"))
        return converted


KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    KINDS[kind.name] = kind
    return kind


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs of an action's ValidationError."""
    if hasattr(error, "error_dict"):
        pairs = [(name, str(message)) for name, errs in error.error_dict.items()
                 for message in ValidationError(errs).messages]
    else:
        pairs = [("", str(message)) for message in error.messages]
    return list(dict.fromkeys(pairs))  # the same message twice is said once


def run_rows(kind: ImportKind, ctx: Context, rows: Iterable[tuple[int, dict[str, Any]]]) -> Counts:
    """Each row in its own savepoint: a bad row is reported and rolled back alone, the good ones stay."""
    from django.core.exceptions import PermissionDenied
    from django.db import IntegrityError

    counts = Counts()
    for number, values in rows:
        counts.rows += 1
        try:
            with transaction.atomic():
                outcome = kind.row(values, ctx)
        except RowError as exc:
            counts.failed += 1
            counts.errors.append([number, ctx.label(exc.column, kind), str(exc.reason)])
            continue
        except ValidationError as exc:
            counts.failed += 1
            for name, message in _messages(exc):
                column = kind.fields.get(name, name if kind.column(name) else "")
                counts.errors.append([number, ctx.label(column, kind), message])
            continue
        except PermissionDenied:
            counts.failed += 1
            counts.errors.append([number, ctx.label("", kind), gettext("无权以该机构的名义录入这条记录")])
            continue
        except IntegrityError:
            counts.failed += 1
            counts.errors.append([number, ctx.label("", kind), gettext("与已有记录冲突（重复的编号）")])
            continue
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    return counts


# --- reading a file into rows ---------------------------------------------------------------------------------

@dataclass
class Parsed:
    labels: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]]
    sheet: str = ""
    header_row: int = 0


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return files.text(value)


def parse(kind: ImportKind, data: bytes, filename: str = "") -> Parsed:
    """The data rows of the first sheet whose header has the kind's required columns, as {column key: raw
    value} with the Excel row number. Raises FileProblem when no sheet has them."""
    missing_best: list[str] | None = None
    for sheet_name, sheet_rows in files.sheets(data, filename):
        header, missing = files.find_header(sheet_rows, kind.columns)
        if header is None:
            if missing and (missing_best is None or len(missing) < len(missing_best)):
                missing_best = missing
            continue
        rows = []
        for number, cells in enumerate(sheet_rows, start=header.row_number + 1):
            if not cells or files.is_blank(cells):
                continue
            rows.append((number, {key: _json_safe(cells[i]) if i < len(cells) else None
                                  for key, i in header.columns.items()}))
        return Parsed(labels=header.labels, rows=rows, sheet=sheet_name, header_row=header.row_number)
    if missing_best:
        raise FileProblem(gettext("缺少必填列：%(columns)s。请使用导入模板。") % {"columns": "、".join(map(str, missing_best))})
    raise FileProblem(_("没有找到表头行，请使用导入模板。"))


# --- the synchronous path: the command line and the benchmark ---------------------------------------------

def import_file(kind_name: str, data: bytes, filename: str, *, actor, institution,
                progress: Callable[[Counts, int], None] | None = None, chunk: int = CHUNK) -> Counts:
    """Import a whole file now, one committed transaction per chunk (the outermost entry point: a command)."""
    kind = KINDS[kind_name]
    parsed = parse(kind, data, filename)
    ctx = Context(actor=actor, institution=institution, labels=parsed.labels)
    total = Counts()
    for start in range(0, len(parsed.rows), chunk):
        with transaction.atomic(durable=True):
            total.add(run_rows(kind, ctx, parsed.rows[start:start + chunk]))
        if progress:
            progress(total, len(parsed.rows))
    return total


# --- the job path: uploads ---------------------------------------------------------------------------------

JOB_KIND = "people.import"


def start_import(user, *, kind: str, institution, filename: str, data: bytes):
    """Keep the upload and queue its import (inside the caller's transaction); returns the first job, whose id
    names the batch."""
    from yigongti.jobs.queue import enqueue

    if kind not in KINDS:
        raise ValidationError({"kind": [_("未知的导入类型")]})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("文件太大（上限 50 MB），请分成几个文件。")]})
    if not data:
        raise ValidationError({"file": [_("文件是空的。")]})
    try:
        files.file_format(data, filename)
    except FileProblem as exc:
        raise ValidationError({"file": [exc.message]}) from None
    suffix = ".xlsx" if data[:4] == b"PK\x03\x04" else ".csv"
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", ContentFile(data))
    return enqueue(JOB_KIND, {"step": "parse", "kind": kind, "file": stored, "filename": filename[:200],
                              "user": user.pk, "institution": institution.pk}, created_by=user)


def _remove(*names: str) -> None:
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)


def run_job(job, *, step: str, kind: str, file: str, filename: str, user: int, institution: int,
            batch: int | None = None, rows_file: str = "", offset: int = 0, total: int = 0,
            labels: dict | None = None) -> dict:
    """One step of an import batch (called by the people.import job handler inside its transaction)."""
    from django.contrib.auth import get_user_model

    from yigongti.jobs.queue import enqueue
    from yigongti.org.models import Institution

    common = {"kind": kind, "file": file, "filename": filename, "user": user, "institution": institution,
              "batch": batch or job.pk}
    if step == "parse":
        try:
            with default_storage.open(file, "rb") as fh:
                parsed = parse(KINDS[kind], fh.read(), filename)
        except FileProblem as exc:
            transaction.on_commit(lambda: _remove(file))
            return {"step": "parse", "error": str(exc.message), "done": True, "total": 0}
        lines = "".join(json.dumps([n, v], ensure_ascii=False) + "\n" for n, v in parsed.rows)
        rows_name = default_storage.save(f"{file}.rows.jsonl", ContentFile(lines.encode("utf-8")))
        total = len(parsed.rows)
        enqueue(JOB_KIND, {**common, "step": "rows", "rows_file": rows_name, "offset": 0, "total": total,
                           "labels": parsed.labels}, created_by=job.created_by)
        return {"step": "parse", "total": total, "done": False, "sheet": parsed.sheet,
                "header_row": parsed.header_row}
    actor = get_user_model().objects.get(pk=user)
    ctx = Context(actor=actor, institution=Institution.objects.get(pk=institution), labels=labels or {})
    rows: list[tuple[int, dict]] = []
    with default_storage.open(rows_file, "rb") as fh:
        fh.seek(offset)
        while len(rows) < CHUNK:
            line = fh.readline()
            if not line:
                break
            number, values = json.loads(line)
            rows.append((number, values))
        next_offset = fh.tell()
        more = bool(fh.readline())
    counts = run_rows(KINDS[kind], ctx, rows)
    if more:
        enqueue(JOB_KIND, {**common, "step": "rows", "rows_file": rows_file, "offset": next_offset, "total": total,
                           "labels": labels or {}}, created_by=job.created_by)
    else:
        transaction.on_commit(lambda: _remove(file, rows_file))
    return {"step": "rows", "total": total, "done": not more, **counts.as_dict()}


@dataclass
class BatchStatus:
    batch: int
    kind: str
    filename: str
    institution_id: int
    user_id: int
    created_at: Any
    state: str  # queued | running | done | failed
    total: int
    counts: Counts
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def percent(self) -> int:
        return 100 if self.state == "done" else int(100 * self.counts.rows / self.total) if self.total else 0

    @property
    def kind_label(self):
        return KINDS[self.kind].label if self.kind in KINDS else self.kind


def batch_jobs(batch: int):
    from django.db.models import Q

    from yigongti.jobs.models import Job

    return Job.objects.filter(Q(pk=batch) | Q(kind=JOB_KIND, payload__batch=batch)).filter(kind=JOB_KIND).order_by("id")


def batch_status(batch: int) -> BatchStatus | None:
    """The progress and result of an upload, summed over its jobs."""
    from yigongti.jobs.models import JobState

    jobs = list(batch_jobs(batch))
    if not jobs or jobs[0].pk != batch or jobs[0].payload.get("step") != "parse":
        return None
    first = jobs[0]
    payload = first.payload
    counts, total, state, message = Counts(), 0, "queued", ""
    done = False
    for job in jobs:
        result = job.result or {}
        if job.state == JobState.DONE:
            if result.get("step") == "rows":
                counts.add(Counts.from_dict(result))
            total = result.get("total", total)
            done = done or bool(result.get("done"))
            message = result.get("error", message)
        elif job.state == JobState.FAILED:
            state = "failed"
            message = gettext("导入中断（已保存的行保留）。系统管理员可在“后台任务”中重试。")
        elif job.state in (JobState.RUNNING, JobState.RETRYING) and state != "failed":
            state = "running"
    if done and state != "failed":
        state = "done" if not message else "failed"
    elif state == "queued" and len(jobs) > 1:
        state = "running"
    return BatchStatus(batch=batch, kind=payload.get("kind", ""), filename=payload.get("filename", ""),
                       institution_id=payload.get("institution"), user_id=payload.get("user"),
                       created_at=first.created_at, state=state, total=total, counts=counts, message=message)


def recent_batches(user, limit: int = 10) -> list[BatchStatus]:
    from yigongti.jobs.models import Job

    firsts = (Job.objects.filter(kind=JOB_KIND, created_by=user, payload__step="parse")
              .order_by("-id").values_list("pk", flat=True)[:limit])
    return [s for s in (batch_status(pk) for pk in firsts) if s is not None]


# --- workbooks: the template of each kind and the error report ------------------------------------------

def _workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_workbook(kind_name: str) -> bytes:
    """The import template: the header row (required columns marked *), one example row, and a sheet
    explaining each column. Every column is text-formatted so Excel keeps ID numbers whole."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    kind = KINDS[kind_name]
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", str(kind.label))[:31]  # Excel forbids []:*?/\ in sheet names
    headers = [f"{c.label}{'*' if c.required else ''}" for c in kind.columns]
    sheet.append(headers)
    sheet.append([c.example for c in kind.columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCFCE7")
    for index, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if column.required:
            cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(str(column.label)) * 2 + 4)
        for row in range(2, 2002):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(gettext("填写说明"))
    notes.append([gettext("列"), gettext("必填"), gettext("说明"), gettext("示例")])
    for c in notes[1]:
        c.font = bold
    for column in kind.columns:
        notes.append([str(column.label), gettext("是") if column.required else "", str(column.note), column.example])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 24
    return _workbook_bytes(book)


def error_workbook(errors: Iterable[list]) -> bytes:
    """The error report: 行号, 列, 原因 — one line per problem, in the order of the file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = gettext("错误报告")
    sheet.append([gettext("行号"), gettext("列"), gettext("原因")])
    for c in sheet[1]:
        c.font = Font(bold=True)
    for number, column, reason in sorted(errors, key=lambda e: (e[0], str(e[1]))):
        sheet.append([number, column, reason])
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 80
    sheet.freeze_panes = "A2"
    return _workbook_bytes(book)




# --- the three kinds ----------------------------------------------------------------------------------------

SEX_WORDS = {"男": "1", "女": "2", "1": "1", "2": "2", "m": "1", "f": "2", "male": "1", "female": "2",
             "未知": "0", "未知的性别": "0", "0": "0", "未说明": "9", "未说明的性别": "9", "9": "9"}
DOCUMENT_WORDS = {"居民身份证": "id_card", "身份证": "id_card", "二代身份证": "id_card", "出生医学证明": "birth_cert",
                  "出生证": "birth_cert", "港澳台居民居住证": "hmt_permit", "护照": "passport",
                  "外国人永久居留身份证": "foreign_pr", "永久居留证": "foreign_pr", "无证件": "none", "无": "none"}
RELATION_WORDS = {"户主": "head", "本人": "head", "配偶": "spouse", "夫": "spouse", "妻": "spouse", "丈夫": "spouse",
                  "妻子": "spouse", "子女": "child", "子": "child", "女": "child", "儿子": "child", "女儿": "child",
                  "长子": "child", "次子": "child", "长女": "child", "次女": "child", "孙子女": "grandchild",
                  "孙子": "grandchild", "孙女": "grandchild", "外孙子": "grandchild", "外孙女": "grandchild",
                  "父母": "parent", "父亲": "parent", "母亲": "parent", "祖父母": "grandparent", "祖父": "grandparent",
                  "祖母": "grandparent", "兄弟姐妹": "sibling", "兄": "sibling", "弟": "sibling", "姐": "sibling",
                  "妹": "sibling", "儿媳": "child_in_law", "女婿": "child_in_law", "儿媳/女婿": "child_in_law",
                  "其他": "other"}
# GB/T 4761 numeric codes by their first digit (02 户主, 1x 配偶, 2x 子, 3x 女, 4x 孙, 5x 父母, 6x 祖父母, 7x 兄弟姐妹)
RELATION_GB = {"0": "head", "1": "spouse", "2": "child", "3": "child", "4": "grandchild", "5": "parent",
               "6": "grandparent", "7": "sibling", "8": "other", "9": "other"}
INSURANCE_WORDS = {"城镇职工基本医疗保险": "employee", "职工医保": "employee", "城镇职工医保": "employee", "职工": "employee",
                   "城乡居民基本医疗保险": "resident", "居民医保": "resident", "城乡居民医保": "resident",
                   "新农合": "resident", "新型农村合作医疗": "resident", "城镇居民基本医疗保险": "resident",
                   "商业医疗保险": "commercial", "商业保险": "commercial", "公费医疗": "free", "全自费": "self_pay",
                   "自费": "self_pay", "贫困救助": "other", "其他": "other"}
KIND_WORDS = {"门诊": "outpatient", "住院": "inpatient", "急诊": "emergency", "outpatient": "outpatient",
              "inpatient": "inpatient", "emergency": "emergency", "1": "outpatient", "2": "inpatient",
              "3": "emergency"}


def choice(words: dict[str, str], message) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        raw = files.text(value)
        if not raw:
            return ""
        code = words.get(raw) or words.get(raw.lower())
        if code is None:
            raise CellProblem(message)
        return code

    return convert


def relation(value: Any) -> str:
    raw = files.text(value)
    if not raw:
        return ""
    if raw.isdigit() and len(raw) == 2:
        return "head" if raw in ("01", "02") else RELATION_GB[raw[0]]
    code = RELATION_WORDS.get(raw)
    if code is None:
        raise CellProblem(_("与户主关系请填写：户主、配偶、子女、孙子女、父母、祖父母、兄弟姐妹、儿媳/女婿、其他。"))
    return code


def yes_no(value: Any) -> bool | None:
    return None if files.text(value) == "" else files.boolean(value)


def normalised_document(number: str) -> str:
    """The form the actions store (idcard.parse: upper-case X, 15 → 18 digits) for the blind-index lookup."""
    from yigongti.rules import idcard

    try:
        return idcard.parse(number).number
    except idcard.IdCardError:
        return idcard.normalise(number)


def find_by_document(number: str):
    from . import crypto
    from .models import RecordStatus, Resident

    index = crypto.blind_index("document", normalised_document(number))
    if not index:
        return None
    found = list(Resident.objects.filter(document_index=index).exclude(status=RecordStatus.MERGED)
                 .select_related("area")[:1])
    return found[0] if found else None


class ResidentsKind(ImportKind):
    name = "residents"
    label = _("居民档案")
    columns = [
        Column("name", "姓名", ("居民姓名",), required=True, note=_("居民的姓名"), example="罗某英"),
        Column("id_number", "证件号码", ("身份证号码", "身份证号", "公民身份号码", "证件号", "id_number"),
               note=_("居民身份证为18位（旧15位号码自动转换），校验位、出生日期和性别都会核对；请把本列设为“文本”格式。"
                      "同一证件号码再次导入时更新原档案，不会重复建档。"), example="36019919480302002X"),
        Column("document_type", "证件类型", (), note=_("居民身份证（默认）、出生医学证明、港澳台居民居住证、护照、外国人永久居留身份证、无证件"),
               example="居民身份证"),
        Column("sex", "性别", (), note=_("男、女（有身份证号码时可不填，按号码第17位）"), example="女"),
        Column("birth_date", "出生日期", (), kind="date", note=_("如 1948-03-02（有身份证号码时可不填）"),
               example="1948-03-02"),
        Column("area", "村/社区", ("村（社区）", "村社区", "区划代码", "村/社区代码", "所属村", "村", "社区", "现住址村"),
               required=True, note=_("12位统计用区划代码，或本机构服务范围内的村/社区名称"), example="360121100201"),
        Column("phone", "本人电话", ("手机号", "手机号码", "联系电话", "电话", "phone"), note=_("手机11位，以1开头"),
               example="13812345678"),
        Column("address", "现住址", ("住址", "家庭住址", "地址"), note=_("如 向塘镇新村村3组12号"), example="向塘镇新村村3组12号"),
        Column("household", "户编号", ("户号", "家庭户编号"), note=_("同一户的成员填同一个编号；短编号会加上村/社区代码"),
               example="0012"),
        Column("relation_to_head", "与户主关系", ("与户主的关系", "家庭关系"),
               note=_("户主、配偶、子女、孙子女、父母、祖父母、兄弟姐妹、儿媳/女婿、其他（或GB/T 4761代码）"), example="户主"),
        Column("is_registered", "常住类型", ("户籍类型",), note=_("户籍 或 非户籍"), example="户籍"),
        Column("is_resident", "是否常住", ("常住",), note=_("是（在本地居住半年以上）或 否"), example="是"),
        Column("insurance_scheme", "医疗费用支付方式", ("医保类型", "参保类型", "医疗保险类型"),
               note=_("城镇职工基本医疗保险、城乡居民基本医疗保险、商业医疗保险、公费医疗、全自费、其他"), example="城乡居民基本医疗保险"),
        Column("ethnicity", "民族", (), note=_("如 汉族"), example="汉族"),
        Column("contact_name", "联系人姓名", ("联系人",), note=_("紧急联系人"), example=""),
        Column("contact_phone", "联系人电话", (), note=_("紧急联系人的电话"), example=""),
    ]
    fields = {"id_number": "id_number", "document_type": "document_type", "area": "area", "__all__": ""}

    def area(self, raw: str, ctx: Context):
        from yigongti.org.models import Area, AreaLevel

        cache = ctx.cache.setdefault("areas", {})
        if raw in cache:
            return cache[raw]
        levels = [AreaLevel.VILLAGE, AreaLevel.COMMUNITY]
        if raw.isdigit():
            area = Area.objects.filter(code=raw, level__in=levels).first()
            if area is None:
                raise RowError("area", gettext("区划代码 %(code)s 不是已知的村/社区。") % {"code": raw})
        else:
            served = [a.path for a in ctx.institution.service_areas.all()]
            candidates = [a for a in Area.objects.filter(name=raw, level__in=levels)
                          if any(a.path.startswith(p) for p in served)]
            if len(candidates) != 1:
                raise RowError("area", gettext("“%(name)s”不是本机构服务范围内唯一的村/社区名称，请填写12位区划代码。")
                               % {"name": raw})
            area = candidates[0]
        cache[raw] = area
        return area

    def household(self, raw: str, area, ctx: Context):
        """The household of that number (created on first use). People's actions have no household action
        yet: the row is created here, the membership goes through register/update_resident."""
        from .models import Household

        number = (raw if len(raw) >= 12 else f"{area.code}{raw.zfill(5)}")[:24]
        cache = ctx.cache.setdefault("households", {})
        household = cache.get(number)
        if household is None:
            household = Household.objects.filter(number=number).first()
        if household is None:
            household = Household.objects.create(number=number, area=area)
        elif household.area_id != area.pk:
            raise RowError("household", gettext("户编号 %(number)s 已属于另一个村/社区。") % {"number": raw})
        return household

    def row(self, values: dict[str, Any], ctx: Context) -> str:
        from . import actions, crypto

        data: dict[str, Any] = {}
        data["name"] = self.value(values, "name")
        number = self.value(values, "id_number", files.document_number)
        doc_type = self.value(values, "document_type", choice(DOCUMENT_WORDS, _("证件类型不正确。")))
        sex = self.value(values, "sex", choice(SEX_WORDS, _("性别请填写“男”或“女”。")))
        born = self.value(values, "birth_date", files.date)
        area = self.area(self.value(values, "area"), ctx)
        data["area"] = area
        if doc_type:
            data["document_type"] = doc_type
        if number:
            data["id_number"] = number
        if sex:
            data["sex"] = sex
        if born:
            data["birth_date"] = born
        for key, convert in (("phone", files.text), ("address", files.text), ("ethnicity", files.text),
                             ("contact_name", files.text), ("contact_phone", files.text),
                             ("relation_to_head", relation),
                             ("insurance_scheme", choice(INSURANCE_WORDS, _("医疗费用支付方式不正确。"))),
                             ("is_resident", yes_no)):
            value = self.value(values, key, convert)
            if value not in (None, ""):
                data[key] = value
        registered = self.value(values, "is_registered", files.text)
        if registered:
            if registered not in ("户籍", "非户籍"):
                raise RowError("is_registered", _("常住类型请填写“户籍”或“非户籍”。"))
            data["is_registered"] = registered == "户籍"
        household_no = self.value(values, "household")
        if household_no:
            data["household"] = self.household(household_no, area, ctx)

        existing = find_by_document(number) if number and data.get("document_type", "id_card") != "none" else None
        if existing is None and not number:
            from .models import RecordStatus, Resident

            natural = Resident.objects.filter(name=data["name"], area=area).exclude(status=RecordStatus.MERGED)
            if born:
                natural = natural.filter(birth_date=born)
            if sex:
                natural = natural.filter(sex=sex)
            existing = natural.order_by("pk").first() if (born or sex) else None
        if existing is None:
            resident = actions.register_resident(ctx.actor, institution=ctx.institution, force=bool(number), **data)
            outcome = "created"
        else:
            current = actions.resident_snapshot(existing)
            current["address"] = crypto.decrypt(existing.address_enc)
            current["contact_phone"] = crypto.decrypt(existing.contact_phone_enc)
            changes = {}
            for key, value in data.items():
                if key == "id_number":
                    if normalised_document(value) != current["id_number"]:
                        changes[key] = value
                    continue
                have = getattr(existing, key) if key in ("area", "household") else current.get(key)
                if key == "birth_date" and isinstance(have, str):
                    have = existing.birth_date
                if key == "phone":
                    value = actions.normalise_phone(value)
                if have != value:
                    changes[key] = value
            if not changes:
                resident = existing
                outcome = "unchanged"
            else:
                resident = actions.update_resident(ctx.actor, existing, None, **changes)
                outcome = "updated"
        household = data.get("household")
        if household is not None:
            if data.get("relation_to_head") == "head" and household.head_id != resident.pk:
                household.head = resident
                household.save(update_fields=["head"])
            # kept for the next rows only now that this row is saved (a rolled-back row takes its new
            # household with it)
            ctx.cache.setdefault("households", {})[household.number] = household
        return outcome


def resident_of_row(kind: ImportKind, values: dict[str, Any], ctx: Context):
    """The resident a row of exams or encounters is about: by document number (blind index), else by the
    17-digit health-record number; the name, when given, must agree."""
    from .models import RecordStatus, Resident

    number = kind.value(values, "id_number", files.document_number, required=False)
    record = kind.value(values, "record_number", required=False)
    resident = None
    if number:
        resident = find_by_document(number)
        if resident is None:
            raise RowError("id_number", _("没有该证件号码的居民档案，请先导入居民档案。"))
    elif record:
        resident = (Resident.objects.filter(record_number=record).exclude(status=RecordStatus.MERGED)
                    .select_related("area").first())
        if resident is None:
            raise RowError("record_number", _("没有该健康档案编号。"))
    else:
        raise RowError("id_number", _("请填写证件号码或健康档案编号。"))
    name = kind.value(values, "name", required=False)
    if name and name != resident.name:
        raise RowError("name", _("姓名与该证件号码的档案（%(name)s）不一致。") % {"name": resident.name})
    return resident


def _institution_of_row(kind: ImportKind, values: dict[str, Any], ctx: Context):
    from yigongti.org.models import Institution

    code = kind.value(values, "institution", required=False)
    if not code or code == ctx.institution.code:
        return ctx.institution
    cache = ctx.cache.setdefault("institutions", {})
    if code not in cache:
        cache[code] = Institution.objects.filter(code=code).first()
    if cache[code] is None:
        raise RowError("institution", _("没有该机构编码。"))
    return cache[code]


PERSON_COLUMNS = [
    Column("id_number", "证件号码", ("身份证号码", "身份证号", "公民身份号码", "证件号"),
           note=_("居民的身份证号码（与健康档案编号二选一）；请把本列设为“文本”格式"), example="36019919480302002X"),
    Column("record_number", "健康档案编号", ("档案编号", "档案号"), note=_("17位健康档案编号（没有证件号码时填写）"),
           example=""),
    Column("name", "姓名", ("居民姓名", "患者姓名"), note=_("填写时须与档案一致，用于核对"), example="罗某英"),
]


def _numbers(kind: ImportKind, values: dict[str, Any], keys: Iterable[str], convert=files.decimal) -> dict:
    found = {}
    for key in keys:
        value = kind.value(values, key, convert)
        if value is not None:
            found[key] = value
    return found


class ExamsKind(ImportKind):
    name = "exams"
    label = _("健康体检")
    columns = [
        *PERSON_COLUMNS,
        Column("exam_date", "体检日期", ("检查日期",), required=True, kind="date", note=_("如 2026-04-12"),
               example="2026-04-12"),
        Column("external_id", "体检编号", ("体检单号", "外部编号"), note=_("体检系统的编号；有编号时按编号识别重复"),
               example="TJ20260412001"),
        Column("institution", "体检机构编码", ("机构编码",), note=_("不填则为上传时选择的机构"), example=""),
        Column("systolic_left", "收缩压(左)", ("左侧收缩压", "收缩压"), kind="int", note="mmHg", example="138"),
        Column("diastolic_left", "舒张压(左)", ("左侧舒张压", "舒张压"), kind="int", note="mmHg", example="86"),
        Column("systolic_right", "收缩压(右)", ("右侧收缩压",), kind="int", note="mmHg", example=""),
        Column("diastolic_right", "舒张压(右)", ("右侧舒张压",), kind="int", note="mmHg", example=""),
        Column("temperature", "体温", ("体温(℃)",), kind="decimal", note="℃", example="36.5"),
        Column("pulse", "脉率", ("脉搏", "脉率(次/分)"), kind="int", note=_("次/分"), example="72"),
        Column("respiration", "呼吸频率", ("呼吸",), kind="int", note=_("次/分"), example="18"),
        Column("height", "身高", ("身高(cm)",), kind="decimal", note="cm", example="152.0"),
        Column("weight", "体重", ("体重(kg)",), kind="decimal", note="kg", example="55.5"),
        Column("waist", "腰围", ("腰围(cm)",), kind="decimal", note="cm", example="82.0"),
        Column("fasting_glucose", "空腹血糖", ("空腹血糖(mmol/L)", "血糖"), kind="decimal", note="mmol/L", example="6.1"),
        Column("total_cholesterol", "总胆固醇", (), kind="decimal", note="mmol/L", example=""),
        Column("triglycerides", "甘油三酯", (), kind="decimal", note="mmol/L", example=""),
        Column("ldl", "低密度脂蛋白", ("低密度脂蛋白胆固醇",), kind="decimal", note="mmol/L", example=""),
        Column("hdl", "高密度脂蛋白", ("高密度脂蛋白胆固醇",), kind="decimal", note="mmol/L", example=""),
        Column("ecg_summary", "心电图", (), note=_("结论"), example=""),
        Column("ultrasound_summary", "腹部B超", ("B超",), note=_("结论"), example=""),
        Column("assessment", "健康评价", (), note="", example=""),
        Column("advice", "健康指导", (), note="", example=""),
    ]
    INTS = ("systolic_left", "diastolic_left", "systolic_right", "diastolic_right", "pulse", "respiration")
    DECIMALS = ("temperature", "height", "weight", "waist", "fasting_glucose", "total_cholesterol",
                "triglycerides", "ldl", "hdl")

    def row(self, values: dict[str, Any], ctx: Context) -> str:
        from . import actions
        from .models import HealthExam

        resident = resident_of_row(self, values, ctx)
        institution = _institution_of_row(self, values, ctx)
        exam_date = self.value(values, "exam_date", files.date)
        external_id = self.value(values, "external_id")[:64]
        same = HealthExam.objects.filter(institution=institution)
        same = same.filter(external_id=external_id) if external_id else same.filter(resident=resident,
                                                                                    exam_date=exam_date)
        if same.exists():
            return "unchanged"  # people.actions has no update of an exam: the first import stands
        fields = {"exam_date": exam_date, **_numbers(self, values, self.INTS, files.integer),
                  **_numbers(self, values, self.DECIMALS)}
        for key in ("ecg_summary", "ultrasound_summary", "assessment", "advice"):
            text = self.value(values, key)
            if text:
                fields[key] = text[:200] if key.endswith("summary") else text
        if external_id:
            fields["external_id"] = external_id
        actions.record_exam(ctx.actor, institution=institution, resident=resident, **fields)
        return "created"


class EncountersKind(ImportKind):
    name = "encounters"
    label = _("就诊记录（HIS）")
    columns = [
        Column("external_id", "就诊流水号", ("就诊编号", "门诊号", "住院号", "流水号", "外部编号"), required=True,
               note=_("HIS中本次就诊的唯一编号；同一编号再次导入时更新或跳过，不会重复"), example="MZ2026031800123"),
        *PERSON_COLUMNS,
        Column("institution", "机构编码", (), note=_("不填则为上传时选择的机构"), example=""),
        Column("department", "科室", ("科室编码", "科室名称", "就诊科室"), note=_("本机构的科室编码或名称"), example="NK"),
        Column("kind", "就诊类型", ("类型",), required=True, note=_("门诊、住院、急诊"), example="门诊"),
        Column("visit_date", "就诊日期", ("入院日期", "就诊/入院日期"), required=True, kind="date",
               note=_("住院填入院日期"), example="2026-03-18"),
        Column("discharge_date", "出院日期", (), kind="date", note=_("仅住院；未出院留空"), example=""),
        Column("primary_diagnosis", "主要诊断编码", ("主要诊断", "诊断编码", "icd-10", "icd10"), required=True,
               note=_("ICD-10（国家临床版2.0）编码，须在疾病分类目录中"), example="I10.x00"),
        Column("total_cost", "总费用", ("医疗总费用", "费用合计"), required=True, kind="decimal", note=_("元"),
               example="286.50"),
        Column("drug_cost", "药品费", ("药费",), kind="decimal", note=_("元"), example="120.30"),
        Column("consumables_cost", "耗材费", ("卫生材料费",), kind="decimal", note=_("元"), example="12.00"),
        Column("medical_service_income", "医疗服务性收入", ("医疗服务收入",), kind="decimal",
               note=_("元（不含药品、耗材、检查化验）"), example="80.00"),
        Column("insurance_paid", "医保支付", ("统筹支付", "医保统筹支付", "基金支付"), kind="decimal", note=_("元"),
               example="150.00"),
        Column("is_tcm", "中医", ("是否中医", "中医诊疗"), kind="bool", note=_("是 或 否（不填按科室）"), example="否"),
        Column("systolic", "收缩压", (), kind="int", note="mmHg", example=""),
        Column("diastolic", "舒张压", (), kind="int", note="mmHg", example=""),
        Column("fasting_glucose", "空腹血糖", ("血糖",), kind="decimal", note="mmol/L", example=""),
    ]

    def department(self, raw: str, institution, ctx: Context):
        from yigongti.org.models import Department

        if not raw:
            return None
        key = (institution.pk, raw)
        cache = ctx.cache.setdefault("departments", {})
        if key not in cache:
            cache[key] = (Department.objects.filter(institution=institution, code=raw).first()
                          or Department.objects.filter(institution=institution, name=raw).first())
        if cache[key] is None:
            raise RowError("department", _("该机构没有这个科室。"))
        return cache[key]

    def row(self, values: dict[str, Any], ctx: Context) -> str:
        from . import actions

        resident = resident_of_row(self, values, ctx)
        institution = _institution_of_row(self, values, ctx)
        kind = self.value(values, "kind", choice(KIND_WORDS, _("就诊类型请填写门诊、住院或急诊。")))
        fields: dict[str, Any] = {
            "kind": kind,
            "visit_date": self.value(values, "visit_date", files.date),
            "discharge_date": self.value(values, "discharge_date", files.date),
            "primary_diagnosis": self.value(values, "primary_diagnosis"),
            "department": self.department(self.value(values, "department"), institution, ctx),
            **_numbers(self, values, ("total_cost", "drug_cost", "consumables_cost", "medical_service_income",
                                      "insurance_paid", "fasting_glucose")),
            **_numbers(self, values, ("systolic", "diastolic"), files.integer),
        }
        tcm = self.value(values, "is_tcm", yes_no)
        if tcm is not None:
            fields["is_tcm"] = tcm
        _enc, status = actions.ingest_encounter(ctx.actor, institution=institution,
                                                external_id=self.value(values, "external_id")[:64],
                                                resident=resident, **fields)
        return status


register(ResidentsKind())
register(ExamsKind())
register(EncountersKind())
