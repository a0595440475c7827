"""The knowledge pages, the complaint panel and the suggestions beside registration."""

import html

import pytest
from django.test import Client

from qualityloop.complaints.choices import EventKind
from qualityloop.knowledge import services
from qualityloop.knowledge.models import KnowledgeEntry
from qualityloop.testing import assert_audit_event, assert_num_queries_at_most, login

from .helpers import closed_at_first_contact, entry, snapshot

HX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def case(org):
    """A closed complaint that customer service sees and technical support does not, with
    its published entry, a draft written by hand and a published one."""
    complaint = closed_at_first_contact(org)
    drafted = services.create_from_complaint(complaint_id=complaint.pk, actor=org["qe"])
    published = services.publish_entry(actor=org["qe"], entry_id=drafted.pk)
    draft = entry(org, title="充电模块电压不稳", publish=False)
    return {"complaint": complaint, "published": published, "draft": draft}


def _urls(case) -> dict[str, tuple[str, str]]:
    pub, draft, complaint = case["published"].pk, case["draft"].pk, case["complaint"].pk
    return {
        "list": ("get", "/knowledge/"),
        "suggest": ("get", "/knowledge/suggest/?title=外壳开裂"),
        "published": ("get", f"/knowledge/{pub}/"),
        "draft": ("get", f"/knowledge/{draft}/"),
        "new": ("get", "/knowledge/new/"),
        "edit published": ("get", f"/knowledge/{pub}/edit/"),
        "edit draft": ("get", f"/knowledge/{draft}/edit/"),
        "save published": ("post", f"/knowledge/{pub}/edit/"),
        "publish draft": ("post", f"/knowledge/{draft}/publish/"),
        "archive published": ("post", f"/knowledge/{pub}/archive/"),
        "panel": ("get", f"/complaints/{complaint}/knowledge/"),
        "create from": ("post", f"/complaints/{complaint}/knowledge/create/"),
    }


EXPECTED = {
    # who: status per url name
    "ts_member": {
        "list": 200,
        "suggest": 200,
        "published": 200,
        "draft": 404,
        "new": 403,
        "edit published": 403,
        "edit draft": 404,
        "save published": 403,
        "publish draft": 404,
        "archive published": 403,
        "panel": 404,
        "create from": 404,
    },
    "cs": {
        "list": 200,
        "suggest": 200,
        "published": 200,
        "draft": 404,
        "new": 403,
        "edit published": 403,
        "edit draft": 404,
        "save published": 403,
        "publish draft": 404,
        "archive published": 403,
        "panel": 200,
        "create from": 403,
    },
    "admin": {
        "list": 200,
        "suggest": 200,
        "published": 200,
        "draft": 200,
        "new": 403,
        "edit published": 403,
        "edit draft": 403,
        "save published": 403,
        "publish draft": 403,
        "archive published": 403,
        "panel": 200,
        "create from": 403,
    },
    "qe": {
        "list": 200,
        "suggest": 200,
        "published": 200,
        "draft": 200,
        "new": 200,
        "edit published": 200,
    },
}


def test_anonymous_visitors_are_sent_to_log_in(org, case):
    before = snapshot()
    for name, (method, url) in _urls(case).items():
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/login/?next="), name
    assert snapshot() == before


@pytest.mark.parametrize("username", ["ts_member", "cs", "admin", "qe"])
def test_permission_matrix(org, case, username):
    client = login(org[username])
    before = snapshot()
    urls = _urls(case)
    for name, expected in EXPECTED[username].items():
        method, url = urls[name]
        response = getattr(client, method)(url, {"title": "改了"} if method == "post" else None)
        assert response.status_code == expected, f"{username} {name}"
    assert snapshot() == before


