"""The server-rendered pages: registering, the list, the complaint page, downloads, language."""

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qualityloop.complaints import services
from qualityloop.complaints.forms import EditForm
from qualityloop.complaints.models import Attachment, Category, Complaint, ComplaintEvent
from qualityloop.core import clock
from qualityloop.testing import assert_audit_event, aware, database_snapshot, login

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
NUMBER = re.compile(r"QC-\d{4}-\d{6}")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def text(response) -> str:
    return response.content.decode()


def numbers(response) -> list[str]:
    """Complaint numbers in the list table, in order, each once."""
    found = NUMBER.findall(text(response).split('id="complaint-table"', 1)[1])
    return list(dict.fromkeys(found))


def appearance() -> Category:
    return Category.objects.get(code="appearance")


def in_diagnosis(org, **data) -> Complaint:
    complaint = org.register(category_id=appearance().pk, **data)
    return org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")


def form_value(value) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def edit_payload(complaint, **changes) -> dict:
    """What the edit form posts when the user changes ``changes`` and nothing else."""
    data = {}
    for name, value in EditForm.initial_from(complaint).items():
        posted = form_value(value)
        if posted is not None:
            data[name] = posted
    data.update(changes)
    return data


def register_payload(org, **overrides) -> dict:
    data = {
        "complainant_name": "李工",
        "complainant_org": "华东汽车零部件有限公司",
        "complainant_phone": "13900000000",
        "complainant_type": "customer",
        "customer": str(org.customer.pk),
        "product": str(org.product.pk),
        "batch": str(org.batch.pk),
        "quantity": "12",
        "title": "控制器通电后无输出",
        "description": "客户产线上12台控制器通电后无输出，已隔离。",
        "channel": "phone",
        "scope": "1",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- access to every page


@pytest.fixture
def case(org):
    """A complaint in diagnosis with an extra task for production."""
    complaint = in_diagnosis(org)
    extra = services.add_task(
        actor=org["qe"],
        complaint_id=complaint.pk,
        department_id=org.departments["prod"].pk,
        title="检查产线",
        due_at=clock.now() + timedelta(days=2),
    )
    attachment = services.add_attachment(
        actor=org["qe"],
        complaint_id=complaint.pk,
        upload=SimpleUploadedFile("测试报告.txt", "检验结果：外壳裂纹".encode()),
    )
    complaint.refresh_from_db()
    return {
        "complaint": complaint,
        "extra": extra,
        "stage_task": services.current_stage_task(complaint),
        "attachment": attachment,
    }


def page_urls(case) -> dict[str, str]:
    pk = case["complaint"].pk
    return {
        "home": "/",
        "my-work": "/my-work/",
        "list": "/complaints/",
        "register": "/complaints/new/",
        "related": "/complaints/new/related/?product=1",
        "detail": f"/complaints/{pk}/",
        "transition-form": f"/complaints/{pk}/transitions/complete_diagnosis/",
        "download": f"/attachments/{case['attachment'].pk}/",
    }


@pytest.mark.parametrize(
    "page",
    ["home", "my-work", "list", "register", "related", "detail", "transition-form", "download"],
)
def test_anonymous_is_sent_to_login(org, case, page):
    url = page_urls(case)[page]
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    ("page", "username", "status"),
    [
        ("my-work", "prod_member", 200),
        ("list", "exec", 200),
        ("register", "cs", 200),
        ("register", "ts_member", 403),
        ("register", "exec", 403),
        ("related", "qe", 200),
        ("related", "ts_head", 403),
        ("detail", "ts_member", 200),
        ("detail", "exec", 200),
        ("detail", "rnd_member", 404),
        ("transition-form", "ts_member", 200),
        ("transition-form", "cs", 403),
        ("transition-form", "rnd_member", 404),
        ("download", "prod_member", 200),
        ("download", "rnd_member", 404),
    ],
)
def test_page_access(org, case, page, username, status):
    response = login(org[username]).get(page_urls(case)[page], **EN)
    assert response.status_code == status


def test_department_scope(org):
    """Technical support sees a complaint once it owes diagnosis; production does not."""
    complaint = in_diagnosis(org)
    assert login(org["ts_member"]).get(f"/complaints/{complaint.pk}/").status_code == 200
    assert login(org["prod_member"]).get(f"/complaints/{complaint.pk}/").status_code == 404
    listed = login(org["ts_member"]).get("/complaints/", **EN)
    assert numbers(listed) == [complaint.number]
    assert numbers(login(org["prod_member"]).get("/complaints/", **EN)) == []


