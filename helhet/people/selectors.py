"""Reads of persons. Every function takes the actor and returns only what the actor may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.access.queries import allowed_actions, get_person, visible_persons_q
from helhet.audit.services import record

from .models import Person


def person_list(*, actor, search: str = "", limit: int | None = 200) -> QuerySet[Person]:
    """Persons the actor may see, optionally filtered by name or national id. Listing names is not a read of their data."""
    qs = Person.objects.filter(visible_persons_q(actor)).select_related("home_municipality")
    search = (search or "").strip()
    if search:
        if search.replace(" ", "").isdigit():
            qs = qs.filter(national_id__startswith=search.replace(" ", ""))
        else:
            for word in search.split():
                qs = qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    qs = qs.order_by("family_name", "given_name", "pk")
    return qs[:limit] if limit else qs


def person_detail(*, actor, person_id) -> tuple[Person, dict]:
    """The person with everything their page shows, in a fixed number of queries; writes a 'view' audit event."""
    from helhet.cases.models import Appeal, CoordinatorAppointment, InformationRecord, Request
    from helhet.consent.models import Consent

    person, why = get_person(actor, person_id)
    data = {
        "relatives": list(person.relatives.all()),
        "involvements": list(person.involvements.select_related("unit__organization", "staff").order_by("-start")),
        "information": list(InformationRecord.objects.filter(person=person).select_related("informed_by")),
        "requests": list(
            Request.objects.filter(person=person).select_related("organization", "assessment", "decision").prefetch_related(
                Prefetch("decision__appeals", queryset=Appeal.objects.prefetch_related("events"))
            )
        ),
        "appointments": list(CoordinatorAppointment.objects.filter(person=person).select_related("coordinator", "unit__organization")),
        "consents": list(Consent.objects.filter(person=person)),
        "capacity_findings": list(person.capacity_findings.select_related("found_by")),
        "why": why,
    }
    data["checklist"] = documentation_checklist(person, data)
    data["allowed"] = allowed_actions(actor, person)
    record(actor=actor, action="view", obj=person, person=person, reason=why, summary=_("Så personens side"))
    return person, data


def documentation_checklist(person: Person, data: dict) -> list[dict]:
    """The hospital guidelines' checklist (DOMAIN.md): what must be retrievable for every person.

    Built from already-loaded rows in `data`, so it adds no queries.
    """
    today = timezone.localdate()
    info = data["information"]
    latest = info[0] if info else None
    assessments = [r.assessment for r in data["requests"] if hasattr(r, "assessment")]
    consents = [c for c in data["consents"] if c.kind in ("plan_work", "coordinator", "sharing") and c.valid_on(today)]
    active = [a for a in data["appointments"] if a.active_on(today)]
    wants = None
    if latest:
        wants = _("IP: %(ip)s, koordinator: %(c)s") % {"ip": latest.get_wants_ip_display(), "c": latest.get_wants_coordinator_display()}
    criteria = None
    if assessments:
        a = assessments[0]
        criteria = _("IP: %(ip)s, koordinator: %(c)s, barnekoordinator: %(b)s") % {
            "ip": _("ja") if a.meets_ip else _("nei"), "c": _("ja") if a.meets_coordinator else _("nei"),
            "b": _("ja") if a.meets_child_coordinator else _("nei")}
    return [
        {"key": "informed", "label": _("Informert om koordinator og individuell plan"), "done": bool(latest),
         "value": latest.informed_on.strftime("%d.%m.%Y") if latest else None},
        {"key": "wants", "label": _("Ønsker plan / koordinator"), "done": bool(latest), "value": wants},
        {"key": "criteria", "label": _("Vurdert om vilkårene er oppfylt"), "done": bool(assessments), "value": criteria},
        {"key": "consent", "label": _("Samtykke innhentet, og hva det gjelder"), "done": bool(consents),
         "value": ", ".join(c.get_kind_display() for c in consents) or None},
        {"key": "coordinator_appointed", "label": _("Koordinator oppnevnt"), "done": bool(active),
         "value": _("ja") if active else _("nei")},
        {"key": "coordinator_names", "label": _("Navn på koordinator(er)"), "done": bool(active),
         "value": ", ".join(f"{a.coordinator} ({a.get_kind_display()})" for a in active) or None},
    ]



def person_for_action(*, actor, person_id, action) -> Person:
    """The person, if the actor may do `action` on them; else NotFound (and a 'denied' audit event). For form pages."""
    person, _why = get_person(actor, person_id, action=action)
    return person


def may_create_person(*, actor) -> None:
    """Raise NotFound unless the actor's role may register persons (the form page and the service agree)."""
    from helhet.access.policy import Action
    from helhet.access.queries import check_role

    check_role(actor, Action.PERSON_CREATE)


def unit_choices(*, actor, person: Person):
    """Units the actor can pick from when recording an involvement: their own organisations', the person's home municipality's, and the health trusts'."""
    from helhet.access.queries import actor_context
    from helhet.organizations.models import Organization, ServiceUnit

    ctx = actor_context(actor)
    orgs = set(ctx.org_ids) | {person.home_municipality_id}
    return list(
        ServiceUnit.objects.filter(Q(organization_id__in=orgs) | Q(organization__kind=Organization.Kind.HEALTH_TRUST))
        .select_related("organization").order_by("organization__name", "name")
    )


def staff_choices(units) -> list:
    """Active staff in these units, grouped by unit for a <select> with optgroups: [(unit name, [(user id, label)])]."""
    from helhet.organizations.models import Membership

    by_unit: dict = {}
    rows = Membership.objects.filter(unit__in=[u.pk for u in units], active=True).select_related("user", "unit").order_by("unit__name", "user__last_name", "user__first_name")
    seen = set()
    for m in rows:
        if (m.unit_id, m.user_id) in seen:
            continue
        seen.add((m.unit_id, m.user_id))
        label = m.user.get_full_name() or m.user.username
        if m.user.title:
            label = f"{label}, {m.user.title}"
        by_unit.setdefault(m.unit.name, []).append((m.user_id, label))
    return list(by_unit.items())
