"""The KE's report of unusual access (/ke/uvanlig-tilgang/): no relationship, bursts, off-hours reads, refusals."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from helhet.audit.models import AuditEvent
from helhet.audit.selectors import BURST_MINUTES, BURST_PERSONS, unusual_access
from helhet.audit.services import record
from helhet.core.errors import NotFound

OSLO = ZoneInfo("Europe/Oslo")
# A Tuesday in winter (UTC+1) and one in summer (UTC+2): the hour boundary must follow Oslo time.
WINTER_TUESDAY = dt.date(2026, 3, 10)
SUMMER_TUESDAY = dt.date(2026, 6, 9)
REPORT_NOW = dt.datetime(2026, 6, 20, 12, 0, tzinfo=OSLO)


def _read_at(
    when: dt.datetime,
    actor,
    person,
    *,
    reason="involved_staff",
    action="view",
    summary="Så personens side",
):
    with time_machine.travel(when, tick=False):
        return record(
            actor=actor, action=action, obj=person, person=person, reason=reason, summary=summary
        )


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=OSLO)


def _report(users, key="ke", now=REPORT_NOW, days=120):
    return unusual_access(actor=users[key], now=now, days=days)


def _ids(rows):
    return {e.pk for e in rows}


# (a) reads without a relationship


def test_it_lists_reads_without_a_recorded_relationship(users, person):
    bare = _read_at(_local(WINTER_TUESDAY, 10), users["nav"], person, reason="")
    grounded = _read_at(_local(WINTER_TUESDAY, 11), users["nav"], person, reason="involved_staff")
    rows = _ids(_report(users)["no_relationship"])
    assert bare.pk in rows
    assert grounded.pk not in rows


def test_it_shows_only_persons_of_the_officers_municipality(users, make_person):
    elsewhere = make_person(home="havbygd", involve=())
    bare = _read_at(_local(WINTER_TUESDAY, 10), users["nav"], elsewhere, reason="")
    assert bare.pk not in _ids(_report(users)["no_relationship"])
    assert bare.pk in _ids(_report(users, "outsider")["no_relationship"])  # Havbygd's KE sees it


def test_it_looks_back_only_over_the_period(users, person):
    old = _read_at(_local(WINTER_TUESDAY, 10), users["nav"], person, reason="")
    assert old.pk not in _ids(_report(users, days=30)["no_relationship"])


# (b) many persons in a short time


def test_it_flags_many_distinct_persons_within_the_window(users, make_person):
    persons = [make_person(involve=()) for _ in range(BURST_PERSONS)]
    start = _local(WINTER_TUESDAY, 9)
    step = dt.timedelta(minutes=BURST_MINUTES) / BURST_PERSONS  # all inside one window
    for i, p in enumerate(persons):
        _read_at(start + i * step, users["coordinator"], p)
    bursts = _report(users)["bursts"]
    assert [(b.actor_id, b.persons) for b in bursts] == [(users["coordinator"].pk, BURST_PERSONS)]
    assert bursts[0].start == start


def test_it_does_not_flag_the_same_pace_spread_out(users, make_person):
    persons = [make_person(involve=()) for _ in range(BURST_PERSONS)]
    start = _local(WINTER_TUESDAY, 9)
    step = dt.timedelta(minutes=BURST_MINUTES) / (
        BURST_PERSONS - 2
    )  # never BURST_PERSONS inside one window
    for i, p in enumerate(persons):
        _read_at(start + i * step, users["coordinator"], p)
    assert list(_report(users)["bursts"]) == []


def test_rereading_one_person_is_not_a_burst(users, person):
    start = _local(WINTER_TUESDAY, 9)
    for i in range(BURST_PERSONS * 2):
        _read_at(start + dt.timedelta(seconds=10 * i), users["coordinator"], person)
    assert list(_report(users)["bursts"]) == []


# (c) outside working hours


@pytest.mark.parametrize(
    ("when", "flagged"),
    [
        (_local(WINTER_TUESDAY, 6, 59), True),
        (_local(WINTER_TUESDAY, 7, 0), False),
        (_local(WINTER_TUESDAY, 17, 59), False),
        (_local(WINTER_TUESDAY, 18, 0), True),
        (_local(WINTER_TUESDAY, 23, 30), True),
        (_local(SUMMER_TUESDAY, 6, 30), True),  # 04:30 UTC
        (_local(SUMMER_TUESDAY, 7, 30), False),  # 05:30 UTC: would be "before 7" if UTC were used
        (_local(SUMMER_TUESDAY, 18, 30), True),  # 16:30 UTC: would look like working hours in UTC
        (_local(dt.date(2026, 3, 14), 12, 0), True),  # Saturday noon
        (_local(dt.date(2026, 3, 15), 12, 0), True),  # Sunday noon
    ],
)
def test_it_flags_reads_outside_working_hours(users, person, when, flagged):
    event = _read_at(when, users["nav"], person)
    assert (event.pk in _ids(_report(users)["off_hours"])) is flagged


def test_the_persons_own_reads_at_night_are_not_flagged(users, person):
    event = _read_at(_local(WINTER_TUESDAY, 23), users["nav"], person, reason="self")
    assert event.pk not in _ids(_report(users)["off_hours"])


# (d) refused attempts


def test_it_lists_refused_attempts(client_for, users, person):
    with time_machine.travel(_local(SUMMER_TUESDAY, 10), tick=False):
        assert (
            client_for("outsider").get(reverse("person_detail", args=[person.pk])).status_code
            == 404
        )
    rows = _report(users)["denied"]
    assert [(e.actor_id, e.person_id) for e in rows] == [(users["outsider"].pk, person.pk)]


# access to the report


def test_only_ke_officers_get_the_report(users):
    with pytest.raises(NotFound):
        unusual_access(actor=users["coordinator"])


def test_page_for_ke(client_for, users, person):
    _read_at(_local(WINTER_TUESDAY, 23), users["nav"], person, reason="", summary="Sent oppslag")
    with time_machine.travel(_local(dt.date(2026, 3, 20), 12), tick=False):
        response = client_for("ke").get(reverse("unusual_access"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sent oppslag" in html
    assert person.full_name in html
    assert AuditEvent.objects.filter(
        actor=users["ke"], object_type="report", object_id="unusual_access"
    ).exists()


def test_page_is_404_for_staff_who_are_not_ke(client_for):
    assert client_for("coordinator").get(reverse("unusual_access")).status_code == 404


def test_page_requires_login(client):
    response = client.get(reverse("unusual_access"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_page_query_count_is_fixed(client_for, users, make_person, django_assert_max_num_queries):
    persons = [make_person(involve=()) for _ in range(BURST_PERSONS)]
    for i, p in enumerate(persons):
        _read_at(
            _local(WINTER_TUESDAY, 22) + dt.timedelta(seconds=i), users["coordinator"], p, reason=""
        )
        _read_at(
            _local(WINTER_TUESDAY, 22) + dt.timedelta(seconds=i), users["nav"], p, action="denied"
        )
    client = client_for("ke")
    with time_machine.travel(_local(dt.date(2026, 3, 20), 12), tick=False):
        # 16: each paged section is its page of rows and one COUNT (helhet.core.paging); none grows with the events.
        # The page's audit event is two statements on both databases (the chain's head -- on PostgreSQL sent with the
        # chain's advisory lock in one round trip -- and the insert; no savepoint): 18, PostgreSQL 19, before that.
        with django_assert_max_num_queries(16):
            assert client.get(reverse("unusual_access")).status_code == 200
