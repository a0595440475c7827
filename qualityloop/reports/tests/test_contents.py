"""What the reports say where data is missing, for older complaints, for major cases, and
about signatures."""

from datetime import timedelta

from django.utils import timezone, translation

from qualityloop.complaints import services
from qualityloop.core import clock
from qualityloop.reports import rendering

from .conftest import LESSONS
from .pdfs import squash, text_of


def english(kind, complaint) -> str:
    with translation.override("en"):
        return rendering.body(kind, complaint, "en")


def section(html: str, ident: str) -> str:
    """The HTML of one D-section of the 8D report."""
    start = html.index(f'id="{ident}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def test_a_new_complaint_shows_dashes_and_empty_tables(org):
    complaint = org.register()
    html = english("8d", complaint)
    assert "控制器外壳开裂" in html
    for ident in ("d3", "d4", "d5", "d6", "d7"):
        assert 'class="doc-none">—' in section(html, ident), ident
    assert "No electronic signatures." in html
    for kind in ("disposal", "rectification"):
        assert "No electronic signatures." in english(kind, complaint)


def test_an_older_complaint_shows_its_stage_outcomes_in_the_matching_sections(org):
    complaint = org.register()
    complaint = org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")
    complaint = org.advance(complaint, "complete_diagnosis", outcome="低温下复现外壳脆裂")
    complaint = org.advance(complaint, "complete_root_cause", outcome="外壳材料批次韧性不足")
    html = english("8d", complaint)
    assert "低温下复现外壳脆裂" in section(html, "d3")
    assert "外壳材料批次韧性不足" in section(html, "d4")
    assert "外壳材料批次韧性不足" not in section(html, "d3")
    disposal = english("disposal", complaint)
    assert "低温下复现外壳脆裂" in disposal
    assert "外壳材料批次韧性不足" in disposal


def test_the_team_lists_everyone_who_acted_with_what_they_did(org, rich):
    d1 = section(english("8d", rich), "d1")
    for name in ("cs", "qe", "prod_head"):
        assert f'<td class="nowrap">{name}</td>' in d1
    assert "Registered the complaint" in d1
    assert "Action CA-" in d1
    assert "Verified CA-" in d1
    assert "rnd_member" not in d1


def test_the_rectification_plan_lists_the_major_case_measures(org, rich):
    from qualityloop.sla import escalation
    from qualityloop.sla import services as sla

    later = rich.received_at + timedelta(days=8)
    due = (later + timedelta(days=14)).date()
    with clock.at(later):
        escalation.open_major_case_if_due(complaint_id=rich.pk)
        sla.add_rectification_item(
            actor=org["qe"],
            complaint_id=rich.pk,
            measure="更换注塑模具并重新验证",
            owner_id=org["prod_head"].pk,
            due_date=due,
        )
        sla.submit_rectification_plan(actor=org["qe"], complaint_id=rich.pk)
    text = text_of(rendering.pdf_bytes("rectification", rich, "en"))
    assert squash("更换注塑模具并重新验证") in text
    assert squash(f"prod_head Production {due.isoformat()}") in text
    # The report shows local time: between 16:00 and 24:00 UTC that is already the next day.
    opened = timezone.localtime(later).strftime("%Y-%m-%d")
    assert squash(f"Major quality case opened {opened}") in text
    assert squash("Reported to management") in text
    assert squash("Responsible for the rectification qe") in text


def test_signatures_close_each_report_and_void_ones_are_struck_through(org, closed):
    # Reopening signs only the decision; changing the record afterwards voids the signatures
    # of verification and closure, which signed the record as it was.
    reopened = org.advance(closed, "reopen", actor="cs", reason="客户反馈仍有开裂")
    services.update_complaint(
        actor=org["qe"], complaint_id=reopened.pk, changes={"title": "控制器外壳开裂（复发）"}
    )
    for kind in ("8d", "disposal", "rectification"):
        html = english(kind, reopened)
        signatures = html[html.index("Electronic signatures") :]
        assert signatures.count('<tr class="void">') == 2, kind
        assert signatures.count("<strong>Void</strong>") == 2
        assert signatures.count("<td>Valid</td>") == 1
        assert "<del>qe</del>" in signatures
    text = text_of(rendering.pdf_bytes("8d", reopened, "en"))
    assert squash("Void the signed record has changed since") in text
    assert squash(LESSONS) in text


def test_the_number_of_queries_does_not_grow_with_the_actions(org, rich):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qualityloop.capa import services as capa

    def queries(kind) -> int:
        with CaptureQueriesContext(connection) as ctx:
            english(kind, rich)
        return len(ctx.captured_queries)

    before = {kind: queries(kind) for kind in ("8d", "disposal", "rectification")}
    complaint = org.advance(rich, "fail_verification", reason="需补充措施")
    for n in range(3):
        capa.plan_action(
            actor=org["qe"],
            complaint_id=complaint.pk,
            type="improvement",
            title=f"改进项{n}",
            owner_id=org["rnd_member"].pk,
            due_date=clock.now().date() + timedelta(days=10),
            expected_effect="减少开裂",
        )
    after = {kind: queries(kind) for kind in ("8d", "disposal", "rectification")}
    assert after == before


def test_lessons_come_from_the_knowledge_entry_once_quality_edits_it(org, closed):
    from qualityloop.knowledge import services as knowledge

    assert LESSONS in section(english("8d", closed), "d7")
    entry = knowledge.create_from_complaint(complaint_id=closed.pk, actor=org["qe"])
    knowledge.update_entry(
        actor=org["qe"], entry_id=entry.pk, data={"lessons": "参数变更须首件确认并记录。"}
    )
    d7 = section(english("8d", closed), "d7")
    assert "参数变更须首件确认并记录。" in d7
    assert LESSONS not in d7
