from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["organization", "-received_on", "-id"], name="request_org_newest"),
        ),
    ]
