"""Every event has its place in the chain, and the database refuses to change or remove events.

SQLite refuses UPDATE and DELETE, and an INSERT that would replace an event (``INSERT OR
REPLACE`` deletes the existing row without firing delete triggers unless
``recursive_triggers`` is on, so the insert itself is refused when the id or sequence is
taken). PostgreSQL refuses UPDATE, DELETE and TRUNCATE.

SQLite drops a table's triggers when Django rebuilds the table to alter it: a later migration
that alters ``audit_auditevent`` must create these triggers again (the tests of the refusals
fail if it does not).
"""

from django.db import migrations, models

REFUSE = "audit events are append-only"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{REFUSE}: UPDATE refused'); END;
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{REFUSE}: DELETE refused'); END;
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_replace BEFORE INSERT ON audit_auditevent
    WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id)
      OR EXISTS (SELECT 1 FROM audit_auditevent WHERE sequence = NEW.sequence)
    BEGIN SELECT RAISE(ABORT, '{REFUSE}: an event with this id or sequence exists'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_replace;",
]

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSE}: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
    """,
    """
    CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)  # no placeholders: '%' is PL/pgSQL's

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain_fields")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ("sequence",)}),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
