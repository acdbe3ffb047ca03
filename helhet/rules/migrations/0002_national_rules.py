from django.db import migrations


def load(apps, schema_editor):
    from helhet.rules.national import sync

    sync(apps.get_model("rules", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
