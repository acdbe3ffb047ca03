"""Monthly partitions of the audit event table on PostgreSQL (issue 14; docs/operations.md "Audit partitions").

Migration 0006 turns `audit_auditevent` into a table PARTITIONED BY RANGE (at): one partition per calendar month
in UTC, `audit_auditevent_pYYYY_MM`, and a DEFAULT partition `audit_auditevent_default` that takes any event no
month partition covers, so an insert never fails. SQLite keeps the one plain table.

`ensure()` creates the partitions of the coming months, run as the tables' owner by `manage.py audit_partitions`
(monthly, cron) and by the post_migrate handler below (this month and the next). Rows found in DEFAULT get their
month's partition too and are moved there (PostgreSQL refuses a new partition while DEFAULT holds rows of its
range, and DELETE from an audit table is refused by the append-only trigger, so DEFAULT is detached, its rows
re-inserted through the parent into the new partitions, and the detached table dropped -- one transaction).

Retention: `manage.py audit_archive` verifies, marks (AuditArchiveMark) and DETACHes the months before a given one,
then dumps and drops them; month_of() and detached_months() are its helpers.

Plain SQL over a DB-API cursor, like grants.py. Privileges (grants.audit_partition_grants): a partition gives the
app role SELECT only (what pg_dump as the app role needs; the same rows it reads through the parent); inserts and
reads through the parent need privileges on the parent only, and the app role owns nothing, so it can neither
INSERT into, TRUNCATE, DETACH nor DROP a partition (tests/audit/test_partitions_postgres.py).
"""

from __future__ import annotations

import datetime as dt
import re

PARENT = "audit_auditevent"
DEFAULT = "audit_auditevent_default"
_MOVING = "audit_auditevent_default_moving"
# pg_advisory_xact_lock(_LOCK): two runs of ensure() (a deploy's migrate and the cron job) never interleave.
_LOCK = 727_002


def month_start(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{PARENT}_p{month:%Y_%m}"


_MONTH_NAME = re.compile(rf"^{PARENT}_p(\d{{4}})_(\d{{2}})$")


def month_of(name: str) -> dt.date | None:
    """The month a partition's name (partition_name) stands for; None for DEFAULT or any other name."""
    m = _MONTH_NAME.match(name)
    return dt.date(int(m[1]), int(m[2]), 1) if m and 1 <= int(m[2]) <= 12 else None


def this_month_utc() -> dt.date:
    """The month (UTC: the partitions' bounds) the newest partition in use covers now."""
    from django.utils import timezone

    return month_start(timezone.now().astimezone(dt.UTC).date())


def detached_months(cur) -> list[str]:
    """Plain tables named like a month partition that are not attached (audit_archive detached them and has not
    dropped them yet), by name."""
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition AND c.relname LIKE %s"
        " ORDER BY c.relname",
        [f"{PARENT}\\_p%"],
    )
    return [r[0] for r in cur.fetchall() if month_of(r[0])]


def is_partitioned(cur) -> bool:
    cur.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
    row = cur.fetchone()
    return bool(row and row[0])


def partitions(cur) -> list[str]:
    """The parent's partitions (DEFAULT included), by name."""
    cur.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass"
        " ORDER BY c.relname",
        [PARENT],
    )
    return [r[0] for r in cur.fetchall()]


def _create_month(cur, month: dt.date) -> str:
    name = partition_name(month)
    cur.execute(
        f'CREATE TABLE "{name}" PARTITION OF "{PARENT}" FOR VALUES FROM (%s) TO (%s)',
        [f"{month.isoformat()} 00:00:00+00", f"{add_months(month, 1).isoformat()} 00:00:00+00"],
    )
    return name


def _months_in(cur, table: str) -> set[dt.date]:
    cur.execute(f"""SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC')::date FROM "{table}" """)
    return {r[0] for r in cur.fetchall()}


def ensure(cur, *, today: dt.date, months_ahead: int, app: str | None = None, since: dt.date | None = None) -> list[str]:
    """Create the missing month partitions from `since` (default: this month) to `months_ahead` months after `today`,
    the DEFAULT partition, and a partition for every month DEFAULT holds rows of (moving those rows there).
    Idempotent; run in a transaction, as the owner. Returns the partitions it created (DEFAULT first, then by month).

    1. Take the lock; read the existing partitions and the months DEFAULT holds rows of (DEFAULT is normally
       empty: the scan is of nothing).
    2. No DEFAULT rows to move: CREATE TABLE ... PARTITION OF for each missing month (PostgreSQL checks that
       DEFAULT has no row of the new range).
    3. Rows to move: DETACH the DEFAULT partition, attach a new empty one, create the months, INSERT the detached
       rows through the parent (each lands in its month; ids, hashes and chains unchanged), DROP the detached table.
    4. The app role's grants on every new partition (grants.audit_partition_grants), when `app` is given.
    """
    from .grants import audit_partition_grants

    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
    existing = set(partitions(cur))
    first = month_start(since or today)
    last = add_months(month_start(today), months_ahead)
    wanted, month = set(), first
    while month <= last:
        wanted.add(month)
        month = add_months(month, 1)
    stranded = _months_in(cur, DEFAULT) if DEFAULT in existing else set()
    missing = sorted(m for m in wanted | stranded if partition_name(m) not in existing)
    created = []
    if stranded & set(missing):
        cur.execute(f'ALTER TABLE "{PARENT}" DETACH PARTITION "{DEFAULT}"')
        cur.execute(f'ALTER TABLE "{DEFAULT}" RENAME TO "{_MOVING}"')
        existing.discard(DEFAULT)
    if DEFAULT not in existing:
        cur.execute(f'CREATE TABLE "{DEFAULT}" PARTITION OF "{PARENT}" DEFAULT')
        created.append(DEFAULT)
    created += [_create_month(cur, m) for m in missing]
    if stranded & set(missing):
        cur.execute(f'INSERT INTO "{PARENT}" SELECT * FROM "{_MOVING}"')
        cur.execute(f'DROP TABLE "{_MOVING}"')
    if app and created:
        audit_partition_grants(cur, created, app=app)
    return created


def post_migrate_partitions(sender, using="default", **kwargs) -> None:
    """post_migrate (helhet.audit.apps): on PostgreSQL, once the table is partitioned, make sure this month's and
    the next month's partitions exist, with the app role's grants (app_role). Skipped when the connection does not
    own the table (a test flush over the app role emits post_migrate too)."""
    from django.db import connections, transaction
    from django.utils import timezone

    from .grants import can_grant

    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(sender, "label", None) != "audit":
        return
    with transaction.atomic(using=using), connection.cursor() as cur:
        if not is_partitioned(cur) or not can_grant(cur):
            return
        ensure(cur, today=timezone.now().date(), months_ahead=1, app=app_role(cur))


def app_role(cur) -> str | None:
    """Whose grants a new partition gets: settings.HELHET_DB_APP_ROLE, else helhet_app; None when that role does
    not exist (a database without the roles: nothing to grant)."""
    from django.conf import settings

    from .grants import APP_ROLE, roles_exist

    app = getattr(settings, "HELHET_DB_APP_ROLE", "") or APP_ROLE
    return app if roles_exist(cur, app) else None
