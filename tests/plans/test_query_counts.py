"""The plan API document runs a fixed number of queries, whatever the size of the plan."""

import datetime as dt

from helhet.plans import services

# 32 on SQLite (session, user, access check, one query per section, sharing consents for the renewal notice, audit insert);
# PostgreSQL adds the audit advisory lock.
MAX_QUERIES = 33


def grow(plan, users, world, person, n: int) -> None:
    c = users["coordinator"]
    v = plan.version
    kw = dict(actor=c, plan_id=plan.pk)
    staff = ["nav", "gp", "teacher", "clinician"]
    for i in range(n):
        g = services.goal_add(**kw, based_on_version=v, text=f"Mål {i}"); v += 1  # noqa: E702
        services.measure_add(**kw, based_on_version=v, title=f"Tiltak {i}", goal_ids=[g.pk], responsible_unit_id=world.units["fjordvik_care"].pk,
                             responsible_person_id=c.pk, deadline=dt.date(2026, 1, 1) + dt.timedelta(days=i)); v += 1  # noqa: E702
        u = users[staff[i % len(staff)]]
        services.participant_add(**kw, based_on_version=v, kind="staff", user_id=u.pk, unit_id=world.units["fjordvik_nav"].pk, role="x"); v += 1  # noqa: E702
        services.resource_add(**kw, based_on_version=v, text=f"Ressurs {i}"); v += 1  # noqa: E702
        services.need_add(**kw, based_on_version=v, text=f"Behov {i}"); v += 1  # noqa: E702
        services.contribution_add(**kw, based_on_version=v, by="person", text=f"Bidrag {i}"); v += 1  # noqa: E702
        services.evaluation_add(**kw, based_on_version=v, planned_on=dt.date(2026, 1, 1) + dt.timedelta(days=30 * i)); v += 1  # noqa: E702
        services.cooperation_add(**kw, based_on_version=v, partner=f"Part {i}", purpose="x"); v += 1  # noqa: E702
        services.subplan_add(**kw, based_on_version=v, kind="crisis", title=f"Delplan {i}", responsible_unit_id=world.units["fjordvik_mh"].pk,
                             text="x"); v += 1  # noqa: E702
        services.plan_publish(**kw, based_on_version=v, reason=f"Versjon {i}")
    plan.refresh_from_db()


def _count(client, plan_id, django_assert_max_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(MAX_QUERIES), CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/api/v1/plans/{plan_id}")
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_plan_document_query_count_is_pinned_and_does_not_grow(plan, users, world, plan_person, client_for, django_assert_max_num_queries):
    client = client_for("coordinator")
    grow(plan, users, world, plan_person, 1)
    client.get(f"/api/v1/plans/{plan.pk}")  # warm up: the session's first request also looks up the two-factor device
    small = _count(client, plan.pk, django_assert_max_num_queries)
    grow(plan, users, world, plan_person, 6)
    doc = client.get(f"/api/v1/plans/{plan.pk}").json()
    assert len(doc["goals"]) == 7 and len(doc["versions"]) == 7 and len(doc["measures"][0]["status_history"]) == 1
    large = _count(client, plan.pk, django_assert_max_num_queries)
    assert large == small
