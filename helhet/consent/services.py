"""Recording and withdrawing consent. The sharing-consent model (categories, recipients) extends this."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.access.policy import Action
from helhet.access.queries import check
from helhet.audit.services import record
from helhet.core.errors import Conflict, DomainError, validate
from helhet.people.models import Person, Relative

from .models import Consent


def consent_record(*, actor, person: Person, kind: str, given_by: str, method: str, given_on: dt.date, given_by_name: str = "",
                   given_by_relative_id=None, valid_to: dt.date | None = None, note: str = "") -> Consent:
    """Record who consented, in what capacity, when and how."""
    why = check(actor, Action.CONSENT_RECORD, person)
    relative = None
    if given_by_relative_id:
        relative = Relative.objects.filter(pk=given_by_relative_id, person=person).first()
        if relative is None:
            raise DomainError("invalid", _("Velg en pårørende som hører til personen."))
        given_by_name = given_by_name or relative.name
    if given_by == Consent.GivenBy.PERSON:
        given_by_name = given_by_name or person.full_name
        if person.capacity_to_consent == Person.Capacity.LACKING:
            raise DomainError("no_capacity", _("Personen er vurdert til å mangle samtykkekompetanse. Samtykket må gis av verge, foresatte eller nærmeste pårørende."))
    elif given_by in (Consent.GivenBy.GUARDIAN, Consent.GivenBy.PARENTS):
        if relative is None or not relative.may_consent:
            raise DomainError("invalid", _("Velg vergen eller den foresatte som samtykket (registrert med rett til å samtykke)."),
                              details={"fields": {"given_by_relative": [_("Mangler verge/foresatt.")]}})
    elif given_by == Consent.GivenBy.CLOSEST_RELATIVE and person.capacity_to_consent != Person.Capacity.LACKING:
        raise DomainError("invalid", _("Nærmeste pårørende kan bare samtykke når personen er vurdert til å mangle samtykkekompetanse."))
    if given_on > timezone.localdate():
        raise DomainError("invalid", _("Samtykket kan ikke være datert fram i tid."), details={"fields": {"given_on": [_("Dato fram i tid.")]}})
    consent = Consent(person=person, kind=kind, given_by=given_by, given_by_relative=relative, given_by_name=given_by_name,
                      method=method, given_on=given_on, valid_to=valid_to, note=note, recorded_by=actor)
    validate(consent)
    with transaction.atomic():
        consent.save()
        record(actor=actor, action="create", obj=consent, person=person, reason=why, summary=_("Registrerte samtykke: %(kind)s") % {"kind": consent.get_kind_display()})
    return consent


def consent_withdraw(*, actor, consent_id, on: dt.date, note: str = "") -> Consent:
    consent = Consent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None:
        from helhet.core.errors import NotFound

        raise NotFound()
    why = check(actor, Action.CONSENT_RECORD, consent.person)
    if consent.withdrawn_on:
        raise Conflict("already_withdrawn", _("Samtykket er allerede trukket tilbake."))
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=on, note=(consent.note + "\n" + note).strip())
        consent.withdrawn_on = on
        record(actor=actor, action="update", obj=consent, person=consent.person, reason=why, summary=_("Samtykke trukket tilbake"))
    return consent
