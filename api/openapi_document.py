"""The OpenAPI document as clients, generators and the explorer read it: FastAPI's, with files typed as
binary, the one 422 shape of every route, and an example for every request body (JSON bodies carry theirs in
models/schemas.py; form and multipart bodies get theirs here)."""

from __future__ import annotations

from typing import Any

from api.errors import Problem
from api.routes.sheets import PLAN_FIELDS

BINARY = {"type": "string", "format": "binary"}


def with_one_problem_shape(document: dict) -> dict:
    """FastAPI documents a route's request-validation 422 as its own `{loc, msg, type}` items; ours are
    `{code, field, message}` (api.errors.request_problem), so the document says so for every route."""
    schemas = document.get("components", {}).get("schemas", {})
    if "ValidationError" in schemas:
        schemas["ValidationError"] = {**Problem.model_json_schema(), "title": "ValidationError"}
    return document


def with_binary_formats(document: dict) -> dict:
    """Files as generators expect them: an upload field (3.1's contentMediaType) also says
    `format: binary`, and a PDF or workbook answer has a binary schema, so a generated client
    sends a file and hands back bytes instead of dropping the operation's answer."""
    for schema in document.get("components", {}).get("schemas", {}).values():
        for field in schema.get("properties", {}).values():
            if field.get("contentMediaType") == "application/octet-stream":
                field.setdefault("format", "binary")
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            for answer in operation.get("responses", {}).values():
                for media_type, media in answer.get("content", {}).items():
                    if media_type != "application/json" and not media.get("schema"):
                        media["schema"] = dict(BINARY)
    return document


# form and multipart bodies (FastAPI names their schemas Body_<handler>): what a person or client sends
FORM_EXAMPLES: dict[str, dict[str, Any]] = {
    "Body_complaint_form": {"institution_id": "12", "certificate_number": "", "contact_name": "周女士",
                            "text": "该机构考核时未开启视频监控，有人员替考，请核查。", "contact_phone": "13800138000"},
    "Body_publicity_objection_form": {"case_type": "filing", "case_id": "7", "name": "张三", "phone": "13800138000",
                                      "text": "该企业考核场地系临时租用，请核实。", "candidate_id": ""},
    "Body_upload_filing_material": {"kind": "business_licence", "file": "营业执照.pdf"},
    "Body_upload_plan_file": {"kind": "site_photos", "file": "考核现场.jpg"},
    "Body_upload_rectification_file": {"kind": "rectification_report", "file": "整改报告.pdf"},
    "Body_import_plan": {"plan": PLAN_FIELDS, "roster": "花名册.xlsx"},
    "Body_import_results": {"file": "成绩表.xlsx"},
}


def with_form_examples(document: dict) -> dict:
    schemas = document.get("components", {}).get("schemas", {})
    for name, example in FORM_EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    return document


def as_published(document: dict) -> dict:
    return with_form_examples(with_one_problem_shape(with_binary_formats(document)))
