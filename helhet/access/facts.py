"""The raw facts the policy decides by: who the actor is (roles, tenants, units) and how they stand to a person
or to an object (a request, a need notification, an organisation ...).

PRIVATE to helhet/access: no module outside it may import this one (tests/access/test_access_in_one_place.py
checks the import graph). Everything here reads the database and returns plain facts; nothing here decides.
helhet.access.queries turns these facts into decisions through helhet.access.policy.

Relationship branches (one Q over Person each) are written here, next to each other, for every app whose rows
make a relationship: people (involvements, relatives), cases (coordinator appointments, requests), plans
(plan-group membership), coordination (open need notifications, transfers, disagreements) and access (grants).
Other apps' MODELS are imported lazily; never their services or selectors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import IsNull
from django.utils import timezone

from .policy import HEALTH_SECTORS, PLAN_START_SECTORS, Participation, Rel, SharingConsentFacts


@dataclass
class ActorContext:
    user: object
    roles: frozenset[str]
    ke_org_ids: frozenset[int]
    leader_unit_ids: frozenset[int]
    unit_ids: frozenset[int]
    org_ids: frozenset[int]
    health_unit_ids: frozenset[int] = frozenset()  # the actor's units in a health sector (helsepersonell)
    primary_role: str = ""
    primary_organization: object | None = None
    memberships: list = field(default_factory=list)

    @property
    def is_health_personnel(self) -> bool:
        return bool(self.health_unit_ids)


def actor_context(user) -> ActorContext:
    """The actor's active memberships, computed once per request and cached on the user object."""
    ctx = getattr(user, "_helhet_ctx", None)
    if ctx is not None:
        return ctx
    memberships = []
    if _signed_in(user):
        memberships = fetch([(_memberships_statement(connection.alias), {_USER_SENTINEL: user.pk})])[0]
    return _cache_context(user, memberships)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and bool(getattr(user, "pk", None))


def _cache_context(user, memberships: list) -> ActorContext:
    """The ActorContext of these active memberships (Membership instances with unit and organisation), cached on the user."""
    for m in memberships:
        m.user = user  # as user.memberships would: m.user is the actor, no query
    primary = memberships[0] if memberships else None
    ctx = ActorContext(
        user=user,
        roles=frozenset(m.role for m in memberships),
        ke_org_ids=frozenset(m.unit.organization_id for m in memberships if m.role == "ke_officer"),
        leader_unit_ids=frozenset(m.unit_id for m in memberships if m.role == "unit_leader"),
        unit_ids=frozenset(m.unit_id for m in memberships),
        org_ids=frozenset(m.unit.organization_id for m in memberships),
        health_unit_ids=frozenset(m.unit_id for m in memberships if m.unit.sector in HEALTH_SECTORS),
        primary_role=primary.role if primary else "",
        primary_organization=primary.unit.organization if primary else None,
        memberships=memberships,
    )
    if user is not None:
        try:
            user._helhet_ctx = ctx
        except AttributeError:  # AnonymousUser has slots-free attributes, but be safe
            pass
    if _signed_in(user):
        if len(_LAST_SEEN) >= _COMPILED_MAX:
            _LAST_SEEN.clear()
        _LAST_SEEN[(connection.alias, user.pk)] = (ctx.ke_org_ids, ctx.leader_unit_ids)
    return ctx


# ---------------------------------------------------------------- statements compiled once, run in one round trip
#
# The statements of an access decision (the plan row, the actor's memberships, the relationships, the sharing-consent
# facts) are compiled ONCE per process with sentinel ids and run with the real ids as parameters: compiling a queryset
# cost more than running it (issue 14). On PostgreSQL with client-side binding (Django's default) several statements
# go to the server as ONE round trip (";"-joined, read back with cursor.nextset(), as helhet.plans.documents does); on
# SQLite (and with server-side binding) they run one by one, so the query count is the same as one query each.

_USER_SENTINEL, _PLAN_SENTINEL = -7_391_112_883, -7_391_112_884


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple
    compiler: object | None  # rows through its converters; None: raw rows
    instances: bool = False  # rows as model instances (with the select_related objects), as the queryset would give


