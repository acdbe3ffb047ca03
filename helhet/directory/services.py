"""Writes around the directory: the KE's own entry, items sent to municipalities outside Helhet (the e-mail, the
sender's record of the answer, and acceptance when the municipality joins), and the KE's training register.

Access is decided by helhet.access (check_object / load before the transaction, so a refusal's audit event is kept).
"""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action, Rel
from helhet.access.queries import load, objects_q
from helhet.audit.services import record
from helhet.core.errors import Conflict, DomainError, validate
from helhet.organizations.models import Organization
from helhet.organizations.services import coordinating_unit

from .models import CoordinatingUnitContact, CoordinatorTraining, Municipality
from .selectors import contact_for, deliverable_email

CONTACT_FIELDS = ("name", "postal_address", "email", "phone", "org_number")


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("invalid", message, details={"fields": {field: [message]}})


def _not_future(field: str, day: dt.date | None) -> dt.date:
    if day is None:
        raise _invalid(field, _("Oppgi en dato."))
    if day > timezone.localdate():
        raise _invalid(field, _("Datoen kan ikke være fram i tid."))
    return day


# --- The KE's own entry -------------------------------------------------------------------------------------------


def contact_update(*, actor, municipality_id, **fields) -> CoordinatingUnitContact:
    """The KE of the tenant with this kommunenummer corrects its municipality's KE entry. Saving marks it verified
    (no longer an example), so `load_directory` keeps it. (Administrators edit any entry in Django admin.)"""
    municipality, why = load(actor, Municipality, municipality_id, None, person_of=None, object_action=Action.DIRECTORY_EDIT)
    contact = contact_for(municipality) or CoordinatingUnitContact(municipality=municipality)
    changed = []
    for name in CONTACT_FIELDS:
        value = (fields.get(name) or "").strip()
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            changed.append(name)
    if not contact.name:
        raise _invalid("name", _("Oppgi navnet på den koordinerende enheten."))
    contact.is_example, contact.updated_by = False, actor
    validate(contact)
    with transaction.atomic():
        contact.save()
        record(actor=actor, action="update", obj=contact, reason=why, summary=gettext_noop("Endret kommunens oppføring i kommuneregisteret"),
               detail={"municipality": municipality.number, "fields": changed})
    return contact


# --- Items sent to a municipality outside Helhet -------------------------------------------------------------------


def outside_reference(prefix: str, pk: int) -> str:
    """The reference the e-mail carries instead of any personal data: MB-000123 (need notification), OV-000123
    (transfer), IS-000123 (information to partners)."""
    return f"{prefix}-{pk:06d}"


PREFIXES = {"neednotification": "MB", "transfer": "OV", "partnerinformation": "IS"}


def outside_send(item, *, entry: Municipality, sender, from_unit, kind_label: str, why: str = Rel.SENDER.value,
                 email: bool = True) -> bool:
    """Set the item's reference and the KE address, and e-mail that address after commit. The e-mail names no person:
    only the reference, what kind of item it is, and the sender's contact details. Call inside the item's transaction
    after it is saved. An example address (.example) or none is recorded as such; nothing is sent to it
    (selectors.deliverable_email). `email=False`: the letter only (the sender chose to send it by post).
    Returns whether an e-mail goes out.

    Used for a need notification, a transfer and an information to partners (coordination.PartnerInformation), which
    share the outside fields. Besides the e-mail, the letter with the content (PDF/A, in the person's document area) is
    made for the sender to print or send by a secure channel (helhet.documents.services.outside_letter). The caller has
    checked that the sender may send the item (`why`), which is the access decision for the letter too."""
    from helhet.documents import services as documents

    contact = contact_for(entry)
    model = item._meta.model_name
    item.outside_reference = outside_reference(PREFIXES[model], item.pk)
    item.outside_email = contact.email if contact and contact.email else ""
    type(item).objects.filter(pk=item.pk).update(outside_reference=item.outside_reference, outside_email=item.outside_email)
    item.to_municipality = entry
    documents.outside_letter(item, actor=sender, why=why)
    to = deliverable_email(contact)
    if not (email and to):
        return False
    name = sender.get_full_name() or sender.username
    lines = [
        _("Til %(ke)s") % {"ke": contact.name}, "",
        _("%(unit)s har sendt en %(kind)s til koordinerende enhet i %(municipality)s kommune.") % {
            "unit": from_unit.name if from_unit else "", "kind": kind_label, "municipality": entry.name},
        _("Referanse: %(ref)s") % {"ref": item.outside_reference}, "",
        _("Av personvernhensyn står ingen personopplysninger i denne e-posten. Ta kontakt med avsenderen for innholdet, "
          "over sikker kanal eller telefon, og oppgi referansen:"),
        _("Avsender: %(name)s, %(unit)s") % {"name": name, "unit": from_unit.name if from_unit else ""},
        _("Telefon: %(phone)s") % {"phone": getattr(sender, "phone", "") or "–"},
        _("E-post: %(email)s") % {"email": sender.email or "–"},
    ]
    if model != "partnerinformation":  # information to partners is not taken into an inbox when the municipality joins
        lines += ["", _("Tar kommunen i bruk Helhet, finner koordinerende enhet meldingen under «Meldinger sendt før kommunen tok i bruk Helhet».")]
    subject = _("%(kind)s – referanse %(ref)s") % {"kind": kind_label.capitalize(), "ref": item.outside_reference}
    body = "\n".join(str(x) for x in lines)
    transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=True))
    return True


