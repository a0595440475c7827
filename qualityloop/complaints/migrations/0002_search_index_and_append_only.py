"""Vendor-specific pieces: the text-search index and the append-only guard on events."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE complaints_search_fts USING fts5("
    "tokens, content='complaints_complaintsearch', content_rowid='complaint_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER complaints_search_ai AFTER INSERT ON complaints_complaintsearch BEGIN "
    "INSERT INTO complaints_search_fts(rowid, tokens) VALUES (new.complaint_id, new.tokens); END",
    "CREATE TRIGGER complaints_search_ad AFTER DELETE ON complaints_complaintsearch BEGIN "
    "INSERT INTO complaints_search_fts(complaints_search_fts, rowid, tokens) "
    "VALUES ('delete', old.complaint_id, old.tokens); END",
    "CREATE TRIGGER complaints_search_au AFTER UPDATE ON complaints_complaintsearch BEGIN "
    "INSERT INTO complaints_search_fts(complaints_search_fts, rowid, tokens) "
    "VALUES ('delete', old.complaint_id, old.tokens); "
    "INSERT INTO complaints_search_fts(rowid, tokens) VALUES (new.complaint_id, new.tokens); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER complaints_search_au",
    "DROP TRIGGER complaints_search_ad",
    "DROP TRIGGER complaints_search_ai",
    "DROP TABLE complaints_search_fts",
]

POSTGRES_FORWARD = [
    "CREATE INDEX complaints_search_tokens_gin ON complaints_complaintsearch "
    "USING gin (string_to_array(tokens, ' '))",
    # Row triggers: UPDATE and DELETE of an event fail for every database user the app has.
    # (TRUNCATE, which only the owner may run, is how a test database is emptied.)
    "CREATE FUNCTION complaints_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'complaint events are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER complaints_event_append_only BEFORE UPDATE OR DELETE "
    "ON complaints_complaintevent FOR EACH ROW EXECUTE FUNCTION complaints_event_append_only()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER complaints_event_append_only ON complaints_complaintevent",
    "DROP FUNCTION complaints_event_append_only()",
    "DROP INDEX complaints_search_tokens_gin",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
