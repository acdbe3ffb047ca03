"""iCalendar (RFC 5545) invitations for plan-group meetings, written by hand (no dependency at run time).

`invitation(meeting, invitees, method="REQUEST"|"CANCEL", now=...)` returns the .ics text: one VCALENDAR with
METHOD, one VEVENT with UID (Meeting.uid, stable), SEQUENCE (Meeting.sequence, bumped by every update or
cancellation sent), DTSTAMP/DTSTART/DTEND in UTC, SUMMARY, DESCRIPTION (agenda), LOCATION and/or URL,
ORGANIZER and one ATTENDEE per invitee with an e-mail address. Lines are CRLF-terminated and folded at 75
octets (3.1); TEXT values are escaped (3.3.11). tests/meetings/test_ical.py parses the output with the
`icalendar` library.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

PRODID = "-//Helhet//Individuell plan//NB"


def _escape(value: str) -> str:
    return (str(value or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _param(value: str) -> str:
    # Parameter values with : ; , must be quoted; DQUOTE itself is not allowed (3.2).
    value = str(value or "").replace('"', "'")
    return f'"{value}"' if any(c in value for c in ':;,') else value


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def invitation(meeting, invitees, *, method: str = "REQUEST", now: dt.datetime | None = None) -> str:
    assert method in ("REQUEST", "CANCEL")
    now = now or timezone.now()
    organizer = meeting.organizer
    organizer_name = organizer.get_full_name() or organizer.username
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{meeting.uid}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(meeting.start)}",
        f"DTEND:{_utc(meeting.end)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"DESCRIPTION:{_escape(meeting.agenda)}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{_escape(meeting.place)}")
    if meeting.video_url:
        lines.append(f"URL:{meeting.video_url}")
        if not meeting.place:
            lines.append(f"LOCATION:{_escape(meeting.video_url)}")
    lines.append(f"ORGANIZER;CN={_param(organizer_name)}:mailto:{organizer.email or 'helhet@localhost'}")
    for invitee in invitees:
        if not invitee.email:
            continue
        lines.append(f"ATTENDEE;CN={_param(invitee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{invitee.email}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
