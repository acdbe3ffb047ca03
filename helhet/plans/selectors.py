"""Reads of the individual plan. Every function takes the actor, checks Action.PLAN_VIEW on the plan's
person (404 for anyone else, with a 'denied' audit event) and writes a 'view' audit event.

Interface:
    plan_document(*, actor, plan_id) -> dict
        The whole plan as one nested, JSON-ready document in a FIXED number of queries (about 20,
        whatever the number of goals, measures, participants or versions). Keys: id, person, status,
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

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import (
    PlanAccess,
    check,
    check_with_relationships,
    load,
    permitted_actions,
    plan_access,
)
from helhet.audit.services import record
from helhet.consent.categories import SECTION_DEFAULTS
from helhet.consent.categories import label as category_label
from helhet.core.errors import NotFound
from helhet.people.models import Person

from .diff import diff_documents
from .models import (
    Contribution,
    Cooperation,
    Goal,
    IndividualPlan,
    MainResponsibilityChange,
    Measure,
    MeasureStatusChange,
    Participant,
    PlanStatusChange,
    PlanVersion,
    SubPlan,
)


def _d(value):
    return value.isoformat() if value else None


def _name(user):
    return (user.get_full_name() or user.username) if user else None


def _unit(unit):
    return {"id": unit.pk, "name": unit.name} if unit else None


def _consent(c):
    if c is None:
        return None
    return {"id": c.pk, "kind": c.kind, "kind_label": c.get_kind_display(), "given_by": c.given_by, "given_by_label": c.get_given_by_display(),
            "given_by_name": c.given_by_name, "method": c.method, "method_label": c.get_method_display(), "given_on": _d(c.given_on),
            "valid_to": _d(c.valid_to), "withdrawn_on": _d(c.withdrawn_on), "note": c.note}


def _cat(item) -> dict:
    return {"category": item.category, "category_label": category_label(item.category)}


def _short(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def build_document(plan_id, *, snapshot: bool = False) -> dict:
    """The nested plan document. One query per section, so the count does not grow with the plan's size."""
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent

    plan = (IndividualPlan.objects.select_related("person", "main_unit", "consent", "predecessor")
            .prefetch_related(
                "goals", "resources", "needs",
                Prefetch("participants", queryset=Participant.objects.select_related("relative", "user", "unit")),
                Prefetch("contributions", queryset=Contribution.objects.select_related("relative", "unit")),
                Prefetch("measures", queryset=Measure.objects.select_related("responsible_unit", "responsible_person").prefetch_related(
                    Prefetch("goals", queryset=Goal.objects.only("id")),
                    Prefetch("status_changes", queryset=MeasureStatusChange.objects.select_related("by")))),
                "evaluations",
                Prefetch("cooperation", queryset=Cooperation.objects.select_related("unit")),
                Prefetch("subplans", queryset=SubPlan.objects.select_related("responsible_unit")),
                Prefetch("main_responsibility_changes", queryset=MainResponsibilityChange.objects.select_related("unit", "by")),
                Prefetch("status_changes", queryset=PlanStatusChange.objects.select_related("by")),
            )
            .get(pk=plan_id))
    person = plan.person
    today = timezone.localdate()
    coordinators = CoordinatorAppointment.objects.filter(person=person).select_related("coordinator", "unit").order_by("start", "id")
    sharing = Consent.objects.filter(person=person, kind=Consent.Kind.SHARING).order_by("given_on", "id")
    goal_text = {g.pk: g.text for g in plan.goals.all()}

    doc = {
        "id": plan.pk,
        "person": {"id": person.pk, "name": person.full_name, "birth_date": _d(person.birth_date),
                   "preferred_language": person.preferred_language, "needs_interpreter": person.needs_interpreter},
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "main_responsibility": {
            "sector": plan.main_sector, "sector_label": plan.get_main_sector_display(), "unit": plan.main_unit.name, "unit_id": plan.main_unit_id,
            "basis": plan.main_basis, "basis_label": plan.get_main_basis_display(), "reason": plan.main_reason,
        },
        "period": {"start": _d(plan.period_start), "end": _d(plan.period_end), "evaluation_interval_months": plan.evaluation_interval_months},
        "closed": {"on": _d(plan.closed_on), "reason": plan.close_reason, "reason_label": plan.get_close_reason_display() if plan.close_reason else "",
                   "note": plan.close_note},
        "predecessor_id": plan.predecessor_id,
        "created_at": plan.created_at.isoformat(),
        "consent": {"plan_work": _consent(plan.consent), "sharing": [_consent(c) for c in sharing]},
        "coordinators": [
            {"id": a.pk, "label": _name(a.coordinator), "user_id": a.coordinator_id, "kind": a.kind, "kind_label": a.get_kind_display(), "name": _name(a.coordinator),
             "unit": a.unit.name, "unit_id": a.unit_id, "start": _d(a.start), "end": _d(a.end)}
            for a in coordinators
        ],
        "goals": [
            {"id": g.pk, "label": _short(g.text), "text": g.text, "written_by": g.written_by, "written_by_label": g.get_written_by_display(),
             "status": g.status, "status_label": g.get_status_display(), "status_on": _d(g.status_on), "status_note": g.status_note,
             "order": g.order, **_cat(g)}
            for g in plan.goals.all()
        ],
        "resources": [
            {"id": r.pk, "label": _short(r.text), "text": r.text, "written_by": r.written_by, "written_by_label": r.get_written_by_display(),
             "order": r.order, **_cat(r)}
            for r in plan.resources.all()
        ],
        "needs": [
            {"id": n.pk, "label": _short(n.text), "text": n.text, "area": n.area, "written_by": n.written_by,
             "written_by_label": n.get_written_by_display(), "order": n.order, **_cat(n)}
            for n in plan.needs.all()
        ],
        "participants": [
            {"id": p.pk, "label": _participant_name(p, person), "kind": p.kind, "kind_label": p.get_kind_display(),
             "name": _participant_name(p, person), "relative_id": p.relative_id, "user_id": p.user_id,
             "unit": p.unit.name if p.unit else None, "unit_id": p.unit_id, "sector": p.sector,
             "sector_label": p.get_sector_display() if p.sector else "", "role": p.role, "active": p.active, "order": p.order,
             "added_at": p.created_at.isoformat()}
            for p in plan.participants.all()
        ],
        "contributions": [
            {"id": c.pk, "label": _short(c.text), "by": c.by, "by_label": c.get_by_display(), "relative": c.relative.name if c.relative else None,
             "relative_id": c.relative_id, "unit": c.unit.name if c.unit else None, "unit_id": c.unit_id, "text": c.text, "order": c.order,
             **_cat(c)}
            for c in plan.contributions.all()
        ],
        "measures": [_measure(m, goal_text) for m in plan.measures.all()],
        "evaluations": [
            {"id": e.pk, "label": _d(e.planned_on), "planned_on": _d(e.planned_on), "held_on": _d(e.held_on), "reviewed": e.reviewed,
             "changes": e.changes, "next_on": _d(e.next_on), **_cat(e)}
            for e in plan.evaluations.all()
        ],
        "cooperation": [
            {"id": c.pk, "label": _short(c.partner), "partner": c.partner, "kind": c.kind, "kind_label": c.get_kind_display(),
             "unit": c.unit.name if c.unit else None, "unit_id": c.unit_id, "purpose": c.purpose, "contact": c.contact, "order": c.order,
             **_cat(c)}
            for c in plan.cooperation.all()
        ],
        "subplans": [
            {"id": s.pk, "label": _short(s.title), "kind": s.kind, "kind_label": s.get_kind_display(), "title": s.title,
             "responsible_unit": s.responsible_unit.name, "responsible_unit_id": s.responsible_unit_id, "text": s.text,
             "file": {"name": s.file_name, "size": s.file_size, "content_type": s.content_type, "sha256": s.sha256} if s.file else None,
             "order": s.order, **_cat(s)}
            for s in plan.subplans.all()
        ],
        "main_responsibility_history": [
            {"id": c.pk, "sector": c.sector, "sector_label": c.get_sector_display(), "unit": c.unit.name, "basis": c.basis,
             "basis_label": c.get_basis_display(), "reason": c.reason, "on": _d(c.on), "by": _name(c.by)}
            for c in plan.main_responsibility_changes.all()
        ],
        "status_history": [
            {"id": c.pk, "from_status": c.from_status, "to_status": c.to_status, "to_status_label": c.get_to_status_display(), "on": _d(c.on),
             "reason": c.reason, "by": _name(c.by)}
            for c in plan.status_changes.all()
        ],
    }
    # The next planned evaluation (item g: when the plan is revised), computed, never stored.
    upcoming = [e for e in plan.evaluations.all() if e.held_on is None]
    doc["period"]["next_evaluation"] = _d(min((e.planned_on for e in upcoming), default=None))
    if snapshot:
        # Facts for access decisions (consent renewal), not plan content: kept out of frozen versions and diffs.
        for p in doc["participants"]:
            p.pop("added_at", None)
        for c in doc["coordinators"]:
            c.pop("user_id", None)
    if not snapshot:
        doc["version"] = plan.version
        doc["published_number"] = plan.published_number
        doc["successor_ids"] = list(plan.successors.values_list("pk", flat=True))
        doc["versions"] = [_version_meta(v) for v in plan.versions.select_related("author").defer("snapshot")]
        doc["today"] = _d(today)
    return doc


