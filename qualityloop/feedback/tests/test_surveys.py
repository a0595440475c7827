"""Making survey links and e-mailing them."""

import hashlib
import re
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from qualityloop.complaints.models import ComplaintEvent
from qualityloop.feedback import services
from qualityloop.feedback.models import Survey
from qualityloop.testing import assert_audit_event, run_worker

from .conftest import T0, closed, register

LINK = re.compile(r"http://quality\.example\.com/survey/([A-Za-z0-9_-]{43})/")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.QUALITYLOOP = {**settings.QUALITYLOOP, "BASE_URL": "http://quality.example.com/"}


def test_a_link_is_shown_once_and_only_its_hash_is_kept(org, frozen):
    complaint = closed(org)
    survey, raw = services.create_survey(complaint_id=complaint.pk, actor=org["cs"])

    assert services.survey_url(raw) == f"http://quality.example.com/survey/{raw}/"
    assert len(raw) == 43
    survey.refresh_from_db()
    assert survey.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = Survey.objects.filter(pk=survey.pk).values().get()
    assert raw not in repr(stored)
    assert not ComplaintEvent.objects.filter(data__icontains=raw).exists()
    assert (survey.language, survey.created_by, survey.created_at) == ("zh-hans", org["cs"], T0)
    assert survey.expires_at == T0 + timedelta(days=30)
    assert survey.state == "created"
    assert services.open_survey(raw) == survey
    event = assert_audit_event(complaint, "survey", action="created", survey=survey.pk)
    assert event.actor == org["cs"]


def test_the_survey_speaks_the_complainants_language(org, frozen):
    complaint = closed(org, complainant_language="en")
    survey, _raw = services.create_survey(complaint_id=complaint.pk)
    assert survey.language == "en"
    assert survey.created_by is None


def test_validity_follows_the_setting(org, frozen, settings):
    settings.SURVEY_VALID_DAYS = 7
    survey, _raw = services.create_survey(complaint_id=closed(org).pk)
    assert survey.expires_at == T0 + timedelta(days=7)


def test_a_new_survey_withdraws_the_one_still_open(org, frozen):
    complaint = closed(org)
    first, first_raw = services.create_survey(complaint_id=complaint.pk, actor=org["cs"])
    frozen.shift(timedelta(hours=1))
    second, second_raw = services.create_survey(complaint_id=complaint.pk, actor=org["qe"])

    first.refresh_from_db()
    assert (first.state, first.withdrawn_at) == ("withdrawn", T0 + timedelta(hours=1))
    assert services.open_survey(first_raw) is None
    assert services.open_survey(second_raw) == second


def test_an_answered_survey_is_kept_when_another_is_made(org, frozen):
    complaint = closed(org)
    first, raw = services.create_survey(complaint_id=complaint.pk)
    services.submit_survey(raw_token=raw, outcome_score=5, handling_score=5, satisfied=True)
    second, _raw = services.create_survey(complaint_id=complaint.pk)

    first.refresh_from_db()
    assert (first.state, second.state) == ("answered", "created")


def test_only_closed_complaints_are_surveyed(org, frozen):
    complaint = register(org)
    with pytest.raises(services.Refused) as caught:
        services.create_survey(complaint_id=complaint.pk, actor=org["cs"])
    assert str(caught.value.message) == "A survey can only be sent about a closed complaint."
    assert Survey.objects.count() == 0


def _mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_send_survey_after_closure_e_mails_the_link(
    org, frozen, django_capture_on_commit_callbacks
):
    complaint = closed(org, complainant_email="wang@example.com", complainant_language="en")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert services.send_survey(complaint_id=complaint.pk) is True
        assert services.send_survey(complaint_id=complaint.pk) is True  # same moment: one
    mail.outbox.clear()
    run_worker()

    sent = _mails_to("wang@example.com")
    assert len(sent) == 1
    message = sent[0]
    assert message.subject == (f"{complaint.number}: how satisfied are you with our handling?")
    raw = LINK.search(message.body).group(1)
    survey = Survey.objects.get()
    assert survey.digest == Survey.digest_of(raw)
    assert "Dear 王经理," in message.body
    assert f"Your complaint {complaint.number} (控制器外壳开裂) has been closed." in message.body
    assert "The link can be used once, until 2026-04-01." in message.body
    assert (survey.sent_at, survey.sent_to, survey.send_error) == (T0, "wang@example.com", "")
    assert survey.state == "sent"
    event = assert_audit_event(complaint, "survey", action="sent", to="wang@example.com")
    assert event.actor is None
    # The token never sits in the task queue.
    assert not any(raw in repr(r.args_kwargs) for r in DBTaskResult.objects.all())

    from qualityloop.feedback.tasks import send_survey_task

    key = survey.key
    send_survey_task.enqueue(complaint.pk, key)
    run_worker()
    assert len(_mails_to("wang@example.com")) == 1
    assert Survey.objects.count() == 1


