"""Templates render the complaint in the complainant's language, safely, or not at all."""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.utils import translation

from qualityloop.core.errors import DomainError
from qualityloop.correspondence import rendering, services
from qualityloop.correspondence.models import MessageTemplate
from qualityloop.testing import aware, login

from .helpers import promise

RECEIVED = aware(2026, 3, 2, 9, 30)


@pytest.fixture
def complaint(org, monkeypatch):
    promise(monkeypatch)
    return org.register(complainant_email="wang@example.com", received_at=RECEIVED)


def test_the_acknowledgement_in_chinese(complaint):
    subject, body = services.preview(complaint=complaint, template_code="acknowledgement")

    assert subject == f"您的投诉已受理（编号 {complaint.number}）"
    assert body == (
        "尊敬的王经理：\n\n"
        "您好！感谢您就“控制器外壳开裂”向我们反馈。我们已于2026年3月2日 09:30收到您的投诉，"
        f"并登记为 {complaint.number}。今后就此事与我们联系时，请注明该编号，以便我们快速查询。\n\n"
        "接下来，我们的质量团队将对问题进行核实和分析，并于2026年3月3日 09:30（北京时间）前"
        "向您告知处理进展和预计完成时间。如您有补充资料（如照片、批号、检测报告等），"
        "欢迎直接回复本邮件。\n\n"
        "对于给您带来的不便，我们深表歉意，感谢您的理解与支持！\n\n"
        "此致\n敬礼\n\n客户服务部"
    )


def test_the_acknowledgement_in_english(org, monkeypatch):
    promise(monkeypatch)
    complaint = org.register(
        complainant_email="j.smith@example.com",
        complainant_name="John Smith",
        complainant_language="en",
        title="Cracked housing",
        received_at=RECEIVED,
    )

    subject, body = services.preview(complaint=complaint, template_code="acknowledgement")

    assert subject == f"We have received your complaint {complaint.number}"
    assert body.startswith('Dear John Smith,\n\nThank you for telling us about "Cracked housing".')
    assert (
        f"We received your complaint on 2 March 2026, 09:30 and have registered it under the "
        f"reference {complaint.number}." in body
    )
    assert "by 3 March 2026, 09:30 (Beijing time, UTC+8)." in body
    assert body.endswith("Kind regards,\nCustomer Service")


def test_status_label_stage_and_free_text_follow_the_language(org, monkeypatch):
    promise(monkeypatch)
    complaint = org.register(
        complainant_email="j.smith@example.com", complainant_language="en", received_at=RECEIVED
    )
    MessageTemplate.objects.filter(code="custom", language="en").update(
        body="{{ complaint.get_status_display }} / {{ stage }} / {{ message }}"
    )

    _subject, body = services.preview(
        complaint=complaint, template_code="custom", extra={"message": "Parts ship Friday."}
    )
    assert body == "Intake and registration / Intake and registration / Parts ship Friday."

    _subject, body = services.preview(
        complaint=complaint, template_code="custom", extra={"stage": "Root cause", "message": ""}
    )
    assert body == "Intake and registration / Root cause /"


def test_a_language_without_a_template_falls_back_to_chinese(org, monkeypatch):
    promise(monkeypatch)
    complaint = org.register(complainant_email="a@example.com", complainant_language="en")
    MessageTemplate.objects.filter(code="closure", language="en").update(is_active=False)

    subject, _body = services.preview(complaint=complaint, template_code="closure")

    assert subject == f"您的投诉 {complaint.number} 已处理完毕"


def test_an_agent_may_ask_for_the_other_language(complaint):
    subject, _body = services.preview(complaint=complaint, template_code="closure", language="en")
    assert subject == f"Your complaint {complaint.number} is resolved and closed"


