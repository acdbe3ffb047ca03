"""Writes for the coordination loop: need notifications, transfers, informing partners, disagreements.

Each service checks access (helhet.access.queries.check, before its transaction so a refusal's audit
event survives), validates, saves and records the audit event in the same transaction. Where a step
belongs to another app (registering a request, appointing or handing over a coordinator, setting main
responsibility on a plan) it calls that app's service, after checking the same access first.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import (
    acting_unit,
    acting_units,
    check,
    check_object,
    check_plan,
    load,
    may,
    may_object,
)
from helhet.audit.services import label, record
from helhet.cases import services as case_services
from helhet.cases.models import CoordinatorAppointment, Request
from helhet.consent.models import Consent
from helhet.consent.services import consent_giver_check
from helhet.core import outbox
from helhet.core.errors import Conflict, DomainError, NotFound, validate
from helhet.core.errors import invalid as _invalid
from helhet.directory import services as directory_services
from helhet.directory.selectors import resolve_municipality
from helhet.documents import services as document_services
from helhet.organizations.models import Level, Organization, Sector, ServiceUnit
from helhet.organizations.services import coordinating_unit
from helhet.people.models import Involvement, Person

from .models import (
    NEED_NOTIFICATION_CATEGORY,
    Disagreement,
    NeedNotification,
    PartnerInformation,
    PartnerInformationObjection,
    Transfer,
    TransferChecklistItem,
    consent_covers_need_notification,
)


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(field: str, day: dt.date | None) -> dt.date:
    if day is None:
        raise _invalid(field, _("Oppgi en dato."))
    if day > _today():
        raise _invalid(field, _("Datoen kan ikke være fram i tid."))
    return day


def _notify_unit_by_email(unit: ServiceUnit, subject: str, body: str) -> None:
    """A short notice to a unit's e-mail address, after commit (the outbox retries a failure). Names no person."""
    if unit.email:
        outbox.enqueue(to=unit.email, subject=subject, body=body, purpose="coordination.unit_notice")


# --- Need notifications (melding om behov) ---------------------------------------------------------------------


def _sender_unit(actor, *, hospital: bool) -> ServiceUnit | None:
    for unit in acting_units(actor):
        if hospital and unit.level == Level.SPECIALIST and not unit.organization.is_municipality:
            return unit
        if not hospital and unit.organization.is_municipality:
            return unit
    return None


def _records_consent(*values) -> bool:
    """Did the sender fill in any of the consent-given-here fields?"""
    return any(v not in (None, "") and str(v).strip() for v in values)


def _covering_consent(person: Person, consent_id, *, sent_on: dt.date, to_org: Organization, to_unit: ServiceUnit) -> Consent:
    """The chosen sharing consent, when it covers this notification (models.consent_covers_need_notification); else a
    field error on `consent` that says why. Another person's consent is as unknown as a missing one."""
    consent = (Consent.objects.filter(pk=consent_id, person=person).prefetch_related("recipient_units__organization").first()
               if str(consent_id).isdigit() else None)
    if consent is None:
        raise _invalid("consent", _("Velg et samtykke som er registrert for personen."))
    why_not = consent_covers_need_notification(consent, day=sent_on, organization_ids=[to_org.pk], unit_id=to_unit.pk)
    if why_not == "kind":
        raise _invalid("consent", _("Samtykket gjelder ikke deling av opplysninger. Velg et samtykke til deling, eller registrer samtykket "
                                    "som ble gitt for denne meldingen."))
    if why_not == "not_valid":
        raise _invalid("consent", _("Samtykket gjelder ikke %(day)s, dagen meldingen sendes: det er trukket tilbake, utløpt eller ikke "
                                    "begynt å gjelde.") % {"day": f"{sent_on:%d.%m.%Y}"})
    if why_not == "category":
        raise _invalid("consent", _("Samtykket dekker ikke opplysninger om helse og funksjon, som meldingen inneholder. Det gjelder: "
                                    "%(categories)s.") % {"categories": ", ".join(consent.category_labels)})
    if why_not == "recipient":
        units = [str(u) for u in consent.recipient_units.all()]
        raise _invalid("consent", _("Samtykket gir ikke lov til å dele opplysninger med %(to)s. Det nevner: %(recipients)s.") % {
            "to": to_unit, "recipients": ", ".join(units) if units else _("ingen enheter, bare navngitte personer")})
    return consent


_GIVER_FIELDS = {"given_by": "consent_given_by", "given_by_relative": "consent_given_by_relative", "given_on": "consent_given_on"}


def _recorded_consent(person: Person, *, sent_on: dt.date, given_by: str, given_by_relative_id, method: str,
                      given_on: dt.date | None) -> tuple:
    """The consent given for this notification: dated, how, and by whom — who may consent is decided by
    helhet.consent.services.consent_giver_check (the capacity rules), for sharing health and function information.
    Returns (relative or None, the name recorded)."""
    if not given_on:
        raise _invalid("consent_given_on", _("Oppgi datoen samtykket ble gitt."))
    if given_on > sent_on:
        raise _invalid("consent_given_on", _("Samtykket må være gitt før eller samme dag som meldingen sendes."))
    if method not in Consent.Method.values:
        raise _invalid("consent_method", _("Oppgi hvordan samtykket ble gitt."))
    try:
        return consent_giver_check(person, kind=Consent.Kind.SHARING, given_by=given_by, given_by_relative_id=given_by_relative_id,
                                   given_on=given_on, categories=[NEED_NOTIFICATION_CATEGORY])
    except DomainError as exc:
        fields = {_GIVER_FIELDS.get(name, name): msgs for name, msgs in ((exc.details or {}).get("fields") or {}).items()}
        raise DomainError(exc.code, exc.message, status=exc.status, details={**exc.details, "fields": fields}) from None


