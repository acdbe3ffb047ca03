"""Loads the shipped directory (helhet/directory/data/) so every database has it; `manage.py load_directory` updates it."""

from django.db import migrations


def forwards(apps, schema_editor):
    from helhet.directory.loader import load

    load(apps.get_model("directory", "Municipality"), apps.get_model("directory", "CoordinatingUnitContact"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_municipality_directory")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
