from django.db import migrations


def move_counters(apps, schema_editor):
    """Action numbers now come from the same counter table as complaint numbers."""
    old = apps.get_model("capa", "ActionSequence")
    new = apps.get_model("complaints", "NumberSequence")
    for row in old.objects.all():
        new.objects.update_or_create(key=row.key, defaults={"last": row.last})


class Migration(migrations.Migration):
    dependencies = [
        ("capa", "0001_actions_remedies_costs"),
        ("complaints", "0009_signatures_append_only"),
    ]

    operations = [
        migrations.RunPython(move_counters, migrations.RunPython.noop),
        migrations.DeleteModel(name="ActionSequence"),
    ]