def need_notification_send(*, actor, person: Person, direction: str, sent_on: dt.date, summary: str, contact_name: str,
                           contact_phone: str = "", needs_ip: bool = False, needs_coordinator: bool = False,
                           needs_child_coordinator: bool = False, to_unit_id=None, to_organization_id=None,
                           consent_id=None, consent_given_by: str = "", consent_given_by_relative_id=None, consent_given_by_name: str = "",
                           consent_method: str = "", consent_given_on: dt.date | None = None) -> NeedNotification:
    """Send a need notification.

    to_municipality: from a hospital unit to the KE of the person's HOME municipality (needs IP / coordinator /
    child coordinator). to_hospital: from the municipality (its KE or the person's coordinator) to a hospital
    unit asking for a hospital coordinator; when the unit is not known, to the hospital's KE.
    The consent to send it (models.py): `consent_id`, a sharing consent of the person that covers this receiver
    and health information, OR the consent given for this notification recorded here (consent_given_by,
    consent_given_by_relative_id for a representative, consent_method, consent_given_on; the name recorded is the
    person's or the relative's, consent_given_by_name is ignored). Neither, both, or a consent that does not cover
    it: 400 with a field error on `consent` (or on the recorded consent's field), nothing written.
    """
    if direction not in NeedNotification.Direction.values:
        raise _invalid("direction", _("Ugyldig retning."))
    why = check(actor, Action.NEED_NOTIFICATION_SEND, person)
    to_hospital = direction == NeedNotification.Direction.TO_HOSPITAL
    from_unit = _sender_unit(actor, hospital=not to_hospital)
    if from_unit is None:
        if to_hospital:
            raise DomainError("wrong_sender", _("Bare kommunen kan be spesialisthelsetjenesten om koordinator."))
        raise DomainError("wrong_sender", _("Melding om behov til kommunen sendes fra spesialisthelsetjenesten."))
    if to_hospital and not may(actor, Action.NEED_NOTIFICATION_TO_HOSPITAL, person):
        raise DomainError("wrong_sender", _("Det er koordinerende enhet eller personens koordinator i kommunen som ber om koordinator i spesialisthelsetjenesten."))
    sent_on = _not_future("sent_on", sent_on)
    if not (summary or "").strip():
        raise _invalid("summary", _("Beskriv kort helsetilstand og funksjon, det som er relevant for koordineringen."))
    if not (contact_name or "").strip():
        raise _invalid("contact_name", _("Oppgi en kontaktperson."))

    unit_was_known, outside = True, None
    if to_hospital:
        needs_ip = needs_coordinator = needs_child_coordinator = False
        if to_unit_id:
            to_unit = ServiceUnit.objects.select_related("organization").filter(pk=to_unit_id).first()
            if to_unit is None or to_unit.level != Level.SPECIALIST or to_unit.organization.is_municipality:
                raise _invalid("to_unit", _("Velg en enhet i spesialisthelsetjenesten."))
            to_org = to_unit.organization
        else:
            to_org = Organization.objects.filter(pk=to_organization_id, kind=Organization.Kind.HEALTH_TRUST).first() if to_organization_id else None
            if to_org is None:
                raise _invalid("to_organization", _("Velg enheten, eller helseforetaket når enheten ikke er kjent."))
            to_unit, unit_was_known = coordinating_unit(to_org), False
    else:
        if not (needs_ip or needs_coordinator or needs_child_coordinator):
            raise _invalid("needs_ip", _("Kryss av for hva personen har behov for: individuell plan, koordinator eller barnekoordinator."))
        if needs_child_coordinator and person.age_on(sent_on) >= 18:
            raise _invalid("needs_child_coordinator", _("Barnekoordinator gjelder barn under 18 år."))
        to_org, outside = _home_receiver(person, sent_on)
        to_unit = coordinating_unit(to_org) if to_org is not None else None
    to_label = to_unit if to_unit is not None else _("koordinerende enhet i %(name)s") % {"name": outside}

    consent, relative = None, None
    if consent_id not in (None, "") and outside is not None:
        # A registered consent names units in Helhet; the KE of a municipality outside it is none of them.
        raise _invalid("consent", _("%(name)s bruker ikke Helhet. Registrer samtykket som ble gitt for denne meldingen: hvem som "
                                    "samtykket, i hvilken egenskap, hvordan og når.") % {"name": outside})
    if consent_id not in (None, ""):
        if _records_consent(consent_given_by, consent_given_by_relative_id, consent_given_by_name, consent_method, consent_given_on):
            raise _invalid("consent", _("Velg et registrert samtykke, eller registrer samtykket som ble gitt for denne meldingen – ikke begge."))
        consent = _covering_consent(person, consent_id, sent_on=sent_on, to_org=to_org, to_unit=to_unit)
        consent_given_by = consent_given_by_name = consent_method = ""
        consent_given_on = None
    elif _records_consent(consent_given_by, consent_given_by_relative_id, consent_given_by_name, consent_method, consent_given_on):
        relative, consent_given_by_name = _recorded_consent(person, sent_on=sent_on, given_by=consent_given_by,
                                                            given_by_relative_id=consent_given_by_relative_id, method=consent_method,
                                                            given_on=consent_given_on)
    else:
        raise _invalid("consent", _("Velg samtykket som dekker å sende meldingen til %(to)s, eller registrer samtykket som ble gitt for "
                                    "denne meldingen: hvem som samtykket, i hvilken egenskap, hvordan og når.") % {"to": to_label})

    n = NeedNotification(
        person=person, direction=direction, from_organization=from_unit.organization, from_unit=from_unit, sent_by=actor,
        to_organization=to_org, to_unit=to_unit, to_municipality=outside, unit_was_known=unit_was_known, needs_ip=needs_ip, needs_coordinator=needs_coordinator,
        needs_child_coordinator=needs_child_coordinator, needs_hospital_coordinator=to_hospital, summary=summary.strip(),
        contact_name=contact_name.strip(), contact_phone=contact_phone, consent=consent, consent_given_by=consent_given_by,
        consent_given_by_name=consent_given_by_name, consent_method=consent_method, consent_given_on=consent_given_on, sent_on=sent_on,
    )
    validate(n)
    with transaction.atomic():
        n.save()
        record(actor=actor, action="create", obj=n, person=person, reason=why,
               summary=gettext_noop("Sendte melding om behov til %(to)s"), params={"to": to_label},
               detail={"to_organization": to_org.pk if to_org else None, "to_unit": to_unit.pk if to_unit else None,
                       "to_municipality": outside.number if outside else None, "consent": consent.pk if consent else "recorded",
                       **({"consent_given_by_relative": relative.pk} if relative is not None else {})})
        if outside is not None:
            directory_services.outside_send(n, entry=outside, sender=actor, from_unit=from_unit, kind_label=_("melding om behov"))
        else:
            _notify_unit_by_email(to_unit, _("Ny melding om behov i Helhet"),
                                  _("%(unit)s har fått en ny melding om behov. Logg inn i Helhet for å lese og kvittere.") % {"unit": to_unit.name})
    return n


