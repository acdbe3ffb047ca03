"""The KE's statistics, figure by figure, against a small world whose every date is known (hand-counted below)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse

from helhet.audit.models import AuditEvent
from helhet.statistics import selectors
from helhet.statistics.charts import bar, stylesheet

TODAY = dt.date(2026, 6, 15)
D = dt.date


@pytest.fixture
def travel():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def small_world(travel, world, users, make_person):
    """Fjordvik's KE (hand-counted):

    requests received: 6 in May 2026 (1st..6th), 2 in March 2026, 1 in January 2025 (before the 12-month window,
    which starts 1 July 2025); Havbygd receives 1 in June 2026 (another tenant).
    decisions on the 6 May requests after 2, 4, 6, 8, 10 and 30 days: 5 decided in May, 1 in June; median 7, p90 30.
    all six grant a coordinator; five got one, 1, 3, 5, 7 and 20 days after the decision: median 5, p90 20;
    the sixth person waits (1: "< 5").
    appointments: coordinator has 3 persons, coordinator2 has 2; none has a first contact recorded: first-contact
    deadlines (14 days) due 18.5, 23.5, 28.5, 2.6 are overdue, 18.6 is not: 4 overdue.
    plans: 2 active (municipal health and care), 1 closed; 1 draft in Havbygd (another tenant).
    """
    from helhet.cases.models import CoordinatorAppointment, Decision, Request
    from helhet.consent.models import Consent
    from helhet.plans.models import IndividualPlan

    fjordvik, havbygd = world.orgs["fjordvik"], world.orgs["havbygd"]

    def request(person, org, received):
        return Request.objects.create(person=person, organization=org, received_on=received, channel="written", requester_kind="person",
                                      wants_coordinator=True, registered_by=users["ke"])

    persons = [make_person(involve=()) for _i in range(6)]
    days = [2, 4, 6, 8, 10, 30]
    offsets = [1, 3, 5, 7, 20, None]
    coordinators = ["coordinator", "coordinator2", "coordinator", "coordinator2", "coordinator", None]
    for i, person in enumerate(persons):
        req = request(person, fjordvik, D(2026, 5, 1 + i))
        decided = req.received_on + dt.timedelta(days=days[i])
        Decision.objects.create(request=req, decided_on=decided, decided_by=users["ke"], grants_coordinator=True, outcome="granted", reasons="Innvilget.")
        if offsets[i] is not None:
            unit = world.units["fjordvik_care"] if coordinators[i] == "coordinator" else world.units["fjordvik_mh"]
            CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users[coordinators[i]], unit=unit,
                                                  appointed_by=users["ke"], request=req, start=decided + dt.timedelta(days=offsets[i]))
    for day in (D(2026, 3, 3), D(2026, 3, 20)):
        request(make_person(involve=()), fjordvik, day)
    request(make_person(involve=()), fjordvik, D(2025, 1, 10))
    other = make_person(home="havbygd", involve=())
    request(other, havbygd, D(2026, 6, 1))

    def plan(person, status, unit):
        closed = {"closed_on": D(2026, 6, 1), "close_reason": "need_ended"} if status == "closed" else {}
        consent = Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                                         given_on=D(2026, 5, 1), recorded_by=users["ke"])
        return IndividualPlan.objects.create(person=person, status=status, main_sector="health_care", main_unit=unit, consent=consent,
                                             created_by=users["coordinator"], **closed)

    plan(persons[0], "active", world.units["fjordvik_care"])
    plan(persons[1], "active", world.units["fjordvik_care"])
    plan(persons[2], "closed", world.units["fjordvik_care"])
    plan(other, "draft", world.units["havbygd_care"])
    return persons


def test_figures_match_the_hand_count(small_world, users):
    stats = selectors.tenant_statistics(actor=users["ke"])
    months = {m.start: m for m in stats.months}
    assert len(stats.months) == 12 and stats.months[0].start == D(2025, 7, 1) and stats.months[-1].start == D(2026, 6, 1)
    assert (months[D(2026, 5, 1)].requests, months[D(2026, 5, 1)].decisions) == (6, 5)
    assert (months[D(2026, 6, 1)].requests, months[D(2026, 6, 1)].decisions) == (0, 1)
    assert months[D(2026, 3, 1)].requests == 2
    assert sum(m.requests for m in stats.months) == 8  # January 2025 and Havbygd's are not counted
    to_decision, to_coordinator = stats.durations
    assert (to_decision.n, to_decision.median, to_decision.p90) == (6, 7, 30)
    assert (to_coordinator.n, to_coordinator.median, to_coordinator.p90) == (5, 5, 20)
    assert stats.waiting == 1
    overdue = {r.label: r.count for r in stats.overdue}
    assert overdue["Første kontakt etter oppnevning"] == 4
    assert {r.label: r.count for r in stats.plans_by_status} == {"Utkast": 0, "Aktiv": 2, "Under evaluering": 0, "Avsluttet": 1}
    by_sector = {r.label: r.count for r in stats.plans_by_sector}
    assert sum(by_sector.values()) == 2 and by_sector["Kommunale helse- og omsorgstjenester"] == 2
    assert [r.count for r in stats.load] == [2, 0, 0, 0]
    assert (stats.coordinators, stats.load_median) == (2, 2.5)


def test_small_counts_are_shown_as_under_five(small_world, users):
    stats = selectors.tenant_statistics(actor=users["ke"])
    months = {m.start: m for m in stats.months}
    assert months[D(2026, 5, 1)].requests_shown == "6" and months[D(2026, 5, 1)].decisions_shown == "5"
    assert months[D(2026, 3, 1)].requests_shown == "< 5" and months[D(2026, 6, 1)].decisions_shown == "< 5"
    assert months[D(2026, 6, 1)].requests_shown == "0"
    to_decision, to_coordinator = stats.durations
    assert (to_decision.n_shown, to_decision.median_shown, to_decision.p90_shown) == ("6", "7", "30")
    assert (to_coordinator.n_shown, to_coordinator.median_shown, to_coordinator.p90_shown) == ("5", "5", "20")
    assert stats.waiting_shown == "< 5" and stats.coordinators_shown == "< 5" and stats.load_median_shown == "–"
    # A duration over fewer than 5 decisions has no median: one person's waiting time would show.
    assert selectors.Duration("x", 4, 3, 9).median_shown == "–" and selectors.Duration("x", 4, 3, 9).n_shown == "< 5"
    assert [selectors.shown(n) for n in (0, 1, 4, 5)] == ["0", "< 5", "< 5", "5"]
    assert [selectors.chart_value(n) for n in (0, 3, 7)] == [0, None, 7]


def test_percentile_is_nearest_rank():
    assert selectors.percentile([], 90) is None
    assert selectors.percentile([5], 90) == 5
    assert selectors.percentile(list(range(1, 11)), 90) == 9
    assert selectors.percentile([2, 4, 6, 8, 10, 30], 90) == 30


def test_page_shows_tables_and_charts_without_script_or_style(small_world, client_for):
    response = client_for("ke").get(reverse("statistics"))
    assert response.status_code == 200
    body = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)", body) == []  # no inline script
    assert "<style" not in body and ' style="' not in body
    assert body.count('class="pygal-chart helhet-chart"') == 5
    assert "&lt; 5" in body and 'id="t-months"' in body
    assert AuditEvent.objects.filter(action="view", object_type="statistics", person__isnull=True).count() == 1


def test_the_chart_stylesheet_is_served_from_our_origin(client):
    response = client.get(reverse("statistics_chart_css"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert ".helhet-chart" in css and "#chart-" not in css
    assert stylesheet() == css


def test_a_suppressed_value_is_not_drawn():
    drawn = bar(labels=["a", "b"], series=[("n", [None, 9])])
    hidden = bar(labels=["a", "b"], series=[("n", [None, None])])
    assert drawn.count('class="rect reactive tooltip-trigger"') == 1
    assert hidden.count('class="rect reactive tooltip-trigger"') == 0


def test_csv_has_the_same_figures_and_the_same_suppression(small_world, client_for):
    response = client_for("ke").get(reverse("statistics_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    months = {r[1]: r for r in rows if r[0] == "Henvendelser og avgjørelser per måned"}
    assert months["2026-05"][2:4] == ["6", "5"] and months["2026-03"][2] == "< 5" and months["2026-06"][3] == "< 5"
    days = {r[1]: r[2:] for r in rows if r[0].startswith("Dager")}
    assert days["Fra henvendelse til avgjørelse"] == ["6", "7", "30"]
    assert ["Venter på koordinator", "Personer", "< 5", "", ""] in rows
    assert AuditEvent.objects.filter(action="export", object_type="statistics", person__isnull=True).count() == 1
    # Nothing that names a person.
    for person in small_world:
        assert person.family_name + ", " not in text and person.national_id not in text


def test_another_tenant_sees_only_its_own_and_gets_404_for_ours(small_world, client_for, world, users):
    stats = selectors.tenant_statistics(actor=users["outsider"])
    assert stats.organization == world.orgs["havbygd"]
    assert sum(m.requests for m in stats.months) == 1
    client = client_for("outsider")
    assert client.get(reverse("statistics"), {"org": world.orgs["fjordvik"].pk}).status_code == 404
    assert client.get(reverse("statistics_csv"), {"org": world.orgs["fjordvik"].pk}).status_code == 404
    assert client.get(reverse("statistics"), {"org": "x'; drop"}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).count() == 3


@pytest.mark.parametrize("key", ["coordinator", "nav", "gp", "clinician", "teacher", "unit_leader"])
def test_staff_who_are_not_ke_get_404(key, client_for, users):
    assert client_for(key).get(reverse("statistics")).status_code == 404
    assert client_for(key).get(reverse("statistics_csv")).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=users[key]).exists()


def test_login_is_required(client, db):
    for name in ("statistics", "statistics_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_query_count_does_not_grow_with_the_number_of_cases(small_world, users, world, make_person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helhet.cases.models import Decision, Request

    selectors.tenant_statistics(actor=users["ke"])  # the tenant's first audit event starts its chain
    with CaptureQueriesContext(connection) as before:
        selectors.tenant_statistics(actor=users["ke"])
    for i in range(8):
        req = Request.objects.create(person=make_person(involve=()), organization=world.orgs["fjordvik"], received_on=D(2026, 4, 1 + i),
                                     channel="oral", requester_kind="person", wants_ip=True, registered_by=users["ke"])
        Decision.objects.create(request=req, decided_on=D(2026, 4, 20), decided_by=users["ke"], grants_ip=True, outcome="granted", reasons="Ja.")
    with CaptureQueriesContext(connection) as after:
        stats = selectors.tenant_statistics(actor=users["ke"])
    assert len(after) == len(before)
    assert {m.start: m.requests for m in stats.months}[D(2026, 4, 1)] == 8
