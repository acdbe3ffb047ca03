# Issue 14: the person list (helhet.people.selectors) sorts by name and id and shows the first page.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_home_municipality_directory'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['family_name', 'given_name', 'id'], name='person_list_order'),
        ),
    ]
