"""The hash chain and the actor's partnership, role and request id on each event.

Existing events are chained in the order they were written (time, then id) with the chain's
canonical form, format 1. The update trigger of 0002 is dropped first (chaining them is an
update) and 0004 puts back stronger ones once the columns are final.
"""

import django.utils.timezone
from django.db import migrations, models

from continuum.apps.audit import chain

DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_auditevent_no_update;"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;"],
}
RESTORE_TRIGGERS = {
    "sqlite": [
        """
        CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        """
    ],
    "postgresql": [
        """
        CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
        """
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def chain_existing_events(apps, schema_editor):
    """Number and hash the events written before the chain, oldest first."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev_hash = chain.GENESIS
    rows = AuditEvent.objects.using(schema_editor.connection.alias).order_by("created_at", "id")
    for sequence, event in enumerate(rows.iterator(chunk_size=2000), start=1):
        payload = chain.normalise_payload(event.payload)
        digest = chain.event_hash(
            sequence=sequence,
            created_at=event.created_at,
            actor=event.actor,
            actor_user_id=event.actor_user_id,
            partnership="",
            role="",
            request_id="",
            verb=event.verb,
            target_type=event.target_type,
            target_id=event.target_id,
            payload=payload,
            prev_hash=prev_hash,
        )
        AuditEvent.objects.using(schema_editor.connection.alias).filter(pk=event.pk).update(
            sequence=sequence, prev_hash=prev_hash, hash=digest, payload=payload
        )
        prev_hash = digest


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(_run(DROP_TRIGGERS), _run(RESTORE_TRIGGERS)),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="partnership",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="role",
            field=models.CharField(blank=True, default="", max_length=50),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="request_id",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
