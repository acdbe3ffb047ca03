"""iCalendar (RFC 5545) invitations for plan-group meetings, written by hand (no dependency at run time).

`invitation(meeting, invitees, method="REQUEST"|"CANCEL", now=...)` returns the .ics text: one VCALENDAR with
METHOD, one VEVENT with UID (Meeting.uid, stable), SEQUENCE (Meeting.sequence, bumped by every update or
cancellation sent), DTSTAMP/DTSTART/DTEND in UTC, SUMMARY, DESCRIPTION (agenda), LOCATION and/or URL,
ORGANIZER and one ATTENDEE per invitee. Lines are CRLF-terminated and folded at 75 octets (3.1); TEXT values are
escaped (3.3.11). tests/meetings/test_ical.py parses the output with the `icalendar` library.

Attendees are listed by name (CN) only: an invitee's e-mail address is contact information of that invitee (the
person's own address is CONTACT, a relative's is RELATIVES in helhet.access.policy.FIELD_RULES), which the other
members of the plan group may not see without consent. Only the copy's `recipient` (the invitee it is sent to, or
the reader who downloads it: `invitee_for`) gets their own address, so their calendar can match them and reply; the
organizer's address stays (replies go there). Others get a stable `urn:uuid:` calendar address instead of mailto
(RFC 5545 3.3.3 allows any URI). Callers: helhet.meetings.services._send_invitations (one copy per recipient),
helhet.meetings.views.meeting_ics and helhet.api.meetings.meeting_ics (the reader's own copy).
"""

from __future__ import annotations

import datetime as dt
import uuid

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


def invitee_for(invitees, user):
    """The invitee that is `user` (their own staff invitation, or an invitation to the user's own e-mail address), or
    None. Used to give the reader who downloads the .ics their own address in it; no query (Invitee.user_id, email)."""
    user_id = getattr(user, "pk", None)
    address = (getattr(user, "email", "") or "").strip().lower()
    for invitee in invitees:
        if user_id is not None and getattr(invitee, "user_id", None) == user_id:
            return invitee
    if address:
        for invitee in invitees:
            if (invitee.email or "").strip().lower() == address:
                return invitee
    return None


def _same(invitee, recipient) -> bool:
    if recipient is None:
        return False
    pk = getattr(invitee, "pk", None)
    return invitee is recipient or (pk is not None and pk == getattr(recipient, "pk", None))


def _calendar_address(meeting, invitee, index: int) -> str:
    """A stable address for an attendee listed by name only: the same for this invitee in every copy and update."""
    key = getattr(invitee, "pk", None) or f"n{index}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{meeting.uid}#attendee-{key}')}"


def invitation(meeting, invitees, *, method: str = "REQUEST", now: dt.datetime | None = None, recipient=None) -> str:
    """The .ics for `invitees`; `recipient` (one of them, or None) is the only attendee whose e-mail address is in it."""
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
    organizer_email = organizer.email or "helhet@localhost"
    lines.append(f"ORGANIZER;CN={_param(organizer_name)}:mailto:{organizer_email}")
    for index, invitee in enumerate(invitees):
        email = invitee.email or ""
        own = email and (_same(invitee, recipient) or email.strip().lower() == organizer_email.strip().lower())
        if own:
            lines.append(f"ATTENDEE;CN={_param(invitee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}")
        else:
            lines.append(f"ATTENDEE;CN={_param(invitee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:"
                         f"{_calendar_address(meeting, invitee, index)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
