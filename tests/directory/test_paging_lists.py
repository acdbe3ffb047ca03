"""Issue 10: the KE's training list and the list of items sent before the municipality joined Helhet are paged
("Viser 1–50 av 55"), in a fixed order, with a query count that does not grow with the rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helhet.coordination import services as coordination
from helhet.coordination.models import NeedNotification
from helhet.core.paging import PER_PAGE
from helhet.organizations.models import Role, User
from helhet.organizations.services import membership_add

from .conftest import TODAY

pytestmark = pytest.mark.django_db

TRAINING = "/ke/opplaering/"
OUTSIDE = "/ke/utenfor-helhet/"


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _coordinators(world, n: int, start: int = 0):
    for i in range(start, start + n):
        user = User.objects.create(username=f"paging-koord-{i:03d}", first_name="Kari", last_name=f"Koordinator {i:03d}")
        membership_add(user=user, unit=world.units["fjordvik_care"], role=Role.COORDINATOR)


def test_the_training_list_is_paged_per_organisation_at_a_fixed_cost(world, users, client_for):
    client = client_for("ke")
    client.get(TRAINING)  # the first request stamps the session
    _coordinators(world, 3)
    _body, few = _get(client, TRAINING)
    _coordinators(world, PER_PAGE + 2, start=3)
    body, many = _get(client, TRAINING)
    assert many == few
    total = User.objects.filter(username__startswith="paging-koord-").count() + 2  # and the world's two coordinators
    assert total > PER_PAGE
    assert f"Viser 1–{PER_PAGE} av {total}" in body
    prefix = f"opplaering_{world.orgs['fjordvik'].pk}_side"
    assert f"?{prefix}=2" in body and 'rel="next"' in body
    # By name, then id: the second page continues where the first stopped, with nothing shown twice.
    first = re.findall(r"Koordinator (\d{3})", body.split("<table")[1])
    second_body, _n = _get(client, f"{TRAINING}?{prefix}=2")
    second = re.findall(r"Koordinator (\d{3})", second_body.split("<table")[1])
    assert f"Viser {PER_PAGE + 1}–{total} av {total}" in second_body
    assert not set(first) & set(second) and first == sorted(first) and second == sorted(second) and first[-1] < second[0]
    # A coordinator is refused; another municipality's KE sees only its own coordinators.
    assert client_for("coordinator").get(TRAINING).status_code == 404
    other = client_for("outsider").get(TRAINING)
    assert other.status_code in (200, 404) and "Koordinator 000" not in other.content.decode()


def _copies(first, n: int, tag: str):
    """n more open need notifications like `first` (sent to Bergen while it was outside Helhet)."""
    for i in range(n):
        copy = NeedNotification.objects.get(pk=first.pk)
        copy.pk, copy.outside_reference, copy.sent_on = None, f"MB-{tag}{i:05d}", TODAY() - dt.timedelta(days=i % 3)
        copy.save()


def test_the_outside_list_is_paged_oldest_first_at_a_fixed_cost(world, users, bergen_resident, join_bergen):
    first = coordination.need_notification_send(
        actor=users["hospital_coordinator"], person=bergen_resident, direction="to_municipality", sent_on=TODAY(),
        summary="Trenger koordinator etter utskrivning.", contact_name="Per Dahl", needs_coordinator=True,
        consent_given_by="person", consent_method="oral", consent_given_on=TODAY())
    _copies(first, 2, "A")
    _org, bergen_ke = join_bergen()
    client = _logged_in(bergen_ke)
    client.get(OUTSIDE)
    body, few = _get(client, OUTSIDE)
    assert "Viser 1–3 av 3" in body and 'rel="next"' not in body
    _copies(first, PER_PAGE, "B")
    body, many = _get(client, OUTSIDE)
    assert many == few
    total = PER_PAGE + 3
    assert f"Viser 1–{PER_PAGE} av {total}" in body and "?side=2" in body
    rows = re.findall(r'data-outside="([^"]*)"', body)
    rest = re.findall(r'data-outside="([^"]*)"', _get(client, OUTSIDE + "?side=2")[0])
    assert len(rows) == PER_PAGE and len(rest) == 3
    # Oldest first, then by id: the two pages together are every open item once, in that order.
    shown = [n for n in NeedNotification.objects.filter(to_organization__isnull=True).order_by("sent_on", "id")]
    assert rows + rest == [n.outside_reference for n in shown] and len(set(rows + rest)) == total
    # Another municipality's KE sees none of them.
    other, _n = _get(_logged_in(users["ke"]), OUTSIDE)
    assert "data-outside=" not in other and "Ingen åpne meldinger venter." in other


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client
