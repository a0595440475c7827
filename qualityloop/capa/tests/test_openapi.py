"""The CAPA endpoints keep the promises of the OpenAPI document (schemathesis)."""

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile

from qualityloop.capa import services
from qualityloop.testing import FUZZ, SCHEMA_CHECKS, aim, token_headers
from qualityloop.wsgi import application

from .helpers import done, in_diagnosis, plan

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
MINE = r"/api/v1/capa/"


@pytest.fixture
def known(org, keep_connection):
    complaint = in_diagnosis(org)
    action = plan(org, complaint, owner="prod_member")
    evidence = services.add_evidence(
        actor=org["prod_member"],
        action_id=action.pk,
        upload=SimpleUploadedFile("记录.txt", "改造记录".encode()),
    )
    done(org, action, by="prod_member")
    remedy = services.propose_remedy(
        actor=org["cs"], complaint_id=complaint.pk, kind="repair", description="修", amount="10"
    )
    ids = {
        "complaint_id": complaint.pk,
        "action_id": action.pk,
        "evidence_id": evidence.pk,
        "remedy_id": remedy.pk,
    }
    return {"headers": token_headers(org["qe"]), "ids": ids}


@schema.include(path_regex=MINE).parametrize()
@FUZZ
def test_capa_endpoints_keep_the_schema(case, known):
    aim(case, known["ids"])
    case.call_and_validate(headers=known["headers"], checks=SCHEMA_CHECKS)
