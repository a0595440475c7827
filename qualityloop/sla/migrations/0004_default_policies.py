"""Seed 001's time limits and the default escalation chain, frozen as they were written."""

from datetime import timedelta

from django.db import migrations

H = timedelta(hours=1)
D = timedelta(days=1)
# One working day of the default calendar (08:30–12:00, 13:30–17:30).
WD = timedelta(hours=7, minutes=30)

W, C = "working", "calendar"

# (name, priority, conditions, {clock: (duration, basis)})
POLICIES = [
    (
        "紧急 Critical",
        10,
        {"severity": 1},
        {
            "containment": (24 * H, C),
            "first_response": (4 * H, W),
            "answer": (WD, W),
            "intake": (2 * H, W),
            "classification": (2 * H, W),
            "diagnosis": (WD, W),
            "root_cause": (3 * D, C),
            "capa_planning": (7 * D, C),
            "execution": (14 * D, C),
            "verification": (7 * D, C),
            "knowledge": (3 * D, C),
        },
    ),
    (
        "重要 Major",
        20,
        {"severity": 2},
        {
            "intake": (4 * H, W),
            "classification": (WD, W),
            "diagnosis": (2 * WD, W),
            "root_cause": (7 * D, C),
            "capa_planning": (14 * D, C),
            "execution": (21 * D, C),
            "verification": (14 * D, C),
            "knowledge": (7 * D, C),
        },
    ),
    ("网页表单 Web form: acknowledge at once", 50, {"channel": "web"}, {"acknowledge": (H, C)}),
    ("电子邮件 E-mail: acknowledge at once", 51, {"channel": "email"}, {"acknowledge": (H, C)}),
    ("接口 API: acknowledge at once", 52, {"channel": "api"}, {"acknowledge": (H, C)}),
    (
        "默认时限 Default limits (seed 001)",
        100,
        {},
        {
            "acknowledge": (WD, W),
            "first_response": (WD, W),
            "answer": (2 * WD, W),
            "closure": (30 * D, C),
            "intake": (WD, W),
            "classification": (WD, W),
            "diagnosis": (3 * WD, W),
            "root_cause": (7 * D, C),
            "capa_planning": (14 * D, C),
            "execution": (30 * D, C),
            "verification": (14 * D, C),
            "knowledge": (7 * D, C),
        },
    ),
]

# (level, recipient, after the deadline for critical, major, minor)
CHAIN = [
    (1, "owner", timedelta(0), timedelta(0), timedelta(0)),
    (2, "department_head", 2 * H, 4 * H, D),
    (3, "quality_manager", 4 * H, D, 2 * D),
    (4, "executive", 8 * H, 2 * D, 3 * D),
]



def _install(policy_model, target_model, step_model) -> None:
    if not policy_model.objects.exists():
        for name, priority, conditions, targets in POLICIES:
            policy = policy_model.objects.create(name=name, priority=priority, **conditions)
            target_model.objects.bulk_create(
                target_model(policy=policy, clock=clock, duration=duration, basis=basis)
                for clock, (duration, basis) in targets.items()
            )
    if not step_model.objects.exists():
        step_model.objects.bulk_create(
            step_model(
                level=level,
                recipient=recipient,
                after_critical=critical,
                after_major=major,
                after_minor=minor,
            )
            for level, recipient, critical, major, minor in CHAIN
        )


def forward(apps, schema_editor):
    _install(
        apps.get_model("sla", "SlaPolicy"),
        apps.get_model("sla", "SlaTarget"),
        apps.get_model("sla", "EscalationStep"),
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_clocks_policies_escalation")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
