"""Audit events store a message id (`code`) and its parameters, rendered in the reader's language when read,
and the information categories a partly withheld read left out (`withheld`).

SQLite rebuilds the table to add a column, which drops its triggers: the append-only triggers of 0003 are
created again afterwards (CREATE ... IF NOT EXISTS / OR REPLACE, so PostgreSQL is unchanged).
"""

import importlib

from django.db import migrations, models

_append_only = importlib.import_module("helhet.audit.migrations.0003_append_only_triggers")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]

    operations = [
        migrations.AddField(model_name="auditevent", name="code", field=models.CharField(blank=True, max_length=300)),
        migrations.AddField(model_name="auditevent", name="params", field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="auditevent", name="withheld", field=models.JSONField(blank=True, default=list)),
        migrations.RunPython(_append_only.forward, migrations.RunPython.noop),
    ]
