"""Version list and diff pages: readable by section; query counts do not grow with the number of versions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhet.plans import services
from helhet.plans.models import IndividualPlan

pytestmark = pytest.mark.django_db


def _publish_with_goals(plan, users, n: int, start: int = 0):
    for i in range(start, start + n):
        v = IndividualPlan.objects.get(pk=plan.pk).version
        g = services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=v, text=f"Mål nummer {i}", written_by="person")
        services.measure_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=g.plan.version, title=f"Tiltak {i}", goal_ids=[g.pk])
        services.plan_publish(actor=users["coordinator"], plan_id=plan.pk, based_on_version=g.plan.version + 1, reason=f"Versjon med mål {i}")


def test_version_list_and_diff_show_changes_by_section(client_for, plan, users):
    _publish_with_goals(plan, users, 2)
    client = client_for("coordinator")
    page = client.get(reverse("plan_versions", args=[plan.pk])).content.decode()
    assert "Versjon med mål 0" in page and "Versjon med mål 1" in page
    response = client.get(reverse("plan_diff", args=[plan.pk]) + "?a=1&b=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mål nummer 1" in html and "Tiltak 1" in html
    assert html.index('id="diff-goals"') < html.index('id="diff-measures"')
    assert "Mål nummer 0" not in html.split('id="diff-goals"')[1].split("</section>")[0]


def test_diff_with_unknown_versions_is_400(client_for, plan, users):
    _publish_with_goals(plan, users, 1)
    assert client_for("coordinator").get(reverse("plan_diff", args=[plan.pk]) + "?a=7&b=9").status_code == 400
    assert client_for("coordinator").get(reverse("plan_diff", args=[plan.pk]) + "?a=x").status_code == 400


@pytest.mark.parametrize("page", ["plan_versions", "plan_diff"])
def test_query_counts_do_not_grow_with_versions(client_for, plan, users, django_assert_max_num_queries, page):
    client = client_for("coordinator")
    url = reverse(page, args=[plan.pk]) + ("?a=1&b=2" if page == "plan_diff" else "")
    _publish_with_goals(plan, users, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _publish_with_goals(plan, users, 8, start=2)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_print_view_has_every_section_and_no_forms(client_for, plan, users):
    _publish_with_goals(plan, users, 1)
    html = client_for("coordinator").get(reverse("plan_print", args=[plan.pk])).content.decode()
    assert "Mål nummer 0" in html and 'id="sec-subplans"' in html


def test_person_plan_redirects_to_the_open_plan_or_offers_to_start_one(client_for, plan, make_person, appoint, consent_for, world):
    client = client_for("coordinator")
    r = client.get(reverse("person_plan", args=[plan.person_id]))
    assert r.status_code == 302 and r["Location"] == reverse("plan_detail", args=[plan.pk])
    other = make_person()
    appoint(other)
    # No consent to the plan work yet: the page says why instead of offering a start that would be refused.
    r = client.get(reverse("person_plan", args=[other.pk]))
    page = r.content.decode()
    assert r.status_code == 200 and "Start individuell plan" not in page and 'id="plan-start-refusal"' in page and "samtykke" in page
    create = reverse("plan_create", args=[other.pk])
    data = {"main_sector": "health_care", "main_unit": world.units["fjordvik_care"].pk, "main_basis": "agreement"}
    # A submit anyway: a clear message, nothing written.
    r = client.post(create, data)
    assert r.status_code == 409 and "samtykke" in r.content.decode()
    assert not IndividualPlan.objects.filter(person=other).exists()
    consent_for(other, kind="plan_work")
    r = client.get(reverse("person_plan", args=[other.pk]))
    assert r.status_code == 200 and "Start individuell plan" in r.content.decode()
    r = client.post(create, {**data, "main_basis": "municipality_decision"})  # a municipal decision needs its reason
    assert r.status_code == 400 and 'role="alert"' in r.content.decode()
    assert not IndividualPlan.objects.filter(person=other).exists()
    r = client.post(create, data)
    assert r.status_code == 302
    assert IndividualPlan.objects.filter(person=other).count() == 1
    # A second plan is refused with a message naming the existing one.
    r = client.post(create, data)
    assert r.status_code == 409 and "allerede en individuell plan" in r.content.decode()