_STATEMENTS: dict[tuple, Statement] = {}


def statement(key: tuple, build, *, instances: bool = False, alias: str | None = None) -> Statement:
    """The compiled statement for `key` (its SQL must depend on nothing else), built by `build()` -> queryset once."""
    key = (connection.vendor, *key)
    found = _STATEMENTS.get(key)
    if found is None:
        compiler = build().query.get_compiler(using=alias or connection.alias)
        sql, params = compiler.as_sql()
        found = Statement(sql=sql, params=tuple(params), compiler=compiler, instances=instances)
        if len(_STATEMENTS) >= _COMPILED_MAX:
            _STATEMENTS.clear()
        _STATEMENTS[key] = found
    return found


def _one_round_trip(conn) -> bool:
    return conn.vendor == "postgresql" and not conn.settings_dict.get("OPTIONS", {}).get("server_side_binding")


def batched() -> bool:
    """Do several statements go to the database in one round trip here?"""
    return _one_round_trip(connection)


def fetch(items: list[tuple[Statement, dict]]) -> list[list]:
    """Run the statements, each with its sentinel ids replaced ({sentinel: id}); their rows, in order."""
    def params(st: Statement, ids: dict) -> list:
        return [ids.get(p, p) if type(p) is int else p for p in st.params]

    results: list[list] = []
    with connection.cursor() as cursor:
        if len(items) > 1 and _one_round_trip(connection):
            cursor.execute(";\n".join(st.sql for st, _ids in items), [p for st, ids in items for p in params(st, ids)])
            for i in range(len(items)):
                if i:
                    cursor.nextset()
                results.append(cursor.fetchall())
        else:
            for st, ids in items:
                cursor.execute(st.sql, params(st, ids))
                results.append(cursor.fetchall())
    return [_rows(st, rows) for (st, _ids), rows in zip(items, results, strict=True)]


def _rows(st: Statement, rows: list) -> list:
    if st.compiler is None:
        return rows
    compiler = st.compiler
    converted = list(compiler.results_iter(results=[rows]))
    if not st.instances:
        return converted
    from django.db.models.query import get_related_populators

    alias = compiler.using
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    populators = get_related_populators(klass_info, select, alias)
    out = []
    for row in converted:
        obj = model.from_db(alias, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        out.append(obj)
    return out


def _memberships_statement(alias: str) -> Statement:
    from helhet.organizations.models import Membership

    return statement(("memberships", alias), lambda: Membership.objects.filter(user_id=_USER_SENTINEL, active=True)
                     .select_related("unit__organization").order_by("id"), instances=True)


# Per process: the (KE tenants, led units) each actor had at their last request. The plan read compiles its
# relationship statement for these and sends it with the memberships in one round trip; when the memberships just
# read say otherwise (a role was given or taken), the statement is built again for them and run once more.
_LAST_SEEN: dict[tuple, tuple[frozenset[int], frozenset[int]]] = {}


def today() -> dt.date:
    return timezone.localdate()


def _active_period_q(day: dt.date, prefix: str = "", exclusive_end: bool = False) -> Q:
    end_q = Q(**{f"{prefix}end__gt": day}) if exclusive_end else Q(**{f"{prefix}end__gte": day})
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | end_q)


def _none() -> Q:
    return Q(pk__in=[])


def person_id_rows(branch: Q):
    """The subquery of a branch of the form `pk IN (subquery of person ids)`, without its ordering, else None
    (queries.visible_persons_q unions these)."""
    if branch.connector == Q.AND and not branch.negated and len(branch.children) == 1:
        child = branch.children[0]
        if isinstance(child, tuple) and child[0] == "pk__in" and isinstance(child[1], QuerySet):
            return child[1].order_by()
    return None


