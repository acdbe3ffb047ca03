"""Bring the national rules of an existing database up to date with helhet/rules/national.py (new rules in this
release: the rule on cooperating health personnel, read by the access policy). Idempotent; `manage.py sync_rules`
does the same by hand."""

from django.db import migrations


def forward(apps, schema_editor):
    from helhet.rules.national import sync

    sync(apps.get_model("rules", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("rules", "0003_local_guidelines")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