def _home_receiver(person: Person, day: dt.date):
    """(tenant, None) when the person's home municipality uses Helhet; (None, directory entry) when it does not yet —
    the item is then sent to the entry's KE address (issue 12). A merged home municipality resolves to its successor."""
    if person.home_municipality_id is not None:
        return person.home_municipality, None
    entry = person.home_municipality_entry
    resolution = resolve_municipality(entry.number if entry else "", day, field="home_municipality")
    if resolution.tenant is not None:
        return resolution.tenant, None
    return None, resolution.municipality


def _notification_for_receiver(actor, notification_id, action=Action.NEED_NOTIFICATION_RECEIVE) -> tuple[NeedNotification, str]:
    n, why = load(actor, NeedNotification, notification_id, action, object_action=Action.NEED_NOTIFICATION_ACKNOWLEDGE,
                  queryset=NeedNotification.objects.select_related("person__home_municipality", "to_unit", "to_municipality",
                                                                   "from_organization", "sent_by"))
    if n.is_outside:
        raise Conflict("not_accepted", _("Meldingen ble sendt før kommunen tok i bruk Helhet. Ta den inn i innboksen først."))
    return n, why


def need_notification_acknowledge(*, actor, notification_id, on: dt.date, note: str = "") -> NeedNotification:
    """The receiving KE (or unit leader) confirms it has received the notification. Ends the response deadline."""
    n, why = _notification_for_receiver(actor, notification_id)
    if n.status != NeedNotification.Status.SENT:
        raise Conflict("already_acknowledged", _("Meldingen er allerede kvittert."))
    on = _not_future("on", on)
    if on < n.sent_on:
        raise _invalid("on", _("Meldingen kan ikke kvitteres før den ble sendt."))
    with transaction.atomic():
        updated = NeedNotification.objects.filter(pk=n.pk, status=NeedNotification.Status.SENT).update(
            status=NeedNotification.Status.ACKNOWLEDGED, acknowledged_on=on, acknowledged_by=actor, response_note=note)
        if not updated:
            raise Conflict("stale", _("Meldingen ble kvittert av en annen i mellomtiden."))
        n.status, n.acknowledged_on, n.acknowledged_by, n.response_note = NeedNotification.Status.ACKNOWLEDGED, on, actor, note
        record(actor=actor, action="update", obj=n, person=n.person, reason=why, summary=gettext_noop("Kvitterte for melding om behov"))
    return n


def _mark_handled(n: NeedNotification, actor, on: dt.date, **fields) -> None:
    values = {"status": NeedNotification.Status.HANDLED, "handled_on": on, "handled_by": actor, **fields}
    if n.status == NeedNotification.Status.SENT:
        values.update(acknowledged_on=on, acknowledged_by=actor)
    updated = NeedNotification.objects.filter(pk=n.pk, status=n.status).update(**values)
    if not updated:
        raise Conflict("stale", _("Meldingen ble behandlet av en annen i mellomtiden. Last siden på nytt."))
    for k, v in values.items():
        setattr(n, k, v)


def need_notification_register_request(*, actor, notification_id, on: dt.date | None = None) -> NeedNotification:
    """The municipal KE acts on a notification: registers it as a request (channel «melding om behov»)."""
    n, why = _notification_for_receiver(actor, notification_id)
    if n.direction != NeedNotification.Direction.TO_MUNICIPALITY:
        raise Conflict("wrong_direction", _("Denne meldingen gjelder koordinator i spesialisthelsetjenesten og registreres ikke som henvendelse."))
    if not n.is_open:
        raise Conflict("already_handled", _("Meldingen er allerede fulgt opp."))
    check(actor, Action.REQUEST_CREATE, n.person)
    on = _not_future("on", on or _today())
    with transaction.atomic():
        req = case_services.request_create(
            actor=actor, person=n.person, received_on=n.sent_on, channel=Request.Channel.NEED_NOTIFICATION,
            requester_kind=Request.RequesterKind.PROFESSIONAL,
            requester_name=f"{n.contact_name} ({n.from_unit or n.from_organization})"[:200],
            wants_ip=n.needs_ip, wants_coordinator=n.needs_coordinator, wants_child_coordinator=n.needs_child_coordinator,
            description=n.summary,
        )
        _mark_handled(n, actor, on, request=req)
        record(actor=actor, action="update", obj=n, person=n.person, reason=why, summary=gettext_noop("Registrerte melding om behov som henvendelse"),
               detail={"request": req.pk})
    return n


def need_notification_respond(*, actor, notification_id, on: dt.date, note: str = "") -> NeedNotification:
    """The hospital answers a request for a hospital coordinator: links the appointed one, or says why not (note)."""
    n, why = _notification_for_receiver(actor, notification_id)
    if n.direction != NeedNotification.Direction.TO_HOSPITAL:
        raise Conflict("wrong_direction", _("En melding til kommunen følges opp ved å registrere en henvendelse."))
    if not n.is_open:
        raise Conflict("already_handled", _("Meldingen er allerede fulgt opp."))
    on = _not_future("on", on)
    appointment = CoordinatorAppointment.objects.filter(person=n.person, kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR,
                                                        end__isnull=True).first()
    if appointment is None and not (note or "").strip():
        raise _invalid("note", _("Ingen koordinator i spesialisthelsetjenesten er oppnevnt. Oppnevn en, eller skriv hvorfor ikke."))
    with transaction.atomic():
        _mark_handled(n, actor, on, appointment=appointment, response_note=note)
        record(actor=actor, action="update", obj=n, person=n.person, reason=why, summary=gettext_noop("Svarte på forespørsel om koordinator i spesialisthelsetjenesten"),
               detail={"appointment": appointment.pk if appointment else None})
    return n


# --- Transfers (overføring) -------------------------------------------------------------------------------------

MUNICIPAL_KINDS = (CoordinatorAppointment.Kind.COORDINATOR, CoordinatorAppointment.Kind.CHILD_COORDINATOR)
FROM_KINDS = {
    Transfer.Kind.COORDINATOR_LEAVES: tuple(CoordinatorAppointment.Kind.values),
    Transfer.Kind.MOVE: MUNICIPAL_KINDS,
    Transfer.Kind.HOSPITAL_TO_MUNICIPALITY: (CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR,),
    Transfer.Kind.MUNICIPALITY_TO_HOSPITAL: MUNICIPAL_KINDS,
    Transfer.Kind.CHILD_TURNS_18: (CoordinatorAppointment.Kind.CHILD_COORDINATOR,),
}