def outside_answer_record(*, actor, notification_id, on: dt.date, note: str) -> object:
    """The sender records the answer that came back (by e-mail, letter or phone) from a municipality outside Helhet.
    Ends the answer deadline (coordination.deadlines) as an acknowledgement does for a tenant."""
    from helhet.coordination.models import NeedNotification

    n, why = load(actor, NeedNotification, notification_id, None, person_of=None, object_action=Action.OUTSIDE_ANSWER,
                  queryset=NeedNotification.objects.select_related("person", "to_municipality"))
    if not n.is_outside:
        raise Conflict("not_outside", _("Mottakeren bruker Helhet og kvitterer selv."))
    if n.status != NeedNotification.Status.SENT:
        raise Conflict("already_answered", _("Svaret er allerede registrert."))
    on = _not_future("on", on)
    if on < n.sent_on:
        raise _invalid("on", _("Svaret kan ikke være kommet før meldingen ble sendt."))
    if not (note or "").strip():
        raise _invalid("note", _("Skriv kort hva kommunen svarte, og hvem som svarte."))
    with transaction.atomic():
        updated = NeedNotification.objects.filter(pk=n.pk, status=NeedNotification.Status.SENT).update(
            status=NeedNotification.Status.ACKNOWLEDGED, acknowledged_on=on, acknowledged_by=actor, response_note=note.strip())
        if not updated:
            raise Conflict("stale", _("Svaret ble registrert av en annen i mellomtiden."))
        n.status, n.acknowledged_on, n.acknowledged_by, n.response_note = NeedNotification.Status.ACKNOWLEDGED, on, actor, note.strip()
        record(actor=actor, action="update", obj=n, person=n.person, reason=why,
               summary=gettext_noop("Registrerte svar fra kommune utenfor Helhet på melding om behov"), params={})
    return n


def outside_transfer_answer_record(*, actor, transfer_id, on: dt.date, note: str) -> object:
    """The sender records the answer from a municipality outside Helhet to a transfer addressed to it (as
    outside_answer_record does for a need notification). Kept in OutsideTransferAnswer; once per transfer."""
    from django.db import IntegrityError

    from helhet.coordination.models import Transfer

    from .models import OutsideTransferAnswer

    t, why = load(actor, Transfer, transfer_id, None, person_of=None, object_action=Action.OUTSIDE_ANSWER,
                  queryset=Transfer.objects.select_related("person", "to_municipality"))
    if not t.is_outside:
        raise Conflict("not_outside", _("Mottakeren bruker Helhet og svarer selv."))
    if OutsideTransferAnswer.objects.filter(transfer=t).exists():
        raise Conflict("already_answered", _("Svaret er allerede registrert."))
    on = _not_future("on", on)
    if on < timezone.localdate(t.created_at):
        raise _invalid("on", _("Svaret kan ikke være kommet før overføringen ble sendt."))
    if not (note or "").strip():
        raise _invalid("note", _("Skriv kort hva kommunen svarte, og hvem som svarte."))
    answer = OutsideTransferAnswer(transfer=t, answered_on=on, note=note.strip(), recorded_by=actor)
    try:
        with transaction.atomic():
            answer.save()
            record(actor=actor, action="update", obj=t, person=t.person, reason=why,
                   summary=gettext_noop("Registrerte svar fra kommune utenfor Helhet på overføring"), params={})
    except IntegrityError:
        raise Conflict("already_answered", _("Svaret er allerede registrert.")) from None
    return answer


