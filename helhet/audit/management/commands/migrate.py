"""`manage.py migrate`, run as the database owner when DATABASE_OWNER_URL is set (issue 9, docs/operations.md
"Databaseroller").

Django's own migrate, with one step around it:
1. On PostgreSQL, for the default database, when settings.HELHET_DB_OWNER (DATABASE_OWNER_URL) is set: point the
   default connection at the owner's credentials (same alias, so data migrations and post_migrate handlers that use
   the default connection all run as the owner; helhet.audit.db.owner_credentials).
2. Migrate (Django's command, unchanged). Its post_migrate signal makes sure of this month's and the next month's
   audit partitions (helhet.audit.partitions) and re-applies the app role's grants
   (helhet.audit.grants.post_migrate_grants): audit tables SELECT/INSERT only.
3. Close that connection and point the alias back at DATABASE_URL (the app role).
Without DATABASE_OWNER_URL, or on SQLite, it is exactly Django's migrate.
"""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from helhet.audit.db import owner_credentials


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        with owner_credentials(connections[options["database"]]):
            return super().handle(*args, **options)
