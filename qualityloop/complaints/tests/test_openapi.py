"""The API keeps the promises of its own OpenAPI document, checked by schemathesis."""

import pytest
import schemathesis
from django.test import Client

from qualityloop.testing import FUZZ, SCHEMA_CHECKS, aim, token_headers
from qualityloop.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

ENDPOINTS = {
    ("GET", "/api/v1/capa/actions"),
    ("POST", "/api/v1/capa/actions"),
    ("GET", "/api/v1/capa/actions/{action_id}"),
    ("GET", "/api/v1/capa/actions/{action_id}/checks"),
    ("POST", "/api/v1/capa/actions/{action_id}/checks"),
    ("POST", "/api/v1/capa/actions/{action_id}/complete"),
    ("GET", "/api/v1/capa/actions/{action_id}/evidence"),
    ("POST", "/api/v1/capa/actions/{action_id}/evidence"),
    ("GET", "/api/v1/capa/actions/{action_id}/evidence/{evidence_id}"),
    ("POST", "/api/v1/capa/actions/{action_id}/links"),
    ("GET", "/api/v1/capa/actions/{action_id}/notes"),
    ("POST", "/api/v1/capa/actions/{action_id}/notes"),
    ("POST", "/api/v1/capa/actions/{action_id}/start"),
    ("GET", "/api/v1/capa/complaints/{complaint_id}/actions"),
    ("GET", "/api/v1/capa/complaints/{complaint_id}/costs"),
    ("POST", "/api/v1/capa/complaints/{complaint_id}/costs"),
    ("GET", "/api/v1/capa/complaints/{complaint_id}/remedies"),
    ("POST", "/api/v1/capa/complaints/{complaint_id}/remedies"),
    ("POST", "/api/v1/capa/complaints/{complaint_id}/remedies/{remedy_id}/approve"),
    ("POST", "/api/v1/capa/complaints/{complaint_id}/remedies/{remedy_id}/give"),
    ("POST", "/api/v1/capa/complaints/{complaint_id}/remedies/{remedy_id}/reject"),
    ("GET", "/api/v1/complaints"),
    ("POST", "/api/v1/complaints"),
    ("GET", "/api/v1/complaints/by-number/{number}"),
    ("GET", "/api/v1/complaints/investigation/cause-codes"),
    ("GET", "/api/v1/complaints/{complaint_id}"),
    ("PATCH", "/api/v1/complaints/{complaint_id}"),
    ("POST", "/api/v1/complaints/{complaint_id}/answer"),
    ("POST", "/api/v1/complaints/{complaint_id}/attachments"),
    ("GET", "/api/v1/complaints/{complaint_id}/attachments/{attachment_id}"),
    ("GET", "/api/v1/complaints/{complaint_id}/clocks"),
    ("POST", "/api/v1/complaints/{complaint_id}/comments"),
    ("GET", "/api/v1/complaints/{complaint_id}/containments"),
    ("POST", "/api/v1/complaints/{complaint_id}/containments"),
    ("POST", "/api/v1/complaints/{complaint_id}/containments/{containment_id}/verify"),
    ("POST", "/api/v1/complaints/{complaint_id}/escalate"),
    ("GET", "/api/v1/complaints/{complaint_id}/events"),
    ("GET", "/api/v1/complaints/{complaint_id}/final-answer"),
    ("POST", "/api/v1/complaints/{complaint_id}/final-answer"),
    ("GET", "/api/v1/complaints/{complaint_id}/fishbone-causes"),
    ("POST", "/api/v1/complaints/{complaint_id}/fishbone-causes"),
    ("DELETE", "/api/v1/complaints/{complaint_id}/fishbone-causes/{cause_id}"),
    ("PATCH", "/api/v1/complaints/{complaint_id}/fishbone-causes/{cause_id}"),
    ("GET", "/api/v1/complaints/{complaint_id}/fishbone.svg"),
    ("POST", "/api/v1/complaints/{complaint_id}/grade"),
    ("GET", "/api/v1/complaints/{complaint_id}/inspections"),
    ("POST", "/api/v1/complaints/{complaint_id}/inspections"),
    ("GET", "/api/v1/complaints/{complaint_id}/inspections/{inspection_id}/evidence/{evidence_id}"),
    ("GET", "/api/v1/complaints/{complaint_id}/major-case"),
    ("POST", "/api/v1/complaints/{complaint_id}/major-case/items"),
    ("POST", "/api/v1/complaints/{complaint_id}/major-case/submit"),
    ("GET", "/api/v1/complaints/{complaint_id}/messages"),
    ("POST", "/api/v1/complaints/{complaint_id}/messages"),
    ("GET", "/api/v1/complaints/{complaint_id}/messages/preview"),
    ("POST", "/api/v1/complaints/{complaint_id}/messages/received"),
    ("POST", "/api/v1/complaints/{complaint_id}/messages/{message_id}/resend"),
    ("GET", "/api/v1/complaints/{complaint_id}/reports/8d.pdf"),
    ("GET", "/api/v1/complaints/{complaint_id}/reports/disposal.pdf"),
    ("GET", "/api/v1/complaints/{complaint_id}/reports/rectification.pdf"),
    ("POST", "/api/v1/complaints/{complaint_id}/resume"),
    ("GET", "/api/v1/complaints/{complaint_id}/returned-products"),
    ("POST", "/api/v1/complaints/{complaint_id}/returned-products"),
    ("PATCH", "/api/v1/complaints/{complaint_id}/returned-products/{returned_id}"),
    ("GET", "/api/v1/complaints/{complaint_id}/root-cause"),
    ("PUT", "/api/v1/complaints/{complaint_id}/root-cause"),
    ("GET", "/api/v1/complaints/{complaint_id}/scope-of-impact"),
    ("GET", "/api/v1/complaints/{complaint_id}/surveys"),
    ("POST", "/api/v1/complaints/{complaint_id}/surveys"),
    ("POST", "/api/v1/complaints/{complaint_id}/surveys/send"),
    ("POST", "/api/v1/complaints/{complaint_id}/tasks"),
    ("POST", "/api/v1/complaints/{complaint_id}/tasks/{task_id}/assign"),
    ("POST", "/api/v1/complaints/{complaint_id}/tasks/{task_id}/complete"),
    ("POST", "/api/v1/complaints/{complaint_id}/tasks/{task_id}/remind"),
    ("GET", "/api/v1/complaints/{complaint_id}/transitions"),
    ("POST", "/api/v1/complaints/{complaint_id}/transitions/{name}"),
    ("POST", "/api/v1/complaints/{complaint_id}/wait"),
    ("GET", "/api/v1/complaints/{complaint_id}/why-chains"),
    ("POST", "/api/v1/complaints/{complaint_id}/why-chains"),
    ("PUT", "/api/v1/complaints/{complaint_id}/why-chains/{chain_id}"),
    ("GET", "/api/v1/knowledge"),
    ("POST", "/api/v1/knowledge"),
    ("POST", "/api/v1/knowledge/from-complaint/{complaint_id}"),
    ("GET", "/api/v1/knowledge/suggest"),
    ("GET", "/api/v1/knowledge/{entry_id}"),
    ("PATCH", "/api/v1/knowledge/{entry_id}"),
    ("POST", "/api/v1/knowledge/{entry_id}/archive"),
    ("POST", "/api/v1/knowledge/{entry_id}/publish"),
    ("GET", "/api/v1/notifications"),
    ("POST", "/api/v1/notifications/read-all"),
    ("POST", "/api/v1/notifications/{notification_id}/read"),
}


