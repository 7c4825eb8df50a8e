"""/openapi.json is a valid OpenAPI 3 document (checked with openapi-spec-validator), every operation
has a unique, readable operation id (the handler's name: what a generated client's method is called),
and every route documents its errors."""

import pytest


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    from api.app import create_app
    from core.settings import Settings

    return create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi"))).openapi()


def _operations(document):
    return [(method, path, op) for path, methods in document["paths"].items() for method, op in methods.items()]


def test_the_document_is_valid_openapi(document):
    from openapi_spec_validator import validate

    validate(document)  # raises with the first violation's path


def test_every_operation_has_a_unique_readable_id(document):
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(i.isidentifier() and "api_v1" not in i for i in ids)
    assert {"create_filing", "read_filing", "upload_filing_material", "import_plan"} <= set(ids)


def test_every_api_operation_documents_its_errors(document):
    undocumented = [(m, p) for m, p, op in _operations(document)
                    if p.startswith("/api/v1/") and not {"404", "422"} & set(op["responses"])]
    assert not undocumented


def _schema(document, media):
    schema = media["schema"]
    return document["components"]["schemas"][schema["$ref"].split("/")[-1]] if "$ref" in schema else schema


def test_every_api_request_body_has_an_example_that_its_model_accepts(document):
    from models.schemas import REQUEST_EXAMPLES

    missing = []
    for method, path, op in _operations(document):
        for content_type, media in op.get("requestBody", {}).get("content", {}).items():
            if not path.startswith("/api/v1/"):
                continue  # the HTML pages' own forms
            schema = _schema(document, media)
            if content_type == "application/json":
                if not schema.get("examples"):
                    missing.append((method, path))
            else:  # multipart: every field but the file itself
                missing += [(method, path, name) for name, field in schema["properties"].items()
                            if field.get("format") != "binary" and field.get("contentMediaType") is None
                            and not field.get("examples")]
    assert not missing
    for model, example in REQUEST_EXAMPLES.items():
        model.model_validate(example)


def test_every_json_answer_of_the_api_declares_a_typed_schema(document):
    untyped = []
    for method, path, op in _operations(document):
        for code, answer in op["responses"].items():
            media = answer.get("content", {}).get("application/json")
            if not code.startswith("2") or media is None or path == "/metrics":  # Prometheus text; JSON errors
                continue
            schema = _schema(document, media) if media.get("schema") else {}
            if schema.get("type") != "object" or not schema.get("properties"):
                untyped.append((method, path, code))
    assert not untyped  # a generated client would get an untyped dict for these


def test_answer_schemas_name_their_fields_and_refuse_undeclared_ones():
    from models.responses import FilingOut, PlanOut, TaskOut

    for model in (FilingOut, PlanOut, TaskOut):
        assert model.model_config["extra"] == "forbid"
    assert {"id", "status", "current_step", "tasks", "timers", "history"} <= set(FilingOut.model_fields)


def test_every_request_body_has_an_example(api):
    document = api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    missing = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                schema = media.get("schema", {})
                named = schemas.get(schema.get("$ref", "").rsplit("/", 1)[-1], {})
                if not ({"example", "examples"} & (set(media) | set(schema) | set(named))):
                    missing.append(f"{method.upper()} {path} ({media_type})")
    assert missing == []
