"""iCalendar (RFC 5545) invitations for plan-group meetings, built with the `icalendar` library.

`invitation(meeting, invitees, method="REQUEST"|"CANCEL", now=...)` returns the .ics text: one VCALENDAR with
METHOD, one VEVENT with UID (Meeting.uid, stable), SEQUENCE (Meeting.sequence, bumped by every update or
cancellation sent), DTSTAMP/DTSTART/DTEND in UTC, SUMMARY, DESCRIPTION (agenda), LOCATION and/or URL,
ORGANIZER and one ATTENDEE per invitee. `icalendar` does the CRLF line ends, folding at 75 octets (3.1), TEXT
escaping (3.3.11) and parameter quoting; tests/meetings/test_ical.py parses the output back with it.

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

import icalendar
from django.utils import timezone

PRODID = "-//Helhet//Individuell plan//NB"


def _cn(value: str) -> str:
    # DQUOTE is not allowed inside a parameter value (3.2); icalendar quotes values with : ; , itself.
    return str(value or "").replace('"', "'")


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


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
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(meeting.start))
    event.add("dtend", _utc(meeting.end))
    event.add("summary", meeting.title or "")
    event.add("description", meeting.agenda or "")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.video_url:
        event.add("url", meeting.video_url)
        if not meeting.place:
            event.add("location", meeting.video_url)
    organizer_email = organizer.email or "helhet@localhost"
    event.add("organizer", icalendar.vCalAddress(f"mailto:{organizer_email}"), parameters={"CN": _cn(organizer_name)})
    for index, invitee in enumerate(invitees):
        email = invitee.email or ""
        own = email and (_same(invitee, recipient) or email.strip().lower() == organizer_email.strip().lower())
        params = {"CN": _cn(invitee.name), "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"}
        if own:
            address = f"mailto:{email}"
            params["RSVP"] = "TRUE"
        else:
            address = _calendar_address(meeting, invitee, index)
        event.add("attendee", icalendar.vCalAddress(address), parameters=params)
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")
