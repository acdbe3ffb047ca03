"""The ONE access decision, as every interface and service calls it: load, check, record the refusal, 404.

Decisions come from helhet.access.policy (pure tables) over facts from helhet.access.facts (private). Nothing
outside helhet/access decides access: services, selectors and views call these functions.

    load(actor, model, pk, action, ...)           the loader: an object by id for an action, or NotFound (+ 'denied')
    get_person(actor, pk, action=...)             the loader for a person
    check(actor, action, person)                  a person action; returns the reason (relationship)
    check_object(actor, action, obj)              an action on a request, notification, organisation, unit ...
    check_role(actor, action)                     an action decided by role alone (registering a person, the KE lists)
    may / may_object / may_role                   the same questions without an audit event (buttons, menus)
    allowed_actions(actor, person)                every person action allowed now (for buttons)
    visible_persons_q(actor)                      Q over Person for lists (agrees with check(); tested)
    objects_q(actor, action, model)               Q over a model's rows the actor may do `action` on (lists)
    organizations_for(actor, action)              organisations the actor may do an organisation action for
    plan_access(actor, plan)                      what of one plan the actor may read (categories, scopes)
    plan_read(actor, plan_id)                     the plan read's loader: load + check + plan_access, one round trip
    person_access(actor, person)                  what of one person's record the actor may read (field by field)

A refusal always leaves a 'denied' audit event. Inside a transaction that the refusal itself will roll back
(a service's `transaction.atomic`), the event is kept aside and written when the request ends
(RefusalAuditMiddleware) — so a refusal is never rolled back with the write it refused.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from helhet.audit.services import record
from helhet.core.errors import NotFound

from . import facts
from .policy import (
    CARE_RELATIONSHIPS,
    CATEGORY_LIMITED,
    FIELD_RULES,
    ROLE_ONLY,
    TABLE,
    Action,
    Field,
    Rel,
    Scope,
    category_reason,
    consent_covers,
    field_visible,
    involvement_visible,
    may_see_category,
    permits,
    plan_readable,
    reason,
    sees_whole_plan,
)

# What other modules may use. The raw facts (an actor's tenants, roles, memberships) are not here: they stay in
# helhet.access.facts, which only helhet/access imports (tests/access/test_access_in_one_place.py).
__all__ = [
    "PersonAccess", "PlanAccess", "RefusalAuditMiddleware",
    "acting_ke_organization", "acting_unit", "acting_units", "allowed_actions", "check", "check_object", "check_plan", "check_role",
    "plan_read",
    "check_with_relationships", "deny", "plan_relationships", "flush_refusals", "get_person", "load", "may", "may_object", "may_role",
    "member_organizations", "objects_q", "organizations", "organizations_for", "permitted_actions", "person_access", "plan_access",
    "primary_organization", "registering_unit", "relationships_to", "requires_two_factor", "sharing_consent_facts",
    "visible_persons_q",
]

# ---------------------------------------------------------------- refusals: always recorded, never rolled back

_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("helhet_pending_refusals", default=None)


def _in_rollbackable_transaction() -> bool:
    """Inside an atomic block that an exception will roll back (test-case wrappers excepted)?"""
    conn = transaction.get_connection()
    return any(not getattr(block, "_from_testcase", False) for block in getattr(conn, "atomic_blocks", []))


def _deny(user, action, *, obj=None, person=None, object_type=None, object_id=None) -> NotFound:
    """Record a refusal (now, or when the request ends if a rollback would take it along) and return the 404."""
    event = {"actor": user, "action": "denied", "obj": obj, "object_type": object_type, "object_id": object_id,
             "person": person, "summary": str(action), "detail": {"action": str(action)}}
    if _in_rollbackable_transaction():
        pending = _pending.get()
        if pending is None:
            pending = []
            _pending.set(pending)
        pending.append(event)
    else:
        record(**event)
    return NotFound()


def deny(user, action, *, obj=None, person=None):
    """Refuse: record the 'denied' event (never rolled back) and raise NotFound. For a refusal found by another
    decision of this module (e.g. a message thread's category is not covered)."""
    raise _deny(user, action, obj=obj, person=person)


def flush_refusals() -> int:
    """Write the refusals kept aside during this request (RefusalAuditMiddleware calls it). Returns how many."""
    pending = _pending.get()
    if not pending:
        return 0
    _pending.set(None)
    for event in pending:
        record(**event)
    return len(pending)


class RefusalAuditMiddleware:
    """Writes refusals kept aside inside rolled-back transactions, after the view (and its transaction) is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _pending.set(None)
        try:
            return self.get_response(request)
        finally:
            flush_refusals()


# ---------------------------------------------------------------- person actions


def _context(user):
    return facts.actor_context(user)


def _with_derived(ctx, rels: frozenset[str]) -> frozenset[str]:
    """Add HEALTH_CARER: health personnel with a care relationship (helsepersonelloven § 25's 'samarbeidende')."""
    if ctx.is_health_personnel and {Rel(r) for r in rels} & CARE_RELATIONSHIPS:
        return rels | {Rel.HEALTH_CARER.value}
    return rels


def relationships_to(user, person, *, day: dt.date | None = None) -> frozenset[str]:
    """The actor's relationships to the person (with the derived ones). For passing back into this module."""
    return _with_derived(_context(user), facts.relationships(user, person, day=day))


def visible_persons_q(user, *, action: Action = Action.PERSON_VIEW, day: dt.date | None = None) -> Q:
    """Q over Person: the persons this actor may do `action` on (default: see).

    The branches that name the actor's own rows (`pk IN (subquery)`: their appointments, involvements, plan groups,
    grants ...) are put together as ONE `pk IN (... UNION ALL ...)`: for a coordinator or a teacher, whose persons are
    few, PostgreSQL then joins just those persons instead of filtering every person of the tenant through an OR
    (issue 14, docs/performance.md "Lister som ikke vokser"). The same set as the OR of the branches."""
    ctx = _context(user)
    q = Q(pk__in=[])
    own = []
    for rel, branch in facts.branches(ctx, day or facts.today()).items():
        if permits(ctx.roles, {rel}, action):
            rows = facts.person_id_rows(branch)
            if rows is None:
                q |= branch
            else:
                own.append(rows)
    if own:
        q |= Q(pk__in=own[0].union(*own[1:], all=True) if len(own) > 1 else own[0])
    return q


def check(user, action: Action, person, *, day: dt.date | None = None) -> str:
    """Return the reason (relationship) that allows `action` on `person`, or raise NotFound and audit the refusal."""
    return check_with_relationships(user, action, person, day=day)[0]


def check_with_relationships(user, action: Action, person, *, day: dt.date | None = None) -> tuple[str, frozenset[str]]:
    """check(), also returning the relationships it found (plan reads pass them on to plan_access: no second query)."""
    ctx = _context(user)
    rels = relationships_to(user, person, day=day)
    if permits(ctx.roles, rels, action):
        return reason(rels, action), rels
    raise _deny(user, action, obj=person, person=person)


def may(user, action: Action, person, *, rels: frozenset[str] | None = None) -> bool:
    """The same question as check(), without an audit event: for showing a button or a link."""
    rels = relationships_to(user, person) if rels is None else rels
    return permits(_context(user).roles, rels, action)


def check_role(user, action: Action) -> None:
    """For actions decided by role alone (registering a person, the KE's lists)."""
    if not may_role(user, action):
        raise _deny(user, action, object_type="action", object_id=str(action))


def may_role(user, action: Action) -> bool:
    return permits(_context(user).roles, frozenset(), action)


def requires_two_factor(user) -> bool:
    """Must this user log in with two factors? (administrators and staff accounts always; otherwise by role)."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False) or may_role(user, Action.TWO_FACTOR_REQUIRED))


def allowed_actions(user, person, *, rels: frozenset[str] | None = None) -> frozenset[str]:
    """Every person action the actor may do on this person now (one query): for showing or hiding buttons."""
    ctx = _context(user)
    rels = relationships_to(user, person) if rels is None else rels
    return frozenset(a.value for a in Action if a not in ROLE_ONLY and permits(ctx.roles, rels, a))


# ---------------------------------------------------------------- the loader


def load(user, model, pk, action: Action | None, *, person_of=lambda obj: obj.person, object_action: Action | None = None,
         queryset=None):
    """Load one object by id for an action: (object, reason), or NotFound with a 'denied' audit event.

    `action`: a person action checked on person_of(obj) (None: none); `object_action`: an action on the object itself
    (its own relationships: a request's tenant, a notification's receiver ...). Both must allow when both are given.
    A malformed or unknown id is a plain 404 (nothing of anyone's was refused).
    """
    qs = queryset if queryset is not None else model._default_manager.all()
    try:
        obj = qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    why = ""
    person = person_of(obj) if person_of is not None else None
    if action is not None:
        why = check(user, action, person)
    if object_action is not None:
        why = check_object(user, object_action, obj, person=person) or why
    return obj, why


def get_person(user, pk, *, action: Action = Action.PERSON_VIEW):
    """Load a person the actor may act on, or 404 (with a 'denied' audit event when it exists)."""
    from helhet.people.models import Person

    return load(user, Person, pk, action, person_of=lambda p: p, queryset=Person.objects.select_related("home_municipality"))


# ---------------------------------------------------------------- actions on objects and organisations


def object_relationships(user, obj) -> frozenset[str]:
    return facts.object_relationships(_context(user), obj)


def check_object(user, action: Action, obj, *, person=None) -> str:
    """An action on a request, need notification, transfer, disagreement, organisation, unit or appointment."""
    rels = object_relationships(user, obj)
    if permits(_context(user).roles, rels, action):
        return reason(rels, action)
    if person is None:
        person = getattr(obj, "person", None) if obj._meta.model_name not in ("organization", "serviceunit") else None
    raise _deny(user, action, obj=obj, person=person)


def may_object(user, action: Action, obj) -> bool:
    return permits(_context(user).roles, object_relationships(user, obj), action)


def organizations_for(user, action: Action) -> frozenset[int]:
    """Ids of the organisations for which the actor may do an organisation action (GUIDELINE_SET, RULES_READ_LOCAL,
    KE_WORKLIST: the tenants whose KE lists they see). Lists filter by these; single objects use check_object."""
    ctx = _context(user)
    if action == Action.KE_WORKLIST:
        return facts.org_ids_with(ctx, Rel.ORG_KE) if may_role(user, action) else frozenset()
    out: set[int] = set()
    for rel in TABLE.get(Action(action), set()):
        out |= facts.org_ids_with(ctx, rel)
    return frozenset(out)


def organizations(user, action: Action) -> list:
    """The Organization objects of organizations_for (from the actor's memberships: no query), sorted by name."""
    ids = organizations_for(user, action)
    found = {m.unit.organization_id: m.unit.organization for m in _context(user).memberships if m.unit.organization_id in ids}
    return sorted(found.values(), key=lambda o: o.name)


def objects_q(user, action: Action, model) -> Q:
    """Q over `model`'s rows on which the actor may do `action` (the list form of check_object; tests agree them)."""
    ctx = _context(user)
    q = Q(pk__in=[])
    for rel in TABLE.get(Action(action), set()):
        q |= facts.object_q(ctx, model._meta.model_name, rel)
    return q


def acting_unit(user):
    """The unit the actor acts for (their first active membership), for recording who did something."""
    ctx = _context(user)
    return ctx.memberships[0].unit if ctx.memberships else None


def member_organizations(user) -> frozenset[int]:
    """The organisations the actor works in (to offer their units in a choice list; not an access decision)."""
    return _context(user).org_ids


def acting_units(user) -> list:
    """The units the actor works in (active memberships, first first), e.g. to pick the sending unit."""
    return [m.unit for m in _context(user).memberships]


def registering_unit(user):
    """The unit that becomes involved with a person the actor registers: the unit where they may register persons."""
    roles = ROLE_ONLY[Action.PERSON_CREATE]
    return next((m.unit for m in _context(user).memberships if m.role in roles), None)


def primary_organization(user):
    return _context(user).primary_organization


def acting_ke_organization(user, person):
    """The tenant a KE officer acts for on this person: the person's home municipality if they are its KE, else their
    own KE tenant; NotFound when they are no KE officer."""
    ctx = _context(user)
    if person.home_municipality_id in ctx.ke_org_ids:
        return person.home_municipality
    for m in ctx.memberships:
        if m.role == "ke_officer":
            return m.unit.organization
    raise _deny(user, Action.REQUEST_CREATE, obj=person, person=person)


# ---------------------------------------------------------------- scopes: consents, grants, the health rule


def sharing_consent_facts(person_id, day: dt.date):
    """The person's valid sharing consents as facts (whom each names, which categories): for the renewal list."""
    return facts.sharing_consent_facts(person_id, day)



def _scopes(user, person_id, rels: frozenset[str], day: dt.date, *, sharing=None) -> tuple[Scope, ...]:
    """Every reason the actor may see some categories of this person's data: consents naming them, grants, and the
    rule on cooperating health personnel (HEALTH_CARER, unless the person objected). A fixed number of queries.
    `sharing`: the person's sharing-consent facts on `day` when the caller has them (plan_read fetched them)."""
    rel_set = {Rel(r) for r in rels}
    if not rel_set & CATEGORY_LIMITED:
        return ()
    scopes: list[Scope] = []
    mine = facts.participations(user, person_id)
    for consent in facts.sharing_consent_facts(person_id, day) if sharing is None else sharing:
        if consent_covers(consent, user.pk, mine):
            scopes.append(Scope(source=f"consent:{consent.id}", categories=consent.categories))
    if Rel.GRANT in rel_set:
        scopes += [Scope(source=f"grant:{gid}", categories=cats) for gid, cats in facts.grant_scopes(user, person_id, day)]
    if Rel.HEALTH_CARER in rel_set:
        rule = facts.health_rule(person_id, day)
        if rule is not None:
            scopes.append(Scope(source=f"rule:{rule[0]}", categories=rule[1]))
    return tuple(scopes)


@dataclass
class PlanAccess:
    """What one actor may see of one plan today: relationships (incl. Rel.PLAN_KE) and scopes."""

    relationships: frozenset[str]
    scopes: tuple[Scope, ...]
    why: str = ""
    # The person's valid sharing consents as facts, when the read fetched them with the decision (plan_read on
    # PostgreSQL): the consent-renewal list uses them instead of asking again. None: not fetched.
    sharing_consents: tuple | None = None

    @property
    def whole_plan(self) -> bool:
        return sees_whole_plan(self.relationships)

    def may_see(self, category: str) -> bool:
        return may_see_category(self.relationships, category, self.scopes)

    def reason_for(self, category: str) -> str:
        return category_reason(self.relationships, category, self.scopes)

    def sees_field(self, field: Field | str) -> bool:
        """A part of the person's own record shown with the plan (birth date, language): the record's rules."""
        return field_visible(self.relationships, field, self.scopes)


def plan_access(user, plan, *, rels: frozenset[str] | None = None, day: dt.date | None = None, refuse: bool = True,
                sharing=None) -> PlanAccess | None:
    """The facts for may_see_category, fetched ONCE per read (a fixed number of queries, never per item).

    Also the plan's own rule: when its plan-work consent no longer holds, only the person, their representative,
    the municipal coordinator and the responsible KE read it (policy.plan_readable) — anyone else gets NotFound.
    refuse=False: None instead of a refusal, and no PLAN_VIEW check needed by the caller (e.g. choosing whom to send
    minutes to: the recipient asked for nothing, so nothing is refused).
    """
    ctx = _context(user)
    day = day or facts.today()
    person = plan.person
    rels = plan_relationships(user, plan, rels=rels, day=day)
    if not refuse and not permits(ctx.roles, rels, Action.PLAN_VIEW):
        return None
    if not plan_readable(rels, facts.plan_consent_valid(plan, day)):
        if not refuse:
            return None
        raise _deny(user, Action.PLAN_VIEW, obj=plan, person=person)
    shared = None if sharing is None else tuple(sharing)
    if sees_whole_plan(rels):
        return PlanAccess(relationships=rels, scopes=(), sharing_consents=shared)
    return PlanAccess(relationships=rels, scopes=_scopes(user, person.pk, rels, day, sharing=shared), sharing_consents=shared)


# The largest id a PostgreSQL bigint holds: a larger (or malformed) plan id finds nothing (a plain 404, as load()).
_MAX_ID = 2**63 - 1


def plan_read(user, plan_id, *, action: Action = Action.PLAN_VIEW, day: dt.date | None = None):
    """The loader of a plan read: (plan, reason, PlanAccess), or NotFound.

    The same decision as load() + check_with_relationships(action, plan.person) + plan_access(), with its facts
    fetched together (facts.plan_read_facts): on PostgreSQL the plan row, the actor's memberships, the relationships
    to the plan's person and the person's sharing-consent facts (for a staff actor: their scopes, or the renewal list
    of a whole-plan editor) in ONE round trip; on SQLite one query each, the sharing-consent facts only when a
    decision needs them. An unknown or malformed id is a plain 404; a refusal leaves its 'denied' event, as check()."""
    try:
        pk = int(plan_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk <= _MAX_ID:
        raise NotFound()
    day = day or facts.today()
    ctx = getattr(user, "_helhet_ctx", None)
    # Staff read sharing consents on every plan read (scopes, or the renewal list); the person and whoever acts for
    # them see the whole plan without them. Unknown before the memberships are read: fetched.
    sharing = facts.batched() and (ctx is None or bool(ctx.roles))
    found = facts.plan_read_facts(user, pk, day, sharing=sharing)
    plan = found.plan
    if plan is None:
        raise NotFound()
    ctx = _context(user)
    rels = _with_derived(ctx, found.relationships)
    if not permits(ctx.roles, rels, action):
        raise _deny(user, action, obj=plan.person, person=plan.person)
    return plan, reason(rels, action), plan_access(user, plan, rels=rels, day=day, sharing=found.sharing)


def plan_relationships(user, plan, *, rels: frozenset[str] | None = None, day: dt.date | None = None) -> frozenset[str]:
    """The actor's relationships to the plan's person, plus plan_ke when they are a KE officer of the plan's
    responsible tenant (the main unit's organisation) or of the person's home municipality."""
    ctx = _context(user)
    person = plan.person
    rels = set(relationships_to(user, person, day=day) if rels is None else rels)
    if Rel.KE in rels and (plan.main_unit.organization_id in ctx.ke_org_ids or person.home_municipality_id in ctx.ke_org_ids):
        rels.add(Rel.PLAN_KE)
    return frozenset(rels)


def check_plan(user, action: Action, plan, *, day: dt.date | None = None) -> str:
    """An action on an existing plan (edit, publish, close, reopen, main responsibility, meetings): decided with the
    plan's relationships (plan_ke). Returns the reason, or records the refusal and raises NotFound."""
    rels = plan_relationships(user, plan, day=day)
    if permits(_context(user).roles, rels, action):
        return reason(rels, action)
    raise _deny(user, action, obj=plan, person=plan.person)


def permitted_actions(user, rels: frozenset[str], *, prefix: str = "") -> list[str]:
    """The actions (optionally those starting with `prefix`, e.g. 'plan.') these relationships allow the actor."""
    roles = _context(user).roles
    return sorted(a.value for a in Action if a not in ROLE_ONLY and a.value.startswith(prefix) and permits(roles, rels, a))


@dataclass
class PersonAccess:
    """What one actor may see of one person's record today (policy.FIELD_RULES), with the facts fetched once."""

    relationships: frozenset[str]
    scopes: tuple[Scope, ...]
    unit_ids: frozenset[int]
    user_id: int | None

    def sees(self, field: Field | str) -> bool:
        return field_visible(self.relationships, field, self.scopes)

    def sees_involvement(self, involvement) -> bool:
        own = involvement.unit_id in self.unit_ids or (self.user_id is not None and involvement.staff_id == self.user_id)
        return involvement_visible(self.relationships, involvement.unit.sector, own, self.scopes)

    def sees_consent(self, consent) -> bool:
        """Every consent for the ALWAYS relationships; others only a sharing consent that is one of their scopes."""
        return self.sees(Field.CONSENTS) or f"consent:{consent.pk}" in {s.source for s in self.scopes}


def person_access(user, person, *, rels: frozenset[str] | None = None, day: dt.date | None = None) -> PersonAccess:
    ctx = _context(user)
    day = day or facts.today()
    rels = relationships_to(user, person, day=day) if rels is None else rels
    # Readers who see the whole record need no scopes (saves the consent queries on the KE's and coordinator's pages).
    scopes = () if {Rel(r) for r in rels} & FIELD_RULES[Field.CONSENTS].always else _scopes(user, person.pk, rels, day)
    return PersonAccess(relationships=rels, scopes=scopes, unit_ids=ctx.unit_ids, user_id=getattr(user, "pk", None))


# ---------------------------------------------------------------- plans for lists (issue 14)


def readable_plans_q(user, *, day: dt.date | None = None) -> Q:
    """Q over IndividualPlan: the plans the actor may read on `day` (today), the list form of
    `plan_access(user, plan, refuse=False) is not None`: PLAN_VIEW on the plan's person (visible_persons_q), and the
    plan's own rule (policy.plan_readable): its plan-work consent holds, or the actor stands to the person as one of
    PLAN_WITHOUT_CONSENT (the person, whoever acts for them, the coordinator; plan_ke: a KE officer of the person, of
    the plan's responsible tenant or the person's home municipality). For lists paged in the database (the calendar);
    tests/workspace/test_calendar_paging.py checks that it agrees with plan_access."""
    from helhet.consent.models import valid_consents_q
    from helhet.people.models import Person

    from .policy import PLAN_WITHOUT_CONSENT

    ctx = _context(user)
    day = day or facts.today()
    q = Q(person__in=Person.objects.filter(visible_persons_q(user, action=Action.PLAN_VIEW, day=day)).values("pk"))
    found = facts.branches(ctx, day)
    exempt = Q(pk__in=[])
    for rel in PLAN_WITHOUT_CONSENT:
        if rel in found:
            exempt |= found[rel]
    without_consent = Q(person__in=Person.objects.filter(exempt).values("pk"))
    if Rel.PLAN_KE in PLAN_WITHOUT_CONSENT and Rel.KE in found:
        ke = list(ctx.ke_org_ids)
        without_consent |= Q(person__in=Person.objects.filter(found[Rel.KE]).values("pk")) & (
            Q(main_unit__organization_id__in=ke) | Q(person__home_municipality_id__in=ke))
    return q & (valid_consents_q(day, prefix="consent__") | without_consent)


def person_consents_q(access: PersonAccess) -> Q:
    """Q over Consent, for one person's consents (the caller filters by person): the list form of
    PersonAccess.sees_consent — every consent for the readers who see the whole record's consents, else only the
    sharing consents that are one of the reader's scopes."""
    if access.sees(Field.CONSENTS):
        return Q()
    return Q(pk__in=[int(s.source.split(":", 1)[1]) for s in access.scopes if s.source.startswith("consent:")])


__all__ += ["person_consents_q", "readable_plans_q"]
