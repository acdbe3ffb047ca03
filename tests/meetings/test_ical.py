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


def test_a_request_parses_with_every_required_property_in_utc():
    text = ical.invitation(_Meeting(), [_Invitee("Mari Fjellheim", "mari@example.invalid"), _Invitee("Uten e-post", "")],
                           now=dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC))
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
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:mari@example.invalid"]
    assert attendees[0].params["CN"] == "Mari Fjellheim"


def test_a_cancellation_says_cancel():
    cal = icalendar.Calendar.from_ical(ical.invitation(_Meeting(), [], method="CANCEL"))
    assert str(cal["METHOD"]) == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
