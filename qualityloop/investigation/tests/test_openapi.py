"""The investigation endpoints keep the promises of the OpenAPI document (schemathesis)."""

import pytest
import schemathesis

from qualityloop.testing import FUZZ, SCHEMA_CHECKS, aim, token_headers
from qualityloop.wsgi import application

from .helpers import with_records

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
MINE = (
    r"/api/v1/complaints/(investigation/cause-codes|\{complaint_id\}/"
    r"(inspections|returned-products|containments|why-chains|fishbone-causes|fishbone\.svg"
    r"|root-cause|scope-of-impact))"
)


@pytest.fixture
def known(org, keep_connection):
    complaint = with_records(org)
    ids = {
        "complaint_id": complaint.pk,
        "inspection_id": complaint.inspection.pk,
        "evidence_id": complaint.inspection.evidence.get().pk,
        "returned_id": complaint.returned.pk,
        "containment_id": complaint.containment.pk,
        "chain_id": complaint.chain.pk,
        "cause_id": complaint.cause.pk,
    }
    return {"headers": token_headers(org["qe"]), "ids": ids}


@schema.include(path_regex=MINE).parametrize()
@FUZZ
def test_investigation_endpoints_keep_the_schema(case, known):
    aim(case, known["ids"])
    case.call_and_validate(headers=known["headers"], checks=SCHEMA_CHECKS)
