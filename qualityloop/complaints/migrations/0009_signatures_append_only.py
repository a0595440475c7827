from django.db import migrations

# As for events: on PostgreSQL, UPDATE and DELETE of a signature fail for every user the app
# has, whatever the code does.
FORWARD = [
    "CREATE FUNCTION complaints_signature_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'signatures are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER complaints_signature_append_only BEFORE UPDATE OR DELETE "
    "ON complaints_signature FOR EACH ROW EXECUTE FUNCTION complaints_signature_append_only()",
]
BACKWARD = [
    "DROP TRIGGER complaints_signature_append_only ON complaints_signature",
    "DROP FUNCTION complaints_signature_append_only()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("complaints", "0008_signatures")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
