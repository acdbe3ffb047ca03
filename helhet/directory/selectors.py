"""Reads of the directory. The directory itself is public knowledge (municipalities and their KEs' addresses):
any staff member may read it; who may EDIT an entry is decided by helhet.access (Action.DIRECTORY_EDIT)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.core.errors import DomainError
from helhet.organizations.models import Organization

from .models import CoordinatingUnitContact, Municipality, in_force_q


@dataclass(frozen=True)
class Resolution:
    """A kommunenummer resolved on a day: the municipality in force then, its tenant (if it uses Helhet), and a
    message when the number asked for had been merged or renumbered into a successor."""

    municipality: Municipality | None  # None only for a tenant whose number is not in the directory (synthetic demo)
    tenant: Organization | None
    asked: str
    note: str = ""


def _invalid(message: str, field: str = "home_municipality") -> DomainError:
    return DomainError("invalid", message, details={"fields": {field: [message]}})


def resolve_municipality(number, on: dt.date, *, field: str = "home_municipality") -> Resolution:
    """The municipality with kommunenummer `number` in force on `on`, following successors (a merged or renumbered
    municipality resolves to the one that took over, with a note saying so). Bad input: a DomainError on `field`."""
    number = str(number or "").strip()
    if not (len(number) == 4 and number.isdigit()):
        raise _invalid(_("Velg en kommune fra kommuneregisteret."), field)
    entries = list(Municipality.objects.filter(number=number).select_related("successor").order_by("-valid_from"))
    tenant_of = {o.municipality_number: o for o in Organization.objects.filter(kind=Organization.Kind.MUNICIPALITY,
                                                                               municipality_number=number)}
    if not entries:
        if number in tenant_of:
            return Resolution(municipality=None, tenant=tenant_of[number], asked=number)
        raise _invalid(_("Kommunenummer %(number)s finnes ikke i kommuneregisteret.") % {"number": number}, field)
    current = next((m for m in entries if m.in_force_on(on)), None)
    if current is not None:
        return Resolution(municipality=current, tenant=current.tenant(), asked=number)
    latest = entries[0]
    if latest.valid_from > on:
        raise _invalid(_("%(name)s (%(number)s) gjelder først fra %(day)s.") % {
            "name": latest.name, "number": number, "day": f"{latest.valid_from:%d.%m.%Y}"}, field)
    m, seen = latest, set()
    while m is not None and not m.in_force_on(on) and m.pk not in seen:
        seen.add(m.pk)
        m = Municipality.objects.filter(pk=m.successor_id).first() if m.successor_id else None
    if m is None or not m.in_force_on(on):
        raise _invalid(_("%(name)s (%(number)s) gjaldt til %(day)s og har ingen etterfølger i kommuneregisteret.") % {
            "name": latest.name, "number": number, "day": f"{latest.valid_to:%d.%m.%Y}"}, field)
    note = _("%(old)s (%(old_number)s) gjaldt til %(day)s og er nå %(new)s (%(new_number)s). Hjemkommunen er satt til %(new)s.") % {
        "old": latest.name, "old_number": latest.number, "day": f"{latest.valid_to:%d.%m.%Y}", "new": m.name, "new_number": m.number}
    return Resolution(municipality=m, tenant=m.tenant(), asked=number, note=note)


def municipality_choices(on: dt.date) -> list[tuple[str, str]]:
    """(kommunenummer, label) for every municipality in force on `on`, and the tenants not in the directory (the
    synthetic demo municipalities), by name. The value is the number: person_create resolves it."""
    rows = [(m.number, f"{m.name} ({m.number})") for m in Municipality.objects.filter(in_force_q(on)).only("number", "name")]
    known = {n for n, _label in rows}
    rows += [(o.municipality_number, f"{o.name} ({o.municipality_number})")
             for o in Organization.objects.filter(kind=Organization.Kind.MUNICIPALITY).exclude(municipality_number="")
             if o.municipality_number not in known]
    return sorted(rows, key=lambda r: r[1])


def directory_list(*, search: str = "", on: dt.date, include_expired: bool = False):
    qs = Municipality.objects.select_related("coordinating_unit", "successor")
    if not include_expired:
        qs = qs.filter(in_force_q(on))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(number__startswith=search) | Q(county_name__icontains=search))
    return qs.order_by("name", "number")


def contact_for(municipality: Municipality | None) -> CoordinatingUnitContact | None:
    if municipality is None:
        return None
    return CoordinatingUnitContact.objects.filter(municipality=municipality).first()


def deliverable_email(contact: CoordinatingUnitContact | None) -> str:
    """The KE address an outside e-mail may go to: "" for none, an example entry, or a reserved .example domain
    (RFC 2606), so nothing is ever mailed to a made-up address (directory.services.outside_send)."""
    email = (contact.email or "").strip() if contact else ""
    if not email or contact.is_example or email.lower().rstrip(".").endswith(".example"):
        return ""
    return email


def outside_municipality_choices(on: dt.date) -> list[tuple[str, str]]:
    """(kommunenummer, label) for every municipality in force on `on` that does not use Helhet, by name: the recipients
    an outside item can be addressed to (coordination.forms.PartnersInformForm)."""
    tenants = set(Organization.objects.filter(kind=Organization.Kind.MUNICIPALITY).exclude(municipality_number="")
                  .values_list("municipality_number", flat=True))
    return [(m.number, f"{m.name} ({m.number})") for m in Municipality.objects.filter(in_force_q(on)).only("number", "name").order_by("name", "number")
            if m.number not in tenants]


def _active_coordinators(org: Organization):
    from helhet.cases.models import CoordinatorAppointment
    from helhet.organizations.models import Membership, Role, User

    today = timezone.localdate()
    by_role = Membership.objects.filter(unit__organization=org, role=Role.COORDINATOR, active=True).values("user_id")
    appointed = (CoordinatorAppointment.objects.filter(unit__organization=org, start__lte=today)
                 .filter(Q(end__isnull=True) | Q(end__gt=today)).values("coordinator_id"))
    return User.objects.filter(Q(pk__in=by_role) | Q(pk__in=appointed), is_active=True).order_by("last_name", "first_name", "pk")


def active_coordinators(org: Organization) -> list:
    """The tenant's active coordinators: an active coordinator membership in one of its units, or an open coordinator
    appointment from one of them (a coordinator is often a nurse or teacher first). By name."""
    return list(_active_coordinators(org))


WITHOUT_SHOWN = 20  # names listed under "N aktive koordinatorer har ingen registrert opplæring" (the table has them all)


def training_overview(*, actor, params=None, per_page: int | None = None) -> list[dict]:
    """For each tenant the actor is KE of (organizations_for TRAINING_RECORD): its active coordinators by name, a page
    at a time (?opplaering_<org>_side=), each with their training records; and those with none: how many (a COUNT)
    and the first WITHOUT_SHOWN of them by name. Paged in the database: five queries per tenant, whatever the number
    of coordinators (the COUNT, the page, the page's records, the COUNT and the names of those without)."""
    from django.db.models import Exists, OuterRef

    from helhet.access.policy import Action
    from helhet.access.queries import organizations
    from helhet.core.paging import PER_PAGE, offset_page

    from .models import CoordinatorTraining

    out = []
    for org in organizations(actor, Action.TRAINING_RECORD):
        coordinators = _active_coordinators(org)
        page = offset_page(coordinators, params, per_page=per_page or PER_PAGE, prefix=f"opplaering_{org.pk}_")
        records: dict[int, list] = {}
        for t in (CoordinatorTraining.objects.filter(organization=org, coordinator__in=[u.pk for u in page])
                  .select_related("recorded_by")):  # newest first (Meta.ordering)
            records.setdefault(t.coordinator_id, []).append(t)
        page.object_list = [{"coordinator": u, "records": records.get(u.pk, [])} for u in page.object_list]
        without = coordinators.filter(~Exists(CoordinatorTraining.objects.filter(organization=org, coordinator=OuterRef("pk"))))
        out.append({"organization": org, "rows": page, "without_total": without.count(), "without": list(without[:WITHOUT_SHOWN])})
    return out


def outside_item(*, actor, kind: str, object_id) -> dict:
    """The sender's view of one need notification, transfer or information to partners sent to a municipality outside
    Helhet: its reference, where the e-mail went, the letters with the content (document area), the answer once
    recorded, and the answer deadline while it runs (coordination.deadlines.outside_answer_due). Only the sender (or
    its KE) sees it (Action.OUTSIDE_ANSWER; for information to partners, Action.PARTNERS_INFORM on the person); anyone
    else gets 404 with a 'denied' event."""
    from django.utils.translation import gettext_noop

    from helhet.access.policy import Action
    from helhet.access.queries import load
    from helhet.audit.services import record
    from helhet.coordination.deadlines import outside_answer_due
    from helhet.coordination.models import NeedNotification, PartnerInformation, Transfer
    from helhet.core.errors import NotFound
    from helhet.documents.selectors import letters_for

    from .models import OutsideTransferAnswer

    model = {"need_notification": NeedNotification, "transfer": Transfer, "partner_information": PartnerInformation}.get(kind)
    if model is None:
        raise NotFound()
    if model is PartnerInformation:
        item, why = load(actor, model, object_id, Action.PARTNERS_INFORM, queryset=model.objects.select_related("person", "to_municipality"))
    else:
        item, why = load(actor, model, object_id, None, person_of=None, object_action=Action.OUTSIDE_ANSWER,
                         queryset=model.objects.select_related("person", "to_municipality", "from_organization"))
    if item.to_municipality_id is None:
        raise NotFound()
    answer = None
    if model is Transfer:
        answer = OutsideTransferAnswer.objects.filter(transfer=item).select_related("recorded_by").first()
    elif model is PartnerInformation and item.answered_on:
        answer = {"answered_on": item.answered_on, "note": item.answer_note, "recorded_by": item.answer_recorded_by}
    elif model is NeedNotification and item.acknowledged_on:
        answer = {"answered_on": item.acknowledged_on, "note": item.response_note, "recorded_by": item.acknowledged_by}
    record(actor=actor, action="view", obj=item, person=item.person, reason=why,
           summary=gettext_noop("Så sendt til kommune utenfor Helhet (referanse %(ref)s)"), params={"ref": item.outside_reference})
    return {"item": item, "kind": kind, "contact": contact_for(item.to_municipality), "answer": answer,
            "deadline": outside_answer_due(item, today=timezone.localdate(), answered=answer is not None),
            "letters": letters_for(item._meta.model_name, [item.pk]).get(item.pk, [])}


def outside_sent(*, actor) -> dict:
    """The need notifications, transfers and information to partners the actor (or their KE tenant) sent to
    municipalities outside Helhet, newest first, with the answer where recorded and the answer deadline while it runs:
    the sender's status list (API; the pages show each on its own). Information to partners: those about persons whose
    partners the actor may inform (Action.PARTNERS_INFORM). The deadlines read each sending organisation's rule once."""
    from helhet.access.policy import Action
    from helhet.access.queries import objects_q, visible_persons_q
    from helhet.coordination.deadlines import outside_answer_due
    from helhet.coordination.models import NeedNotification, PartnerInformation, Transfer
    from helhet.people.models import Person

    from .models import OutsideTransferAnswer

    today = timezone.localdate()
    notifications = list(NeedNotification.objects.filter(objects_q(actor, Action.OUTSIDE_ANSWER, NeedNotification), to_municipality__isnull=False)
                         .select_related("to_municipality").order_by("-sent_on", "-id"))
    transfers = list(Transfer.objects.filter(objects_q(actor, Action.OUTSIDE_ANSWER, Transfer), to_municipality__isnull=False)
                     .select_related("to_municipality").order_by("-created_at", "-id"))
    information = list(PartnerInformation.objects.filter(
        to_municipality__isnull=False, person__in=Person.objects.filter(visible_persons_q(actor, action=Action.PARTNERS_INFORM)))
        .select_related("to_municipality").order_by("-sent_at", "-id"))
    answers = {a.transfer_id: a for a in OutsideTransferAnswer.objects.filter(transfer__in=transfers)}
    for t in transfers:
        t.answer = answers.get(t.pk)
    cache: dict = {}
    for item in notifications + transfers:
        item.deadline = outside_answer_due(item, today=today, answered=getattr(item, "answer", None) is not None, cache=cache)
    return {"notifications": notifications, "transfers": transfers, "information": information}
