# The median's minutes read from an index that holds them (by partnership, tier, day), not by minutes over every day.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_tallies_by_month"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="decisionminutes",
            name="reports_minutes_value",
        ),
        migrations.RemoveIndex(
            model_name="decisionminutes",
            name="reports_minutes_span",
        ),
        migrations.AddIndex(
            model_name="decisionminutes",
            index=models.Index(
                fields=["partnership", "whole_month", "day", "minutes"], include=("n",), name="reports_minutes_days"
            ),
        ),
    ]
