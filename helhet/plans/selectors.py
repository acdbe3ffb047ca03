"""Reads of the individual plan. Every function takes the actor, checks Action.PLAN_VIEW on the plan's
person (404 for anyone else, with a 'denied' audit event) and writes a 'view' audit event.

Interface:
    plan_document(*, actor, plan_id) -> dict
        The whole plan as one nested, JSON-ready document in a FIXED number of queries, whatever the
        number of goals, measures, participants or versions (documents.build_document: the sections in one round
        trip on PostgreSQL, one query each on SQLite). Keys: id, person, status,
        status_label, version (working copy; send it back as based_on_version), published_number,
        main_responsibility{..., history}, period{...}, closed{...}, predecessor_id, successor_ids,
        consent{plan_work, sharing}, coordinators, goals, resources, needs, participants, contributions,
        measures, evaluations, cooperation, subplans, status_history, versions, allowed (actions the actor may do).
        Each item has id, label and its fields; choice fields also carry <field>_label (Norwegian).
    plan_for_person(*, actor, person_id) -> dict | None
        The document of the person's open plan (or else their latest closed plan); None if they have none.
    plans_of_person(*, actor, person_id) -> list[dict]       # the person's plan history (id, status, dates, predecessor)
    plan_versions(*, actor, plan_id) -> list[dict]           # number, reason, author, published_at, based_on_version
    plan_version(*, actor, plan_id, number) -> dict          # the above + snapshot (the frozen document)
    plan_diff(*, actor, plan_id, from_number, to_number=None) -> list[dict]
        Diff by section (helhet.plans.diff.diff_documents); to_number=None compares with the working copy.
    plan_changes(*, actor, plan_id, since_version) -> list[dict]   # working-copy edits after a version
    subplan_file(*, actor, plan_id, subplan_id) -> SubPlanFile(file, name, content_type, size)
        An opened file for download; the caller must close it (FileResponse does).

build_document(plan_id, snapshot=False) builds the document without access checks; services.plan_publish
uses it for the frozen snapshot (snapshot=True leaves out the working version, versions and allowed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action, Field
from helhet.access.queries import (
    PlanAccess,
    get_person,
    permitted_actions,
    plan_read,
)
from helhet.audit.services import record
from helhet.consent.categories import SECTION_DEFAULTS
from helhet.core.errors import NotFound
from helhet.people.models import Person

from .diff import diff_documents
from .documents import _d, _version_meta, build_document
from .models import (
    IndividualPlan,
    PlanVersion,
    SubPlan,
)


def _plan_for(actor, plan_id) -> tuple[IndividualPlan, str]:
    plan, why, _access_ = _access(actor, plan_id)
    return plan, why


def _access(actor, plan_id) -> tuple[IndividualPlan, str, PlanAccess]:
    """Load the plan, check plan.view and its consent state (404 otherwise) and fetch the actor's category facts ONCE."""
    return plan_read(actor, plan_id)  # the plan row, the decision and its facts together (helhet.access.queries)


# ---------------------------------------------------------------- filtering by information category
#
# The one place plan content is cut down to what the actor may see (helhet.access.policy.may_see_category).
# Used for the working document, published snapshots, diffs, the change log and sub-plan files, so the API,
# the plan page, print and versions all agree. Pure over the document: no queries per item.

CATEGORISED_SECTIONS = tuple(SECTION_DEFAULTS)


def _item_category(section: str, item: dict) -> str:
    # Published snapshots from before categories existed carry none: read them with the section's default.
    return item.get("category") or SECTION_DEFAULTS[section]


def restrict_document(doc: dict, access: PlanAccess) -> tuple[dict, list[str]]:
    """The document with every item the actor may not see removed; and the scopes that showed something.

    Whole-plan readers get the document unchanged. Others also get `restricted` = {"hidden": {section: n}}
    so the page can say that something is held back (consent missing) without saying what.
    """
    if access.whole_plan:
        return doc, []
    doc = dict(doc)
    if "person" in doc:  # the person's own fields by the record's rules (policy.FIELD_RULES): identity by need
        person = dict(doc["person"])
        if not access.sees_field(Field.NATIONAL_ID):
            person["birth_date"] = None
        if not access.sees_field(Field.CONTACT):
            person["preferred_language"], person["needs_interpreter"] = None, None
        doc["person"] = person
    used: set[str] = set()
    hidden: dict[str, int] = {}
    withheld: set[str] = set()
    for section in CATEGORISED_SECTIONS:
        if section not in doc:
            continue
        kept = []
        for item in doc[section]:
            category = _item_category(section, item)
            if access.may_see(category):
                kept.append(item)
                used.add(access.reason_for(category))
            else:
                withheld.add(category)
        if len(kept) != len(doc[section]):
            hidden[section] = len(doc[section]) - len(kept)
        doc[section] = kept
    visible_goals = {g["id"]: g for g in doc.get("goals", [])}
    doc["measures"] = [_measure_goals(m, visible_goals) for m in doc.get("measures", [])]
    if "period" in doc:
        upcoming = [e["planned_on"] for e in doc.get("evaluations", []) if not e.get("held_on") and e.get("planned_on")]
        doc["period"] = {**doc["period"], "next_evaluation": min(upcoming, default=None)}
    if "consent" in doc:
        own = {s.source for s in access.scopes}
        plan_work = doc["consent"].get("plan_work")
        doc["consent"] = {"plan_work": {**plan_work, "note": ""} if plan_work else None,
                          "sharing": [c for c in doc["consent"].get("sharing", []) if f"consent:{c['id']}" in own]}
    doc["restricted"] = {"hidden": hidden, "withheld": sorted(withheld), "categories": sorted({c for s in access.scopes for c in s.categories})}
    return doc, sorted(used)


