"""The investigation API: the same rules as the pages, in JSON."""

import hashlib

import pytest
from django.test import Client

from qualityloop.complaints.models import ComplaintEvent
from qualityloop.investigation import services
from qualityloop.investigation.models import FishboneCause, InspectionRecord, WhyChain
from qualityloop.testing import assert_num_queries_at_most, bearer

from .helpers import PNG, code, in_diagnosis, last_event, photo, snapshot, with_records

NOT_FOUND = {"detail": "Not found.", "field": None, "code": "not_found", "errors": {}}
NOT_ALLOWED = {
    "detail": "You may not change the investigation of this complaint.",
    "field": None,
    "code": "not_allowed",
    "errors": {},
}


@pytest.fixture
def complaint(org):
    return with_records(org)


def base(c) -> str:
    return f"/api/v1/complaints/{c.pk}"


def json_post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def calls(org, c) -> dict[str, tuple]:
    """Every endpoint with a valid request that changes something (for the writes)."""
    b = base(c)
    evidence = c.inspection.evidence.get().pk
    return {
        "list_inspections": ("get", f"{b}/inspections", None),
        "evidence": ("get", f"{b}/inspections/{c.inspection.pk}/evidence/{evidence}", None),
        "list_returned": ("get", f"{b}/returned-products", None),
        "list_containments": ("get", f"{b}/containments", None),
        "list_whys": ("get", f"{b}/why-chains", None),
        "list_causes": ("get", f"{b}/fishbone-causes", None),
        "svg": ("get", f"{b}/fishbone.svg", None),
        "get_root": ("get", f"{b}/root-cause", None),
        "scope": ("get", f"{b}/scope-of-impact", None),
        "add_inspection": ("multipart", f"{b}/inspections", {"checked": "功能", "result": "通过"}),
        "add_returned": ("post", f"{b}/returned-products", {"rma_number": "R-9", "quantity": 1}),
        "patch_returned": ("patch", f"{b}/returned-products/{c.returned.pk}", {"quantity": 4}),
        "add_containment": (
            "post",
            f"{b}/containments",
            {"scope": "at_customer", "action": "客户处挑选"},
        ),
        "verify": ("post", f"{b}/containments/{c.containment.pk}/verify", None),
        "add_why": (
            "post",
            f"{b}/why-chains",
            {"kind": "escape", "problem": "未检出", "steps": [{"because": "抽检过松"}]},
        ),
        "put_why": ("put", f"{b}/why-chains/{c.chain.pk}", {"steps": [{"because": "新答案"}]}),
        "add_cause": ("post", f"{b}/fishbone-causes", {"category": "man", "text": "新员工"}),
        "mark_cause": ("patch", f"{b}/fishbone-causes/{c.cause.pk}", {"is_root": True}),
        "remove_cause": ("delete", f"{b}/fishbone-causes/{c.cause.pk}", None),
        "put_root": (
            "put",
            f"{b}/root-cause",
            {"statement": "参数未恢复", "responsible_department": org.departments["prod"].pk},
        ),
    }


READS = (
    "list_inspections",
    "evidence",
    "list_returned",
    "list_containments",
    "list_whys",
    "list_causes",
    "svg",
    "get_root",
    "scope",
)
WRITES = (
    "add_inspection",
    "add_returned",
    "patch_returned",
    "add_containment",
    "verify",
    "add_why",
    "put_why",
    "add_cause",
    "mark_cause",
    "remove_cause",
    "put_root",
)


def call(client, method, path, body):
    if method == "get":
        return client.get(path)
    if method == "multipart":
        return client.post(path, body)
    if method == "delete":
        return client.delete(path)
    return getattr(client, method)(path, body or {}, content_type="application/json")


# ---------------------------------------------------------------- reading


