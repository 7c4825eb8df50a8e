"""The sheet rules without a database: the template's example row is itself a valid roster, problems
are marked where they are, and workbooks are parsed with entity expansion off (defusedxml)."""

import io

import openpyxl.xml
from openpyxl import load_workbook

from tasks.adapters import spreadsheets
from tasks.adapters.spreadsheets import RowProblem


def test_the_roster_templates_example_row_is_a_valid_roster():
    _, [(row, candidate)] = spreadsheets.parse_roster(spreadsheets.roster_template())
    assert row == 2 and candidate.relation == "employee" and candidate.level == 4


def test_a_marked_workbook_fills_the_bad_cell_and_lists_the_rows_problems():
    sheet = spreadsheets.read_rows(spreadsheets.roster_template())
    marked = load_workbook(io.BytesIO(spreadsheets.marked(sheet, [RowProblem(2, "人员类别", "未知类别"),
                                                                  RowProblem(0, "", "考核日期晚于计划")])))
    sheet = marked.active
    problems_column = sheet.max_column
    assert sheet.cell(row=1, column=problems_column).value.startswith("问题")
    assert sheet.cell(row=2, column=problems_column).value == "人员类别：未知类别"
    assert sheet.cell(row=2, column=3).comment.text == "未知类别"


def test_uploaded_workbooks_are_parsed_without_entity_expansion():
    assert openpyxl.xml.DEFUSEDXML  # openpyxl uses defusedxml when it is installed (a pinned dependency)


def test_a_service_violation_points_at_the_sheet_row_it_came_from():
    from policy.eligibility import Violation

    found = spreadsheets.rows_of([Violation("x", "candidates[1].id_number", "重复"), Violation("y", "site", "场地")],
                                 spreadsheets.ROSTER, [2, 5])
    assert [p.as_dict() for p in found] == [{"row": 0, "column": "", "problem": "场地"},
                                            {"row": 5, "column": "身份证号", "problem": "重复"}]
