""""Today" is the day in Norway (TIME_ZONE, Europe/Oslo), read when it is needed.

Between 23:00 and 01:00 UTC the server's date and the Norwegian date differ, and a test run that passes midnight sees two
days. A CI run once failed that way: a module-level ``TODAY = timezone.localdate()`` was taken at import, the fixtures took
the next day. These checks keep both mistakes out of the code and the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_DATE = re.compile(r"\bdate\.today\(\)|\bnow\(\)\.date\(\)")
# partitions of the audit table are bounded in UTC, so they take the UTC date on purpose
UTC_ON_PURPOSE = {"helhet/audit/partitions.py", "helhet/audit/management/commands/audit_partitions.py", "tests/audit/test_partitions_postgres.py"}
DAY_AT_IMPORT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]* *= *.*timezone\.localdate\(\)", re.MULTILINE)


def _sources(*folders: str):
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel:
                yield rel, path.read_text(encoding="utf-8")


def test_the_code_takes_the_norwegian_date_not_the_servers():
    found = [f"{rel}:{text[:m.start()].count(chr(10)) + 1}" for rel, text in _sources("helhet", "tests", "bench")
             if rel not in UTC_ON_PURPOSE for m in SERVER_DATE.finditer(text)]
    assert found == [], f"use timezone.localdate() (the day in Norway), not the server's date: {found}"


def test_no_module_takes_the_day_at_import():
    found = [f"{rel}:{text[:m.start()].count(chr(10)) + 1}" for rel, text in _sources("helhet", "tests", "bench")
             for m in DAY_AT_IMPORT.finditer(text)]
    assert found == [], f"take the day when it is needed (a function), not once at import: {found}"
