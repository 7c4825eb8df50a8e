"""Rosters and results as .xlsx (花名册, 成绩表): the templates, imports that are all-or-nothing with
every bad row reported (row, column, problem) — as JSON and as the same workbook with the problems
marked — and the officers' exports. openpyxl reads and writes; the rules stay in models.schemas and
the services, so a row from a sheet is checked exactly as the same row sent as JSON."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from models.schemas import CandidateIn, ScoreIn
from policy.eligibility import Violation
from policy.identity import resident_id_check_char, resident_id_problems

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000  # a plan's candidates (PlanCreate.candidates)
# Bounds on reading an upload, whatever it claims (a 7 KB workbook can declare 16,384 columns by a million rows):
READ_ROWS = 2 * MAX_ROWS + 1  # sheet rows read, blank ones included; a sheet with a row past it is refused
READ_COLUMNS = 64  # columns read of each row (the templates have 14 and 5)
MAX_ENTRIES = 200  # parts in the ZIP (an exported workbook has about 10)
MAX_INFLATED_BYTES = 40_000_000  # all parts inflated (a 5,000-row roster: about 1.7 MB)
MAX_RATIO = 100  # an inflated part over its compressed size (a roster: about 11)

RELATIONS = {
    "本企业职工": "employee",
    "劳务派遣": "dispatched",
    "劳务外包": "outsourced",
    "合作院校学生": "partner_student",
    "关联企业在职职工": "affiliated",
    "委托单位人员": "mandated",
}
DIPLOMAS = {
    "中职": "secondary_vocational",
    "技工院校": "technical_college",
    "高职": "higher_vocational",
    "本科": "bachelor",
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    note: str = ""
    choices: dict[str, str] | None = None  # Chinese label → value (the value itself is accepted too)
    whole_number: bool = False


ROSTER = [
    Column("name", "姓名"),
    Column("id_number", "身份证号", "18 位居民身份证号"),
    Column("relation", "人员类别", "、".join(RELATIONS), RELATIONS),
    Column("level", "申报等级", "1–5 或 三级/高级工"),
    Column("months_with_enterprise", "在本企业工作月数", "劳务派遣、劳务外包人员填写", whole_number=True),
    Column("affiliate_name", "关联企业名称"),
    Column("mandating_enterprise", "委托单位名称"),
    Column("social_insurance_region", "社保参保地代码", "6 位行政区划代码"),
    Column("workplace_region", "就业地代码", "6 位行政区划代码"),
    Column("years_in_occupation", "从事本职业年限", whole_number=True),
    Column("held_level", "已取得等级", "1–5", whole_number=True),
    Column("held_level_years", "取证后从事本职业年限", whole_number=True),
    Column("diploma", "学历", "、".join(DIPLOMAS), DIPLOMAS),
    Column("enterprise_title", "企业岗位等级"),
]
RESULTS = [
    Column("name", "姓名"),
    Column("id_number", "身份证号"),
    Column("theory", "理论知识"),
    Column("practical", "操作技能"),
    Column("performance", "业绩评审"),
]
PROBLEMS_HEADER = "问题"
EXAMPLE_ID = "44010619900101123" + resident_id_check_char("44010619900101123")
_BAD = PatternFill("solid", fgColor="FFC7CE")
_HEADER_FONT = Font(bold=True)
_FIELD = re.compile(r"^(?:candidates|scores)\[(\d+)\](?:\.(\w+))?")


@dataclass(frozen=True)
class RowProblem:
    row: int  # the sheet's row number (the header is row 1; 0: the plan itself, not a row)
    column: str  # the header, or "" for the row as a whole
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "problem": self.problem}


class SheetProblems(ValueError):
    """The sheet cannot be taken: every problem, by row (HTTP 422; nothing was written)."""

    def __init__(self, problems: list[RowProblem], sheet: SheetRows | None = None) -> None:
        self.problems = problems
        self.sheet = sheet  # the rows read, to hand back marked; None when the workbook could not be read
        super().__init__(f"{len(problems)} problems")


# -- writing ---------------------------------------------------------------------------------------


Tab = tuple[str, list[str], Iterable[Iterable[Any]]]  # title, headers, rows


def workbook(title: str, headers: list[str], rows: Iterable[Iterable[Any]], notes: list[str] | None = None) -> bytes:
    return workbook_of([(title, headers, rows)], notes=notes)


def _new_sheet(book: Workbook, number: int) -> Worksheet:
    """The workbook's first sheet for tab 0, a new one after it (openpyxl types `active` as optional)."""
    sheet = book.active if number == 0 else book.create_sheet()
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook starts with one worksheet")
    return sheet


