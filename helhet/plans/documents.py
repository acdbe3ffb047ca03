"""The plan as one nested, JSON-ready document, built WITHOUT access checks: the read module that the selectors
(which check access and cut the document down to what the reader may see) and the services (plan_publish freezes it
into a version) both import, so plans' services and selectors, and consent's selectors, need not import each other.

build_document(plan_id, snapshot=False, plan=None) -> dict: the plan row once (the access loader's, when given), then
each section as one `.values()` query with the joins it needs (no model instances): on PostgreSQL all of them in ONE
round trip (`_fetch`), on SQLite one query each, so the count does not grow with the plan and the Python cost per item
is a few dict look-ups. Choice labels come from a table built once per language (`_labels`), not per item.

Why not one JSON-aggregating query on PostgreSQL (bench/onequery.py is that query): it would be a second builder next
to SQLite's, whose dates, timestamps and labels must come out byte-for-byte the same; and measured, the sections' SQL
is no longer what the plan read costs (docs/performance.md, "The plan document").
"""

from __future__ import annotations

import functools
from collections import defaultdict

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import get_language

from helhet.consent.categories import Category

from .models import (
    Contribution,
    Cooperation,
    Evaluation,
    Goal,
    IndividualPlan,
    MainResponsibilityChange,
    Measure,
    MeasureStatusChange,
    Need,
    Participant,
    PlanStatusChange,
    PlanVersion,
    Resource,
    SubPlan,
)


def _d(value):
    return value.isoformat() if value else None


def _name(user):
    return (user.get_full_name() or user.username) if user else None


def _user(row: dict, prefix: str):
    """A user's display name from the `<prefix>__first_name/last_name/username` columns of a values() row (the same
    string as User.get_full_name() or username); None without a user."""
    username = row[f"{prefix}__username"]
    if username is None:
        return None
    return f"{row[f'{prefix}__first_name']} {row[f'{prefix}__last_name']}".strip() or username


