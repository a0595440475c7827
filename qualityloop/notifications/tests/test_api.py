"""The notifications API: your own list, marking read, and nobody else's."""

from datetime import timedelta

import pytest
from django.test import Client

from qualityloop.accounts.models import ApiToken
from qualityloop.core import clock
from qualityloop.notifications import services
from qualityloop.notifications.models import Notification
from qualityloop.testing import aware

API = "/api/v1/notifications"
START = aware(2026, 3, 2, 9, 0)
NOT_FOUND = {"detail": "Not found.", "field": None, "code": "not_found", "errors": {}}


def api(user, language="en") -> Client:
    raw = ApiToken.issue(user=user, name="test")[1]
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": language})


@pytest.fixture
def inbox(org):
    complaint = org.register()
    made = {}
    for minute, (user, event, data) in enumerate(
        [
            ("qe", "reminder", {"sender": "王经理", "task_title": "Diagnosis", "message": "快"}),
            ("qe", "task_assigned", {"task_title": "Root cause", "due_at": "2026-03-03T02:00Z"}),
            ("cs", "critical", {"reason": "Claim"}),
        ]
    ):
        with clock.at(START + timedelta(minutes=minute)):
            (made[user, event],) = services.notify(
                event=event, recipients=[org[user]], complaint=complaint, data=data
            )
    return complaint, made


def test_your_own_list_newest_first(org, inbox):
    complaint, made = inbox
    response = api(org["qe"]).get(API)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["unread"]) == (2, 2)
    newest = made["qe", "task_assigned"]
    assert body["items"][0] == {
        "id": newest.pk,
        "event": "task_assigned",
        "event_label": "Task assigned to you",
        "title": f"{complaint.number} Task assigned to you: Root cause",
        "body": (
            f"Due at 2026-03-03 10:00.\n{complaint.number} · 控制器外壳开裂 · "
            f"{newest.data['severity_label']}"
        ),
        "complaint": complaint.pk,
        "url": f"/complaints/{complaint.pk}/",
        "data": newest.data,
        "created_at": "2026-03-02T01:01:00Z",
        "read_at": None,
    }
    assert [i["id"] for i in body["items"]] == [newest.pk, made["qe", "reminder"].pk]


def test_read_one_then_the_unread_filter(org, inbox):
    _, made = inbox
    client = api(org["qe"])
    reminder = made["qe", "reminder"]
    with clock.at(START + timedelta(hours=1)):
        response = client.post(f"{API}/{reminder.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] == "2026-03-02T02:00:00Z"

    body = client.get(f"{API}?unread=true").json()
    assert [i["id"] for i in body["items"]] == [made["qe", "task_assigned"].pk]
    assert (body["count"], body["unread"]) == (1, 1)
    # Reading twice keeps the first moment.
    assert client.post(f"{API}/{reminder.pk}/read").json()["read_at"] == "2026-03-02T02:00:00Z"


def test_read_all_marks_only_your_own(org, inbox):
    _, made = inbox
    response = api(org["qe"]).post(f"{API}/read-all")
    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert api(org["qe"]).post(f"{API}/read-all").json() == {"marked": 0}
    assert Notification.objects.get(pk=made["cs", "critical"].pk).read_at is None


def test_someone_elses_notification_is_not_found(org, inbox):
    _, made = inbox
    theirs = made["cs", "critical"]
    response = api(org["qe"]).post(f"{API}/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert api(org["qe"]).post(f"{API}/99999999/read").status_code == 404
    assert api(org["qe"]).post(f"{API}/{2**63}/read").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert [i["id"] for i in api(org["cs"]).get(API).json()["items"]] == [theirs.pk]


def test_paging_and_language(org, inbox, chinese):
    complaint, made = inbox
    client = api(org["qe"], language="zh-hans")
    body = client.get(f"{API}?limit=1&offset=1").json()
    assert body["count"] == 2
    assert [i["id"] for i in body["items"]] == [made["qe", "reminder"].pk]
    first = client.get(f"{API}?limit=1").json()["items"][0]
    assert first["title"] == f"{complaint.number} 指派给您的任务：Root cause"
    assert client.get(f"{API}?limit=0").status_code == 422


def test_without_a_token(db):
    assert Client().get(API).status_code == 401
    assert Client().post(f"{API}/read-all").status_code == 401
