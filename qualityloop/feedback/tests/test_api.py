"""The feedback API: the same rules as the panel, in JSON."""

from datetime import timedelta

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from qualityloop.feedback import services
from qualityloop.feedback.models import FinalAnswer, Survey
from qualityloop.testing import assert_num_queries_at_most

from .conftest import closed, register, state

NOT_FOUND = {"detail": "Not found.", "field": None, "code": "not_found", "errors": {}}
NO_ANSWER = {
    "detail": "You may not answer for this complaint.",
    "field": None,
    "code": "not_allowed",
    "errors": {},
}
NO_SURVEY = {**NO_ANSWER, "detail": "You may not send surveys about this complaint."}
ANSWER = {"text": "更换3台外壳。", "channel": "phone", "answered_on": "2026-03-02"}


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.QUALITYLOOP = {**settings.QUALITYLOOP, "BASE_URL": "https://ql.example.com"}


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def base(complaint) -> str:
    return f"/api/v1/complaints/{complaint.pk}"


def test_final_answer_round_trip(org, frozen, as_user):
    complaint = register(org)
    empty = as_user("exec").get(f"{base(complaint)}/final-answer")
    assert (empty.status_code, empty.json()) == (200, {"current": None, "history": []})

    first = post(as_user("cs"), f"{base(complaint)}/final-answer", ANSWER)
    assert first.status_code == 201
    frozen.shift(timedelta(hours=2))
    second = post(
        as_user("qe"), f"{base(complaint)}/final-answer", {"text": "整批更换。", "channel": "visit"}
    )
    assert second.status_code == 201
    assert second.json() == {
        "id": FinalAnswer.objects.get(text="整批更换。").pk,
        "text": "整批更换。",
        "channel": "visit",
        "answered_on": "2026-03-02",
        "author": {"id": org["qe"].pk, "label": "qe"},
        "created_at": "2026-03-02T04:00:00Z",
        "superseded_at": None,
        "current": True,
    }

    body = as_user("exec").get(f"{base(complaint)}/final-answer").json()
    assert body["current"]["text"] == "整批更换。"
    assert [(a["text"], a["current"], a["superseded_at"]) for a in body["history"]] == [
        ("更换3台外壳。", False, "2026-03-02T04:00:00Z")
    ]
    complaint.refresh_from_db()
    assert complaint.customer_answer == "整批更换。"


