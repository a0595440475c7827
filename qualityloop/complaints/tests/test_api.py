"""The REST API as an integration sees it: tokens, JSON in and out, errors, retries, races."""

import io
import itertools
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qualityloop.accounts.models import ApiToken
from qualityloop.complaints import events, services
from qualityloop.complaints.models import Category, Complaint, IdempotencyRecord
from qualityloop.core import clock
from qualityloop.testing import aware, bearer, database_snapshot, in_parallel, login, token_for

API = "/api/v1/complaints"
NOT_FOUND = {"detail": "Not found.", "field": None, "code": "not_found", "errors": {}}
NOT_AUTHENTICATED = {
    "detail": "Authentication required: send a valid API token as “Authorization: Bearer …”.",
    "field": None,
    "code": "not_authenticated",
    "errors": {},
}


def intake(org, **overrides) -> dict:
    body = {
        "title": "控制器外壳开裂",
        "description": "客户收货后发现3台电机控制器外壳开裂，影响装配。",
        "complainant_name": "王经理",
        "complainant_org": "华东汽车零部件有限公司",
        "customer": org.customer.pk,
        "product": org.product.pk,
        "batch": org.batch.pk,
        "quantity": 3,
        "is_repeat": False,
    }
    body.update(overrides)
    return body


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def patch(client, path, body):
    return client.patch(path, body, content_type="application/json")


def at_diagnosis(org):
    """A complaint technical support is working on; production is not involved."""
    complaint = org.register(
        is_repeat=False, category_id=Category.objects.get(code="appearance").pk
    )
    return org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")


# ---------------------------------------------------------------- authentication


def test_no_token_is_401_with_a_clear_message(org):
    response = Client(headers={"Accept-Language": "en"}).get(API)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(org):
    token_for(org["cs"])
    response = bearer("ql_not-a-token").get(API)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


def test_revoked_token_is_401(org):
    token, raw = ApiToken.issue(user=org["cs"], name="crm")
    assert bearer(raw).get(API).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = bearer(raw).get(API)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


def test_token_of_an_inactive_user_is_401(org):
    raw = token_for(org["cs"])
    org["cs"].is_active = False
    org["cs"].save(update_fields=["is_active"])
    assert bearer(raw).get(API).status_code == 401