def _has_row(rows, person: str = "person_id") -> Q:
    """The persons with a row in `rows`, probed person by person: `(SELECT id ... WHERE person_id = person.id LIMIT 1)
    IS NOT NULL`, a correlated EXISTS that PostgreSQL cannot turn into a hashed subplan. For the branches whose rows grow
    with the tenant (a KE's or a unit leader's): `pk IN (subquery)` or EXISTS under an OR made PostgreSQL read and hash
    every such row of the tenant before the first person of a list; probing the rows' person index stops after one page
    of the name-ordered list (issue 14, docs/performance.md "Lister som ikke vokser"). The actor's own rows (their
    appointments, involvements, grants ...) stay `pk IN (...)`: few rows, hashed once."""
    return Q(IsNull(Subquery(rows.filter(**{person: OuterRef("pk")}).order_by().values("pk")[:1]), False))


def branches(ctx: ActorContext, day: dt.date) -> dict[Rel, Q]:
    """One Q over Person per relationship; used for lists (OR of all) and for single checks."""
    from helhet.access.models import AccessGrant, active_grants_q
    from helhet.cases.models import CoordinatorAppointment, Request
    from helhet.consent.models import valid_consents_q
    from helhet.coordination.models import Disagreement, NeedNotification, Transfer
    from helhet.people.models import Involvement, Person, Relative
    from helhet.plans.models import Participant

    user = ctx.user
    out: dict[Rel, Q] = {}
    if ctx.ke_org_ids:
        orgs = list(ctx.ke_org_ids)
        involved_here = Involvement.objects.filter(_active_period_q(day), unit__organization_id__in=orgs)
        # A request counts until the person has moved away from the tenant that handled it (a completed move from it, on or
        # after the day the request came in); an unfinished case keeps counting, so the deciding body can finish it
        # (docs/decisions/0009-moves-end-rights.md). The deciding KE keeps its request through CASE_KE (object_relationships).
        moved_away = Transfer.objects.filter(kind=Transfer.Kind.MOVE, status=Transfer.Status.COMPLETED, person_id=OuterRef("person_id"),
                                             from_organization_id=OuterRef("organization_id"), completed_on__gte=OuterRef("received_on"))
        requested_here = (Request.objects.filter(organization_id__in=orgs)
                          .filter(Q(status__in=list(OPEN_REQUEST_STATUSES)) | ~Exists(moved_away)))
        # Open coordination items make the receiving KE stand to the person while they are open (it must be able
        # to appoint): a need notification sent to it, a transfer to it, a disagreement it is a party to.
        notified = NeedNotification.objects.filter(to_organization_id__in=orgs, status__in=NeedNotification.OPEN)
        transferred = Transfer.objects.filter(to_organization_id__in=orgs, status=Transfer.Status.OPEN)
        disputed = Disagreement.objects.filter(Q(municipality_id__in=orgs) | Q(health_trust_id__in=orgs),
                                               status=Disagreement.Status.OPEN)
        out[Rel.KE] = (Q(home_municipality_id__in=orgs) | _has_row(involved_here) | _has_row(requested_here)
                       | _has_row(notified) | _has_row(transferred) | _has_row(disputed))
    if user is not None and getattr(user, "is_authenticated", False):
        appointed = CoordinatorAppointment.objects.filter(_active_period_q(day, exclusive_end=True), coordinator=user)
        hospital = CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR
        out[Rel.COORDINATOR] = Q(pk__in=appointed.exclude(kind=hospital).values("person_id"))
        out[Rel.HOSPITAL_COORDINATOR] = Q(pk__in=appointed.filter(kind=hospital).values("person_id"))
        out[Rel.INVOLVED_STAFF] = Q(pk__in=Involvement.objects.filter(_active_period_q(day), staff=user).values("person_id"))
        out[Rel.SELF] = (Q(pk__in=Person.objects.filter(national_id=user.national_id).values("pk"))
                         if getattr(user, "national_id", "") else _none())
        # A guardian or parent who may consent for the person, linked to a login (Relative.user), acts for them. A parent sees
        # only the frame (PARENT_LIMITED) of a young person past the age the rules narrow the parents' right to information,
        # and of one in the band where the rules let the child object (pbrl. § 3-4 second paragraph) while an objection that
        # health personnel judged should be respected holds (consent.ParentsInformationObjection). The rules speak of the
        # parents: a guardian who is not a parent keeps acting for the person (docs/decisions/0005).
        from helhet.consent.models import ParentsInformationObjection

        representing = Relative.objects.filter(user=user, may_consent=True)
        parent = Q(relationship=Relative.Relationship.PARENT)
        not_representing = limited = None
        narrowed = parents_information_ages(day)
        if narrowed is not None:
            narrowed_from, ends_at = narrowed
            not_representing = parent & Q(person__birth_date__lte=_born_by(day, narrowed_from))
            limited = not_representing if ends_at is None else not_representing & Q(person__birth_date__gt=_born_by(day, ends_at))
        may_object = child_objection_ages(day)
        if may_object is not None:
            from_age, below_age = may_object
            held = ParentsInformationObjection.objects.holding_on(day).values("person_id")
            objected = parent & Q(person__birth_date__lte=_born_by(day, from_age), person__birth_date__gt=_born_by(day, below_age),
                                  person_id__in=held)
            not_representing = objected if not_representing is None else not_representing | objected
            limited = objected if limited is None else limited | objected
        acting = representing if not_representing is None else representing.exclude(not_representing)
        out[Rel.REPRESENTATIVE] = Q(pk__in=acting.values("person_id"))
        if limited is not None:
            out[Rel.PARENT_LIMITED] = Q(pk__in=representing.filter(limited).values("person_id"))
        # Plan-group membership counts only while the plan-work consent holds: a withdrawal ends it at the next request
        # (closed plans stay readable to the group while their consent was not withdrawn).
        members = Participant.objects.filter(valid_consents_q(day, prefix="plan__consent__"), user=user, active=True,
                                             kind=Participant.Kind.STAFF)
        out[Rel.PLAN_PARTICIPANT] = Q(pk__in=members.values("plan__person_id"))
        out[Rel.GRANT] = Q(pk__in=AccessGrant.objects.filter(active_grants_q(day), grantee=user).values("person_id"))
        # A welfare service that gives the person services and has the duty to make the one plan (policy.PLAN_START_SECTORS):
        # named on its active involvement, or leading the involved unit.
        welfare = Involvement.objects.filter(_active_period_q(day), unit__sector__in=list(PLAN_START_SECTORS))
        out[Rel.WELFARE_SERVICE] = Q(pk__in=welfare.filter(staff=user).values("person_id"))
        if ctx.leader_unit_ids:
            out[Rel.WELFARE_SERVICE] |= _has_row(welfare.filter(unit_id__in=list(ctx.leader_unit_ids)))
    if ctx.leader_unit_ids:
        units = list(ctx.leader_unit_ids)
        led = Involvement.objects.filter(_active_period_q(day), unit_id__in=units)
        to_unit = NeedNotification.objects.filter(to_unit_id__in=units, status__in=NeedNotification.OPEN)
        out[Rel.UNIT_LEADER] = _has_row(led) | _has_row(to_unit)
    return out


