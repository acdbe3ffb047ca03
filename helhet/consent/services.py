"""Recording and withdrawing consent: to the plan work / coordinator, and to sharing confidential information.

    consent_record(*, actor, person, kind, given_by, method, given_on, ...) -> Consent        # plan work / coordinator
    sharing_consent_record(*, actor, person, given_by, method, given_on, categories, purpose, valid_to,
                           recipient_user_ids=(), recipient_unit_ids=(), valid_from=None, exclusions="", ...) -> Consent
    consent_withdraw(*, actor, consent_id, on, note="") -> Consent
    own_sharing_consent_give(*, actor, person, categories, recipient_user_ids, recipient_unit_ids, purpose, valid_to,
                             exclusions="") -> Consent                      # the person / representative, in the portal
    own_sharing_consent_narrow(*, actor, consent_id, categories, recipient_user_ids, recipient_unit_ids) -> Consent
        withdraws the consent today and records the narrower one in its place (same purpose and period), in one step
    own_consent_withdraw(*, actor, consent_id) -> Consent
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
from helhet.access.queries import check, person_access
from helhet.audit.services import label, record
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
        record(actor=actor, action="create", obj=consent, person=person, reason=why, summary=gettext_noop("Registrerte samtykke: %(kind)s"), params={"kind": label(consent, "kind")})
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
    users, units = _recipients(user_ids, unit_ids)
    if users is None:
        raise DomainError("invalid", _("En mottaker finnes ikke eller er ikke tjenesteyter."))
    consent = Consent(person=person, kind=Consent.Kind.SHARING, given_by=given_by, given_by_relative=relative, given_by_name=given_by_name,
                      method=method, given_on=given_on, valid_from=valid_from, valid_to=valid_to, categories=categories,
                      exclusions=exclusions.strip(), purpose=(purpose or "").strip(), note=note, recorded_by=actor)
    return _save_sharing_consent(consent, users, units, actor=actor, why=why, summary=gettext_noop("Registrerte samtykke til deling: %(cats)s"),
                                 detail={"valid_from": (valid_from or given_on).isoformat(), "valid_to": valid_to.isoformat() if valid_to else None})


def _recipients(user_ids: list[int], unit_ids: list[int]):
    """The named recipients as rows: active staff users and units; (None, None) when one of them is not that."""
    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True, memberships__active=True).distinct())
    units = list(ServiceUnit.objects.filter(pk__in=unit_ids))
    if len(users) != len(user_ids) or len(units) != len(unit_ids):
        return None, None
    return users, units


def _save_sharing_consent(consent: Consent, users, units, *, actor, why, summary: str, detail: dict) -> Consent:
    """Validate and store a sharing consent with its recipients, and log it (one transaction)."""
    validate(consent)
    with transaction.atomic():
        consent.save()
        consent.recipient_users.set(users)
        consent.recipient_units.set(units)
        record(actor=actor, action="create", obj=consent, person=consent.person, reason=why,
               summary=summary, params={"cats": ", ".join(consent.category_labels)},
               detail={"categories": consent.categories, "recipient_users": [u.pk for u in users],
                       "recipient_units": [u.pk for u in units], **detail})
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


# ---------------------------------------------------------------- the person's own hand (helhet/portal)
#
# The person, or whoever acts for them, gives, narrows or withdraws a sharing consent themself: Action.CONSENT_GIVE,
# then THE capacity check (consent_giver_check) decides whether they may in these categories — a child under the age
# limit may not, nor a parent in the matters a young person over the limit decides. Signed in with their own login,
# so the method is "signed in Helhet". Staff-recorded consent (sharing_consent_record) is unchanged.


def _own_giver(actor, person: Person) -> tuple[str, str, int | None]:
    """(why, given_by, relative id): the person themself, or the registered parent/guardian the login is linked to."""
    why = check(actor, Action.CONSENT_GIVE, person)
    if why == "self":
        return why, capacity.PERSON, None
    relative = Relative.objects.filter(person=person, user=actor, may_consent=True).order_by("id").first()
    if relative is None:  # CONSENT_GIVE was allowed only through such a link; keep the refusal explicit
        raise NotFound()
    role = capacity.GUARDIAN if relative.relationship == Relative.Relationship.GUARDIAN else capacity.PARENTS
    return why, role, relative.pk


def _own_consent(actor, consent_id) -> tuple[Consent, str, str, int | None]:
    consent = (Consent.objects.select_related("person").filter(pk=consent_id, kind=Consent.Kind.SHARING).first()
               if str(consent_id).isdigit() else None)
    if consent is None:
        raise NotFound()
    why, given_by, relative_id = _own_giver(actor, consent.person)
    if not person_access(actor, consent.person).sees_consent(consent):  # only a consent this reader may see is theirs to change
        raise NotFound()
    if consent.withdrawn_on and consent.withdrawn_on <= timezone.localdate():
        raise Conflict("already_withdrawn", _("Samtykket er allerede trukket tilbake."))
    return consent, why, given_by, relative_id


def own_sharing_consent_give(*, actor, person: Person, categories, recipient_user_ids=(), recipient_unit_ids=(), purpose: str,
                             valid_to: dt.date, exclusions: str = "") -> Consent:
    """A sharing consent the person (or their representative) gives in the portal; takes effect today."""
    _why, given_by, relative_id = _own_giver(actor, person)
    return _sharing_save(actor=actor, person=person, given_by=given_by, given_by_relative_id=relative_id, categories=categories,
                         purpose=purpose, valid_to=valid_to, recipient_user_ids=recipient_user_ids,
                         recipient_unit_ids=recipient_unit_ids, exclusions=exclusions, why=_why)


def own_sharing_consent_narrow(*, actor, consent_id, categories, recipient_user_ids=(), recipient_unit_ids=()) -> Consent:
    """Narrow a sharing consent: fewer categories and/or recipients. The old one is withdrawn today and the narrower
    one recorded in its place (same purpose, exclusions and end date) in one transaction; nobody gains anything."""
    old, why, given_by, relative_id = _own_consent(actor, consent_id)
    try:
        categories = clean_categories(categories)
    except ValueError as exc:
        raise _field("categories", _("Ukjent kategori: %(c)s") % {"c": exc}) from None
    user_ids, unit_ids = set(_ids(recipient_user_ids)), set(_ids(recipient_unit_ids))
    old_users = set(old.recipient_users.values_list("pk", flat=True))
    old_units = set(old.recipient_units.values_list("pk", flat=True))
    if not set(categories) <= set(old.categories or []) or not user_ids <= old_users or not unit_ids <= old_units:
        raise _field("categories", _("Du kan bare ta bort opplysninger eller mottakere her. Vil du dele mer, gi et nytt samtykke."))
    if set(categories) == set(old.categories or []) and user_ids == old_users and unit_ids == old_units:
        raise _field("categories", _("Du har ikke tatt bort noe. Fjern haken ved det som ikke lenger skal deles."))
    if not categories or not (user_ids or unit_ids):
        raise _field("categories", _("Skal ingenting deles lenger, trekk samtykket tilbake i stedet."))
    today = timezone.localdate()
    with transaction.atomic():
        _withdraw(actor, old, today, why, note=_("Erstattet av et smalere samtykke."))
        new = _sharing_save(actor=actor, person=old.person, given_by=given_by, given_by_relative_id=relative_id, categories=categories,
                            purpose=old.purpose, valid_to=max(old.valid_to, today) if old.valid_to else today, recipient_user_ids=sorted(user_ids),
                            recipient_unit_ids=sorted(unit_ids), exclusions=old.exclusions, why=why,
                            note=_("Smalere utgave av samtykke %(id)s.") % {"id": old.pk})
    return new


def own_consent_withdraw(*, actor, consent_id) -> Consent:
    """The person (or representative) withdraws a sharing consent from today: access that rested on it stops at once."""
    consent, why, _given_by, _rel = _own_consent(actor, consent_id)
    with transaction.atomic():
        _withdraw(actor, consent, timezone.localdate(), why)
    return consent


def _withdraw(actor, consent: Consent, on: dt.date, why: str, note: str = "") -> None:
    now = timezone.now()
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=on, withdrawn_by=actor, withdrawn_at=now, note=(consent.note + "\n" + note).strip())
    consent.withdrawn_on, consent.withdrawn_by, consent.withdrawn_at = on, actor, now
    record(actor=actor, action="update", obj=consent, person=consent.person, reason=why, summary=gettext_noop("Samtykke trukket tilbake"),
           detail={"withdrawn": on.isoformat(), "kind": consent.kind, "by_person": True})


def _sharing_save(*, actor, person, given_by, given_by_relative_id, categories, purpose, valid_to, recipient_user_ids,
                  recipient_unit_ids, exclusions, why, note: str = "") -> Consent:
    today = timezone.localdate()
    try:
        categories = clean_categories(categories)
    except ValueError as exc:
        raise _field("categories", _("Ukjent kategori: %(c)s") % {"c": exc}) from None
    if not categories:
        raise _field("categories", _("Velg hvilke opplysninger som kan deles."))
    if valid_to is None or valid_to < today:
        raise _field("valid_to", _("Velg en sluttdato som ikke har passert."))
    relative, name = consent_giver_check(person, kind=Consent.Kind.SHARING, given_by=given_by, given_by_relative_id=given_by_relative_id,
                                         given_on=today, categories=categories)
    user_ids, unit_ids = _ids(recipient_user_ids), _ids(recipient_unit_ids)
    if not user_ids and not unit_ids:
        raise _field("recipients", _("Velg minst én som kan se opplysningene."))
    users, units = _recipients(user_ids, unit_ids)
    if users is None:
        raise _field("recipients", _("En mottaker finnes ikke eller er ikke tjenesteyter."))
    consent = Consent(person=person, kind=Consent.Kind.SHARING, given_by=given_by, given_by_relative=relative, given_by_name=name,
                      method=Consent.Method.SIGNED_IN_APP, given_on=today, valid_to=valid_to, categories=categories,
                      exclusions=(exclusions or "").strip(), purpose=(purpose or "").strip(), note=note, recorded_by=actor)
    return _save_sharing_consent(consent, users, units, actor=actor, why=why, summary=gettext_noop("Ga samtykke til deling: %(cats)s"),
                                 detail={"by_person": True, "valid_to": valid_to.isoformat()})
