"""The OpenAPI 3 schema at /api/schema/ and the Swagger UI at /api/docs/."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"
REGISTRY_PATHS = ["/api/v1/townships/", "/api/v1/villages/", "/api/v1/organizations/"]


@pytest.fixture
def document(admin_user):
    api = APIClient()
    api.force_login(admin_user)
    response = api.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_generated_schema_is_valid_openapi_3():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema
    assert schema["openapi"].startswith("3.")


def test_generation_gives_no_warnings_or_errors():
    err = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stderr=err)
    assert "Warning" not in err.getvalue() and "Error" not in err.getvalue()


def test_the_registry_endpoints_are_read_only_in_the_schema(document):
    for path in REGISTRY_PATHS:
        assert set(document["paths"][path]) == {"get"}
        assert set(document["paths"][f"{path}{{id}}/"]) == {"get"}


def test_fields_are_described_in_chinese_with_code_and_label(document):
    village = document["components"]["schemas"]["Village"]["properties"]
    assert village["township"]["description"] == "所属乡镇编号"
    assert village["township_name"]["description"] == "所属乡镇名称"
    assert "kind_display" in village and "showcase_type_display" in village
    organization = document["components"]["schemas"]["PartyOrganization"]["properties"]
    assert organization["joint_villages"]["items"]["type"] == "integer"
    assert {"parent", "village", "township"} <= set(organization)


def test_filter_and_ordering_parameters_match_the_pages(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/villages/"]["get"]["parameters"]}
    assert {"q", "township", "kind", "showcase_type", "is_active", "page", "page_size", "ordering"} <= set(parameters)
    ordering = parameters["ordering"]["schema"]["items"]["enum"]
    assert "-population" in ordering and "population" in ordering
    assert "password" not in ordering


def test_token_and_session_authentication_are_declared(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["knoxApiToken"]["in"] == "header"
    assert "cookieAuth" in schemes


def test_anonymous_cannot_read_the_schema_and_is_sent_to_login_for_the_docs(client):
    assert APIClient().get(SCHEMA).status_code == 401
    response = client.get(DOCS)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={DOCS}"


def test_a_token_client_can_read_the_schema(county):
    _instance, token = AuthToken.objects.create(user=factories.api_client_user(county))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(SCHEMA, {"format": "json"}).status_code == 200


def test_the_docs_page_loads_only_our_own_static_files(client, admin_user):
    client.force_login(admin_user)
    response = client.get(DOCS)
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", page)
    assert any(src.endswith("swagger-ui-bundle.js") for src in sources)
    # Our static files, and Swagger UI's start-up script served by the docs view itself
    # (the split view, so the Content-Security-Policy needs no inline script).
    assert sources and all(src.startswith(("/static/", "/api/docs/?script")) for src in sources), sources
    assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", page)