# Request statuses of an unfinished case (cases.models.Request.Status): it keeps counting after a move.
OPEN_REQUEST_STATUSES = frozenset({"registered", "assessed", "appealed", "new_decision"})


def _born_by(day: dt.date, age: int) -> dt.date:
    """The latest birth date of someone who is `age` years old on `day` (Person.age_on's rule; 29 Feb -> 28 Feb)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return day.replace(year=day.year - age, day=28)


_PARENTS_INFO_CACHE: dict[dt.date, tuple[float, tuple[str, ...]]] = {}
_PARENTS_INFO_TTL = 300.0  # seconds: a changed rule applies within five minutes without a query on every request


def _parents_information_labels(day: dt.date) -> tuple[str, ...]:
    """helhet.consent.capacity.parents_information's answer for each age 0..25 under the rules in force on `day`
    (e.g. consent.parents-information); () when no rule speaks of it. Cached per day for a few minutes."""
    import time

    from helhet.consent import capacity
    from helhet.rules.models import Rule

    hit = _PARENTS_INFO_CACHE.get(day)
    if hit is not None and time.monotonic() - hit[0] < _PARENTS_INFO_TTL:
        return hit[1]
    rules = (Rule.objects.filter(organization__isnull=True, valid_from__lte=day)
             .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).only("code", "parameters"))
    facts_ = [f for f in capacity.rule_facts(rules) if "parents_information" in f.consent]
    labels = tuple(capacity.parents_information(age=a, rules=facts_)[0] for a in range(0, 26)) if facts_ else ()
    if len(_PARENTS_INFO_CACHE) > 8:
        _PARENTS_INFO_CACHE.clear()
    _PARENTS_INFO_CACHE[day] = (time.monotonic(), labels)
    return labels


def parents_information_ages(day: dt.date) -> tuple[int, int | None] | None:
    """From the rules in force on `day`: (the age from which parents get only what the parental responsibility needs,
    the age from which they get nothing as parents), or None when no rule narrows it."""
    labels = _parents_information_labels(day)
    narrowed = next((a for a, lab in enumerate(labels) if lab in ("parental_responsibility_only", "none")), None)
    if narrowed is None:
        return None
    return narrowed, next((a for a, lab in enumerate(labels) if lab == "none"), None)


def child_objection_ages(day: dt.date) -> tuple[int, int] | None:
    """From the rules in force on `day`: [from, below) the ages at which the parents are not informed when the child, for
    reasons that should be respected, does not want it ('unless_child_objects'), or None when no rule says so."""
    ages = [a for a, lab in enumerate(_parents_information_labels(day)) if lab == "unless_child_objects"]
    return (ages[0], ages[-1] + 1) if ages else None


def relationships(user, person, *, day: dt.date | None = None) -> frozenset[str]:
    """How the actor stands to this person today, as a set of Rel values (one query)."""
    ctx = actor_context(user)
    day = day or today()
    found = _relationship_statement(user, ctx.ke_org_ids, ctx.leader_unit_ids, day)
    if found is None:
        return frozenset()
    st, names = found
    return _relationship_row(fetch([(st, {_PERSON_SENTINEL: person.pk})])[0], names)


def _relationship_row(rows: list, names: tuple[str, ...]) -> frozenset[str]:
    row = rows[0] if rows else ()
    return frozenset(name.removeprefix("rel_") for name, value in zip(names, row, strict=False) if value)


def _relationship_statement(user, ke_org_ids, leader_unit_ids, day: dt.date, *, by_plan: bool = False):
    """(the relationship statement, its column names) for an actor with these KE tenants and led units on `day`, over
    the person of id _PERSON_SENTINEL, or (by_plan) the person of the plan of id _PLAN_SENTINEL; None: no branch."""
    from helhet.people.models import Person

    # The parents-information ages are baked into the SQL: the rules' answer is part of the key, so a changed rule
    # reaches the compiled query when its own few-minute cache does (_parents_information_labels).
    key = (connection.alias, connection.vendor, getattr(user, "pk", None), getattr(user, "national_id", ""),
           ke_org_ids, leader_unit_ids, day, _parents_information_labels(day), by_plan)
    compiled = _COMPILED.get(key)
    if compiled is None:
        ctx = ActorContext(user=user, roles=frozenset(), ke_org_ids=ke_org_ids, leader_unit_ids=leader_unit_ids,
                           unit_ids=frozenset(), org_ids=frozenset())
        found = branches(ctx, day)
        if not found:
            compiled = (None, ())
        else:
            annotations = {
                f"rel_{rel.value}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
                for rel, q in found.items()
            }
            if by_plan:
                from helhet.plans.models import IndividualPlan

                who = Q(pk=Subquery(IndividualPlan.objects.filter(pk=_PLAN_SENTINEL).values("person_id")[:1]))
            else:
                who = Q(pk=_PERSON_SENTINEL)
            qs = Person.objects.filter(who).annotate(**annotations).values(*annotations.keys())
            sql, params = qs.query.sql_with_params()
            compiled = (Statement(sql=sql, params=tuple(params), compiler=None), tuple(annotations))
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    return None if compiled[0] is None else compiled


# The relationship query's SQL depends only on who asks and on which day, never on the data: it is compiled once per
# (actor facts, day) and run with the person's id (compiling the ten-branch query was most of a check's cost).
_PERSON_SENTINEL = -7_391_112_881
_COMPILED: dict[tuple, tuple] = {}
_COMPILED_MAX = 2048


# ---------------------------------------------------------------- relationships to objects other than a person


def object_relationships(ctx: ActorContext, obj) -> frozenset[str]:
    """How the actor stands to a request, need notification, transfer, disagreement, organisation, unit or
    coordinator appointment (no query: the object's foreign keys against the actor's memberships)."""
    name = obj._meta.model_name
    user_id = getattr(ctx.user, "pk", None)
    out: set[Rel] = set()
    ke, leads = ctx.ke_org_ids, ctx.leader_unit_ids
    if name == "request":
        if obj.organization_id in ke:
            out.add(Rel.CASE_KE)
    elif name == "neednotification":
        if obj.to_organization_id in ke or obj.to_unit_id in leads or _outside_receiver(ctx, obj):
            out.add(Rel.RECEIVER)
        if obj.sent_by_id == user_id or obj.from_organization_id in ke:
            out.add(Rel.SENDER)
    elif name == "transfer":
        # A transfer to the hospital is received by its KE or by a leader of one of its units.
        if (obj.to_organization_id in ke or (obj.kind == "municipality_to_hospital" and obj.to_organization_id in _leader_org_ids(ctx))
                or _outside_receiver(ctx, obj)):
            out.add(Rel.RECEIVER)
        if obj.from_organization_id in ke or obj.created_by_id == user_id:
            out.add(Rel.SENDER)
    elif name == "disagreement":
        if obj.municipality_id in ke or obj.health_trust_id in ke:
            out.add(Rel.PARTY_KE)
        if obj.municipality_id in ke:
            out.add(Rel.MUNICIPALITY_KE)
    elif name == "organization":
        if obj.pk in ke:
            out.add(Rel.ORG_KE)
        if obj.pk in ctx.org_ids:
            out.add(Rel.ORG_MEMBER)
    elif name == "serviceunit":
        if obj.organization_id in ke:
            out.add(Rel.ORG_KE)
        if obj.pk in leads:
            out.add(Rel.UNIT_LEADER_OF)
    elif name == "municipality":  # a directory entry (helhet.directory): its KE is the tenant's with that number
        if obj.number in ke_municipality_numbers(ctx):
            out.add(Rel.ORG_KE)
    elif name == "coordinatorappointment":
        if obj.coordinator_id == user_id:
            out.add(Rel.APPOINTEE)
        if obj.unit.organization_id in ke or obj.person.home_municipality_id in ke:
            out.add(Rel.ORG_KE)
    return frozenset(r.value for r in out)


def ke_municipality_numbers(ctx: ActorContext) -> frozenset[str]:
    """The kommunenummer of each tenant the actor is KE officer of (from the memberships already loaded)."""
    return frozenset(m.unit.organization.municipality_number for m in ctx.memberships
                     if m.role == "ke_officer" and m.unit.organization.municipality_number)


def _outside_receiver(ctx: ActorContext, obj) -> bool:
    """An item addressed to a municipality outside Helhet (to_municipality, no tenant yet) is received by the KE of the
    tenant that later has that kommunenummer. Load such items with select_related("to_municipality")."""
    if obj.to_organization_id is not None or obj.to_municipality_id is None:
        return False
    return obj.to_municipality.number in ke_municipality_numbers(ctx)


def _leader_org_ids(ctx: ActorContext) -> set[int]:
    return {m.unit.organization_id for m in ctx.memberships if m.role == "unit_leader"}


def org_ids_with(ctx: ActorContext, rel: Rel) -> frozenset[int]:
    """The organisations the actor stands to as `rel` (ORG_KE or ORG_MEMBER), for list filters."""
    if rel == Rel.ORG_KE:
        return ctx.ke_org_ids
    if rel == Rel.ORG_MEMBER:
        return ctx.org_ids
    return frozenset()


# ---------------------------------------------------------------- consent facts


def sharing_consent_facts(person_id, day: dt.date) -> list[SharingConsentFacts]:
    """The person's sharing consents valid on `day`, as facts: ONE query (consent x recipients joined, folded here)."""
    return _fold_sharing(fetch([(_sharing_statement(day), {_PERSON_SENTINEL: person_id})])[0])


