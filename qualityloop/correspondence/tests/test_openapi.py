"""The messages endpoints keep the promises of the OpenAPI document (schemathesis)."""

import pytest
import schemathesis

from qualityloop.testing import FUZZ, SCHEMA_CHECKS, aim, token_headers
from qualityloop.wsgi import application

from .helpers import in_diagnosis

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
MINE = r"/api/v1/complaints/\{complaint_id\}/messages"


@pytest.fixture
def known(org, keep_connection):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    return {"headers": token_headers(org["cs"]), "ids": {"complaint_id": complaint.pk}}


@schema.include(path_regex=MINE).parametrize()
@FUZZ
def test_message_endpoints_keep_the_schema(case, known):
    aim(case, known["ids"])
    case.call_and_validate(headers=known["headers"], checks=SCHEMA_CHECKS)
