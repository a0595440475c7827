"""Vendor-specific pieces: the text-search index of entries and the append-only history.

The same scheme as the complaint register (complaints/migrations 0002 and 0004): FTS5 over the
token column on SQLite, a stored token array with a GIN index on PostgreSQL.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE knowledge_search_fts USING fts5("
    "search_tokens, content='knowledge_knowledgeentry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER knowledge_search_ai AFTER INSERT ON knowledge_knowledgeentry BEGIN "
    "INSERT INTO knowledge_search_fts(rowid, search_tokens) "
    "VALUES (new.id, new.search_tokens); END",
    "CREATE TRIGGER knowledge_search_ad AFTER DELETE ON knowledge_knowledgeentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); END",
    "CREATE TRIGGER knowledge_search_au AFTER UPDATE OF search_tokens "
    "ON knowledge_knowledgeentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); "
    "INSERT INTO knowledge_search_fts(rowid, search_tokens) "
    "VALUES (new.id, new.search_tokens); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER knowledge_search_au",
    "DROP TRIGGER knowledge_search_ad",
    "DROP TRIGGER knowledge_search_ai",
    "DROP TABLE knowledge_search_fts",
]

POSTGRES_FORWARD = [
    "ALTER TABLE knowledge_knowledgeentry ADD COLUMN token_array text[] "
    "GENERATED ALWAYS AS (string_to_array(search_tokens, ' ')) STORED",
    "CREATE INDEX knowledge_search_token_array_gin ON knowledge_knowledgeentry "
    "USING gin (token_array)",
    "CREATE FUNCTION knowledge_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'knowledge entry events are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER knowledge_event_append_only BEFORE UPDATE OR DELETE "
    "ON knowledge_knowledgeentryevent FOR EACH ROW EXECUTE FUNCTION knowledge_event_append_only()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER knowledge_event_append_only ON knowledge_knowledgeentryevent",
    "DROP FUNCTION knowledge_event_append_only()",
    "DROP INDEX knowledge_search_token_array_gin",
    "ALTER TABLE knowledge_knowledgeentry DROP COLUMN token_array",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