def action(case, name, org):
    """(url, valid POST data, check that the change happened) for each POST view."""
    c = case["complaint"]
    pk = c.pk
    due = timezone.localtime(clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

    def fresh():
        return Complaint.objects.get(pk=pk)

    return {
        "transition": (
            f"/complaints/{pk}/transitions/complete_diagnosis/",
            {"version": c.version, "outcome": "复现：外壳受力开裂，已隔离库存"},
            lambda: fresh().status == "root_cause",
        ),
        "edit": (
            f"/complaints/{pk}/edit/",
            edit_payload(c, title="控制器外壳开裂（3台）"),
            lambda: fresh().title == "控制器外壳开裂（3台）",
        ),
        "grade": (
            f"/complaints/{pk}/grade/",
            {"version": c.version, "severity": "1", "reason": "客户产线停线"},
            lambda: fresh().severity == 1 and fresh().severity_basis == "客户产线停线",
        ),
        "answer": (
            f"/complaints/{pk}/answer/",
            {"version": c.version, "text": "已安排更换3台控制器。"},
            lambda: fresh().customer_answer == "已安排更换3台控制器。",
        ),
        "comment": (
            f"/complaints/{pk}/comments/",
            {"body": "已联系客户确认批次"},
            lambda: ComplaintEvent.objects.filter(
                complaint_id=pk, kind="comment", data__body="已联系客户确认批次"
            ).exists(),
        ),
        "attach": (
            f"/complaints/{pk}/attachments/",
            {"file": SimpleUploadedFile("现场照片.png", PNG)},
            lambda: Attachment.objects.filter(
                complaint_id=pk, original_name="现场照片.png"
            ).exists(),
        ),
        "add-task": (
            f"/complaints/{pk}/tasks/",
            {"department": org.departments["rnd"].pk, "title": "评估设计余量", "due_at": due},
            lambda: fresh().tasks.filter(title="评估设计余量").exists(),
        ),
        "assign": (
            f"/complaints/{pk}/tasks/{case['stage_task'].pk}/assign/",
            {"assignee": org["ts_member"].pk},
            lambda: fresh().tasks.get(pk=case["stage_task"].pk).assignee_id == org["ts_member"].pk,
        ),
        "complete": (
            f"/complaints/{pk}/tasks/{case['extra'].pk}/complete/",
            {"outcome": "产线工装已校准"},
            lambda: fresh().tasks.get(pk=case["extra"].pk).status == "done",
        ),
    }[name]


ACTIONS = [
    "transition",
    "edit",
    "grade",
    "answer",
    "comment",
    "attach",
    "add-task",
    "assign",
    "complete",
]


@pytest.mark.parametrize("name", ACTIONS)
def test_post_anonymous_changes_nothing(org, case, name):
    url, data, _changed = action(case, name, org)
    before = database_snapshot()
    response = Client().post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("name", "username", "status"),
    [
        ("transition", "exec", 403),
        ("transition", "cs", 403),
        ("transition", "rnd_member", 404),
        ("edit", "exec", 403),
        ("edit", "ts_head", 403),
        ("grade", "cs", 403),
        ("answer", "exec", 403),
        ("answer", "ts_member", 403),
        ("comment", "rnd_member", 404),
        ("attach", "rnd_member", 404),
        ("add-task", "cs", 403),
        ("add-task", "ts_member", 403),
        ("assign", "ts_member", 403),
        ("assign", "prod_head", 403),
        ("complete", "cs", 403),
        ("complete", "ts_member", 403),
    ],
)
def test_post_refused_changes_nothing(org, case, name, username, status):
    url, data, changed = action(case, name, org)
    before = database_snapshot()
    version = case["complaint"].version
    response = login(org[username]).post(url, data, **EN)
    assert response.status_code == status
    assert database_snapshot() == before
    assert Complaint.objects.get(pk=case["complaint"].pk).version == version
    assert not changed()


@pytest.mark.parametrize(
    ("name", "username"),
    [
        ("transition", "qe"),
        ("transition", "ts_member"),
        ("edit", "cs"),
        ("grade", "qe"),
        ("answer", "cs"),
        ("comment", "ts_member"),
        ("attach", "prod_member"),
        ("add-task", "ts_head"),
        ("assign", "ts_head"),
        ("complete", "prod_member"),
    ],
)
def test_post_allowed_changes_and_redirects(org, case, name, username):
    url, data, changed = action(case, name, org)
    response = login(org[username]).post(url, data, **EN)
    assert response.status_code == 302, text(response)
    assert response["Location"] == f"/complaints/{case['complaint'].pk}/"
    assert changed()


