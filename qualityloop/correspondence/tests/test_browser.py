"""In a real browser: the panel loads into the complaint page, a template fills the form, the
agent edits the text and sends it."""

import pytest
from django.utils import translation

from qualityloop.complaints.workflow import Status
from qualityloop.correspondence.models import Message
from qualityloop.testing import new_page, sign_in

from .helpers import in_diagnosis

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    return new_page(browser, locale="en-GB")


def test_choose_a_template_edit_it_and_send(org_tx, live_server, page):
    complaint = in_diagnosis(org_tx, complainant_email="wang@example.com")

    sign_in(page, f"{live_server.url}/complaints/{complaint.pk}/", "cs")

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