def test_the_complaint_link_shows_only_to_those_who_may_open_it(org, case):
    url = f"/knowledge/{case['published'].pk}/"
    link = f'href="/complaints/{case["complaint"].pk}/"'
    number = case["complaint"].number

    seen_by_cs = text(login(org["cs"]).get(url))
    seen_by_ts = text(login(org["ts_member"]).get(url))

    assert link in seen_by_cs and number in seen_by_cs
    assert link not in seen_by_ts and number not in seen_by_ts
    assert "已为客户免费更换3台外壳。" in seen_by_ts
    assert "Edit" not in seen_by_ts


def test_the_search_page_marks_the_matching_words(org, case):
    client = login(org["ts_member"])

    page = client.get("/knowledge/?q=开裂")
    fragment = client.get("/knowledge/?q=开裂", **HX)

    assert page.status_code == 200
    assert "<mark>开裂</mark>" in page.content.decode()
    body = fragment.content.decode()
    assert body.lstrip().startswith('<section id="knowledge-results"')
    assert "1 entry" in body
    assert f'href="/knowledge/{case["published"].pk}/"' in body
    assert "充电模块" not in body
    assert (
        "No entries match this search." in client.get("/knowledge/?q=电压", **HX).content.decode()
    )


def test_the_search_page_costs_the_same_for_many_results(org):
    for n in range(15):
        entry(org, title=f"外壳开裂 {n}", product_id=org.product.pk, tags="模具,外观")
    client = login(org["cs"])
    client.get("/knowledge/?q=开裂", **HX)

    with assert_num_queries_at_most(6):
        response = client.get("/knowledge/?q=开裂", **HX)

    assert text(response).count('<li class="knowledge-hit">') == 15


def test_quality_edits_an_entry_and_a_stale_form_keeps_what_was_typed(org, case):
    client = login(org["qe"])
    pk = case["published"].pk
    form = {
        "title": "控制器外壳开裂（修订）",
        "problem": "客户收货后发现外壳开裂。",
        "root_cause": "模具冷却不足",
        "solution": "调整冷却时间",
        "lessons": "",
        "tags": "模具, 外观",
        "product": org.product.pk,
        "category": "",
        "version": "2",
    }

    saved = client.post(f"/knowledge/{pk}/edit/", form)
    stale = client.post(f"/knowledge/{pk}/edit/", {**form, "title": "再改一次"})

    assert saved.status_code == 302 and saved["Location"] == f"/knowledge/{pk}/"
    changed = KnowledgeEntry.objects.get(pk=pk)
    assert (changed.title, changed.root_cause, changed.tags, changed.version) == (
        "控制器外壳开裂（修订）",
        "模具冷却不足",
        "模具,外观",
        3,
    )
    assert changed.category_id is None
    assert stale.status_code == 422
    assert "Someone else changed this entry while you were editing it." in text(stale)
    assert 'value="再改一次"' in text(stale)
    assert KnowledgeEntry.objects.get(pk=pk).title == "控制器外壳开裂（修订）"


def test_quality_publishes_and_archives_from_the_entry_page(org, case):
    client = login(org["qe"])
    pk = case["draft"].pk

    published = client.post(f"/knowledge/{pk}/publish/", {"version": "1"}, follow=True)
    assert "Entry published." in text(published)
    assert KnowledgeEntry.objects.get(pk=pk).status == "published"
    archived = client.post(f"/knowledge/{pk}/archive/", {"version": "2"}, follow=True)
    assert "Entry archived." in text(archived)
    assert KnowledgeEntry.objects.get(pk=pk).status == "archived"


def test_a_stale_publish_is_refused(org, case):
    pk = case["draft"].pk

    response = login(org["qe"]).post(f"/knowledge/{pk}/publish/", {"version": "7"}, follow=True)

    assert "Someone else changed this entry while you were editing it." in text(response)
    assert KnowledgeEntry.objects.get(pk=pk).status == "draft"


def test_publishing_without_a_solution_says_why(org):
    made = entry(org, title="外壳开裂", solution="", publish=False)

    response = login(org["qe"]).post(f"/knowledge/{made.pk}/publish/", follow=True)

    assert "Fill this in before publishing." in text(response)
    assert KnowledgeEntry.objects.get(pk=made.pk).status == "draft"


