"""Events know whether they are access-log events, and retention may trim those, and only those.

``access`` is set from the verb registry for the events already written (the update triggers
are set aside for that, as 0003 did). SQLite rebuilds the table to add the column, dropping its
triggers, so they are created again here; the DELETE trigger now lets through an access event
at or below a chained ``audit.trimmed`` checkpoint. On PostgreSQL the row trigger's function
lets through a DELETE the trim function permits, and ``audit_trim_access_log`` is created with
the access-log retention as its floor (ADR 0020; ``continuum db grant-app-role`` re-creates it
when that setting changes).
"""

from django.conf import settings
from django.db import migrations, models

from continuum.apps.audit import database

REFUSE = database.REFUSE

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_replace;",
]
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{REFUSE}: UPDATE refused'); END;
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT (OLD.access AND OLD.sequence <= coalesce((
        SELECT max(CAST(json_extract(payload, '$.through_sequence') AS INTEGER))
        FROM audit_auditevent WHERE verb = 'audit.trimmed'), 0))
    BEGIN SELECT RAISE(ABORT, '{REFUSE}: DELETE refused'); END;
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_replace BEFORE INSERT ON audit_auditevent
    WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id)
      OR EXISTS (SELECT 1 FROM audit_auditevent WHERE sequence = NEW.sequence)
    BEGIN SELECT RAISE(ABORT, '{REFUSE}: an event with this id or sequence exists'); END;
    """,
]
SQLITE_TRIGGERS_0004 = [
    SQLITE_TRIGGERS[0],
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{REFUSE}: DELETE refused'); END;
    """,
    SQLITE_TRIGGERS[2],
]
POSTGRES_TRIGGER_FUNCTION_0004 = f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSE}: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
"""


def _execute(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)  # no placeholders: '%' is PL/pgSQL's


def set_triggers_aside(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _execute(schema_editor, ["ALTER TABLE audit_auditevent DISABLE TRIGGER USER;"])


def mark_access_events(apps, schema_editor):
    """Mark the events already written whose verb is an access verb."""
    from continuum.apps.audit import events, registry  # noqa: F401  (events: the audit app's own verbs)

    AuditEvent = apps.get_model("audit", "AuditEvent")
    verbs = [verb.name for verb in registry.access_verbs()]
    AuditEvent.objects.using(schema_editor.connection.alias).filter(verb__in=verbs).update(access=True)


def put_triggers_back(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, [*SQLITE_DROP, *SQLITE_TRIGGERS])
    elif vendor == "postgresql":
        days = settings.CONTINUUM_RETENTION["access_log_days"]
        _execute(
            schema_editor,
            [
                database.TRIGGER_FUNCTION_SQL,
                database.trim_function_sql(days),
                "ALTER TABLE audit_auditevent ENABLE TRIGGER USER;",
            ],
        )


def back_to_0004(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, [*SQLITE_DROP, *SQLITE_TRIGGERS_0004])
    elif vendor == "postgresql":
        _execute(
            schema_editor,
            [
                f"DROP FUNCTION IF EXISTS {database.TRIM_FUNCTION}(bigint);",
                POSTGRES_TRIGGER_FUNCTION_0004,
                "ALTER TABLE audit_auditevent ENABLE TRIGGER USER;",
            ],
        )


def noop(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_required_and_refusals")]

    operations = [
        migrations.RunPython(set_triggers_aside, back_to_0004),
        migrations.AddField(
            model_name="auditevent",
            name="access",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_access_events, noop),
        migrations.RunPython(put_triggers_back, set_triggers_aside),
    ]
