"""The knowledge API: who may do what, and what each answer holds."""

import json

import pytest
from django.test import Client

from qualityloop.complaints.choices import EventKind
from qualityloop.knowledge import services
from qualityloop.knowledge.models import KnowledgeEntry
from qualityloop.testing import assert_audit_event, bearer

from .helpers import category, closed_at_first_contact, entry, snapshot

BASE = "/api/v1/knowledge"


@pytest.fixture
def case(org):
    complaint = closed_at_first_contact(org)
    drafted = services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])
    published = services.publish_entry(actor=org["qe"], entry_id=drafted.pk)
    draft = entry(org, title="充电模块电压不稳", publish=False)
    closed = closed_at_first_contact(
        org, title="包装破损", product_id=org.other_product.pk, batch_id=org.other_batch.pk
    )
    return {"complaint": complaint, "published": published, "draft": draft, "closed": closed}


def _calls(case):
    pub, draft = case["published"].pk, case["draft"].pk
    return {
        "search": ("get", BASE, None),
        "suggest": ("get", f"{BASE}/suggest?title=外壳开裂", None),
        "read published": ("get", f"{BASE}/{pub}", None),
        "read draft": ("get", f"{BASE}/{draft}", None),
        "create": ("post", BASE, {"title": "甲", "problem": "乙"}),
        "from complaint": ("post", f"{BASE}/from-complaint/{case['closed'].pk}", None),
        "patch published": ("patch", f"{BASE}/{pub}", {"title": "改了"}),
        "patch draft": ("patch", f"{BASE}/{draft}", {"title": "改了"}),
        "publish draft": ("post", f"{BASE}/{draft}/publish", None),
        "archive published": ("post", f"{BASE}/{pub}/archive", None),
    }


