"""In a real browser: a quality engineer sends a 催办 on a task; its holder sees the bell,
reads the reminder in the notification centre and marks it read."""

import re

import pytest

from qualityloop.complaints.choices import EventKind
from qualityloop.testing import sign_in

pytestmark = pytest.mark.browser


def test_a_reminder_reaches_the_task_holder(org_tx, live_server, page):
    org = org_tx
    complaint = org.register()  # registered by cs, who holds the intake task
    sign_in(page, f"{live_server.url}/login/", "qe", lands_on=r"/my-work/$")
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    assert page.locator("#clocks-heading").inner_text().startswith("时限")
    reminder = page.locator("details:has(form[action$='/remind/'])").first
    reminder.locator("summary").click()
    reminder.locator("textarea[name=message]").fill("客户催问进度，请今天下班前回复。")
    reminder.locator("button[type=submit]").click()
    page.wait_for_function("() => document.body.innerText.includes('催办已发送')")
    assert complaint.events.filter(kind=EventKind.REMINDER).count() == 1

    page.click("form[action$='/logout/'] button[type=submit]")
    sign_in(page, f"{live_server.url}/login/", "cs", lands_on=r"/my-work/$")
    bell = page.locator("#notification-bell")
    assert bell.locator(".bell-count").inner_text() == "1"
    bell.click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    item = page.locator("li.notif.unread").first
    assert "客户催问进度，请今天下班前回复。" in item.inner_text()
    item.locator("button[type=submit]").click()
    page.wait_for_function("() => !document.querySelector('#notification-bell .bell-count')")
    page.wait_for_function("() => !document.querySelector('li.notif.unread')")
    assert "已读" in page.locator("#notification-list li").first.inner_text()
