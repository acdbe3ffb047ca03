"""The plan page's first screen: section navigation with counts, the person's goals first, long sections collapsed
and loaded on demand (plan_section, htmx or ?vis=<key>), read and audited like the page; editing inside a loaded
section; query counts that do not grow with the number of measures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.plans import services
from helhet.plans.models import IndividualPlan, Measure
from helhet.plans.views import COLLAPSE_AFTER

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
MANY = COLLAPSE_AFTER + 2

# The first screen: session, user, the access check, the plan document (one query per section on SQLite, fewer on
# PostgreSQL), the consent notices, the meeting links and the audit insert; measured 31 on SQLite, 16 on PostgreSQL.
# The fragment reads the same document and renders one section: 26 and 11. Neither may grow with the plan.
MAX_FIRST_SCREEN = 32
MAX_FRAGMENT = 27


def _version(plan) -> int:
    return IndividualPlan.objects.get(pk=plan.pk).version


def _add_measures(plan, users, n: int, prefix: str = "Tiltak") -> None:
    for i in range(n):
        services.measure_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=_version(plan), title=f"{prefix} {i}",
                             responsible_person_id=users["coordinator"].pk, deadline=dt.date(2030, 1, 1))


def _add_goal(plan, users, text="Å bo hjemme"):
    return services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=_version(plan), text=text, written_by="person")


def _views(plan):
    return AuditEvent.objects.filter(action="view", object_type="individualplan", object_id=str(plan.pk))


def test_navigation_lists_every_section_with_its_count_goals_first(client_for, plan, users):
    _add_goal(plan, users)
    _add_measures(plan, users, 2)
    html = client_for("coordinator").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    nav = re.search(r'<nav class="plan-toc[^"]*" aria-label="Innhold i planen">(.*?)</nav>', html, re.S).group(1)
    links = re.findall(r'href="#sec-(\w+)">([^<]+)</a> <span class="muted">\((\d+)\)</span>', nav)
    assert [k for k, _label, _n in links] == ["goals", "resources", "needs", "participants", "coordinators", "contributions", "measures",
                                              "period", "cooperation", "consent", "subplans"]
    assert links[0] == ("goals", "Hva er viktig for deg?", "1")
    assert ("measures", "Tiltak", "2") in links
    assert ("coordinators", "Koordinator", "1") in links


def test_first_screen_has_the_frame_and_the_goals_and_collapses_long_sections(client_for, plan, users):
    _add_goal(plan, users)
    _add_measures(plan, users, MANY)
    html = client_for("coordinator").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    # The frame: status, main responsibility, and the coordinator.
    frame = html[html.index('class="facts plan-facts"'):html.index("</dl>")]
    assert "Hovedansvar" in frame and "Koordinator" in frame and users["coordinator"].get_full_name() in frame
    # The person's goals are on the first screen, in full.
    assert "«Å bo hjemme»" in html
    # The long section: heading, count and a link that works without JS and loads in place with htmx.
    section = html[html.index('id="sec-measures"'):]
    section = section[:section.index("</section>")]
    assert f"Tiltak <span class=\"muted\">({MANY})</span>" in section
    assert f'href="?vis=measures#sec-measures" hx-get="{reverse("plan_section", args=[plan.pk, "measures"])}"' in section
    assert f"Vis tiltak ({MANY})" in section
    assert "Tiltak 0" not in html and "Legg til tiltak" not in html


def test_short_sections_stay_open(client_for, plan, users):
    _add_measures(plan, users, COLLAPSE_AFTER)
    for i in range(MANY):  # a text section is never collapsed, however long
        services.resource_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=_version(plan), text=f"Ressurs {i}")
    html = client_for("coordinator").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "Tiltak 0" in html and f"Tiltak {COLLAPSE_AFTER - 1}" in html and "Vis tiltak" not in html
    assert f"Ressurs {MANY - 1}" in html and "Vis " not in html


def test_vis_opens_a_collapsed_section_without_js_and_keeps_the_others_open(client_for, plan, users):
    _add_measures(plan, users, MANY)
    for i in range(MANY):
        services.evaluation_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=_version(plan),
                                planned_on=dt.date(2031, 1, 1) + dt.timedelta(days=30 * i))
    client = client_for("coordinator")
    url = reverse("plan_detail", args=[plan.pk])
    html = client.get(url).content.decode()
    assert "Tiltak 0" not in html and 'id="item-evaluations-' not in html and f"Vis evalueringer ({MANY})" in html
    html = client.get(url + "?vis=measures").content.decode()
    assert f"Tiltak {MANY - 1}" in html and "Vis tiltak" not in html
    assert 'id="item-evaluations-' not in html
    # The next section's link keeps measures open.
    assert 'href="?vis=measures&amp;vis=period#sec-period"' in html
    html = client.get(url + "?vis=measures&vis=period&vis=nonsense").content.decode()
    assert html.count('id="item-evaluations-') == MANY and "Tiltak 0" in html


def test_the_fragment_is_the_whole_section_read_and_audited_like_the_page(client_for, plan, users):
    _add_measures(plan, users, MANY)
    client = client_for("coordinator")
    client.get(reverse("plan_detail", args=[plan.pk]))
    page_event = _views(plan).latest("id")
    response = client.get(reverse("plan_section", args=[plan.pk, "measures"]), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and html.count('id="sec-measures"') == 1
    assert all(f"Tiltak {i}" in html for i in range(MANY)) and "Legg til tiltak" in html
    fragment_event = _views(plan).latest("id")
    assert fragment_event.pk != page_event.pk
    assert (fragment_event.actor, fragment_event.summary, fragment_event.reason) == (page_event.actor, page_event.summary, page_event.reason)


def test_the_fragment_without_js_is_the_plan_page_with_the_section_open(client_for, plan):
    response = client_for("coordinator").get(reverse("plan_section", args=[plan.pk, "measures"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.pk]) + "?vis=measures#sec-measures"


@pytest.mark.parametrize("key", ["measures", "goals", "period"])
def test_outsider_gets_404_on_the_fragment_and_the_refusal_is_recorded(client_for, plan, users, key):
    before = AuditEvent.objects.filter(action="denied", actor=users["outsider"]).count()
    response = client_for("outsider").get(reverse("plan_section", args=[plan.pk, key]), **HX)
    assert response.status_code == 404
    assert plan.person.full_name not in response.content.decode()
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).count() == before + 1
    assert not _views(plan).filter(actor=users["outsider"]).exists()


def test_fragment_needs_login_and_a_known_section(client, client_for, plan):
    response = client.get(reverse("plan_section", args=[plan.pk, "measures"]), **HX)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client_for("coordinator").get(reverse("plan_section", args=[plan.pk, "nonsense"]), **HX).status_code == 404


def test_saving_inside_a_loaded_section_returns_it_with_a_saved_status(client_for, plan, users):
    _add_measures(plan, users, MANY)
    measure = Measure.objects.filter(plan=plan).order_by("id").first()
    client = client_for("coordinator")
    response = client.post(reverse("plan_measure_status", args=[plan.pk, measure.pk]),
                           {"based_on_version": _version(plan), "status": "ongoing", "on": timezone.localdate().isoformat(), "note": ""}, **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert '<div class="ds-alert" data-color="success" role="status" data-saved><p class="ds-paragraph">Status er lagret.</p></div>' in html
    assert html.index("data-saved") < html.index("Tiltak 0")
    assert all(f"Tiltak {i}" in html for i in range(MANY))  # the section stays open after the save
    assert '"plan-version"' in response["HX-Trigger"]
    # Reading the section again (e.g. "Avbryt") says nothing about saving.
    assert "data-saved" not in client.get(reverse("plan_section", args=[plan.pk, "measures"]), **HX).content.decode()


def test_saving_without_js_goes_back_to_the_section_open(client_for, plan, users):
    _add_measures(plan, users, MANY)
    measure = Measure.objects.filter(plan=plan).order_by("id").first()
    client = client_for("coordinator")
    form = client.get(reverse("plan_item_edit", args=[plan.pk, "tiltak", measure.pk])).content.decode()
    assert 'href="' + reverse("plan_detail", args=[plan.pk]) + '?vis=measures#sec-measures">Avbryt' in form
    response = client.post(reverse("plan_item_edit", args=[plan.pk, "tiltak", measure.pk]),
                           {"based_on_version": _version(plan), "title": "Nytt navn", "responsible_person": users["coordinator"].pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("plan_detail", args=[plan.pk]) + "?vis=measures#sec-measures"
    html = client.get(response["Location"]).content.decode()
    assert "Nytt navn" in html and "Endringen er lagret." in html


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **(HX if "seksjon" in url else {})).status_code == 200
    return len(ctx.captured_queries)


def test_first_screen_and_fragment_query_counts_are_pinned_and_do_not_grow_with_the_measures(
        client_for, plan, users, django_assert_max_num_queries):
    client = client_for("coordinator")
    page = reverse("plan_detail", args=[plan.pk])
    fragment = reverse("plan_section", args=[plan.pk, "measures"])
    _add_goal(plan, users)
    _add_measures(plan, users, 2, prefix="Få")
    client.get(page)  # warm up: the session's first request also looks up the two-factor device
    few_page, few_fragment = _count(client, page), _count(client, fragment)
    _add_measures(plan, users, 30, prefix="Mange")
    with django_assert_max_num_queries(MAX_FIRST_SCREEN):
        many_page = _count(client, page)
    with django_assert_max_num_queries(MAX_FRAGMENT):
        many_fragment = _count(client, fragment)
    assert (many_page, many_fragment) == (few_page, few_fragment)
    # The first screen does not carry the 32 measures; the fragment carries them all.
    assert "Mange 0" not in client.get(page).content.decode()
    assert "Mange 29" in client.get(fragment, **HX).content.decode()
