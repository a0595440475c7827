"""In a real browser: the panel loads into the complaint page, a template fills the form, the
agent edits the text and sends it."""

import os
import re
from pathlib import Path

import pytest
from django.utils import translation

from qualityloop.complaints.workflow import Status
from qualityloop.core.testing import PASSWORD
from qualityloop.correspondence.models import Message

from .helpers import in_diagnosis

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

pytestmark = pytest.mark.browser


@pytest.fixture
def page():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_choose_a_template_edit_it_and_send(org_tx, live_server, page):
    complaint = in_diagnosis(org_tx, complainant_email="wang@example.com")

    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.fill("#id_username", "cs")
    page.fill("#id_password", PASSWORD)
    page.click("form[action$='/login/'] button[type=submit]")
    page.wait_for_url(re.compile(rf"/complaints/{complaint.pk}/$"))

    panel = page.locator("#correspondence")
    panel.get_by_text("Send a message").click()
    page.select_option("#send-template", "progress")
    page.wait_for_function(
        "document.querySelector('#send-subject').value.startsWith('投诉')", timeout=15_000
    )
    assert page.input_value("#send-subject") == f"投诉 {complaint.number} 处理进展"
    body = page.input_value("#send-body")
    with translation.override("zh-hans"):
        stage = str(Status.DIAGNOSIS.label)
    assert f"当前阶段：{stage}\n" in body

    page.fill("#send-body", body.replace("当前阶段", "目前阶段"))
    panel.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("The e-mail is on its way to wang@example.com.").wait_for()

    sent = Message.objects.get(template_code="progress")
    assert sent.body.startswith("尊敬的王经理：") and "目前阶段" in sent.body
    assert page.locator(f"#message-{sent.pk}").is_visible()
