"""The documented error answers every router shares (`{"detail": ...}` with a 4xx status), and the one shape of
every 422: `{"detail": [{"code", "field", "message"}, …]}`, whether a rule or the request's types refused it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel


class ErrorOut(BaseModel):
    detail: Any


class Problem(BaseModel):
    code: str  # stable, for programs: `filing.credit_code`, `request.missing`
    field: str  # where: `occupations[0].levels[1]`, a query parameter's name, `body`
    message: str  # for people: Chinese / English


class ProblemsOut(BaseModel):
    detail: list[Problem]


def _doc(text: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": text}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _doc("the body is not parseable (not JSON, wrong encoding)"),
    401: _doc("missing or invalid bearer token"),
    403: _doc("your role may not do this"),
    404: _doc("unknown, or not yours to see"),
    409: _doc("conflicts with the case's state (e.g. decided already, plan too late, key reused)"),
    413: _doc("the request body is larger than the limit (CERTFLOW_MAX_BODY_BYTES)"),
    422: {"model": ProblemsOut, "description": "invalid input: every problem as {code, field, message} (the "
                                               "first 50, and how many more)"},
}
PUBLIC_ERRORS = {404: _doc("no such certificate"), 422: ERRORS[422], 429: _doc("too many requests; see Retry-After")}


# The Chinese half of a request-validation message, by pydantic's error type (the English half is pydantic's)
REQUEST_PROBLEMS = {
    "missing": "必填", "extra_forbidden": "不接受此字段", "json_invalid": "不是有效的 JSON",
    "string_type": "应为文本", "string_too_short": "太短", "string_too_long": "太长", "too_short": "太少",
    "too_long": "太多", "string_pattern_mismatch": "格式不正确", "int_parsing": "应为整数", "int_type": "应为整数",
    "int_from_float": "应为整数", "float_parsing": "应为数字", "float_type": "应为数字", "bool_parsing": "应为是或否",
    "bool_type": "应为是或否", "literal_error": "不是允许的取值", "enum": "不是允许的取值",
    "date_parsing": "日期格式不正确（YYYY-MM-DD）", "date_from_datetime_parsing": "日期格式不正确（YYYY-MM-DD）",
    "date_type": "日期格式不正确（YYYY-MM-DD）", "datetime_parsing": "时间格式不正确（ISO 8601）",
    "datetime_from_date_parsing": "时间格式不正确（ISO 8601）", "datetime_type": "时间格式不正确（ISO 8601）",
    "greater_than": "超出范围", "greater_than_equal": "超出范围", "less_than": "超出范围",
    "less_than_equal": "超出范围",
    "list_type": "应为列表", "dict_type": "应为对象", "model_attributes_type": "应为对象", "model_type": "应为对象",
    "value_error": "取值不正确", "uuid_parsing": "格式不正确", "url_parsing": "不是有效的网址",
}


def in_chinese(message: str) -> str:
    """The Chinese half of a bilingual message ("中文 / English"): pages for people speak Chinese only."""
    return message.split(" / ")[0]


def field_of(location: Sequence[Any]) -> str:
    """A problem's field as the API names fields everywhere (`occupations[0].levels[1]`): the body's fields
    without the `body` prefix, a query, path or header parameter by its name."""
    parts = list(location)
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    field = ""
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return field or "body"


def request_problem(error: Mapping[str, Any]) -> dict[str, str]:
    """One of FastAPI's request-validation errors in the one shape every 422 has: {code, field, message}."""
    kind = str(error.get("type") or "invalid")
    english = str(error.get("msg") or "invalid")[:300]
    return {"code": f"request.{kind}", "field": field_of(error.get("loc") or ()),
            "message": f"{REQUEST_PROBLEMS.get(kind, '不正确')} / {english}"}


def invalid(field: str, message: str, code: str = "request.invalid") -> HTTPException:
    """A 422 raised by a route or dependency, in the same shape."""
    return HTTPException(422, [{"code": code, "field": field, "message": message}])
