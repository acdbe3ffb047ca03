"""The KE overview's partial indexes (cases.0006, issue 14) match the queries that use them."""

from __future__ import annotations

import pytest
from django.db import connection

from helhet.cases.models import Appeal, Decision
from helhet.cases.selectors import ke_lists


def _index(model, name):
    return next(i for i in model._meta.indexes if i.name == name)


def test_the_open_appeals_index_covers_exactly_the_open_statuses():
    condition = _index(Appeal, "appeal_open_order").condition
    assert condition.children == [("status__in", sorted(str(s) for s in Appeal.TRANSITIONS))]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the plans are PostgreSQL's")
@pytest.mark.parametrize(("name", "index"), [("waiting", "decision_waiting_order"), ("appeals", "appeal_open_order")])
def test_the_lists_walk_their_partial_index(world, name, index):
    assert _index(Decision if name == "waiting" else Appeal, index)
    sql, params = ke_lists(actor=world.users["ke"])[name][:5].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
