"""The notification centre, the bell in the header and the preferences page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qualityloop.core import clock
from qualityloop.notifications import services
from qualityloop.notifications.models import Notification, NotificationPreference
from qualityloop.testing import aware, login

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
START = aware(2026, 3, 2, 9, 0)


def text(response) -> str:
    return response.content.decode()


def titles(response) -> list[str]:
    return re.findall(r'class="notif-title"[^>]*>([^<]+)<', text(response))


def unread_ids(response) -> list[int]:
    return [
        int(i) for i in re.findall(r'id="notification-(\d+)" class="notif unread"', text(response))
    ]


def bell(response) -> str | None:
    """The count the bell shows, or None when it shows none."""
    found = re.search(r'class="bell-count" data-unread="(\d+)"', text(response))
    return found.group(1) if found else None


def tell(user, complaint, event="reminder", at=START, **data):
    with clock.at(at):
        (notification,) = services.notify(
            event=event, recipients=[user], complaint=complaint, data=data
        )
    return notification


@pytest.fixture
def inbox(org):
    """Three notifications for qe, a minute apart, and one for cs."""
    complaint = org.register()
    qe = org["qe"]
    first = tell(qe, complaint, sender="王经理", task_title="Diagnosis", message="1")
    second = tell(
        qe, complaint, "task_assigned", START + timedelta(minutes=1), task_title="Root cause"
    )
    third = tell(qe, complaint, "sla_missed", START + timedelta(minutes=2), clock_label="Answer")
    other = tell(org["cs"], complaint, sender="qe", task_title="Reply")
    return {"complaint": complaint, "qe": [first, second, third], "cs": other}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/notifications/"),
        ("get", "/notifications/preferences/"),
        ("post", "/notifications/1/read/"),
        ("post", "/notifications/read-all/"),
    ],
)
def test_anonymous_is_sent_to_log_in(db, method, url):
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_the_centre_lists_newest_first_with_unread_highlighted(org, inbox):
    first, second, third = inbox["qe"]
    services.mark_read(actor=org["qe"], notification_id=first.pk)
    number = inbox["complaint"].number

    response = login(org["qe"]).get("/notifications/", **EN)

    assert response.status_code == 200
    assert titles(response) == [
        f"{number} Deadline missed: Answer",
        f"{number} Task assigned to you: Root cause",
        f"{number} Reminder from 王经理: Diagnosis",
    ]
    assert unread_ids(response) == [third.pk, second.pk]
    assert text(response).count(f'href="/complaints/{inbox["complaint"].pk}/"') == 3
    assert bell(response) == "2"
    assert "2026-03-02 09:02" in text(response)


def test_the_centre_speaks_the_viewers_language(org, inbox, chinese):
    client = login(org["qe"])
    number = inbox["complaint"].number
    assert titles(client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans"))[1] == (
        f"{number} 指派给您的任务：Root cause"
    )
    assert titles(client.get("/notifications/", **EN))[1] == (
        f"{number} Task assigned to you: Root cause"
    )


def test_unread_filter(org, inbox):
    first, second, third = inbox["qe"]
    services.mark_read(actor=org["qe"], notification_id=second.pk)
    response = login(org["qe"]).get("/notifications/?unread=1", **EN)
    assert unread_ids(response) == [third.pk, first.pk]
    assert len(titles(response)) == 2


def test_mark_read_with_htmx_updates_the_item_and_the_bell(org, inbox):
    third = inbox["qe"][2]
    response = login(org["qe"]).post(f"/notifications/{third.pk}/read/", **HX)

    assert response.status_code == 200
    body = text(response)
    assert f'id="notification-{third.pk}" class="notif"' in body
    assert "Mark read" not in body
    assert 'id="notification-bell"' in body and 'hx-swap-oob="true"' in body
    assert bell(response) == "2"
    third.refresh_from_db()
    assert third.read_at is not None


def test_mark_read_without_javascript_goes_back_to_the_centre(org, inbox):
    first = inbox["qe"][0]
    response = login(org["qe"]).post(f"/notifications/{first.pk}/read/", **EN)
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    first.refresh_from_db()
    assert first.read_at is not None


def test_someone_elses_notification_is_not_found(org, inbox):
    other = inbox["cs"]
    client = login(org["qe"])
    assert client.post(f"/notifications/{other.pk}/read/", **EN).status_code == 404
    assert client.post(f"/notifications/{other.pk}/read/", **HX).status_code == 404
    assert client.post("/notifications/999999/read/", **EN).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    assert other.pk not in unread_ids(client.get("/notifications/", **EN))


def test_mark_all_read_touches_only_your_own(org, inbox):
    with clock.at(START + timedelta(hours=1)):
        response = login(org["qe"]).post("/notifications/read-all/", **HX)
    assert response.status_code == 200
    assert 'id="notification-list"' in text(response)
    assert unread_ids(response) == []
    assert bell(response) is None
    assert set(
        Notification.objects.filter(recipient=org["qe"]).values_list("read_at", flat=True)
    ) == {START + timedelta(hours=1)}
    inbox["cs"].refresh_from_db()
    assert inbox["cs"].read_at is None


def test_the_bell_costs_one_query_and_nothing_when_signed_out(org, inbox):
    client = login(org["qe"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/my-work/", **EN)
    assert bell(response) == "3"
    assert len([q for q in queries if "notifications_notification" in q["sql"]]) == 1

    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/login/", **EN)
    assert response.status_code == 200
    assert 'id="notification-bell"' not in text(response)
    assert not [q for q in queries if "notifications_" in q["sql"]]

    assert bell(login(org["cs"]).get("/my-work/", **EN)) == "1"
    assert bell(login(org["exec"]).get("/my-work/", **EN)) is None


def test_fifty_a_page_in_a_fixed_number_of_queries(org):
    complaint = org.register()
    qe = org["qe"]
    for minute in range(51):
        tell(qe, complaint, "critical", START + timedelta(minutes=minute), reason=str(minute))
    client = login(org["qe"])

    with CaptureQueriesContext(connection) as queries:
        first = client.get("/notifications/", **EN)
    assert len(titles(first)) == 50
    assert "Page 1 of 2" in text(first)
    assert len(queries) <= 8
    second = client.get("/notifications/?page=2", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert titles(second) == [f"{complaint.number} Critical or claim complaint: 控制器外壳开裂"]
    assert "<html" not in text(second)
    assert '<p class="notif-body pre">0\n' in text(second)


def test_preferences_page_shows_the_defaults_and_saves_the_grid(org):
    client = login(org["qe"])
    page = text(client.get("/notifications/preferences/", **EN))
    assert re.search(r'name="sla_missed__email"[^>]*checked', page)
    assert not re.search(r'name="sla_warning__email"[^>]*checked', page)
    assert re.search(r'name="sla_warning__in_app"[^>]*checked', page)

    form = {
        f"{event}__{channel}": "on"
        for event in ("sla_warning", "sla_missed", "escalation", "critical", "meeting")
        for channel in ("in_app", "email")
    }
    del form["sla_missed__email"]
    response = client.post("/notifications/preferences/", form, **EN)

    assert response.status_code == 302
    assert response["Location"] == "/notifications/preferences/"
    saved = {
        (p.event, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(user=org["qe"])
    }
    assert len(saved) == 20
    assert saved["sla_missed", "email"] is False
    assert saved["sla_warning", "email"] is True
    assert saved["summary", "in_app"] is False
    page = text(client.get("/notifications/preferences/", **EN))
    assert not re.search(r'name="sla_missed__email"[^>]*checked', page)
    assert re.search(r'name="sla_warning__email"[^>]*checked', page)
    assert "Your notification preferences are saved." in page
    assert NotificationPreference.objects.exclude(user=org["qe"]).count() == 0
