"""In a real browser: a similar solved case appears while customer service types a complaint,
and quality drafts the entry of a closed complaint from its page."""

import pytest

from qualityloop.knowledge.models import KnowledgeEntry
from qualityloop.testing import sign_in

from .helpers import closed_at_first_contact, entry

pytestmark = pytest.mark.browser


def test_a_similar_solved_case_appears_while_typing(org_tx, live_server, page, tmp_path):
    solved = entry(
        org_tx,
        title="控制器外壳开裂",
        problem="客户装配时发现控制器外壳开裂。",
        solution="模具冷却时间由15秒调整为25秒。",
        product_id=org_tx.product.pk,
    )
    entry(org_tx, title="充电模块输出电压不稳", problem="满载时电压跌落。")
    sign_in(page, f"{live_server.url}/complaints/new/", "cs")
    suggestions = page.locator("#knowledge-suggestions")
    suggestions.locator("p.muted").wait_for()

    page.fill("#id_title", "控制器外壳有裂纹")
    page.press("#id_title", "End")

    link = suggestions.locator(f"a[href='/knowledge/{solved.pk}/']")
    link.wait_for()
    assert link.inner_text() == "控制器外壳开裂"
    assert suggestions.locator("li").count() == 1
    assert (
        suggestions.locator(".knowledge-snippet").inner_text() == "模具冷却时间由15秒调整为25秒。"
    )
    page.screenshot(path=str(tmp_path / "register.png"), full_page=True)
    page.goto(f"{live_server.url}/knowledge/?q=开裂")
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
    page.goto(f"{live_server.url}/knowledge/{solved.pk}/")
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)


def test_quality_drafts_the_entry_from_the_complaint_page(org_tx, live_server, page):
    complaint = closed_at_first_contact(org_tx)
    sign_in(page, f"{live_server.url}/complaints/{complaint.pk}/", "qe")
    panel = page.locator("#knowledge-panel")

    panel.locator("button[type=submit]").click()
    panel.locator(".badge").wait_for()

    made = KnowledgeEntry.objects.get(complaint=complaint)
    assert panel.locator(f"a[href='/knowledge/{made.pk}/']").inner_text() == "控制器外壳开裂"
    assert made.status == "draft"