def test_nothing_happens_without_an_e_mail_address(org, frozen, django_capture_on_commit_callbacks):
    complaint = closed(org, complainant_email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.send_survey(complaint_id=complaint.pk) is False
    assert callbacks == []
    assert DBTaskResult.objects.filter(task_path__contains="send_survey").count() == 0
    assert Survey.objects.count() == 0


def test_a_person_asking_without_an_address_is_told_why(org, frozen):
    complaint = closed(org, complainant_email="")
    with pytest.raises(services.ValidationFailed) as caught:
        services.send_survey(complaint_id=complaint.pk, actor=org["cs"])
    assert caught.value.errors == {
        "recipient": [
            "The complainant has no e-mail address: create a link and give it to them another way."
        ]
    }


def test_a_complaint_reopened_before_the_worker_runs_gets_no_survey(
    org, frozen, django_capture_on_commit_callbacks
):
    complaint = closed(org)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_survey(complaint_id=complaint.pk)
    org.advance(complaint, "reopen", actor="cs")
    mail.outbox.clear()
    run_worker()
    assert mail.outbox == []
    assert Survey.objects.count() == 0


def _refusing_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_e_mail_is_noted_and_a_rerun_sends_a_fresh_link(
    org, frozen, settings, django_capture_on_commit_callbacks
):
    complaint = closed(org)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_survey(complaint_id=complaint.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _refusing_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    run_worker()

    survey = Survey.objects.get()
    assert survey.sent_at is None
    assert survey.send_error.startswith("ConnectionRefusedError")
    events_before = ComplaintEvent.objects.filter(complaint=complaint, kind="survey").count()
    assert events_before == 0
    first_digest = survey.digest

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from qualityloop.feedback.tasks import send_survey_task

    send_survey_task.enqueue(complaint.pk, survey.key)
    run_worker()
    survey.refresh_from_db()
    assert survey.sent_at == T0 and survey.send_error == ""
    assert survey.digest != first_digest
    raw = LINK.search(_mails_to("wang@example.com")[-1].body).group(1)
    assert services.open_survey(raw) == survey


@pytest.mark.parametrize(
    ("answer", "errors"),
    [
        (
            {"outcome_score": 0, "handling_score": 6, "satisfied": True},
            {
                "outcome_score": ["Choose a score from 1 to 5."],
                "handling_score": ["Choose a score from 1 to 5."],
            },
        ),
        (
            {"outcome_score": True, "handling_score": "5", "satisfied": "yes"},
            {
                "outcome_score": ["Choose a score from 1 to 5."],
                "handling_score": ["Choose a score from 1 to 5."],
                "satisfied": ["Say whether you are satisfied."],
            },
        ),
        (
            {"outcome_score": 5, "handling_score": 5, "satisfied": True, "comment": "x" * 2001},
            {"comment": ["At most 2000 characters."]},
        ),
        (
            {"outcome_score": 5, "handling_score": 5, "satisfied": True, "comment": "a\x00b"},
            {"comment": ["Text cannot contain NUL characters."]},
        ),
    ],
)
def test_an_answer_out_of_range_is_refused_and_the_link_still_works(org, frozen, answer, errors):
    complaint = closed(org)
    survey, raw = services.create_survey(complaint_id=complaint.pk)
    events = ComplaintEvent.objects.count()
    with pytest.raises(services.ValidationFailed) as caught:
        services.submit_survey(raw_token=raw, **answer)
    assert caught.value.errors == errors
    survey.refresh_from_db()
    assert survey.responded_at is None
    assert ComplaintEvent.objects.count() == events
    assert services.open_survey(raw) == survey
