"""The plan as one nested, JSON-ready document, built WITHOUT access checks: the read module that the selectors
(which check access and cut the document down to what the reader may see) and the services (plan_publish freezes it
into a version) both import, so plans' services and selectors, and consent's selectors, need not import each other.

build_document(plan_id, snapshot=False) -> dict: one query per section, so the count does not grow with the plan.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from helhet.consent.categories import label as category_label

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


def _consent(c, lab):
    if c is None:
        return None
    return {"id": c.pk, "kind": c.kind, "kind_label": lab(c, "kind"), "given_by": c.given_by, "given_by_label": lab(c, "given_by"),
            "given_by_name": c.given_by_name, "method": c.method, "method_label": lab(c, "method"), "given_on": _d(c.given_on),
            "valid_to": _d(c.valid_to), "withdrawn_on": _d(c.withdrawn_on), "note": c.note}


class _Labels:
    """The Norwegian (active-language) labels of choice fields, looked up once per (model, field, value) and
    document instead of once per item: the same strings as get_<field>_display() and categories.label(), which
    cost a choices scan and a translation look-up each time (issue 14). Built per build_document call, so a
    change of the active language between calls is always seen."""

    __slots__ = ("_cache",)

    def __init__(self):
        self._cache: dict = {}

    def __call__(self, obj, field: str) -> str:
        value = getattr(obj, field)
        key = (type(obj), field, value)
        try:
            return self._cache[key]
        except KeyError:
            label = self._cache[key] = getattr(obj, f"get_{field}_display")()
            return label
        except TypeError:  # an unhashable value: no cache
            return getattr(obj, f"get_{field}_display")()

    def category(self, code: str) -> str:
        key = ("category", code)
        if key not in self._cache:
            self._cache[key] = category_label(code)
        return self._cache[key]


def _cat(item, lab) -> dict:
    return {"category": item.category, "category_label": lab.category(item.category)}


def _short(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _sections() -> tuple:
    return (
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


def build_document(plan_id, *, snapshot: bool = False, plan: IndividualPlan | None = None) -> dict:
    """The nested plan document. One query per section, so the count does not grow with the plan's size.

    `plan`: the plan row when the caller has already loaded it (the access loader did, with person, main_unit
    and consent): its sections are then prefetched onto it instead of loading the plan a second time. The
    document is the same either way."""
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent

    if plan is not None and plan.pk == plan_id:
        prefetch_related_objects([plan], *_sections())
    else:
        plan = (IndividualPlan.objects.select_related("person", "main_unit", "consent")
                .prefetch_related(*_sections()).get(pk=plan_id))
    lab = _Labels()
    person = plan.person
    today = timezone.localdate()
    coordinators = CoordinatorAppointment.objects.filter(person=person).select_related("coordinator", "unit").order_by("start", "id")
    sharing = Consent.objects.filter(person=person, kind=Consent.Kind.SHARING).order_by("given_on", "id")
    goal_text = {g.pk: g.text for g in plan.goals.all()}

    doc = {
        "id": plan.pk,
        "person": {"id": person.pk, "name": person.full_name, "birth_year": person.birth_date.year, "birth_date": _d(person.birth_date),
                   "preferred_language": person.preferred_language, "needs_interpreter": person.needs_interpreter},
        "status": plan.status,
        "status_label": lab(plan, "status"),
        "main_responsibility": {
            "sector": plan.main_sector, "sector_label": lab(plan, "main_sector"), "unit": plan.main_unit.name, "unit_id": plan.main_unit_id,
            "basis": plan.main_basis, "basis_label": lab(plan, "main_basis"), "reason": plan.main_reason,
        },
        "period": {"start": _d(plan.period_start), "end": _d(plan.period_end), "evaluation_interval_months": plan.evaluation_interval_months},
        "closed": {"on": _d(plan.closed_on), "reason": plan.close_reason, "reason_label": lab(plan, "close_reason") if plan.close_reason else "",
                   "note": plan.close_note},
        "predecessor_id": plan.predecessor_id,
        "created_at": plan.created_at.isoformat(),
        "consent": {"plan_work": _consent(plan.consent, lab), "sharing": [_consent(c, lab) for c in sharing]},
        "coordinators": [
            {"id": a.pk, "label": _name(a.coordinator), "user_id": a.coordinator_id, "kind": a.kind, "kind_label": lab(a, "kind"), "name": _name(a.coordinator),
             "unit": a.unit.name, "unit_id": a.unit_id, "start": _d(a.start), "end": _d(a.end)}
            for a in coordinators
        ],
        "goals": [
            {"id": g.pk, "label": _short(g.text), "text": g.text, "written_by": g.written_by, "written_by_label": lab(g, "written_by"),
             "status": g.status, "status_label": lab(g, "status"), "status_on": _d(g.status_on), "status_note": g.status_note,
             "order": g.order, **_cat(g, lab)}
            for g in plan.goals.all()
        ],
        "resources": [
            {"id": r.pk, "label": _short(r.text), "text": r.text, "written_by": r.written_by, "written_by_label": lab(r, "written_by"),
             "order": r.order, **_cat(r, lab)}
            for r in plan.resources.all()
        ],
        "needs": [
            {"id": n.pk, "label": _short(n.text), "text": n.text, "area": n.area, "written_by": n.written_by,
             "written_by_label": lab(n, "written_by"), "order": n.order, **_cat(n, lab)}
            for n in plan.needs.all()
        ],
        "participants": [
            {"id": p.pk, "label": _participant_name(p, person), "kind": p.kind, "kind_label": lab(p, "kind"),
             "name": _participant_name(p, person), "relative_id": p.relative_id, "user_id": p.user_id,
             "unit": p.unit.name if p.unit else None, "unit_id": p.unit_id, "sector": p.sector,
             "sector_label": lab(p, "sector") if p.sector else "", "role": p.role, "active": p.active, "order": p.order,
             "added_at": p.created_at.isoformat()}
            for p in plan.participants.all()
        ],
        "contributions": [
            {"id": c.pk, "label": _short(c.text), "by": c.by, "by_label": lab(c, "by"), "relative": c.relative.name if c.relative else None,
             "relative_id": c.relative_id, "unit": c.unit.name if c.unit else None, "unit_id": c.unit_id, "text": c.text, "order": c.order,
             **_cat(c, lab)}
            for c in plan.contributions.all()
        ],
        "measures": [_measure(m, goal_text, lab) for m in plan.measures.all()],
        "evaluations": [
            {"id": e.pk, "label": _d(e.planned_on), "planned_on": _d(e.planned_on), "held_on": _d(e.held_on), "reviewed": e.reviewed,
             "changes": e.changes, "next_on": _d(e.next_on), **_cat(e, lab)}
            for e in plan.evaluations.all()
        ],
        "cooperation": [
            {"id": c.pk, "label": _short(c.partner), "partner": c.partner, "kind": c.kind, "kind_label": lab(c, "kind"),
             "unit": c.unit.name if c.unit else None, "unit_id": c.unit_id, "purpose": c.purpose, "contact": c.contact, "order": c.order,
             **_cat(c, lab)}
            for c in plan.cooperation.all()
        ],
        "subplans": [
            {"id": s.pk, "label": _short(s.title), "kind": s.kind, "kind_label": lab(s, "kind"), "title": s.title,
             "responsible_unit": s.responsible_unit.name, "responsible_unit_id": s.responsible_unit_id, "text": s.text,
             "file": {"name": s.file_name, "size": s.file_size, "content_type": s.content_type, "sha256": s.sha256} if s.file else None,
             "order": s.order, **_cat(s, lab)}
            for s in plan.subplans.all()
        ],
        "main_responsibility_history": [
            {"id": c.pk, "sector": c.sector, "sector_label": lab(c, "sector"), "unit": c.unit.name, "basis": c.basis,
             "basis_label": lab(c, "basis"), "reason": c.reason, "on": _d(c.on), "by": _name(c.by)}
            for c in plan.main_responsibility_changes.all()
        ],
        "status_history": [
            {"id": c.pk, "from_status": c.from_status, "to_status": c.to_status, "to_status_label": lab(c, "to_status"), "on": _d(c.on),
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


def _version_meta(v: PlanVersion) -> dict:
    return {"number": v.number, "reason": v.reason, "author": _name(v.author), "published_at": v.published_at.isoformat(),
            "based_on_version": v.based_on_version}


def _participant_name(p, person) -> str:
    if p.kind == p.Kind.PERSON:
        return person.full_name
    if p.relative_id:
        return p.relative.name
    return _name(p.user) or ""


def _measure(m, goal_text: dict, lab: _Labels) -> dict:
    goal_ids = sorted(g.pk for g in m.goals.all())
    return {
        "id": m.pk, "label": _short(m.title), "title": m.title, "goal_ids": goal_ids, "goals": [_short(goal_text.get(g, ""), 80) for g in goal_ids],
        "scope": m.scope, "how": m.how,
        "responsible_unit": m.responsible_unit.name if m.responsible_unit else None, "responsible_unit_id": m.responsible_unit_id,
        "responsible_person": _name(m.responsible_person), "responsible_person_id": m.responsible_person_id,
        "start": _d(m.start), "end": _d(m.end), "deadline": _d(m.deadline), "status": m.status, "status_label": lab(m, "status"),
        "deprioritised": m.deprioritised, "deprioritised_reason": m.deprioritised_reason, "order": m.order, **_cat(m, lab),
        "status_history": [{"from_status": c.from_status, "to_status": c.to_status, "to_status_label": lab(c, "to_status"),
                            "on": _d(c.on), "note": c.note, "by": _name(c.by)} for c in m.status_changes.all()],
    }
