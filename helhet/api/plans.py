"""The individual plan: one nested document (GET), sections editable one by one, versions, diff, files.

Every write carries `based_on_version` (the document's `version`); a stale one gets 409 with
{"code": "stale", "details": {"current_version", "changes": [...]}}. Writes answer {"id", "version"}.
Anything the caller may not see is 404. Thin: each handler calls one service or selector.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import FileResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import ConfigDict

from helhet.core.errors import DomainError, NotFound
from helhet.plans import selectors, services

from .schemas import file_response

PREFIX = "/plans"
# What an attached sub-plan file can be (helhet/plans/services.py ALLOWED_TYPES), documented on its download.
SUBPLAN_MEDIA_TYPES = tuple(sorted(set(services.ALLOWED_TYPES.values())))
router = Router(tags=["plans"])


class Versioned(Schema):
    based_on_version: int


class WriteOut(Schema):
    id: int | None = None
    version: int
    # Saved, but worth telling: e.g. a measure's responsible person cannot see it under the consent (services.measure_warnings).
    warnings: list[str] = []


class PlanCreateIn(Schema):
    person_id: int
    main_sector: str
    main_unit_id: int
    main_basis: str = "agreement"
    main_reason: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    evaluation_interval_months: int | None = None
    consent_id: int | None = None
    predecessor_id: int | None = None
    template_id: int | None = None  # an active plan template (planmal): prefills goals, needs, cooperation, measures


class PlanUpdateIn(Versioned):
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    evaluation_interval_months: int | None = None


class PlanItemIn(Versioned):
    """based_on_version plus the section's fields (see helhet.plans.services.SECTIONS), e.g. {"text": ..., "written_by": "person"}."""

    model_config = ConfigDict(extra="allow")


class StatusIn(Versioned):
    status: str
    on: dt.date | None = None
    note: str = ""


class PlanStatusIn(Versioned):
    status: str
    reason: str = ""


class MainResponsibilityIn(Versioned):
    sector: str
    unit_id: int
    basis: str
    reason: str = ""
    on: dt.date | None = None


class EvaluationRecordIn(Versioned):
    held_on: dt.date
    reviewed: str
    changes: str = ""
    next_on: dt.date | None = None
    evaluation_id: int | None = None
    planned_on: dt.date | None = None


class PublishIn(Versioned):
    reason: str


class CloseIn(Versioned):
    reason: str
    on: dt.date | None = None
    note: str = ""


class ReopenIn(Versioned):
    reason: str


# ---------------------------------------------------------------- answers (documented, validated by ninja)


class PlanSummaryOut(Schema):
    id: int
    status: str
    status_label: str
    created_at: str
    closed_on: str | None
    close_reason: str
    predecessor_id: int | None
    main_sector_label: str
    main_unit: str
    published_number: int | None


class PlanVersionMetaOut(Schema):
    number: int
    reason: str
    author: str
    published_at: str
    based_on_version: int | None


class PlanVersionOut(PlanVersionMetaOut):
    snapshot: dict[str, Any]


class PlanChangeOut(Schema):
    version: int
    section: str
    section_label: str
    op: str
    item_id: int | None
    summary: str
    by: str
    at: str


class PublishedOut(Schema):
    number: int
    based_on_version: int | None
    reason: str


def _fields(request) -> dict:
    # PlanItemIn validates based_on_version; the section's own fields are checked by the service (unknown -> 400).
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        raise DomainError("invalid", "Ugyldige data i forespørselen.")
    body.pop("based_on_version", None)
    return body


def _out(obj, plan) -> dict:
    return {"id": obj.pk, "version": plan.version, "warnings": list(getattr(obj, "warnings", None) or [])}


# ---------------------------------------------------------------- reads


@router.get("/person/{person_id}", response=dict[str, Any])
def plan_of_person(request, person_id: int):
    """The person's open plan (or latest closed plan) as one nested document."""
    doc = selectors.plan_for_person(actor=request.user, person_id=person_id)
    if doc is None:
        raise NotFound()
    return doc


@router.get("/person/{person_id}/history", response=list[PlanSummaryOut])
def plans_of_person(request, person_id: int):
    return selectors.plans_of_person(actor=request.user, person_id=person_id)


@router.get("/{plan_id}", response=dict[str, Any])
def plan_document(request, plan_id: int):
    """The whole plan as one nested document (items a–i, coordinators, consent, versions, allowed actions)."""
    return selectors.plan_document(actor=request.user, plan_id=plan_id)


@router.get("/{plan_id}/versions", response=list[PlanVersionMetaOut])
def plan_versions(request, plan_id: int):
    return selectors.plan_versions(actor=request.user, plan_id=plan_id)


@router.get("/{plan_id}/versions/{number}", response=PlanVersionOut)
def plan_version(request, plan_id: int, number: int):
    return selectors.plan_version(actor=request.user, plan_id=plan_id, number=number)


@router.get("/{plan_id}/diff", response=list[dict[str, Any]])
def plan_diff(request, plan_id: int, from_version: int, to_version: int | None = None):
    """What changed between two published versions, by section (to_version omitted: the working copy)."""
    return selectors.plan_diff(actor=request.user, plan_id=plan_id, from_number=from_version, to_number=to_version)


@router.get("/{plan_id}/changes", response=list[PlanChangeOut])
def plan_changes(request, plan_id: int, since: int = 0):
    return selectors.plan_changes(actor=request.user, plan_id=plan_id, since_version=since)


