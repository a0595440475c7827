"""The investigation panel on the complaint page, for each kind of user."""

import re

import pytest
from django.test import Client

from qualityloop.investigation import access, services
from qualityloop.investigation.models import (
    FishboneCause,
    InspectionRecord,
    ReturnedProduct,
    WhyChain,
)
from qualityloop.testing import login

from .helpers import PNG, code, in_diagnosis, photo, snapshot, text, with_records

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def complaint(org):
    return with_records(org)


def urls(c) -> dict[str, str]:
    base = f"/complaints/{c.pk}/investigation/"
    return {
        "panel": base,
        "svg": f"{base}fishbone.svg",
        "evidence": f"/investigation/evidence/{c.inspection.evidence.get().pk}/",
        "inspection": f"{base}inspections/",
        "rma": f"{base}returns/",
        "rma_update": f"{base}returns/{c.returned.pk}/",
        "containment": f"{base}containments/",
        "verify": f"{base}containments/{c.containment.pk}/verify/",
        "why": f"{base}whys/",
        "why_update": f"{base}whys/{c.chain.pk}/",
        "fishbone": f"{base}fishbone/",
        "remove": f"{base}fishbone/{c.cause.pk}/remove/",
        "root": f"{base}fishbone/{c.cause.pk}/root/",
        "root_cause": f"{base}root-cause/",
    }


READS = ("panel", "svg", "evidence")
WRITES = (
    "inspection",
    "rma",
    "rma_update",
    "containment",
    "verify",
    "why",
    "why_update",
    "fishbone",
    "remove",
    "root",
    "root_cause",
)


def form_data(org, c) -> dict[str, dict]:
    """A valid submission for every form, each of which changes something."""
    return {
        "inspection": {"checked": "功能测试", "method": "", "result": "通过", "conforming": "yes"},
        "rma": {"rma_number": "RMA-002", "quantity": "2", "disposition": "pending"},
        "rma_update": {"quantity": "3", "disposition": "pending", "findings": "缩水"},
        "containment": {
            "scope": "in_transit",
            "action": "拦截在途货物",
            "quantity_checked": "50",
            "quantity_nonconforming": "0",
        },
        "verify": {},
        "why": {"kind": "escape", "problem": "出货检验未发现", "because_1": "抽检比例低"},
        "why_update": {"problem": "外壳开裂", "because_1": "壁厚不足", "because_2": "保压时间短"},
        "fishbone": {"category": "man", "text": "新员工"},
        "remove": {},
        "root": {"is_root": "1"},
        "root_cause": {
            "statement": "保压参数换模后未恢复",
            "responsible_department": str(org.departments["prod"].pk),
        },
    }


def submit(client, org, c, name, **headers):
    url = urls(c)[name]
    if name == "inspection":
        return client.post(url, {**form_data(org, c)[name], "files": photo()}, **headers)
    return client.post(url, form_data(org, c)[name], **headers)


# ---------------------------------------------------------------- the panel


def test_the_complaint_page_loads_the_panel_with_htmx(org, complaint):
    page = text(login(org["cs"]).get(f"/complaints/{complaint.pk}/"))
    assert (
        f'hx-get="/complaints/{complaint.pk}/investigation/" hx-trigger="load" '
        'hx-swap="outerHTML"' in page
    )


def test_the_panel_shows_every_section_to_a_reader(org, complaint):
    response = login(org["cs"]).get(urls(complaint)["panel"], **HX)
    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith('<section class="card investigation" id="investigation"')
    headings = re.findall(r'<h3 id="inv-[a-z]+-heading">([^<]+)</h3>', page)
    assert headings == [
        "Inspection and tests",
        "Returned products (RMA)",
        "Containment",
        "Is anyone else affected?",
        "5-Why",
        "Fishbone (人机料法环测)",
        "Root cause",
    ]
    inspection = page.split(f'<tr id="inspection-{complaint.inspection.pk}">')[1].split("</tr>")[0]
    assert "外壳壁厚" in inspection and "卡尺" in inspection
    assert '<span class="badge red">Nonconforming</span>' in inspection
    evidence = complaint.inspection.evidence.get()
    assert f'<a href="/investigation/evidence/{evidence.pk}/">外壳裂纹.png</a>' in inspection
    assert '<td class="mono">RMA-001</td>' in page
    assert '<span class="badge orange">Pending</span>' in page
    assert '<strong class="flag">2</strong>' in page
    assert '<span class="badge orange">Not verified</span>' in page
    assert "Batch L2026-0301, made on 2026-03-01: 5000 units, 1 complaint(s)." in page
    assert '<span class="why-tag">Why 1?</span> 为什么开裂？' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="fishbone"' in page
    assert "No root cause has been decided yet." in page
    # A reader gets no forms and no buttons.
    for label in (
        "Record an inspection or test",
        "Register a returned product",
        "Verify",
        "Add a 5-Why chain",
        "Add a cause",
        "Decide the root cause",
        "Remove",
    ):
        assert f">{label}<" not in page


