"""The .ics invitation is valid RFC 5545: parsed back with the `icalendar` library."""

from __future__ import annotations

import datetime as dt

import pytest

icalendar = pytest.importorskip("icalendar")

from helhet.meetings import ical  # noqa: E402


class _User:
    email = "ola@example.invalid"
    username = "ola"

    def get_full_name(self):
        return "Ola Strand"


class _Meeting:
    uid = "abc-123@helhet"
    sequence = 2
    title = "Møte i ansvarsgruppen; ansvar, frister"
    agenda = "1. Status\n2. Tiltak, ansvar; frister\n" + "Lang tekst med æøå " * 10
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    end = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    place = "Fjordvik rådhus, møterom 2"
    video_url = "https://video.example.invalid/rom/42"
    organizer = _User()


class _Invitee:
    def __init__(self, name, email):
        self.name, self.email = name, email


def _attendees(event) -> list:
    found = event.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


def test_a_request_parses_with_every_required_property_in_utc():
    mari = _Invitee("Mari Fjellheim", "mari@example.invalid")
    text = ical.invitation(_Meeting(), [mari, _Invitee("Uten e-post", "")], now=dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC),
                           recipient=mari)
    assert "\r\n" in text and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["METHOD"]) == "REQUEST" and str(cal["VERSION"]) == "2.0"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == "abc-123@helhet"
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    assert event["DTSTART"].to_ical() == b"20260302T080000Z"
    assert event.decoded("DTSTAMP") == dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    assert str(event["SUMMARY"]) == _Meeting.title  # ; and , escaped and read back
    assert str(event["DESCRIPTION"]) == _Meeting.agenda  # folded, newlines escaped
    assert str(event["LOCATION"]) == _Meeting.place
    assert str(event["URL"]) == _Meeting.video_url
    assert str(event["ORGANIZER"]) == "mailto:ola@example.invalid"
    assert event["ORGANIZER"].params["CN"] == "Ola Strand"
    # The recipient's own copy: their address; every other invitee by name, with a calendar address that is no e-mail.
    attendees = _attendees(event)
    assert [a.params["CN"] for a in attendees] == ["Mari Fjellheim", "Uten e-post"]
    assert str(attendees[0]) == "mailto:mari@example.invalid"
    assert str(attendees[1]).startswith("urn:uuid:")


def test_other_attendees_are_listed_by_name_without_their_addresses():
    """An invitee's e-mail address is their contact information: the other members of the plan group do not get it."""
    mari, per, sol = (_Invitee("Mari Fjellheim", "mari@example.invalid"), _Invitee("Per Dahl", "per@example.invalid"),
                      _Invitee("Sol Kanarifugl", "sol@example.invalid"))
    text = ical.invitation(_Meeting(), [mari, per, sol], recipient=per)
    assert "mari@example.invalid" not in text and "sol@example.invalid" not in text
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    attendees = _attendees(event)
    assert [a.params["CN"] for a in attendees] == ["Mari Fjellheim", "Per Dahl", "Sol Kanarifugl"]
    assert [str(a) for a in attendees if str(a).startswith("mailto:")] == ["mailto:per@example.invalid"]
    assert str(event["ORGANIZER"]) == "mailto:ola@example.invalid"  # replies go to the organizer
    # No recipient (e.g. a reader who is not invited): nobody's address but the organizer's.
    anonymous = ical.invitation(_Meeting(), [mari, per, sol])
    assert not any(a in anonymous for a in ("mari@", "per@", "sol@"))
    # The calendar address of a name-only attendee is the same in every copy, so a client can follow them across updates.
    again = ical.invitation(_Meeting(), [mari, per, sol], recipient=mari)
    [e2] = icalendar.Calendar.from_ical(again).walk("VEVENT")
    assert str(_attendees(e2)[2]) == str(attendees[2])


def test_the_invitee_for_a_reader_is_their_own_invitation():
    class _Staff(_Invitee):
        def __init__(self, name, email, user_id):
            super().__init__(name, email)
            self.user_id = user_id

    class _Reader:
        def __init__(self, pk, email):
            self.pk, self.email = pk, email

    gp, person = _Staff("Ingrid Sand", "ingrid@example.invalid", 7), _Invitee("Sol Kanarifugl", "Sol@Example.invalid")
    assert ical.invitee_for([person, gp], _Reader(7, "other@example.invalid")) is gp
    assert ical.invitee_for([person, gp], _Reader(99, "sol@example.invalid")) is person
    assert ical.invitee_for([person, gp], _Reader(99, "")) is None


def test_a_cancellation_says_cancel():
    cal = icalendar.Calendar.from_ical(ical.invitation(_Meeting(), [], method="CANCEL"))
    assert str(cal["METHOD"]) == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
