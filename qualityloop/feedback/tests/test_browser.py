"""In a real browser: staff make a survey link in the panel; the complainant opens it,
clicks the stars and sends the answer (CSRF cookie and all)."""

import os
from pathlib import Path

import pytest

from qualityloop.feedback.models import Survey
from qualityloop.testing import new_page, sign_in

from .conftest import closed

SHOTS = os.environ.get("FEEDBACK_SCREENSHOTS")

pytestmark = pytest.mark.browser


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_link_made_in_the_panel_is_answered_in_the_browser(
    org_tx, live_server, browser, settings
):
    settings.QUALITYLOOP = {**settings.QUALITYLOOP, "BASE_URL": live_server.url}
    complaint = closed(org_tx, complainant_language="en")

    staff = new_page(browser, locale="en-GB")
    sign_in(staff, f"{live_server.url}/complaints/{complaint.pk}/", "cs")
    panel = staff.locator("#feedback")
    panel.get_by_role("button", name="Create a survey link").click()
    link = panel.locator("#survey-link")
    link.wait_for()
    url = link.input_value()
    assert url.startswith(f"{live_server.url}/survey/")
    _shot(staff, "panel-link")

    # The complainant's browser is Chinese; the survey is in English, as the complainant chose.
    complainant = new_page(browser, locale="zh-CN")
    complainant.goto(url)
    assert complainant.locator("h1").inner_text() == "How did we do?"
    complainant.locator("label[for='survey-outcome_score_1']").click()  # the second star
    complainant.locator("label[for='survey-handling_score_4']").click()  # the fifth star
    complainant.get_by_label("Yes").check()
    complainant.get_by_label("Anything you want to tell us?").fill("Quick and polite.")
    _shot(complainant, "survey-form")
    complainant.get_by_role("button", name="Send my answer").click()
    complainant.get_by_text("Thank you for your answer.").wait_for()

    survey = Survey.objects.get()
    assert (survey.outcome_score, survey.handling_score, survey.satisfied, survey.comment) == (
        2,
        5,
        True,
        "Quick and polite.",
    )
    complainant.goto(url)
    # A used link says nothing about its survey, not even its language: the browser's decides.
    assert complainant.locator("h1").inner_text() == "此链接无效或已被使用。"

    staff.reload()
    answered = staff.locator(f"#survey-{survey.pk}")
    answered.wait_for()
    assert "2/5" in answered.inner_text() and "Quick and polite." in answered.inner_text()
    _shot(staff, "panel-answered")
