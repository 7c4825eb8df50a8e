"""/openapi.json is a valid OpenAPI 3 document (checked with openapi-spec-validator), every operation
has a unique, readable operation id (the handler's name: what a generated client's method is called),
and every route documents its errors."""

import pytest

pytestmark = pytest.mark.database_independent


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
