"""Reads of consent: validity, the sharing scopes' renewal state, and expiring consents for the work lists."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .categories import CATEGORY_VALUES
from .categories import label as category_label
from .models import Consent, valid_consents_q  # noqa: F401  (valid_consents_q: re-exported for older imports)

EXPIRY_WARNING_DAYS = 30


def has_valid_consent(person, kinds: list[str], day: dt.date) -> bool:
    return Consent.objects.filter(valid_consents_q(day), person=person, kind__in=kinds).exists()


def consent_renewal_needed(plan, *, document: dict | None = None, day: dt.date | None = None, consents=None) -> list[dict]:
    """Active staff participants of the plan not covered by a valid sharing consent for every category the plan uses.

    Adding a participant or tagging content with a new category never extends a consent (policy.consent_covers):
    this is the coordinator's list of whom the consent must be renewed for ("samtykket må fornyes").
    `document`: the WHOLE plan document (plans.documents.build_document) when the caller has it: then this costs
    one query. A participant who is also the person's coordinator sees the whole plan anyway and is left out.
    `consents`: the person's sharing-consent facts on `day` when the caller has them (the plan read fetched them with
    its access decision, PlanAccess.sharing_consents): then no query.
    """
    from helhet.access.policy import Participation, consent_covers
    from helhet.access.queries import sharing_consent_facts

    day = day or timezone.localdate()
    if document is None:
        from helhet.plans.documents import build_document

        document = build_document(plan.pk)
    from helhet.consent.categories import SECTION_DEFAULTS

    used = {item.get("category") or SECTION_DEFAULTS[s] for s in SECTION_DEFAULTS for item in document.get(s, [])}
    iso = day.isoformat()
    coordinators = {c["user_id"] for c in document.get("coordinators", [])
                    if (c.get("start") or "") <= iso and (not c.get("end") or c["end"] > iso)}
    staff = [p for p in document.get("participants", []) if p["kind"] == "staff" and p["active"] and p.get("user_id")]
    if not staff:
        return []
    if consents is None:
        consents = sharing_consent_facts(document["person"]["id"], day)
    out = []
    seen: set[int] = set()
    for p in staff:
        if p["user_id"] in coordinators or p["user_id"] in seen:
            continue
        seen.add(p["user_id"])
        mine = [Participation(unit_id=q.get("unit_id"), since=_when(q["added_at"])) for q in staff if q["user_id"] == p["user_id"]]
        covering = [c for c in consents if consent_covers(c, p["user_id"], mine)]
        covered = set().union(*(c.categories for c in covering)) if covering else set()
        missing = [c for c in CATEGORY_VALUES if c in used and c not in covered]
        if covering and not missing:
            continue
        out.append({"participant_id": p["id"], "user_id": p["user_id"], "name": p["name"], "unit": p.get("unit") or "",
                    "no_consent": not covering, "missing": missing, "missing_labels": [category_label(c) for c in missing]})
    return out


def _when(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def expiring_consents_q(*, person_ids=None, day: dt.date | None = None, within_days: int = EXPIRY_WARNING_DAYS, expired_since_days: int = 90):
    """Sharing consents ending within `within_days` (still valid) and those that ended in the last `expired_since_days`,
    not withdrawn and not renewed (no newer valid sharing consent for the person reaching past the window), for the
    persons given (the caller passes only persons the actor may see). Index consent_kind_valid_to.
    A queryset with the person loaded, soonest first (expired ones first), id breaking ties: paged by its lists."""
    from django.db.models import Exists, OuterRef

    day = day or timezone.localdate()
    qs = Consent.objects.filter(kind=Consent.Kind.SHARING, withdrawn_on__isnull=True, valid_to__isnull=False,
                                valid_to__gte=day - dt.timedelta(days=expired_since_days), valid_to__lte=day + dt.timedelta(days=within_days))
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    renewed = Consent.objects.filter(valid_consents_q(day), kind=Consent.Kind.SHARING, person_id=OuterRef("person_id"),
                                     valid_to__gt=day + dt.timedelta(days=within_days))
    return qs.exclude(Exists(renewed)).select_related("person").order_by("valid_to", "id")


def expiring_consents(*, person_ids=None, day: dt.date | None = None, within_days: int = EXPIRY_WARNING_DAYS, expired_since_days: int = 90):
    """expiring_consents_q as two lists: (expiring, expired)."""
    day = day or timezone.localdate()
    rows = list(expiring_consents_q(person_ids=person_ids, day=day, within_days=within_days, expired_since_days=expired_since_days))
    return [c for c in rows if c.valid_to >= day], [c for c in rows if c.valid_to < day]


def consents_of_person(*, actor, person_id) -> tuple[object, list[Consent]]:
    """All the person's consents (both kinds, withdrawn ones too: nothing is deleted), for those who record them (KE,
    coordinator). A sharing consent's exclusions name what must not be shared, so other readers get 404."""
    from helhet.access.policy import Action
    from helhet.access.queries import get_person
    from helhet.audit.services import record

    person, why = get_person(actor, person_id, action=Action.CONSENT_RECORD)
    rows = list(Consent.objects.filter(person=person).prefetch_related("recipient_users", "recipient_units").order_by("-given_on", "-id"))
    record(actor=actor, action="view", object_type="consent", object_id="list", person=person, reason=why, summary="Så samtykker")
    return person, rows


def renewal_for_plan(*, actor, plan_id) -> list[dict]:
    """consent_renewal_needed for a plan the actor may edit (coordinator, KE); 404 otherwise."""
    from helhet.access.policy import Action
    from helhet.access.queries import check_plan, load
    from helhet.plans.models import IndividualPlan

    plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None,
                      queryset=IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization"))
    check_plan(actor, Action.PLAN_EDIT, plan)
    return consent_renewal_needed(plan)


