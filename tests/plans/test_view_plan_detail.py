"""The plan page: every section in order, login and access, query counts that do not grow with the plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from helhet.plans import services

pytestmark = pytest.mark.django_db


def _grow(plan, users, n: int):
    """Add n goals, measures (linked to goals), participants and published versions."""
    version = plan.version if hasattr(plan, "version") else 1
    from helhet.plans.models import IndividualPlan

    version = IndividualPlan.objects.get(pk=plan.pk).version
    for i in range(n):
        g = services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=version, text=f"Mål {i}", written_by="person")
        version = g.plan.version
        m = services.measure_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=version, title=f"Tiltak {i}", goal_ids=[g.pk],
                                 responsible_person_id=users["coordinator"].pk, deadline=dt.date(2030, 1, 1))
        version = m.plan.version
        p = services.participant_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=version, kind="staff",
                                     user_id=users["nav"].pk, unit_id=_unit_of(users["nav"]), role=f"Rolle {i}")
        version = p.plan.version
        services.plan_publish(actor=users["coordinator"], plan_id=plan.pk, based_on_version=version, reason=f"Versjon {i}")
    return version


def _unit_of(user):
    from helhet.organizations.models import Membership

    return Membership.objects.filter(user=user).values_list("unit_id", flat=True).first()


def test_plan_page_shows_sections_in_order_starting_with_the_persons_goals(client_for, plan, users):
    services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, text="Å bo hjemme", written_by="person")
    response = client_for("coordinator").get(reverse("plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Å bo hjemme" in html
    order = [html.index(f'id="sec-{k}"') for k in ("goals", "resources", "needs", "participants", "coordinators", "contributions", "measures",
                                                    "period", "cooperation", "consent", "subplans")]
    assert order == sorted(order)
    assert html.index("Hva er viktig for deg?") < html.index('id="sec-resources"')
    assert 'name="based_on_version"' not in html  # forms are fetched when asked for, never rendered with the page


def test_plan_page_query_count_does_not_grow_with_the_plan(client_for, plan, users, django_assert_max_num_queries):
    client = client_for("coordinator")
    url = reverse("plan_detail", args=[plan.pk])
    _grow(plan, users, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(plan, users, 6)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Tiltak 5" in response.content.decode()  # 7 measures: all on the page (collapsing: test_view_plan_sections.py)


def test_plan_page_needs_login(client, plan):
    response = client.get(reverse("plan_detail", args=[plan.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_outsider_gets_404(client_for, plan):
    assert client_for("outsider").get(reverse("plan_detail", args=[plan.pk])).status_code == 404
