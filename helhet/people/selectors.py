"""Reads of persons. Every function takes the actor and returns only what the actor may see."""

from __future__ import annotations

import copy

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action, Field
from helhet.access.queries import (
    allowed_actions,
    check_with_relationships,
    get_person,
    load,
    member_organizations,
    person_access,
    visible_persons_q,
)
from helhet.audit.services import record
from helhet.core.dbrouter import on_replica

from .models import Person


def person_list(*, actor, search: str = "", limit: int | None = 200) -> QuerySet[Person]:
    """Persons the actor may see, optionally filtered by name or national id. Listing names is not a read of their data."""
    qs = Person.objects.filter(visible_persons_q(actor)).select_related("home_municipality", "home_municipality_entry")
    search = (search or "").strip()
    if search:
        if search.replace(" ", "").isdigit():
            qs = qs.filter(national_id__startswith=search.replace(" ", ""))
        else:
            for word in search.split():
                qs = qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    qs = qs.order_by("family_name", "given_name", "pk")
    # A list read: the read replica when one is configured (helhet.core.dbrouter; read-your-writes kept there).
    return on_replica(qs[:limit] if limit else qs)


# The person's own fields by the part of the record they belong to (helhet.access.policy.Field).
HIDDEN_UNLESS = {
    "national_id": Field.NATIONAL_ID, "birth_date": Field.NATIONAL_ID, "is_d_number": Field.NATIONAL_ID,
    "address": Field.CONTACT, "phone": Field.CONTACT, "email": Field.CONTACT, "preferred_language": Field.CONTACT,
    "needs_interpreter": Field.CONTACT, "capacity_to_consent": Field.CASE,
}


def _refuse_save(*args, **kwargs):
    raise RuntimeError("a reader's masked copy of a person is never saved")


def masked_person(person: Person, access) -> Person:
    """A copy of the person as one reader may see them: every field the reader may not see is None (pages, API,
    exports read the same copy). The copy refuses to be saved. `birth_year` is always there."""
    view = copy.copy(person)
    view.birth_year = person.birth_date.year
    for name, field in HIDDEN_UNLESS.items():
        if not access.sees(field):
            setattr(view, name, None)
    view.save = _refuse_save
    return view


def person_detail(*, actor, person_id) -> tuple[Person, dict]:
    """The person with everything their page shows, as this reader may see it (access.person_access: field by field,
    consent by consent), in a fixed number of queries; writes a 'view' audit event naming what was withheld."""
    from helhet.cases.models import Appeal, CoordinatorAppointment, InformationRecord, Request
    from helhet.consent.models import Consent

    person, _why = load(actor, Person, person_id, None, person_of=None, queryset=Person.objects.select_related("home_municipality", "home_municipality_entry"))
    why, rels = check_with_relationships(actor, Action.PERSON_VIEW, person)
    access = person_access(actor, person, rels=rels)
    shows = {f.value: access.sees(f) for f in Field}
    case, checklist = shows[Field.CASE], shows[Field.CHECKLIST]
    all_consents = list(Consent.objects.filter(person=person))
    involvements = list(person.involvements.select_related("unit__organization", "staff").order_by("-start"))
    data = {
        "relatives": list(person.relatives.all()) if shows[Field.RELATIVES] else [],
        "involvements": [i for i in involvements if access.sees_involvement(i)],
        "information": list(InformationRecord.objects.filter(person=person).select_related("informed_by")) if case or checklist else [],
        "requests": list(
            Request.objects.filter(person=person).select_related("organization", "assessment", "decision").prefetch_related(
                Prefetch("decision__appeals", queryset=Appeal.objects.prefetch_related("events"))
            )
        ) if case or checklist else [],
        "appointments": list(CoordinatorAppointment.objects.filter(person=person).select_related("coordinator", "unit__organization")),
        "consents": [c for c in all_consents if access.sees_consent(c)],
        "capacity_findings": list(person.capacity_findings.select_related("found_by")) if case else [],
        "why": why,
        "shows": shows,
    }
    hidden_involvements = len(involvements) - len(data["involvements"])
    from helhet.access.models import HealthSharingObjection

    data["allowed"] = allowed_actions(actor, person, rels=rels)
    # Contact doctor, pathway coordinators, samordningsansvar (issue 11): part of the case record (Field.CASE).
    from helhet.cases.selectors import person_roles

    data.update(person_roles(person) if case else {"contact_doctors": [], "pathway_coordinators": [], "coordination_leads": [],
                                                  "coordination_lead": None})
    if not case and Action.CONTACT_DOCTOR_APPOINT.value in data["allowed"]:
        # The hospital unit leader, who does not read the case record, sees the contact doctors of the units they lead.
        from helhet.cases.selectors import contact_doctor_units

        led = {u.pk for u in contact_doctor_units(actor=actor)}
        data["contact_doctors"] = [d for d in person_roles(person)["contact_doctors"] if d.unit_id in led]
        data["roles_partial"] = True
    data.update(_sharing_and_grants(person, data["allowed"]))
    data["objections"] = list(HealthSharingObjection.objects.filter(person=person)) if shows[Field.CONSENTS] else []
    data["withheld"] = sorted({f for f, shown in shows.items() if not shown} | ({"involvements"} if hidden_involvements else set()))
    # The checklist says which kinds of consent exist, not their content.
    data["checklist"] = documentation_checklist(person, {**data, "consents": all_consents}) if checklist else []
    if not case:  # the checklist's facts were read for it; the case texts themselves are not shown
        data["information"], data["requests"] = [], []
    record(actor=actor, action="view", obj=person, person=person, reason=why, summary=gettext_noop("Så personens side"),
           withheld=data["withheld"])
    return masked_person(person, access), data


def _sharing_and_grants(person: Person, allowed) -> dict:
    """The sharing consents (with recipients and exclusions) and personal grants, for those who record consent and
    grant access (the person's KE and coordinator): a fixed number of queries (consents with recipients: 3; grants: 1)."""
    from helhet.access.models import AccessGrant
    from helhet.access.selectors import STATE_LABELS, grant_state
    from helhet.consent.models import Consent

    may_record, may_grant = "consent.record" in allowed, "grant.manage" in allowed
    today = timezone.localdate()
    sharing, grants = [], []
    if may_record:
        sharing = list(Consent.objects.filter(person=person, kind=Consent.Kind.SHARING)
                       .prefetch_related("recipient_users", "recipient_units").order_by("-given_on", "-id"))
        for c in sharing:
            c.state = ("withdrawn" if c.withdrawn_on and c.withdrawn_on <= today else
                       "valid" if c.valid_on(today) else "expired" if c.valid_to and c.valid_to < today else "pending")
    if may_grant:
        grants = list(AccessGrant.objects.filter(person=person).select_related("grantee", "consent").order_by("-valid_from", "-id"))
        for g in grants:
            g.state = grant_state(g, today)
            g.state_label = STATE_LABELS[g.state]
    return {"sharing": sharing, "grants": grants, "may_record": may_record, "may_grant": may_grant, "today": today}


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
    from helhet.organizations.models import Organization, ServiceUnit

    orgs = set(member_organizations(actor)) | {person.home_municipality_id}
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