@router.get("/{plan_id}/subplans/{subplan_id}/file", openapi_extra=file_response("The attached file.", *SUBPLAN_MEDIA_TYPES))
def subplan_file(request, plan_id: int, subplan_id: int):
    f = selectors.subplan_file(actor=request.user, plan_id=plan_id, subplan_id=subplan_id)
    response = FileResponse(f.file, as_attachment=True, filename=f.name, content_type=f.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the plan


@router.post("/", response={201: WriteOut})
def plan_create(request, payload: PlanCreateIn):
    plan = services.plan_create(actor=request.user, **payload.dict())
    return 201, _out(plan, plan)


@router.patch("/{plan_id}", response=WriteOut)
def plan_update(request, plan_id: int, payload: PlanUpdateIn):
    fields = payload.dict(exclude_unset=True)
    based_on = fields.pop("based_on_version")
    plan = services.plan_update(actor=request.user, plan_id=plan_id, based_on_version=based_on, **fields)
    return _out(plan, plan)


@router.post("/{plan_id}/status", response=WriteOut)
def plan_set_status(request, plan_id: int, payload: PlanStatusIn):
    plan = services.plan_set_status(actor=request.user, plan_id=plan_id, **payload.dict())
    return _out(plan, plan)


@router.post("/{plan_id}/main-responsibility", response=WriteOut)
def main_responsibility_set(request, plan_id: int, payload: MainResponsibilityIn):
    plan = services.main_responsibility_set(actor=request.user, plan_id=plan_id, **payload.dict())
    return _out(plan, plan)


@router.post("/{plan_id}/publish", response={201: PublishedOut})
def plan_publish(request, plan_id: int, payload: PublishIn):
    version = services.plan_publish(actor=request.user, plan_id=plan_id, **payload.dict())
    return 201, {"number": version.number, "based_on_version": version.based_on_version, "reason": version.reason}


@router.post("/{plan_id}/close", response=WriteOut)
def plan_close(request, plan_id: int, payload: CloseIn):
    plan = services.plan_close(actor=request.user, plan_id=plan_id, **payload.dict())
    return _out(plan, plan)


@router.post("/{plan_id}/reopen", response=WriteOut)
def plan_reopen(request, plan_id: int, payload: ReopenIn):
    plan = services.plan_reopen(actor=request.user, plan_id=plan_id, **payload.dict())
    return _out(plan, plan)


# ---------------------------------------------------------------- sections


@router.post("/{plan_id}/subplans", response={201: WriteOut})
def subplan_add(request, plan_id: int, based_on_version: Form[int], kind: Form[str], title: Form[str], responsible_unit_id: Form[int],
                text: Form[str] = "", order: Form[int] = 0, file: UploadedFile | None = File(None)):  # noqa: B008
    """A sub-plan with text or an attached file (multipart/form-data; PDF, DOCX, ODT, PNG, JPEG; max 10 MB)."""
    subplan = services.subplan_add(actor=request.user, plan_id=plan_id, based_on_version=based_on_version, kind=kind, title=title,
                                   responsible_unit_id=responsible_unit_id, text=text, file=file, order=order)
    return 201, _out(subplan, subplan.plan)


@router.post("/{plan_id}/goals/{goal_id}/status", response=WriteOut)
def goal_set_status(request, plan_id: int, goal_id: int, payload: StatusIn):
    goal = services.goal_set_status(actor=request.user, plan_id=plan_id, goal_id=goal_id, **payload.dict())
    return _out(goal, goal.plan)


@router.post("/{plan_id}/measures/{measure_id}/status", response=WriteOut)
def measure_set_status(request, plan_id: int, measure_id: int, payload: StatusIn):
    measure = services.measure_set_status(actor=request.user, plan_id=plan_id, measure_id=measure_id, **payload.dict())
    return _out(measure, measure.plan)


@router.post("/{plan_id}/evaluations/record", response=WriteOut)
def evaluation_record(request, plan_id: int, payload: EvaluationRecordIn):
    evaluation = services.evaluation_record(actor=request.user, plan_id=plan_id, **payload.dict())
    return _out(evaluation, evaluation.plan)


@router.post("/{plan_id}/{section}", response={201: WriteOut})
def item_add(request, plan_id: int, section: str, payload: PlanItemIn):
    """Add an item to a section: goals, resources, needs, participants, contributions, measures, evaluations, cooperation."""
    item = services.item_add(actor=request.user, plan_id=plan_id, based_on_version=payload.based_on_version, section=section,
                             fields=_fields(request))
    return 201, _out(item, item.plan)


@router.patch("/{plan_id}/{section}/{item_id}", response=WriteOut)
def item_update(request, plan_id: int, section: str, item_id: int, payload: PlanItemIn):
    item = services.item_update(actor=request.user, plan_id=plan_id, based_on_version=payload.based_on_version, section=section,
                                item_id=item_id, fields=_fields(request))
    return _out(item, item.plan)


@router.delete("/{plan_id}/{section}/{item_id}", response=WriteOut)
def item_remove(request, plan_id: int, section: str, item_id: int, based_on_version: int):
    services.item_remove(actor=request.user, plan_id=plan_id, based_on_version=based_on_version, section=section, item_id=item_id)
    return {"id": item_id, "version": based_on_version + 1}
