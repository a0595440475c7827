"""The CAPA API: the same rules as the services and pages, in JSON."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qualityloop.capa import services
from qualityloop.capa.models import Action, Remedy
from qualityloop.testing import assert_num_queries_at_most

from .helpers import done, in_diagnosis, plan, snapshot, today

API = "/api/v1/capa"
NOT_FOUND = {"detail": "Not found.", "field": None, "code": "not_found", "errors": {}}


@pytest.fixture
def world(org):
    """A complaint technical support works on, with a corrective action owned by
    ts_member, a file on it, a second complaint, and two remedies (small and large)."""
    complaint = in_diagnosis(org)
    other = in_diagnosis(org, title="同批次另一客户")
    action = plan(org, complaint)
    evidence = services.add_evidence(
        actor=org["ts_member"],
        action_id=action.pk,
        upload=SimpleUploadedFile("整改照片.txt", "改造后现场".encode()),
    )
    small = services.propose_remedy(
        actor=org["cs"],
        complaint_id=complaint.pk,
        kind="repair",
        description="免费维修",
        amount="800",
    )
    large = services.propose_remedy(
        actor=org["cs"],
        complaint_id=complaint.pk,
        kind="compensation",
        description="赔偿停线损失",
        amount="20000",
    )
    return {
        "complaint": complaint,
        "other": other,
        "action": action,
        "evidence": evidence,
        "small": small,
        "large": large,
    }


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


# ---------------------------------------------------------------- flows


def test_plan_read_and_list(org, world, as_user):
    complaint = world["complaint"]
    response = post(
        as_user("qe"),
        f"{API}/actions",
        {
            "complaint": complaint.pk,
            "type": "preventive",
            "title": "更新来料检验规范",
            "owner": org["prod_member"].pk,
            "due_date": (today() + timedelta(days=10)).isoformat(),
            "expected_effect": "来料不良不再流入产线",
            "effectiveness_criteria": "三个月内无同类投诉",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    year = today().year
    assert body["number"] == f"CA-{year}-0002"
    assert body["type_label"] == "Preventive (预防)"
    assert body["owner"] == {"id": org["prod_member"].pk, "label": "prod_member"}
    assert body["department"] == {"id": org.departments["prod"].pk, "label": "Production"}
    assert body["status"] == "planned"
    assert body["overdue"] is False
    assert body["complaints"] == [
        {"id": complaint.pk, "number": complaint.number, "label": str(complaint)}
    ]
    assert as_user("qe").get(f"{API}/actions/{body['id']}").json() == body

    # Production owns it though the complaint is not theirs: as the action's owner they may
    # read the complaint it serves; their head sees the department's action, not the complaint.
    seen = as_user("prod_member").get(f"{API}/actions/{body['id']}").json()
    assert seen["complaints"] == [
        {"id": complaint.pk, "number": complaint.number, "label": str(complaint)}
    ]
    assert as_user("prod_head").get(f"{API}/actions/{body['id']}").json()["complaints"] == []
    # Reading the complaint, the owner sees its other action too; the head only their own.
    listed = as_user("prod_member").get(f"{API}/actions").json()
    assert sorted(a["number"] for a in listed["items"]) == [f"CA-{year}-0001", f"CA-{year}-0002"]
    assert listed["count"] == 2
    listed = as_user("prod_head").get(f"{API}/actions").json()
    assert [a["number"] for a in listed["items"]] == [f"CA-{year}-0002"]

    summary = as_user("ts_member").get(f"{API}/complaints/{complaint.pk}/actions").json()
    assert summary["summary"] == {"corrective": 1, "open": 2, "unverified": 0, "total": 2}
    assert [a["number"] for a in summary["items"]] == [f"CA-{year}-0001", f"CA-{year}-0002"]


def test_validation_errors_come_back_on_the_field(org, world, as_user):
    before = snapshot()
    response = post(
        as_user("qe"),
        f"{API}/actions",
        {
            "complaint": world["complaint"].pk,
            "type": "corrective",
            "title": "无标准的纠正措施",
            "owner": org["ts_member"].pk,
            "due_date": today().isoformat(),
            "expected_effect": "不再开裂",
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Corrective and preventive actions need criteria for their check.",
        "field": "effectiveness_criteria",
        "code": "validation_error",
        "errors": {
            "effectiveness_criteria": [
                "Corrective and preventive actions need criteria for their check."
            ]
        },
    }
    response = post(
        as_user("cs"),
        f"{API}/complaints/{world['complaint'].pk}/remedies",
        {"kind": "refund", "description": "退款", "amount": "-1"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"amount": ["Enter a value of at least 0."]}
    assert snapshot() == before


def test_the_verification_cycle(org, world, as_user):
    action = world["action"]
    base = f"{API}/actions/{action.pk}"
    owner, qe = as_user("ts_member"), as_user("qe")
    assert post(owner, f"{base}/start").json()["status"] == "in_progress"
    refused = post(owner, f"{base}/notes", {"text": ""})
    assert refused.status_code == 422
    assert post(owner, f"{base}/notes", {"text": "模具已修改"}).status_code == 201
    assert post(owner, f"{base}/complete").json()["status"] == "done"

    refused = post(
        owner,
        f"{base}/checks",
        {"method": "自查", "result": "合格", "rating": "effective"},
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Only quality may verify the effect of an action, and not its owner."
    )

    failed = post(
        qe, f"{base}/checks", {"method": "抽检", "result": "仍有开裂", "rating": "not_effective"}
    )
    assert failed.status_code == 201
    assert (failed.json()["reopened"], failed.json()["action_status"]) == (True, "in_progress")
    assert post(owner, f"{base}/complete", {"note": "第二次整改"}).json()["status"] == "done"
    passed = post(
        qe,
        f"{base}/checks",
        {
            "method": "连续三批抽检",
            "result": "开裂率0",
            "rating": "effective",
            "checked_at": "2026-01-05T10:00:00+08:00",
        },
    )
    assert passed.status_code == 201
    assert passed.json()["action_status"] == "verified"
    assert passed.json()["checked_at"] == "2026-01-05T02:00:00Z"
    checks = qe.get(f"{base}/checks").json()
    assert [(c["rating"], c["reopened"]) for c in checks] == [
        ("not_effective", True),
        ("effective", False),
    ]
    again = post(qe, f"{base}/checks", {"method": "再查", "result": "合格", "rating": "effective"})
    assert again.status_code == 409
    assert again.json()["code"] == "transition_refused"
    notes = owner.get(f"{base}/notes").json()
    assert [n["text"] for n in notes] == ["模具已修改", "第二次整改"]


def test_evidence_upload_and_download(org, world, as_user):
    action = world["action"]
    upload = SimpleUploadedFile("检验报告.txt", "抽检200台合格".encode())
    response = as_user("ts_head").post(f"{API}/actions/{action.pk}/evidence", {"file": upload})
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["size"], body["content_type"]) == (
        "检验报告.txt",
        len("抽检200台合格".encode()),
        "text/plain",
    )
    download = as_user("cs").get(f"{API}/actions/{action.pk}/evidence/{body['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "抽检200台合格"
    assert (
        as_user("prod_member").get(f"{API}/actions/{action.pk}/evidence/{body['id']}").json()
        == NOT_FOUND
    )
    # Evidence of one action is not reachable through another.
    other = plan(org, world["complaint"])
    assert as_user("qe").get(f"{API}/actions/{other.pk}/evidence/{body['id']}").status_code == 404
    listed = as_user("ts_member").get(f"{API}/actions/{action.pk}/evidence").json()
    assert [e["name"] for e in listed] == ["整改照片.txt", "检验报告.txt"]


def test_link_to_another_complaint(org, world, as_user):
    action, other = world["action"], world["other"]
    response = post(as_user("qe"), f"{API}/actions/{action.pk}/links", {"complaint": other.pk})
    assert response.status_code == 201
    assert [c["number"] for c in response.json()["complaints"]] == [
        world["complaint"].number,
        other.number,
    ]
    again = post(as_user("qe"), f"{API}/actions/{action.pk}/links", {"complaint": other.pk})
    assert again.status_code == 422
    assert again.json()["errors"] == {"complaint": [f"This action already serves {other.number}."]}


def test_remedy_threshold(org, world, as_user):
    complaint = world["complaint"]
    base = f"{API}/complaints/{complaint.pk}/remedies"
    small, large = world["small"], world["large"]
    listed = as_user("ts_member").get(base).json()
    assert [(r["amount"], r["needs_approval"], r["status"]) for r in listed] == [
        ("800.00", False, "proposed"),
        ("20000.00", True, "proposed"),
    ]
    refused = post(as_user("cs"), f"{base}/{large.pk}/give")
    assert refused.status_code == 409
    message = "20000.00 CNY is above the approval threshold of 5000 CNY: it must be approved first."
    assert refused.json() == {
        "detail": message,
        "field": "status",
        "code": "needs_approval",
        "errors": {"status": [message]},
    }
    assert post(as_user("qe"), f"{base}/{large.pk}/approve").status_code == 403
    approved = post(as_user("exec"), f"{base}/{large.pk}/approve", {"note": "同意"})
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == {"id": org["exec"].pk, "label": "exec"}
    given = post(as_user("cs"), f"{base}/{large.pk}/give")
    assert given.json()["status"] == "given"
    assert post(as_user("cs"), f"{base}/{small.pk}/give").json()["status"] == "given"


def test_costs(org, world, as_user):
    base = f"{API}/complaints/{world['complaint'].pk}/costs"
    for category, amount in [
        ("internal_failure", "10.10"),
        ("internal_failure", 0.2),
        ("appraisal", 5),
    ]:
        response = post(
            as_user("qe"),
            base,
            {
                "category": category,
                "description": "费用",
                "amount": amount,
                "incurred_on": today().isoformat(),
            },
        )
        assert response.status_code == 201, response.content
    body = as_user("ts_member").get(base).json()
    assert body["by_category"] == {
        "internal_failure": "10.30",
        "external_failure": "0.00",
        "appraisal": "5.00",
        "prevention": "0.00",
    }
    assert (body["total"], body["currency"]) == ("15.30", "CNY")
    assert [line["amount"] for line in body["lines"]] == ["10.10", "0.20", "5.00"]


def test_the_list_filters_and_needs_no_query_per_action(org, world, as_user):
    complaint = world["complaint"]
    for _ in range(5):
        plan(org, complaint, type="improvement", effectiveness_criteria="")
    client = as_user("qe")
    with assert_num_queries_at_most(8):
        body = client.get(f"{API}/actions").json()
    assert body["count"] == 6
    assert client.get(f"{API}/actions?type=improvement").json()["count"] == 5
    done(org, world["action"])
    assert [a["status"] for a in client.get(f"{API}/actions?status=done").json()["items"]] == [
        "done"
    ]
    assert client.get(f"{API}/actions?open=true").json()["count"] == 5
    assert client.get(f"{API}/actions?mine=true").json()["count"] == 0
    assert as_user("ts_member").get(f"{API}/actions?mine=true").json()["count"] == 6


# ---------------------------------------------------------------- permission matrix


def _done(org, world):
    done(org, world["action"])


# (method, path, body, allowed (user, status), wrong-role user or None, prepare or None)
MATRIX = [
    ("get", lambda w: "/actions", None, ("ts_member", 200), None, None),
    (
        "post",
        lambda w: "/actions",
        lambda org, w: {
            "complaint": w["complaint"].pk,
            "type": "containment",
            "title": "隔离库存",
            "owner": org["ts_member"].pk,
            "due_date": today().isoformat(),
            "expected_effect": "不良品不出厂",
        },
        ("qe", 201),
        "ts_member",
        None,
    ),
    ("get", lambda w: f"/actions/{w['action'].pk}", None, ("ts_member", 200), None, None),
    (
        "post",
        lambda w: f"/actions/{w['action'].pk}/links",
        lambda org, w: {"complaint": w["other"].pk},
        ("qe", 201),
        "cs",
        None,
    ),
    ("post", lambda w: f"/actions/{w['action'].pk}/start", None, ("ts_member", 200), "cs", None),
    ("get", lambda w: f"/actions/{w['action'].pk}/notes", None, ("ts_member", 200), None, None),
    (
        "post",
        lambda w: f"/actions/{w['action'].pk}/notes",
        lambda org, w: {"text": "进展"},
        ("ts_member", 201),
        "exec",
        None,
    ),
    ("get", lambda w: f"/actions/{w['action'].pk}/evidence", None, ("ts_member", 200), None, None),
    (
        "post",
        lambda w: f"/actions/{w['action'].pk}/evidence",
        "file",
        ("ts_head", 201),
        "cs",
        None,
    ),
    (
        "get",
        lambda w: f"/actions/{w['action'].pk}/evidence/{w['evidence'].pk}",
        None,
        ("ts_member", 200),
        None,
        None,
    ),
    (
        "post",
        lambda w: f"/actions/{w['action'].pk}/complete",
        lambda org, w: {"note": "已完成"},
        ("ts_member", 200),
        "admin",
        None,
    ),
    ("get", lambda w: f"/actions/{w['action'].pk}/checks", None, ("ts_member", 200), None, None),
    (
        "post",
        lambda w: f"/actions/{w['action'].pk}/checks",
        lambda org, w: {"method": "抽检", "result": "合格", "rating": "effective"},
        ("qe", 201),
        "ts_member",
        _done,
    ),
    (
        "get",
        lambda w: f"/complaints/{w['complaint'].pk}/actions",
        None,
        ("ts_member", 200),
        None,
        None,
    ),
    (
        "get",
        lambda w: f"/complaints/{w['complaint'].pk}/remedies",
        None,
        ("ts_member", 200),
        None,
        None,
    ),
    (
        "post",
        lambda w: f"/complaints/{w['complaint'].pk}/remedies",
        lambda org, w: {"kind": "replacement", "description": "换新", "amount": "3000"},
        ("cs", 201),
        "ts_head",
        None,
    ),
    (
        "post",
        lambda w: f"/complaints/{w['complaint'].pk}/remedies/{w['large'].pk}/approve",
        None,
        ("exec", 200),
        "qe",
        None,
    ),
    (
        "post",
        lambda w: f"/complaints/{w['complaint'].pk}/remedies/{w['large'].pk}/reject",
        lambda org, w: {"reason": "超出合同"},
        ("exec", 200),
        "cs",
        None,
    ),
    (
        "post",
        lambda w: f"/complaints/{w['complaint'].pk}/remedies/{w['small'].pk}/give",
        None,
        ("cs", 200),
        "exec",
        None,
    ),
    (
        "get",
        lambda w: f"/complaints/{w['complaint'].pk}/costs",
        None,
        ("ts_member", 200),
        None,
        None,
    ),
    (
        "post",
        lambda w: f"/complaints/{w['complaint'].pk}/costs",
        lambda org, w: {
            "category": "external_failure",
            "description": "运费",
            "amount": "45.50",
            "incurred_on": today().isoformat(),
        },
        ("qe", 201),
        "ts_member",
        None,
    ),
]


def _call(client, org, world, method, path, body):
    url = f"{API}{path(world)}"
    if body == "file":
        return client.post(url, {"file": SimpleUploadedFile("记录.txt", "现场记录".encode())})
    if method == "get":
        return client.get(url)
    return post(client, url, body(org, world) if body else None)


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed", "wrong", "prepare"),
    MATRIX,
    ids=[f"{m} {i}" for i, (m, *_rest) in enumerate(MATRIX)],
)
def test_permission_matrix(org, world, as_user, method, path, body, allowed, wrong, prepare):
    if prepare:
        prepare(org, world)
    before = snapshot()

    def unchanged(response, status):
        assert response.status_code == status, response.content[:300]
        assert snapshot() == before

    unchanged(_call(Client(), org, world, method, path, body), 401)
    if wrong:
        unchanged(_call(as_user(wrong), org, world, method, path, body), 403)
    # Production is not involved: the complaint and the action do not exist for them.
    outsider = _call(as_user("prod_member"), org, world, method, path, body)
    if path(world) == "/actions" and method == "get":
        assert outsider.json() == {"items": [], "count": 0}
    else:
        unchanged(outsider, 404)
        assert outsider.json() == NOT_FOUND

    username, status = allowed
    response = _call(as_user(username), org, world, method, path, body)
    assert response.status_code == status, response.content[:300]
    if method == "post":
        assert snapshot() != before


def test_every_endpoint_is_in_the_matrix():
    from qualityloop.api import api

    paths = api.get_openapi_schema()["paths"]
    operations = {
        (m, p) for p, ops in paths.items() for m, op in ops.items() if "capa" in op["tags"]
    }
    assert len(operations) == len(MATRIX)


def test_a_closed_complaint_takes_no_new_actions_or_remedies(org, as_user):
    closed = org.advance(in_diagnosis(org), "reject", actor="cs")
    before = snapshot()
    response = post(
        as_user("qe"),
        f"{API}/actions",
        {
            "complaint": closed.pk,
            "type": "containment",
            "title": "隔离",
            "owner": org["ts_member"].pk,
            "due_date": today().isoformat(),
            "expected_effect": "隔离",
        },
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not plan actions for this complaint."
    response = post(
        as_user("cs"),
        f"{API}/complaints/{closed.pk}/remedies",
        {"kind": "explanation", "description": "说明", "amount": "0"},
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert Action.objects.count() == Remedy.objects.count() == 0
