"""Issue 14: the outside-Helhet open list (page and API) and the KE's training list page in the database: the query
count of a page (and of an API call) is the same with 3 or 30 rows, the order is the one users saw before, "N av M"
counts only what the reader may see, and an outsider still sees nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helhet.coordination import services as coordination
from helhet.coordination.models import NeedNotification, Transfer
from helhet.directory.selectors import WITHOUT_SHOWN
from helhet.organizations.models import Role, User
from helhet.organizations.services import membership_add

from .conftest import TODAY

pytestmark = pytest.mark.django_db

OPEN_API = "/api/v1/directory/outside/open"
OUTSIDE = "/ke/utenfor-helhet/"
TRAINING = "/ke/opplaering/"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response, len(ctx.captured_queries)


@pytest.fixture
def sent(users, bergen_resident):
    """One need notification and one transfer sent to Bergen while it was outside Helhet."""
    n = coordination.need_notification_send(
        actor=users["hospital_coordinator"], person=bergen_resident, direction="to_municipality", sent_on=TODAY(),
        summary="Trenger koordinator etter utskrivning.", contact_name="Per Dahl", needs_coordinator=True,
        consent_given_by="person", consent_method="oral", consent_given_on=TODAY())
    t = coordination.transfer_start(actor=users["hospital_coordinator"], person=bergen_resident, kind="hospital_to_municipality",
                                    effective_on=TODAY() - dt.timedelta(days=1))
    return n, t


def _copies(item, n: int, tag: str, day_field: str):
    """n more open items like `item`; a transfer's copies are each about another person (one open transfer a person)."""
    from helhet.people.models import Person
    from tests.conftest import _unused_national_id

    model = type(item)
    for i in range(n):
        copy = model.objects.get(pk=item.pk)
        copy.pk, copy.outside_reference = None, f"{tag}-{i:05d}"
        setattr(copy, day_field, TODAY() - dt.timedelta(days=i % 4))
        if model is Transfer:
            person = Person.objects.get(pk=item.person_id)
            person.pk, person.national_id = None, _unused_national_id(dt.date(1975, 3, 9), 500 + i * 7)
            person.save()
            copy.person = person
        copy.save()


def test_the_api_pages_in_the_database_in_its_old_order(sent, users, join_bergen):
    n, t = sent
    _org, bergen_ke = join_bergen()
    client = _client(bergen_ke)
    client.get(OPEN_API)  # the first request stamps the session
    _copies(n, 1, "MB-X", "sent_on")
    response, few = _get(client, OPEN_API)
    assert [i["kind"] for i in response.json()] == ["need_notification", "need_notification", "transfer"]
    _copies(n, 14, "MB-Y", "sent_on")
    _copies(t, 14, "OV-Y", "effective_on")
    response, many = _get(client, OPEN_API)
    assert many == few  # the page's rows and one query per kind, whatever the number of items
    rows = response.json()
    assert len(rows) == 31
    # As before: the need notifications, then the transfers, each oldest first (then by id).
    notifications = NeedNotification.objects.filter(to_organization__isnull=True, to_municipality__number="4601").order_by("sent_on", "id")
    transfers = Transfer.objects.filter(to_organization__isnull=True, to_municipality__number="4601").order_by("effective_on", "id")
    expected = [("need_notification", x.pk) for x in notifications] + [("transfer", x.pk) for x in transfers]
    assert [(i["kind"], i["id"]) for i in rows] == expected
    # limit/offset as on /municipalities: the same rows, a slice at a time.
    part, _n = _get(client, OPEN_API, limit="10", offset="12")
    assert [(i["kind"], i["id"]) for i in part.json()] == expected[12:22]
    assert [(i["kind"], i["id"]) for i in _get(client, OPEN_API, limit="0")[0].json()] == expected[:1]  # at least one row
    assert client.get(OPEN_API, {"limit": "x"}).status_code in (400, 422)
    # Another municipality's KE (and a coordinator) gets none of it.
    assert _get(_client(users["ke"]), OPEN_API)[0].json() == []
    assert _get(_client(users["coordinator"]), OPEN_API)[0].json() == []


def test_the_page_mixes_both_kinds_oldest_first(sent, users, join_bergen):
    n, t = sent
    _org, bergen_ke = join_bergen()
    client = _client(bergen_ke)
    body = _get(client, OUTSIDE)[0].content.decode()
    assert "Viser 1–2 av 2" in body
    # The transfer (effective yesterday) waited longest: it comes first.
    assert re.findall(r'data-outside="([^"]*)"', body) == [t.outside_reference, n.outside_reference]
    assert client_404(users["coordinator"], OUTSIDE)


def client_404(user, url) -> bool:
    return _client(user).get(url).status_code == 404


def _coordinators(world, n: int, start: int = 0):
    for i in range(start, start + n):
        user = User.objects.create(username=f"db-koord-{i:03d}", first_name="Kari", last_name=f"Koordinator {i:03d}")
        membership_add(user=user, unit=world.units["fjordvik_care"], role=Role.COORDINATOR)


def test_the_training_list_counts_those_without_and_names_the_first(world, users):
    from helhet.directory import services

    client = _client(users["ke"])
    client.get(TRAINING)
    _coordinators(world, 3)
    body, few = _get(client, TRAINING)
    _coordinators(world, 27, start=3)
    body, many = _get(client, TRAINING)
    assert many == few
    body = body.content.decode()
    org = world.orgs["fjordvik"]
    coordinators = User.objects.filter(username__startswith="db-koord-")
    # One of them gets a training record: the others are "without".
    services.training_record(actor=users["ke"], organization_id=org.pk, coordinator_id=coordinators.get(username="db-koord-000").pk,
                             kind="course", held_on=TODAY(), given_by="KE", topic="Rollen")
    body = _get(client, TRAINING)[0].content.decode()
    from helhet.directory.selectors import training_overview

    data = next(t for t in training_overview(actor=users["ke"]) if t["organization"] == org)
    total = data["rows"].total
    assert total >= 30 and f"Viser 1–{total if total < 50 else 50} av {total}" in body
    without = data["without_total"]
    from helhet.directory.models import CoordinatorTraining

    world_trained = (CoordinatorTraining.objects.filter(organization=org).exclude(coordinator__username__startswith="db-koord-")
                     .values("coordinator").distinct().count())
    assert without == (total - 30 - world_trained) + 29
    assert f"{without} aktive koordinatorer har ingen registrert opplæring eller veiledning" in body
    names = re.findall(r"<li>Kari (Koordinator \d{3})</li>", body.split("data-without-training")[1].split("</ul>")[0])
    assert len(names) <= WITHOUT_SHOWN and "Koordinator 000" not in names and names == sorted(names)
    assert f"Viser {WITHOUT_SHOWN} av {without}." in body
    assert client_404(users["coordinator"], TRAINING)
