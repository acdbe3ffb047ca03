"""Reads for the coordination loop: the KE inbox, the sender's outbox, one item, a person's coordination page,
and children whose child coordinator ends when they turn 18. Every read of one person's data is audited."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import (
    allowed_actions,
    check,
    check_object,
    check_role,
    load,
    may_object,
    may_role,
    objects_q,
)
from helhet.audit.services import record
from helhet.cases.models import CoordinatorAppointment
from helhet.documents.selectors import letters_for

from .deadlines import outside_answer_due
from .models import (
    Disagreement,
    NeedNotification,
    PartnerInformation,
    PartnerInformationObjection,
    Transfer,
)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def inbox(*, actor, limit: int = 200, params=None) -> dict:
    """The KE's (or a hospital unit leader's) inbox: incoming need notifications, transfers, disagreements, children turning 18.
    With `params` (the page's query string) each list is a keyset page (helhet.core.paging) with its own pager; without
    them (the API) lists of at most `limit` rows."""
    check_role(actor, Action.COORDINATION_INBOX)
    is_ke = may_role(actor, Action.KE_WORKLIST)
    # Items addressed outside Helhet reach the inbox when the joining KE accepts them (directory.views.outside_list).
    notifications = (NeedNotification.objects.filter(objects_q(actor, Action.NEED_NOTIFICATION_ACKNOWLEDGE, NeedNotification),
                                                     to_organization__isnull=False)
                     .select_related("person", "from_organization", "from_unit", "to_unit", "request")
                     .order_by("status", "-sent_on", "-id"))
    transfers = (Transfer.objects.filter(objects_q(actor, Action.TRANSFER_RECEIVE, Transfer), status=Transfer.Status.OPEN,
                                         to_organization__isnull=False)
                 .select_related("person", "from_organization", "from_appointment__coordinator").order_by("effective_on", "id"))
    disagreements = (Disagreement.objects.filter(objects_q(actor, Action.DISAGREEMENT_VIEW, Disagreement))
                     .select_related("person", "municipality", "health_trust").order_by("status", "-raised_on", "-id"))
    if params is not None:
        from helhet.core.paging import keyset_page

        return {
            "notifications": keyset_page(notifications, params, prefix="meldinger_"),
            "unacknowledged": notifications.filter(status=NeedNotification.Status.SENT).count(),
            "transfers": keyset_page(transfers, params, prefix="overforinger_"),
            "disagreements": keyset_page(disagreements, params, prefix="uenigheter_"),
            "turning_18": turning_18(actor=actor) if is_ke else [],
            "is_ke": is_ke,
        }
    return {
        "notifications": list(notifications[:limit]),
        "unacknowledged": sum(1 for n in notifications[:limit] if n.status == NeedNotification.Status.SENT),
        "transfers": list(transfers[:limit]),
        "disagreements": list(disagreements[:limit]),
        "turning_18": turning_18(actor=actor) if is_ke else [],
        "is_ke": is_ke,
    }


def outbox(*, actor, limit: int = 200, params=None) -> list[NeedNotification]:
    """Notifications the actor sent (and, for a KE officer, those their tenant sent), with their status: a keyset page
    with `params` (the page's query string, helhet.core.paging), else a list of at most `limit` (the API)."""
    sent = (NeedNotification.objects.filter(objects_q(actor, Action.NEED_NOTIFICATION_OUTBOX, NeedNotification))
            .select_related("person", "to_organization", "to_unit", "to_municipality", "acknowledged_by").order_by("-sent_on", "-id"))
    if params is not None:
        from helhet.core.paging import keyset_page

        return keyset_page(sent, params)
    return list(sent[:limit])


def notification_detail(*, actor, notification_id) -> tuple[NeedNotification, dict]:
    """One notification: for its sender (status of what they sent) or its receiver (who sees and acts on the person)."""
    n, why = load(actor, NeedNotification, notification_id, None, object_action=Action.NEED_NOTIFICATION_VIEW,
                  queryset=NeedNotification.objects.select_related("person__home_municipality", "from_organization", "from_unit", "to_organization",
                                                     "to_unit", "to_municipality", "sent_by", "acknowledged_by", "handled_by", "request", "appointment__coordinator", "consent"))
    receiver = may_object(actor, Action.NEED_NOTIFICATION_ACKNOWLEDGE, n)
    sender = may_object(actor, Action.NEED_NOTIFICATION_OUTBOX, n)
    if receiver:
        why = check(actor, Action.PERSON_VIEW, n.person)
    allowed = set(allowed_actions(actor, n.person)) if receiver else set()
    record(actor=actor, action="view", obj=n, person=n.person, reason=why, summary=gettext_noop("Så melding om behov"))
    return n, {"receiver": receiver and Action.NEED_NOTIFICATION_RECEIVE.value in allowed, "sender": sender, "allowed": allowed}


def notification_for_receiver(*, actor, notification_id) -> NeedNotification:
    n, data = notification_detail(actor=actor, notification_id=notification_id)
    if not data["receiver"]:
        check(actor, Action.NEED_NOTIFICATION_RECEIVE, n.person)  # records the refusal and raises NotFound
        check_object(actor, Action.NEED_NOTIFICATION_ACKNOWLEDGE, n)
    return n


def transfer_detail(*, actor, transfer_id) -> tuple[Transfer, dict]:
    t, why = load(actor, Transfer, transfer_id, Action.TRANSFER_MANAGE, queryset=Transfer.objects.select_related("person__home_municipality", "from_organization", "to_organization", "created_by", "completed_by",
                                             "from_appointment__coordinator", "from_appointment__unit", "to_appointment__coordinator", "to_appointment__unit",
                                             "main_proposed_unit", "main_confirmed_by"))
    items = list(t.items.select_related("done_by"))
    record(actor=actor, action="view", obj=t, person=t.person, reason=why, summary=gettext_noop("Så overføring"))
    return t, {"items": items, "is_receiver": may_object(actor, Action.TRANSFER_RECEIVE, t),
               "checklist_done": all(i.settled for i in items)}


def main_responsibility_units(t: Transfer) -> list:
    """The receiving municipality's services that can hold main responsibility (reference data), proposed one first."""
    from helhet.organizations.models import ServiceUnit
    from helhet.plans.models import MAIN_SECTORS

    units = list(ServiceUnit.objects.filter(organization_id=t.to_organization_id, is_coordinating_unit=False, sector__in=list(MAIN_SECTORS))
                 .order_by("name"))
    return sorted(units, key=lambda u: u.pk != t.main_proposed_unit_id)


def disagreement_detail(*, actor, disagreement_id) -> Disagreement:
    d, why = load(actor, Disagreement, disagreement_id, Action.DISAGREEMENT_MANAGE, object_action=Action.DISAGREEMENT_VIEW,
                  queryset=Disagreement.objects.select_related("person__home_municipality", "municipality", "health_trust", "raised_by",
                                                               "resolved_by", "decided_unit"))
    record(actor=actor, action="view", obj=d, person=d.person, reason=why, summary=gettext_noop("Så uenighet"))
    return d


def person_coordination(*, actor, person) -> dict:
    """A person's coordination page: notifications, transfers, information to partners, objection, disagreements."""
    why = check(actor, Action.PERSON_VIEW, person)
    data = {
        "notifications": list(person.need_notifications.select_related("from_organization", "to_organization", "to_unit", "sent_by")),
        "transfers": list(person.transfers.select_related("from_organization", "to_organization", "to_municipality", "outside_answer",
                                                          "from_appointment__coordinator", "to_appointment__coordinator")),
        "information": list(PartnerInformation.objects.filter(person=person).select_related("recipient_unit", "to_municipality", "sent_by")),
        "objections": list(PartnerInformationObjection.objects.filter(person=person).select_related("recorded_by")),
        "disagreements": list(person.disagreements.select_related("municipality", "health_trust")),
        "appointments": list(CoordinatorAppointment.objects.filter(person=person).select_related("coordinator", "unit__organization")),
        "allowed": set(allowed_actions(actor, person)),
    }
    # The letters produced for information sent as a letter, or to a municipality outside Helhet (which always gets the
    # letter with the content), linked from the page to print (one query).
    partner_letters = letters_for("partnerinformation", [i.pk for i in data["information"]
                                                         if i.method == PartnerInformation.Method.LETTER or i.is_outside])
    for i in data["information"]:
        i.letters = partner_letters.get(i.pk, [])
    # A transfer sent outside Helhet shows its answer deadline while it runs (coordination.deadlines; one query per tenant).
    cache: dict = {}
    for t in data["transfers"]:
        t.deadline = outside_answer_due(t, today=timezone.localdate(), answered=_has_outside_answer(t), cache=cache) if t.is_outside else None
    data["active_objection"] = next((o for o in data["objections"] if o.withdrawn_on is None or o.withdrawn_on > timezone.localdate()), None)
    record(actor=actor, action="view", obj=person, person=person, reason=why, summary=gettext_noop("Så samhandling for personen"))
    return data


def _has_outside_answer(t: Transfer) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return t.outside_answer is not None
    except ObjectDoesNotExist:
        return False


def turning_18(*, actor, within_days: int = 90, today: dt.date | None = None) -> list[CoordinatorAppointment]:
    """Open child-coordinator appointments in the actor's KE tenants whose child turns 18 within `within_days`
    (or already has: the right has ended), soonest first. Each row has .turns_18_on and .has_open_transfer."""
    check_role(actor, Action.KE_WORKLIST)
    today = today or timezone.localdate()
    latest_birth = _add_years(today + dt.timedelta(days=within_days), -18)
    rows = (CoordinatorAppointment.objects.filter(kind=CoordinatorAppointment.Kind.CHILD_COORDINATOR, end__isnull=True,
                                                  person__birth_date__lte=latest_birth)
            .filter(objects_q(actor, Action.APPOINTMENT_FOLLOW_UP, CoordinatorAppointment))
            .annotate(has_open_transfer=Exists(Transfer.objects.filter(person=OuterRef("person"), status=Transfer.Status.OPEN)))
            .select_related("person", "coordinator", "unit").order_by("person__birth_date", "id"))
    out = []
    for a in rows:
        a.turns_18_on = _add_years(a.person.birth_date, 18)
        a.overdue = a.turns_18_on <= today
        out.append(a)
    return out


def need_notification_consent_choices(*, actor, person, direction: str, on: dt.date | None = None) -> list:
    """The person's sharing consents a need notification in `direction` could name (the send form's select): valid on
    `on` (today), covering health and function, and naming a unit on the receiving side — a unit of the person's home
    municipality (to_municipality), or of a health trust (to_hospital: the unit is chosen on the same form).
    services.need_notification_send decides the chosen one again for the exact receiver and date
    (models.consent_covers_need_notification), so the form and the API give the same verdict."""
    from helhet.consent.models import Consent, valid_consents_q
    from helhet.organizations.models import Organization

    from .models import consent_covers_need_notification

    check(actor, Action.NEED_NOTIFICATION_SEND, person)
    day = on or timezone.localdate()
    if direction == NeedNotification.Direction.TO_HOSPITAL:
        org_ids = list(Organization.objects.filter(kind=Organization.Kind.HEALTH_TRUST).values_list("pk", flat=True))
    else:
        org_ids = [person.home_municipality_id]
    consents = (Consent.objects.filter(valid_consents_q(day), person=person, kind=Consent.Kind.SHARING,
                                       recipient_units__organization_id__in=org_ids)
                .distinct().prefetch_related("recipient_units__organization").order_by("-given_on", "-id"))
    return [c for c in consents if not consent_covers_need_notification(c, day=day, organization_ids=org_ids)]