def test_a_writer_gets_every_form(org, complaint):
    page = text(login(org["ts_member"]).get(urls(complaint)["panel"], **HX))
    for summary in (
        "Record an inspection or test",
        "Register a returned product",
        "Record containment",
        "Add a 5-Why chain",
        "Edit this chain",
        "Add a cause",
        "Decide the root cause",
        "Update",
    ):
        assert f"<summary>{summary}</summary>" in page
    assert 'enctype="multipart/form-data"' in page
    assert '<optgroup label="Machine">' in page
    assert f'<option value="{code("MACH-02").pk}">MACH-02 Setting</option>' in page
    assert f'<option value="{complaint.cause.pk}">[Machine (机)] 保压参数漂移</option>' in page


def test_the_panel_in_chinese(org, complaint):
    page = text(login(org["qe"], language="zh-hans").get(urls(complaint)["panel"], **HX))
    assert f'<option value="{code("MACH-02").pk}">MACH-02 参数设置错误</option>' in page
    for mark in "人机料法环测":
        assert f'text-anchor="middle">{mark}</text>' in page


def test_the_page_without_htmx_is_a_whole_page(org, complaint):
    response = login(org["cs"]).get(urls(complaint)["panel"])
    page = text(response)
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>Investigation · {complaint.number} · 质量闭环 QualityLoop</title>" in page


