"""The default business calendar: Chinese working hours and statutory days (editable)."""

from django.db import migrations


def forward(apps, schema_editor):
    from qualityloop.sla.services import install_default_calendar

    install_default_calendar(
        apps.get_model("sla", "BusinessCalendar"),
        apps.get_model("sla", "WorkingWindow"),
        apps.get_model("sla", "CalendarDay"),
    )


def backward(apps, schema_editor):
    apps.get_model("sla", "BusinessCalendar").objects.filter(code="cn-default").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
