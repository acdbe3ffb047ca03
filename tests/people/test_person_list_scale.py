"""The person list and search do not grow with the tenant (issue 14, docs/performance.md "Lister som ikke vokser").

* The query count of the person list and search (API and page), for a KE officer, a coordinator, a unit leader and
  a NAV adviser, does not grow with 15 more persons of every kind the visibility branches read (residents,
  non-residents with an involvement, a request, an open need notification), and the list still holds exactly the
  persons the single check allows (the UNION of the actor's own rows and the per-person probes included).
* On PostgreSQL, the name search is served by the pg_trgm indexes of people.0004 (their expression must be exactly
  the SQL Django writes for icontains), and the person index probes (facts._has_row) keep the KE's first page from
  reading every involvement of the tenant.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from helhet.access.policy import Action
from helhet.access.queries import may, visible_persons_q
from helhet.cases.models import Request
from helhet.people.models import Person
from helhet.people.selectors import person_list

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


def _grow(world, make_person, n: int) -> None:
    """n of each: a Fjordvik resident; a Havbygd resident with a Fjordvik involvement; one with a Fjordvik request;
    one with an open need notification to Fjordvik; one Fjordvik never sees."""
    from helhet.coordination.models import NeedNotification

    for i in range(n):
        make_person(given_name=f"Bjørg{i}", family_name="Åsheim")
        make_person(given_name=f"Berit{i}", family_name="Havlid", home="havbygd", involve=(("fjordvik_nav", None),))
        asked = make_person(given_name=f"Bernt{i}", family_name="Havstad", home="havbygd", involve=())
        Request.objects.create(person=asked, organization=world.orgs["fjordvik"], received_on=TODAY(), channel="oral",
                               requester_kind="person", wants_ip=True, registered_by=world.users["ke"])
        notified = make_person(given_name=f"Bodil{i}", family_name="Havnes", home="havbygd", involve=())
        NeedNotification.objects.create(person=notified, direction="to_municipality", from_organization=world.orgs["havbygd"],
                                        to_organization=world.orgs["fjordvik"], sent_by=world.users["outsider"], status="sent",
                                        sent_on=TODAY(), needs_coordinator=True, consent_given_on=TODAY(), summary="Behov for koordinering", contact_name="Kari Kontakt")
        make_person(given_name=f"Borghild{i}", family_name="Havøy", home="havbygd", involve=(("havbygd_care", None),))


@pytest.mark.parametrize("key", ["ke", "coordinator", "unit_leader", "nav"])
def test_the_list_and_search_query_count_does_not_grow_and_the_list_agrees_with_the_check(
        key, world, person, make_person, client_for, django_assert_max_num_queries):
    client = client_for(key)
    urls = [reverse("person_list"), reverse("person_list") + "?q=ber", reverse("person_list") + "?q=ha+be",
            "/api/v1/persons/", "/api/v1/persons/?q=Ber", "/api/v1/persons/?q=" + person.national_id[:6]]
    for url in urls:
        assert client.get(url).status_code == 200, url  # warm the session and the caches
    small = {}
    for url in urls:
        with django_assert_max_num_queries(8) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured)
    _grow(world, make_person, 3)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200, url

    user = world.users[key]
    listed = set(Person.objects.filter(visible_persons_q(user)).values_list("pk", flat=True))
    checked = {p.pk for p in Person.objects.all() if may(user, Action.PERSON_VIEW, p)}
    assert listed == checked
    found = {p.pk for p in person_list(actor=user, search="Ber")}
    assert found == {p.pk for p in Person.objects.filter(pk__in=checked) if "ber" in (p.given_name + " " + p.family_name).lower()}


def test_the_ke_sees_non_residents_through_each_branch_and_not_others(world, make_person):
    _grow(world, make_person, 1)
    names = {p.family_name for p in person_list(actor=world.users["ke"], search="")}
    assert {"Åsheim", "Havlid", "Havstad", "Havnes"} <= names
    assert "Havøy" not in names


def test_search_is_case_insensitive_and_every_word_must_match(world, make_person):
    make_person(given_name="Kari Anne", family_name="Berg")
    make_person(given_name="Kari", family_name="Nordmann")
    ke = world.users["ke"]
    assert [p.family_name for p in person_list(actor=ke, search="kari BERG")] == ["Berg"]
    assert {p.family_name for p in person_list(actor=ke, search="KARI")} >= {"Berg", "Nordmann"}
    assert list(person_list(actor=ke, search="Finnesikke")) == []


pg_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_trgm and the plans are PostgreSQL's")


def _plan(qs, **settings) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pg_only
def test_name_search_is_served_by_the_trigram_indexes(world, person):
    # Sequential scans off: the plan uses an index whose expression is exactly Django's icontains SQL, or none.
    plan = _plan(person_list(actor=world.users["ke"], search="jell"), enable_seqscan="off", enable_indexscan="off")
    assert "person_given_name_trgm" in plan and "person_family_name_trgm" in plan, plan


@pg_only
def test_the_kes_first_page_probes_involvements_per_person_instead_of_hashing_the_tenants(world, person):
    plan = _plan(person_list(actor=world.users["ke"]))
    # Every tenant-wide branch is a per-person probe: "(SubPlan n) IS NOT NULL", never "hashed SubPlan" over its rows.
    filter_line = next(line for line in plan.splitlines() if "Filter:" in line and "home_municipality_id" in line)
    assert filter_line.count("IS NOT NULL") >= 5, filter_line
