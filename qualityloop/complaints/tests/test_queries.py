"""The list query: Chinese search, filters and keyset paging."""

from datetime import timedelta

import pytest

from qualityloop.complaints import access, queries, search, services
from qualityloop.complaints.models import StageTask
from qualityloop.complaints.queries import Filters
from qualityloop.core import clock
from qualityloop.testing import assert_num_queries_at_most, aware


def test_tokens_cover_chinese_without_a_segmenter():
    assert search.document_tokens("屏幕裂纹 MC-200") == "屏 幕 裂 纹 屏幕 幕裂 裂纹 mc 200"
    assert search.query_tokens("裂纹") == ["裂纹"]
    assert search.query_tokens("屏幕 裂") == ["屏幕", "裂"]
    assert search.query_tokens("  ，。!") == []


@pytest.fixture
def three(org):
    with clock.at(aware(2026, 3, 1, 9)):
        a = org.register(title="屏幕出现裂纹", description="客户反馈显示屏有细小裂纹。")
    with clock.at(aware(2026, 3, 2, 9)):
        b = org.register(
            title="电池鼓包",
            description="充电后电池明显鼓包，存在安全隐患。",
            safety_or_regulatory=True,
            product_id=org.other_product.pk,
            batch_id=org.other_batch.pk,
        )
    with clock.at(aware(2026, 3, 3, 9)):
        c = org.register(
            title="Connector pins bent",
            description="Pins of X200-PRO bent on arrival",
            complainant_name="John Smith",
            is_repeat=False,
        )
    return a, b, c


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("裂纹", ["a"]),
        ("鼓包", ["b"]),
        ("安全隐患", ["b"]),
        ("鼓", ["b"]),
        ("电", ["c", "b", "a"]),
        ("裂纹 鼓包", []),
        ("x200", ["c"]),
        ("SMITH", ["c"]),
        ("华东", ["c", "b", "a"]),
        ("不存在的词", []),
    ],
)
def test_search_finds_chinese_and_latin(org, three, q, expected):
    names = dict(zip(three, "abc", strict=True))
    found = queries.page(access.visible_complaints(org["qe"]), Filters(q=q, state="all")).items
    assert [names[c] for c in found] == expected


def test_search_by_number(org, three):
    found = queries.page(access.visible_complaints(org["qe"]), Filters(q=three[1].number)).items
    assert found == [three[1]]


def test_search_follows_edits(org, three):
    a = three[0]
    services.update_complaint(actor=org["cs"], complaint_id=a.pk, changes={"title": "外壳划伤"})
    qs = access.visible_complaints(org["qe"])
    assert queries.page(qs, Filters(q="裂纹")).items == [a]
    assert queries.page(qs, Filters(q="划伤")).items == [a]
    assert queries.page(qs, Filters(q="屏幕出现")).items == []


def test_filters_narrow(org, three):
    a, b, c = three
    qs = access.visible_complaints(org["qe"])

    def ids(**kw):
        return [x.pk for x in queries.page(qs, Filters(**kw)).items]

    assert ids(severity=1) == [b.pk]
    assert ids(product=org.other_product.pk) == [b.pk]
    assert ids(
        received_from=aware(2026, 3, 2, 0).date(), received_to=aware(2026, 3, 2, 0).date()
    ) == [b.pk]
    assert ids(sort="oldest") == [a.pk, b.pk, c.pk]
    assert ids(sort="severity")[0] == b.pk
    org.advance(a, "acknowledge", actor="cs")
    assert ids(stage="classification") == [a.pk]
    org.advance(c, "close_at_first_contact", actor="cs", answer="已解释")
    assert ids(state="closed") == [c.pk]
    assert c.pk not in ids()
    assert ids(department=org.departments["cs"].pk) == [b.pk, a.pk]


def test_keyset_paging_walks_forward_and_back(org):
    start = aware(2026, 1, 1, 8)
    for i in range(12):
        with clock.at(start + timedelta(hours=i)):
            org.register(title=f"投诉 {i:02d}", is_repeat=False)
    qs = access.visible_complaints(org["qe"])
    first = queries.page(qs, Filters(), size=5)
    assert [c.title for c in first.items] == [f"投诉 {i:02d}" for i in (11, 10, 9, 8, 7)]
    assert first.prev_cursor is None and first.count == 12
    second = queries.page(qs, Filters(), after=first.next_cursor, size=5)
    third = queries.page(qs, Filters(), after=second.next_cursor, size=5)
    assert [c.title for c in third.items] == ["投诉 01", "投诉 00"]
    assert third.next_cursor is None
    back = queries.page(qs, Filters(), before=third.prev_cursor, size=5)
    assert [c.pk for c in back.items] == [c.pk for c in second.items]
    assert queries.page(qs, Filters(), after="garbage", size=5).items == first.items


def test_page_costs_the_same_queries_at_any_size(org):
    for _ in range(30):
        org.register(is_repeat=False)
    qs = access.visible_complaints(org["qe"])
    # count, the matching ids (a selective filter), the page's ids, the rows
    with assert_num_queries_at_most(4) as small:
        queries.page(qs, Filters(), size=5)
    with assert_num_queries_at_most(4) as large:
        rows = queries.page(qs, Filters(), size=30).items
        [(r.category.path, r.product.name, r.task_due_at, r.customer.name) for r in rows]
    assert len(small.captured_queries) == len(large.captured_queries)


def test_department_members_see_only_their_complaints(org, three):
    a, _b, _c = three
    org.advance(a, "acknowledge", "confirm_grade", actor="cs")
    assert list(access.visible_complaints(org["ts_member"])) == [a]
    assert list(access.visible_complaints(org["prod_member"])) == []
    assert access.visible_complaints(org["exec"]).count() == 3


def test_common_words_page_the_same_way_as_rare_ones(org, monkeypatch):
    """Past the count cap the search walks the list in order; the page must not change."""
    start = aware(2026, 1, 1, 8)
    for i in range(8):
        with clock.at(start + timedelta(hours=i)):
            org.register(title=f"外壳开裂 {i}", is_repeat=False)
    qs = access.visible_complaints(org["qe"])
    rare = queries.page(qs, Filters(q="开裂"), size=3)
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    common = queries.page(qs, Filters(q="开裂"), size=3)
    assert common.count_capped and not rare.count_capped
    assert [c.pk for c in common.items] == [c.pk for c in rare.items]
    after = queries.page(qs, Filters(q="开裂"), after=common.next_cursor, size=3)
    assert [c.title for c in after.items] == ["外壳开裂 4", "外壳开裂 3", "外壳开裂 2"]


def test_visible_tasks_are_the_tasks_of_visible_complaints(org, three):
    a, b, _c = three
    org.advance(a, "acknowledge", "confirm_grade", actor="cs")
    services.add_task(
        actor=org["qe"],
        complaint_id=b.pk,
        department_id=org.departments["rnd"].pk,
        title="结构复核",
        due_at=aware(2030, 1, 1, 9),
    )
    for user in org.users.values():
        expected = set(
            StageTask.objects.filter(complaint__in=access.visible_complaints(user)).values_list(
                "pk", flat=True
            )
        )
        assert set(access.visible_tasks(user).values_list("pk", flat=True)) == expected, user
    assert {t.complaint_id for t in queries.my_tasks(org["rnd_member"])} == {b.pk}
    assert list(queries.my_tasks(org["prod_member"])) == []