def test_a_bad_token_is_not_rescued_by_a_session_cookie(org):
    client = Client(headers={"Authorization": "Bearer ql_wrong", "Accept-Language": "en"})
    client.force_login(org["cs"])
    assert client.get(API).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(org):
    token, raw = ApiToken.issue(user=org["cs"], name="crm")
    start = aware(2026, 3, 2, 9, 0)
    with clock.at(start):
        bearer(raw).get(API)
    with clock.at(start + timedelta(seconds=59)):
        bearer(raw).get(API)
    token.refresh_from_db()
    assert token.last_used_at == start
    with clock.at(start + timedelta(seconds=61)):
        bearer(raw).get(API)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_issue_token_command_prints_a_working_token(org):
    out = io.StringIO()
    call_command("issue_token", "cs", "CRM sync", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    assert ApiToken.objects.get(name="CRM sync").digest == ApiToken.digest_of(raw)
    assert bearer(raw).get(API).status_code == 200


def test_logged_in_session_works_and_is_csrf_protected(org):
    browser = login(org["cs"], enforce_csrf_checks=True)
    assert browser.get(API).status_code == 200
    before = database_snapshot()
    refused = post(browser, API, intake(org))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "CSRF check failed. Reload the page and try again."
    assert database_snapshot() == before

    browser.get("/api/v1/docs")  # sets the CSRF cookie, as the docs page does
    csrf = browser.cookies["csrftoken"].value
    accepted = post(browser, API, intake(org), **{"X-CSRFToken": csrf})
    assert accepted.status_code == 201


# ---------------------------------------------------------------- register


def test_register_answers_201_with_a_number_and_the_grade(org, as_user):
    response = post(as_user("cs"), API, intake(org, requested_remedy="return"))
    assert response.status_code == 201
    body = response.json()
    year = timezone.localtime(clock.now()).year
    assert re.fullmatch(rf"QC-{year}-\d{{6}}", body["number"])
    complaint = Complaint.objects.get(number=body["number"])
    assert body["id"] == complaint.pk
    assert complaint.received_by == org["cs"]
    assert complaint.channel == "api"
    assert body["channel"] == "api"
    assert body["product"] == {"id": org.product.pk, "label": "电机控制器 MC-200"}
    assert body["batch"] == {"id": org.batch.pk, "label": "L2026-0301"}
    assert body["severity"] == 2
    assert body["severity_label"] == "Major (重要)"
    assert body["severity_source"] == "rule"
    assert body["severity_basis"] == "要求退货或索赔 Return or claim requested"
    assert body["status"] == "intake"
    assert body["stage_label"] == "Intake and registration"
    assert body["version"] == 1
    # A return is major (seed 001): a response meeting and a report join the intake task.
    assert [(t["title"], t["department"]["label"]) for t in body["tasks"]] == [
        ("Intake and registration", "Customer service"),
        ("响应会议 Response meeting", "Quality"),
        ("向管理层报告 Report to management", "Quality"),
    ]


def test_idempotent_retry_returns_the_same_complaint(org, as_user):
    client = as_user("cs")
    first = post(client, API, intake(org), **{"Idempotency-Key": "crm-4711"})
    again = post(client, API, intake(org), **{"Idempotency-Key": "crm-4711"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["id"] == first.json()["id"]
    assert Complaint.objects.count() == 1
    assert IdempotencyRecord.objects.get().complaint_id == first.json()["id"]


def test_idempotency_key_reused_for_another_body_is_422(org, as_user):
    client = as_user("cs")
    post(client, API, intake(org), **{"Idempotency-Key": "crm-4711"})
    before = database_snapshot()
    response = post(client, API, intake(org, title="另一件事"), **{"Idempotency-Key": "crm-4711"})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "Idempotency-Key"
    assert body["detail"] == (
        "This Idempotency-Key was already used for a different request. "
        "Send a new key for a new complaint."
    )
    assert database_snapshot() == before


def test_idempotency_keys_belong_to_one_user(org, as_user):
    post(as_user("cs"), API, intake(org), **{"Idempotency-Key": "k1"})
    other = post(as_user("qe"), API, intake(org), **{"Idempotency-Key": "k1"})
    assert other.status_code == 201
    assert Complaint.objects.count() == 2


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "field", "detail"),
    [
        ({"title": None}, "title", "This field is required."),
        ({"product": 999_999}, "product", "Unknown product."),
        ({"description": "x" * 5_000_000}, "description", "At most 20000 characters."),
        ({"quantity": -1}, "quantity", "Enter a value of at least 0."),
        ({"channel": "fax"}, "channel", None),
        ({"complainant_email": "not-an-address"}, "complainant_email", None),
        ({"purchase_date": "2026-02-30"}, "purchase_date", "Enter a date like 2026-03-01."),
        ({"batch": "L2026-0402"}, "batch", "Enter a whole number."),
        ({"colour": "red"}, "colour", "This field cannot be set."),
        ({"title": "null\x00byte"}, "title", "Text cannot contain NUL characters."),
    ],
)
def test_bad_input_is_422_on_the_field_and_writes_nothing(org, as_user, change, field, detail):
    body = intake(org, **change)
    body = {k: v for k, v in body.items() if v is not None}
    before = database_snapshot()
    response = post(as_user("cs"), API, body)
    assert response.status_code == 422, response.content[:300]
    error = response.json()
    assert error["field"] == field
    assert error["code"] == "validation_error"
    assert field in error["errors"]
    if detail:
        assert error["detail"] == detail
    assert database_snapshot() == before


def test_batch_of_another_product_is_422_on_batch(org, as_user):
    before = database_snapshot()
    response = post(as_user("cs"), API, intake(org, batch=org.other_batch.pk))
    assert response.status_code == 422
    assert response.json()["field"] == "batch"
    assert response.json()["detail"] == "Batch L2026-0402 belongs to another product."
    assert database_snapshot() == before


def test_body_that_is_not_json_is_400(org, as_user):
    before = database_snapshot()
    response = post(as_user("cs"), API, "{title: oops")
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."
    assert database_snapshot() == before


def test_body_over_the_upload_limit_is_413(org, as_user):
    before = database_snapshot()
    response = post(as_user("cs"), API, intake(org, description="x" * 9_000_000))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert database_snapshot() == before


def test_messages_follow_accept_language(org):
    raw = token_for(org["cs"])
    body = intake(org)
    del body["title"]
    chinese = post(bearer(raw, "zh-hans"), API, body).json()
    english = post(bearer(raw, "en"), API, body).json()
    assert english["detail"] == "This field is required."
    assert chinese["detail"] == "这个字段是必填项。"


def test_script_and_sql_are_stored_and_returned_verbatim(org, as_user):
    title = "<script>alert('x')</script>"
    description = "'; DROP TABLE complaints_complaint; -- \" OR 1=1 /* 控制器 */"
    created = post(as_user("cs"), API, intake(org, title=title, description=description))
    assert created.status_code == 201
    read = as_user("cs").get(f"{API}/{created.json()['id']}")
    assert read["Content-Type"] == "application/json; charset=utf-8"
    assert read.json()["title"] == title
    assert read.json()["description"] == description
    stored = Complaint.objects.get(pk=created.json()["id"])
    assert (stored.title, stored.description) == (title, description)


# ---------------------------------------------------------------- read


def test_read_by_id_and_by_number(org, as_user):
    complaint = org.register(is_repeat=False)
    by_id = as_user("qe").get(f"{API}/{complaint.pk}")
    by_number = as_user("qe").get(f"{API}/by-number/{complaint.number}")
    assert by_id.status_code == by_number.status_code == 200
    assert by_id.json() == by_number.json()
    assert by_id.json()["number"] == complaint.number
    assert by_id.json()["complainant_org"] == "华东汽车零部件有限公司"


def test_not_visible_and_missing_are_the_same_404(org, as_user):
    complaint = org.register(is_repeat=False)
    hidden = as_user("prod_member").get(f"{API}/{complaint.pk}")
    missing = as_user("prod_member").get(f"{API}/{complaint.pk + 1000}")
    by_number = as_user("prod_member").get(f"{API}/by-number/{complaint.number}")
    assert hidden.status_code == missing.status_code == by_number.status_code == 404
    assert hidden.json() == missing.json() == by_number.json() == NOT_FOUND


# ---------------------------------------------------------------- list


def test_list_filters(org, as_user):
    base = aware(2026, 3, 2, 9, 0)
    with clock.at(base + timedelta(days=1)):
        a = org.register(is_repeat=False, received_at=base)
        b = org.register(
            is_repeat=False,
            received_at=base + timedelta(hours=1),
            product_id=org.other_product.pk,
            batch_id=org.other_batch.pk,
            title="充电模块不充电",
        )
        c = org.register(is_repeat=False, received_at=base + timedelta(hours=2), line_down=True)
    closed = org.advance(
        org.register(is_repeat=False, received_at=base - timedelta(days=3)),
        "close_at_first_contact",
        actor="cs",
    )

    def numbers(**params):
        response = as_user("cs").get(API, params)
        assert response.status_code == 200
        return [item["number"] for item in response.json()["items"]]

    assert numbers() == [c.number, b.number, a.number]
    assert numbers(product=org.other_product.pk) == [b.number]
    assert numbers(severity=1) == [c.number]
    assert numbers(state="closed") == [closed.number]
    assert numbers(state="all", sort="oldest") == [closed.number, a.number, b.number, c.number]
    assert numbers(q="充电模块") == [b.number]
    assert numbers(received_from="2026-03-02", received_to="2026-03-02", state="all") == [
        c.number,
        b.number,
        a.number,
    ]
    assert numbers(stage="intake", customer=org.customer.pk) == [c.number, b.number, a.number]


def test_list_pages_by_cursor(org, as_user):
    base = aware(2026, 3, 2, 9, 0)
    with clock.at(base + timedelta(days=1)):
        made = [
            org.register(is_repeat=False, received_at=base + timedelta(minutes=i)).number
            for i in range(5)
        ]
    newest_first = made[::-1]
    client = as_user("cs")
    first = client.get(API, {"size": 2}).json()
    assert [i["number"] for i in first["items"]] == newest_first[:2]
    assert (first["count"], first["count_capped"], first["prev_cursor"]) == (5, False, None)
    second = client.get(API, {"size": 2, "after": first["next_cursor"]}).json()
    assert [i["number"] for i in second["items"]] == newest_first[2:4]
    third = client.get(API, {"size": 2, "after": second["next_cursor"]}).json()
    assert [i["number"] for i in third["items"]] == newest_first[4:]
    assert third["next_cursor"] is None
    back = client.get(API, {"size": 2, "before": second["prev_cursor"]}).json()
    assert [i["number"] for i in back["items"]] == newest_first[:2]


def test_list_shows_only_what_the_user_may_see(org, as_user):
    at_diagnosis(org)
    assert as_user("ts_member").get(API).json()["count"] == 1
    assert as_user("prod_member").get(API).json() == {
        "items": [],
        "next_cursor": None,
        "prev_cursor": None,
        "count": 0,
        "count_capped": False,
    }


def test_list_query_count_does_not_grow_with_page_size(org, as_user):
    category = Category.objects.get(code="appearance")
    for i in range(55):
        org.register(is_repeat=False, category_id=category.pk, title=f"问题 {i}")
    client = as_user("qe")
    client.get(API, {"size": 1})  # the token's first use writes last_used_at
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(API, {"size": size})
        assert len(response.json()["items"]) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[5] == counts[50]
    assert counts[50] <= 5


def test_read_query_count_does_not_grow_with_tasks_and_events(org, as_user):
    complaint = at_diagnosis(org)
    client = as_user("qe")
    client.get(f"{API}/{complaint.pk}")
    with CaptureQueriesContext(connection) as few:
        shown = len(client.get(f"{API}/{complaint.pk}/events").json())
        client.get(f"{API}/{complaint.pk}")
    for i in range(10):
        services.add_comment(actor=org["qe"], complaint_id=complaint.pk, body=f"备注 {i}")
        services.add_task(
            actor=org["qe"],
            complaint_id=complaint.pk,
            department_id=org.departments["prod"].pk,
            title=f"产线排查 {i}",
            due_at=clock.now() + timedelta(days=2),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{API}/{complaint.pk}/events")
        tasks = client.get(f"{API}/{complaint.pk}").json()["tasks"]
    assert len(response.json()) == shown + 20
    assert len(tasks) == 11
    assert len(few.captured_queries) == len(many.captured_queries)


# ---------------------------------------------------------------- update


def test_patch_changes_fields_and_records_why(org, as_user):
    complaint = org.register(is_repeat=False)
    response = patch(
        as_user("cs"),
        f"{API}/{complaint.pk}",
        {"version": 1, "title": "外壳开裂（已核实）", "quantity": 5, "reason": "客户补充信息"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["quantity"], body["version"]) == ("外壳开裂（已核实）", 5, 2)
    edit = complaint.events.get(kind="edited")
    assert edit.reason == "客户补充信息"
    assert sorted(c["field"] for c in edit.data["changes"]) == ["quantity", "title"]


def test_patch_with_a_stale_version_is_409_and_changes_nothing(org, as_user):
    complaint = org.register(is_repeat=False)
    services.update_complaint(actor=org["qe"], complaint_id=complaint.pk, changes={"quantity": 4})
    before = database_snapshot()
    response = patch(as_user("cs"), f"{API}/{complaint.pk}", {"version": 1, "title": "改标题"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Someone else changed this complaint while you were editing it. "
        "Reload to see their changes, then apply yours again.",
        "field": "version",
        "code": "conflict",
        "errors": {
            "version": [
                "Someone else changed this complaint while you were editing it. "
                "Reload to see their changes, then apply yours again."
            ]
        },
        "current_version": 2,
    }
    assert database_snapshot() == before
    complaint.refresh_from_db()
    assert (complaint.title, complaint.version) == ("控制器外壳开裂", 2)


def test_patch_without_version_is_422(org, as_user):
    complaint = org.register(is_repeat=False)
    response = patch(as_user("cs"), f"{API}/{complaint.pk}", {"title": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "version"


# ---------------------------------------------------------------- grade


def test_grade_override_and_back_to_rules(org, as_user):
    complaint = org.register(is_repeat=False)
    url = f"{API}/{complaint.pk}/grade"
    no_reason = post(as_user("qe"), url, {"severity": 1})
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "reason"
    override = post(as_user("qe"), url, {"severity": 1, "reason": "涉及整车安全", "version": 1})
    assert override.status_code == 200
    assert (override.json()["severity"], override.json()["severity_source"]) == (1, "override")
    assert override.json()["severity_basis"] == "涉及整车安全"
    back = post(as_user("qe"), url, {"severity": None})
    assert (back.json()["severity"], back.json()["severity_source"]) == (3, "default")


# ---------------------------------------------------------------- transitions


def names(response) -> list[str]:
    assert response.status_code == 200
    return [t["name"] for t in response.json()]


def test_transitions_offered_depend_on_the_role(org, as_user):
    complaint = at_diagnosis(org)
    url = f"{API}/{complaint.pk}/transitions"
    assert names(as_user("cs").get(url)) == ["reject"]
    assert names(as_user("ts_member").get(url)) == ["complete_diagnosis"]
    assert names(as_user("qe").get(url)) == ["reject", "complete_diagnosis", "no_investigation"]
    assert names(as_user("exec").get(url)) == []
    assert as_user("ts_member").get(url).json() == [
        {
            "name": "complete_diagnosis",
            "label": "Diagnosis done",
            "target": "root_cause",
            "target_label": "Root-cause analysis",
            "requires": ["outcome"],
            "outcome_label": "Diagnosis: first cause judgement, reproduction, containment",
            "allowed": True,
            "blocked_reason": None,
        }
    ]


def test_a_blocked_transition_says_why(org, as_user):
    uncategorised = org.register(is_repeat=False, category_id=None)
    complaint = org.advance(uncategorised, "acknowledge", actor="cs")
    offered = as_user("cs").get(f"{API}/{complaint.pk}/transitions").json()
    confirm = next(t for t in offered if t["name"] == "confirm_grade")
    assert (confirm["allowed"], confirm["blocked_reason"]) == (False, "Choose a category first.")


def test_take_a_transition(org, as_user):
    complaint = org.register(is_repeat=False)
    response = post(as_user("cs"), f"{API}/{complaint.pk}/transitions/acknowledge", {"version": 1})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["stage_label"], body["version"]) == (
        "classification",
        "Classification and grading",
        2,
    )
    assert [t["stage"] for t in body["tasks"]] == ["classification"]


def test_a_refused_transition_is_409_and_changes_nothing(org, as_user):
    uncategorised = org.register(is_repeat=False, category_id=None)
    complaint = org.advance(uncategorised, "acknowledge", actor="cs")
    before = database_snapshot()
    response = post(as_user("cs"), f"{API}/{complaint.pk}/transitions/confirm_grade", {})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Choose a category first.",
        "field": "transition",
        "code": "transition_refused",
        "errors": {"transition": ["Choose a category first."]},
    }
    assert database_snapshot() == before


def test_a_transition_outside_the_role_is_403_and_changes_nothing(org, as_user):
    complaint = at_diagnosis(org)
    before = database_snapshot()
    response = post(
        as_user("cs"), f"{API}/{complaint.pk}/transitions/complete_diagnosis", {"outcome": "x"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not take “Diagnosis done” on this complaint."
    assert response.json()["code"] == "not_allowed"
    assert database_snapshot() == before


def test_a_transition_missing_its_input_is_422(org, as_user):
    complaint = at_diagnosis(org)
    before = database_snapshot()
    url = f"{API}/{complaint.pk}/transitions/complete_diagnosis"
    response = post(as_user("ts_member"), url, {"outcome": "  "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"outcome": ["This field is required."]}
    assert database_snapshot() == before


def test_an_unknown_transition_is_400(org, as_user):
    complaint = org.register(is_repeat=False)
    response = post(as_user("cs"), f"{API}/{complaint.pk}/transitions/teleport", {})
    assert response.status_code == 400
    assert response.json()["detail"] == "Unknown transition “teleport”."


# ---------------------------------------------------------------- events, answer, comments, files


def test_events_come_in_chain_order(org, as_user):
    complaint = org.advance(org.register(is_repeat=False), "acknowledge", actor="cs")
    services.add_comment(actor=org["qe"], complaint_id=complaint.pk, body="请尽快处理")
    response = as_user("qe").get(f"{API}/{complaint.pk}/events")
    assert response.status_code == 200
    timeline = response.json()
    assert [(e["seq"], e["kind"]) for e in timeline] == [
        (1, "registered"),
        (2, "task_opened"),
        (3, "transition"),
        (4, "task_opened"),
        (5, "comment"),
    ]
    assert timeline[0]["prev_hash"] == ""
    for earlier, later in itertools.pairwise(timeline):
        assert later["prev_hash"] == earlier["hash"]
    assert timeline[2]["data"]["to"] == "classification"
    assert timeline[2]["actor"] == {"id": org["cs"].pk, "label": "cs"}
    assert timeline[4]["data"] == {"body": "请尽快处理"}
    assert events.verify_chain()[1] == []


def test_answer_comment_and_attachment(org, as_user):
    complaint = org.register(is_repeat=False)
    url = f"{API}/{complaint.pk}"
    answered = post(as_user("cs"), f"{url}/answer", {"text": "已安排更换。"})
    assert answered.status_code == 200
    assert answered.json()["customer_answer"] == "已安排更换。"
    commented = post(as_user("qe"), f"{url}/comments", {"body": "已联系供应商"})
    assert commented.status_code == 201
    assert commented.json()["kind"] == "comment"
    assert commented.json()["data"] == {"body": "已联系供应商"}
    upload = SimpleUploadedFile("检验报告.txt", "外壳开裂 3 台".encode(), "text/plain")
    attached = as_user("qe").post(f"{url}/attachments", {"file": upload})
    assert attached.status_code == 201
    assert attached.json()["name"] == "检验报告.txt"
    assert attached.json()["content_type"] == "text/plain"
    files = as_user("qe").get(url).json()["attachments"]
    assert [f["name"] for f in files] == ["检验报告.txt"]


def test_attachment_of_a_refused_type_is_400_and_stores_nothing(org, as_user):
    complaint = org.register(is_repeat=False)
    before = database_snapshot()
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream")
    response = as_user("qe").post(f"{API}/{complaint.pk}/attachments", {"file": upload})
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert database_snapshot() == before


# ---------------------------------------------------------------- permission matrix


# (method, path after /complaints/{id}, body, allowed user and status, wrong-role user or None)
MATRIX = [
    ("post", None, lambda org, c: intake(org), ("cs", 201), "ts_member"),
    ("get", "", None, ("ts_member", 200), None),
    ("get", "by-number", None, ("ts_member", 200), None),
    (
        "patch",
        "",
        lambda org, c: {"version": c.version, "title": "新标题"},
        ("cs", 200),
        "ts_member",
    ),
    ("post", "/grade", lambda org, c: {"severity": 1, "reason": "安全"}, ("qe", 200), "cs"),
    ("get", "/transitions", None, ("ts_member", 200), None),
    (
        "post",
        "/transitions/complete_diagnosis",
        lambda org, c: {"outcome": "复现：外壳受力开裂"},
        ("ts_member", 200),
        "cs",
    ),
    ("get", "/events", None, ("ts_member", 200), None),
    ("post", "/answer", lambda org, c: {"text": "已安排更换。"}, ("cs", 200), "ts_member"),
    ("post", "/comments", lambda org, c: {"body": "已到现场"}, ("ts_member", 201), None),
    ("post", "/attachments", "file", ("ts_member", 201), None),
    (
        "get",
        lambda c: f"/attachments/{c.attachments.get().pk}",
        None,
        ("ts_member", 200),
        None,
    ),
    (
        "post",
        "/tasks",
        lambda org, c: {
            "department": org.departments["pur"].pk,
            "title": "核查供应商来料",
            "due_at": (timezone.now() + timedelta(days=2)).isoformat(),
        },
        ("qe", 201),
        "cs",
    ),
    (
        "post",
        lambda c: f"/tasks/{c.tasks.get(kind='stage', status='open').pk}/assign",
        lambda org, c: {"assignee": org["ts_member"].pk},
        ("ts_head", 200),
        "cs",
    ),
    (
        "post",
        lambda c: f"/tasks/{c.tasks.exclude(kind='stage').get().pk}/complete",
        lambda org, c: {"outcome": "结构复核无问题"},
        ("rnd_member", 200),
        "cs",
    ),
]


def _call(client, org, complaint, method, suffix, body):
    if suffix is None:
        path = API
    elif suffix == "by-number":
        path = f"{API}/by-number/{complaint.number}"
    else:
        path = f"{API}/{complaint.pk}{suffix(complaint) if callable(suffix) else suffix}"
    if body == "file":
        upload = SimpleUploadedFile("现场照片.txt", "现场记录".encode(), "text/plain")
        return client.post(path, {"file": upload})
    if method == "get":
        return client.get(path)
    payload = body(org, complaint)
    return getattr(client, method)(path, payload, content_type="application/json")


@pytest.mark.parametrize(
    ("method", "suffix", "body", "allowed", "wrong"),
    MATRIX,
    ids=[f"{m} {s if isinstance(s, str) else ('/…' if s else '/')}" for m, s, *_ in MATRIX],
)
def test_permission_matrix(org, as_user, method, suffix, body, allowed, wrong):
    complaint = at_diagnosis(org)
    # R&D is asked for a check and a file is on record: the task and download endpoints
    # have something to act on, and production stays uninvolved.
    services.add_task(
        actor=org["qe"],
        complaint_id=complaint.pk,
        department_id=org.departments["rnd"].pk,
        title="结构设计复核",
        due_at=timezone.now() + timedelta(days=3),
    )
    services.add_attachment(
        actor=org["qe"],
        complaint_id=complaint.pk,
        upload=SimpleUploadedFile("检验记录.txt", "抽检20台".encode()),
    )
    complaint.refresh_from_db()

    def unchanged(response, status):
        assert response.status_code == status, response.content[:300]
        assert database_snapshot() == before
        assert Complaint.objects.get(pk=complaint.pk).version == complaint.version

    before = database_snapshot()
    anonymous = Client(headers={"Accept-Language": "en"})
    unchanged(_call(anonymous, org, complaint, method, suffix, body), 401)
    if wrong:
        unchanged(_call(as_user(wrong), org, complaint, method, suffix, body), 403)
    # Production is not involved in this complaint: it does not exist for them.
    other = 403 if suffix is None else 404
    unchanged(_call(as_user("prod_member"), org, complaint, method, suffix, body), other)

    username, status = allowed
    response = _call(as_user(username), org, complaint, method, suffix, body)
    assert response.status_code == status, response.content[:300]


def test_every_endpoint_is_in_the_matrix():
    from qualityloop.api import api

    paths = api.get_openapi_schema()["paths"]
    operations = {
        (m, p) for p, ops in paths.items() for m, op in ops.items() if "complaints" in op["tags"]
    }
    assert len(operations) == len(MATRIX) + 1  # the list is checked by visibility above


# ---------------------------------------------------------------- concurrency (PostgreSQL)


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks and parallel connections"
)


@pytest.mark.postgres_only
@needs_postgres
def test_parallel_registrations_get_distinct_numbers(org_tx):
    org = org_tx
    raw = token_for(org["cs"])
    body = intake(org)

    def register(i):
        return post(bearer(raw), API, {**body, "title": f"并发 {i}"})

    responses = in_parallel(8, register)
    assert [r for r in responses if isinstance(r, BaseException)] == []
    assert [r.status_code for r in responses] == [201] * 8
    numbers = {r.json()["number"] for r in responses}
    assert len(numbers) == 8
    assert Complaint.objects.count() == 8


@pytest.mark.postgres_only
@needs_postgres
def test_same_idempotency_key_at_once_makes_one_complaint(org_tx):
    org = org_tx
    raw = token_for(org["cs"])
    body = intake(org)

    def register(i):
        return post(bearer(raw), API, body, **{"Idempotency-Key": "order-88"})

    responses = in_parallel(4, register)
    assert [r for r in responses if isinstance(r, BaseException)] == []
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Complaint.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_tasks_and_downloads_through_the_api(org, as_user):
    complaint = at_diagnosis(org)
    url = f"{API}/{complaint.pk}"
    due = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    added = post(
        as_user("qe"),
        f"{url}/tasks",
        {"department": org.departments["prod"].pk, "title": "产线排查", "due_at": due.isoformat()},
    )
    assert added.status_code == 201
    task = added.json()
    assert (task["title"], task["department"]["id"], task["is_stage_task"]) == (
        "产线排查",
        org.departments["prod"].pk,
        False,
    )
    refused = post(as_user("prod_head"), f"{url}/tasks/{task['id']}/assign", {"assignee": 999})
    assert (refused.status_code, refused.json()["field"]) == (422, "assignee")
    assigned = post(
        as_user("prod_head"),
        f"{url}/tasks/{task['id']}/assign",
        {"assignee": org["prod_member"].pk},
    )
    assert assigned.json()["assignee"] == {"id": org["prod_member"].pk, "label": "prod_member"}
    done = post(as_user("prod_member"), f"{url}/tasks/{task['id']}/complete", {"outcome": "正常"})
    assert done.json()["status"] == "done"
    kinds = [e["kind"] for e in as_user("qe").get(f"{url}/events").json()][-3:]
    assert kinds == ["task_opened", "task_assigned", "task_completed"]

    upload = SimpleUploadedFile("检验记录.txt", "抽检20台，3台开裂".encode())
    attached = as_user("qe").post(f"{url}/attachments", {"file": upload}).json()
    got = as_user("ts_member").get(f"{url}/attachments/{attached['id']}")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == "抽检20台，3台开裂".encode()
    assert got["X-Content-Type-Options"] == "nosniff"
    assert as_user("qe").get(f"{url}/attachments/{attached['id'] + 1}").status_code == 404
