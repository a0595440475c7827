from django.db import migrations


def forward(apps, schema_editor):
    from qualityloop.sla.defaults import install

    install(
        apps.get_model("sla", "SlaPolicy"),
        apps.get_model("sla", "SlaTarget"),
        apps.get_model("sla", "EscalationStep"),
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_clocks_policies_escalation")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
