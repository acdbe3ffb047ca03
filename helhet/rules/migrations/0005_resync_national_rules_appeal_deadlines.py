"""Bring the national rules of an existing database up to date with helhet/rules/national.py (new rules in this
release: the appeal deadlines under the patients' rights act and the public administration act, the new decision
after an appeal, the right to see the case documents; read by helhet.cases and the decision letter). Idempotent;
`manage.py sync_rules` does the same by hand."""

from django.db import migrations


def forward(apps, schema_editor):
    from helhet.rules.national import sync

    sync(apps.get_model("rules", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("rules", "0004_resync_national_rules")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
