"""Writes for persons, relatives, involvements and capacity findings.

Access is checked before the transaction opens, so a refusal's audit event is
kept (helhet/access/queries.py: check()).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import check, check_role, registering_unit
from helhet.audit.services import record
from helhet.core.errors import Conflict, DomainError, NotFound, validate
from helhet.organizations.models import Organization, ServiceUnit

from .models import CapacityFinding, Involvement, Person, Relative

PERSON_FIELDS = ("given_name", "family_name", "address", "phone", "email", "preferred_language", "needs_interpreter")


def person_create(*, actor, national_id: str, given_name: str, family_name: str, home_municipality_id: int | None = None,
                  home_municipality_number: str | None = None, **fields) -> Person:
    """Register a person. The home municipality is a kommunenummer from the directory (home_municipality_number,
    resolved on today's date: a merged or renumbered one becomes its successor, and `person.home_municipality_note`
    says so), or, as before, a tenant's id (home_municipality_id). The tenant is set when the municipality uses Helhet."""
    from helhet.directory.selectors import resolve_municipality

    check_role(actor, Action.PERSON_CREATE)
    if home_municipality_number not in (None, ""):
        resolution = resolve_municipality(home_municipality_number, timezone.localdate())
        home, entry, note = resolution.tenant, resolution.municipality, resolution.note
    else:
        try:
            home = Organization.objects.get(pk=home_municipality_id, kind=Organization.Kind.MUNICIPALITY)
        except (Organization.DoesNotExist, ValueError, TypeError):
            raise DomainError("invalid", _("Velg en gyldig hjemkommune."), details={"fields": {"home_municipality": [_("Ugyldig kommune.")]}}) from None
        try:
            entry = resolve_municipality(home.municipality_number, timezone.localdate()).municipality
        except DomainError:
            entry = None
        note = ""
    national_id = (national_id or "").replace(" ", "")
    if Person.objects.filter(national_id=national_id).exists():
        raise Conflict("person_exists", _("Det finnes allerede en person med dette fødselsnummeret. Søk opp personen i stedet."))
    person = Person(national_id=national_id, given_name=given_name, family_name=family_name, home_municipality=home,
                    home_municipality_entry=entry, **{k: v for k, v in fields.items() if k in PERSON_FIELDS})
    person.home_municipality_note = note
    validate(person)
    with transaction.atomic():
        try:
            person.save()
        except IntegrityError:
            raise Conflict("person_exists", _("Det finnes allerede en person med dette fødselsnummeret.")) from None
        # The creator's unit becomes involved so they can keep working with the person they registered.
        unit = registering_unit(actor)
        if unit is not None:
            Involvement.objects.create(person=person, unit=unit, staff=actor, start=timezone.localdate(), description=_("Registrerte personen"))
        record(actor=actor, action="create", obj=person, person=person, reason="role", summary=gettext_noop("Registrerte person"),
               detail={"home_municipality": entry.number if entry else None, "tenant": home.pk if home else None,
                       **({"resolved_from": home_municipality_number} if note else {})})
    return person


def person_update(*, actor, person: Person, **fields) -> Person:
    why = check(actor, Action.PERSON_UPDATE, person)
    changed = {}
    for name, value in fields.items():
        if name in PERSON_FIELDS and getattr(person, name) != value:
            changed[name] = True
            setattr(person, name, value)
    validate(person)
    with transaction.atomic():
        person.save()
        record(actor=actor, action="update", obj=person, person=person, reason=why, summary=gettext_noop("Endret personopplysninger"), detail={"fields": sorted(changed)})
    return person


def relative_add(*, actor, person: Person, **fields) -> Relative:
    why = check(actor, Action.RELATIVE_MANAGE, person)
    relative = Relative(person=person, **fields)
    validate(relative)
    with transaction.atomic():
        relative.save()
        record(actor=actor, action="create", obj=relative, person=person, reason=why, summary=gettext_noop("La til pårørende"))
    return relative


def involvement_add(*, actor, person: Person, unit_id: int, staff_id: int | None = None, description: str = "", start: dt.date | None = None) -> Involvement:
    why = check(actor, Action.INVOLVEMENT_MANAGE, person)
    try:
        unit = ServiceUnit.objects.get(pk=unit_id)
    except (ServiceUnit.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Fant ikke enheten.")) from None
    staff = None
    if staff_id:
        staff = unit.memberships.filter(user_id=staff_id, active=True).select_related("user").first()
        if staff is None:
            raise DomainError("invalid", _("Tjenesteyteren er ikke ansatt i den valgte enheten."))
        staff = staff.user
    involvement = Involvement(person=person, unit=unit, staff=staff, description=description, start=start or timezone.localdate())
    validate(involvement)
    with transaction.atomic():
        involvement.save()
        record(actor=actor, action="create", obj=involvement, person=person, reason=why, summary=gettext_noop("Registrerte involvert tjeneste"))
    return involvement


def capacity_finding_record(*, actor, person: Person, capacity: str, reasons: str, found_on: dt.date, scope: str = "") -> CapacityFinding:
    """A finding of (lacking) capacity to consent is written and reasoned; it updates the person's status."""
    why = check(actor, Action.CAPACITY_RECORD, person)
    if not (reasons or "").strip():
        raise DomainError("invalid", _("En vurdering av samtykkekompetanse må begrunnes skriftlig."), details={"fields": {"reasons": [_("Skriv en begrunnelse.")]}})
    finding = CapacityFinding(person=person, capacity=capacity, reasons=reasons, found_on=found_on, scope=scope, found_by=actor)
    validate(finding)
    with transaction.atomic():
        finding.save()
        person.capacity_to_consent = capacity
        person.save(update_fields=["capacity_to_consent", "updated_at"])
        record(actor=actor, action="create", obj=finding, person=person, reason=why, summary=gettext_noop("Vurderte samtykkekompetanse"))
    return finding
