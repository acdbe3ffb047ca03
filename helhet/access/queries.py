"""Facts for the policy: who the actor is, how they stand to a person, which persons they may see.

Everything here feeds helhet.access.policy.permits(); nothing here decides by
itself. `visible_persons_q` and `relationships` must agree: a test
(tests/access/test_visibility_agrees.py) checks it on random data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from helhet.audit.services import record
from helhet.core.errors import NotFound

from .policy import (
    CATEGORY_LIMITED,
    ROLE_ONLY,
    Action,
    Participation,
    Rel,
    Scope,
    SharingConsentFacts,
    category_reason,
    consent_covers,
    may_see_category,
    permits,
    reason,
    sees_whole_plan,
)


@dataclass
class ActorContext:
    user: object
    roles: frozenset[str]
    ke_org_ids: frozenset[int]
    leader_unit_ids: frozenset[int]
    unit_ids: frozenset[int]
    org_ids: frozenset[int]
    primary_role: str = ""
    primary_organization: object | None = None
    memberships: list = field(default_factory=list)


def actor_context(user) -> ActorContext:
    """The actor's active memberships, computed once per request and cached on the user object."""
    ctx = getattr(user, "_helhet_ctx", None)
    if ctx is not None:
        return ctx
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(user.memberships.filter(active=True).select_related("unit__organization"))
    ke_orgs = {m.unit.organization_id for m in memberships if m.role == "ke_officer"}
    primary = memberships[0] if memberships else None
    ctx = ActorContext(
        user=user,
        roles=frozenset(m.role for m in memberships),
        ke_org_ids=frozenset(ke_orgs),
        leader_unit_ids=frozenset(m.unit_id for m in memberships if m.role == "unit_leader"),
        unit_ids=frozenset(m.unit_id for m in memberships),
        org_ids=frozenset(m.unit.organization_id for m in memberships),
        primary_role=primary.role if primary else "",
        primary_organization=primary.unit.organization if primary else None,
        memberships=memberships,
    )
    if user is not None:
        user._helhet_ctx = ctx
    return ctx


def _today() -> dt.date:
    return timezone.localdate()


def _active_period_q(day: dt.date, prefix: str = "", exclusive_end: bool = False) -> Q:
    end_q = Q(**{f"{prefix}end__gt": day}) if exclusive_end else Q(**{f"{prefix}end__gte": day})
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | end_q)


def _branches(ctx: ActorContext, day: dt.date) -> dict[Rel, Q]:
    """One Q over Person per relationship; used for lists (OR of all) and for single checks."""
    from helhet.cases.models import CoordinatorAppointment, Request
    from helhet.people.models import Involvement, Relative

    user = ctx.user
    branches: dict[Rel, Q] = {}
    if ctx.ke_org_ids:
        orgs = list(ctx.ke_org_ids)
        involved_here = Involvement.objects.filter(_active_period_q(day), unit__organization_id__in=orgs).values("person_id")
        requested_here = Request.objects.filter(organization_id__in=orgs).values("person_id")
        branches[Rel.KE] = Q(home_municipality_id__in=orgs) | Q(pk__in=involved_here) | Q(pk__in=requested_here)
    if user is not None and user.is_authenticated:
        appointed = CoordinatorAppointment.objects.filter(_active_period_q(day, exclusive_end=True), coordinator=user).values("person_id")
        branches[Rel.COORDINATOR] = Q(pk__in=appointed)
        involved = Involvement.objects.filter(_active_period_q(day), staff=user).values("person_id")
        branches[Rel.INVOLVED_STAFF] = Q(pk__in=involved)
        branches[Rel.SELF] = Q(national_id=user.national_id) if user.national_id else Q(pk__in=[])
        # A guardian or parent who may consent for the person, linked to a login (Relative.user), acts for them.
        acts_for = Relative.objects.filter(user=user, may_consent=True).values("person_id")
        branches[Rel.REPRESENTATIVE] = Q(pk__in=acts_for)
    if ctx.leader_unit_ids:
        led = Involvement.objects.filter(_active_period_q(day), unit_id__in=list(ctx.leader_unit_ids)).values("person_id")
        branches[Rel.UNIT_LEADER] = Q(pk__in=led)
    for rel, q in _extra_branches(ctx, day).items():
        branches[rel] = branches.get(rel, Q(pk__in=[])) | q
    return branches


# Other apps (plans: plan-group membership) register further relationship
# branches here at import time, so the policy stays in access/ while the facts
# live with their models. See helhet/plans/access_facts.py.
_EXTRA_BRANCH_PROVIDERS: list = []


def register_branch_provider(provider) -> None:
    """provider(ctx, day) -> dict[Rel, Q over Person]."""
    if provider not in _EXTRA_BRANCH_PROVIDERS:
        _EXTRA_BRANCH_PROVIDERS.append(provider)


def _extra_branches(ctx: ActorContext, day: dt.date) -> dict[Rel, Q]:
    out: dict[Rel, Q] = {}
    for provider in _EXTRA_BRANCH_PROVIDERS:
        for rel, q in provider(ctx, day).items():
            out[rel] = out.get(rel, Q(pk__in=[])) | q
    return out


def visible_persons_q(user, *, action: Action = Action.PERSON_VIEW, day: dt.date | None = None) -> Q:
    """Q over Person: the persons this actor may do `action` on (default: see)."""
    ctx = actor_context(user)
    day = day or _today()
    q = Q(pk__in=[])
    for rel, branch in _branches(ctx, day).items():
        if permits(ctx.roles, {rel}, action):
            q |= branch
    return q