def _sharing_statement(day: dt.date, *, by_plan: bool = False) -> Statement:
    from helhet.consent.models import Consent

    def build():
        if by_plan:
            from helhet.plans.models import IndividualPlan

            person = Q(person_id=Subquery(IndividualPlan.objects.filter(pk=_PLAN_SENTINEL).values("person_id")[:1]))
        else:
            person = Q(person_id=_PERSON_SENTINEL)
        return (Consent.objects.valid_on(day).filter(person, kind=Consent.Kind.SHARING)
                .values_list("id", "categories", "created_at", "recipient_users", "recipient_units").order_by("id"))

    return statement(("sharing", connection.alias, day, by_plan), build)


def _fold_sharing(rows) -> list[SharingConsentFacts]:
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


# ---------------------------------------------------------------- the plan read's facts in one round trip


@dataclass
class PlanReadFacts:
    plan: object | None  # the IndividualPlan with person (and home municipality), main unit (and organisation), consent
    relationships: frozenset[str]  # to the plan's person (without the derived ones)
    sharing: list[SharingConsentFacts] | None  # the person's valid sharing consents when asked for, else None


def plan_read_facts(user, plan_id: int, day: dt.date, *, sharing: bool) -> PlanReadFacts:
    """The plan row, the actor's memberships (unless known for this request), their relationships to the plan's person
    and (sharing=True) the person's sharing-consent facts: one round trip on PostgreSQL, whatever the plan. The
    relationships are compiled for the actor's tenants and units as last seen (_LAST_SEEN); when the memberships
    just read differ, they are asked for once more. On SQLite: the plan row, the memberships, the relationships."""
    from helhet.plans.models import IndividualPlan

    alias = connection.alias
    ctx = getattr(user, "_helhet_ctx", None) if user is not None else None
    signed_in = _signed_in(user)
    if ctx is None and not signed_in:
        ctx = actor_context(user)
    plan_st = statement(("plan_row", alias), lambda: IndividualPlan.objects.filter(pk=_PLAN_SENTINEL)
                        .select_related("person__home_municipality", "main_unit__organization", "consent"), instances=True)
    ids = {_PLAN_SENTINEL: plan_id}
    items = [(plan_st, ids)]
    at: dict[str, int] = {}
    if ctx is None:
        at["memberships"] = len(items)
        items.append((_memberships_statement(alias), {_USER_SENTINEL: user.pk}))
        guess = _LAST_SEEN.get((alias, user.pk))
    else:
        guess = (ctx.ke_org_ids, ctx.leader_unit_ids)
    batch = _one_round_trip(connection)
    rel = None
    if batch and guess is not None:
        rel = _relationship_statement(user, guess[0], guess[1], day, by_plan=True)
        if rel is not None:
            at["relationships"] = len(items)
            items.append((rel[0], ids))
    if batch and sharing:
        at["sharing"] = len(items)
        items.append((_sharing_statement(day, by_plan=True), ids))
    rows = fetch(items)
    plan = rows[0][0] if rows[0] else None
    if ctx is None:
        ctx = _cache_context(user, rows[at["memberships"]])
    if plan is None:
        return PlanReadFacts(plan=None, relationships=frozenset(), sharing=None)
    if batch and guess == (ctx.ke_org_ids, ctx.leader_unit_ids):
        rels = frozenset() if rel is None else _relationship_row(rows[at["relationships"]], rel[1])
    else:
        rels = relationships(user, plan.person, day=day)
    facts_ = _fold_sharing(rows[at["sharing"]]) if "sharing" in at else None
    return PlanReadFacts(plan=plan, relationships=rels, sharing=facts_)


