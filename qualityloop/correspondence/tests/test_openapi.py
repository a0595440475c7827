"""The messages endpoints keep the promises of the OpenAPI document (schemathesis)."""

import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from qualityloop.accounts.models import ApiToken
from qualityloop.wsgi import application

from .helpers import in_diagnosis

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
MINE = r"/api/v1/complaints/\{complaint_id\}/messages"


@pytest.fixture
def keep_connection():
    """Django closes a connection found inside a transaction when a request starts or ends;
    here that transaction is the test's own."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def known(org, keep_connection):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    raw = ApiToken.issue(user=org["cs"], name="schemathesis")[1]
    return {"headers": {"Authorization": f"Bearer {raw}"}, "complaint": complaint}


def _aim(case, known):
    params = case.path_parameters or {}
    if zlib.crc32(repr(sorted(params.items())).encode()) % 2:
        return
    if "complaint_id" in params:
        params["complaint_id"] = known["complaint"].pk


@schema.include(path_regex=MINE).parametrize()
@FUZZ
def test_message_endpoints_keep_the_schema(case, known):
    _aim(case, known)
    case.call_and_validate(headers=known["headers"], checks=CHECKS)