def outside_partner_answer_record(*, actor, information_id, on: dt.date, note: str) -> object:
    """The sender records the answer, if one came, to information sent to a municipality outside Helhet
    (coordination.PartnerInformation). Who may: whoever may inform the person's partners (Action.PARTNERS_INFORM on the
    person: the person's KE or coordinator). Once per information; informing sets no deadline to end."""
    from helhet.coordination.models import PartnerInformation

    info, why = load(actor, PartnerInformation, information_id, Action.PARTNERS_INFORM,
                     queryset=PartnerInformation.objects.select_related("person", "to_municipality"))
    if not info.is_outside:
        raise Conflict("not_outside", _("Mottakeren bruker Helhet."))
    if info.answered_on is not None:
        raise Conflict("already_answered", _("Svaret er allerede registrert."))
    on = _not_future("on", on)
    if on < timezone.localdate(info.sent_at):
        raise _invalid("on", _("Svaret kan ikke være kommet før informasjonen ble sendt."))
    if not (note or "").strip():
        raise _invalid("note", _("Skriv kort hva kommunen svarte, og hvem som svarte."))
    with transaction.atomic():
        updated = PartnerInformation.objects.filter(pk=info.pk, answered_on__isnull=True).update(
            answered_on=on, answer_note=note.strip(), answer_recorded_by=actor)
        if not updated:
            raise Conflict("already_answered", _("Svaret er allerede registrert."))
        info.answered_on, info.answer_note, info.answer_recorded_by = on, note.strip(), actor
        record(actor=actor, action="update", obj=info, person=info.person, reason=why,
               summary=gettext_noop("Registrerte svar fra kommune utenfor Helhet på informasjon til samarbeidspartnere"), params={})
    return info


def outside_item_answer(*, actor, kind: str, object_id, on: dt.date, note: str):
    """One entry for the API: record the answer on a need notification, a transfer or an information to partners sent
    outside Helhet."""
    if kind == "need_notification":
        return outside_answer_record(actor=actor, notification_id=object_id, on=on, note=note)
    if kind == "transfer":
        return outside_transfer_answer_record(actor=actor, transfer_id=object_id, on=on, note=note)
    if kind == "partner_information":
        return outside_partner_answer_record(actor=actor, information_id=object_id, on=on, note=note)
    raise _invalid("kind", _("Ukjent type."))


def _outside_open_rows(actor, order=("day", "item_kind", "id")):
    """The open items sent to the actor's municipality before it joined, as one database list of {"item_kind", "day", "id"}:
    a UNION of the need notifications (by sending date) and the transfers (by effective date) the actor may accept
    (the access policy's objects_q), oldest first, a need notification before a transfer on the same day, then by id."""
    from django.db.models import CharField, F, Value

    from helhet.coordination.models import NeedNotification, Transfer

    notifications = (NeedNotification.objects.filter(objects_q(actor, Action.OUTSIDE_ACCEPT, NeedNotification), to_organization__isnull=True,
                                                     status__in=NeedNotification.OPEN)
                     .annotate(item_kind=Value("need_notification", output_field=CharField()), day=F("sent_on")).order_by().values("id", "item_kind", "day"))
    transfers = (Transfer.objects.filter(objects_q(actor, Action.OUTSIDE_ACCEPT, Transfer), to_organization__isnull=True,
                                         status=Transfer.Status.OPEN)
                 .annotate(item_kind=Value("transfer", output_field=CharField()), day=F("effective_on"))
                 .order_by().values("id", "item_kind", "day"))
    return notifications.union(transfers, all=True).order_by(*order)


def _outside_open_items(rows) -> list[tuple[str, dt.date, object]]:
    """(kind, day, item) for a page of _outside_open_rows, in its order: one query per kind on the page."""
    from helhet.coordination.models import NeedNotification, Transfer

    ids = {"need_notification": [r["id"] for r in rows if r["item_kind"] == "need_notification"],
           "transfer": [r["id"] for r in rows if r["item_kind"] == "transfer"]}
    found = {
        "need_notification": NeedNotification.objects.filter(pk__in=ids["need_notification"])
        .select_related("from_organization", "from_unit", "to_municipality").in_bulk() if ids["need_notification"] else {},
        "transfer": Transfer.objects.filter(pk__in=ids["transfer"]).select_related("from_organization", "to_municipality").in_bulk()
        if ids["transfer"] else {},
    }
    return [(r["item_kind"], r["day"], found[r["item_kind"]][r["id"]]) for r in rows if r["id"] in found[r["item_kind"]]]


