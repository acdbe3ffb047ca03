"""Recording and withdrawing consent: to the plan work / coordinator, and to sharing confidential information.

    consent_record(*, actor, person, kind, given_by, method, given_on, ...) -> Consent        # plan work / coordinator
    sharing_consent_record(*, actor, person, given_by, method, given_on, categories, purpose, valid_to,
                           recipient_user_ids=(), recipient_unit_ids=(), valid_from=None, exclusions="", ...) -> Consent
    consent_withdraw(*, actor, consent_id, on, note="") -> Consent
    consent_giver_check(person, *, kind, given_by, given_by_relative_id, given_on, categories=()) -> (Relative|None, name)
        who may consent (helhet.consent.capacity under the rules in force on given_on); both record services call it

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
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import check
from helhet.audit.services import record
from helhet.core.errors import Conflict, DomainError, NotFound, validate
from helhet.organizations.models import ServiceUnit
from helhet.people.models import Person, Relative

from . import capacity
from .categories import clean_categories
from .models import Consent


def consent_giver_check(person: Person, *, kind: str, given_by: str, given_by_relative_id=None, given_by_name: str = "",
                        given_on: dt.date, categories=()) -> tuple[Relative | None, str]:
    """THE check of who consented, in what capacity: every path that records a consent calls this (consent_record,
    sharing_consent_record; the browser forms and the API through them).

    Decided by helhet.consent.capacity.decide from the person's age on `given_on`, their recorded capacity, the
    matter (kind; for sharing, each category) and the registered relative, under the rules in force on `given_on`.
    A relative consents only as a registered Relative of this person (never a free-text name naming nobody): the
    name recorded is the relative's. Returns (relative or None, the name recorded); a refusal is a DomainError with a
    field error on given_by / given_by_relative that says who may consent.
    """
    from .selectors import capacity_rules_on

    if given_on > timezone.localdate():
        raise _field("given_on", _("Samtykket kan ikke være datert fram i tid."))
    relative = None
    if given_by_relative_id not in (None, ""):
        relative = Relative.objects.filter(pk=given_by_relative_id, person=person).first() if str(given_by_relative_id).isdigit() else None
        if relative is None:
            raise _field("given_by_relative", _("Velg en pårørende som hører til personen."))
    age = person.age_on(given_on)
    fact = None if relative is None else capacity.RelativeFact(relationship=relative.relationship, is_closest_relative=relative.is_closest_relative,
                                                               may_consent=relative.may_consent)
    matter = kind if kind in capacity.MATTERS else ""
    verdict = capacity.decide(age=age, capacity=person.capacity_to_consent, matter=matter, role=given_by, relative=fact,
                              rules=capacity_rules_on(given_on), categories=categories)
    if not verdict.allowed:
        field, message = capacity.refusal(verdict, age=age)
        raise DomainError("consent_giver", message, details={"fields": {field: [message]}, "reason": verdict.reason,
                                                             "may_consent": list(verdict.may_consent)})
    name = relative.name if relative is not None else person.full_name
    return relative, name


def _field(field: str, message: str) -> DomainError:
    return DomainError("invalid", message, details={"fields": {field: [message]}})


def consent_record(*, actor, person: Person, kind: str, given_by: str, method: str, given_on: dt.date, given_by_name: str = "",
                   given_by_relative_id=None, valid_to: dt.date | None = None, note: str = "") -> Consent:
    """Record who consented, in what capacity, when and how (consent to the plan work or to a coordinator)."""
    why = check(actor, Action.CONSENT_RECORD, person)
    if kind == Consent.Kind.SHARING:
        raise DomainError("invalid", _("Samtykke til deling registreres med opplysninger, mottakere, formål og periode."))
    if kind not in (Consent.Kind.PLAN_WORK, Consent.Kind.COORDINATOR):
        raise _field("kind", _("Velg hva samtykket gjelder."))
    relative, given_by_name = consent_giver_check(person, kind=kind, given_by=given_by, given_by_relative_id=given_by_relative_id,
                                                  given_by_name=given_by_name, given_on=given_on)
    consent = Consent(person=person, kind=kind, given_by=given_by, given_by_relative=relative, given_by_name=given_by_name,
                      method=method, given_on=given_on, valid_to=valid_to, note=note, recorded_by=actor)
    validate(consent)
    with transaction.atomic():
        consent.save()
        record(actor=actor, action="create", obj=consent, person=person, reason=why, summary=gettext_noop("Registrerte samtykke: %(kind)s"), params={"kind": consent.get_kind_display()})
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
    try:
        categories = clean_categories(categories)
    except ValueError as exc:
        raise DomainError("invalid", _("Ukjent kategori: %(c)s") % {"c": exc}, details={"fields": {"categories": [str(exc)]}}) from None
    if not categories:
        raise _field("categories", _("Velg hvilke opplysninger som kan deles."))
    relative, given_by_name = consent_giver_check(person, kind=Consent.Kind.SHARING, given_by=given_by, given_by_relative_id=given_by_relative_id,
                                                  given_by_name=given_by_name, given_on=given_on, categories=categories)
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
               summary=gettext_noop("Registrerte samtykke til deling: %(cats)s"), params={"cats": ", ".join(consent.category_labels)},
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
        record(actor=actor, action="update", obj=consent, person=consent.person, reason=why, summary=gettext_noop("Samtykke trukket tilbake"),
               detail={"withdrawn": on.isoformat(), "kind": consent.kind})
    return consent