def _measure_goals(m: dict, visible_goals: dict) -> dict:
    # A visible measure must not quote a goal the actor may not see.
    pairs = [(gid, text) for gid, text in zip(m.get("goal_ids", []), m.get("goals", []), strict=False) if gid in visible_goals]
    return {**m, "goal_ids": [p[0] for p in pairs], "goals": [p[1] for p in pairs]}


def _view_reason(why: str, access: PlanAccess, used: list[str]) -> str:
    """The audit 'why' of a read: the relationship for whole-plan readers, else the consents/grants that showed content."""
    if access.whole_plan:
        return why
    sources = used or ([s.source for s in access.scopes if s.source.startswith("grant:")] if why == "grant" else [])
    return ",".join(sources)[:100] or why


def _allowed(actor, rels) -> list[str]:
    return permitted_actions(actor, rels, prefix="plan.")


def _restricted_document(actor, plan_id):
    plan, why, access = _access(actor, plan_id)
    doc, used = restrict_document(build_document(plan.pk, plan=plan), access)  # the plan row is loaded once
    doc["allowed"] = _allowed(actor, access.relationships)
    if access.whole_plan and "plan.edit" in doc["allowed"]:
        from helhet.consent.selectors import consent_renewal_needed

        doc["consent_renewal"] = consent_renewal_needed(plan, document=doc, consents=access.sharing_consents)
        from helhet.consent.selectors import plan_consent_state

        doc["consent_state"] = plan_consent_state(plan, document=doc)
    return plan, why, access, doc, used


def plan_document_after_write(*, actor, plan_id) -> dict:
    """The document as the actor may see it, re-read right after their own write.

    No 'view' event: the write recorded its own. Still filtered by consent, so an
    editor who is category-limited never sees more after saving than before.
    """
    return _restricted_document(actor, plan_id)[3]


def plan_document(*, actor, plan_id) -> dict:
    plan, why, access, doc, used = _restricted_document(actor, plan_id)
    reason = _view_reason(why, access, used)
    record(actor=actor, action="view", obj=plan, person=plan.person, reason=reason, summary=gettext_noop("Så individuell plan"),
           withheld=doc.get("restricted", {}).get("withheld"),
           detail={"relationships": sorted(access.relationships), "shown_by": used, "hidden": doc.get("restricted", {}).get("hidden", {})})
    return doc


def _person(actor, person_id) -> tuple[Person, str]:
    return get_person(actor, person_id, action=Action.PLAN_VIEW)


def plan_for_person(*, actor, person_id) -> dict | None:
    person, _why = _person(actor, person_id)
    plan = (IndividualPlan.objects.filter(person=person).exclude(status=IndividualPlan.Status.CLOSED).first()
            or IndividualPlan.objects.filter(person=person).order_by("-closed_on", "-id").first())
    if plan is None:
        return None
    return plan_document(actor=actor, plan_id=plan.pk)


def plans_of_person(*, actor, person_id) -> list[dict]:
    person, why = _person(actor, person_id)
    rows = [
        {"id": p.pk, "status": p.status, "status_label": p.get_status_display(), "created_at": p.created_at.isoformat(),
         "closed_on": _d(p.closed_on), "close_reason": p.close_reason, "predecessor_id": p.predecessor_id,
         "main_sector_label": p.get_main_sector_display(), "main_unit": p.main_unit.name, "published_number": p.published_number}
        for p in IndividualPlan.objects.filter(person=person).select_related("main_unit").order_by("-created_at", "-id")
    ]
    record(actor=actor, action="view", object_type="individualplan", object_id="list", person=person, reason=why,
           summary=gettext_noop("Så personens planer"))
    return rows


def plan_versions(*, actor, plan_id) -> list[dict]:
    plan, why = _plan_for(actor, plan_id)
    rows = [_version_meta(v) for v in plan.versions.select_related("author").defer("snapshot")]
    record(actor=actor, action="view", obj=plan, person=plan.person, reason=why, summary=gettext_noop("Så versjonene av planen"))
    return rows