def relationships(user, person, *, day: dt.date | None = None) -> frozenset[str]:
    """How the actor stands to this person today, as a set of Rel values (one query)."""
    from helhet.people.models import Person

    ctx = actor_context(user)
    day = day or _today()
    branches = _branches(ctx, day)
    if not branches:
        return frozenset()
    from django.db.models import BooleanField, Case, Value, When

    annotations = {
        f"rel_{rel.value}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
        for rel, q in branches.items()
    }
    row = Person.objects.filter(pk=person.pk).annotate(**annotations).values(*annotations.keys()).first() or {}
    return frozenset(key.removeprefix("rel_") for key, value in row.items() if value)


def check(user, action: Action, person, *, day: dt.date | None = None) -> str:
    """Return the reason (relationship) that allows `action` on `person`, or raise NotFound and audit the refusal."""
    return check_with_relationships(user, action, person, day=day)[0]


def check_with_relationships(user, action: Action, person, *, day: dt.date | None = None) -> tuple[str, frozenset[str]]:
    """check(), also returning the relationships it found (plan reads pass them on to plan_access: no second query)."""
    ctx = actor_context(user)
    rels = relationships(user, person, day=day)
    if permits(ctx.roles, rels, action):
        return reason(rels, action), rels
    record(actor=user, action="denied", obj=person, person=person, summary=str(action), detail={"action": str(action)})
    raise NotFound()


def check_role(user, action: Action) -> None:
    """For actions decided by role alone (creating a person)."""
    ctx = actor_context(user)
    if not permits(ctx.roles, frozenset(), action):
        record(actor=user, action="denied", object_type="action", object_id=str(action), summary=str(action))
        raise NotFound()


def get_person(user, pk, *, action: Action = Action.PERSON_VIEW):
    """Load a person the actor may act on, or 404 (with a 'denied' audit event when it exists)."""
    from helhet.people.models import Person

    try:
        person = Person.objects.select_related("home_municipality").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    why = check(user, action, person)
    return person, why


def allowed_actions(user, person) -> frozenset[str]:
    """Every action the actor may do on this person now (one query): for showing or hiding buttons."""
    ctx = actor_context(user)
    rels = relationships(user, person)
    return frozenset(a.value for a in Action if a not in ROLE_ONLY and permits(ctx.roles, rels, a))


# ---------------------------------------------------------------- plan content: consent scopes and grants


@dataclass
class PlanAccess:
    """What one actor may see of one plan today: relationships (incl. Rel.PLAN_KE) and scopes (consents, grants)."""

    relationships: frozenset[str]
    scopes: tuple[Scope, ...]
    why: str = ""

    @property
    def whole_plan(self) -> bool:
        return sees_whole_plan(self.relationships)

    def may_see(self, category: str) -> bool:
        return may_see_category(self.relationships, category, self.scopes)

    def reason_for(self, category: str) -> str:
        return category_reason(self.relationships, category, self.scopes)


def sharing_consent_facts(person_id, day: dt.date) -> list[SharingConsentFacts]:
    """The person's sharing consents valid on `day`, as facts: ONE query (consent x recipients joined, folded here)."""
    from helhet.consent.models import Consent
    from helhet.consent.selectors import valid_consents_q

    rows = (Consent.objects.filter(valid_consents_q(day), person_id=person_id, kind=Consent.Kind.SHARING)
            .values_list("id", "categories", "created_at", "recipient_users", "recipient_units").order_by("id"))
    by_id: dict[int, dict] = {}
    for cid, categories, created_at, user_id, unit_id in rows:
        entry = by_id.setdefault(cid, {"categories": categories, "at": created_at, "users": set(), "units": set()})
        if user_id is not None:
            entry["users"].add(user_id)
        if unit_id is not None:
            entry["units"].add(unit_id)
    return [
        SharingConsentFacts(id=cid, categories=frozenset(e["categories"] or []), user_ids=frozenset(e["users"]),
                            unit_ids=frozenset(e["units"]), recorded_at=e["at"])
        for cid, e in by_id.items()
    ]


def _participations(user, person_id) -> list[Participation]:
    from helhet.plans.models import Participant

    rows = Participant.objects.filter(plan__person_id=person_id, user=user, active=True, kind=Participant.Kind.STAFF).values_list("unit_id", "created_at")
    return [Participation(unit_id=u, since=at) for u, at in rows]


def plan_access(user, plan, *, rels: frozenset[str] | None = None, day: dt.date | None = None) -> PlanAccess:
    """The facts for may_see_category, fetched ONCE per read (a fixed number of queries, never per item).

    `rels`: the actor's relationships to plan.person if already computed (check() does); otherwise one query.
    Scopes are computed only for actors that do not see the whole plan anyway.
    """
    from .models import AccessGrant, active_grants_q

    ctx = actor_context(user)
    day = day or _today()
    if rels is None:
        rels = relationships(user, plan.person, day=day)
    rels = set(rels)
    person = plan.person
    if Rel.KE in rels and (plan.main_unit.organization_id in ctx.ke_org_ids or person.home_municipality_id in ctx.ke_org_ids):
        rels.add(Rel.PLAN_KE)
    rels = frozenset(rels)
    if sees_whole_plan(rels) or not ({Rel(r) for r in rels} & CATEGORY_LIMITED):
        return PlanAccess(relationships=rels, scopes=())
    scopes: list[Scope] = []
    participations = _participations(user, person.pk)
    for facts in sharing_consent_facts(person.pk, day):
        if consent_covers(facts, user.pk, participations):
            scopes.append(Scope(source=f"consent:{facts.id}", categories=facts.categories))
    if Rel.GRANT in rels:
        for g in AccessGrant.objects.filter(active_grants_q(day), grantee=user, person=person).order_by("id"):
            scopes.append(Scope(source=f"grant:{g.pk}", categories=frozenset(g.categories or [])))
    return PlanAccess(relationships=rels, scopes=tuple(scopes))
