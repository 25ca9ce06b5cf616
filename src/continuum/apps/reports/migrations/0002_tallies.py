"""The tallies (ADR 0017) and, on PostgreSQL, the triggers that mark a day stale in the transaction that
changes what it counts. Every day already holding records starts stale (counted from the records until
the refresh job has tallied it). SQLite keeps no tallies: its pages count from the records."""

from django.db import migrations, models

MARK = """
CREATE SEQUENCE IF NOT EXISTS reports_stale_mark;
CREATE OR REPLACE FUNCTION reports_mark_day(p varchar, moment timestamptz) RETURNS void AS $$
    INSERT INTO reports_staleday (partnership, day, mark)
    SELECT p, (moment AT TIME ZONE 'Europe/London')::date, nextval('reports_stale_mark')
    WHERE p IS NOT NULL AND moment IS NOT NULL
    ON CONFLICT (partnership, day) DO UPDATE SET mark = EXCLUDED.mark;
$$ LANGUAGE sql;
CREATE OR REPLACE FUNCTION reports_mark_check(cid bigint) RETURNS void AS $$
    SELECT reports_mark_day(framework_id, created_at) FROM checks_check WHERE id = cid;
$$ LANGUAGE sql;
CREATE OR REPLACE FUNCTION reports_mark_referral(rid bigint) RETURNS void AS $$
    SELECT reports_mark_day(partnership, received_at), reports_mark_check(check_id)
    FROM referrals_referral WHERE id = rid;
$$ LANGUAGE sql;
"""

# (table, the columns the figures read, the marking of one row version: {row} is OLD or NEW)
WATCHED = (
    ("referrals_referral", "partnership, received_at, referrer_level, referrer_agency, check_id",
     "PERFORM reports_mark_day({row}.partnership, {row}.received_at); PERFORM reports_mark_check({row}.check_id);"),
    ("frontdoor_triage", "partnership, referral_id, outcome_code, outcome_name, frontdoor_level, decided_at, "
     "due_at, clock_started_at, feedback_due, feedback_sent_at, earlier_id, match_confirmed",
     "PERFORM reports_mark_referral({row}.referral_id);"),
    ("frontdoor_agencycheck", "triage_id, agency_name, due_at, answered_at",
     "PERFORM reports_mark_referral(referral_id) FROM frontdoor_triage WHERE id = {row}.triage_id;"),
    ("checks_check", "framework_id, created_at, recommended_level, framework_version, framework_hash, judgement, "
     "own_level, judged_at", "PERFORM reports_mark_day({row}.framework_id, {row}.created_at);"),
    ("checks_checkindicator", "check_id, indicator_id, level, offered, selected",
     "PERFORM reports_mark_check({row}.check_id);"),
    ("checks_lowerview", "check_id", "PERFORM reports_mark_check({row}.check_id);"),
)  # fmt: skip


def _trigger(table: str, columns: str, mark: str) -> str:
    old, new = mark.format(row="OLD"), mark.format(row="NEW")
    cols = ", ".join(f"{{row}}.{c.strip()}" for c in columns.split(","))
    return f"""
CREATE OR REPLACE FUNCTION reports_{table}_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND ({cols.format(row="OLD")}) IS NOT DISTINCT FROM ({cols.format(row="NEW")}) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN {old} END IF;
    IF TG_OP <> 'DELETE' THEN {new} END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_stale ON {table};
CREATE TRIGGER reports_stale AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION reports_{table}_changed();
"""


EVERY_DAY_STALE = """
INSERT INTO reports_staleday (partnership, day, mark)
SELECT partnership, day, nextval('reports_stale_mark')
FROM (SELECT DISTINCT partnership, (received_at AT TIME ZONE 'Europe/London')::date AS day FROM referrals_referral
      UNION SELECT DISTINCT framework_id, (created_at AT TIME ZONE 'Europe/London')::date FROM checks_check) AS days
ON CONFLICT (partnership, day) DO NOTHING;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(MARK)
    for table, columns, mark in WATCHED:
        schema_editor.execute(_trigger(table, columns, mark))
    schema_editor.execute(EVERY_DAY_STALE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _, _ in WATCHED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_stale ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS reports_{table}_changed()")
    for function in (
        "reports_mark_referral(bigint)",
        "reports_mark_check(bigint)",
        "reports_mark_day(varchar, timestamptz)",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")
    schema_editor.execute("DROP SEQUENCE IF EXISTS reports_stale_mark")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("referrals", "0003_step_up_channel_and_carried"),
        ("frontdoor", "0002_queue_filter_columns"),
        ("checks", "0006_check_submission"),
    ]

    operations = [
        migrations.CreateModel(
            name="DecisionMinutes",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("partnership", models.CharField(max_length=100)),
                ("day", models.DateField()),
                ("level", models.PositiveSmallIntegerField(null=True)),
                ("minutes", models.IntegerField()),
                ("n", models.IntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["partnership", "day"], name="reports_minutes_day"),
                    models.Index(fields=["partnership", "minutes", "day"], name="reports_minutes_value"),
                ],
            },
        ),
        migrations.CreateModel(
            name="IndicatorTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("partnership", models.CharField(max_length=100)),
                ("day", models.DateField()),
                ("level", models.PositiveSmallIntegerField(null=True)),
                ("indicator_id", models.CharField(max_length=100)),
                ("indicator_level", models.PositiveSmallIntegerField(null=True)),
                ("offered", models.IntegerField(default=0)),
                ("selected", models.IntegerField(default=0)),
                ("accepted", models.IntegerField(default=0)),
                ("rejected", models.IntegerField(default=0)),
                ("found", models.IntegerField(default=0)),
                ("judged", models.IntegerField(default=0)),
                ("agreed", models.IntegerField(default=0)),
                ("judged_higher", models.IntegerField(default=0)),
                ("judged_lower", models.IntegerField(default=0)),
                ("lower_view", models.IntegerField(default=0)),
                ("fd_decided", models.IntegerField(default=0)),
                ("fd_higher", models.IntegerField(default=0)),
                ("fd_lower", models.IntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["partnership", "day"], name="reports_indicatortally_day")],
            },
        ),
        migrations.CreateModel(
            name="StaleDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("partnership", models.CharField(max_length=100)),
                ("day", models.DateField()),
                ("mark", models.BigIntegerField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("partnership", "day"), name="reports_staleday_once")],
            },
        ),
        migrations.CreateModel(
            name="Tally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("partnership", models.CharField(max_length=100)),
                ("day", models.DateField()),
                ("level", models.PositiveSmallIntegerField(null=True)),
                ("kind", models.CharField(max_length=20)),
                ("key", models.CharField(max_length=400)),
                ("n", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["partnership", "day"], name="reports_tally_day")],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
