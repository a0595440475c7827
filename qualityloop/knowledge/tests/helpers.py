"""Closed complaints and entries for the knowledge tests, all built through the services."""

from qualityloop.complaints import services as complaint_services
from qualityloop.complaints.models import Category
from qualityloop.knowledge import services
from qualityloop.knowledge.models import KnowledgeEntry, KnowledgeEntryEvent

ANSWER = "已为客户免费更换3台外壳。"


def closed_at_first_contact(org, answer=ANSWER, **data):
    """A minor complaint answered and closed by customer service at first contact."""
    data.setdefault("is_repeat", False)
    complaint = org.register(**data)
    return org.advance(complaint, "close_at_first_contact", actor="cs", answer=answer)


def through_the_loop(org, **data):
    """A complaint taken through every stage, each with its own outcome, then closed."""
    data.setdefault("is_repeat", False)
    complaint = org.register(**data)
    complaint = org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")
    complaint = org.advance(complaint, "complete_diagnosis", outcome="复现：外壳受力后开裂")
    complaint = org.advance(
        complaint, "complete_root_cause", outcome="注塑模具冷却不足，内应力过大"
    )
    complaint = org.advance(complaint, "approve_plan", outcome="模具冷却时间由15秒调整为25秒")
    complaint = org.advance(complaint, "complete_execution", outcome="库存2000件全检，更换不良品")
    complaint_services.record_customer_answer(
        actor=org["cs"], complaint_id=complaint.pk, text=ANSWER
    )
    complaint = org.advance(complaint, "verify", outcome="连续三批无开裂")
    return org.advance(complaint, "close", outcome="新模具投产前必须做内应力测试")


def entry(org, *, publish=True, actor="qe", **data):
    """A hand-written entry (published unless told otherwise)."""
    data.setdefault("problem", data.get("title", ""))
    data.setdefault("solution", "更换零件")
    made = services.create_entry(actor=org[actor], data=data)
    if publish:
        made = services.publish_entry(actor=org[actor], entry_id=made.pk)
    return made


def category(code: str) -> int:
    return Category.objects.get(code=code).pk


def snapshot() -> tuple:
    """The entries, their states and their record: what a refused request might change."""
    return (
        KnowledgeEntry.objects.count(),
        KnowledgeEntryEvent.objects.count(),
        sorted(KnowledgeEntry.objects.values_list("pk", "status", "version", "title")),
    )