def test_a_template_sees_only_what_it_is_given(complaint):
    """No relation, method or setting is reachable: the context is plain values."""
    MessageTemplate.objects.filter(code="custom", language="zh-hans").update(
        subject="x",
        body=(
            "[{{ complaint.complainant_phone }}]"
            "[{{ complaint.received_by.password }}]"
            "[{{ complaint.delete }}]"
            "[{{ complaint.save }}]"
            "[{{ settings.SECRET_KEY }}]"
            "[{{ request }}]"
            "[{{ user }}]"
        ),
    )
    _subject, body = services.preview(complaint=complaint, template_code="custom")
    assert body == "[][][][][][][]"


def test_plain_text_is_not_html_escaped(complaint):
    MessageTemplate.objects.filter(code="custom", language="zh-hans").update(
        subject="{{ message }}", body="{{ message }}"
    )
    subject, body = services.preview(
        complaint=complaint, template_code="custom", extra={"message": 'A & B <3 "C"'}
    )
    assert (subject, body) == ('A & B <3 "C"', 'A & B <3 "C"')


@pytest.mark.parametrize(
    "body",
    [
        "{% debug %}",
        "{% load static %}",
        '{% include "base.html" %}',
        '{% extends "base.html" %}',
        '{% url "home" %}',
        "{% csrf_token %}",
        "{{ message|pprint }}",
        "{% if message %}never closed",
        "{{ message|no_such_filter }}",
    ],
)
def test_what_reaches_beyond_the_context_is_refused_at_save(db, body):
    template = MessageTemplate(code="custom", language="en", subject="Hello", body=body)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        template.clean()
    (message,) = caught.value.message_dict["body"]
    assert message.startswith("The template cannot be used: ")


def test_a_broken_template_is_refused_in_the_admin_with_the_error(org):
    template = MessageTemplate.objects.get(code="progress", language="en")
    before = (template.subject, template.body)
    client = login(org["admin"])

    response = client.post(
        f"/admin/correspondence/messagetemplate/{template.pk}/change/",
        {"subject": "Progress {{ complaint.number }}", "body": "{% for x in %}", "is_active": "on"},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["body"] == [
        "The template cannot be used: 'for' statements should have at least four words: for x in"
    ]
    template.refresh_from_db()
    assert (template.subject, template.body) == before


def test_a_good_template_is_saved_in_the_admin(org):
    template = MessageTemplate.objects.get(code="progress", language="en")
    client = login(org["admin"])

    response = client.post(
        f"/admin/correspondence/messagetemplate/{template.pk}/change/",
        {
            "subject": "Update on {{ complaint.number }}",
            "body": "Dear {{ complaint.complainant_name }}, now: {{ stage }}.",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Update on {{ complaint.number }}"
    assert site.is_registered(MessageTemplate)


def test_a_broken_template_in_the_database_is_a_clear_error_for_a_preview(complaint):
    # Written past the admin's check, as a shell or an old import might.
    MessageTemplate.objects.filter(code="answer").update(body="{% if %}")

    with pytest.raises(DomainError) as caught:
        services.preview(complaint=complaint, template_code="answer")

    assert caught.value.field == "template"
    assert str(caught.value.message) == (
        "The template cannot be used: Unexpected end of expression in if tag."
    )


def test_every_default_template_renders_in_its_language(org, monkeypatch):
    promise(monkeypatch)
    complaint = org.register(complainant_email="a@example.com")
    templates = list(MessageTemplate.objects.all())
    assert {(t.code, t.language) for t in templates} == {
        (code, language)
        for code in (
            "acknowledgement",
            "progress",
            "answer",
            "closure",
            "rejection",
            "request_information",
            "custom",
        )
        for language in ("zh-hans", "en")
    }
    for t in templates:
        assert rendering.check(t.subject, t.body) == {}, t
        subject, body = services.preview(
            complaint=complaint, template_code=t.code, language=t.language
        )
        assert complaint.number in subject
        assert body.startswith("尊敬的王经理：" if t.language == "zh-hans" else "Dear 王经理,")