def participations(user, person_id) -> list[Participation]:
    from helhet.plans.models import Participant

    rows = Participant.objects.filter(plan__person_id=person_id, user=user, active=True, kind=Participant.Kind.STAFF).values_list("unit_id", "created_at")
    return [Participation(unit_id=u, since=at) for u, at in rows]


def grant_scopes(user, person_id, day: dt.date) -> list[tuple[int, frozenset[str]]]:
    from .models import AccessGrant, active_grants_q

    return [(g.pk, frozenset(g.categories or []))
            for g in AccessGrant.objects.filter(active_grants_q(day), grantee=user, person_id=person_id).order_by("id")]


HEALTH_RULE_CODE = "health-personnel.cooperation"


def health_rule(person_id, day: dt.date) -> tuple[str, frozenset[str]] | None:
    """The rule on cooperating health personnel, if in force on `day` and the person has not objected:
    (rule code, the categories it reaches, from the rule's parameters). Two small queries."""
    from helhet.rules.models import Rule

    from .models import HealthSharingObjection

    rule = (Rule.objects.filter(code=HEALTH_RULE_CODE, organization__isnull=True, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("-valid_from").first())
    if rule is None:
        return None
    if HealthSharingObjection.objects.active_on(day).filter(person_id=person_id).exists():
        return None
    return rule.code, frozenset((rule.parameters or {}).get("categories", []))


def plan_consent_valid(plan, day: dt.date) -> bool:
    """Does the plan-work consent the plan rests on hold on `day`? (plan.consent is loaded with the plan.)"""
    consent = plan.consent
    return consent is not None and consent.valid_on(day)


def object_q(ctx: ActorContext, model_name: str, rel: Rel) -> Q:
    """The list form of object_relationships: Q over the model's rows the actor stands to as `rel`.
    tests/access/test_object_relationships.py checks that the two agree."""
    user_id = getattr(ctx.user, "pk", None)
    ke, leads = list(ctx.ke_org_ids), list(ctx.leader_unit_ids)
    outside = Q(to_organization__isnull=True, to_municipality__number__in=list(ke_municipality_numbers(ctx)))
    table: dict[tuple[str, Rel], Q] = {
        ("request", Rel.CASE_KE): Q(organization_id__in=ke),
        ("neednotification", Rel.RECEIVER): Q(to_organization_id__in=ke) | Q(to_unit_id__in=leads) | outside,
        ("neednotification", Rel.SENDER): Q(sent_by_id=user_id) | Q(from_organization_id__in=ke),
        ("transfer", Rel.RECEIVER): (Q(to_organization_id__in=ke) | Q(kind="municipality_to_hospital", to_organization_id__in=list(_leader_org_ids(ctx)))
                                     | outside),
        ("transfer", Rel.SENDER): Q(from_organization_id__in=ke) | Q(created_by_id=user_id),
        ("disagreement", Rel.PARTY_KE): Q(municipality_id__in=ke) | Q(health_trust_id__in=ke),
        ("disagreement", Rel.MUNICIPALITY_KE): Q(municipality_id__in=ke),
        ("organization", Rel.ORG_KE): Q(pk__in=ke),
        ("organization", Rel.ORG_MEMBER): Q(pk__in=list(ctx.org_ids)),
        ("serviceunit", Rel.ORG_KE): Q(organization_id__in=ke),
        ("serviceunit", Rel.UNIT_LEADER_OF): Q(pk__in=leads),
        ("municipality", Rel.ORG_KE): Q(number__in=list(ke_municipality_numbers(ctx))),
        ("coordinatorappointment", Rel.APPOINTEE): Q(coordinator_id=user_id),
        ("coordinatorappointment", Rel.ORG_KE): Q(unit__organization_id__in=ke) | Q(person__home_municipality_id__in=ke),
    }
    return table.get((model_name, Rel(rel)), Q(pk__in=[]))