def transfer_start(*, actor, person: Person, kind: str, effective_on: dt.date, from_appointment_id=None, to_organization_id=None,
                   note: str = "", to_municipality_number: str | None = None) -> Transfer:
    """Start a transfer with its handover checklist. The receiving KE sees it in its inbox; nobody is ended yet.

    To a municipality outside Helhet (issue 12): a move with `to_municipality_number` (a kommunenummer from the
    directory) or hospital -> municipality for a person whose home municipality is not a tenant. It is recorded,
    the KE's address gets an e-mail with a reference only, and the KE accepts it when the municipality joins."""
    if kind not in Transfer.Kind.values:
        raise _invalid("kind", _("Ugyldig type overføring."))
    why = check(actor, Action.TRANSFER_MANAGE, person)
    if effective_on is None:
        raise _invalid("effective_on", _("Oppgi dato."))
    open_appts = CoordinatorAppointment.objects.filter(person=person, end__isnull=True, kind__in=FROM_KINDS[kind]).select_related("unit__organization")
    if from_appointment_id:
        appointment = open_appts.filter(pk=from_appointment_id).first()
        if appointment is None:
            raise _invalid("from_appointment", _("Velg en aktiv koordinator for personen som passer til overføringen."))
    else:
        found = list(open_appts[:2])
        if len(found) > 1:
            raise _invalid("from_appointment", _("Personen har flere koordinatorer. Velg hvem som overfører."))
        appointment = found[0] if found else None
    if appointment is None and kind != Transfer.Kind.MUNICIPALITY_TO_HOSPITAL:
        raise _invalid("from_appointment", _("Personen har ingen aktiv koordinator av riktig type å overføre fra."))
    from_org = appointment.unit.organization if appointment else person.home_municipality
    outside = None
    if kind == Transfer.Kind.MOVE and to_municipality_number not in (None, "") and not to_organization_id:
        resolution = resolve_municipality(to_municipality_number, effective_on, field="to_organization")
        to_org, outside = resolution.tenant, (None if resolution.tenant else resolution.municipality)
        if to_org is not None and to_org.pk == person.home_municipality_id:
            raise _invalid("to_organization", _("Velg kommunen personen flytter til."))
    elif kind == Transfer.Kind.MOVE:
        to_org = Organization.objects.filter(pk=to_organization_id, kind=Organization.Kind.MUNICIPALITY).first() if to_organization_id else None
        if to_org is None or to_org.pk == person.home_municipality_id:
            raise _invalid("to_organization", _("Velg kommunen personen flytter til."))
    elif kind == Transfer.Kind.MUNICIPALITY_TO_HOSPITAL:
        to_org = Organization.objects.filter(pk=to_organization_id, kind=Organization.Kind.HEALTH_TRUST).first() if to_organization_id else None
        if to_org is None:
            raise _invalid("to_organization", _("Velg helseforetaket."))
    elif kind == Transfer.Kind.HOSPITAL_TO_MUNICIPALITY:
        to_org, outside = _home_receiver(person, effective_on)
    else:
        to_org = from_org
    if kind == Transfer.Kind.CHILD_TURNS_18 and person.age_on(effective_on) < 17:
        raise _invalid("effective_on", _("Overføring ved 18 år kan tidligst planlegges året før."))
    transfer = Transfer(person=person, kind=kind, from_appointment=appointment, from_organization=from_org, to_organization=to_org,
                        to_municipality=outside, effective_on=effective_on, note=note, created_by=actor, old_coordinator_continues=appointment is not None)
    validate(transfer, constraints=False)
    try:
        with transaction.atomic():
            transfer.save()
            TransferChecklistItem.objects.bulk_create(
                [TransferChecklistItem(transfer=transfer, key=key, position=i) for i, (key, _label) in enumerate(TransferChecklistItem.KEYS)])
            record(actor=actor, action="create", obj=transfer, person=person, reason=why,
                   summary=gettext_noop("Startet overføring: %(kind)s"), params={"kind": label(transfer, "kind")},
                   detail={"to_organization": to_org.pk if to_org else None, "to_municipality": outside.number if outside else None,
                           "from_appointment": appointment.pk if appointment else None})
            if outside is not None:
                directory_services.outside_send(transfer, entry=outside, sender=actor,
                                                from_unit=appointment.unit if appointment else None, kind_label=_("overføring"))
            else:
                ke = coordinating_unit(to_org)
                # The e-mail names the sending organisation (from where), never the person (docs/decisions/0009).
                _notify_unit_by_email(ke, _("Ny overføring i Helhet fra %(from)s") % {"from": from_org.name},
                                      _("%(unit)s har fått en ny overføring fra %(from)s. Logg inn i Helhet for å se den.")
                                      % {"unit": ke.name, "from": from_org.name})
                _notify_receiving_ke(transfer, _("Ny overføring fra %(from)s: %(kind)s") % {"from": from_org.name, "kind": transfer.get_kind_display()})
    except IntegrityError:
        raise Conflict("transfer_open", _("Det pågår allerede en overføring for denne personen.")) from None
    return transfer


def _transfer_for(actor, transfer_id) -> tuple[Transfer, str]:
    return load(actor, Transfer, transfer_id, Action.TRANSFER_MANAGE,
                queryset=Transfer.objects.select_related("person__home_municipality", "from_appointment", "to_organization"))


def transfer_item_set(*, actor, transfer_id, key: str, done: bool, not_applicable: bool = False, note: str = "",
                      on: dt.date | None = None) -> TransferChecklistItem:
    """Tick (or untick) one checklist item, or mark it not applicable."""
    t, why = _transfer_for(actor, transfer_id)
    if not t.is_open:
        raise Conflict("transfer_closed", _("Overføringen er avsluttet."))
    item = t.items.filter(key=key).first()
    if item is None:
        raise _invalid("key", _("Ukjent punkt i sjekklisten."))
    on = _not_future("on", on or _today())
    item.done_on, item.done_by = (on, actor) if done and not not_applicable else (None, None)
    item.not_applicable, item.note = bool(not_applicable), note
    with transaction.atomic():
        item.save()
        record(actor=actor, action="update", obj=t, person=t.person, reason=why,
               summary=gettext_noop("Sjekkliste for overføring: %(item)s – %(state)s"), params={
                   "item": item.label, "state": _("ikke aktuelt") if item.not_applicable else (_("utført") if item.done_on else _("ikke utført"))})
    return item


