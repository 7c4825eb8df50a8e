"""Every API route answers invalid input in one shape — `{"detail": [{"code", "field", "message"}]}` — whether
FastAPI's types or a rule of ours refused it, the public routes included: a test walks every operation of the
OpenAPI document with input of the wrong type, as every role, and reads each 422."""

from __future__ import annotations

import re

import pytest

ROLES = ("enterprise", "officer", "expert", "supervisor", "operations", "admin")


def _malformed(operation: dict, path: str) -> tuple[str, dict, dict, bool]:
    """The path with every integer parameter spelled as a word, the query with every integer parameter so too,
    a JSON body that is a list where an object is expected — and whether any of them is wrong."""
    query, params, wrong = {}, operation.get("parameters", []), False
    for param in params:
        schema = param.get("schema", {})
        types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", "x" if "integer" in types else "Y000044000001264000001")
            wrong = wrong or "integer" in types
        elif param["in"] == "query" and "integer" in types:
            query[param["name"]], wrong = "x", True
    body = {}
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        body, wrong = {"json": [1]}, True
    return path, query, body, wrong


def test_every_api_route_answers_wrong_types_in_the_one_error_shape(api, people):
    document = api.get("/openapi.json").json()
    headers = [{}] + [people.make(role, **({"jurisdiction": "440000"} if role == "officer" else {}))
                      for role in ROLES]
    checked, unreached = 0, []
    for path, methods in document["paths"].items():
        if not path.startswith("/api/"):
            continue  # pages answer a person with a page
        for method, operation in methods.items():
            target, query, body, wrong = _malformed(operation, path)
            if not wrong:
                continue  # nothing of a wrong type to send
            if path == "/api/v1/admin/clock" and method == "post":
                body = {"json": {"advance_days": "x"}}
            answers = [api.request(method.upper(), target, params=query, headers=h, **body) for h in headers]
            invalid = [a for a in answers if a.status_code == 422]
            if not invalid:
                unreached.append(f"{method.upper()} {path}: {sorted({a.status_code for a in answers})}")
            for answer in invalid:
                problems = answer.json()["detail"]
                assert isinstance(problems, list) and problems, (method, path, answer.text)
                for problem in problems:
                    assert set(problem) == {"code", "field", "message"}, (method, path, problem)
                    assert re.fullmatch(r"[a-z_]+\.[a-z_.]+", problem["code"]), (method, path, problem)
                    assert " / " in problem["message"] and problem["field"], (method, path, problem)
                checked += 1
    assert unreached == []
    assert checked > 100


@pytest.mark.parametrize(("request_args", "field", "code"), [
    (("POST", "/api/v1/complaints", {"json": {"text": 5}}), "text", "request.string_type"),
    (("POST", "/api/v1/public/objections", {"json": {"case_type": "filing"}}), "case_id", "request.missing"),
    (("GET", "/api/v1/public/institutions", {"params": {"cursor": "@@"}}), "cursor", "request.cursor"),
    (("GET", "/api/v1/public/institutions", {"params": {"limit": 0}}), "limit", "request.greater_than_equal"),
])
def test_the_public_routes_name_the_field_in_the_same_shape(api, request_args, field, code):
    method, path, kwargs = request_args
    answer = api.request(method, path, **kwargs)
    assert answer.status_code == 422
    assert {(p["field"], p["code"]) for p in answer.json()["detail"]} >= {(field, code)}