def workbook_of(tabs: list[Tab], notes: list[str] | None = None) -> bytes:
    """One sheet per tab, headers bold and frozen; `notes` comment the first sheet's headers."""
    book = Workbook(write_only=False)
    for number, (title, headers, rows) in enumerate(tabs):
        sheet = _new_sheet(book, number)
        sheet.title = title[:31]
        for column, header in enumerate(headers, start=1):
            _put(sheet.cell(row=1, column=column), header)
        for cell, note in zip(sheet[1], (notes or []) if number == 0 else [], strict=False):
            if note:
                cell.comment = Comment(note, "certflow")
        for column, cell in enumerate(sheet[1], start=1):
            cell.font = _HEADER_FONT
            sheet.column_dimensions[get_column_letter(column)].width = max(10, min(40, 2 * len(str(cell.value)) + 4))
        for number, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    _put(sheet.cell(row=number, column=column), value)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(cell: Any, value: Any) -> None:
    """A value into a cell as what it is: text stays text even when it starts with "=" (openpyxl would
    write it as a formula, which Excel runs: =HYPERLINK(…) in a candidate's name is a live link)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def roster_template() -> bytes:
    example = ["张三", EXAMPLE_ID, "本企业职工", 4, None, "", "", "440106", "440106", 6, None, None, "", ""]
    return workbook("花名册", [c.header for c in ROSTER], [example], [c.note for c in ROSTER])


def results_template(candidates: list[dict[str, Any]]) -> bytes:
    """The plan's own candidates, ready for their scores."""
    return workbook(
        "成绩表",
        [c.header for c in RESULTS],
        ([c["name"], c["id_number"], None, None, None] for c in candidates),
        ["", "", "0–100", "0–100", "0–100，适用时填写"],
    )


# -- reading ---------------------------------------------------------------------------------------