def test_final_answer_errors(org, frozen, as_user):
    done = closed(org)
    response = post(as_user("cs"), f"{base(done)}/final-answer", ANSWER)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This complaint is closed: reopen it before giving a new answer.",
        "field": "complaint",
        "code": "refused",
        "errors": {
            "complaint": ["This complaint is closed: reopen it before giving a new answer."]
        },
    }

    still_open = register(org)
    response = post(as_user("cs"), f"{base(still_open)}/final-answer", {**ANSWER, "channel": "fax"})
    assert response.status_code == 422
    assert response.json()["field"] == "channel"
    response = post(
        as_user("cs"), f"{base(still_open)}/final-answer", {**ANSWER, "answered_on": "2026-03-09"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "answered_on": ["The answer cannot be given in the future."]
    }
    assert FinalAnswer.objects.count() == 0


def test_creating_a_survey_returns_its_link_once(org, frozen, as_user):
    complaint = closed(org)
    response = post(as_user("cs"), f"{base(complaint)}/surveys")

    assert response.status_code == 201
    body = response.json()
    survey = Survey.objects.get()
    raw = body["url"].removeprefix("https://ql.example.com/survey/").removesuffix("/")
    assert survey.digest == Survey.digest_of(raw)
    assert body["survey"] == {
        "id": survey.pk,
        "state": "created",
        "language": "zh-hans",
        "created_by": {"id": org["cs"].pk, "label": "cs"},
        "created_at": "2026-03-02T02:00:00Z",
        "sent_at": None,
        "send_error": "",
        "expires_at": "2026-04-01T02:00:00Z",
        "withdrawn_at": None,
        "responded_at": None,
        "outcome_score": None,
        "handling_score": None,
        "satisfied": None,
        "comment": "",
    }

    listed = as_user("ts_head").get(f"{base(complaint)}/surveys")
    assert listed.status_code == 404  # not involved: technical support never had it
    listed = as_user("exec").get(f"{base(complaint)}/surveys")
    assert listed.json() == [body["survey"]]
    assert raw not in listed.content.decode()
    assert survey.digest not in listed.content.decode()


def test_the_survey_list_shows_answers_without_a_query_per_survey(org, frozen, as_user):
    complaint = closed(org)
    for score in (5, 4, 3):
        _survey, raw = services.create_survey(complaint_id=complaint.pk, actor=org["qe"])
        services.submit_survey(raw_token=raw, outcome_score=score, handling_score=5, satisfied=True)
    client = as_user("exec")
    with assert_num_queries_at_most(4):
        response = client.get(f"{base(complaint)}/surveys")
    assert [s["outcome_score"] for s in response.json()] == [3, 4, 5]
    assert {s["state"] for s in response.json()} == {"answered"}


def test_survey_refusals(org, frozen, as_user):
    response = post(as_user("qe"), f"{base(register(org))}/surveys")
    assert response.status_code == 409
    assert response.json()["detail"] == "A survey can only be sent about a closed complaint."

    response = post(as_user("qe"), f"{base(closed(org, complainant_email=''))}/surveys/send")
    assert response.status_code == 422
    assert response.json()["field"] == "recipient"
    assert Survey.objects.count() == 0


def test_sending_a_survey_queues_it(org, frozen, as_user, django_capture_on_commit_callbacks):
    complaint = closed(org, complainant_email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_user("cs"), f"{base(complaint)}/surveys/send")
    assert (response.status_code, response.json()) == (202, {"to": "wang@example.com"})
    task = DBTaskResult.objects.get(task_path__endswith="send_survey_task")
    assert task.args_kwargs["args"][0] == complaint.pk


# ---------------------------------------------------------------- permission matrix


def _calls(pair):
    open_c, closed_c = pair
    return {
        "get_answer": ("get", f"{base(open_c)}/final-answer", None, None),
        "list_surveys": ("get", f"{base(closed_c)}/surveys", None, None),
        "post_answer": ("post", f"{base(open_c)}/final-answer", ANSWER, NO_ANSWER),
        "create_survey": ("post", f"{base(closed_c)}/surveys", None, NO_SURVEY),
        "send_survey": ("post", f"{base(closed_c)}/surveys/send", None, NO_SURVEY),
    }


def _call(client, method, path, body):
    return client.get(path) if method == "get" else post(client, path, body)


ALL = ["get_answer", "list_surveys", "post_answer", "create_survey", "send_survey"]
WRITES = ["post_answer", "create_survey", "send_survey"]


@pytest.mark.parametrize("name", ALL)
def test_without_a_token_the_answer_is_401(pair, name):
    method, path, body, _denied = _calls(pair)[name]
    before = state()
    response = _call(Client(), method, path, body)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert state() == before


@pytest.mark.parametrize("name", ALL)
def test_an_uninvolved_department_gets_404(pair, as_user, name):
    method, path, body, _denied = _calls(pair)[name]
    before = state()
    response = _call(as_user("prod_member"), method, path, body)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert state() == before


@pytest.mark.parametrize("username", ["ts_member", "ts_head", "exec", "admin"])
@pytest.mark.parametrize("name", WRITES)
def test_read_only_roles_may_read_but_not_write(pair, as_user, username, name):
    client = as_user(username)
    for reader in ("get_answer", "list_surveys"):
        assert _call(client, *_calls(pair)[reader][:3]).status_code == 200
    method, path, body, denied = _calls(pair)[name]
    before = state()
    response = _call(client, method, path, body)
    assert (response.status_code, response.json()) == (403, denied)
    assert state() == before


@pytest.mark.parametrize("username", ["cs", "qe"])
def test_customer_service_and_quality_may_write(pair, as_user, username):
    client = as_user(username)
    calls = _calls(pair)
    statuses = [_call(client, *calls[name][:3]).status_code for name in WRITES]
    assert statuses == [201, 201, 202]


def test_the_endpoints_are_in_the_openapi_document(org):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/complaints/{complaint_id}/final-answer"]) == {"get", "post"}
    assert set(paths["/api/v1/complaints/{complaint_id}/surveys"]) == {"get", "post"}
    assert set(paths["/api/v1/complaints/{complaint_id}/surveys/send"]) == {"post"}
    assert paths["/api/v1/complaints/{complaint_id}/surveys"]["get"]["tags"] == ["feedback"]
    fields = set(schema["components"]["schemas"]["SurveyOut"]["properties"])
    assert not fields & {"digest", "token", "key", "url"}


def test_a_survey_the_system_made_has_no_author(org, frozen, as_user):
    complaint = closed(org)
    services.create_survey(complaint_id=complaint.pk)
    (survey,) = as_user("cs").get(f"{base(complaint)}/surveys").json()
    assert (survey["created_by"], survey["created_at"]) == (None, "2026-03-02T02:00:00Z")
