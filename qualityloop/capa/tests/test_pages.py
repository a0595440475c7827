"""The CAPA panel on a complaint, the action page and the list of actions, per kind of user."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qualityloop.capa import services
from qualityloop.capa.models import Action, ActionLink, Remedy
from qualityloop.core import clock
from qualityloop.testing import assert_num_queries_at_most, aware, login, permission_matrix

from .helpers import HX, done, in_diagnosis, plan, second_quality_engineer, snapshot, text
from .helpers import today as local_today


@pytest.fixture
def complaint(org):
    return in_diagnosis(org)


def panel_url(complaint) -> str:
    return f"/complaints/{complaint.pk}/capa/"


def plan_data(org, **fields) -> dict:
    data = {
        "type": "corrective",
        "title": "增加外壳跌落测试",
        "owner": org["rnd_member"].pk,
        "department": "",
        "due_date": (local_today() + timedelta(days=5)).isoformat(),
        "expected_effect": "设计阶段发现强度不足",
        "effectiveness_criteria": "新设计通过1.5米跌落",
        "description": "",
    }
    data.update(fields)
    return data


# ---------------------------------------------------------------- the complaint panel


def test_the_complaint_page_loads_the_panel_with_htmx(org, complaint):
    page = text(login(org["cs"]).get(f"/complaints/{complaint.pk}/"))
    assert (
        f'hx-get="/complaints/{complaint.pk}/capa/" hx-trigger="load" hx-swap="outerHTML"' in page
    )


def test_the_panel_lists_actions_with_status_and_overdue_marker(org, complaint):
    with clock.at(aware(2026, 3, 2, 9, 0)):
        late = plan(org, complaint, due_date=local_today() + timedelta(days=3))
        on_time = plan(org, complaint, type="containment", effectiveness_criteria="")
        verified = plan(org, complaint, type="preventive", owner="prod_member")
        done(org, verified, by="prod_member")
        services.check_effectiveness(
            actor=org["qe"], action_id=verified.pk, method="抽检", result="合格", rating="effective"
        )
    with clock.at(aware(2026, 3, 8, 9, 0)):
        page = text(login(org["ts_member"]).get(panel_url(complaint), **HX))
    assert page.lstrip().startswith('<section class="card capa" id="capa"')
    rows = re.findall(r'<tr id="action-(\d+)"( class="overdue")?>', page)
    assert rows == [
        (str(late.pk), ' class="overdue"'),
        (str(on_time.pk), ""),
        (str(verified.pk), ""),
    ]
    late_row = page.split(f'<tr id="action-{late.pk}"')[1].split("</tr>")[0]
    assert f'<a class="mono" href="/capa/actions/{late.pk}/">CA-2026-0001</a>' in late_row
    assert "Corrective (纠正)" in late_row
    assert "<td>ts_member</td>" in late_row and "<td>Technical support</td>" in late_row
    assert "2026-03-05<br><small>overdue</small>" in late_row
    assert '<span class="badge grey">Planned</span>' in late_row
    verified_row = page.split(f'<tr id="action-{verified.pk}"')[1].split("</tr>")[0]
    assert '<span class="badge green">Verified effective</span>' in verified_row
    assert "<td>Production</td>" in verified_row
    assert "overdue" not in verified_row


def test_a_department_member_reads_but_gets_no_forms(org, complaint):
    plan(org, complaint)
    page = text(login(org["ts_member"]).get(panel_url(complaint), **HX))
    for form in ("Plan an action", "Propose a remedy", "Record a cost"):
        assert form not in page


def test_plan_from_the_panel(org, complaint):
    client = login(org["qe"])
    page = text(client.get(panel_url(complaint), **HX))
    assert "<summary>Plan an action</summary>" in page
    assert '<optgroup label="R&D">' in page

    response = client.post(f"{panel_url(complaint)}actions/", plan_data(org), **HX)
    assert response.status_code == 200
    page = text(response)
    action = Action.objects.get()
    assert f"Action {action.number} planned." in page
    assert f'<tr id="action-{action.pk}">' in page
    assert (action.owner, action.department) == (org["rnd_member"], org.departments["rnd"])
    assert action.effectiveness_criteria == "新设计通过1.5米跌落"


def test_plan_errors_stand_next_to_the_fields_and_keep_the_input(org, complaint):
    before = snapshot()
    response = login(org["qe"]).post(
        f"{panel_url(complaint)}actions/",
        plan_data(org, effectiveness_criteria="", department=org.departments["ts"].pk),
        **HX,
    )
    assert response.status_code == 200
    page = text(response)
    assert (
        '<p class="error-text" id="plan-effectiveness_criteria_error">Corrective and preventive '
        "actions need criteria for their check.</p>"
    ) in page
    assert (
        '<p class="error-text" id="plan-owner_error">Choose an active member of Technical '
        "support.</p>"
    ) in page
    assert 'value="增加外壳跌落测试"' in page
    assert '<details class="subform" open>\n    <summary>Plan an action</summary>' in page
    assert snapshot() == before

    # Without htmx the page comes back whole, as 422.
    response = login(org["qe"]).post(
        f"{panel_url(complaint)}actions/", plan_data(org, title=""), follow=False
    )
    assert response.status_code == 422
    assert '<p class="error-text" id="plan-title_error">This field is required.</p>' in text(
        response
    )


def test_plan_without_htmx_redirects_back_to_the_panel_page(org, complaint):
    response = login(org["qe"]).post(f"{panel_url(complaint)}actions/", plan_data(org))
    assert response.status_code == 302
    assert response["Location"] == panel_url(complaint)


def test_remedies_explain_the_threshold_and_offer_what_each_may_do(org, complaint):
    small = services.propose_remedy(
        actor=org["cs"],
        complaint_id=complaint.pk,
        kind="repair",
        description="免费维修",
        amount="800",
    )
    large = services.propose_remedy(
        actor=org["cs"],
        complaint_id=complaint.pk,
        kind="refund",
        description="退货退款",
        amount="12000",
    )
    desk = text(login(org["cs"]).get(panel_url(complaint), **HX))
    assert (
        "A remedy above 5,000.00 CNY must be approved (Executive) before it is given; "
        "up to that amount it can be marked given at once."
    ) in desk
    small_row = desk.split(f'<tr id="remedy-{small.pk}">')[1].split("</tr>")[0]
    large_row = desk.split(f'<tr id="remedy-{large.pk}">')[1].split("</tr>")[0]
    assert "Mark given" in small_row and "needs approval" not in small_row
    assert (
        "Mark given" not in large_row
        and '12,000.00<br><small class="muted">needs approval' in large_row
    )
    assert "Approve" not in desk

    boss = login(org["exec"])
    page = text(boss.get(panel_url(complaint), **HX))
    assert f'hx-post="/complaints/{complaint.pk}/capa/remedies/{large.pk}/approve/"' in page
    assert "Mark given" not in page
    response = boss.post(f"{panel_url(complaint)}remedies/{large.pk}/approve/", **HX)
    assert "Remedy approved." in text(response)
    assert "approved by exec" in text(response)

    response = login(org["cs"]).post(f"{panel_url(complaint)}remedies/{large.pk}/give/", **HX)
    assert "Remedy marked as given." in text(response)
    assert Remedy.objects.get(pk=large.pk).status == "given"


def test_refusing_needs_a_reason(org, complaint):
    remedy = services.propose_remedy(
        actor=org["cs"],
        complaint_id=complaint.pk,
        kind="compensation",
        description="赔偿",
        amount="9000",
    )
    client = login(org["exec"])
    url = f"{panel_url(complaint)}remedies/{remedy.pk}/reject/"
    page = text(client.post(url, {"reason": ""}, **HX))
    assert (
        f'<p class="error-text" id="reject{remedy.pk}-reason_error">This field is required.</p>'
        in page
    )
    page = text(client.post(url, {"reason": "超出合同约定"}, **HX))
    assert "Remedy refused." in page
    assert "refused by exec" in page and "超出合同约定" in page


def test_costs_show_totals_per_category(org, complaint):
    client = login(org["qe"])
    for category, amount in [
        ("internal_failure", "1200.10"),
        ("internal_failure", "0.20"),
        ("prevention", "3000"),
    ]:
        response = client.post(
            f"{panel_url(complaint)}costs/",
            {
                "category": category,
                "amount": amount,
                "incurred_on": local_today().isoformat(),
                "description": "费用",
            },
            **HX,
        )
        assert "Cost recorded." in text(response)
    page = text(client.get(panel_url(complaint), **HX))
    totals = re.findall(r'<tr><td>([^<]+)</td><td class="num">([^<]+)</td></tr>', page)
    assert totals == [
        ("Internal failure (内部损失)", "1,200.30"),
        ("External failure (外部损失)", "0.00"),
        ("Appraisal (鉴定成本)", "0.00"),
        ("Prevention (预防成本)", "3,000.00"),
    ]
    assert '<td class="num"><strong>4,200.30</strong></td>' in page
    assert "<summary>3 cost lines</summary>" in page

    response = client.post(
        f"{panel_url(complaint)}costs/",
        {"category": "appraisal", "amount": "-3", "incurred_on": "", "description": "检测"},
        **HX,
    )
    page = text(response)
    assert (
        '<p class="error-text" id="cost-amount_error">'
        "Ensure this value is greater than or equal to 0.</p>" in page
    )
    assert '<p class="error-text" id="cost-incurred_on_error">This field is required.</p>' in page


def test_the_panel_query_count_does_not_grow(org, complaint):
    def count():
        with assert_num_queries_at_most(200) as ctx:
            login(org["qe"]).get(panel_url(complaint), **HX)
        return len(ctx.captured_queries)

    plan(org, complaint)
    services.propose_remedy(
        actor=org["cs"], complaint_id=complaint.pk, kind="repair", description="修", amount="1"
    )
    baseline = count()
    for _ in range(4):
        plan(org, complaint)
        services.propose_remedy(
            actor=org["cs"], complaint_id=complaint.pk, kind="repair", description="修", amount="1"
        )
    assert count() == baseline


# ---------------------------------------------------------------- the action page


def test_the_owner_reports_progress_and_completes(org, complaint):
    action = plan(org, complaint)
    client = login(org["ts_member"])
    url = f"/capa/actions/{action.pk}/"
    page = text(client.get(url))
    assert "Start work" in page
    assert "Verify the effect" not in page

    page = text(client.post(f"{url}start/", **HX))
    assert "Work on the action has started." in page
    assert '<span class="badge blue">In progress</span>' in page

    page = text(client.post(f"{url}complete/", {"note": ""}, **HX))
    assert (
        '<p class="error-text" id="complete-note_error">Say what was done, or add evidence, '
        "before completing the action.</p>"
    ) in page

    page = text(client.post(f"{url}notes/", {"text": "冷却水路已改造"}, **HX))
    assert "Progress note added." in page and "冷却水路已改造" in page
    upload = SimpleUploadedFile("改造照片.txt", "现场".encode())
    page = text(client.post(f"{url}evidence/", {"file": upload}, **HX))
    evidence = action.evidence.get()
    assert f'<a href="/capa/actions/{action.pk}/evidence/{evidence.pk}/">改造照片.txt</a>' in page
    download = client.get(f"{url}evidence/{evidence.pk}/")
    assert b"".join(download.streaming_content).decode() == "现场"

    page = text(client.post(f"{url}complete/", {"note": ""}, **HX))
    assert "Action reported done; quality will check it." in page
    assert '<span class="badge orange">Done, awaiting verification</span>' in page
    assert "Add note" not in page


def test_verification_from_the_page(org, complaint):
    action = plan(org, complaint)
    done(org, action)
    client = login(org["qe"])
    url = f"/capa/actions/{action.pk}/"
    page = text(
        client.post(f"{url}checks/", {"method": "", "result": "x", "rating": "effective"}, **HX)
    )
    assert '<p class="error-text" id="check-method_error">This field is required.</p>' in page

    page = text(
        client.post(
            f"{url}checks/", {"method": "抽检", "result": "仍开裂", "rating": "not_effective"}, **HX
        )
    )
    assert "Not effective: the action is back with its owner." in page
    assert (
        '<span class="badge red">Not effective</span> '
        '<small class="muted">sent back to work</small>' in page
    )
    assert '<span class="badge red outline">reopened once</span>' in page
    assert "Verify the effect" not in page

    done(org, action, note="第二次整改")
    page = text(
        client.post(
            f"{url}checks/", {"method": "三批抽检", "result": "合格", "rating": "effective"}, **HX
        )
    )
    assert "The action is verified effective." in page
    assert '<span class="badge green">Verified effective</span>' in page


def test_the_owner_is_told_someone_else_must_verify(org, complaint):
    action = plan(org, complaint, owner="qe")
    done(org, action, by="qe")
    page = text(login(org["qe"]).get(f"/capa/actions/{action.pk}/"))
    assert "You own this action, so someone else in quality must verify it." in page
    assert "Verify the effect" not in page
    assert "Verify the effect" in text(
        login(second_quality_engineer(org)).get(f"/capa/actions/{action.pk}/")
    )


def test_link_by_complaint_number(org, complaint):
    other = in_diagnosis(org, title="另一客户")
    action = plan(org, complaint)
    client = login(org["qe"])
    url = f"/capa/actions/{action.pk}/link/"
    page = text(client.post(url, {"complaint": "QC-1999-000999"}, **HX))
    assert (
        '<p class="error-text" id="link-complaint_error">'
        "No complaint QC-1999-000999 that you may see.</p>" in page
    )
    page = text(client.post(url, {"complaint": f" {other.number} "}, **HX))
    assert f"The action now also serves {other.number}." in page
    assert f'<span class="mono">{other.number}</span> 另一客户' in page
    page = text(client.post(url, {"complaint": other.number}, **HX))
    assert f"This action already serves {other.number}." in page
    assert ActionLink.objects.filter(action=action).count() == 2


def test_complaints_the_reader_may_not_see_are_only_counted(org, complaint):
    hidden = in_diagnosis(org, title="只有生产部参与")
    hidden = org.advance(hidden, "complete_diagnosis", actor="ts_member")
    action = plan(org, hidden, owner="prod_member")
    services.link_action(actor=org["qe"], action_id=action.pk, complaint_id=complaint.pk)
    # The R&D member sees neither complaint and does not own the action: it does not exist.
    assert login(org["rnd_member"]).get(f"/capa/actions/{action.pk}/").status_code == 404
    # Production's head sees the department's action but is involved in neither complaint:
    # both are only counted.
    page = text(login(org["prod_head"]).get(f"/capa/actions/{action.pk}/"))
    assert "and 2 complaints you may not see" in page
    assert complaint.number not in page and hidden.number not in page
    # Its owner may read the complaints the action serves.
    page = text(login(org["prod_member"]).get(f"/capa/actions/{action.pk}/"))
    assert f'<span class="mono">{complaint.number}</span>' in page
    assert f'<span class="mono">{hidden.number}</span>' in page
    assert "complaints you may not see" not in page
    # Technical support worked on both.
    page = text(login(org["ts_member"]).get(f"/capa/actions/{action.pk}/"))
    assert f'<span class="mono">{complaint.number}</span>' in page
    assert f'<span class="mono">{hidden.number}</span>' in page
    assert "complaint you may not see" not in page
    assert "complaints you may not see" not in page


# ---------------------------------------------------------------- the list


def test_the_list_puts_my_open_actions_first_then_overdue_ones(org, complaint):
    with clock.at(aware(2026, 3, 2, 9, 0)):
        others_late = plan(
            org, complaint, owner="ts_head", due_date=local_today() + timedelta(days=1)
        )
        mine_later = plan(org, complaint, due_date=local_today() + timedelta(days=20))
        mine_late = plan(org, complaint, due_date=local_today() + timedelta(days=2))
        others_on_time = plan(
            org, complaint, owner="ts_head", due_date=local_today() + timedelta(days=9)
        )
        mine_done = plan(org, complaint, due_date=local_today() + timedelta(days=1))
        done(org, mine_done)
    with clock.at(aware(2026, 3, 10, 9, 0)):
        page = text(login(org["ts_member"]).get("/capa/actions/"))
    order = [int(pk) for pk in re.findall(r'<tr id="action-(\d+)"', page)]
    assert order == [mine_late.pk, mine_later.pk, others_late.pk, others_on_time.pk, mine_done.pk]
    assert f'<tr id="action-{mine_late.pk}" class="overdue mine">' in page
    assert f'<tr id="action-{others_late.pk}" class="overdue">' in page
    assert "5 actions" in page


def test_the_list_filters(org, complaint):
    plan(org, complaint)
    plan(org, complaint, type="containment", effectiveness_criteria="", owner="prod_member")
    client = login(org["qe"])
    page = text(client.get("/capa/actions/?type=containment", **HX))
    assert page.lstrip().startswith('<section class="card" id="capa-action-table">')
    assert "1 action" in page and "Containment (遏制)" in page
    page = text(client.get(f"/capa/actions/?department={org.departments['ts'].pk}&status=open"))
    assert "1 action" in page and "Corrective (纠正)" in page
    page = text(client.get("/capa/actions/?status=verified"))
    assert "No actions match." in page


def test_the_list_sees_only_what_the_reader_may(org, complaint):
    plan(org, complaint)
    page = text(login(org["rnd_member"]).get("/capa/actions/"))
    assert "No actions match." in page


def test_the_list_query_count_does_not_grow(org, complaint):
    def count():
        with assert_num_queries_at_most(200) as ctx:
            login(org["ts_member"]).get("/capa/actions/")
        return len(ctx.captured_queries)

    plan(org, complaint)
    baseline = count()
    other = in_diagnosis(org)
    for _ in range(4):
        action = plan(org, complaint)
        services.link_action(actor=org["qe"], action_id=action.pk, complaint_id=other.pk)
    assert count() == baseline


# ---------------------------------------------------------------- permission matrix


@pytest.fixture
def world(org, complaint):
    other = in_diagnosis(org, title="同批次另一客户")
    action = plan(org, complaint)
    evidence = services.add_evidence(
        actor=org["ts_member"],
        action_id=action.pk,
        upload=SimpleUploadedFile("整改照片.txt", "改造后".encode()),
    )
    small = services.propose_remedy(
        actor=org["cs"], complaint_id=complaint.pk, kind="repair", description="维修", amount="800"
    )
    large = services.propose_remedy(
        actor=org["cs"],
        complaint_id=complaint.pk,
        kind="refund",
        description="退款",
        amount="20000",
    )
    return {
        "complaint": complaint,
        "other": other,
        "action": action,
        "evidence": evidence,
        "small": small,
        "large": large,
    }


def _c(w):
    return f"/complaints/{w['complaint'].pk}/capa/"


def _a(w):
    return f"/capa/actions/{w['action'].pk}/"


# (method, url, data, allowed user, wrong-role user or None, prepare or None)
PAGES = [
    ("get", _c, None, "ts_member", None, None),
    ("post", lambda w: f"{_c(w)}actions/", "plan", "qe", "ts_member", None),
    (
        "post",
        lambda w: f"{_c(w)}remedies/",
        {"kind": "repair", "amount": "10", "description": "修"},
        "cs",
        "ts_head",
        None,
    ),
    ("post", lambda w: f"{_c(w)}remedies/{w['large'].pk}/approve/", {}, "exec", "qe", None),
    (
        "post",
        lambda w: f"{_c(w)}remedies/{w['large'].pk}/reject/",
        {"reason": "不同意"},
        "exec",
        "cs",
        None,
    ),
    ("post", lambda w: f"{_c(w)}remedies/{w['small'].pk}/give/", {}, "cs", "exec", None),
    (
        "post",
        lambda w: f"{_c(w)}costs/",
        {
            "category": "appraisal",
            "amount": "10",
            "incurred_on": "2026-01-02",
            "description": "检测",
        },
        "qe",
        "ts_member",
        None,
    ),
    ("get", lambda w: "/capa/actions/", None, "ts_member", None, None),
    ("get", _a, None, "ts_member", None, None),
    ("post", lambda w: f"{_a(w)}start/", {}, "ts_member", "cs", None),
    ("post", lambda w: f"{_a(w)}notes/", {"text": "进展"}, "ts_member", "exec", None),
    ("post", lambda w: f"{_a(w)}evidence/", "file", "ts_head", "cs", None),
    ("get", lambda w: f"{_a(w)}evidence/{w['evidence'].pk}/", None, "ts_member", None, None),
    ("post", lambda w: f"{_a(w)}complete/", {"note": "完成"}, "ts_member", "admin", None),
    (
        "post",
        lambda w: f"{_a(w)}checks/",
        {"method": "抽检", "result": "合格", "rating": "effective"},
        "qe",
        "ts_member",
        lambda org, w: done(org, w["action"]),
    ),
    ("post", lambda w: f"{_a(w)}link/", "link", "qe", "cs", None),
]


def _request(client, org, world, method, url, data):
    path = url(world)
    if method == "get":
        return client.get(path, **HX)
    if data == "file":
        data = {"file": SimpleUploadedFile("记录.txt", "现场记录".encode())}
    elif data == "plan":
        data = plan_data(org)
    elif data == "link":
        data = {"complaint": world["other"].number}
    return client.post(path, data, **HX)


@pytest.mark.parametrize(
    ("method", "url", "data", "allowed", "wrong", "prepare"),
    PAGES,
    ids=[f"{m} {i}" for i, (m, *_rest) in enumerate(PAGES)],
)
def test_page_permission_matrix(org, world, method, url, data, allowed, wrong, prepare):
    if prepare:
        prepare(org, world)
    listing = url(world) == "/capa/actions/"
    outsider, _allowed = permission_matrix(
        lambda client: _request(client, org, world, method, url, data),
        allowed=login(org[allowed]),
        wrong=login(org[wrong]) if wrong else None,
        outsider=login(org["prod_member"]),
        outsider_status=200 if listing else 404,  # the list shows none of their actions
        writes=method == "post",
        snapshot=snapshot,
    )
    if listing:
        assert "No actions match." in text(outsider)


def test_every_capa_url_is_in_the_page_matrix():
    from qualityloop.capa import urls

    assert len(urls.urlpatterns) == len(PAGES)
