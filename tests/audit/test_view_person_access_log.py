"""The person's own access log (/personer/<id>/tilgangslogg/): who read or changed their data, without internals."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhet.audit.models import AuditEvent
from helhet.audit.selectors import access_log_for_person
from helhet.audit.services import record
from helhet.core.errors import NotFound


def _url(person):
    return reverse("person_access_log", args=[person.pk])


@pytest.fixture
def read_by_coordinator(users, person):
    return record(
        actor=users["coordinator"],
        action="view",
        obj=person,
        person=person,
        reason="coordinator",
        summary="Så personens side",
        detail={"internal": "HEMMELIG-INTERN-MERKNAD"},
    )


@pytest.fixture
def citizen(person):
    return get_user_model().objects.create_user(
        username="mari",
        first_name="Mari",
        last_name="Fjellheim",
        national_id=person.national_id,
        password=None,
    )


def test_ke_sees_who_read_the_person(client_for, person, read_by_coordinator, users):
    response = client_for("ke").get(_url(person))
    assert response.status_code == 200
    html = response.content.decode()
    row = read_by_coordinator
    assert row.actor_name in html
    assert "Koordinator" in html  # the role, in Norwegian
    assert "lest" in html  # the action label
    assert "Så personens side" in html
    assert row.organization.name in html


def test_it_never_shows_the_free_text_detail(client_for, person, read_by_coordinator):
    html = client_for("ke").get(_url(person)).content.decode()
    assert "HEMMELIG-INTERN-MERKNAD" not in html


def test_the_person_themself_sees_their_own_log(person, read_by_coordinator, citizen):
    client = Client()
    client.force_login(citizen)
    response = client.get(_url(person))
    assert response.status_code == 200
    assert read_by_coordinator.actor_name in response.content.decode()


def test_a_citizen_does_not_see_someone_elses_log(make_person, person, citizen):
    other = make_person(given_name="Ola")
    client = Client()
    client.force_login(citizen)
    assert client.get(_url(other)).status_code == 404


def test_outsider_gets_404_and_the_refusal_is_logged(client_for, person, users):
    assert client_for("outsider").get(_url(person)).status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", actor=users["outsider"], person=person
    ).exists()


def test_a_coordinator_may_not_read_the_log(client_for, person):
    # The policy gives the access log to the KE, the person and their representative only.
    assert client_for("coordinator").get(_url(person)).status_code == 404


def test_login_is_required(client, person):
    response = client.get(_url(person))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_unknown_person_is_404(client_for):
    assert client_for("ke").get(reverse("person_access_log", args=[999_999])).status_code == 404


def test_viewing_the_log_is_itself_audited(client_for, person, users):
    client_for("ke").get(_url(person))
    event = AuditEvent.objects.filter(
        actor=users["ke"], person=person, object_type="access_log"
    ).get()
    assert event.action == "view"
    assert event.reason == "ke"


def test_selector_refuses_outsider(users, person):
    with pytest.raises(NotFound):
        access_log_for_person(actor=users["outsider"], person_id=person.pk)


def test_it_pages_by_50_newest_first(client_for, person, users):
    for i in range(60):
        record(
            actor=users["nav"],
            action="view",
            obj=person,
            person=person,
            reason="involved_staff",
            summary=f"oppslag nr {i:02d}",
        )
    client = client_for("ke")
    first = client.get(_url(person)).content.decode()
    assert "oppslag nr 59" in first  # newest first
    assert "oppslag nr 58" in first
    assert "oppslag nr 05" not in first
    assert "Viser 1–50 av" in first
    next_url = re.search(r'href="(\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(_url(person) + next_url).content.decode()
    assert "oppslag nr 05" in second and "oppslag nr 58" not in second and "Viser 51–" in second
    assert client.get(_url(person) + "?etter=abc").status_code == 200


def test_query_count_does_not_grow_with_events(
    client_for, person, users, django_assert_max_num_queries
):
    client = client_for("ke")
    client.get(_url(person))  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(person)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(120):
        record(
            actor=users["nav"],
            action="view",
            obj=person,
            person=person,
            reason="involved_staff",
            summary=f"oppslag {i}",
        )
    # 14: the page's audit event is two statements (the chain's head, with the advisory lock on PostgreSQL in the same
    # round trip, and the insert; no savepoint): 16 before that.
    with django_assert_max_num_queries(14):
        many = count()
    assert many == few
