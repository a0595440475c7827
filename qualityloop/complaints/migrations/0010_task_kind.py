from django.db import migrations, models

# The titles the urgent-complaint and major-case tasks carried before tasks had a kind,
# frozen here as they were written.
TITLE_KINDS = {
    "响应会议 Response meeting": "response_meeting",
    "向管理层报告 Report to management": "management_report",
    "质量问题整改措施表 Rectification plan": "rectification_plan",
}


def set_kinds(apps, schema_editor):
    StageTask = apps.get_model("complaints", "StageTask")
    StageTask.objects.filter(is_stage_task=True).update(kind="stage")
    for title, kind in TITLE_KINDS.items():
        StageTask.objects.filter(is_stage_task=False, title=title).update(kind=kind)


def set_flags(apps, schema_editor):
    StageTask = apps.get_model("complaints", "StageTask")
    StageTask.objects.exclude(kind="stage").update(is_stage_task=False)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0009_signatures_append_only")]

    operations = [
        migrations.AddField(
            model_name="stagetask",
            name="kind",
            field=models.CharField(
                choices=[
                    ("stage", "Stage"),
                    ("extra", "Extra task"),
                    ("response_meeting", "Response meeting"),
                    ("management_report", "Report to management"),
                    ("rectification_plan", "Rectification plan"),
                ],
                default="extra",
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(set_kinds, set_flags),
        migrations.RemoveField(model_name="stagetask", name="is_stage_task"),
    ]