def _refused_as_archive(content: bytes) -> str | None:
    """Why the upload cannot be opened safely, judged from the ZIP's own directory before openpyxl
    inflates anything: too many entries, too many bytes once inflated, or an entry inflating far past
    its compressed size (a ZIP bomb). A member is never inflated past the size its directory declares
    (zipfile stops there and fails the CRC), so the declared sizes bound the memory."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return f"不是可读取的 .xlsx 文件 / not a readable .xlsx workbook ({exc})"
    if len(entries) > MAX_ENTRIES:
        return f"工作簿含 {len(entries)} 个部件，超过 {MAX_ENTRIES} / the workbook has more than {MAX_ENTRIES} parts"
    inflated = sum(entry.file_size for entry in entries)
    if inflated > MAX_INFLATED_BYTES:
        return (f"工作簿解压后 {inflated // 1_000_000} MB，超过 {MAX_INFLATED_BYTES // 1_000_000} MB / the workbook "
                f"inflates to more than {MAX_INFLATED_BYTES // 1_000_000} MB")
    for entry in entries:
        if entry.file_size > 1_000_000 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            return (f"工作簿部件 {entry.filename} 的压缩比异常（超过 {MAX_RATIO} 倍） / part {entry.filename} inflates "
                    f"more than {MAX_RATIO} times its size")
    return None


@dataclass(frozen=True)
class SheetRows:
    """What was read of the first sheet: its non-empty rows by sheet row number (at most
    MAX_ROWS + 1 data rows and READ_COLUMNS columns), so a refusal can hand them back marked."""

    rows: list[tuple[int, list[Any]]]


def read_rows(content: bytes, *, data_rows: int = MAX_ROWS) -> SheetRows:
    """The first sheet's non-empty rows, read within bounds: never past row READ_ROWS nor column
    READ_COLUMNS (whatever the sheet's <dimension> claims), and no more than `data_rows` rows after the
    first; a sheet that goes further is refused without reading the rest."""
    refusal = _refused_as_archive(content)
    if refusal:
        raise SheetProblems([RowProblem(0, "", refusal)])
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    # AttributeError: openpyxl 3.1 fails so on a chart sheet without its relationships part
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, AttributeError) as exc:
        problem = RowProblem(0, "", f"不是可读取的 .xlsx 文件 / not a readable .xlsx workbook ({exc})")
        raise SheetProblems([problem]) from None
    rows: list[tuple[int, list[Any]]] = []
    too_many = f"最多 {data_rows} 行 / at most {data_rows} rows"
    try:
        first = book.active
        if not isinstance(first, ReadOnlyWorksheet | Worksheet):  # a chart sheet, or no sheet at all
            not_a_table = "第一个工作表不是数据表 / the workbook's first sheet holds no table"
            raise SheetProblems([RowProblem(0, "", not_a_table)])
        values = first.iter_rows(max_row=READ_ROWS + 1, max_col=READ_COLUMNS, values_only=True)
        for number, row in enumerate(values, start=1):
            if number > READ_ROWS:  # openpyxl yields this row only when the sheet holds a row past READ_ROWS
                raise SheetProblems([RowProblem(number, "", f"{too_many}（表格超过 {READ_ROWS} 行）")])
            if any(v not in (None, "") for v in row):
                rows.append((number, list(row)))
                if len(rows) > data_rows + 1:  # the header and one row too many: enough to say so
                    raise SheetProblems([RowProblem(number, "", too_many)], SheetRows(rows))
    except (ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile, OSError) as exc:
        if isinstance(exc, SheetProblems):
            raise
        problem = RowProblem(0, "", f"不是可读取的 .xlsx 文件 / not a readable .xlsx workbook ({exc})")
        raise SheetProblems([problem]) from None
    finally:
        book.close()
    return SheetRows(rows)


def _read(content: bytes, columns: list[Column]) -> tuple[SheetRows, list[tuple[int, dict[str, Any]]]]:
    """The data rows as {field: cell}, after checking the header row names every column."""
    sheet = read_rows(content)
    if not sheet.rows:
        raise SheetProblems([RowProblem(1, "", "表格为空 / the sheet is empty")])
    header_row, headers = sheet.rows[0]
    headers = [str(h).strip() if h is not None else "" for h in headers]
    position = {h: i for i, h in enumerate(headers) if h and not h.startswith(PROBLEMS_HEADER)}
    wanted = {c.header for c in columns}
    missing = [c.header for c in columns if c.header not in position]
    unknown = [h for h in position if h not in wanted]
    if missing or unknown:
        raise SheetProblems(
            [RowProblem(header_row, h, "缺少此列 / column missing") for h in missing]
            + [RowProblem(header_row, h, "未知的列 / unknown column") for h in unknown],
            sheet,
        )
    data = sheet.rows[1:]
    if not data:
        raise SheetProblems([RowProblem(header_row + 1, "", "表格只有表头，没有数据行 / the sheet has its header row "
                                                            "only, no data rows")], sheet)
    return sheet, [
        (number, {c.field: values[position[c.header]] if position[c.header] < len(values) else None for c in columns})
        for number, values in data
    ]


def _cell(column: Column, value: Any) -> Any:  # a cell
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps every number as a float; an ID typed as a number keeps 15 digits only
    if isinstance(value, str):
        value = value.strip()
        if column.choices:
            value = column.choices.get(value, value)
        elif column.whole_number and value.isdigit():
            value = int(value)
    if column.field in ("id_number", "social_insurance_region", "workplace_region", "name") and not isinstance(
        value, str
    ):
        value = str(value)  # a number typed into a text column (身份证号 without a leading apostrophe)
    return value


def _pydantic_problems(number: int, error: ValidationError, headers: dict[str, str]) -> list[RowProblem]:
    return [RowProblem(number, headers.get(str(e["loc"][0]) if e["loc"] else "", ""), e["msg"]) for e in error.errors()]


def parse_roster(content: bytes) -> tuple[SheetRows, list[tuple[int, CandidateIn]]]:
    """The rows read and the roster's candidates with their row numbers, each checked as CandidateIn;
    every bad row reported, none taken."""
    headers = {c.field: c.header for c in ROSTER}
    candidates, problems = [], []
    sheet, rows = _read(content, ROSTER)
    for number, raw in rows:
        values = {c.field: _cell(c, raw[c.field]) for c in ROSTER}
        # the ID's own rules here too, so a sheet's every bad row shows in one answer (the plan's rules,
        # which need every row valid first, check it again against the evaluation date)
        id_problems = [
            RowProblem(number, headers["id_number"], p) for p in resident_id_problems(str(values["id_number"] or ""))
        ]
        problems.extend(id_problems)
        try:
            candidate = CandidateIn(**{k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            problems.extend(
                p
                for p in _pydantic_problems(number, exc, headers)
                if not (id_problems and p.column == headers["id_number"])
            )
            continue
        if not id_problems:
            candidates.append((number, candidate))
    if problems:
        raise SheetProblems(problems, sheet)
    return sheet, candidates


def parse_results(content: bytes, candidate_ids: dict[str, int]) -> tuple[SheetRows, list[tuple[int, ScoreIn]]]:
    """The rows read and their scores by ID number (the sheet names people, the API candidate ids):
    unknown people reported by row."""
    headers = {c.field: c.header for c in RESULTS}
    scores, problems = [], []
    sheet, rows = _read(content, RESULTS)
    for number, raw in rows:
        values = {c.field: _cell(c, raw[c.field]) for c in RESULTS}
        id_number = str(values.pop("id_number") or "").upper()
        values.pop("name")
        if id_number not in candidate_ids:
            problems.append(
                RowProblem(
                    number, "身份证号", f"{id_number or '（空）'} 不是本批次的考生 / not a candidate of this batch"
                )
            )
            continue
        try:
            scores.append((number, ScoreIn(candidate_id=candidate_ids[id_number], **values)))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(number, exc, headers))
    if problems:
        raise SheetProblems(problems, sheet)
    return sheet, scores


def rows_of(violations: list[Violation], columns: list[Column], row_numbers: list[int]) -> list[RowProblem]:
    """A service's violations (candidates[3].id_number) as the sheet rows they came from; the plan's
    own (not a row's) as row 0."""
    headers = {c.field: c.header for c in columns}
    found = []
    for v in violations:
        match = _FIELD.match(v.field)
        index = int(match.group(1)) if match else -1
        if match and 0 <= index < len(row_numbers):
            found.append(RowProblem(row_numbers[index], headers.get(match.group(2) or "", ""), v.message))
        else:
            found.append(RowProblem(0, "", v.message))
    return sorted(found, key=lambda p: p.row)


def marked(sheet: SheetRows, problems: list[RowProblem]) -> bytes:
    """The rows read from the upload, written back as a workbook with each problem marked: the cell
    filled red with a comment, and a 问题 column listing the row's problems (the header row's problems
    there too). Built from what was already read (bounded), never by opening the upload a second time;
    every value is written as the text or number it was, never as a formula."""
    book = Workbook()
    out_sheet = _new_sheet(book, 0)
    for number, values in sheet.rows:
        for column, value in enumerate(values, start=1):
            if value not in (None, ""):
                _put(out_sheet.cell(row=number, column=column), value)
    header_row = sheet.rows[0][0] if sheet.rows else 1
    headers = {str(c.value).strip(): column for column, c in enumerate(out_sheet[header_row], start=1)
               if c.value is not None}
    problems_column = next(
        (column for header, column in headers.items() if header.startswith(PROBLEMS_HEADER)),
        out_sheet.max_column + 1,
    )  # a marked sheet handed in again is marked afresh
    header = out_sheet.cell(row=header_row, column=problems_column, value=PROBLEMS_HEADER)
    header.font = _HEADER_FONT
    by_row: dict[int, list[str]] = {}
    for p in problems:
        row = max(p.row, header_row)
        by_row.setdefault(row, []).append(f"{p.column + '：' if p.column else ''}{p.problem}")
        if p.column in headers:
            cell = out_sheet.cell(row=row, column=headers[p.column])
            cell.fill = _BAD
            cell.comment = Comment(p.problem, "certflow")
    for row, texts in by_row.items():
        # the header stays a header
        text = f"{PROBLEMS_HEADER}（{'；'.join(texts)}）" if row == header_row else "；".join(texts)
        cell = out_sheet.cell(row=row, column=problems_column)
        _put(cell, text)
        cell.fill = _BAD
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
