"""A person in a real browser: sign in, register a complaint in Chinese, move it one stage on."""

import re

import pytest

from qualityloop.complaints.models import Complaint
from qualityloop.testing import sign_in

pytestmark = pytest.mark.browser


def test_register_in_chinese_and_move_one_stage_on(org_tx, live_server, page, tmp_path):
    org = org_tx
    sign_in(page, f"{live_server.url}/complaints/new/", "cs")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.fill("#id_complainant_name", "李工")
    page.fill("#id_complainant_org", "华东汽车零部件有限公司")
    page.select_option("#id_product", str(org.product.pk))
    page.select_option("#id_batch", str(org.batch.pk))
    page.fill("#id_quantity", "12")
    page.fill("#id_title", "控制器外壳开裂")
    page.fill("#id_description", "到货检验发现12台控制器外壳有裂纹，客户要求尽快给出处理方案。")
    page.select_option("#id_channel", "phone")
    page.click("form[action$='/complaints/new/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/complaints/\d+/$"))

    complaint = Complaint.objects.get()
    assert complaint.title == "控制器外壳开裂"
    assert (complaint.quantity, complaint.batch_id, complaint.received_by) == (
        12,
        org.batch.pk,
        org["cs"],
    )
    assert page.locator("h1").first.inner_text() == "控制器外壳开裂"
    assert complaint.number in page.locator(".number").first.inner_text()

    page.click("a[href$='/transitions/acknowledge/']")
    form = page.locator("#transition-slot form")
    form.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => !document.querySelector('a[href$=\"/transitions/acknowledge/\"]')"
    )
    complaint.refresh_from_db()
    assert complaint.status == "classification"
    assert "分类与分级" in page.locator(".badges").inner_text()
    page.screenshot(path=str(tmp_path / "complaint.png"), full_page=True)
