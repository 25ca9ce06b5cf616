# Sending a check to a partnership's front door (the front door sees it from then on).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="check",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="check",
            name="sent_to_partnership",
            field=models.CharField(blank=True, db_index=True, default="", max_length=100),
        ),
    ]
