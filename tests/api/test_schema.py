"""The OpenAPI document is valid, and a client holding only it and a token walks every
resource of its scope: every path of the document, every page, every body as documented."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from tests.api.conftest import PERSONAS, bearer

pytestmark = pytest.mark.django_db


def schema_document(client) -> dict:
    response = client.get(reverse("api_schema"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/")
    return json.loads(response.content)


def test_the_schema_is_valid_openapi_3(api_world):
    document = schema_document(bearer(None))
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_the_docs_page_serves_its_assets_from_this_site(api_world, client):
    page = client.get(reverse("api_docs")).content.decode()
    assert "swagger-ui" in page
    for remote in ("cdn.", "unpkg", "jsdelivr", "https://"):
        assert remote not in page, remote
    script = client.get(reverse("api_docs") + "?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def json_schema(node):
    """OpenAPI 3.0 schema objects are JSON Schema draft 4-5 (boolean exclusiveMaximum) plus
    `nullable: true`, here turned into a type that also admits null."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "$ref" in node or "allOf" in node or "oneOf" in node:
            node = {"anyOf": [{k: v for k, v in node.items()}, {"type": "null"}]}
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    return node


def response_validator(document: dict, path: str):
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    full = {"$ref": schema["$ref"], "components": json_schema(document["components"])}
    return jsonschema.Draft4Validator(full, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_client_with_only_the_schema_and_a_token_walks_every_resource(api_world, persona):
    client = bearer(api_world["tokens"][persona])
    document = schema_document(bearer(None))
    walked = {}
    for path, operations in document["paths"].items():
        assert "{" not in path, "every resource is a list the client can start from"
        validator = response_validator(document, path)
        limit = next(p for p in operations["get"]["parameters"] if p["name"] == "limit")["schema"]["minimum"]
        url, items = f"{path}?limit={limit}", []
        for _ in range(1000):
            response = client.get(url)
            if response.status_code == 403:
                # Documented, and the role's pages refuse it too.
                assert "403" in operations["get"]["responses"] and persona == "school_a"
                break
            assert response.status_code == 200, (path, response.status_code)
            body = response.json()
            errors = sorted(validator.iter_errors(body), key=str)
            assert not errors, (path, [e.message for e in errors[:3]])
            items.extend(body["results"])
            if body["next"] is None:
                break
            parts = urlsplit(body["next"])
            url = f"{parts.path}?{parts.query}"
        walked[path] = items
    # Each of the persona's resources came back whole: the roster rows equal its schools' rows.
    assert len(walked["/api/v1/roster-rows/"]) == {"officer_a": 2, "officer_b": 1, "school_a": 1}.get(persona, 3)
    assert len(walked["/api/v1/usage/"]) == {"officer_a": 3, "officer_b": 1, "school_a": 2}.get(persona, 4)


def test_every_list_parameter_is_documented(api_world):
    document = schema_document(bearer(None))
    roster = {p["name"] for p in document["paths"]["/api/v1/roster-rows/"]["get"]["parameters"]}
    assert roster == {"year", "county", "updated_since", "cursor", "limit"}
    usage = {p["name"] for p in document["paths"]["/api/v1/usage/"]["get"]["parameters"]}
    assert "month" in usage


def test_the_frameworks_own_check_finds_no_error_or_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "openapi: 3" in (tmp_path / "schema.yaml").read_text(encoding="utf-8")
