"""Finding entries in Chinese, and suggesting solved cases for a complaint being registered."""

from qualityloop.knowledge import services
from qualityloop.testing import assert_num_queries_at_most

from .helpers import category, entry


def _ids(hits) -> list[int]:
    return [h.entry.pk for h in hits]


def test_a_two_character_word_finds_the_entry_that_holds_it_and_no_other(org):
    cracked = entry(
        org,
        title="控制器外壳开裂",
        problem="客户装配时发现外壳开裂。",
        solution="调整模具冷却时间。",
        product_id=org.product.pk,
    )
    voltage = entry(org, title="充电模块输出电压不稳", problem="满载时电压跌落。")
    reader = org["ts_member"]

    assert _ids(services.search(reader, "开裂")) == [cracked.pk]
    assert _ids(services.search(reader, "电压")) == [voltage.pk]
    assert _ids(services.search(reader, "模具")) == [cracked.pk]
    assert _ids(services.search(reader, "裂")) == [cracked.pk]
    assert _ids(services.search(reader, "外壳 电压")) == []
    assert _ids(services.search(reader, "裂纹")) == []
    assert _ids(services.search(reader, "MC-200")) == [cracked.pk]
    assert _ids(services.search(reader, "")) == [voltage.pk, cracked.pk]


def test_the_snippet_marks_what_matched(org):
    made = entry(org, title="外壳", problem="客户装配时发现外壳开裂。", solution="调整模具<冷却>。")

    (hit,) = services.search(org["cs"], "开裂")

    assert hit.entry.pk == made.pk
    assert hit.snippet == "客户装配时发现外壳<mark>开裂</mark>。 · 调整模具&lt;冷却&gt;。"
    assert hit.snippet_text == "客户装配时发现外壳开裂。 · 调整模具<冷却>。"
    (hit,) = services.search(org["cs"], "外壳开裂")
    assert hit.snippet == "客户装配时发现<mark>外壳开裂</mark>。 · 调整模具&lt;冷却&gt;。"


def test_filters_by_product_category_and_tag(org):
    a = entry(
        org,
        title="外壳开裂",
        tags="模具, 外观",
        product_id=org.product.pk,
        category_id=category("appearance"),
    )
    b = entry(
        org,
        title="外壳变形",
        tags="运输",
        product_id=org.other_product.pk,
        category_id=category("packaging"),
    )
    qe = org["qe"]

    assert _ids(services.search(qe, "外壳", product_id=org.product.pk)) == [a.pk]
    assert _ids(services.search(qe, "", category_id=category("packaging"))) == [b.pk]
    assert _ids(services.search(qe, "", category_id=category("product-quality"))) == [b.pk, a.pk]
    assert _ids(services.search(qe, "", tag="外观")) == [a.pk]
    assert _ids(services.search(qe, "", tag="运输")) == [b.pk]
    assert _ids(services.search(qe, "", tag="外")) == []


def test_drafts_are_found_by_quality_only_and_archived_on_request(org):
    published = entry(org, title="外壳开裂")
    draft = entry(org, title="外壳开裂草稿", publish=False)
    archived = entry(org, title="外壳开裂旧案")
    services.archive_entry(actor=org["qe"], entry_id=archived.pk)

    for username in ("cs", "ts_member", "exec"):
        assert _ids(services.search(org[username], "开裂")) == [published.pk]
        assert _ids(services.search(org[username], "开裂", status="draft")) == [published.pk]
    for username in ("qe", "admin"):
        assert _ids(services.search(org[username], "开裂")) == [draft.pk, published.pk]
        assert _ids(services.search(org[username], "开裂", status="archived")) == [archived.pk]


def test_search_answers_at_most_twenty(org):
    for n in range(23):
        entry(org, title=f"外壳开裂 {n}")

    assert len(services.search(org["cs"], "开裂")) == 20
    assert len(services.search(org["cs"], "开裂", limit=500)) == 20
    assert len(services.search(org["cs"], "开裂", limit=3)) == 3


NEW_TITLE = "电机控制器外壳出现裂纹"
NEW_TEXT = "客户反映两台控制器外壳开裂，无法装配。"


def test_the_most_similar_published_case_is_suggested_first_and_drafts_never(org):
    same = entry(
        org,
        title="控制器外壳开裂",
        problem="客户装配时发现控制器外壳开裂。",
        solution="模具冷却时间由15秒调整为25秒，库存全检。",
        product_id=org.product.pk,
        category_id=category("appearance"),
    )
    partly = entry(
        org,
        title="控制器外壳划伤",
        problem="运输途中控制器外壳划伤。",
        product_id=org.other_product.pk,
    )
    entry(org, title="充电模块输出电压不稳", problem="客户反映满载时电压跌落。")
    entry(org, title="控制器外壳开裂", problem=NEW_TEXT + NEW_TITLE, publish=False)

    hits = services.suggest(org["cs"], NEW_TITLE, NEW_TEXT, org.product.pk)

    assert _ids(hits) == [same.pk, partly.pk]
    # 10 of the 24 words shared, 6 of them in its title, the same product: 10 + 6 + 3.
    assert [h.score for h in hits] == [19, 8]
    assert hits[0].snippet == "模具冷却时间由15秒调整为25秒，库存全检。"


def test_the_same_product_and_category_break_a_tie(org):
    other = entry(org, title="外壳开裂", product_id=org.other_product.pk)
    same_product = entry(org, title="外壳开裂", product_id=org.product.pk)
    same_category = entry(org, title="外壳开裂", category_id=category("appearance"))

    hits = services.suggest(
        org["cs"], "外壳开裂", "", org.product.pk, category_id=category("appearance")
    )

    assert _ids(hits) == [same_product.pk, same_category.pk, other.pk]
    assert [h.score for h in hits] == [9, 8, 6]


def test_one_shared_common_word_is_not_a_similar_case(org):
    entry(org, title="客户投诉包装破损", problem="纸箱压坏。")

    assert services.suggest(org["cs"], "客户反映控制器外壳开裂", "无法装配，要求更换。", None) == []
    assert services.suggest(org["cs"], "", "", org.product.pk) == []


def test_a_suggestion_is_one_query_however_many_entries_there_are(org):
    for n in range(12):
        entry(org, title=f"控制器外壳开裂 第{n}例", product_id=org.product.pk)

    with assert_num_queries_at_most(1):
        hits = services.suggest(org["cs"], NEW_TITLE, NEW_TEXT * 20, org.product.pk)

    assert len(hits) == 5
