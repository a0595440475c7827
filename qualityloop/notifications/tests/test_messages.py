"""What each notification says, in English and Chinese, with moments in local time."""

import pytest

from qualityloop.notifications import messages
from qualityloop.notifications.choices import NotifyEvent

COMPLAINT = {
    "complaint": 7,
    "number": "QC-2026-000123",
    "title": "控制器外壳开裂",
    "severity": 1,
    "severity_label": "紧急",
    "url": "/complaints/7/",
}


def render(event, language="en", **data):
    return messages.render(event, {**COMPLAINT, **data}, language)


def test_every_event_in_english():
    due = "2026-03-02T09:30:00+00:00"  # 17:30 in Shanghai
    assert render("sla_warning", clock="answer", clock_label="Answer", due_at=due, share=0.8) == (
        "QC-2026-000123 Deadline approaching: Answer",
        "Due at 2026-03-02 17:30.\n80% of the time allowed is used.\n"
        "QC-2026-000123 · 控制器外壳开裂 · 紧急",
    )
    assert render("sla_missed", clock="answer", clock_label="答复客户", due_at=due) == (
        "QC-2026-000123 Deadline missed: 答复客户",
        "It was due at 2026-03-02 17:30.\nQC-2026-000123 · 控制器外壳开裂 · 紧急",
    )
    assert render(
        "escalation",
        clock_label="Root cause",
        due_at=due,
        level=2,
        level_label="Quality manager",
        late_by=2 * 86400 + 3 * 3600 + 5 * 60,
    )[0:2] == (
        "QC-2026-000123 Escalated to Quality manager: Root cause",
        "It was due at 2026-03-02 17:30 and is 2 days 3 hours 5 minutes late.\n"
        "QC-2026-000123 · 控制器外壳开裂 · 紧急",
    )
    assert render("critical", reason="Safety risk")[0] == (
        "QC-2026-000123 Critical or claim complaint: 控制器外壳开裂"
    )
    assert render("meeting", task=3, task_title="Response meeting", due_at=due) == (
        "QC-2026-000123 Response meeting due by 2026-03-02 17:30",
        "Response meeting\nQC-2026-000123 · 控制器外壳开裂 · 紧急",
    )
    assert render("major_case", opened_at="2026-03-09T01:00:00Z", days_open=7) == (
        "QC-2026-000123 Major quality case opened",
        "Open for 7 days.\nOpened as a major quality case at 2026-03-09 09:00.\n"
        "QC-2026-000123 · 控制器外壳开裂 · 紧急",
    )
    assert render("reminder", message="Please hurry", sender="王经理", task_title="Diagnosis") == (
        "QC-2026-000123 Reminder from 王经理: Diagnosis",
        "Please hurry\nQC-2026-000123 · 控制器外壳开裂 · 紧急",
    )
    assert render("management", reason="legal", reason_label="Legal dispute", note="Lawyer")[0] == (
        "QC-2026-000123 Escalated to management: Legal dispute"
    )
    assert render("task_assigned", task=4, task_title="Diagnosis", due_at=due)[0] == (
        "QC-2026-000123 Task assigned to you: Diagnosis"
    )
    assert messages.render(
        "summary", {"period": "2026-W10", "period_label": "Week 10", "counts": {"open": 4}}, "en"
    ) == ("Management summary: Week 10", "open: 4")


def test_escalation_late_by_as_text_and_a_single_day():
    assert render("escalation", level_label="QM", due_at="2026-03-02T09:30Z", late_by=86400)[
        1
    ].startswith("It was due at 2026-03-02 17:30 and is 1 day late.")
    assert render("escalation", level_label="QM", due_at="2026-03-02T09:30:00Z", late_by="3 h")[
        1
    ].startswith("It was due at 2026-03-02 17:30 and is 3 h late.")


def test_missing_keys_fall_back_to_the_event_name():
    assert messages.render("sla_missed", {"number": "QC-1"}, "en") == (
        "QC-1 Deadline missed",
        "QC-1",
    )
    assert messages.render("summary", None, "en") == ("Management summary", "")


def test_naive_due_at_is_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    assert messages.local_time("2026-03-02T17:30:00") == "2026-03-02 17:30"
    assert messages.local_time("2026-03-02T09:30:00Z") == "2026-03-02 17:30"
    assert messages.local_time("not a date") == "not a date"


def test_chinese(chinese):
    assert render("sla_missed", "zh-hans", clock_label="答复客户", due_at="2026-03-02T09:30Z") == (
        "QC-2026-000123 截止时间已过：答复客户",
        "截止时间为 2026-03-02 17:30。\nQC-2026-000123 · 控制器外壳开裂 · 紧急",
    )
    # The language is the one asked for, not the one active around the call.
    assert render("sla_missed", "en", clock_label="Answer")[0] == (
        "QC-2026-000123 Deadline missed: Answer"
    )


def test_link_is_absolute_when_the_site_address_is_known(settings):
    assert messages.link(COMPLAINT) == "/complaints/7/"
    settings.QUALITYLOOP = {**settings.QUALITYLOOP, "BASE_URL": "https://ql.example.com/"}
    assert messages.link(COMPLAINT) == "https://ql.example.com/complaints/7/"


@pytest.mark.parametrize("event", NotifyEvent.values)
def test_every_event_has_a_title_starting_with_the_number(event):
    title, _ = render(event, clock_label="A", level_label="B", task_title="C", reason="D")
    assert title.startswith("QC-2026-000123 ")
    assert len(title) > len("QC-2026-000123 ")