def transfer_complete(*, actor, transfer_id, coordinator_id, unit_id, on: dt.date, reason: str = "", person_wish: str = "") -> Transfer:
    """Appoint the new coordinator and finish the transfer in one transaction, with no gap.

    - coordinator leaves / move: cases.services.coordinator_handover (the old period ends the day the new begins).
      For a move, the new home municipality's KE appoints; until then the old coordinator continues, and the
      person's home municipality changes now.
    - child turns 18: an ordinary coordinator starts `on`; the child coordinator ends the same day.
    - hospital -> municipality: a municipal coordinator (unless one is active); the hospital coordinator ends `on`.
    - municipality -> hospital: a hospital coordinator; the municipal coordinator continues (the municipality leads).
    """
    t, why = _transfer_for(actor, transfer_id)
    if not t.is_open:
        raise Conflict("transfer_closed", _("Overføringen er allerede avsluttet."))
    if t.is_outside:
        raise Conflict("not_accepted", _("Kommunen bruker ikke Helhet ennå. Overføringen fullføres når kommunens koordinerende enhet har tatt "
                                         "den inn i Helhet; til da fortsetter nåværende koordinator."))
    if t.items.filter(done_on__isnull=True, not_applicable=False).exists():
        raise Conflict("checklist_incomplete", _("Alle punktene i sjekklisten må være utført eller merket «ikke aktuelt» før overføringen fullføres."))
    if on is None:
        raise _invalid("on", _("Oppgi dato."))
    unit = ServiceUnit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        raise _invalid("unit", _("Velg en gyldig enhet."))
    if unit.organization_id != t.to_organization_id:
        raise _invalid("unit", _("Ny koordinator må komme fra %(org)s.") % {"org": t.to_organization})
    reason = (reason or "").strip() or t.get_kind_display()
    old = t.from_appointment
    if old is not None:
        old.refresh_from_db()
    K, AK = Transfer.Kind, CoordinatorAppointment.Kind
    hospital_new = t.kind == K.MUNICIPALITY_TO_HOSPITAL
    check(actor, Action.HOSPITAL_COORDINATOR_APPOINT if hospital_new else Action.COORDINATOR_APPOINT, t.person)
    if t.kind == K.HOSPITAL_TO_MUNICIPALITY and old is not None and old.end is None:
        check(actor, Action.HOSPITAL_COORDINATOR_APPOINT, t.person)
    with transaction.atomic():
        if t.kind in (K.COORDINATOR_LEAVES, K.MOVE) and old is not None and old.end is None:
            new = case_services.coordinator_handover(actor=actor, appointment_id=old.pk, coordinator_id=coordinator_id, unit_id=unit.pk,
                                                     on=on, reason=reason, person_wish=person_wish)
        elif t.kind == K.HOSPITAL_TO_MUNICIPALITY and CoordinatorAppointment.objects.filter(
                person=t.person, kind=AK.COORDINATOR, end__isnull=True).exists():
            new = CoordinatorAppointment.objects.get(person=t.person, kind=AK.COORDINATOR, end__isnull=True)
        else:
            if t.kind in (K.COORDINATOR_LEAVES, K.MOVE):
                kind = old.kind if old is not None else AK.COORDINATOR
            elif hospital_new:
                kind = AK.HOSPITAL_COORDINATOR
            else:
                kind = AK.COORDINATOR
            new = case_services.coordinator_appoint(actor=actor, person=t.person, kind=kind, coordinator_id=coordinator_id, unit_id=unit.pk,
                                                    start=on, person_wish=person_wish)
        if t.kind in (K.CHILD_TURNS_18, K.HOSPITAL_TO_MUNICIPALITY) and old is not None and old.end is None:
            if on <= old.start:
                raise _invalid("on", _("Datoen må være etter at nåværende koordinator ble oppnevnt."))
            case_services.coordinator_end(actor=actor, appointment_id=old.pk, on=on, reason=reason)
        if t.kind == K.MOVE:
            Person.objects.filter(pk=t.person_id).update(home_municipality=t.to_organization)
            # The old municipality's KE rights end with the move (helhet/access/facts.py); main responsibility for the
            # plan is proposed to the new municipality's service and waits for its KE (transfer_main_responsibility_confirm).
            t.main_proposed_unit = _proposed_main_unit(t, unit)
            if t.main_proposed_unit is not None:
                Transfer.objects.filter(pk=t.pk).update(main_proposed_unit=t.main_proposed_unit)
        updated = Transfer.objects.filter(pk=t.pk, status=Transfer.Status.OPEN).update(
            status=Transfer.Status.COMPLETED, to_appointment=new, completed_on=on, completed_by=actor, old_coordinator_continues=False)
        if not updated:
            raise Conflict("stale", _("Overføringen ble fullført av en annen i mellomtiden."))
        t.status, t.to_appointment, t.completed_on, t.completed_by = Transfer.Status.COMPLETED, new, on, actor
        record(actor=actor, action="update", obj=t, person=t.person, reason=why,
               summary=gettext_noop("Fullførte overføring: %(kind)s"), params={"kind": label(t, "kind")},
               detail={"new_appointment": new.pk, "main_proposed_unit": t.main_proposed_unit_id})
        if t.main_proposed_unit_id:
            _notify_receiving_ke(t, _("Bekreft hovedansvar etter flytting fra %(from)s") % {"from": t.from_organization.name})
    return t


def _notify_receiving_ke(t: Transfer, title: str) -> None:
    """An in-app notification ("Varsler") to each KE officer of the receiving tenant, after commit. The title names the
    sending organisation and the kind of transfer, not the person (the page behind the link is access-checked)."""
    from django.urls import reverse

    from helhet.notifications import services as notification_services
    from helhet.organizations.models import User

    url = reverse("transfer_detail", args=[t.pk])
    to_org_id = t.to_organization_id

    def send():
        officers = User.objects.filter(is_active=True, memberships__active=True, memberships__role="ke_officer",
                                       memberships__unit__organization_id=to_org_id).distinct()
        for user in officers:
            notification_services.notify(user=user, title=title, url=url)

    transaction.on_commit(send)


def _open_plan(person_id):
    from helhet.plans.models import IndividualPlan

    return (IndividualPlan.objects.filter(person_id=person_id).exclude(status=IndividualPlan.Status.CLOSED)
            .select_related("main_unit").first())


def _proposed_main_unit(t: Transfer, coordinator_unit: ServiceUnit) -> ServiceUnit | None:
    """For a completed move: the new municipality's service proposed to take main responsibility for the person's open plan
    (None when there is no open plan or it is led there already). The new coordinator's unit when it is a service that
    can hold main responsibility; else the new municipality's unit in the plan's current sector; else its health and
    care service. The new KE confirms or picks another (transfer_main_responsibility_confirm)."""
    from helhet.plans.models import MAIN_SECTORS

    plan = _open_plan(t.person_id)
    if plan is None or plan.main_unit.organization_id == t.to_organization_id:
        return None
    if coordinator_unit.sector in MAIN_SECTORS and coordinator_unit.organization_id == t.to_organization_id:
        return coordinator_unit
    units = ServiceUnit.objects.filter(organization_id=t.to_organization_id, is_coordinating_unit=False).order_by("id")
    return (units.filter(sector=plan.main_sector).first() or units.filter(sector=Sector.HEALTH_CARE).first()
            or units.filter(sector__in=list(MAIN_SECTORS)).first())


