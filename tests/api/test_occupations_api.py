"""The occupation catalogue an enterprise files against: found by part of the name or the start of the code,
filtered by a level one may file, every entry once across keyset pages, and bad parameters named."""

from __future__ import annotations

from sqlmodel import select

from models.catalogue import OccupationRecord
from tests.api.conftest import db


def _all_pages(api, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        answer = api.get("/api/v1/occupations", params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return items


def test_an_occupation_is_found_by_name_or_code_with_what_one_may_file(api):
    [turner] = api.get("/api/v1/occupations", params={"q": "车工"}).json()["items"]
    assert turner == {"code": "6-18-01-01", "name": "车工", "access_type": False, "kind_label": "水平评价类",
                      "skill_type": True, "self_evaluable": True, "levels": [5, 4, 3, 2, 1],
                      "level_labels": ["五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"]}
    [driver] = api.get("/api/v1/occupations", params={"q": "4-02-01"}).json()["items"]
    assert (driver["name"], driver["kind_label"], driver["self_evaluable"]) == ("轨道列车司机", "准入类", False)
    by_prefix = api.get("/api/v1/occupations", params={"q": "6-18"}).json()["items"]
    assert by_prefix and all(o["code"].startswith("6-18") for o in by_prefix)
    assert api.get("/api/v1/occupations", params={"q": "%"}).json()["items"] == []  # a wildcard is a character


def test_every_occupation_comes_once_in_code_order_across_pages(api):
    with db(api) as session:
        session.add(OccupationRecord(code="9-99-99-99", name="示例管理类职业", access_type=False, skill_type=False))
        total = len(session.exec(select(OccupationRecord)).all())
    paged = _all_pages(api, limit=7)
    assert len(paged) == total and [o["code"] for o in paged] == sorted(o["code"] for o in paged)
    at_level_three = _all_pages(api, level=3, limit=50)
    assert "9-99-99-99" not in {o["code"] for o in at_level_three} and len(at_level_three) == total - 1
    [managerial] = api.get("/api/v1/occupations", params={"q": "示例管理类"}).json()["items"]
    assert (managerial["levels"], managerial["self_evaluable"]) == ([], False)


def test_bad_parameters_are_named(api):
    for params, field in (({"level": 9}, "level"), ({"cursor": "abc"}, "cursor"), ({"limit": 0}, "limit"),
                          ({"q": "x" * 51}, "q")):
        answer = api.get("/api/v1/occupations", params=params)
        assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == field, params
