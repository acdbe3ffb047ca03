"""Pages: the coordinator's /frister/, the KE's /ke/frister/, first contact and longer deadline forms, /varsler/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from helhet.notifications.models import DeadlineExtension, FirstContact, Notification

from .conftest import D0
from .factories import make_appeal, make_plan

pytestmark = pytest.mark.django_db

PAGES = ["my_deadlines", "ke_deadlines", "notifications"]


@pytest.mark.parametrize("name", PAGES)
def test_login_is_required(name):
    response = Client().get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_ke_deadlines_is_404_for_someone_who_is_not_a_ke_officer(client_for):
    assert client_for("coordinator").get(reverse("ke_deadlines")).status_code == 404


def test_my_deadlines_lists_mine_overdue_first_with_why_links(travel, client_for, person, make_person, appoint_on):
    travel(D0 + dt.timedelta(days=20))
    appoint_on(person, D0)  # first contact due D0+14: overdue
    other = make_person(given_name="Annen")
    appoint_on(other, D0 + dt.timedelta(days=10))  # due D0+24
    appoint_on(make_person(given_name="Ikke", family_name="Min"), D0, user_key="coordinator2")
    response = client_for("coordinator").get(reverse("my_deadlines"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Fjellheim") < html.index("Annen")
    assert "Ikke" not in html
    assert 'data-overdue="1"' in html
    assert "Hvorfor?" in html and "retningslinje-" in html


def test_my_deadlines_query_count_does_not_grow(travel, client_for, make_person, appoint_on, world, users, django_assert_max_num_queries):
    travel(D0)

    def add(n):
        for _ in range(n):
            p = make_person(involve=())
            appoint_on(p, D0)
            make_plan(world, users, p, start=D0)

    client = client_for("coordinator")
    add(2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse("my_deadlines")).status_code == 200
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("my_deadlines")).status_code == 200


def test_ke_deadlines_counts_filters_and_waiting(travel, client_for, world, users, person, make_person, appoint_on, django_assert_max_num_queries):
    travel(D0 + dt.timedelta(days=20))
    appoint_on(person, D0)  # overdue first contact
    appoint_on(make_person(), D0 + dt.timedelta(days=15))  # not yet overdue
    make_appeal(world, users, make_person(), received_on=D0)
    appoint_on(make_person(home="havbygd", involve=()), D0, user_key="coordinator2", unit_key="havbygd_care")  # another tenant
    client = client_for("ke")
    with django_assert_max_num_queries(30):
        response = client.get(reverse("ke_deadlines"))
    html = response.content.decode()
    counts = {c["kind"]: (c["total"], c["overdue"]) for c in response.context["counts"]}
    assert counts["first_contact"] == (2, 1)
    assert counts["appeal"] == (1, 0)
    assert counts["waiting_for_coordinator"] == (0, 0)
    assert "Venter på koordinator" in html
    rows = client.get(reverse("ke_deadlines"), {"kind": "first_contact", "overdue": "1"}).context["rows"]
    assert [r.person_name for r in rows] == [person.full_name]
    # The other tenant's KE sees only its own.
    counts = {c["kind"]: c["total"] for c in client_for("outsider").get(reverse("ke_deadlines")).context["counts"]}
    assert counts["first_contact"] == 1 and counts["appeal"] == 0


def test_coordinator_records_first_contact_and_the_deadline_goes(travel, client_for, person, appoint_on):
    travel(D0 + dt.timedelta(days=3))
    a = appoint_on(person, D0)
    client = client_for("coordinator")
    url = reverse("first_contact_record", args=[a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"contacted_on": (D0 + dt.timedelta(days=2)).isoformat(), "how": "phone", "note": ""})
    assert response.status_code == 302
    assert FirstContact.objects.filter(appointment=a).exists()
    assert not client.get(reverse("my_deadlines")).context["rows"]
    # A second record is a conflict, shown next to the form.
    assert client.post(url, {"contacted_on": (D0 + dt.timedelta(days=2)).isoformat(), "how": "phone"}).status_code == 409


def test_a_first_contact_in_the_future_is_refused(travel, client_for, person, appoint_on):
    travel(D0)
    a = appoint_on(person, D0)
    response = client_for("coordinator").post(reverse("first_contact_record", args=[a.pk]),
                                              {"contacted_on": (D0 + dt.timedelta(days=1)).isoformat(), "how": "phone"})
    assert response.status_code == 400 and not FirstContact.objects.exists()


def test_ke_records_a_longer_deadline_with_reason(travel, client_for, person, appoint_on):
    travel(D0)
    a = appoint_on(person, D0)
    client = client_for("ke")
    url = reverse("deadline_extend", args=[a.pk])
    assert client.post(url, {"days": "10", "reason": ""}).status_code == 400
    assert client.post(url, {"days": "10", "reason": "Personen er innlagt på sykehus"}).status_code == 302
    assert DeadlineExtension.objects.get().days == 10
    # The reason is shown with the deadline, to the KE and to the coordinator whose deadline it is.
    for who, page in (("ke", "ke_deadlines"), ("coordinator", "my_deadlines")):
        html = client_for(who).get(reverse(page)).content.decode()
        assert "Forlenget med 10 dager: Personen er innlagt på sykehus" in html, who


@pytest.mark.parametrize("name", ["first_contact_record", "deadline_extend"])
@pytest.mark.parametrize("who", ["outsider", "coordinator2", "nav"])
def test_others_get_404_on_the_forms(travel, client_for, person, appoint_on, name, who):
    travel(D0)
    a = appoint_on(person, D0)
    client = client_for(who)
    url = reverse(name, args=[a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"contacted_on": D0.isoformat(), "how": "phone", "days": "5", "reason": "x"}).status_code == 404
    assert not FirstContact.objects.exists() and not DeadlineExtension.objects.exists()


def test_notifications_unread_count_and_mark_read(client_for, users, django_assert_max_num_queries):
    from helhet.notifications.services import notify

    mine = [notify(user=users["coordinator"], title=f"Varsel {i}") for i in range(3)]
    theirs = notify(user=users["coordinator2"], title="Ikke ditt")
    client = client_for("coordinator")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications"))
    assert response.context["unread"] == 3 and "Ikke ditt" not in response.content.decode()
    client.post(reverse("notifications_mark_read"), {"id": [mine[0].pk, theirs.pk]})
    assert Notification.objects.filter(read_at__isnull=True).count() == 3  # 2 of mine + theirs untouched
    client.post(reverse("notifications_mark_read"))
    assert Notification.objects.filter(user=users["coordinator"], read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None