def _user_cols(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__username")


# ---------------------------------------------------------------- labels: one table per language

_LABELS: dict[tuple, dict] = {}


def _labels(model: type[Model], field: str) -> dict:
    """{value: label} of a choice field in the active language, built once per (language, model, field) and process:
    the same strings as get_<field>_display() (a value without a label shows as itself), without a choices scan and
    a translation look-up per item (issue 14)."""
    key = (get_language(), model, field)
    table = _LABELS.get(key)
    if table is None:
        table = _LABELS[key] = {value: str(label) for value, label in model._meta.get_field(field).flatchoices}
    return table


def _label(model: type[Model], field: str, value):
    return _labels(model, field).get(value, value)


def _category_labels() -> dict:
    """{code: label} of the information categories (the same strings as helhet.consent.categories.label)."""
    key = (get_language(), Category)
    table = _LABELS.get(key)
    if table is None:
        table = _LABELS[key] = {c.value: str(c.label) for c in Category}
    return table


def _short(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- the sections: rows to document items

_CONSENT_FIELDS = ("id", "kind", "given_by", "given_by_name", "method", "given_on", "valid_to", "withdrawn_on", "note")


def _consent(c: dict | None, labels) -> dict | None:
    if c is None:
        return None
    kind, given_by, method = labels
    return {"id": c["id"], "kind": c["kind"], "kind_label": kind.get(c["kind"], c["kind"]), "given_by": c["given_by"],
            "given_by_label": given_by.get(c["given_by"], c["given_by"]), "given_by_name": c["given_by_name"], "method": c["method"],
            "method_label": method.get(c["method"], c["method"]), "given_on": _d(c["given_on"]), "valid_to": _d(c["valid_to"]),
            "withdrawn_on": _d(c["withdrawn_on"]), "note": c["note"]}


def _items(rows: list[dict]):
    """The section's rows with their category label; the caller adds the section's own fields."""
    cats = _category_labels()
    for r in rows:
        yield r, {"category": r["category"], "category_label": cats.get(r["category"], r["category"])}


def _goals(rows: list[dict]) -> list[dict]:
    written_by, status = _labels(Goal, "written_by"), _labels(Goal, "status")
    return [
        {"id": r["id"], "label": _short(r["text"]), "text": r["text"], "written_by": r["written_by"],
         "written_by_label": written_by.get(r["written_by"], r["written_by"]), "status": r["status"],
         "status_label": status.get(r["status"], r["status"]), "status_on": _d(r["status_on"]), "status_note": r["status_note"],
         "order": r["order"], **cat}
        for r, cat in _items(rows)
    ]


def _resources(rows: list[dict]) -> list[dict]:
    written_by = _labels(Resource, "written_by")
    return [
        {"id": r["id"], "label": _short(r["text"]), "text": r["text"], "written_by": r["written_by"],
         "written_by_label": written_by.get(r["written_by"], r["written_by"]), "order": r["order"], **cat}
        for r, cat in _items(rows)
    ]


def _needs(rows: list[dict]) -> list[dict]:
    written_by = _labels(Need, "written_by")
    return [
        {"id": r["id"], "label": _short(r["text"]), "text": r["text"], "area": r["area"], "written_by": r["written_by"],
         "written_by_label": written_by.get(r["written_by"], r["written_by"]), "order": r["order"], **cat}
        for r, cat in _items(rows)
    ]


def _participants(rows: list[dict], person_name: str) -> list[dict]:
    kind, sector = _labels(Participant, "kind"), _labels(Participant, "sector")
    out = []
    for r in rows:
        if r["kind"] == Participant.Kind.PERSON:
            name = person_name
        elif r["relative_id"]:
            name = r["relative__name"]
        else:
            name = _user(r, "user") or ""
        out.append({"id": r["id"], "label": name, "kind": r["kind"], "kind_label": kind.get(r["kind"], r["kind"]), "name": name,
                    "relative_id": r["relative_id"], "user_id": r["user_id"], "unit": r["unit__name"], "unit_id": r["unit_id"],
                    "sector": r["sector"], "sector_label": sector.get(r["sector"], r["sector"]) if r["sector"] else "", "role": r["role"],
                    "active": r["active"], "order": r["order"], "added_at": r["created_at"].isoformat()})
    return out


def _contributions(rows: list[dict]) -> list[dict]:
    by = _labels(Contribution, "by")
    return [
        {"id": r["id"], "label": _short(r["text"]), "by": r["by"], "by_label": by.get(r["by"], r["by"]), "relative": r["relative__name"],
         "relative_id": r["relative_id"], "unit": r["unit__name"], "unit_id": r["unit_id"], "text": r["text"], "order": r["order"], **cat}
        for r, cat in _items(rows)
    ]


def _measures(rows: dict[str, list[dict]], goal_text: dict) -> list[dict]:
    """From three sections whatever the number of measures: the measures, their goal links, their status history."""
    goal_ids = defaultdict(list)
    for link in rows["measure_goals"]:
        goal_ids[link["measure_id"]].append(link["goal_id"])
    status_label = _labels(Measure, "status")
    change_label = _labels(MeasureStatusChange, "to_status")
    history = defaultdict(list)
    for c in rows["measure_history"]:
        history[c["measure_id"]].append({"from_status": c["from_status"], "to_status": c["to_status"],
                                         "to_status_label": change_label.get(c["to_status"], c["to_status"]), "on": _d(c["on"]),
                                         "note": c["note"], "by": _user(c, "by")})
    out = []
    for r, cat in _items(rows["measures"]):
        ids = sorted(goal_ids.get(r["id"], ()))
        out.append({
            "id": r["id"], "label": _short(r["title"]), "title": r["title"], "goal_ids": ids,
            "goals": [_short(goal_text.get(g, ""), 80) for g in ids], "scope": r["scope"], "how": r["how"],
            "responsible_unit": r["responsible_unit__name"], "responsible_unit_id": r["responsible_unit_id"],
            "responsible_person": _user(r, "responsible_person"), "responsible_person_id": r["responsible_person_id"],
            "start": _d(r["start"]), "end": _d(r["end"]), "deadline": _d(r["deadline"]), "status": r["status"],
            "status_label": status_label.get(r["status"], r["status"]), "deprioritised": r["deprioritised"],
            "deprioritised_reason": r["deprioritised_reason"], "order": r["order"], **cat,
            "status_history": history.get(r["id"], []),
        })
    return out


def _evaluations(rows: list[dict]) -> list[dict]:
    return [
        {"id": r["id"], "label": _d(r["planned_on"]), "planned_on": _d(r["planned_on"]), "held_on": _d(r["held_on"]),
         "reviewed": r["reviewed"], "changes": r["changes"], "next_on": _d(r["next_on"]), **cat}
        for r, cat in _items(rows)
    ]


def _cooperation(rows: list[dict]) -> list[dict]:
    kind = _labels(Cooperation, "kind")
    return [
        {"id": r["id"], "label": _short(r["partner"]), "partner": r["partner"], "kind": r["kind"], "kind_label": kind.get(r["kind"], r["kind"]),
         "unit": r["unit__name"], "unit_id": r["unit_id"], "purpose": r["purpose"], "contact": r["contact"], "order": r["order"], **cat}
        for r, cat in _items(rows)
    ]


def _subplans(rows: list[dict]) -> list[dict]:
    kind = _labels(SubPlan, "kind")
    return [
        {"id": r["id"], "label": _short(r["title"]), "kind": r["kind"], "kind_label": kind.get(r["kind"], r["kind"]), "title": r["title"],
         "responsible_unit": r["responsible_unit__name"], "responsible_unit_id": r["responsible_unit_id"], "text": r["text"],
         "file": {"name": r["file_name"], "size": r["file_size"], "content_type": r["content_type"], "sha256": r["sha256"]} if r["file"] else None,
         "order": r["order"], **cat}
        for r, cat in _items(rows)
    ]


def _main_responsibility_history(rows: list[dict]) -> list[dict]:
    sector, basis = _labels(MainResponsibilityChange, "sector"), _labels(MainResponsibilityChange, "basis")
    return [
        {"id": r["id"], "sector": r["sector"], "sector_label": sector.get(r["sector"], r["sector"]), "unit": r["unit__name"],
         "basis": r["basis"], "basis_label": basis.get(r["basis"], r["basis"]), "reason": r["reason"], "on": _d(r["on"]), "by": _user(r, "by")}
        for r in rows
    ]


def _status_history(rows: list[dict]) -> list[dict]:
    to_status = _labels(PlanStatusChange, "to_status")
    return [
        {"id": r["id"], "from_status": r["from_status"], "to_status": r["to_status"], "to_status_label": to_status.get(r["to_status"], r["to_status"]),
         "on": _d(r["on"]), "reason": r["reason"], "by": _user(r, "by")}
        for r in rows
    ]


def _coordinators(rows: list[dict]) -> list[dict]:
    from helhet.cases.models import CoordinatorAppointment

    kind = _labels(CoordinatorAppointment, "kind")
    out = []
    for a in rows:
        name = _user(a, "coordinator")
        out.append({"id": a["id"], "label": name, "user_id": a["coordinator_id"], "kind": a["kind"], "kind_label": kind.get(a["kind"], a["kind"]),
                    "name": name, "unit": a["unit__name"], "unit_id": a["unit_id"], "start": _d(a["start"]), "end": _d(a["end"])})
    return out


def _consent_labels():
    from helhet.consent.models import Consent

    return _labels(Consent, "kind"), _labels(Consent, "given_by"), _labels(Consent, "method")


def _versions(rows: list[dict]) -> list[dict]:
    return [
        {"number": v["number"], "reason": v["reason"], "author": _user(v, "author"), "published_at": v["published_at"].isoformat(),
         "based_on_version": v["based_on_version"]}
        for v in rows
    ]


# ---------------------------------------------------------------- fetching the sections
#
# Each section is one values() query: (queryset for a plan id and its person's id, the columns). On SQLite (and
# PostgreSQL with server-side binding) they run one by one. On PostgreSQL with psycopg's client-side binding (Django's
# default) they run as ONE round trip: their SQL, compiled once per process with placeholder ids, joined with ";" and
# read back with cursor.nextset(). Compiling ~17 querysets was about a third of the document's Python time (issue 14).


@functools.cache
def _specs() -> dict[str, tuple]:
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent

    return {
        "goals": (lambda p, q: Goal.objects.filter(plan_id=p),
                  ("id", "order", "category", "text", "written_by", "status", "status_on", "status_note")),
        "resources": (lambda p, q: Resource.objects.filter(plan_id=p), ("id", "order", "category", "text", "written_by")),
        "needs": (lambda p, q: Need.objects.filter(plan_id=p), ("id", "order", "category", "text", "area", "written_by")),
        "participants": (lambda p, q: Participant.objects.filter(plan_id=p),
                         ("id", "kind", "relative_id", "relative__name", "user_id", *_user_cols("user"), "unit_id", "unit__name",
                          "sector", "role", "active", "order", "created_at")),
        "contributions": (lambda p, q: Contribution.objects.filter(plan_id=p),
                          ("id", "order", "category", "by", "relative_id", "relative__name", "unit_id", "unit__name", "text")),
        "measures": (lambda p, q: Measure.objects.filter(plan_id=p),
                     ("id", "order", "category", "title", "scope", "how", "responsible_unit_id", "responsible_unit__name",
                      "responsible_person_id", *_user_cols("responsible_person"), "start", "end", "deadline", "status",
                      "deprioritised", "deprioritised_reason")),
        "measure_goals": (lambda p, q: Measure.goals.through.objects.filter(measure__plan_id=p), ("measure_id", "goal_id")),
        "measure_history": (lambda p, q: MeasureStatusChange.objects.filter(measure__plan_id=p),
                            ("measure_id", "from_status", "to_status", "on", "note", *_user_cols("by"))),
        "evaluations": (lambda p, q: Evaluation.objects.filter(plan_id=p),
                        ("id", "order", "category", "planned_on", "held_on", "reviewed", "changes", "next_on")),
        "cooperation": (lambda p, q: Cooperation.objects.filter(plan_id=p),
                        ("id", "order", "category", "partner", "kind", "unit_id", "unit__name", "purpose", "contact")),
        "subplans": (lambda p, q: SubPlan.objects.filter(plan_id=p),
                     ("id", "order", "category", "kind", "title", "responsible_unit_id", "responsible_unit__name", "text", "file",
                      "file_name", "file_size", "content_type", "sha256")),
        "main_responsibility_history": (lambda p, q: MainResponsibilityChange.objects.filter(plan_id=p),
                                        ("id", "sector", "unit__name", "basis", "reason", "on", *_user_cols("by"))),
        "status_history": (lambda p, q: PlanStatusChange.objects.filter(plan_id=p),
                           ("id", "from_status", "to_status", "on", "reason", *_user_cols("by"))),
        "coordinators": (lambda p, q: CoordinatorAppointment.objects.filter(person_id=q).order_by("start", "id"),
                         ("id", "coordinator_id", *_user_cols("coordinator"), "kind", "unit_id", "unit__name", "start", "end")),
        "sharing": (lambda p, q: Consent.objects.filter(person_id=q, kind=Consent.Kind.SHARING).order_by("given_on", "id"),
                    _CONSENT_FIELDS),
        "successors": (lambda p, q: IndividualPlan.objects.filter(predecessor_id=p), ("id",)),
        "versions": (lambda p, q: PlanVersion.objects.filter(plan_id=p),
                     ("number", "reason", *_user_cols("author"), "published_at", "based_on_version")),
    }


_SECTIONS = ("goals", "resources", "needs", "participants", "contributions", "measures", "measure_goals", "measure_history",
             "evaluations", "cooperation", "subplans", "main_responsibility_history", "status_history", "coordinators", "sharing")
_WORKING = ("successors", "versions")  # the working copy's own, not in snapshots
_OF_MEASURES = ("measure_goals", "measure_history")  # after "measures" in _SECTIONS

# Placeholder ids in the SQL compiled once per process; replaced by the plan's and person's ids in the parameters.
_PLAN_ID, _PERSON_ID = -7_130_001, -7_130_002
_COMPILED: dict[tuple, tuple[str, tuple]] = {}


def _one_round_trip(connection) -> bool:
    return connection.vendor == "postgresql" and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")


def _compiled(alias: str, name: str, spec: tuple) -> tuple[str, tuple] | None:
    """The section's SQL and parameters with placeholder ids; None when a column needs a converter (then it runs alone)."""
    key = (alias, name)
    if key not in _COMPILED:
        queryset, fields = spec
        compiler = queryset(_PLAN_ID, _PERSON_ID).values_list(*fields).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        _COMPILED[key] = None if converters else (sql, params)
    return _COMPILED[key]


def _fetch(names: tuple[str, ...], plan_id: int, person_id: int) -> dict[str, list[dict]]:
    """{section: [row dict]} for the plan, in as few round trips as the database allows (see above)."""
    from django.db import DEFAULT_DB_ALIAS, connections, router

    specs = _specs()
    alias = router.db_for_read(IndividualPlan) or DEFAULT_DB_ALIAS
    connection = connections[alias]
    out: dict[str, list[dict]] = {}
    batch = []
    for name in names:
        spec = specs[name]
        compiled = _compiled(alias, name, spec) if _one_round_trip(connection) else None
        if compiled is None and name in _OF_MEASURES and not out.get("measures"):
            out[name] = []  # a plan without measures has no links or history to ask for (as prefetch did)
        elif compiled is None:
            queryset, fields = spec
            out[name] = list(queryset(plan_id, person_id).using(alias).values(*fields))
        else:
            batch.append((name, spec[1], compiled))
    if batch:
        ids = {_PLAN_ID: plan_id, _PERSON_ID: person_id}
        sql = ";\n".join(compiled[0] for _n, _f, compiled in batch)
        params = [ids.get(p, p) if isinstance(p, int) else p for _n, _f, compiled in batch for p in compiled[1]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for i, (name, fields, _c) in enumerate(batch):
                if i:
                    cursor.nextset()
                out[name] = [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]
    return out


# ---------------------------------------------------------------- the document


def build_document(plan_id, *, snapshot: bool = False, plan: IndividualPlan | None = None) -> dict:
    """The nested plan document: the plan row, then its sections in one round trip (PostgreSQL) or one query each
    (SQLite), so the count does not grow with the plan's size.

    `plan`: the plan row when the caller has already loaded it (the access loader did, with person, main_unit
    and consent): it is then not loaded a second time. The document is the same either way."""
    if plan is None or plan.pk != plan_id:
        plan = IndividualPlan.objects.select_related("person", "main_unit", "consent").get(pk=plan_id)
    person = plan.person
    rows = _fetch(_SECTIONS if snapshot else _SECTIONS + _WORKING, plan.pk, person.pk)
    goals = _goals(rows["goals"])
    evaluations = _evaluations(rows["evaluations"])
    consent_labels = _consent_labels()

    def lab(field: str):
        return _label(IndividualPlan, field, getattr(plan, field))

    doc = {
        "id": plan.pk,
        "person": {"id": person.pk, "name": person.full_name, "birth_year": person.birth_date.year, "birth_date": _d(person.birth_date),
                   "preferred_language": person.preferred_language, "needs_interpreter": person.needs_interpreter},
        "status": plan.status,
        "status_label": lab("status"),
        "main_responsibility": {
            "sector": plan.main_sector, "sector_label": lab("main_sector"), "unit": plan.main_unit.name, "unit_id": plan.main_unit_id,
            "basis": plan.main_basis, "basis_label": lab("main_basis"), "reason": plan.main_reason,
        },
        "period": {"start": _d(plan.period_start), "end": _d(plan.period_end), "evaluation_interval_months": plan.evaluation_interval_months},
        "closed": {"on": _d(plan.closed_on), "reason": plan.close_reason, "reason_label": lab("close_reason") if plan.close_reason else "",
                   "note": plan.close_note},
        "predecessor_id": plan.predecessor_id,
        "created_at": plan.created_at.isoformat(),
        "consent": {"plan_work": _consent({f: getattr(plan.consent, f) for f in _CONSENT_FIELDS}, consent_labels),
                    "sharing": [_consent(c, consent_labels) for c in rows["sharing"]]},
        "coordinators": _coordinators(rows["coordinators"]),
        "goals": goals,
        "resources": _resources(rows["resources"]),
        "needs": _needs(rows["needs"]),
        "participants": _participants(rows["participants"], person.full_name),
        "contributions": _contributions(rows["contributions"]),
        "measures": _measures(rows, {g["id"]: g["text"] for g in goals}),
        "evaluations": evaluations,
        "cooperation": _cooperation(rows["cooperation"]),
        "subplans": _subplans(rows["subplans"]),
        "main_responsibility_history": _main_responsibility_history(rows["main_responsibility_history"]),
        "status_history": _status_history(rows["status_history"]),
    }
    # The next planned evaluation (item g: when the plan is revised), computed, never stored.
    doc["period"]["next_evaluation"] = min((e["planned_on"] for e in evaluations if e["held_on"] is None), default=None)
    if snapshot:
        # Facts for access decisions (consent renewal), not plan content: kept out of frozen versions and diffs.
        for p in doc["participants"]:
            p.pop("added_at", None)
        for c in doc["coordinators"]:
            c.pop("user_id", None)
    else:
        doc["version"] = plan.version
        doc["published_number"] = plan.published_number
        doc["successor_ids"] = [r["id"] for r in rows["successors"]]
        doc["versions"] = _versions(rows["versions"])
        doc["today"] = _d(timezone.localdate())
    return doc


def _version_meta(v: PlanVersion) -> dict:
    return {"number": v.number, "reason": v.reason, "author": _name(v.author), "published_at": v.published_at.isoformat(),
            "based_on_version": v.based_on_version}
