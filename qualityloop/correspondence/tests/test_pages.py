"""The message panel on the complaint page, for each kind of user."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qualityloop.correspondence import services
from qualityloop.correspondence.models import Message, MessageTemplate
from qualityloop.testing import aware, database_snapshot, free_port, login, use_smtp

from .helpers import in_diagnosis

HX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def urls(complaint, message_id=0) -> dict[str, str]:
    base = f"/complaints/{complaint.pk}/messages/"
    return {
        "panel": base,
        "preview": f"{base}preview/?template=progress",
        "send": f"{base}send/",
        "record": f"{base}received/",
        "resend": f"{base}{message_id}/resend/",
    }


SEND = {"template": "", "language": "zh-hans", "channel": "email", "subject": "Hi", "body": "Hi"}
RECORD = {"channel": "phone", "occurred_at": "", "sender": "", "subject": "", "body": "来电"}


@pytest.fixture
def complaint(org):
    complaint = in_diagnosis(org, complainant_email="wang@example.com")
    failed = services.send_message(
        actor=org["cs"], complaint_id=complaint.pk, subject="第一封", body="正文一"
    )
    Message.objects.filter(pk=failed.pk).update(
        status="failed", error="ConnectionRefusedError: [Errno 111] Connection refused"
    )
    services.record_received(
        actor=org["cs"], complaint_id=complaint.pk, channel="phone", body="客户来电催促"
    )
    complaint.failed = failed
    return complaint


def test_the_complaint_page_loads_the_panel_with_htmx(org, complaint):
    response = login(org["cs"]).get(f"/complaints/{complaint.pk}/")
    assert response.status_code == 200
    assert (
        f'hx-get="/complaints/{complaint.pk}/messages/" hx-trigger="load" hx-swap="outerHTML"'
        in text(response)
    )


def test_the_panel_shows_the_log_newest_first(org, complaint):
    response = login(org["ts_member"]).get(urls(complaint)["panel"], **HX)

    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith('<section class="card correspondence" id="correspondence"')
    entries = re.findall(r'<li class="message (in|out)" id="message-(\d+)">', page)
    received = Message.objects.get(direction="in")
    assert entries == [("in", str(received.pk)), ("out", str(complaint.failed.pk))]
    incoming, outgoing = page.split('<li class="message out"')
    assert "←" in incoming and "Phone" in incoming and "客户来电催促" in incoming
    assert "→" in outgoing and "E-mail" in outgoing and "第一封" in outgoing
    assert '<summary>Text</summary>\n        <div class="prose pre">正文一</div>' in outgoing
    assert '<span class="badge red">Failed</span>' in outgoing
    assert "Not delivered: ConnectionRefusedError: [Errno 111] Connection refused" in outgoing
    assert "To: wang@example.com" in outgoing


def test_a_department_member_reads_but_gets_no_forms(org, complaint):
    page = text(login(org["ts_member"]).get(urls(complaint)["panel"], **HX))
    assert "Send a message" not in page
    assert "Record a received message" not in page
    assert "Send again" not in page


def test_customer_service_gets_the_forms(org, complaint):
    page = text(login(org["cs"]).get(urls(complaint)["panel"], **HX))
    assert "<summary>Send a message</summary>" in page
    assert "<summary>Record a received message</summary>" in page
    assert "Send again" in page
    assert f'hx-get="/complaints/{complaint.pk}/messages/preview/"' in page


@pytest.mark.parametrize("name", ["panel", "preview", "send", "record", "resend"])
def test_anonymous_is_sent_to_log_in(org, complaint, name):
    url = urls(complaint, complaint.failed.pk)[name]
    before = database_snapshot(), Message.objects.count()
    client = Client()
    response = client.get(url) if name in ("panel", "preview") else client.post(url, SEND)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert (database_snapshot(), Message.objects.count()) == before


@pytest.mark.parametrize("name", ["panel", "preview", "send", "record", "resend"])
def test_another_department_gets_404(org, complaint, name):
    url = urls(complaint, complaint.failed.pk)[name]
    before = database_snapshot(), Message.objects.count()
    client = login(org["prod_member"])
    data = RECORD if name == "record" else SEND
    response = client.get(url, **HX) if name in ("panel", "preview") else client.post(url, data)
    assert response.status_code == 404
    assert (database_snapshot(), Message.objects.count()) == before


@pytest.mark.parametrize("name", ["preview", "send", "record", "resend"])
def test_the_responsible_department_may_not_write(org, complaint, name):
    url = urls(complaint, complaint.failed.pk)[name]
    before = database_snapshot(), Message.objects.count()
    client = login(org["ts_member"])
    data = RECORD if name == "record" else SEND
    response = client.get(url, **HX) if name == "preview" else client.post(url, data, **HX)
    assert response.status_code == 403
    assert (database_snapshot(), Message.objects.count()) == before


def test_preview_fills_subject_and_text(org, complaint):
    response = login(org["cs"]).get(
        f"/complaints/{complaint.pk}/messages/preview/",
        {"template": "progress", "language": "en", "channel": "email"},
        **HX,
    )
    page = text(response)
    assert page.lstrip().startswith('<div id="send-fields" class="stack">')
    assert f'value="Progress on your complaint {complaint.number}"' in page
    assert "Current stage: Preliminary diagnosis" in page


def test_send_from_the_panel(org, complaint, django_capture_on_commit_callbacks):
    form = {**SEND, "template": "progress", "subject": "", "body": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = login(org["cs"]).post(urls(complaint)["send"], form, **HX)

    assert response.status_code == 200
    page = text(response)
    assert (
        '<p class="alert success" role="status">The e-mail is on its way to wang@example.com.</p>'
        in page
    )
    newest = Message.objects.log_of(complaint).first()
    assert (newest.subject, newest.template_code, newest.created_by) == (
        f"投诉 {complaint.number} 处理进展",
        "progress",
        org["cs"],
    )
    assert f'id="message-{newest.pk}"' in page.split('class="message ')[1]


def test_send_without_htmx_redirects_back_to_the_messages(org, complaint):
    client = login(org["cs"])
    response = client.post(urls(complaint)["send"], SEND)
    assert response.status_code == 302
    assert response["Location"] == urls(complaint)["panel"]
    page = text(client.get(response["Location"]))
    assert "The e-mail is on its way to wang@example.com." in page
    assert f'<span class="mono">{complaint.number}</span> {complaint.title}</a>' in page


def test_errors_stand_next_to_the_fields_and_keep_the_input(org, complaint):
    before = Message.objects.count()
    form = {**SEND, "subject": "我写的主题", "body": ""}
    response = login(org["cs"]).post(urls(complaint)["send"], form, **HX)

    assert response.status_code == 200
    page = text(response)
    assert '<details class="subform" open>\n    <summary>Send a message</summary>' in page
    assert 'value="我写的主题"' in page
    assert '<p class="error-text" id="send-body_error">This field is required.</p>' in page
    assert Message.objects.count() == before


def test_no_address_is_a_clear_error_in_the_users_language(org):
    complaint = in_diagnosis(org, complainant_email="")
    response = login(org["cs"], language="en").post(
        f"/complaints/{complaint.pk}/messages/send/", SEND, **HX
    )
    page = text(response)
    assert (
        '<p class="alert error" role="alert">The complainant has no e-mail address. Add one to '
        "the complaint record, or log the message under the channel you used.</p>" in page
    )
    assert 'value="Hi"' in page
    assert not Message.objects.exists()


def test_record_a_received_message(org, complaint):
    form = {**RECORD, "channel": "letter", "occurred_at": "2026-03-02T10:15", "body": "来信"}
    response = login(org["cs"]).post(urls(complaint)["record"], form, **HX)

    assert "Received message recorded." in text(response)
    newest = Message.objects.filter(channel="letter").get()
    assert (newest.direction, newest.body, newest.occurred_at) == (
        "in",
        "来信",
        aware(2026, 3, 2, 10, 15),
    )


def test_a_received_message_without_text_is_refused(org, complaint):
    response = login(org["cs"]).post(
        urls(complaint)["record"], {**RECORD, "body": "", "sender": "李工"}, **HX
    )
    page = text(response)
    assert '<p class="error-text" id="received-body_error">This field is required.</p>' in page
    assert 'value="李工"' in page


def test_send_again_from_the_panel(org, complaint, settings, django_capture_on_commit_callbacks):
    use_smtp(settings, free_port())
    with django_capture_on_commit_callbacks(execute=True):
        response = login(org["cs"]).post(urls(complaint, complaint.failed.pk)["resend"], **HX)

    assert "The e-mail is being sent again." in text(response)
    again = Message.objects.get(resent_from=complaint.failed)
    assert (again.subject, again.status) == ("第一封", "queued")
    # The failed one cannot be sent again a second time.
    page = text(login(org["cs"]).get(urls(complaint)["panel"], **HX))
    assert page.count("Send again") == 0


def test_changing_the_language_without_a_template_keeps_the_typed_text(org, complaint):
    response = login(org["cs"]).get(
        f"/complaints/{complaint.pk}/messages/preview/",
        {
            "template": "",
            "language": "en",
            "channel": "email",
            "subject": "我的主题",
            "body": "我的正文",
        },
        **HX,
    )
    page = text(response)
    assert 'value="我的主题"' in page
    assert ">\n我的正文</textarea>" in page


def test_a_template_that_cannot_render_says_so_and_keeps_the_typed_text(org, complaint):
    MessageTemplate.objects.filter(code="progress").update(body="{% if %}")
    response = login(org["cs"]).get(
        f"/complaints/{complaint.pk}/messages/preview/",
        {"template": "progress", "language": "zh-hans", "subject": "我的主题", "body": ""},
        **HX,
    )
    page = text(response)
    assert (
        '<p class="alert error" role="alert">The template cannot be used: Unexpected end of '
        "expression in if tag.</p>" in page
    )
    assert 'value="我的主题"' in page


def test_what_the_complainant_wrote_is_shown_as_text(org, complaint):
    services.record_received(
        actor=org["cs"],
        complaint_id=complaint.pk,
        channel="email",
        body="<script>alert(1)</script>",
    )
    raw = login(org["cs"]).get(urls(complaint)["panel"], **HX).content.decode()
    assert "<script>alert(1)</script>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_the_panel_query_count_does_not_grow_with_the_log(org, complaint):
    client = login(org["cs"])
    client.get(urls(complaint)["panel"], **HX)
    with CaptureQueriesContext(connection) as few:
        client.get(urls(complaint)["panel"], **HX)
    for i in range(10):
        services.record_received(
            actor=org["qe" if i % 2 else "cs"],
            complaint_id=complaint.pk,
            channel="phone",
            body=f"call {i}",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(urls(complaint)["panel"], **HX)
    assert text(response).count('<li class="message in"') == 11
    assert len(many.captured_queries) == len(few.captured_queries)
