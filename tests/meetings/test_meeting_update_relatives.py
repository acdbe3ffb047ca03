"""meeting_update does not send the changed invitation to a relative who may no longer take part
(helhet.meetings.services._may_be_invited, the rule meeting_create follows)."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from helhet.meetings import services
from helhet.people.models import Relative


def _move(users, meeting, hours=1):
    start = meeting.start + dt.timedelta(hours=hours)
    return services.meeting_update(actor=users["coordinator"], meeting_id=meeting.pk, title=meeting.title, agenda=meeting.agenda,
                                   start=start, end=start + dt.timedelta(hours=1), place=meeting.place)


def _recipients():
    return {addr for m in mail.outbox for addr in m.to}


def test_the_changed_invitation_goes_to_a_relative_who_may_take_part(users, plan, convene):
    meeting = convene(plan)
    mail.outbox.clear()
    _move(users, meeting)
    assert "eva@example.invalid" in _recipients()


def test_a_relative_who_may_no_longer_take_part_gets_no_changed_invitation(users, plan, convene):
    meeting = convene(plan)
    assert "eva@example.invalid" in _recipients()
    Relative.objects.filter(person=plan.person, name="Eva Fjellheim").update(may_take_part=False)
    mail.outbox.clear()
    meeting = _move(users, meeting)
    assert meeting.sequence == 1
    assert "eva@example.invalid" not in _recipients()
    assert {"mari@example.invalid"} <= _recipients()  # the others still get it
    # ... and the calendar file sent to the others does not list her either.
    for message in mail.outbox:
        [part] = [a for a in message.attachments if not isinstance(a, tuple)]
        ics = part.get_payload(decode=True).decode().replace("\r\n ", "")  # unfolded
        assert "SEQUENCE:1" in ics and "eva@example.invalid" not in ics and "Eva Fjellheim" not in ics


def test_the_rule_holds_when_the_relatives_participant_row_is_gone(users, plan, convene):
    from helhet.meetings.models import Invitee

    meeting = convene(plan)
    invitee = Invitee.objects.get(meeting=meeting, kind="relative")
    Invitee.objects.filter(pk=invitee.pk).update(participant=None)
    Relative.objects.filter(pk=invitee.relative_id).update(may_take_part=False)
    mail.outbox.clear()
    _move(users, meeting)
    assert "eva@example.invalid" not in _recipients()