def test_the_fishbone_on_its_own_and_the_evidence_download(org, complaint):
    client = login(org["ts_member"])
    svg = client.get(urls(complaint)["svg"])
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert svg.content.decode().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "保压参数漂移" in svg.content.decode()
    download = client.get(urls(complaint)["evidence"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"


# ---------------------------------------------------------------- forms


def test_record_an_inspection_with_a_file(org, complaint):
    response = submit(login(org["ts_member"]), org, complaint, "inspection", **HX)
    assert response.status_code == 200
    page = text(response)
    assert '<p class="alert success" role="status">Inspection recorded.</p>' in page
    record = InspectionRecord.objects.latest("pk")
    assert (record.checked, record.result, record.conforming, record.performed_by) == (
        "功能测试",
        "通过",
        True,
        org["ts_member"],
    )
    assert record.evidence.get().original_name == "外壳裂纹.png"
    assert '<span class="badge green">Conforming</span>' in page


def test_errors_sit_next_to_their_fields_and_the_input_is_kept(org, complaint):
    before = snapshot()
    response = login(org["qe"]).post(
        urls(complaint)["containment"],
        {
            "scope": "in_stock",
            "action": "全检库存",
            "quantity_checked": "5",
            "quantity_nonconforming": "9",
        },
        **HX,
    )
    assert response.status_code == 200
    assert snapshot() == before
    page = text(response)
    assert '<details class="subform" open>\n      <summary>Record containment</summary>' in page
    assert (
        '<p class="error-text" id="containment-quantity_nonconforming_error">'
        "More nonconforming than checked: at most 5.</p>"
    ) in page
    assert ">\n全检库存</textarea>" in page
    assert 'name="quantity_checked" value="5"' in page


def test_without_htmx_an_invalid_form_answers_422(org, complaint):
    before = snapshot()
    response = login(org["qe"]).post(
        urls(complaint)["rma"], {"rma_number": "RMA-001", "quantity": "1", "disposition": "pending"}
    )
    assert response.status_code == 422
    assert "RMA number RMA-001 is already in use." in text(response)
    assert snapshot() == before


def test_without_htmx_a_valid_form_redirects_to_the_panel(org, complaint):
    response = submit(login(org["qe"]), org, complaint, "rma")
    assert response.status_code == 302
    assert response["Location"] == urls(complaint)["panel"]
    assert ReturnedProduct.objects.filter(rma_number="RMA-002").exists()


def test_a_why_chain_error_lands_on_its_row(org, complaint):
    response = login(org["qe"]).post(
        urls(complaint)["why"],
        {
            "kind": "occurrence",
            "problem": "外壳开裂",
            "why_1": "为什么？",
            "because_1": "壁厚不足",
            "why_3": "为什么壁厚不足？",
        },
        **HX,
    )
    page = text(response)
    assert '<p class="error-text" id="why-because_3_error">This field is required.</p>' in page
    assert 'value="为什么壁厚不足？"' in page
    assert WhyChain.objects.count() == 1


def test_editing_a_chain_from_the_page(org, complaint):
    response = submit(login(org["qe"]), org, complaint, "why_update", **HX)
    assert "5-Why chain updated." in text(response)
    chain = WhyChain.objects.get(pk=complaint.chain.pk)
    assert chain.revision == 2
    assert '<span class="why-tag">Why 2?</span>' in text(response)


def test_the_root_cause_form_asks_for_someone_responsible(org, complaint):
    response = login(org["qe"]).post(
        urls(complaint)["root_cause"], {"statement": "保压参数换模后未恢复"}, **HX
    )
    page = text(response)
    assert (
        '<p class="error-text" id="rootcause-responsible_department_error">'
        "Name who is responsible: a department, a supplier, or both.</p>"
    ) in page
    assert ">\n保压参数换模后未恢复</textarea>" in page
    assert not access.has_root_cause(complaint)

    response = login(org["qe"]).post(
        urls(complaint)["root_cause"],
        {
            "statement": "来料壁厚偏薄",
            "responsible_supplier": str(complaint.supplier.pk),
            "cause_code": str(code("MAT-01").pk),
        },
        **HX,
    )
    page = text(response)
    assert "Root cause saved." in page
    assert "<dd>宁波塑胶件厂</dd>" in page
    assert "<dd>MAT-01 Supplier defect</dd>" in page
    assert "<summary>Revise the root cause</summary>" in page


def test_fishbone_sub_cause_mark_and_remove_from_the_page(org, complaint):
    client = login(org["qe"])
    client.post(
        urls(complaint)["fishbone"],
        {"category": "", "parent": str(complaint.cause.pk), "text": "换模未首件确认"},
        **HX,
    )
    sub = FishboneCause.objects.get(text="换模未首件确认")
    assert (sub.category, sub.parent_id) == ("machine", complaint.cause.pk)

    page = text(client.post(urls(complaint)["root"], {"is_root": "1"}, **HX))
    assert "“保压参数漂移” marked as a root cause." in page
    assert '<span class="cause-text root">保压参数漂移</span>' in page

    page = text(client.post(urls(complaint)["remove"], **HX))
    assert "Cause “保压参数漂移” removed." in page
    assert FishboneCause.objects.filter(removed_at__isnull=False).count() == 2
    assert "保压参数漂移" not in page.split('id="inv-fishbone"')[1].split("</svg>")[0]


def test_a_fishbone_cause_needs_a_bone(org, complaint):
    page = text(login(org["qe"]).post(urls(complaint)["fishbone"], {"text": "没有分类"}, **HX))
    assert (
        '<p class="error-text" id="fishbone-category_error">'
        "Choose a bone, or the cause this one belongs under.</p>"
    ) in page
    assert 'value="没有分类"' in page


def test_verifying_twice_says_why_not(org, complaint):
    client = login(org["qe"])
    page = text(client.post(urls(complaint)["verify"], **HX))
    assert "Containment verified." in page
    assert '<span class="badge green">Verified</span>' in page
    before = snapshot()
    page = text(client.post(urls(complaint)["verify"], **HX))
    assert (
        '<p class="error-text" role="alert">This containment was already verified by qe.</p>'
        in page
    )
    assert snapshot() == before


# ---------------------------------------------------------------- the permission matrix


@pytest.mark.parametrize("name", READS + WRITES)
def test_anonymous_is_sent_to_log_in(org, complaint, name):
    before = snapshot()
    client = Client()
    response = (
        client.get(urls(complaint)[name]) if name in READS else submit(client, org, complaint, name)
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert snapshot() == before


@pytest.mark.parametrize("name", READS + WRITES)
def test_a_department_not_involved_gets_404(org, complaint, name):
    before = snapshot()
    client = login(org["prod_member"])
    if name in READS:
        response = client.get(urls(complaint)[name], **HX)
    else:
        response = submit(client, org, complaint, name, **HX)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("username", ["cs", "exec", "admin"])
@pytest.mark.parametrize("name", WRITES)
def test_read_only_roles_get_403_and_change_nothing(org, complaint, username, name):
    before = snapshot()
    response = submit(login(org[username]), org, complaint, name, **HX)
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("username", ["cs", "exec", "admin", "ts_member"])
@pytest.mark.parametrize("name", READS)
def test_readers_may_read(org, complaint, username, name):
    assert login(org[username]).get(urls(complaint)[name]).status_code == 200


def test_a_responsible_department_without_a_task_reads_but_may_not_write(org):
    complaint = in_diagnosis(org, responsible_department_id=org.departments["prod"].pk)
    client = login(org["prod_member"])
    base = f"/complaints/{complaint.pk}/investigation/"
    assert client.get(base, **HX).status_code == 200
    before = snapshot()
    response = client.post(f"{base}fishbone/", {"category": "man", "text": "x"}, **HX)
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("username", ["qe", "ts_member", "ts_head"])
@pytest.mark.parametrize("name", WRITES)
def test_writers_change_the_investigation(org, complaint, username, name):
    before = snapshot()
    response = submit(login(org[username]), org, complaint, name, **HX)
    assert response.status_code == 200
    assert '<p class="alert success" role="status">' in text(response)
    after = snapshot()
    assert after["events"] == before["events"] + 1
    assert after["versions"] != before["versions"]


@pytest.mark.parametrize("name", WRITES)
def test_nobody_writes_on_a_closed_complaint(org, complaint, name):
    org.advance(complaint, "reject", actor="cs")
    before = snapshot()
    response = submit(login(org["qe"]), org, complaint, name, **HX)
    assert response.status_code == 403
    assert snapshot() == before


def test_ids_of_another_complaint_are_not_found(org, complaint):
    other = in_diagnosis(org, title="另一件")
    base = f"/complaints/{other.pk}/investigation/"
    before = snapshot()
    client = login(org["qe"])
    for path in (
        f"{base}returns/{complaint.returned.pk}/",
        f"{base}containments/{complaint.containment.pk}/verify/",
        f"{base}whys/{complaint.chain.pk}/",
        f"{base}fishbone/{complaint.cause.pk}/remove/",
        f"{base}fishbone/{complaint.cause.pk}/root/",
    ):
        assert client.post(path, {"is_root": "1"}, **HX).status_code == 404
    assert snapshot() == before


# ---------------------------------------------------------------- queries


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **HX).status_code == 200
    return len(ctx.captured_queries)


def test_the_panel_reads_the_same_number_of_queries_however_much_is_recorded(org, complaint):
    client = login(org["qe"])
    url = urls(complaint)["panel"]
    few = count_queries(client, url)
    for i in range(4):
        services.add_inspection(
            actor=org["qe"],
            complaint_id=complaint.pk,
            checked=f"检查 {i}",
            result="ok",
            files=[photo()],
        )
        services.add_returned_product(
            actor=org["qe"], complaint_id=complaint.pk, rma_number=f"RMA-X{i}", quantity=1
        )
        services.add_containment(
            actor=org["qe"], complaint_id=complaint.pk, scope="in_stock", action=f"隔离 {i}"
        )
        services.add_why_chain(
            actor=org["qe"],
            complaint_id=complaint.pk,
            kind="escape",
            problem=f"问题 {i}",
            steps=[{"because": "b", "cause_code": code("MEAS-02").pk}],
        )
        services.add_fishbone_cause(
            actor=org["qe"], complaint_id=complaint.pk, category="man", text=f"原因 {i}"
        )
        in_diagnosis(org, title=f"同批次 {i}")
    many = count_queries(client, url)
    assert many == few
    assert few <= 30
