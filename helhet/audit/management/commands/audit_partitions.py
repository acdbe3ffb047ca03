"""Create the coming months' partitions of the audit event table (PostgreSQL; docs/operations.md "Audit partitions").

1. As the owner: with DATABASE_OWNER_URL set, the default connection switches to the owner's credentials for the
   run (helhet.audit.db.owner_credentials), as `migrate` does; the app role cannot create tables.
2. In one transaction (helhet.audit.partitions.ensure): the partitions from this month (UTC) to --months-ahead
   months ahead that are missing, the DEFAULT partition if missing, and a partition for every month that DEFAULT
   holds events of, moving those events into it. Idempotent: a second run creates nothing.
3. The app role (settings.HELHET_DB_APP_ROLE, else helhet_app when it exists) gets SELECT only on each new
   partition; inserts and reads go through the parent.
4. Print what was created. Run it monthly (cron / a systemd timer); SQLite has no partitions: it says so.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from helhet.audit import partitions
from helhet.audit.db import owner_credentials
from helhet.audit.grants import can_grant


class Command(BaseCommand):
    help = "Create the audit event table's partitions for this month and the next N months (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=3)

    def handle(self, *args, months_ahead: int = 3, **options):
        if months_ahead < 0:
            raise CommandError("--months-ahead must be 0 or more")
        if connection.vendor != "postgresql":
            self.stdout.write("audit_partitions: nothing to do (SQLite keeps one audit table)")
            return
        with owner_credentials(connection), transaction.atomic(), connection.cursor() as cur:
            if not partitions.is_partitioned(cur):
                raise CommandError("audit_auditevent is not partitioned: run manage.py migrate first")
            if not can_grant(cur):
                raise CommandError(
                    "this connection does not own audit_auditevent: run as the owner (DATABASE_OWNER_URL)"
                )
            created = partitions.ensure(
                cur, today=timezone.now().date(), months_ahead=months_ahead, app=partitions.app_role(cur)
            )
        self.stdout.write(
            f"audit_partitions: created {', '.join(created)}" if created else "audit_partitions: every partition exists"
        )
