"""The feedback panel on the complaint page, for each kind of user."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client

from qualityloop.feedback import services
from qualityloop.feedback.models import FinalAnswer, Survey
from qualityloop.testing import login, run_worker

from .conftest import HX, closed, register, state

LINK = re.compile(r"http://127\.0\.0\.1:8000/survey/([A-Za-z0-9_-]{43})/")


def text(response) -> str:
    return html.unescape(response.content.decode())


def urls(complaint) -> dict[str, str]:
    base = f"/complaints/{complaint.pk}/feedback/"
    return {
        "panel": base,
        "final_answer": f"{base}final-answer/",
        "create": f"{base}surveys/",
        "send": f"{base}surveys/send/",
    }


ANSWER = {"text": "更换3台外壳。", "channel": "visit", "answered_on": "2026-03-02"}


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.QUALITYLOOP = {**settings.QUALITYLOOP, "BASE_URL": "http://127.0.0.1:8000"}


def test_the_complaint_page_loads_the_panel_with_htmx(org, frozen):
    complaint = register(org)
    response = login(org["cs"]).get(f"/complaints/{complaint.pk}/")
    assert response.status_code == 200
    assert (
        f'hx-get="/complaints/{complaint.pk}/feedback/" hx-trigger="load" hx-swap="outerHTML"'
        in text(response)
    )


def test_the_panel_shows_the_current_answer_and_the_earlier_ones(org, frozen):
    complaint = register(org)
    services.record_final_answer(
        actor=org["cs"],
        complaint_id=complaint.pk,
        text="先退货检测。",
        channel="email",
        answered_on=date(2026, 3, 2),
    )
    frozen.shift(timedelta(days=1))
    services.record_final_answer(
        actor=org["qe"],
        complaint_id=complaint.pk,
        text="检测后整批更换。",
        channel="visit",
        answered_on=date(2026, 3, 3),
    )

    response = login(org["exec"]).get(urls(complaint)["panel"], **HX)

    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith('<section class="card feedback" id="feedback"')
    current, history = page.split('<details class="answer-history">')
    assert "Visit" in current and "2026-03-03" in current and "qe" in current
    assert '<div class="prose pre">检测后整批更换。</div>' in current
    assert "<summary>1 earlier answer</summary>" in history
    assert "先退货检测。" in history and "superseded 2026-03-03 10:00" in history
    assert "E-mail" in history


def test_the_panel_shows_each_survey_and_its_answer(org, frozen):
    complaint = closed(org)
    _answered, raw = services.create_survey(complaint_id=complaint.pk, actor=org["cs"])
    services.submit_survey(
        raw_token=raw, outcome_score=4, handling_score=5, satisfied=True, comment="处理及时"
    )
    frozen.shift(timedelta(hours=1))
    waiting, _raw = services.create_survey(complaint_id=complaint.pk, actor=org["qe"])

    page = text(login(org["cs"]).get(urls(complaint)["panel"], **HX))
    assert f'<li class="survey created" id="survey-{waiting.pk}">' in page
    assert "Link created, not e-mailed" in page
    assert "valid until 2026-04-01 11:00" in page
    answered = page.split(f'id="survey-{_answered.pk}"')[1]
    assert '<span class="badge green">Answered</span>' in answered
    assert '<span class="stars" aria-hidden="true">★★★★☆</span> 4/5' in answered
    assert '<span class="stars" aria-hidden="true">★★★★★</span> 5/5' in answered
    assert "<dt>Satisfied</dt><dd>yes</dd>" in answered
    assert '<div class="prose pre">处理及时</div>' in answered

    frozen.shift(timedelta(days=30))
    page = text(login(org["cs"]).get(urls(complaint)["panel"], **HX))
    assert f'<li class="survey expired" id="survey-{waiting.pk}">' in page
    assert "expired 2026-04-01 11:00 without an answer" in page


def test_an_e_mailed_survey_shows_when_it_went(org, frozen, django_capture_on_commit_callbacks):
    complaint = closed(org)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_survey(complaint_id=complaint.pk)
    run_worker()
    page = text(login(org["qe"]).get(urls(complaint)["panel"], **HX))
    assert '<span class="badge blue">Sent</span>' in page
    assert "e-mailed 2026-03-02 10:00 · " in page
    assert "valid until 2026-04-01 10:00" in page
    assert "System" in page


def test_a_created_link_is_shown_once(org, frozen):
    complaint = closed(org)
    client = login(org["cs"])

    response = client.post(urls(complaint)["create"], **HX)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = text(response)
    raw = LINK.search(page).group(1)
    assert Survey.objects.get().digest == Survey.digest_of(raw)
    assert (
        f'<input type="text" id="survey-link" value="http://127.0.0.1:8000/survey/{raw}/"' in page
    )
    assert "Survey link created. Copy it now: it is shown only once." in page
    assert ">Copy link</button>" in page

    again = text(client.get(urls(complaint)["panel"], **HX))
    assert raw not in again and "/survey/" not in again


def test_sending_by_e_mail_from_the_panel(org, frozen, django_capture_on_commit_callbacks):
    complaint = closed(org, complainant_email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(org["qe"]).post(urls(complaint)["send"], **HX)
    assert response.status_code == 200
    assert "The survey is on its way to wang@example.com." in text(response)
    mail.outbox.clear()
    run_worker()
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert Survey.objects.get().sent_at is not None


def test_buttons_follow_the_state_and_the_address(org, frozen):
    cs = login(org["cs"])
    with_address = text(cs.get(urls(closed(org))["panel"], **HX))
    assert ">Send survey by e-mail</button>" in with_address
    assert ">Create a survey link</button>" in with_address
    assert "Record the final answer" not in with_address

    without = text(cs.get(urls(closed(org, complainant_email=""))["panel"], **HX))
    assert ">Send survey by e-mail</button>" not in without
    assert ">Create a survey link</button>" in without

    still_open = text(cs.get(urls(register(org))["panel"], **HX))
    assert "A survey can be sent once the complaint is closed." in still_open
    assert ">Create a survey link</button>" not in still_open
    assert "<summary>Record the final answer</summary>" in still_open
    assert 'name="answered_on" value="2026-03-02"' in still_open

    executive = text(login(org["exec"]).get(urls(closed(org))["panel"], **HX))
    assert "survey by e-mail" not in executive and "Create a survey link" not in executive
    assert "Record" not in executive and "once the complaint is closed" not in executive


def test_recording_the_final_answer_from_the_panel(org, frozen):
    complaint = register(org)
    response = login(org["cs"]).post(urls(complaint)["final_answer"], ANSWER, **HX)

    assert response.status_code == 200
    page = text(response)
    assert "Final answer recorded." in page
    assert '<div class="prose pre">更换3台外壳。</div>' in page
    assert "<summary>Record a new final answer</summary>" in page
    answer = FinalAnswer.objects.get()
    assert (answer.channel, answer.answered_on, answer.author) == (
        "visit",
        date(2026, 3, 2),
        org["cs"],
    )

    plain = login(org["qe"]).post(urls(complaint)["final_answer"], ANSWER)
    assert plain.status_code == 302
    assert plain["Location"] == urls(complaint)["panel"]


def test_a_refused_answer_keeps_what_was_typed(org, frozen):
    complaint = register(org)
    bad = {**ANSWER, "answered_on": "2026-03-05"}
    response = login(org["cs"]).post(urls(complaint)["final_answer"], bad, **HX)
    assert response.status_code == 200
    page = text(response)
    assert "The answer cannot be given in the future." in page
    assert "更换3台外壳。</textarea>" in page
    assert '<details class="subform" open>' in page
    assert login(org["cs"]).post(urls(complaint)["final_answer"], bad).status_code == 422
    assert FinalAnswer.objects.count() == 0


def test_refusals_are_explained_in_the_panel(org, frozen):
    cs = login(org["cs"])
    still_open = register(org)
    response = cs.post(urls(still_open)["create"], **HX)
    assert response.status_code == 200
    assert "A survey can only be sent about a closed complaint." in text(response)

    no_address = closed(org, complainant_email="")
    response = cs.post(urls(no_address)["send"], **HX)
    assert "The complainant has no e-mail address: create a link" in text(response)
    assert cs.post(urls(no_address)["send"]).status_code == 422

    done = closed(org)
    response = cs.post(urls(done)["final_answer"], ANSWER, **HX)
    assert "This complaint is closed: reopen it before giving a new answer." in text(response)
    assert Survey.objects.count() == FinalAnswer.objects.count() == 0


# ---------------------------------------------------------------- permission matrix


def _requests(pair):
    open_c, closed_c = pair
    return {
        "panel": ("get", urls(closed_c)["panel"], None),
        "final_answer": ("post", urls(open_c)["final_answer"], ANSWER),
        "create": ("post", urls(closed_c)["create"], None),
        "send": ("post", urls(closed_c)["send"], None),
    }


def _call(client, method, path, data):
    if method == "get":
        return client.get(path, **HX)
    return client.post(path, data or {}, **HX)


@pytest.mark.parametrize("name", ["panel", "final_answer", "create", "send"])
def test_anonymous_users_are_sent_to_sign_in(pair, name):
    method, path, data = _requests(pair)[name]
    before = state()
    response = _call(Client(), method, path, data)
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/login/")
    assert state() == before


@pytest.mark.parametrize("name", ["panel", "final_answer", "create", "send"])
def test_an_uninvolved_department_gets_404(org, pair, name):
    method, path, data = _requests(pair)[name]
    before = state()
    assert _call(login(org["prod_member"]), method, path, data).status_code == 404
    assert state() == before


@pytest.mark.parametrize("username", ["ts_member", "ts_head", "exec", "admin"])
@pytest.mark.parametrize("name", ["final_answer", "create", "send"])
def test_read_only_roles_may_look_but_not_write(org, pair, username, name):
    client = login(org[username])
    assert _call(client, *_requests(pair)["panel"]).status_code == 200
    method, path, data = _requests(pair)[name]
    before = state()
    assert _call(client, method, path, data).status_code == 403
    assert state() == before


@pytest.mark.parametrize("username", ["cs", "qe"])
def test_customer_service_and_quality_may_write(org, pair, username):
    client = login(org[username])
    requests = _requests(pair)
    for name in ("final_answer", "create", "send"):
        response = _call(client, *requests[name])
        assert response.status_code == 200, name
        assert '<p class="alert success" role="status">' in text(response), name
    assert (FinalAnswer.objects.count(), Survey.objects.count()) == (1, 1)


def test_an_answer_given_on_the_complaint_itself_shows_as_the_answer(org, frozen):
    complaint = register(org)
    services.record_final_answer(
        actor=org["cs"],
        complaint_id=complaint.pk,
        text="先退货检测。",
        channel="email",
        answered_on=date(2026, 3, 2),
    )
    frozen.shift(timedelta(hours=1))
    org.advance(complaint, "close_at_first_contact", actor="cs", answer="直接更换。")

    page = text(login(org["cs"]).get(urls(complaint)["panel"], **HX))
    current, history = page.split('<details class="answer-history">')
    assert "recorded with the complaint, without channel and date · " in current
    assert "2026-03-02 11:00" in current
    assert '<div class="prose pre">直接更换。</div>' in current
    assert "先退货检测。" in history and "superseded" not in history


def test_a_complaint_answered_at_first_contact_shows_that_answer(org, frozen):
    page = text(login(org["cs"]).get(urls(closed(org))["panel"], **HX))
    assert '<div class="prose pre">已更换外壳</div>' in page
    assert "No final answer recorded yet." not in page
