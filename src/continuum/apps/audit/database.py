"""What the database itself enforces about the audit, beyond Django's schema: SQL for PostgreSQL.

- :func:`trim_function_sql`: ``audit_trim_access_log(through)``, the one way an access-log event
  is ever deleted. It runs with its owner's rights (``SECURITY DEFINER``), so the application's
  role, which has no DELETE on the audit table, can call it; it deletes only access events
  (``access``) at or below ``through``, only when a chained ``audit.trimmed`` checkpoint for
  ``through`` exists, and only when event ``through`` is older than the access-log retention
  (a floor written into the function by its owner: the application cannot shorten it).
- :func:`grant_app_role_sql`: the privileges of the application's role (ADR 0020): every
  ordinary table read and written, the audit table INSERT and SELECT only, sequences used,
  the same for tables that later migrations make, the trim function executed.
"""

from __future__ import annotations

from psycopg import sql

AUDIT_TABLE = "audit_auditevent"
TRIM_FUNCTION = "audit_trim_access_log"
TRIM_SETTING = "continuum.audit_trim_through"
REFUSE = "audit events are append-only"

# The row trigger's function: refuses UPDATE and DELETE, except a DELETE of an access event the
# trim function permits for its own transaction (through a setting only it sets, to a sequence).
TRIGGER_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
DECLARE
    through text := current_setting('{TRIM_SETTING}', true);
BEGIN
    IF TG_OP = 'DELETE' AND OLD.access AND coalesce(through, '') <> ''
       AND OLD.sequence <= through::bigint THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{REFUSE}: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def trim_function_sql(floor_days: int) -> str:
    """``audit_trim_access_log(through bigint) RETURNS bigint`` (the number of events deleted)."""
    if floor_days < 1:
        raise ValueError("the access-log retention is at least one day")
    return f"""
CREATE OR REPLACE FUNCTION {TRIM_FUNCTION}(through bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    cut timestamptz;
    removed bigint;
BEGIN
    SELECT created_at INTO cut FROM {AUDIT_TABLE} WHERE sequence = through;
    IF cut IS NULL THEN
        RAISE EXCEPTION 'audit trim refused: there is no event %', through;
    END IF;
    IF cut > now() - interval '{int(floor_days)} days' THEN
        RAISE EXCEPTION 'audit trim refused: event % is younger than the access-log retention ({int(floor_days)} days)',
            through;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM {AUDIT_TABLE}
        WHERE verb = 'audit.trimmed' AND (payload ->> 'through_sequence')::bigint = through
    ) THEN
        RAISE EXCEPTION 'audit trim refused: no audit.trimmed checkpoint names event %', through;
    END IF;
    PERFORM set_config('{TRIM_SETTING}', through::text, true);
    DELETE FROM {AUDIT_TABLE} WHERE access AND sequence <= through;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('{TRIM_SETTING}', '', true);
    RETURN removed;
END;
$$;
REVOKE ALL ON FUNCTION {TRIM_FUNCTION}(bigint) FROM PUBLIC;
"""


def grant_app_role_sql(role: str, owner: str, schema: str = "public") -> list[sql.Composed]:
    """The statements that give ``role`` (the application's) what it needs, run as ``owner``."""
    r, o, s, audit = sql.Identifier(role), sql.Identifier(owner), sql.Identifier(schema), sql.Identifier(AUDIT_TABLE)
    trim = sql.SQL("{}.{}(bigint)").format(s, sql.Identifier(TRIM_FUNCTION))
    return [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(s, r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(s, r),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r),
        # The audit: read and append, nothing else (no UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES).
        sql.SQL("REVOKE ALL ON {}.{} FROM {}").format(s, audit, r),
        sql.SQL("GRANT SELECT, INSERT ON {}.{} TO {}").format(s, audit, r),
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(trim, r),
        # Tables and sequences the owner makes in later migrations.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(o, s, r),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
            o, s, r
        ),
    ]