def _version(plan, number) -> PlanVersion:
    try:
        return plan.versions.select_related("author").get(number=number)
    except (PlanVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def plan_version(*, actor, plan_id, number) -> dict:
    plan, why, access = _access(actor, plan_id)
    v = _version(plan, number)
    snapshot, used = restrict_document(v.snapshot, access)
    record(actor=actor, action="view", obj=v, person=plan.person, reason=_view_reason(why, access, used),
           withheld=snapshot.get("restricted", {}).get("withheld"),
           summary=gettext_noop("Så versjon %(n)s av planen"), params={"n": v.number})
    return {**_version_meta(v), "snapshot": snapshot}


def plan_diff(*, actor, plan_id, from_number, to_number=None) -> list[dict]:
    plan, why, access = _access(actor, plan_id)
    old = _version(plan, from_number).snapshot
    new = _version(plan, to_number).snapshot if to_number not in (None, "", 0, "0") else build_document(plan.pk, snapshot=True)
    old, used_old = restrict_document(old, access)
    new, used_new = restrict_document(new, access)
    withheld = sorted(set(old.pop("restricted", {}).get("withheld", [])) | set(new.pop("restricted", {}).get("withheld", [])))
    record(actor=actor, action="view", obj=plan, person=plan.person, reason=_view_reason(why, access, sorted(set(used_old) | set(used_new))),
           withheld=withheld,
           summary=gettext_noop("Så endringer i planen fra versjon %(a)s til %(b)s"), params={"a": from_number, "b": to_number or _("arbeidskopi")})
    return diff_documents(old, new)


def plan_changes(*, actor, plan_id, since_version: int) -> list[dict]:
    from .services import changes_since

    plan, why, access = _access(actor, plan_id)
    rows = changes_since(plan.pk, int(since_version), limit=200)
    if not access.whole_plan:
        # A change's summary quotes the item ("La til mål: ..."): category-limited readers get only what kind of change it was.
        rows = [{**r, "summary": r["section_label"], "item_id": None} for r in rows]
    record(actor=actor, action="view", obj=plan, person=plan.person, reason=why, summary=gettext_noop("Så endringslogg for planen"))
    return rows


@dataclass
class SubPlanFile:
    file: object
    name: str
    content_type: str
    size: int


def subplan_file(*, actor, plan_id, subplan_id) -> SubPlanFile:
    plan, why, access = _access(actor, plan_id)
    subplan = SubPlan.objects.filter(pk=subplan_id, plan=plan).first() if str(subplan_id).isdigit() else None
    if subplan is None or not subplan.file or not access.may_see(subplan.category):
        raise NotFound()
    if not access.whole_plan:
        why = access.reason_for(subplan.category)
    try:
        handle = subplan.file.storage.open(subplan.file.name, "rb")
    except FileNotFoundError:
        raise NotFound() from None
    record(actor=actor, action="view", obj=subplan, person=plan.person, reason=why,
           summary=gettext_noop("Lastet ned delplan: %(title)s"), params={"title": subplan.title}, detail={"plan": plan.pk})
    return SubPlanFile(file=handle, name=subplan.file_name, content_type=subplan.content_type, size=subplan.file_size or 0)


# ---------------------------------------------------------------- plan templates (planmaler)


def plan_template_sections(*, actor) -> list[tuple]:
    """[(organisation, [templates])] for the organisations whose templates the actor manages (their KE); [] for others."""
    from helhet.access.queries import organizations

    from .models import PlanTemplate

    orgs = organizations(actor, Action.PLAN_TEMPLATE_MANAGE)
    by_org: dict[int, list] = {o.pk: [] for o in orgs}
    for t in PlanTemplate.objects.filter(organization_id__in=list(by_org)).order_by("-active", "target_group", "name"):
        by_org[t.organization_id].append(t)
    return [(o, by_org[o.pk]) for o in orgs]


def plan_template_for_edit(*, actor, template_id):
    """One template for its KE to change, or NotFound (a 'denied' event for anyone else)."""
    from helhet.access.queries import load
    from helhet.organizations.models import Organization

    from .models import PlanTemplate

    try:
        template = PlanTemplate.objects.select_related("organization").get(pk=template_id)
    except (PlanTemplate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    load(actor, Organization, template.organization_id, None, person_of=None, object_action=Action.PLAN_TEMPLATE_MANAGE)
    return template


def plan_template_choices(*, person, units) -> list:
    """Active templates a plan for `person` may start from: the home municipality's and the offered units' organisations'
    (the same rule services._template_for_plan checks). Templates hold no personal data; the caller has loaded the person."""
    from .models import PlanTemplate

    orgs = {person.home_municipality_id, *(u.organization_id for u in units)}
    return list(PlanTemplate.objects.filter(active=True, organization_id__in=orgs).select_related("organization")
                .order_by("organization__name", "target_group", "name"))
