"""Recording and withdrawing consent: to the plan work / coordinator, and to sharing confidential information.

    consent_record(*, actor, person, kind, given_by, method, given_on, ...) -> Consent        # plan work / coordinator
    sharing_consent_record(*, actor, person, given_by, method, given_on, categories, purpose, valid_to,
                           recipient_user_ids=(), recipient_unit_ids=(), valid_from=None, exclusions="", ...) -> Consent
    consent_withdraw(*, actor, consent_id, on, note="") -> Consent

A sharing consent is what helhet.access.policy.may_see_category decides plan content by. Withdrawal stops
access from the withdrawal date on (the very next request, when it is today); nothing is deleted, and the
withdrawal is an audit event.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.access.policy import Action
from helhet.access.queries import check
from helhet.audit.services import record
from helhet.core.errors import Conflict, DomainError, NotFound, validate
from helhet.organizations.models import ServiceUnit
from helhet.people.models import Person, Relative

from .categories import clean_categories
from .models import Consent


def _giver(person: Person, *, given_by: str, given_by_relative_id, given_by_name: str, given_on: dt.date) -> tuple[Relative | None, str]:
    """Who consented, in what capacity: checked against the person's capacity and the relative's right to consent."""
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
    return relative, given_by_name


def consent_record(*, actor, person: Person, kind: str, given_by: str, method: str, given_on: dt.date, given_by_name: str = "",
                   given_by_relative_id=None, valid_to: dt.date | None = None, note: str = "") -> Consent:
    """Record who consented, in what capacity, when and how (consent to the plan work or to a coordinator)."""
    why = check(actor, Action.CONSENT_RECORD, person)
    if kind == Consent.Kind.SHARING:
        raise DomainError("invalid", _("Samtykke til deling registreres med opplysninger, mottakere, formål og periode."))
    relative, given_by_name = _giver(person, given_by=given_by, given_by_relative_id=given_by_relative_id, given_by_name=given_by_name,
                                     given_on=given_on)
    consent = Consent(person=person, kind=kind, given_by=given_by, given_by_relative=relative, given_by_name=given_by_name,
                      method=method, given_on=given_on, valid_to=valid_to, note=note, recorded_by=actor)
    validate(consent)
    with transaction.atomic():
        consent.save()
        record(actor=actor, action="create", obj=consent, person=person, reason=why, summary=_("Registrerte samtykke: %(kind)s") % {"kind": consent.get_kind_display()})
    return consent


def _ids(values) -> list[int]:
    try:
        return sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        raise DomainError("invalid", _("Ugyldig mottaker.")) from None


def sharing_consent_record(*, actor, person: Person, given_by: str, method: str, given_on: dt.date, categories, purpose: str,
                           valid_to: dt.date, recipient_user_ids=(), recipient_unit_ids=(), valid_from: dt.date | None = None,
                           exclusions: str = "", given_by_name: str = "", given_by_relative_id=None, note: str = "") -> Consent:
    """Consent to share confidential information: which categories (and what not), with whom, for what, for what period."""
    why = check(actor, Action.CONSENT_RECORD, person)
    relative, given_by_name = _giver(person, given_by=given_by, given_by_relative_id=given_by_relative_id, given_by_name=given_by_name,
                                     given_on=given_on)
    try:
        categories = clean_categories(categories)
    except ValueError as exc:
        raise DomainError("invalid", _("Ukjent kategori: %(c)s") % {"c": exc}, details={"fields": {"categories": [str(exc)]}}) from None
    user_ids, unit_ids = _ids(recipient_user_ids), _ids(recipient_unit_ids)
    if not user_ids and not unit_ids:
        raise DomainError("invalid", _("Oppgi hvem opplysningene kan deles med: navngitte deltakere eller enheter."),
                          details={"fields": {"recipient_users": [_("Velg minst én mottaker.")]}})
    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True, memberships__active=True).distinct())
    units = list(ServiceUnit.objects.filter(pk__in=unit_ids))
    if len(users) != len(user_ids) or len(units) != len(unit_ids):
        raise DomainError("invalid", _("En mottaker finnes ikke eller er ikke tjenesteyter."))
    consent = Consent(person=person, kind=Consent.Kind.SHARING, given_by=given_by, given_by_relative=relative, given_by_name=given_by_name,
                      method=method, given_on=given_on, valid_from=valid_from, valid_to=valid_to, categories=categories,
                      exclusions=exclusions.strip(), purpose=(purpose or "").strip(), note=note, recorded_by=actor)
    validate(consent)
    with transaction.atomic():
        consent.save()
        consent.recipient_users.set(users)
        consent.recipient_units.set(units)
        record(actor=actor, action="create", obj=consent, person=person, reason=why,
               summary=_("Registrerte samtykke til deling: %(cats)s") % {"cats": ", ".join(consent.category_labels)},
               detail={"categories": categories, "recipient_users": user_ids, "recipient_units": unit_ids,
                       "valid_from": (valid_from or given_on).isoformat(), "valid_to": valid_to.isoformat() if valid_to else None})
    return consent


def consent_withdraw(*, actor, consent_id, on: dt.date | None = None, note: str = "") -> Consent:
    """Withdraw a consent from `on` (default today). Access that rested on it stops at once; nothing is deleted."""
    consent = Consent.objects.select_related("person").filter(pk=consent_id).first() if str(consent_id).isdigit() else None
    if consent is None:
        raise NotFound()
    why = check(actor, Action.CONSENT_RECORD, consent.person)
    if consent.withdrawn_on:
        raise Conflict("already_withdrawn", _("Samtykket er allerede trukket tilbake."))
    on = on or timezone.localdate()
    if on < consent.given_on:
        raise DomainError("invalid", _("Et samtykke kan ikke trekkes tilbake før det ble gitt."), details={"fields": {"on": [_("For tidlig dato.")]}})
    now = timezone.now()
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=on, withdrawn_by=actor, withdrawn_at=now, note=(consent.note + "\n" + note).strip())
        consent.withdrawn_on, consent.withdrawn_by, consent.withdrawn_at = on, actor, now
        record(actor=actor, action="update", obj=consent, person=consent.person, reason=why, summary=_("Samtykke trukket tilbake"),
               detail={"withdrawn": on.isoformat(), "kind": consent.kind})
    return consent