@pytest.mark.parametrize("name", ["comment", "grade", "assign"])
def test_post_allowed_by_htmx_rerenders_the_page_region(org, case, name):
    url, data, changed = action(case, name, org)
    response = login(org["qe"]).post(url, data, **HX)
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith('<div id="main"')
    assert "<html" not in body
    assert changed()


# ---------------------------------------------------------------- registration


def test_register_through_the_form(org):
    client = login(org["cs"])
    response = client.post(
        "/complaints/new/",
        register_payload(
            org,
            attachments=[
                SimpleUploadedFile("检验报告.txt", "外观检验：3台开裂".encode()),
                SimpleUploadedFile("照片.png", PNG),
            ],
        ),
        **EN,
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/complaints/{complaint.pk}/"
    assert complaint.title == "控制器通电后无输出"
    assert complaint.quantity == 12
    assert complaint.batch == org.batch
    assert complaint.received_by == org["cs"]
    assert sorted(complaint.attachments.values_list("original_name", flat=True)) == [
        "检验报告.txt",
        "照片.png",
    ]
    assert_audit_event(complaint, "registered", number=complaint.number)

    page = text(client.get(response["Location"], **EN))
    assert f"Complaint {complaint.number} registered." in page
    assert "控制器通电后无输出" in page
    assert "检验报告.txt" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"product": "99999"}, "product", "Select a valid choice."),
        ({"batch": "OTHER"}, "batch", "Batch L2026-0402 belongs to another product."),
        ({"description": "坏" * (5 * 1024 * 1024 // 3)}, "description", "at most 20000"),
        ({"attachments": "TEXT_PNG"}, "attachments", "does not match its name (.png)"),
        ({"complainant_email": "not-an-address"}, "complainant_email", "valid email"),
    ],
)
def test_register_rejects_bad_input_next_to_the_field(org, overrides, field, message):
    if overrides.get("batch") == "OTHER":
        overrides = {"batch": str(org.other_batch.pk)}
    if overrides.get("attachments") == "TEXT_PNG":
        overrides = {"attachments": [SimpleUploadedFile("photo.png", b"just some text")]}
    before = database_snapshot()
    response = login(org["cs"]).post(
        "/complaints/new/", register_payload(org, complainant_name="赵六", **overrides), **EN
    )
    assert response.status_code == 200
    body = text(response)
    error = re.search(rf'<p class="error-text" id="id_{field}_error">([^<]*)</p>', body)
    assert error is not None, f"no error next to {field}"
    assert message in html.unescape(error.group(1))
    assert 'value="赵六"' in body  # what the user typed is still there
    assert database_snapshot() == before


def test_script_in_the_subject_is_shown_as_text(org):
    client = login(org["cs"])
    response = client.post(
        "/complaints/new/", register_payload(org, title="<script>alert(1)</script>"), **EN
    )
    assert response.status_code == 302
    page = text(client.get(response["Location"], **EN))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_register_page_suggests_earlier_complaints_on_product_and_batch(org):
    earlier = org.register(title="同批次外壳开裂")
    other = org.register(
        product_id=org.other_product.pk, batch_id=org.other_batch.pk, title="充电模块过热"
    )
    client = login(org["cs"])
    form = text(client.get("/complaints/new/", **EN))
    assert 'hx-get="/complaints/new/related/"' in form
    response = client.get(
        f"/complaints/new/related/?product={org.product.pk}&batch={org.batch.pk}", **HX
    )
    body = text(response)
    assert body.lstrip().startswith('<div id="related">')
    assert earlier.number in body and "同批次外壳开裂" in body
    assert other.number not in body
    assert f"/complaints/{earlier.pk}/" in body


# ---------------------------------------------------------------- the list


def test_each_filter_narrows_the_list(org):
    delivery = Category.objects.get(code="delivery")
    with clock.at(aware(2026, 3, 2, 10, 0)):
        first = org.register(category_id=appearance().pk, title="外壳开裂")
    with clock.at(aware(2026, 3, 9, 10, 0)):
        second = org.register(
            product_id=org.other_product.pk,
            batch_id=org.other_batch.pk,
            customer_id=None,
            category_id=delivery.pk,
            safety_or_regulatory=True,
            title="充电模块冒烟",
        )
        third = org.advance(
            org.register(title="标签印错", is_repeat=False), "close_at_first_contact", actor="cs"
        )
        fourth = in_diagnosis(org, title="控制器噪音", batch_id=None, is_repeat=False)
    client = login(org["qe"])

    def listed(query):
        response = client.get("/complaints/?" + query, **EN)
        assert response.status_code == 200
        return set(numbers(response))

    assert listed("") == {first.number, second.number, fourth.number}
    assert listed(f"product={org.other_product.pk}") == {second.number}
    assert listed("severity=1") == {second.number}
    assert listed(f"category={appearance().parent_id}") == {first.number, fourth.number}
    assert listed(f"category={delivery.pk}") == {second.number}
    assert listed(f"customer={org.customer.pk}") == {first.number, fourth.number}
    assert listed("state=closed") == {third.number}
    assert listed("state=all") == {first.number, second.number, third.number, fourth.number}
    assert listed("stage=diagnosis") == {fourth.number}
    assert listed(f"department={org.departments['ts'].pk}") == {fourth.number}
    assert listed("received_from=2026-03-01&received_to=2026-03-05") == {first.number}
    assert listed("received_from=2026-03-06") == {second.number, fourth.number}
    assert listed("q=冒烟") == {second.number}


def test_invalid_filter_shows_the_error_not_a_crash(org):
    complaint = org.register()
    response = login(org["qe"]).get("/complaints/?severity=9&received_from=yesterday", **EN)
    assert response.status_code == 200
    body = html.unescape(text(response))
    assert "Severity: Select a valid choice. 9 is not one of the available choices." in body
    assert "Received from: Enter a valid date." in body
    assert numbers(response) == [complaint.number]


def test_chinese_search(org):
    crack = org.register(title="屏幕出现裂纹", description="客户反馈屏幕出现裂纹。")
    org.register(title="电池鼓包", description="电池鼓包，外壳变形。", is_repeat=False)
    response = login(org["cs"]).get("/complaints/?q=裂纹", **EN)
    assert numbers(response) == [crack.number]
    assert "1 complaint" in text(response)


def test_keyset_paging_keeps_filters(org):
    made = []
    for n in range(30):
        with clock.at(aware(2026, 1, 1, 8, 0) + timedelta(hours=n)):
            made.append(org.register(title=f"投诉{n}", is_repeat=False).number)
    newest_first = list(reversed(made))
    client = login(org["qe"])
    first = client.get("/complaints/?sort=newest", **EN)
    assert numbers(first) == newest_first[:25]
    assert "30 complaints" in text(first)
    next_url = html.unescape(re.search(r'rel="next" href="([^"]+)"', text(first)).group(1))
    assert "sort=newest" in next_url and "after=" in next_url

    second = client.get("/complaints/" + next_url, **EN)
    assert numbers(second) == newest_first[25:]
    assert 'rel="next"' not in text(second)
    prev_url = html.unescape(re.search(r'rel="prev" href="([^"]+)"', text(second)).group(1))
    assert "before=" in prev_url and "after=" not in prev_url

    back = client.get("/complaints/" + prev_url, **EN)
    assert numbers(back) == newest_first[:25]


def test_htmx_request_gets_only_the_table(org):
    complaint = org.register()
    response = login(org["qe"]).get("/complaints/?state=open", **HX)
    body = text(response)
    assert body.lstrip().startswith('<section id="complaint-table"')
    assert "<html" not in body and "<form" not in body
    assert complaint.number in body
    assert "HX-Request" in response["Vary"]
    full = text(login(org["qe"]).get("/complaints/", **EN))
    assert 'hx-get="/complaints/"' in full and 'hx-push-url="true"' in full
    assert 'hx-target="#complaint-table"' in full


def test_list_query_count_does_not_grow_with_page_size(org):
    for n in range(12):
        complaint = org.register(title=f"投诉{n}", category_id=appearance().pk, is_repeat=False)
        if n % 2:
            org.advance(complaint, "acknowledge", actor="cs")
    client = login(org["qe"])
    client.get("/complaints/", **EN)  # session and translations warmed up

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/complaints/?size={size}&category={appearance().pk}", **EN)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(numbers(response))

    small, small_rows = count(5)
    large, large_rows = count(50)
    assert (small_rows, large_rows) == (5, 12)
    assert small == large
    assert large <= 15


# ---------------------------------------------------------------- my work


def test_my_work_lists_overdue_first_in_red(org):
    with clock.at(aware(2026, 3, 2, 9, 0)):
        late = in_diagnosis(org, title="早到的投诉")
    with clock.at(aware(2026, 3, 9, 9, 0)):
        fresh = in_diagnosis(org, title="新投诉", is_repeat=False)
    with clock.at(aware(2026, 3, 10, 9, 0)):
        response = login(org["ts_member"]).get("/my-work/", **EN)
    body = text(response)
    assert NUMBER.findall(body) == [late.number, fresh.number]
    assert body.count('class="overdue"') == 1
    assert "overdue by 5\xa0days" in body


# ---------------------------------------------------------------- the complaint page


def test_detail_shows_grade_basis_stage_and_timeline(org):
    complaint = org.register(requested_remedy="return", purchase_date=date(2020, 1, 1))
    page = text(login(org["qe"]).get(f"/complaints/{complaint.pk}/", **EN))
    assert "rule: 要求退货或索赔 Return or claim requested" in page
    assert '<span class="badge orange">Major (重要)</span>' in page
    assert '<li class="step current" aria-current="step"><span class="step-no">1</span>' in page
    assert '<strong class="flag">Out of warranty</strong>' in page
    assert "<strong>Registered</strong> · " + complaint.number in page


def test_blocked_transition_is_shown_disabled_with_its_reason(org):
    complaint = org.advance(org.register(category_id=None), "acknowledge", actor="cs")
    page = text(login(org["cs"]).get(f"/complaints/{complaint.pk}/", **EN))
    assert re.search(
        r'<button type="button" class="btn primary" disabled[^>]*>Confirm category and grade'
        r"</button>\s*<small[^>]*>Choose a category first.</small>",
        page,
    )


def test_transition_through_the_page_with_htmx(org):
    complaint = in_diagnosis(org)
    client = login(org["ts_member"])
    form = text(client.get(f"/complaints/{complaint.pk}/transitions/complete_diagnosis/", **HX))
    assert form.lstrip().startswith("<form")
    assert "Diagnosis: first cause judgement, reproduction, containment" in form
    assert f'name="version" value="{complaint.version}"' in form

    response = client.post(
        f"/complaints/{complaint.pk}/transitions/complete_diagnosis/",
        {"version": complaint.version, "outcome": "复现成功：外壳材料批次强度不足"},
        **HX,
    )
    assert response.status_code == 200
    body = text(response)
    assert '<span class="badge blue">Root-cause analysis</span>' in body
    assert "复现成功：外壳材料批次强度不足" in body  # in the timeline and the task outcome
    assert Complaint.objects.get(pk=complaint.pk).status == "root_cause"
    assert_audit_event(
        complaint,
        "transition",
        transition="complete_diagnosis",
        to="root_cause",
        outcome="复现成功：外壳材料批次强度不足",
    )


def test_refused_transition_shows_its_message_and_changes_nothing(org):
    complaint = org.advance(org.register(category_id=None), "acknowledge", actor="cs")
    before = database_snapshot()
    response = login(org["cs"]).post(
        f"/complaints/{complaint.pk}/transitions/confirm_grade/",
        {"version": complaint.version},
        **HX,
    )
    assert response.status_code == 200
    assert '<p class="alert error" role="alert">Choose a category first.</p>' in text(response)
    assert database_snapshot() == before
    assert Complaint.objects.get(pk=complaint.pk).status == "classification"


def test_transition_missing_input_keeps_what_was_typed(org):
    complaint = org.register()
    before = database_snapshot()
    response = login(org["cs"]).post(
        f"/complaints/{complaint.pk}/transitions/reject/",
        {"version": complaint.version, "explanation": "非我司产品，请联系原厂。"},
        **EN,
    )
    assert response.status_code == 422
    body = text(response)
    assert re.search(r'id="transition-reason_error">This field is required.<', body)
    assert "非我司产品，请联系原厂。</textarea>" in body
    assert database_snapshot() == before


def test_stale_edit_is_a_conflict_and_keeps_the_input(org):
    complaint = org.register()
    stale = edit_payload(complaint, title="客户要求更换的3台控制器")
    services.add_comment(actor=org["qe"], complaint_id=complaint.pk, body="先到一步")
    before = database_snapshot()
    response = login(org["cs"]).post(f"/complaints/{complaint.pk}/edit/", stale, **HX)
    assert response.status_code == 200
    body = text(response)
    assert "Someone else changed this complaint while you were editing it." in body
    assert 'value="客户要求更换的3台控制器"' in body
    assert '<details class="subform" open>' in body
    assert database_snapshot() == before
    assert Complaint.objects.get(pk=complaint.pk).title == "控制器外壳开裂"


def test_edit_shows_labels_in_the_timeline(org):
    complaint = org.register()
    client = login(org["cs"])
    response = client.post(
        f"/complaints/{complaint.pk}/edit/",
        edit_payload(complaint, title="外壳开裂（批量）", scope="3", reason="客户补充信息"),
        **EN,
    )
    assert response.status_code == 302
    page = html.unescape(text(client.get(response["Location"], **EN)))
    assert re.search(
        r"Subject: </span><del>控制器外壳开裂</del>.*<ins>外壳开裂（批量）</ins>", page
    )
    assert re.search(r"Scope: </span><del>A single unit</del>.*<ins>A batch</ins>", page)
    assert re.search(r"Severity: </span><del>Minor \(一般\)</del>.*<ins>Major \(重要\)</ins>", page)
    assert 'Basis: </span><span class="pre">批量问题 Batch problem</span>' in page
    assert 'Reason: </span><span class="pre">客户补充信息</span>' in page
    event = assert_audit_event(complaint, "edited")
    assert {c["field"] for c in event.data["changes"]} == {"title", "scope"}


def test_grade_back_to_rules(org):
    complaint = org.register()
    services.override_grade(
        actor=org["qe"], complaint_id=complaint.pk, severity=1, reason="客户高层投诉"
    )
    complaint.refresh_from_db()
    response = login(org["qe"]).post(
        f"/complaints/{complaint.pk}/grade/", {"version": complaint.version, "severity": ""}, **EN
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.severity, complaint.severity_source) == (3, "default")


def test_grade_override_without_reason_is_refused_next_to_the_field(org):
    complaint = org.register()
    before = database_snapshot()
    response = login(org["qe"]).post(
        f"/complaints/{complaint.pk}/grade/",
        {"version": complaint.version, "severity": "1", "reason": ""},
        **HX,
    )
    assert response.status_code == 200
    assert re.search(r'id="grade-reason_error">Say why you override the grade.<', text(response))
    assert database_snapshot() == before


# ---------------------------------------------------------------- language and downloads


@pytest.mark.parametrize(
    ("accept", "lang"), [("en", "en"), ("zh-hans", "zh-hans"), ("zh-CN,zh;q=0.9", "zh-hans")]
)
def test_page_language_follows_the_browser(org, accept, lang):
    response = login(org["cs"]).get("/complaints/", HTTP_ACCEPT_LANGUAGE=accept)
    assert f'<html lang="{lang}">' in text(response)


def test_language_switcher(org):
    client = login(org["cs"])
    page = text(client.get("/complaints/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert 'action="/i18n/setlang/"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/complaints/"})
    assert response.status_code == 302
    assert '<html lang="en">' in text(client.get("/complaints/", HTTP_ACCEPT_LANGUAGE="zh-hans"))


def test_download_sends_the_bytes_with_nosniff(org):
    complaint = org.register()
    services.add_attachment(
        actor=org["cs"],
        complaint_id=complaint.pk,
        upload=SimpleUploadedFile("报告.txt", "<html>不是网页</html>".encode()),
    )
    services.add_attachment(
        actor=org["cs"], complaint_id=complaint.pk, upload=SimpleUploadedFile("a.png", PNG)
    )
    text_file, image = Attachment.objects.order_by("id")
    client = login(org["qe"])
    response = client.get(f"/attachments/{text_file.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "<html>不是网页</html>".encode()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    inline = client.get(f"/attachments/{image.pk}/")
    assert inline["Content-Disposition"].startswith("inline;")
    assert b"".join(inline.streaming_content) == PNG


def test_download_of_an_invisible_complaint_is_404(org):
    complaint = org.register()
    services.add_attachment(
        actor=org["cs"], complaint_id=complaint.pk, upload=SimpleUploadedFile("a.txt", b"x")
    )
    attachment = Attachment.objects.get()
    assert login(org["prod_member"]).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert login(org["qe"]).get(f"/attachments/{attachment.pk + 1}/").status_code == 404


def test_htmx_request_after_the_session_ended_reloads_to_login(client, org):
    response = client.get("/complaints/", {"q": "开裂"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        response["HX-Redirect"] == "/login/?next=/complaints/%3Fq%3D%25E5%25BC%2580%25E8%25A3%2582"
    )