def capacity_rules_on(day: dt.date, *, organization=None):
    """The consent-capacity rules in force on `day`, as facts for helhet.consent.capacity (one query; reference data,
    no audit). A local version of a rule (same code, the organisation's) replaces the national one."""
    from helhet.rules.selectors import rules_in_force

    from .capacity import rule_facts

    chosen: dict[str, object] = {}
    for r in rules_in_force(day, organization=organization):
        if r.code not in chosen or r.organization_id:
            chosen[r.code] = r
    return rule_facts(chosen.values())


def who_may_consent_for(person, *, kind: str, day: dt.date | None = None, categories=()) -> dict[str, tuple[str, ...]]:
    """{role: rule codes} of who may consent for `person` in `kind` on `day` (for forms' help and the API); the
    caller has loaded `person` through access. The service decides again when the consent is recorded."""
    from .capacity import who_may_consent

    day = day or timezone.localdate()
    return who_may_consent(age=person.age_on(day), capacity=person.capacity_to_consent, matter=kind,
                           rules=capacity_rules_on(day), categories=categories)


def plan_consent_state(plan, *, document: dict, day: dt.date | None = None) -> dict:
    """Whether the plan still has a plan-work consent, and what needs a decision when it does not.

    For the plan page of those who edit the plan (coordinator, KE): plans.selectors puts the result in the document
    as `consent_state`, and consent/_plan_notices.html renders it (no query in the template). Reads the plan-work
    consent and the coordinator appointments from the `document` (plans.documents.build_document); only when that
    consent has been withdrawn or has expired, ONE query for the person's other valid plan-work / coordinator
    consents. Nothing is changed or deleted: the coordinator or the KE closes the plan or records a new consent.

    Returns {"state": "valid" | "none" | "withdrawn" | "expired", "needs_decision": bool, "withdrawn_on", "valid_to",
    "renewed": bool (a newer valid plan-work consent exists), "coordinator_consent": bool (a valid coordinator consent
    still carries the appointments), "appointments": [open coordinator appointments: id, kind, kind_label, name, unit,
    start, end]}.
    """
    day = day or timezone.localdate()
    iso = day.isoformat()
    plan_work = (document.get("consent") or {}).get("plan_work")
    out = {"state": "none", "needs_decision": False, "withdrawn_on": None, "valid_to": None, "renewed": False,
           "coordinator_consent": False, "appointments": []}
    if plan_work is None:
        return out
    out["withdrawn_on"], out["valid_to"] = plan_work.get("withdrawn_on"), plan_work.get("valid_to")
    if out["withdrawn_on"] and out["withdrawn_on"] <= iso:
        out["state"] = "withdrawn"
    elif out["valid_to"] and out["valid_to"] < iso:
        out["state"] = "expired"
    else:
        out["state"] = "valid"
        return out
    if document.get("status") == "closed":
        return out
    kinds = set(Consent.objects.filter(valid_consents_q(day), person_id=document["person"]["id"],
                                       kind__in=[Consent.Kind.PLAN_WORK, Consent.Kind.COORDINATOR])
                .exclude(pk=plan_work["id"]).values_list("kind", flat=True).distinct())
    out["renewed"] = Consent.Kind.PLAN_WORK in kinds
    out["coordinator_consent"] = Consent.Kind.COORDINATOR in kinds or out["renewed"]
    out["needs_decision"] = not out["renewed"]
    out["appointments"] = [
        {k: a.get(k) for k in ("id", "kind", "kind_label", "name", "unit", "start", "end")}
        for a in document.get("coordinators", []) if not a.get("end") or a["end"] >= iso
    ] if out["needs_decision"] else []
    return out


def who_may_consent_of(*, actor, person_id, kind: str, day: dt.date | None = None, categories=()) -> dict[str, tuple[str, ...]]:
    """who_may_consent_for a person the actor records consent for (KE, coordinator); 404 otherwise."""
    from helhet.access.policy import Action
    from helhet.access.queries import get_person
    from helhet.core.errors import DomainError

    from .capacity import MATTERS
    from .categories import clean_categories

    person, _why = get_person(actor, person_id, action=Action.CONSENT_RECORD)
    if kind not in MATTERS:
        raise DomainError("invalid", "kind: plan_work, coordinator, sharing", details={"fields": {"kind": list(MATTERS)}})
    try:
        categories = clean_categories(categories)
    except ValueError as exc:
        raise DomainError("invalid", str(exc), details={"fields": {"categories": [str(exc)]}}) from None
    return who_may_consent_for(person, kind=kind, day=day, categories=categories)


EXPIRY_TOP = 5  # rows on "Mine personer" and the KE overview; "Se alle" leads to the whole list (consent_expiry_list)


def expiring_for(*, actor, params=None, per_page: int = EXPIRY_TOP) -> dict:
    """Sharing consents expiring within EXPIRY_WARNING_DAYS, and expired ones, for the persons the actor records consent
    for (the coordinator's persons; the KE's tenant's persons): the coordinator's and KE's lists, keyset-paged
    (helhet.core.paging; `params` the query string, None for the first rows only). Two queries."""
    from helhet.access.policy import Action
    from helhet.access.queries import visible_persons_q
    from helhet.core.paging import keyset_page
    from helhet.people.models import Person

    today = timezone.localdate()
    persons = Person.objects.filter(visible_persons_q(actor, action=Action.CONSENT_RECORD)).values("pk")
    page = keyset_page(expiring_consents_q(person_ids=persons, day=today), params, per_page=per_page)
    return {"page": page, "count": page.total, "days": EXPIRY_WARNING_DAYS, "today": today}