def _send(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


EXPECTED = {
    "ts_member": {
        "search": 200,
        "suggest": 200,
        "read published": 200,
        "read draft": 404,
        "create": 403,
        "from complaint": 404,
        "patch published": 403,
        "patch draft": 404,
        "publish draft": 404,
        "archive published": 403,
    },
    "cs": {
        "search": 200,
        "suggest": 200,
        "read published": 200,
        "read draft": 404,
        "create": 403,
        "from complaint": 403,
        "patch published": 403,
        "patch draft": 404,
        "publish draft": 404,
        "archive published": 403,
    },
    "admin": {
        "read draft": 200,
        "create": 403,
        "from complaint": 403,
        "patch draft": 403,
        "publish draft": 403,
    },
}


def test_anonymous_callers_get_401(org, case):
    before = snapshot()
    for name, (method, url, body) in _calls(case).items():
        response = _send(Client(), method, url, body)
        assert response.status_code == 401, name
        assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


@pytest.mark.parametrize("username", ["ts_member", "cs", "admin"])
def test_permission_matrix(org, case, username):
    client = bearer(org[username])
    before = snapshot()
    calls = _calls(case)
    for name, expected in EXPECTED[username].items():
        method, url, body = calls[name]
        response = _send(client, method, url, body)
        assert response.status_code == expected, f"{username} {name}: {response.content}"
        if expected == 403:
            assert response.json()["code"] == "not_allowed"
    assert snapshot() == before


def test_search_answers_hits_with_snippets(org, case):
    response = bearer(org["ts_member"]).get(BASE, {"q": "开裂"})

    assert response.status_code == 200
    (hit,) = response.json()
    assert hit["id"] == case["published"].pk
    assert hit["title"] == "控制器外壳开裂"
    assert hit["status"] == "published"
    assert (
        hit["snippet"]
        == "客户收货后发现3台电机控制器外壳开裂，影响装配。 · 已为客户免费更换3台外壳。"
    )
    assert hit["tags"] == ["外观", "控制器"]
    assert hit["product"] == {"id": org.product.pk, "label": "电机控制器 MC-200"}
    assert hit["category"]["id"] == category("appearance")
    assert bearer(org["ts_member"]).get(BASE, {"q": "电压"}).json() == []
    assert [h["id"] for h in bearer(org["qe"]).get(BASE, {"q": "电压"}).json()] == [
        case["draft"].pk
    ]


def test_read_shows_the_complaint_only_to_those_who_may_see_it(org, case):
    url = f"{BASE}/{case['published'].pk}"
    complaint = case["complaint"]

    by_cs = bearer(org["cs"]).get(url).json()
    by_ts = bearer(org["ts_member"]).get(url).json()

    assert by_cs["complaint"] == {"id": complaint.pk, "number": complaint.number}
    assert by_ts["complaint"] is None
    assert by_ts["solution"] == "已为客户免费更换3台外壳。"
    assert by_ts["status_label"] == "Published"
    assert by_ts["version"] == 2


def test_quality_drafts_from_a_closed_complaint_once(org, case):
    client = bearer(org["qe"])
    url = f"{BASE}/from-complaint/{case['closed'].pk}"

    first = client.post(url)
    again = client.post(url)

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["title"] == "包装破损"
    assert first.json()["status"] == "draft"
    assert first.json()["tags"] == ["外观", "电源"]
    assert KnowledgeEntry.objects.filter(complaint=case["closed"]).count() == 1
    assert_audit_event(case["closed"], EventKind.KNOWLEDGE, action="created")


def test_an_open_complaint_answers_409(org):
    complaint = org.register(is_repeat=False)

    response = bearer(org["qe"]).post(f"{BASE}/from-complaint/{complaint.pk}")

    assert response.status_code == 409
    assert response.json()["code"] == "not_closed"
    assert response.json()["detail"] == "Only a closed complaint becomes a knowledge entry."
    assert KnowledgeEntry.objects.count() == 0


def test_quality_creates_patches_and_publishes(org):
    client = bearer(org["qe"])

    created = client.post(
        BASE,
        json.dumps({"title": "外壳开裂", "problem": "开裂", "tags": ["模具", "模具", "Mould"]}),
        content_type="application/json",
    )
    pk = created.json()["id"]
    patched = client.patch(
        f"{BASE}/{pk}",
        json.dumps({"solution": "改模", "product": org.product.pk, "version": 1}),
        content_type="application/json",
    )
    stale = client.patch(
        f"{BASE}/{pk}",
        json.dumps({"solution": "再改", "version": 1}),
        content_type="application/json",
    )
    published = client.post(f"{BASE}/{pk}/publish?version=2")

    assert created.status_code == 201
    assert created.json()["tags"] == ["模具", "mould"]
    assert created.json()["complaint"] is None
    assert patched.status_code == 200
    assert patched.json()["solution"] == "改模"
    assert patched.json()["product"]["id"] == org.product.pk
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert stale.json()["current_version"] == 2
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["version"] == 3


def test_bad_input_is_reported_per_field(org):
    client = bearer(org["qe"])

    response = client.post(
        BASE,
        json.dumps({"title": "外壳", "problem": "开裂", "product": 999999}),
        content_type="application/json",
    )
    unknown = client.post(
        BASE,
        json.dumps({"title": "外壳", "problem": "开裂", "colour": "red"}),
        content_type="application/json",
    )
    no_solution = client.post(
        f"{BASE}/{entry(org, title='甲', solution='', publish=False).pk}/publish"
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"product": ["No such product."]}
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "colour"
    assert no_solution.status_code == 422
    assert no_solution.json()["errors"] == {"solution": ["Fill this in before publishing."]}
    assert KnowledgeEntry.objects.count() == 1


def test_suggest_ranks_published_cases(org, case):
    similar = entry(org, title="控制器外壳开裂返修", product_id=org.other_product.pk)

    response = bearer(org["cs"]).get(
        f"{BASE}/suggest",
        {"title": "控制器外壳开裂", "description": "", "product": org.product.pk},
    )

    assert response.status_code == 200
    assert [(s["id"], s["score"]) for s in response.json()] == [
        (case["published"].pk, 15),
        (similar.pk, 12),
    ]
    assert response.json()[0]["snippet"] == "已为客户免费更换3台外壳。"
