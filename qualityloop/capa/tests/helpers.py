"""Building CAPA states through the services, and looking at what they left behind."""

import html
from datetime import date, timedelta

from django.utils import timezone

from qualityloop.accounts.choices import Role
from qualityloop.accounts.models import User
from qualityloop.capa import services
from qualityloop.complaints.models import Category, Complaint
from qualityloop.core import clock
from qualityloop.testing import PASSWORD, database_snapshot

HX = {"HTTP_HX_REQUEST": "true"}


def today() -> date:
    return timezone.localdate(clock.now())


def in_diagnosis(org, **data) -> Complaint:
    """A complaint technical support works on (its members see it); production does not."""
    data.setdefault("category_id", Category.objects.get(code="appearance").pk)
    data.setdefault("is_repeat", False)
    complaint = org.register(**data)
    return org.advance(complaint, "acknowledge", "confirm_grade", actor="cs")


def plan(org, complaint, *, actor="qe", owner="ts_member", **fields):
    """A corrective action on ``complaint`` owned by ``owner``, due in a week."""
    values = {
        "type": "corrective",
        "title": "更换注塑模具冷却水路",
        "due_date": today() + timedelta(days=7),
        "expected_effect": "外壳不再开裂",
        "effectiveness_criteria": "连续三批抽检开裂率为0",
    }
    values.update(fields)
    return services.plan_action(
        actor=org[actor] if isinstance(actor, str) else actor,
        complaint_id=complaint.pk,
        owner_id=(org[owner] if isinstance(owner, str) else owner).pk,
        **values,
    )


def done(org, action, *, by="ts_member", note="已完成模具改造"):
    return services.complete_action(actor=org[by], action_id=action.pk, note=note)


def user(org, username, role, department_code) -> User:
    person = User(
        username=username,
        role=role,
        department=org.departments[department_code] if department_code else None,
        display_name=username,
    )
    person.set_password(PASSWORD)
    person.save()
    return person


def second_quality_engineer(org) -> User:
    return user(org, "qe2", Role.QUALITY_ENGINEER, "qa")


def text(response) -> str:
    return html.unescape(response.content.decode())


def snapshot() -> dict:
    """Row counts of every domain table (this app's too), the states of actions and
    remedies, and every complaint's version: whatever a refused request might have touched."""
    counts = database_snapshot("capa", "notifications")
    from qualityloop.capa.models import Action, Remedy

    counts["actions"] = list(
        Action.objects.order_by("pk").values_list("pk", "status", "reopen_count", "started_at")
    )
    counts["remedies"] = list(Remedy.objects.order_by("pk").values_list("pk", "status"))
    counts["complaints"] = list(Complaint.objects.order_by("pk").values_list("pk", "version"))
    return counts
