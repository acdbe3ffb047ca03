#!/usr/bin/env bash
# Restore drill (docs/operations.md, "Backup and restore"): prove that a pg_dump of the database restores.
#
#   scripts/restore_drill.sh [SOURCE_URL]
#
# 1. pg_dump -Fc of SOURCE_URL (default: $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/helhet)
# 2. restore it into a THROWAWAY database helhet_restore_drill_<pid> on the drill server
#    (RESTORE_DRILL_SERVER, default postgres://postgres@127.0.0.1:5432)
# 3. compare the exact row count of every table in the public schema, source vs. restored
# 4. optionally (RESTORE_DRILL_AUDIT_VERIFY=1) run `manage.py audit_verify` against the restored copy
# 5. drop the throwaway database (also on failure) and remove the dump (unless RESTORE_DRILL_KEEP_DUMP=path)
#
# Exit 0 when every count matches; 1 otherwise. It never writes to the source and only ever drops the database
# it created (the name is checked against its prefix). Needs pg_dump/pg_restore/psql of the server's major version.
set -euo pipefail

SOURCE_URL="${1:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helhet}}"
SERVER="${RESTORE_DRILL_SERVER:-postgres://postgres@127.0.0.1:5432}"
SERVER="${SERVER%/}"
TARGET_DB="helhet_restore_drill_$$"
TARGET_URL="${SERVER}/${TARGET_DB}"
ADMIN_URL="${SERVER}/postgres"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
DUMP="${WORK}/helhet.dump"

log() { printf 'restore drill: %s\n' "$*"; }

cleanup() {
    case "$TARGET_DB" in
        helhet_restore_drill_[0-9]*)
            psql "$ADMIN_URL" -qAtc "drop database if exists \"${TARGET_DB}\"" >/dev/null 2>&1 \
                || log "WARNING: could not drop ${TARGET_DB}; drop it by hand"
            ;;
    esac
    if [ -n "${RESTORE_DRILL_KEEP_DUMP:-}" ] && [ -f "$DUMP" ]; then
        mv "$DUMP" "$RESTORE_DRILL_KEEP_DUMP"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

counts() {
    # "table<TAB>rows" for every ordinary and partitioned table in public, sorted by name; exact counts.
    # Read-only (query_to_xml runs the count in the same statement), so it also works on a hot standby.
    psql "$1" -qAt -v ON_ERROR_STOP=1 <<'SQL'
select c.relname || E'\t' || (xpath('/row/n/text()',
         query_to_xml(format('select count(*) as n from public.%I', c.relname), false, true, '')))[1]::text
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
order by c.relname;
SQL
}

started=$(date +%s)
log "dumping ${SOURCE_URL%%\?*} (custom format)"
pg_dump --format=custom --no-owner --no-privileges --file="$DUMP" "$SOURCE_URL"
log "dump is $(du -h "$DUMP" | cut -f1); source counts"
counts "$SOURCE_URL" > "${WORK}/source.txt"

log "restoring into the throwaway database ${TARGET_DB}"
psql "$ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "create database \"${TARGET_DB}\""
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$TARGET_URL" "$DUMP"
counts "$TARGET_URL" > "${WORK}/restored.txt"

tables=$(wc -l < "${WORK}/source.txt")
rows=$(awk -F'\t' '{s += $2} END {print s + 0}' "${WORK}/source.txt")
if ! diff -u "${WORK}/source.txt" "${WORK}/restored.txt"; then
    log "FAILED: row counts differ between the source and the restored copy (diff above)"
    exit 1
fi
if [ "$tables" -eq 0 ]; then
    log "FAILED: the source has no tables in public"
    exit 1
fi
log "counts match: ${tables} tables, ${rows} rows"

if [ "${RESTORE_DRILL_AUDIT_VERIFY:-0}" = "1" ]; then
    log "audit_verify on the restored copy"
    (cd "$HERE" && DATABASE_URL="$TARGET_URL" "${PYTHON:-$HERE/.venv/bin/python}" manage.py audit_verify)
fi
log "OK in $(( $(date +%s) - started )) s; dropping ${TARGET_DB}"