def transfer_main_responsibility_confirm(*, actor, transfer_id, unit_id=None, reason: str = "", on: dt.date | None = None) -> Transfer:
    """The new municipality's KE confirms main responsibility after a move (optionally for another of its services):
    the plan changes through helhet.plans.services.main_responsibility_set (agreement between the services; audited
    there), and the transfer records who confirmed it when (audited here)."""
    from helhet.plans import services as plan_services
    from helhet.plans.models import MAIN_SECTORS, IndividualPlan

    t, why = load(actor, Transfer, transfer_id, Action.TRANSFER_MANAGE, object_action=Action.TRANSFER_RECEIVE,
                  queryset=Transfer.objects.select_related("person", "from_organization", "to_organization", "main_proposed_unit"))
    if t.kind != Transfer.Kind.MOVE or t.status != Transfer.Status.COMPLETED or t.main_proposed_unit_id is None:
        raise Conflict("no_proposal", _("Overføringen har ikke noe forslag om hovedansvar å bekrefte."))
    if t.main_confirmed_on is not None:
        raise Conflict("already_confirmed", _("Hovedansvaret er allerede bekreftet."))
    unit = t.main_proposed_unit
    if unit_id not in (None, "") and str(unit_id) != str(unit.pk):
        unit = ServiceUnit.objects.filter(pk=unit_id).first() if str(unit_id).isdigit() else None
        if unit is None or unit.organization_id != t.to_organization_id or unit.sector not in MAIN_SECTORS:
            raise _invalid("unit", _("Velg en tjeneste i %(org)s som kan ha hovedansvar.") % {"org": t.to_organization.name})
    plan = _open_plan(t.person_id)
    if plan is None:
        raise Conflict("no_plan", _("Personen har ingen åpen individuell plan."))
    on = _not_future("on", on or _today())
    reason = (reason or "").strip() or _("Personen har flyttet fra %(from)s.") % {"from": t.from_organization.name}
    with transaction.atomic():
        updated = Transfer.objects.filter(pk=t.pk, main_confirmed_on__isnull=True).update(main_confirmed_on=on, main_confirmed_by=actor,
                                                                                          main_proposed_unit=unit)
        if not updated:
            raise Conflict("already_confirmed", _("Hovedansvaret er allerede bekreftet."))
        plan_services.main_responsibility_set(actor=actor, plan_id=plan.pk, based_on_version=plan.version, sector=unit.sector, unit_id=unit.pk,
                                              basis=IndividualPlan.Basis.AGREEMENT, reason=reason, on=on)
        t.main_confirmed_on, t.main_confirmed_by, t.main_proposed_unit = on, actor, unit
        record(actor=actor, action="update", obj=t, person=t.person, reason=why, summary=gettext_noop("Bekreftet hovedansvar etter flytting: %(unit)s"),
               params={"unit": unit.name}, detail={"plan": plan.pk, "unit": unit.pk})
    return t


def transfer_cancel(*, actor, transfer_id, reason: str) -> Transfer:
    t, why = _transfer_for(actor, transfer_id)
    if not t.is_open:
        raise Conflict("transfer_closed", _("Overføringen er allerede avsluttet."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Oppgi hvorfor overføringen avbrytes."))
    with transaction.atomic():
        Transfer.objects.filter(pk=t.pk, status=Transfer.Status.OPEN).update(status=Transfer.Status.CANCELLED, note=(t.note + "\n" + reason).strip())
        t.status = Transfer.Status.CANCELLED
        record(actor=actor, action="update", obj=t, person=t.person, reason=why, summary=gettext_noop("Avbrøt overføring"))
    return t


# --- Informing the GP and partners ------------------------------------------------------------------------------


def active_objection(person: Person, day: dt.date | None = None) -> PartnerInformationObjection | None:
    day = day or _today()
    return (PartnerInformationObjection.objects.filter(person=person, objected_on__lte=day)
            .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)).first())


def partner_objection_record(*, actor, person: Person, objected_on: dt.date, given_by_name: str, how: str, note: str = "") -> PartnerInformationObjection:
    """The person objects to the GP and partners being informed. Every later partners_inform() respects it."""
    why = check(actor, Action.PARTNERS_INFORM, person)
    objected_on = _not_future("objected_on", objected_on)
    if not (given_by_name or "").strip():
        raise _invalid("given_by_name", _("Oppgi hvem som reserverte seg."))
    if PartnerInformationObjection.objects.filter(person=person, withdrawn_on__isnull=True).exists():
        raise Conflict("objection_exists", _("Personens reservasjon er allerede registrert."))
    objection = PartnerInformationObjection(person=person, objected_on=objected_on, given_by_name=given_by_name.strip(), how=how, note=note,
                                            recorded_by=actor)
    validate(objection, constraints=False)
    try:
        with transaction.atomic():
            objection.save()
            record(actor=actor, action="create", obj=objection, person=person, reason=why,
                   summary=gettext_noop("Registrerte reservasjon mot informasjon til fastlege og samarbeidspartnere"))
    except IntegrityError:
        raise Conflict("objection_exists", _("Personens reservasjon er allerede registrert.")) from None
    return objection


def partner_objection_withdraw(*, actor, objection_id, on: dt.date) -> PartnerInformationObjection:
    objection = PartnerInformationObjection.objects.select_related("person").filter(pk=objection_id).first()
    if objection is None:
        raise NotFound()
    why = check(actor, Action.PARTNERS_INFORM, objection.person)
    if objection.withdrawn_on:
        raise Conflict("already_withdrawn", _("Reservasjonen er allerede trukket tilbake."))
    on = _not_future("on", on)
    if on < objection.objected_on:
        raise _invalid("on", _("Datoen kan ikke være før reservasjonen ble registrert."))
    with transaction.atomic():
        PartnerInformationObjection.objects.filter(pk=objection.pk).update(withdrawn_on=on)
        objection.withdrawn_on = on
        record(actor=actor, action="update", obj=objection, person=objection.person, reason=why,
               summary=gettext_noop("Reservasjon mot informasjon til samarbeidspartnere trukket tilbake"))
    return objection


