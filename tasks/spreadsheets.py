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
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from models.schemas import CandidateIn, ScoreIn
from policy.eligibility import Violation
from policy.identity import resident_id_check_char, resident_id_problems

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000  # a plan's candidates (PlanCreate.candidates)

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

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


# -- writing ---------------------------------------------------------------------------------------


Tab = tuple[str, list[str], Iterable[Iterable[Any]]]  # title, headers, rows


def workbook(title: str, headers: list[str], rows: Iterable[Iterable[Any]], notes: list[str] | None = None) -> bytes:
    return workbook_of([(title, headers, rows)], notes=notes)


def workbook_of(tabs: list[Tab], notes: list[str] | None = None) -> bytes:
    """One sheet per tab, headers bold and frozen; `notes` comment the first sheet's headers."""
    book = Workbook(write_only=False)
    for number, (title, headers, rows) in enumerate(tabs):
        sheet = book.active if number == 0 else book.create_sheet()
        sheet.title = title[:31]
        sheet.append(headers)
        for cell, note in zip(sheet[1], (notes or []) if number == 0 else [], strict=False):
            if note:
                cell.comment = Comment(note, "certflow")
        for cell in sheet[1]:
            cell.font = _HEADER_FONT
            sheet.column_dimensions[cell.column_letter].width = max(10, min(40, 2 * len(str(cell.value)) + 4))
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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


def _sheet_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        problem = RowProblem(0, "", f"不是可读取的 .xlsx 文件 / not a readable .xlsx workbook ({exc})")
        raise SheetProblems([problem]) from None
    try:
        rows = [
            (number, list(values)) for number, values in enumerate(book.active.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    return [(n, r) for n, r in rows if any(v not in (None, "") for v in r)]


def _read(content: bytes, columns: list[Column]) -> list[tuple[int, dict[str, Any]]]:
    """The data rows as {field: cell}, after checking the header row names every column."""
    rows = _sheet_rows(content)
    if not rows:
        raise SheetProblems([RowProblem(1, "", "表格为空 / the sheet is empty")])
    header_row, headers = rows[0]
    headers = [str(h).strip() if h is not None else "" for h in headers]
    position = {h: i for i, h in enumerate(headers) if h and not h.startswith(PROBLEMS_HEADER)}
    wanted = {c.header for c in columns}
    missing = [c.header for c in columns if c.header not in position]
    unknown = [h for h in position if h not in wanted]
    if missing or unknown:
        raise SheetProblems(
            [RowProblem(header_row, h, "缺少此列 / column missing") for h in missing]
            + [RowProblem(header_row, h, "未知的列 / unknown column") for h in unknown]
        )
    data = rows[1:]
    if len(data) > MAX_ROWS:
        raise SheetProblems([RowProblem(data[MAX_ROWS][0], "", f"最多 {MAX_ROWS} 行 / at most {MAX_ROWS} rows")])
    return [
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


def parse_roster(content: bytes) -> list[tuple[int, CandidateIn]]:
    """The roster's candidates with their row numbers, each checked as CandidateIn; every bad row
    reported, none taken."""
    headers = {c.field: c.header for c in ROSTER}
    candidates, problems = [], []
    for number, raw in _read(content, ROSTER):
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
        raise SheetProblems(problems)
    return candidates


def parse_results(content: bytes, candidate_ids: dict[str, int]) -> list[tuple[int, ScoreIn]]:
    """Scores by ID number (the sheet names people, the API candidate ids): unknown people reported by row."""
    headers = {c.field: c.header for c in RESULTS}
    scores, problems = [], []
    for number, raw in _read(content, RESULTS):
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
        raise SheetProblems(problems)
    return scores


def rows_of(violations: list[Violation], columns: list[Column], row_numbers: list[int]) -> list[RowProblem]:
    """A service's violations (candidates[3].id_number) as the sheet rows they came from; the plan's
    own (not a row's) as row 0."""
    headers = {c.field: c.header for c in columns}
    found = []
    for v in violations:
        match = _FIELD.match(v.field)
        index = int(match.group(1)) if match else -1
        if 0 <= index < len(row_numbers):
            found.append(RowProblem(row_numbers[index], headers.get(match.group(2) or "", ""), v.message))
        else:
            found.append(RowProblem(0, "", v.message))
    return sorted(found, key=lambda p: p.row)


def marked(content: bytes, problems: list[RowProblem]) -> bytes:
    """The uploaded workbook returned with each problem marked: the cell filled red with a comment, and
    a 问题 column listing the row's problems (the header row's problems there too)."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    headers = {str(c.value).strip(): c.column for c in sheet[1] if c.value is not None}
    problems_column = next(
        (column for header, column in headers.items() if header.startswith(PROBLEMS_HEADER)), sheet.max_column + 1
    )  # a marked sheet handed in again is marked afresh
    sheet.cell(row=1, column=problems_column, value=PROBLEMS_HEADER).font = _HEADER_FONT
    by_row: dict[int, list[str]] = {}
    for p in problems:
        row = max(p.row, 1)
        by_row.setdefault(row, []).append(f"{p.column + '：' if p.column else ''}{p.problem}")
        if p.column in headers:
            cell = sheet.cell(row=row, column=headers[p.column])
            cell.fill = _BAD
            cell.comment = Comment(p.problem, "certflow")
    for row, texts in by_row.items():
        text = f"{PROBLEMS_HEADER}（{'；'.join(texts)}）" if row == 1 else "；".join(texts)  # the header stays a header
        cell = sheet.cell(row=row, column=problems_column, value=text)
        cell.fill = _BAD
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