def _participant_name(p, person) -> str:
    if p.kind == p.Kind.PERSON:
        return person.full_name
    if p.relative_id:
        return p.relative.name
    return _name(p.user) or ""


def _measure(m, goal_text: dict) -> dict:
    goal_ids = sorted(g.pk for g in m.goals.all())
    return {
        "id": m.pk, "label": _short(m.title), "title": m.title, "goal_ids": goal_ids, "goals": [_short(goal_text.get(g, ""), 80) for g in goal_ids],
        "scope": m.scope, "how": m.how,
        "responsible_unit": m.responsible_unit.name if m.responsible_unit else None, "responsible_unit_id": m.responsible_unit_id,
        "responsible_person": _name(m.responsible_person), "responsible_person_id": m.responsible_person_id,
        "start": _d(m.start), "end": _d(m.end), "deadline": _d(m.deadline), "status": m.status, "status_label": m.get_status_display(),
        "deprioritised": m.deprioritised, "deprioritised_reason": m.deprioritised_reason, "order": m.order, **_cat(m),
        "status_history": [{"from_status": c.from_status, "to_status": c.to_status, "to_status_label": c.get_to_status_display(),
                            "on": _d(c.on), "note": c.note, "by": _name(c.by)} for c in m.status_changes.all()],
    }


def _version_meta(v: PlanVersion) -> dict:
    return {"number": v.number, "reason": v.reason, "author": _name(v.author), "published_at": v.published_at.isoformat(),
            "based_on_version": v.based_on_version}


def _plan_for(actor, plan_id) -> tuple[IndividualPlan, str]:
    plan, why, _access_ = _access(actor, plan_id)
    return plan, why


def _access(actor, plan_id) -> tuple[IndividualPlan, str, PlanAccess]:
    """Load the plan, check plan.view and its consent state (404 otherwise) and fetch the actor's category facts ONCE."""
    plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None,
                      queryset=IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization", "consent"))
    why, rels = check_with_relationships(actor, Action.PLAN_VIEW, plan.person)
    return plan, why, plan_access(actor, plan, rels=rels)


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
    doc, used = restrict_document(build_document(plan.pk), access)
    doc["allowed"] = _allowed(actor, access.relationships)
    if access.whole_plan and "plan.edit" in doc["allowed"]:
        from helhet.consent.selectors import consent_renewal_needed

        doc["consent_renewal"] = consent_renewal_needed(plan, document=doc)
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
    try:
        person = Person.objects.get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    return person, check(actor, Action.PLAN_VIEW, person)


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