def test_quality_writes_an_entry_by_hand(org):
    client = login(org["qe"])

    refused = client.post("/knowledge/new/", {"title": "", "problem": ""})
    made = client.post(
        "/knowledge/new/",
        {"title": "外壳开裂", "problem": "开裂", "solution": "", "tags": "A, a", "version": ""},
    )

    assert refused.status_code == 422
    assert text(refused).count("This field is required.") == 2
    entry_ = KnowledgeEntry.objects.get()
    assert made["Location"] == f"/knowledge/{entry_.pk}/"
    assert (entry_.title, entry_.tags, entry_.status, entry_.complaint_id) == (
        "外壳开裂",
        "a",
        "draft",
        None,
    )


def test_the_complaint_page_loads_the_panel(org, case):
    complaint = case["complaint"]

    page = text(login(org["cs"]).get(f"/complaints/{complaint.pk}/"))

    assert (
        f'hx-get="/complaints/{complaint.pk}/knowledge/" hx-trigger="load" hx-swap="outerHTML"'
        in page
    )


def test_the_panel_offers_quality_to_draft_the_entry_of_a_closed_complaint(org):
    complaint = closed_at_first_contact(org)
    qe, cs = login(org["qe"]), login(org["cs"])
    url = f"/complaints/{complaint.pk}/knowledge/"

    assert "Create knowledge entry" in text(qe.get(url, **HX))
    assert "Create knowledge entry" not in text(cs.get(url, **HX))
    created = qe.post(f"{url}create/", **HX)

    made = KnowledgeEntry.objects.get(complaint=complaint)
    body = text(created)
    assert body.lstrip().startswith('<section class="card knowledge-panel" id="knowledge-panel"')
    assert "Draft knowledge entry created." in body
    assert f'<a href="/knowledge/{made.pk}/">控制器外壳开裂</a>' in body
    assert '<span class="badge orange">Draft</span>' in body
    assert "Create knowledge entry" not in body
    assert_audit_event(complaint, EventKind.KNOWLEDGE, action="created", entry=made.pk)
    # Customer service does not see the draft until it is published.
    assert "No published knowledge entry for this complaint." in text(cs.get(url, **HX))
    services.publish_entry(actor=org["qe"], entry_id=made.pk)
    assert f'<a href="/knowledge/{made.pk}/">控制器外壳开裂</a>' in text(cs.get(url, **HX))


def test_an_open_complaint_offers_no_entry(org):
    complaint = org.register(is_repeat=False)
    url = f"/complaints/{complaint.pk}/knowledge/"

    assert "The case becomes knowledge when it is closed." in text(login(org["qe"]).get(url, **HX))
    assert login(org["qe"]).post(f"{url}create/", **HX).status_code == 403
    assert KnowledgeEntry.objects.count() == 0


def test_the_registration_form_asks_for_similar_cases_as_the_user_types(org):
    page = text(login(org["cs"]).get("/complaints/new/"))

    assert 'hx-get="/knowledge/suggest/"' in page
    assert (
        'hx-trigger="keyup changed delay:600ms from:#id_title, keyup changed delay:600ms '
        'from:#id_description, change from:#id_product, load"' in page
    )
    assert 'hx-include="#id_title, #id_description, #id_product, #id_category"' in page
    assert "Similar solved cases" in page


def test_the_suggestions_fragment_lists_similar_published_cases(org, case):
    client = login(org["cs"])
    query = {"title": "控制器外壳有裂纹", "description": "外壳开裂", "product": org.product.pk}
    client.get("/knowledge/suggest/", query)

    with assert_num_queries_at_most(3):
        response = client.get("/knowledge/suggest/", query, **HX)

    body = response.content.decode()
    assert f'<a href="/knowledge/{case["published"].pk}/" target="_blank" rel="noopener">' in body
    assert "充电模块" not in body
    empty = client.get("/knowledge/suggest/", {"title": "", "description": ""}, **HX)
    assert "No similar solved cases yet." in empty.content.decode()