def test_list_inspections_with_their_evidence(org, complaint, as_user):
    with assert_num_queries_at_most(8):
        response = as_user("ts_member").get(f"{base(complaint)}/inspections")
    assert response.status_code == 200
    [body] = response.json()
    evidence = complaint.inspection.evidence.get()
    record = complaint.inspection
    assert body == {
        "id": record.pk,
        "checked": "外壳壁厚",
        "method": "卡尺",
        "result": "1.2 mm",
        "conforming": False,
        "performed_by": {"id": org["qe"].pk, "label": "qe"},
        "performed_at": body["performed_at"],
        "evidence": [
            {
                "id": evidence.pk,
                "name": "外壳裂纹.png",
                "content_type": "image/png",
                "size": len(PNG),
                "sha256": hashlib.sha256(PNG).hexdigest(),
                "uploaded_at": body["evidence"][0]["uploaded_at"],
                "download": (
                    f"/api/v1/complaints/{complaint.pk}/inspections/{record.pk}"
                    f"/evidence/{evidence.pk}"
                ),
            }
        ],
    }
    download = as_user("ts_member").get(body["evidence"][0]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_lists_of_every_kind(org, complaint, as_user):
    client = as_user("cs")
    b = base(complaint)
    [returned] = client.get(f"{b}/returned-products").json()
    assert {k: returned[k] for k in ("rma_number", "quantity", "disposition", "received_at")} == {
        "rma_number": "RMA-001",
        "quantity": 3,
        "disposition": "pending",
        "received_at": None,
    }
    [containment] = client.get(f"{b}/containments").json()
    assert {
        k: containment[k]
        for k in ("scope", "action", "quantity_checked", "quantity_nonconforming", "verified_by")
    } == {
        "scope": "in_stock",
        "action": "冻结库存",
        "quantity_checked": 100,
        "quantity_nonconforming": 2,
        "verified_by": None,
    }
    [chain] = client.get(f"{b}/why-chains").json()
    assert {k: chain[k] for k in ("kind", "problem", "revision", "steps")} == {
        "kind": "occurrence",
        "problem": "外壳开裂",
        "revision": 1,
        "steps": [
            {"position": 1, "why": "为什么开裂？", "because": "壁厚不足", "cause_code": None}
        ],
    }
    [cause] = client.get(f"{b}/fishbone-causes").json()
    assert {k: cause[k] for k in ("category", "text", "parent", "is_root", "removed_at")} == {
        "category": "machine",
        "text": "保压参数漂移",
        "parent": None,
        "is_root": False,
        "removed_at": None,
    }
    assert client.get(f"{b}/root-cause").json() is None


def test_cause_codes(org, as_user):
    anonymous = Client(headers={"Accept-Language": "en"}).get(
        "/api/v1/complaints/investigation/cause-codes"
    )
    assert anonymous.status_code == 401
    response = as_user("ts_member").get("/api/v1/complaints/investigation/cause-codes")
    assert response.status_code == 200
    codes = response.json()
    assert len(codes) == 32
    mat = next(c for c in codes if c["code"] == "MAT-01")
    assert mat == {
        "id": code("MAT-01").pk,
        "code": "MAT-01",
        "name_zh": "供应商来料缺陷",
        "name_en": "Supplier defect",
        "label": "MAT-01 Supplier defect",
        "parent": code("MAT").pk,
        "is_active": True,
    }


def test_scope_of_impact(org, complaint, as_user):
    other = in_diagnosis(org, title="同批次另一投诉")
    body = as_user("qe").get(f"{base(complaint)}/scope-of-impact").json()
    assert body["window_days"] == 60
    assert body["batch"] == {
        "id": org.batch.pk,
        "lot_number": "L2026-0301",
        "production_date": "2026-03-01",
        "quantity": 5000,
        "complaints": 2,
    }
    assert body["batches"] == []
    item = {
        "id": other.pk,
        "number": other.number,
        "title": "同批次另一投诉",
        "status": "diagnosis",
        "received_at": body["same_batch"]["items"][0]["received_at"],
        "customer": "华东汽车零部件有限公司",
    }
    assert body["same_batch"] == {"total": 1, "items": [item]}
    assert body["same_product"] == {"total": 1, "items": [item]}
    assert body["same_failure"] == {"total": 1, "items": [item]}


def test_the_fishbone_as_svg_in_the_language_asked_for(org, complaint):
    en = bearer(org["ts_member"]).get(f"{base(complaint)}/fishbone.svg")
    assert en.status_code == 200
    assert en["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert 'text-anchor="middle">人 Man</text>' in en.content.decode()
    zh = bearer(org["ts_member"], language="zh-hans").get(f"{base(complaint)}/fishbone.svg")
    assert 'text-anchor="middle">人</text>' in zh.content.decode()
    assert "保压参数漂移" in zh.content.decode()


# ---------------------------------------------------------------- writing


def test_add_an_inspection_with_files(org, complaint, as_user):
    response = as_user("ts_head").post(
        f"{base(complaint)}/inspections",
        {
            "checked": "跌落测试",
            "method": "1.2 m 跌落",
            "result": "外壳无裂纹",
            "conforming": "true",
            "files": [photo("a.png"), photo("b.png")],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["checked"], body["conforming"], body["performed_by"]["label"]) == (
        "跌落测试",
        True,
        "ts_head",
    )
    assert [e["name"] for e in body["evidence"]] == ["a.png", "b.png"]
    event = last_event(complaint)
    assert (event.kind, event.data["inspection"], event.actor) == (
        "investigation",
        body["id"],
        org["ts_head"],
    )


def test_a_refused_file_is_422_on_files(org, complaint, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    response = as_user("qe").post(
        f"{base(complaint)}/inspections",
        {
            "checked": "x",
            "result": "y",
            "files": [SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")],
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "files"
    assert snapshot() == before


def test_returned_product_created_then_patched(org, complaint, as_user):
    client = as_user("qe")
    created = json_post(
        client,
        f"{base(complaint)}/returned-products",
        {"rma_number": "RMA-2026-9", "quantity": 5, "received_at": "2026-03-01T09:00:00+08:00"},
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    patched = client.patch(
        f"{base(complaint)}/returned-products/{pk}",
        {"findings": "注塑缩水", "disposition": "return_to_supplier"},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert {k: patched.json()[k] for k in ("quantity", "findings", "disposition")} == {
        "quantity": 5,
        "findings": "注塑缩水",
        "disposition": "return_to_supplier",
    }
    assert [c["field"] for c in last_event(complaint).data["changes"]] == [
        "findings",
        "disposition",
    ]


@pytest.mark.parametrize(
    ("endpoint", "body", "field", "detail"),
    [
        (
            "containments",
            {"scope": "in_stock", "action": "x", "quantity_nonconforming": 1},
            "quantity_nonconforming",
            "More nonconforming than checked: at most 0.",
        ),
        ("containments", {"scope": "nowhere", "action": "x"}, "scope", None),
        (
            "returned-products",
            {"rma_number": "rma-001", "quantity": 1},
            "rma_number",
            "RMA number rma-001 is already in use.",
        ),
        (
            "returned-products",
            {"rma_number": "R", "quantity": 0},
            "quantity",
            "Enter a value of at least 1.",
        ),
        (
            "why-chains",
            {"kind": "occurrence", "problem": "p", "steps": []},
            "steps",
            "Give at least one “why? because”.",
        ),
        (
            "why-chains",
            {"kind": "occurrence", "problem": "p", "steps": [{"why": "w"}]},
            "steps.0.because",
            "This field is required.",
        ),
        (
            "why-chains",
            {"kind": "occurrence", "problem": "p", "steps": [{"because": "b"}, {"because": " "}]},
            "steps.1.because",
            "This field is required.",
        ),
        ("fishbone-causes", {"text": "无分类"}, "category", "Choose a valid option."),
        (
            "fishbone-causes",
            {"category": "man", "text": "x" * 201},
            "text",
            "At most 200 characters.",
        ),
    ],
)
def test_bad_input_is_422_on_the_field_and_writes_nothing(
    org, complaint, as_user, endpoint, body, field, detail
):
    before = snapshot()
    response = json_post(as_user("qe"), f"{base(complaint)}/{endpoint}", body)
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["field"] == field
    assert error["code"] == "validation_error"
    if detail:
        assert error["detail"] == detail
    assert snapshot() == before


def test_the_root_cause_needs_someone_responsible(org, complaint, as_user):
    client = as_user("qe")
    before = snapshot()
    response = client.put(
        f"{base(complaint)}/root-cause",
        {"statement": "参数未恢复"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Name who is responsible: a department, a supplier, or both.",
        "field": "responsible_department",
        "code": "validation_error",
        "errors": {
            "responsible_department": [
                "Name who is responsible: a department, a supplier, or both."
            ]
        },
    }
    assert snapshot() == before

    response = client.put(
        f"{base(complaint)}/root-cause",
        {
            "statement": "来料壁厚偏薄",
            "cause_code": code("MAT-01").pk,
            "responsible_supplier": complaint.supplier.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert {
        k: body[k] for k in ("statement", "responsible_department", "responsible_supplier")
    } == {
        "statement": "来料壁厚偏薄",
        "responsible_department": None,
        "responsible_supplier": {"id": complaint.supplier.pk, "label": "宁波塑胶件厂"},
    }
    assert body["cause_code"] == {
        "id": code("MAT-01").pk,
        "code": "MAT-01",
        "label": "MAT-01 Supplier defect",
    }
    assert client.get(f"{base(complaint)}/root-cause").json() == body


def test_why_chain_put_replaces_the_steps(org, complaint, as_user):
    response = as_user("qe").put(
        f"{base(complaint)}/why-chains/{complaint.chain.pk}",
        {
            "problem": "外壳开裂（3 台）",
            "steps": [
                {"why": "为什么开裂？", "because": "壁厚不足", "cause_code": None},
                {
                    "why": "为什么壁厚不足？",
                    "because": "保压时间短",
                    "cause_code": code("MACH-02").pk,
                },
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["problem"], body["revision"]) == ("外壳开裂（3 台）", 2)
    assert [(s["position"], s["because"]) for s in body["steps"]] == [
        (1, "壁厚不足"),
        (2, "保压时间短"),
    ]
    assert body["steps"][1]["cause_code"]["code"] == "MACH-02"
    assert WhyChain.objects.get(pk=complaint.chain.pk).steps.count() == 3


def test_fishbone_mark_and_remove(org, complaint, as_user):
    client = as_user("qe")
    sub = json_post(
        client,
        f"{base(complaint)}/fishbone-causes",
        {"text": "换模未首件确认", "parent": complaint.cause.pk},
    )
    assert sub.status_code == 201
    assert (sub.json()["category"], sub.json()["parent"]) == ("machine", complaint.cause.pk)
    marked = client.patch(
        f"{base(complaint)}/fishbone-causes/{complaint.cause.pk}",
        {"is_root": True},
        content_type="application/json",
    )
    assert marked.json()["is_root"] is True
    removed = client.delete(f"{base(complaint)}/fishbone-causes/{complaint.cause.pk}")
    assert removed.status_code == 200
    assert removed.json()["removed_at"] is not None
    assert client.get(f"{base(complaint)}/fishbone-causes").json() == []
    everything = client.get(f"{base(complaint)}/fishbone-causes?include_removed=true").json()
    assert [c["text"] for c in everything] == ["保压参数漂移", "换模未首件确认"]
    assert FishboneCause.objects.count() == 2
    again = client.delete(f"{base(complaint)}/fishbone-causes/{complaint.cause.pk}")
    assert again.status_code == 400
    assert again.json()["detail"] == "This cause was already removed."


def test_verify_containment(org, complaint, as_user):
    response = json_post(
        as_user("ts_member"),
        f"{base(complaint)}/containments/{complaint.containment.pk}/verify",
    )
    assert response.status_code == 200
    assert response.json()["verified_by"] == {"id": org["ts_member"].pk, "label": "ts_member"}
    again = json_post(
        as_user("qe"), f"{base(complaint)}/containments/{complaint.containment.pk}/verify"
    )
    assert again.status_code == 400
    assert again.json()["code"] == "already_verified"


# ---------------------------------------------------------------- the permission matrix


@pytest.mark.parametrize("name", READS + WRITES)
def test_anonymous_gets_401(org, complaint, name):
    method, path, body = calls(org, complaint)[name]
    before = snapshot()
    response = call(Client(headers={"Accept-Language": "en"}), method, path, body)
    assert response.status_code == 401
    assert snapshot() == before


@pytest.mark.parametrize("name", READS + WRITES)
def test_a_department_not_involved_gets_404(org, complaint, as_user, name):
    method, path, body = calls(org, complaint)[name]
    before = snapshot()
    response = call(as_user("prod_member"), method, path, body)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert snapshot() == before


@pytest.mark.parametrize("username", ["cs", "exec", "admin"])
@pytest.mark.parametrize("name", WRITES)
def test_read_only_roles_get_403(org, complaint, as_user, username, name):
    method, path, body = calls(org, complaint)[name]
    before = snapshot()
    response = call(as_user(username), method, path, body)
    assert response.status_code == 403
    assert response.json() == NOT_ALLOWED
    assert snapshot() == before


@pytest.mark.parametrize("username", ["cs", "exec", "admin", "ts_member"])
@pytest.mark.parametrize("name", READS)
def test_readers_get_200(org, complaint, as_user, username, name):
    method, path, body = calls(org, complaint)[name]
    assert call(as_user(username), method, path, body).status_code == 200


@pytest.mark.parametrize("username", ["qe", "ts_member", "ts_head"])
@pytest.mark.parametrize("name", WRITES)
def test_writers_succeed_and_the_timeline_shows_it(org, complaint, as_user, username, name):
    method, path, body = calls(org, complaint)[name]
    before = ComplaintEvent.objects.filter(complaint=complaint).count()
    response = call(as_user(username), method, path, body)
    assert response.status_code in (200, 201), response.content
    event = last_event(complaint)
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == before + 1
    assert event.actor == org[username]
    assert event.kind in ("investigation", "root_cause")


@pytest.mark.parametrize("name", WRITES)
def test_a_closed_complaint_is_403_for_everyone(org, complaint, as_user, name):
    org.advance(complaint, "reject", actor="cs")
    method, path, body = calls(org, complaint)[name]
    before = snapshot()
    response = call(as_user("qe"), method, path, body)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This complaint is closed; its investigation can no longer change."
    )
    assert snapshot() == before


def test_ids_of_another_complaint_are_404(org, complaint, as_user):
    other = in_diagnosis(org, title="另一件")
    b = base(other)
    evidence = complaint.inspection.evidence.get().pk
    client = as_user("qe")
    before = snapshot()
    assert (
        client.get(f"{b}/inspections/{complaint.inspection.pk}/evidence/{evidence}").status_code
        == 404
    )
    assert (
        client.patch(
            f"{b}/returned-products/{complaint.returned.pk}",
            {"quantity": 9},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        json_post(client, f"{b}/containments/{complaint.containment.pk}/verify").status_code == 404
    )
    assert (
        client.put(
            f"{b}/why-chains/{complaint.chain.pk}",
            {"steps": [{"because": "x"}]},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.delete(f"{b}/fishbone-causes/{complaint.cause.pk}").status_code == 404
    assert snapshot() == before
    assert InspectionRecord.objects.count() == 1


def test_writes_by_the_service_layer_match_the_api(org, complaint):
    """The API adds nothing of its own: a service call shows up in the list as it is."""
    services.add_containment(
        actor=org["qe"], complaint_id=complaint.pk, scope="in_production", action="产线全检"
    )
    body = bearer(org["qe"]).get(f"{base(complaint)}/containments").json()
    assert [c["scope"] for c in body] == ["in_stock", "in_production"]


@pytest.mark.parametrize(
    "path",
    ["inspections", "returned-products", "containments", "why-chains", "fishbone-causes"],
)
def test_lists_read_a_fixed_number_of_queries(org, complaint, as_user, path):
    for i in range(3):
        services.add_inspection(
            actor=org["qe"], complaint_id=complaint.pk, checked=f"c{i}", result="r", files=[photo()]
        )
        services.add_returned_product(
            actor=org["qe"], complaint_id=complaint.pk, rma_number=f"R{i}", quantity=1
        )
        services.add_containment(
            actor=org["qe"], complaint_id=complaint.pk, scope="in_stock", action="a"
        )
        services.add_why_chain(
            actor=org["qe"],
            complaint_id=complaint.pk,
            kind="escape",
            problem="p",
            steps=[{"because": "b", "cause_code": code("MAN-01").pk}],
        )
        services.add_fishbone_cause(
            actor=org["qe"],
            complaint_id=complaint.pk,
            category="man",
            text=f"t{i}",
            cause_code_id=code("MAN-01").pk,
        )
    with assert_num_queries_at_most(6):
        response = as_user("ts_member").get(f"{base(complaint)}/{path}")
    assert response.status_code == 200
    assert len(response.json()) == 4
