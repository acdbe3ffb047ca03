from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "helhet.audit"
    label = "audit"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .db import register_sqlite_functions

        # SQLite's append-only DELETE trigger calls helhet_audit_flush_permitted()
        # (migration 0003); every connection Django opens must define it.
        connection_created.connect(register_sqlite_functions, dispatch_uid="helhet.audit.sqlite_functions")

        from django.db.models.signals import post_migrate

        from .grants import post_migrate_grants
        from .partitions import post_migrate_partitions

        # On PostgreSQL, once migration 0006 partitioned the event table: this month's and the next month's
        # partitions (helhet.audit.partitions). Connected first, so the grants below cover new partitions.
        post_migrate.connect(post_migrate_partitions, dispatch_uid="helhet.audit.partitions")

        # On PostgreSQL with HELHET_DB_APP_ROLE set: the app role's grants, audit tables SELECT/INSERT only, again
        # after every migrate (helhet.audit.grants; docs/operations.md "Databaseroller").
        post_migrate.connect(post_migrate_grants, dispatch_uid="helhet.audit.grants")