def partner_recipients(person: Person, day: dt.date | None = None) -> list[ServiceUnit]:
    """The GP and other services involved with the person today (not coordinating units), GP first."""
    day = day or _today()
    unit_ids = (Involvement.objects.filter(Q(end__isnull=True) | Q(end__gte=day), person=person, start__lte=day)
                .values_list("unit_id", flat=True))
    units = ServiceUnit.objects.filter(pk__in=list(unit_ids), is_coordinating_unit=False).select_related("organization")
    return sorted(units, key=lambda u: (u.sector != Sector.GP, u.organization.name, u.name))


def _partner_body(person: Person, event: str, recipient: str, day: dt.date) -> str:
    label = dict(PartnerInformation.Event.choices)[event]
    lines = [
        _("Til %(unit)s") % {"unit": recipient}, "",
        _("Gjelder: %(name)s, født %(birth)s") % {"name": person.full_name, "birth": person.birth_date.strftime("%d.%m.%Y")},
        _("Hendelse: %(event)s (%(day)s)") % {"event": label, "day": day.strftime("%d.%m.%Y")},
    ]
    for a in CoordinatorAppointment.objects.filter(person=person, end__isnull=True).select_related("coordinator", "unit"):
        lines.append(_("%(kind)s: %(name)s, %(unit)s%(phone)s") % {
            "kind": a.get_kind_display(), "name": a.coordinator.get_full_name() or a.coordinator.username, "unit": a.unit.name,
            "phone": f", tlf. {a.coordinator.phone}" if a.coordinator.phone else ""})
    lines += ["", _("Informasjonen sendes fordi fastlegen og samarbeidspartnere skal informeres når koordinator oppnevnes, "
                    "når arbeidet med individuell plan starter og når ordningen avsluttes, med mindre personen har reservert seg.")]
    return "\n".join(str(x) for x in lines)


def _outside_partner(number, day: dt.date):
    """The directory entry of a municipality outside Helhet chosen as a recipient (a merged number resolves to its
    successor); a municipality that uses Helhet is informed through its services in Helhet instead."""
    resolution = resolve_municipality(number, day, field="municipality")
    if resolution.tenant is not None or resolution.municipality is None:
        raise _invalid("municipality", _("%(name)s bruker Helhet. Velg kommunens tjenester blant mottakerne som er involvert.") % {
            "name": resolution.tenant or number})
    return resolution.municipality


def partners_inform(*, actor, person: Person, event: str, unit_ids=None, method: str = "auto",
                    outside_municipality_number: str | None = None) -> list[PartnerInformation]:
    """Inform the GP and partners of an event, unless the person objected (then refuse, say why, and send nothing).

    method: "email" (units without an e-mail address get a letter), "letter", or "auto" (= e-mail where possible).
    Each information sent is recorded: to whom, which event, when, how. A letter is produced as a PDF/A Document.
    outside_municipality_number (issue 12): also inform the coordinating unit of a municipality outside Helhet, from the
    directory. It is recorded as sent with a reference, and goes through the outside pipeline
    (directory.services.outside_send): the letter with the content in the document area, and unless `method` is
    "letter" a reference-only e-mail to the KE's address when one is known. unit_ids=[] then means no unit in Helhet.
    """
    if event not in PartnerInformation.Event.values:
        raise _invalid("event", _("Ugyldig hendelse."))
    if method not in ("auto", "email", "letter"):
        raise _invalid("method", _("Ugyldig måte å sende på."))
    why = check(actor, Action.PARTNERS_INFORM, person)
    today = _today()
    objection = active_objection(person, today)
    if objection is not None:
        record(actor=actor, action="view", obj=objection, person=person, reason=why,
               summary=gettext_noop("Informasjon til samarbeidspartnere ikke sendt: personen har reservert seg"))
        raise Conflict("objected", _("Ingen informasjon er sendt: %(name)s har reservert seg mot at fastlegen og samarbeidspartnere informeres "
                                     "(registrert %(day)s).") % {"name": person.full_name, "day": objection.objected_on.strftime("%d.%m.%Y")})
    if event == PartnerInformation.Event.COORDINATOR_APPOINTED and not CoordinatorAppointment.objects.filter(person=person, end__isnull=True).exists():
        raise Conflict("no_coordinator", _("Personen har ingen aktiv koordinator."))
    if event == PartnerInformation.Event.PLAN_STARTED and not person.plans.exclude(status="closed").exists():
        raise Conflict("no_plan", _("Personen har ingen individuell plan under arbeid."))
    outside = _outside_partner(outside_municipality_number, today) if outside_municipality_number not in (None, "") else None
    recipients = partner_recipients(person, today)
    if unit_ids is not None:
        wanted = {int(u) for u in unit_ids}
        if not wanted <= {u.pk for u in recipients} or not (wanted or outside):
            raise _invalid("unit_ids", _("Velg mottakere blant tjenestene som er involvert, eller en kommune utenfor Helhet."))
        recipients = [u for u in recipients if u.pk in wanted]
    if not recipients and outside is None:
        raise Conflict("no_recipients", _("Ingen fastlege eller samarbeidspartnere er registrert som involvert."))
    now = timezone.now()
    sent: list[PartnerInformation] = []
    with transaction.atomic():
        for unit in recipients:
            how = PartnerInformation.Method.EMAIL if method != "letter" and unit.email else PartnerInformation.Method.LETTER
            body = _partner_body(person, event, unit.name, today)
            info = PartnerInformation.objects.create(
                person=person, event=event, recipient_unit=unit, is_gp=unit.sector == Sector.GP, method=how,
                address=unit.email if how == PartnerInformation.Method.EMAIL else "", body=body, sent_at=now, sent_by=actor)
            sent.append(info)
            if how == PartnerInformation.Method.LETTER:
                # "Letter" produces the letter (PDF/A in the person's document area) to print or send; the person's
                # coordination page links it (helhet.documents.services.partner_information_letter).
                info.letter = document_services.partner_information_letter(info, actor=actor, why=why)
            if how == PartnerInformation.Method.EMAIL:
                subject = str(dict(PartnerInformation.Event.choices)[event])
                # Sent after commit; a failure is recorded and retried by the worker (helhet.core.outbox).
                outbox.enqueue(to=unit.email, subject=subject, body=body, purpose="coordination.partner_information")
        if outside is not None:
            info = PartnerInformation(person=person, event=event, to_municipality=outside, method=PartnerInformation.Method.LETTER,
                                      sent_at=now, sent_by=actor)
            info.body = _partner_body(person, event, info.recipient_label, today)
            info.save()
            emailed = directory_services.outside_send(info, entry=outside, sender=actor, from_unit=acting_unit(actor), why=why,
                                                      kind_label=_("informasjonsmelding"), email=method != "letter")
            if emailed:
                info.method = PartnerInformation.Method.EMAIL
                PartnerInformation.objects.filter(pk=info.pk).update(method=info.method)
            sent.append(info)
        record(actor=actor, action="create", object_type="partnerinformation", object_id=sent[0].pk, person=person, reason=why,
               summary=gettext_noop("Informerte fastlege/samarbeidspartnere: %(event)s"), params={"event": label(sent[0], "event")},
               detail={"recipients": [{"unit": i.recipient_unit_id, "method": i.method} if i.recipient_unit_id else
                                      {"to_municipality": i.to_municipality.number, "reference": i.outside_reference, "method": i.method}
                                      for i in sent]})
    return sent


