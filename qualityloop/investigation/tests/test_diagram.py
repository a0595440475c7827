"""The fishbone drawn as SVG: well-formed, labelled 人机料法环测, every text escaped."""

import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from qualityloop.investigation import services
from qualityloop.investigation.diagram import fishbone_svg

from .helpers import in_diagnosis

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def complaint(org):
    return in_diagnosis(org, title="外壳开裂 <b>“批量”</b> & 变形")


def add(org, complaint, category, text, **kwargs):
    return services.add_fishbone_cause(
        actor=org["qe"], complaint_id=complaint.pk, category=category, text=text, **kwargs
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, under test)


def labels(root: ET.Element) -> list[str]:
    return [
        "".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"
    ]


def group(root: ET.Element, cause) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("data-cause") == str(cause.pk)]
    assert len(found) == 1
    return found[0]


def lines_of(g: ET.Element) -> list[str]:
    return [t.text for t in g.iter(f"{SVG}tspan")]


def test_the_six_bones_are_labelled_in_chinese_and_in_english(org, complaint):
    zh = fishbone_svg(complaint, "zh-hans")
    en = fishbone_svg(complaint, "en")
    assert labels(parse(zh)) == ["人", "机", "料", "法", "环", "测"]
    assert labels(parse(en)) == [
        "人 Man",
        "机 Machine",
        "料 Material",
        "法 Method",
        "环 Environment",
        "测 Measurement",
    ]
    assert isinstance(zh, SafeString)
    assert zh.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="fishbone" role="img"')


def test_cause_texts_and_the_problem_are_escaped(org, complaint):
    add(org, complaint, "material", "<script>alert('x')</script> & 来料")
    svg = fishbone_svg(complaint, "en")

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 来料" in svg
    assert "外壳开裂 &lt;b&gt;“批量”&lt;/b&gt; &amp; 变形" in svg
    root = parse(svg)  # well-formed XML despite the markup in the texts
    assert root.find("svg:title", NS).text == (
        "Fishbone diagram (人机料法环测): 外壳开裂 <b>“批量”</b> & 变形"
    )


def test_causes_sub_causes_and_root_causes(org, complaint):
    main = add(org, complaint, "machine", "注塑机保压参数漂移")
    sub = add(org, complaint, None, "换模后未做首件确认", parent_id=main.pk, is_root=True)
    other = add(org, complaint, "man", "新员工未培训")
    gone = add(org, complaint, "environment", "车间湿度高")
    services.remove_fishbone_cause(actor=org["qe"], fishbone_cause_id=gone.pk)

    root = parse(fishbone_svg(complaint, "en"))

    g_main, g_sub, g_other = group(root, main), group(root, sub), group(root, other)
    assert lines_of(g_main) == ["注塑机保压参数漂移"]
    assert lines_of(g_other) == ["新员工未培训"]
    assert lines_of(g_sub) == ["换模后未做首件确认"]
    assert [g.get("data-cause") for g in root.iter(f"{SVG}g")] == [
        str(other.pk),
        str(main.pk),
        str(sub.pk),
    ]
    assert "车间湿度高" not in ET.tostring(root, encoding="unicode")

    # The sub-cause is a smaller branch; the root cause is red, bold and dotted.
    sub_text, main_text = g_sub.find("svg:text", NS), g_main.find("svg:text", NS)
    assert (sub_text.get("font-size"), main_text.get("font-size")) == ("11", "12")
    assert g_sub.find("svg:polyline", NS) is not None
    assert (sub_text.get("fill"), sub_text.get("font-weight")) == ("#b42318", "bold")
    assert g_sub.find("svg:circle", NS).get("fill") == "#b42318"
    assert (main_text.get("fill"), main_text.get("font-weight")) == ("#243b53", "normal")
    assert g_main.find("svg:circle", NS) is None
    assert g_sub.find("svg:title", NS).text == "换模后未做首件确认 (root cause)"


def test_long_texts_wrap_into_three_lines_and_keep_the_whole_text_as_a_tooltip(org, complaint):
    long = "供应商" * 40
    cause = add(org, complaint, "material", long)
    g = group(parse(fishbone_svg(complaint, "zh-hans")), cause)
    lines = lines_of(g)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(len(line) <= 18 for line in lines)
    assert g.find("svg:title", NS).text == long


def test_the_diagram_grows_with_its_longest_bone(org, complaint):
    empty = parse(fishbone_svg(complaint, "en"))
    for i in range(8):
        add(org, complaint, "measurement", f"测量问题 {i}")
    full = parse(fishbone_svg(complaint, "en"))
    assert int(full.get("height")) > int(empty.get("height"))
    assert full.get("viewBox") == f"0 0 1180 {full.get('height')}"