def outside_open(*, actor, params=None, per_page: int | None = None, offset: int | None = None, limit: int | None = None):
    """What was sent to the actor's municipality before it joined Helhet, still open and not yet accepted, oldest first.
    Shows only the reference, the sender and the date: the person is seen once the KE accepts the item into its inbox.

    Paged in the database (issue 14): with `params` (the page's query string) a helhet.core.paging Page of
    (kind, day, item), "N av M" from one COUNT of what the actor may accept; with `offset`/`limit` (the API) a list of
    those rows, in the API's order of before (the need notifications, then the transfers, each oldest first). A fixed
    number of queries: the COUNT (pages only), the page's rows, and one query per kind on the page."""
    from helhet.core.paging import PER_PAGE, offset_page

    if offset is not None or limit is not None:
        start = max(0, offset or 0)
        rows = _outside_open_rows(actor, order=("item_kind", "day", "id"))
        return _outside_open_items(list(rows[start:start + max(1, limit or PER_PAGE)]))
    rows = _outside_open_rows(actor)
    page = offset_page(rows, params, per_page=per_page or PER_PAGE)
    page.object_list = _outside_open_items(page.object_list)
    return page


def _tenant_for(actor, entry: Municipality) -> Organization:
    tenant = entry.tenant()
    if tenant is None:  # the access check passed, so a tenant exists; a race with its deletion is a clean 409
        raise Conflict("no_tenant", _("Kommunen bruker ikke Helhet."))
    return tenant


def link_residents(tenant: Organization) -> int:
    """Persons whose home municipality (directory) has this tenant's number get the tenant as home municipality:
    from now on its KE is their home municipality's KE (access policy). Returns how many were linked."""
    from helhet.people.models import Person

    if not tenant.municipality_number:
        return 0
    return Person.objects.filter(home_municipality__isnull=True,
                                 home_municipality_entry__number=tenant.municipality_number).update(home_municipality=tenant)


def outside_accept(*, actor, kind: str, object_id) -> object:
    """The KE of a municipality that joined Helhet takes an item sent to it before into its inbox: it is then addressed
    to the tenant and its KE, and the municipality's residents get the tenant as home municipality."""
    from helhet.coordination.models import NeedNotification, Transfer

    model = {"need_notification": NeedNotification, "transfer": Transfer}.get(kind)
    if model is None:
        raise _invalid("kind", _("Ukjent type."))
    item, why = load(actor, model, object_id, None, person_of=None, object_action=Action.OUTSIDE_ACCEPT,
                     queryset=model.objects.select_related("person", "to_municipality"))
    if not item.is_outside:
        raise Conflict("already_accepted", _("Meldingen er allerede tatt inn i Helhet."))
    tenant = _tenant_for(actor, item.to_municipality)
    today = timezone.localdate()
    values = {"to_organization": tenant, "accepted_on": today, "accepted_by": actor}
    if model is NeedNotification:
        values["to_unit"] = coordinating_unit(tenant)
    with transaction.atomic():
        updated = model.objects.filter(pk=item.pk, to_organization__isnull=True).update(**values)
        if not updated:
            raise Conflict("stale", _("Meldingen ble tatt inn av en annen i mellomtiden."))
        for k, v in values.items():
            setattr(item, k, v)
        linked = link_residents(tenant)
        record(actor=actor, action="update", obj=item, person=item.person, reason=why,
               summary=gettext_noop("Tok inn melding sendt før kommunen tok i bruk Helhet (referanse %(ref)s)"),
               params={"ref": item.outside_reference}, detail={"tenant": tenant.pk, "residents_linked": linked})
    return item


# --- Training and guidance of coordinators (opplæring og veiledning) -----------------------------------------------


def training_record(*, actor, organization_id, coordinator_id, kind: str, held_on: dt.date, given_by: str,
                    topic: str = "") -> CoordinatorTraining:
    """The KE records a course or guidance a coordinator of its tenant received."""
    from helhet.directory.selectors import active_coordinators

    org, why = load(actor, Organization, organization_id, None, person_of=None, object_action=Action.TRAINING_RECORD)
    if kind not in CoordinatorTraining.Kind.values:
        raise _invalid("kind", _("Velg kurs eller veiledning."))
    held_on = _not_future("held_on", held_on)
    if not (given_by or "").strip():
        raise _invalid("given_by", _("Oppgi hvem som ga opplæringen eller veiledningen."))
    coordinator = next((u for u in active_coordinators(org) if str(u.pk) == str(coordinator_id)), None)
    if coordinator is None:
        raise _invalid("coordinator", _("Velg en aktiv koordinator i %(org)s.") % {"org": org.name})
    t = CoordinatorTraining(organization=org, coordinator=coordinator, kind=kind, held_on=held_on, given_by=given_by.strip(),
                            topic=(topic or "").strip(), recorded_by=actor)
    validate(t)
    with transaction.atomic():
        t.save()
        record(actor=actor, action="create", obj=t, reason=why, organization=org,
               summary=gettext_noop("Registrerte opplæring/veiledning for koordinator %(name)s"),
               params={"name": coordinator.get_full_name() or coordinator.username})
    return t