@pytest.fixture
def known(org, keep_connection):
    """A token, and a complaint the fuzzer's path parameters are pointed at half the time."""
    complaint = org.advance(org.register(is_repeat=False), "acknowledge", actor="cs")
    ids = {"complaint_id": complaint.pk, "number": complaint.number}
    return {"headers": token_headers(org["qe"]), "ids": ids}


@schema.include(method="GET").parametrize()
@FUZZ
def test_get_endpoints_keep_the_schema(case, known):
    aim(case, known["ids"])
    case.call_and_validate(headers=known["headers"], checks=SCHEMA_CHECKS)


@schema.include(method="POST", path="/api/v1/complaints").parametrize()
@FUZZ
def test_register_keeps_the_schema(case, known):
    case.call_and_validate(headers=known["headers"], checks=SCHEMA_CHECKS)


def test_the_document_lists_every_endpoint():
    document = Client().get("/api/v1/openapi.json").json()
    listed = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert listed == ENDPOINTS
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    register = document["paths"]["/api/v1/complaints"]["post"]
    assert set(register["responses"]) == {"200", "201", "400", "401", "403", "404", "409", "422"}
    assert {p["name"] for p in register["parameters"]} == {"Idempotency-Key"}


def test_the_interactive_docs_render(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    # Served by this installation, never a CDN.
    assert b"cdn.jsdelivr.net" not in response.content
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