# --- Disagreements (uenighet) -----------------------------------------------------------------------------------


def disagreement_raise(*, actor, person: Person, kind: str, description: str, raised_on: dt.date, health_trust_id=None,
                       parties: str = "") -> Disagreement:
    """Record a disagreement. Between hospital and municipality both KEs see it in their inboxes and assess together."""
    if kind not in Disagreement.Kind.values:
        raise _invalid("kind", _("Ugyldig type uenighet."))
    why = check(actor, Action.DISAGREEMENT_MANAGE, person)
    raised_on = _not_future("raised_on", raised_on)
    if not (description or "").strip():
        raise _invalid("description", _("Beskriv hva uenigheten gjelder."))
    trust = None
    if kind == Disagreement.Kind.NEEDS_OR_RIGHTS:
        trust = Organization.objects.filter(pk=health_trust_id, kind=Organization.Kind.HEALTH_TRUST).first() if health_trust_id else None
        if trust is None:
            raise _invalid("health_trust", _("Velg helseforetaket kommunen er uenig med."))
    elif not (parties or "").strip():
        raise _invalid("parties", _("Oppgi hvilke tjenester som er uenige om hovedansvaret."))
    if person.home_municipality_id is None:  # the municipality does not use Helhet: no KE here to take part (issue 12)
        raise Conflict("outside_helhet", _("Personens hjemkommune bruker ikke Helhet. Ta kontakt med kommunens koordinerende enhet "
                                           "(se kommuneregisteret)."))
    d = Disagreement(person=person, kind=kind, municipality=person.home_municipality, health_trust=trust, parties=parties.strip(),
                     description=description.strip(), raised_on=raised_on, raised_by=actor)
    if trust is not None:
        check_object(actor, Action.DISAGREEMENT_VIEW, d, person=person)  # a party to it: the home municipality's or the trust's KE
    validate(d)
    with transaction.atomic():
        d.save()
        record(actor=actor, action="create", obj=d, person=person, reason=why, summary=gettext_noop("Registrerte uenighet: %(kind)s"), params={"kind": label(d, "kind")})
        for org in filter(None, [d.municipality, trust]):
            ke = coordinating_unit(org)
            _notify_unit_by_email(ke, _("Ny uenighet i Helhet"), _("%(unit)s er part i en registrert uenighet. Logg inn i Helhet for å se den.") % {"unit": ke.name})
    return d


def disagreement_resolve(*, actor, disagreement_id, resolved_on: dt.date, outcome: str, decided_sector: str = "",
                         decided_unit_id=None) -> Disagreement:
    """Record the outcome. About main responsibility the municipality decides, with reasons; an open plan gets the decision."""
    d, why = load(actor, Disagreement, disagreement_id, Action.DISAGREEMENT_MANAGE, object_action=Action.DISAGREEMENT_VIEW,
                  queryset=Disagreement.objects.select_related("person__home_municipality"))
    if d.status != Disagreement.Status.OPEN:
        raise Conflict("already_resolved", _("Uenigheten er allerede avgjort."))
    resolved_on = _not_future("resolved_on", resolved_on)
    if resolved_on < d.raised_on:
        raise _invalid("resolved_on", _("Avgjørelsen kan ikke være før uenigheten ble meldt."))
    if not (outcome or "").strip():
        raise _invalid("outcome", _("Skriv utfallet og begrunnelsen."))
    plan = None
    unit = None
    if d.kind == Disagreement.Kind.MAIN_RESPONSIBILITY:
        if not may_object(actor, Action.DISAGREEMENT_DECIDE, d):
            raise DomainError("municipality_decides", _("Ved uenighet om hovedansvar er det kommunen som avgjør."))
        from helhet.plans.models import MAIN_SECTORS, IndividualPlan

        if decided_sector not in [s.value for s in MAIN_SECTORS]:
            raise _invalid("decided_sector", _("Velg tjenesten som får hovedansvaret."))
        unit = ServiceUnit.objects.filter(pk=decided_unit_id).first() if decided_unit_id else None
        if unit is None:
            raise _invalid("decided_unit", _("Velg enheten som får hovedansvaret."))
        plan = (IndividualPlan.objects.filter(person=d.person).exclude(status=IndividualPlan.Status.CLOSED)
                .select_related("person__home_municipality", "main_unit__organization").first())
        if plan is not None:
            check_plan(actor, Action.PLAN_MAIN_RESPONSIBILITY, plan)
    else:
        decided_sector, unit = "", None
    with transaction.atomic():
        if plan is not None:
            from helhet.plans.models import IndividualPlan
            from helhet.plans.services import main_responsibility_set

            main_responsibility_set(actor=actor, plan_id=plan.pk, based_on_version=plan.version, sector=decided_sector, unit_id=unit.pk,
                                    basis=IndividualPlan.Basis.MUNICIPALITY_DECISION, reason=outcome.strip(), on=resolved_on)
        updated = Disagreement.objects.filter(pk=d.pk, status=Disagreement.Status.OPEN).update(
            status=Disagreement.Status.RESOLVED, outcome=outcome.strip(), resolved_on=resolved_on, resolved_by=actor,
            decided_sector=decided_sector, decided_unit=unit, applied_to_plan=plan)
        if not updated:
            raise Conflict("stale", _("Uenigheten ble avgjort av en annen i mellomtiden."))
        d.refresh_from_db()
        record(actor=actor, action="update", obj=d, person=d.person, reason=why, summary=gettext_noop("Registrerte utfall av uenighet"),
               detail={"plan": plan.pk if plan else None})
    return d
