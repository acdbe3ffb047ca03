"""Writes: first contact, a longer first-contact deadline, in-app notifications and marking them read.

The reminder worker's steps live in helhet.notifications.reminders.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import load
from helhet.audit.services import record
from helhet.core.errors import Conflict, validate
from helhet.core.errors import invalid as _invalid

from .models import DeadlineExtension, FirstContact, Notification


def appointment_for_deadline(*, actor, appointment_id):
    """The appointment whose first-contact deadline the actor may act on: its coordinator, or a KE officer of its unit's
    organisation or of the person's home municipality. Anyone else: NotFound (and a 'denied' audit event)."""
    from helhet.cases.models import CoordinatorAppointment

    appointment, why = load(actor, CoordinatorAppointment, appointment_id, None, object_action=Action.FIRST_CONTACT_RECORD,
                            queryset=CoordinatorAppointment.objects.select_related("person__home_municipality", "unit__organization", "coordinator"))
    appointment.actor_reason = "coordinator" if why == "appointee" else "ke"
    return appointment


@transaction.atomic
def first_contact_record(*, actor, appointment_id, contacted_on: dt.date, how: str, note: str = "") -> FirstContact:
    """Record the coordinator's first contact with the person; this closes the first_contact deadline."""
    appointment = appointment_for_deadline(actor=actor, appointment_id=appointment_id)
    today = timezone.localdate()
    if contacted_on > today:
        raise _invalid("contacted_on", _("Datoen kan ikke være fram i tid."))
    if contacted_on < appointment.start:
        raise _invalid("contacted_on", _("Første kontakt kan ikke være før oppnevningen."))
    if FirstContact.objects.filter(appointment=appointment).exists():
        raise Conflict("first_contact_exists", _("Første kontakt er allerede registrert for denne oppnevningen."))
    fc = FirstContact(appointment=appointment, contacted_on=contacted_on, how=how, note=(note or "").strip(), recorded_by=actor)
    validate(fc)
    fc.save()
    record(actor=actor, action="create", obj=fc, object_type="first_contact", person=appointment.person, reason=appointment.actor_reason,
           summary=gettext_noop("Registrerte første kontakt"), detail={"appointment_id": appointment.pk, "contacted_on": contacted_on.isoformat(), "how": how})
    return fc


@transaction.atomic
def deadline_extend(*, actor, appointment_id, days: int, reason: str) -> DeadlineExtension:
    """A longer first-contact deadline for one appointment; the reason is required (local guideline: a longer deadline needs a recorded reason)."""
    from helhet.rules import guidelines

    appointment = appointment_for_deadline(actor=actor, appointment_id=appointment_id)
    if FirstContact.objects.filter(appointment=appointment).exists():
        raise Conflict("first_contact_exists", _("Første kontakt er allerede registrert; fristen er oppfylt."))
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise _invalid("days", _("Skriv et helt antall dager.")) from None
    limit = guidelines.get("first_contact_days").max_value
    if days < 1 or days > limit:
        raise _invalid("days", _("Forlengelsen må være mellom 1 og %(max)s dager.") % {"max": limit})
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("En lengre frist krever en begrunnelse."))
    if len(reason) > 1000:
        raise _invalid("reason", _("Begrunnelsen kan være høyst 1000 tegn."))
    ext = DeadlineExtension.objects.create(appointment=appointment, days=days, reason=reason, by=actor)
    record(actor=actor, action="create", obj=ext, object_type="deadline_extension", person=appointment.person, reason=appointment.actor_reason,
           summary=gettext_noop("Forlenget frist for første kontakt med %(days)s dager"), params={"days": days}, detail={"appointment_id": appointment.pk, "days": days, "reason": reason})
    return ext


def notify(*, user, title: str, url: str = "", body: str = "", kind: str = Notification.Kind.INFO, reminder=None) -> Notification:
    """An in-app notification for one user (other apps call this too). Keep titles free of health details."""
    return Notification.objects.create(user=user, kind=kind, title=title[:300], body=body, url=url[:300], reminder=reminder)


def notifications_mark_read(*, actor, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all unread when ids is None); another user's ids are silently ignored. Returns how many."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids])
    return qs.update(read_at=timezone.now())
