"""The public survey page: no login, the survey's language, one answer per link."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client

from qualityloop.complaints.models import Complaint, ComplaintEvent
from qualityloop.feedback import services
from qualityloop.feedback.models import Survey
from qualityloop.notifications.models import Notification
from qualityloop.testing import assert_audit_event

from .conftest import T0, closed

GOOD = {"outcome_score": "5", "handling_score": "4", "satisfied": "yes", "comment": "谢谢"}
LOW = {"outcome_score": "1", "handling_score": "2", "satisfied": "no", "comment": "问题没有解决"}
INVALID = "This link is not valid or has already been used."
LOW_TEXT = "Satisfaction survey: outcome 1/5, handling 2/5, not satisfied.\nComment: 问题没有解决"


def text(response) -> str:
    return html.unescape(response.content.decode())


def anonymous(language="en", **kwargs) -> Client:
    return Client(headers={"Accept-Language": language}, **kwargs)


@pytest.fixture
def link(org, frozen):
    """A closed complaint of an English-speaking complainant and its survey link."""
    complaint = closed(org, complainant_language="en")
    survey, raw = services.create_survey(complaint_id=complaint.pk, actor=org["cs"])
    return complaint, survey, f"/survey/{raw}/"


def snapshot(complaint) -> tuple:
    row = Complaint.objects.get(pk=complaint.pk)
    answered = Survey.objects.filter(responded_at__isnull=False).values_list(
        "pk", "outcome_score", "handling_score", "satisfied", "comment", "responded_at"
    )
    return (
        row.status,
        row.version,
        ComplaintEvent.objects.filter(complaint=complaint).count(),
        list(answered),
        Notification.objects.count(),
    )


def test_the_page_shows_the_complaint_number_and_title_and_no_personal_data(link):
    complaint, _survey, url = link
    response = anonymous().get(url)

    assert response.status_code == 200
    page = text(response)
    assert '<html lang="en">' in page
    assert "How did we do?" in page
    assert f'<span class="mono">{complaint.number}</span> 控制器外壳开裂' in page
    for private in ("13800000000", "wang@example.com", "王经理", "华东汽车零部件有限公司", "3台"):
        assert private not in page
    assert response["Content-Language"] == "en"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_the_page_is_in_the_survey_language_not_the_browsers(org, frozen):
    complaint = closed(org, complainant_language="zh-hans")
    _survey, raw = services.create_survey(complaint_id=complaint.pk)

    response = anonymous("en").get(f"/survey/{raw}/")

    page = text(response)
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in page
    assert f'<span class="muted">投诉</span> <span class="mono">{complaint.number}</span>' in page
    assert re.search(r'value="yes"[^>]*> 是</label>', page)
    assert re.search(r'value="no"[^>]*> 否</label>', page)
    assert "wang@example.com" not in page and "13800000000" not in page

    english = anonymous("zh-hans").get(link_of(org, complainant_language="en"))
    page = text(english)
    assert '<html lang="en">' in page
    assert '<span class="muted">Complaint</span>' in page
    assert re.search(r'value="yes"[^>]*> Yes</label>', page)


def link_of(org, **data) -> str:
    _survey, raw = services.create_survey(complaint_id=closed(org, **data).pk)
    return f"/survey/{raw}/"


def test_errors_are_shown_in_the_survey_language_and_nothing_is_stored(org, frozen):
    complaint = closed(org, complainant_language="zh-hans")
    _survey, raw = services.create_survey(complaint_id=complaint.pk)
    before = snapshot(complaint)

    response = anonymous("en").post(f"/survey/{raw}/", {**GOOD, "outcome_score": ""})

    assert response.status_code == 422
    assert "这个字段是必填项。" in text(response)
    assert snapshot(complaint) == before


def test_a_good_answer_is_recorded_once(link):
    complaint, survey, url = link
    before = Notification.objects.count()
    response = anonymous().post(url, GOOD)

    assert response.status_code == 200
    assert "Thank you for your answer." in text(response)
    survey.refresh_from_db()
    assert (survey.outcome_score, survey.handling_score, survey.satisfied, survey.comment) == (
        5,
        4,
        True,
        "谢谢",
    )
    assert survey.responded_at == T0
    assert survey.state == "answered"
    event = assert_audit_event(
        complaint,
        "survey",
        action="answered",
        outcome_score=5,
        handling_score=4,
        satisfied=True,
        comment="谢谢",
        low=False,
        follow_up=None,
    )
    assert event.actor is None
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert Notification.objects.count() == before

    after = snapshot(complaint)
    again = anonymous().post(url, LOW)
    assert again.status_code == 404
    assert INVALID in text(again)
    assert snapshot(complaint) == after
    assert anonymous().get(url).status_code == 404


def test_wrong_used_replaced_and_expired_links_get_the_same_404(link, org, frozen):
    complaint, _survey, url = link
    wrong = "/survey/" + "A" * 43 + "/"
    before = snapshot(complaint)
    refused = [anonymous().get(wrong), anonymous().post(wrong, GOOD)]
    assert snapshot(complaint) == before

    used = link_of(org)
    anonymous().post(used, GOOD)
    refused.append(anonymous().get(used))

    replaced_complaint = closed(org)
    _first, replaced_raw = services.create_survey(complaint_id=replaced_complaint.pk)
    services.create_survey(complaint_id=replaced_complaint.pk)
    refused.append(anonymous().get(f"/survey/{replaced_raw}/"))

    frozen.shift(timedelta(days=30))
    before = snapshot(complaint)
    refused += [anonymous().get(url), anonymous().post(url, GOOD)]
    assert snapshot(complaint) == before

    assert [r.status_code for r in refused] == [404] * 6
    bodies = {r.content for r in refused}
    assert len(bodies) == 1
    page = text(refused[0])
    assert INVALID in page
    assert complaint.number not in page and "控制器外壳开裂" not in page


def test_a_link_works_until_it_expires(link, frozen):
    _complaint, _survey, url = link
    frozen.shift(timedelta(days=30) - timedelta(minutes=1))
    assert anonymous().get(url).status_code == 200
    frozen.shift(timedelta(minutes=1))
    assert anonymous().get(url).status_code == 404


def test_csrf_protects_the_anonymous_form(link):
    complaint, survey, url = link
    browser = anonymous(enforce_csrf_checks=True)
    page = text(browser.get(url))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    before = snapshot(complaint)
    forged = anonymous(enforce_csrf_checks=True).post(url, GOOD)
    assert forged.status_code == 403
    assert snapshot(complaint) == before

    response = browser.post(url, {**GOOD, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    survey.refresh_from_db()
    assert survey.outcome_score == 5


def test_a_low_score_reopens_a_closed_complaint(link, org, settings):
    settings.LANGUAGE_CODE = "en"  # what the record stores, independent of translations
    complaint, _survey, url = link

    response = anonymous().post(url, LOW)

    assert response.status_code == 200
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == ("diagnosis", 1)
    survey_event = assert_audit_event(
        complaint,
        "survey",
        action="answered",
        outcome_score=1,
        handling_score=2,
        satisfied=False,
        comment="问题没有解决",
        low=True,
        follow_up="reopen",
    )
    reopen = assert_audit_event(complaint, "transition", transition="reopen", reason=LOW_TEXT)
    assert (survey_event.actor, reopen.actor) == (None, None)
    assert reopen.data["from"] == "closed" and reopen.data["to"] == "diagnosis"
    assert survey_event.seq < reopen.seq
    told = Notification.objects.get(recipient=org["qe"])
    assert told.event == "reminder"
    assert told.data["sender"] == "Satisfaction survey"
    assert told.data["message"] == LOW_TEXT
    assert told.complaint_id == complaint.pk
    assert not Notification.objects.filter(event="management").exists()


def test_not_satisfied_alone_counts_as_low(link):
    complaint, _survey, url = link
    anonymous().post(url, {**GOOD, "outcome_score": "5", "handling_score": "5", "satisfied": "no"})
    complaint.refresh_from_db()
    assert complaint.status == "diagnosis"


def test_the_low_score_limit_is_a_setting(link, settings):
    complaint, _survey, url = link
    settings.SURVEY_LOW_SCORE = 3
    anonymous().post(url, {**GOOD, "outcome_score": "4", "handling_score": "3"})
    complaint.refresh_from_db()
    assert complaint.status == "diagnosis"
    assert_audit_event(complaint, "survey", low=True, handling_score=3)


def test_with_escalate_a_low_score_goes_to_management_instead(link, org, settings):
    settings.LANGUAGE_CODE = "en"
    settings.SURVEY_LOW_SCORE_ACTION = "escalate"
    complaint, _survey, url = link

    anonymous().post(url, LOW)

    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == ("closed", 0)
    assert_audit_event(complaint, "survey", low=True, follow_up="escalate")
    escalated = assert_audit_event(
        complaint,
        "escalated",
        trigger="management",
        reason=LOW_TEXT,
        reason_label="Customer not satisfied",
    )
    assert (escalated.actor, escalated.data["reason"]) == (None, "unsatisfied")
    management = Notification.objects.get(event="management")
    assert management.recipient == org["exec"]
    assert (management.data["reason"], management.data["note"]) == ("unsatisfied", LOW_TEXT)
    assert Notification.objects.get(recipient=org["qe"]).data["message"] == LOW_TEXT
    assert not ComplaintEvent.objects.filter(
        complaint=complaint, kind="transition", data__transition="reopen"
    ).exists()


def test_a_low_score_on_a_complaint_already_reopened_only_tells_quality(link, org):
    complaint, _survey, url = link
    org.advance(complaint, "reopen", actor="cs")
    anonymous().post(url, LOW)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == ("diagnosis", 1)
    assert_audit_event(complaint, "survey", low=True, follow_up="reopen")
    assert Notification.objects.filter(recipient=org["qe"], event="reminder").count() == 1
