"""FHIR R4 at /fhir/R4/: read and search, JSON (application/fhir+json). Thin: parse, call the selectors, map.

Every read goes through the same selectors as the page and the JSON API (helhet.people.selectors.person_detail,
helhet.plans.selectors.plan_document / plans_of_person, helhet.meetings.selectors, helhet.audit.selectors), so
the access decision, the consent filtering and the audit event ('view', or 'denied' with a 404) are theirs.
helhet/interop/resources.py maps what they return; nothing here decides access. An object that exists but is not
in what the selector gave the reader (a goal whose category is not covered, a relative the reader may not see)
is refused through helhet.access.queries.deny: 404 OperationOutcome and a 'denied' event.

Authentication: the logged-in session (as the JSON API), or a system's bearer token (OAuth 2.0 client credentials,
scope helhet/fhir.read; helhet/accounts/tokens.py, docs/fhir.md): the token's service user is then the actor.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from pydantic import ValidationError as PydanticValidationError

from helhet.access.policy import Action
from helhet.access.queries import deny
from helhet.accounts.tokens import TokenError, bearer_token
from helhet.accounts.tokens import authenticate as tokens_authenticate
from helhet.core.errors import DomainError, NotFound

from . import resources as R
from .capability import SEARCH_PARAMS, capability_statement

CONTENT_TYPE = "application/fhir+json; charset=utf-8"
DEFAULT_COUNT, MAX_COUNT = 50, 200
MAX_EVERYTHING = 20  # meetings and message threads in Patient/$everything (bounded: each is one read)
_ID = re.compile(r"^\d{1,18}$")


class BadRequest(DomainError):
    def __init__(self, message: str):
        super().__init__("invalid", message, status=400)


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


def _base(request) -> str:
    return request.build_absolute_uri("/fhir/R4/")


def _pk(rid: str) -> int:
    """A numeric id, or a plain 404 (a malformed id refers to nobody's data)."""
    if not _ID.match(rid or ""):
        raise NotFound()
    return int(rid)


def _fhir_view(view=None, *, public: bool = False):
    """Login required (except `public`: the CapabilityStatement, which clients read before they authenticate);
    every DomainError becomes an OperationOutcome with its status."""
    if view is None:
        return lambda v: _fhir_view(v, public=public)

    def wrapped(request, *args, **kwargs):
        token = bearer_token(request)
        if token is not None and not public:
            # A system's bearer token (helhet/accounts/tokens.py): it replaces any session for this request.
            try:
                tokens_authenticate(request, token, surface="fhir")
            except TokenError as exc:
                code = "forbidden" if exc.status == 403 else ("transient" if exc.status == 503 else "login")
                response = _json(R.outcome(code, exc.message), status=exc.status)
                if exc.status in (401, 403):
                    response["WWW-Authenticate"] = exc.www_authenticate
                return response
        if not public and not request.user.is_authenticated:
            response = _json(R.outcome("login", _("Du må logge inn.")), status=401)
            response["WWW-Authenticate"] = 'Bearer realm="helhet-fhir"'
            return response
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return _json(R.outcome("not-found", exc.message), status=404)
        except DomainError as exc:
            return _json(R.outcome("invalid" if exc.status == 400 else "processing", exc.message), status=exc.status)
        except PydanticValidationError as exc:  # our own mapping produced something R4B refuses: a bug, said plainly
            return _json(R.outcome("exception", _("Ressursen kunne ikke lages som gyldig FHIR: %(e)s") % {"e": exc.error_count()}),
                         status=500)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


# ---------------------------------------------------------------- readers: one resource by id


def _person_record(actor, person_id):
    from helhet.people.selectors import person_detail

    return person_detail(actor=actor, person_id=person_id)


def _consents(person, data) -> list[dict]:
    # Recipients and exclusions for the readers whose page lists them (those who record consent: data["sharing"]).
    listed = {c.pk: c for c in data.get("sharing", [])}
    today = timezone.localdate()
    out = []
    for c in data["consents"]:
        if c.pk in listed:
            c.fhir_recipients = (list(listed[c.pk].recipient_users.all()), list(listed[c.pk].recipient_units.all()))
        out.append(R.consent(c, person.pk, today))
    return out


def read_patient(actor, rid):
    person, data = _person_record(actor, _pk(rid))
    return R.patient(person, data)


def read_related_person(actor, rid):
    from helhet.people.models import Relative

    relative = Relative.objects.select_related("person").filter(pk=_pk(rid)).first()
    if relative is None:
        raise NotFound()
    person, data = _person_record(actor, relative.person_id)
    shown = next((r for r in data["relatives"] if r.pk == relative.pk), None)
    if shown is None:
        deny(actor, Action.PERSON_VIEW, obj=relative, person=relative.person)
    return R.related_person(shown, person.pk)


def read_consent(actor, rid):
    from helhet.consent.models import Consent

    consent = Consent.objects.select_related("person").filter(pk=_pk(rid)).first()
    if consent is None:
        raise NotFound()
    person, data = _person_record(actor, consent.person_id)
    if not any(c.pk == consent.pk for c in data["consents"]):
        deny(actor, Action.PERSON_VIEW, obj=consent, person=consent.person)
    return next(c for c in _consents(person, data) if c["id"] == str(consent.pk))


def _plan_doc(actor, plan_id) -> dict:
    from helhet.plans.selectors import plan_document

    return plan_document(actor=actor, plan_id=plan_id)


def _plan_updated(plan_ids) -> dict:
    from helhet.plans.models import IndividualPlan

    return dict(IndividualPlan.objects.filter(pk__in=list(plan_ids)).values_list("pk", "updated_at"))


def read_careplan(actor, rid):
    doc = _plan_doc(actor, _pk(rid))
    return R.careplan(doc, _plan_updated([doc["id"]]).get(doc["id"]))


def read_careteam(actor, rid):
    return R.careteam(_plan_doc(actor, _pk(rid)))


def _plan_item(actor, model, rid, section: str, build):
    item = model.objects.select_related("plan__person").filter(pk=_pk(rid)).first()
    if item is None:
        raise NotFound()
    doc = _plan_doc(actor, item.plan_id)
    shown = next((x for x in doc.get(section, []) if x["id"] == item.pk), None)
    if shown is None:  # the reader may read the plan, but no scope of theirs covers this item's category
        deny(actor, Action.PLAN_VIEW, obj=item, person=item.plan.person)
    return build(shown, doc)


def read_goal(actor, rid):
    from helhet.plans.models import Goal

    return _plan_item(actor, Goal, rid, "goals", R.goal)


def read_task(actor, rid):
    from helhet.plans.models import Measure

    return _plan_item(actor, Measure, rid, "measures", R.task)


def _subplan_url(doc, sp) -> str | None:
    return f"/api/v1/plans/{doc['id']}/subplans/{sp['id']}/file" if sp.get("file") else None


def _document_reference(sp, doc):
    return R.document_reference(sp, doc, _subplan_url(doc, sp))


def read_document_reference(actor, rid):
    from helhet.plans.models import SubPlan

    if rid.startswith(R.LETTER_ID_PREFIX):
        from helhet.documents.selectors import document_detail

        return R.letter_reference(document_detail(actor=actor, document_id=_pk(rid.removeprefix(R.LETTER_ID_PREFIX))))
    return _plan_item(actor, SubPlan, rid, "subplans", _document_reference)


def _meeting(actor, meeting_id):
    from helhet.meetings.selectors import meeting_detail

    view = meeting_detail(actor=actor, meeting_id=meeting_id)
    return R.appointment(view, view.plan.person_id)


def read_appointment(actor, rid):
    return _meeting(actor, _pk(rid))


def read_communication(actor, rid):
    from helhet.meetings.models import Post
    from helhet.meetings.selectors import thread_detail

    post = Post.objects.filter(pk=_pk(rid)).values_list("thread_id", flat=True).first()
    if post is None:
        raise NotFound()
    view = thread_detail(actor=actor, thread_id=post)
    shown = next(p for p in view.posts if p.pk == int(rid))
    return R.communication(shown, view.thread, view.plan.person_id)


def read_audit_event(actor, rid):
    from helhet.audit.models import AuditEvent
    from helhet.audit.selectors import access_log_for_person, event_text

    person_id = AuditEvent.objects.filter(pk=_pk(rid), person__isnull=False).values_list("person_id", flat=True).first()
    if person_id is None:
        raise NotFound()
    _person, events = access_log_for_person(actor=actor, person_id=person_id)
    event = events.filter(pk=int(rid)).first()
    return R.audit_event(event, person_id, event_text(event))


# Staff and organisations are reference data (names, titles, HPR and organisation numbers, all public registers):
# any logged-in user may read them, as they read the national rules. No contact details, no national ids.


def read_organization(actor, rid):
    from helhet.organizations.models import Organization, ServiceUnit

    kind, _sep, num = (rid or "").partition("-")
    if kind == "org":
        org = Organization.objects.filter(pk=_pk(num)).first()
        if org:
            return R.organization(org)
    elif kind == "unit":
        unit = ServiceUnit.objects.select_related("organization").filter(pk=_pk(num)).first()
        if unit:
            return R.unit_organization(unit)
    raise NotFound()


def read_practitioner(actor, rid):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=_pk(rid), memberships__isnull=False).distinct().first()
    if user is None:  # citizens are no practitioners
        raise NotFound()
    return R.practitioner(user)


def read_practitioner_role(actor, rid):
    from helhet.organizations.models import Membership

    user_id, _sep, unit_id = (rid or "").partition("-")
    m = Membership.objects.select_related("user", "unit").filter(user_id=_pk(user_id), unit_id=_pk(unit_id)).order_by("-active").first()
    if m is None:
        raise NotFound()
    return R.practitioner_role(m)


READERS = {
    "Patient": read_patient, "RelatedPerson": read_related_person, "Consent": read_consent, "CarePlan": read_careplan,
    "CareTeam": read_careteam, "Goal": read_goal, "Task": read_task, "Appointment": read_appointment,
    "Communication": read_communication, "AuditEvent": read_audit_event, "DocumentReference": read_document_reference, "Organization": read_organization,
    "Practitioner": read_practitioner, "PractitionerRole": read_practitioner_role,
}


# ---------------------------------------------------------------- search


def _patient_param(params) -> int:
    value = params.get("patient") or params.get("subject") or ""
    value = value.removeprefix("Patient/")
    if not value:
        raise BadRequest(_("Søket må avgrenses med patient=<id>."))
    return _pk(value)


_PREFIX = re.compile(r"^(eq|ne|gt|lt|ge|le)?(\d{4}(-\d{2}(-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?)$")


def _last_updated(params) -> list:
    """_lastUpdated=ge2026-01-01 (repeatable): [(op, bound)] on lastUpdated; a date is compared as its first instant."""
    out = []
    for raw in params.getlist("_lastUpdated"):
        m = _PREFIX.match(raw.strip())
        if not m:
            raise BadRequest(_("Ugyldig _lastUpdated: %(v)s. Bruk for eksempel ge2026-01-01.") % {"v": raw})
        op, value = m.group(1) or "eq", m.group(2)
        out.append((op, value))
    return out


def _matches_updated(resource: dict, conditions) -> bool:
    if not conditions:
        return True
    at = (resource.get("meta") or {}).get("lastUpdated")
    if not at:
        return False
    for op, value in conditions:
        cut = at[: len(value)] if "T" not in value else at
        if op == "eq" and not cut == value:
            return False
        if op == "ne" and cut == value:
            return False
        if op == "gt" and not cut > value:
            return False
        if op == "ge" and not cut >= value:
            return False
        if op == "lt" and not cut < value:
            return False
        if op == "le" and not cut <= value:
            return False
    return True


def _paging(params) -> tuple[int, int]:
    try:
        count = int(params.get("_count", DEFAULT_COUNT))
        offset = int(params.get("_offset", 0))
    except ValueError:
        raise BadRequest(_("_count og _offset må være hele tall.")) from None
    if count < 0 or offset < 0:
        raise BadRequest(_("_count og _offset kan ikke være negative."))
    return min(count, MAX_COUNT), offset


def _current_plan_id(actor, person_id) -> int | None:
    """The person's open plan, else their latest closed one (as plan_for_person chooses): through the selector."""
    from helhet.plans.selectors import plans_of_person

    rows = plans_of_person(actor=actor, person_id=person_id)
    open_ = [r for r in rows if r["status"] != "closed"]
    return (open_ or rows or [{"id": None}])[0]["id"]


def search_patient(actor, params, count, offset):
    from helhet.people.selectors import person_list

    wanted = params.get("identifier") or ""
    system, _bar, value = wanted.rpartition("|")
    ids: list[int] = []
    if value:
        if system and system not in (R.FNR, R.DNR):
            return [], 0, []
        rows = [p for p in person_list(actor=actor, search=value, limit=5) if p.national_id == value]
        ids = [p.pk for p in rows if not system or (system == R.DNR) == p.is_d_number]
    elif params.get("_id"):
        ids = [_pk(v) for v in params.get("_id").split(",")][:MAX_COUNT]
        visible = {p.pk for p in person_list(actor=actor, limit=None).filter(pk__in=ids)}
        ids = [i for i in ids if i in visible]
    else:
        raise BadRequest(_("Søk etter pasient krever identifier=<system>|<fødselsnummer> eller _id."))
    found = [read_patient(actor, str(i)) for i in ids]
    return _page_of(found, params, count, offset)


def _page_of(found, params, count, offset):
    found = [r for r in found if _matches_updated(r, _last_updated(params))]
    return found[offset:offset + count], len(found), []


def search_careplan(actor, params, count, offset):
    from helhet.plans.selectors import plans_of_person

    person_id = _patient_param(params)
    rows = plans_of_person(actor=actor, person_id=person_id)
    updated = _plan_updated(r["id"] for r in rows)
    conditions = _last_updated(params)
    ids = [r["id"] for r in rows if _matches_updated({"meta": R._meta(updated.get(r["id"]))}, conditions)]
    if params.get("status"):
        wanted = set(params.get("status").split(","))
        statuses = {r["id"]: R.PLAN_STATUS.get(r["status"]) for r in rows}
        ids = [i for i in ids if statuses[i] in wanted]
    page = ids[offset:offset + count]
    includes = set(params.getlist("_include"))
    matches, extra = [], []
    for plan_id in page:
        doc = _plan_doc(actor, plan_id)
        matches.append(R.careplan(doc, updated.get(plan_id)))
        if includes & {"CarePlan:activity-reference", "CarePlan:activity"}:
            extra += [R.task(m, doc) for m in doc.get("measures", [])]
        if "CarePlan:goal" in includes:
            extra += [R.goal(g, doc) for g in doc.get("goals", [])]
        if "CarePlan:care-team" in includes:
            extra.append(R.careteam(doc))
    return matches, len(ids), extra


def _current_doc(actor, params):
    plan_id = _current_plan_id(actor, _patient_param(params))
    return _plan_doc(actor, plan_id) if plan_id else None


def search_careteam(actor, params, count, offset):
    doc = _current_doc(actor, params)
    return _page_of([R.careteam(doc)] if doc else [], params, count, offset)


def search_goal(actor, params, count, offset):
    doc = _current_doc(actor, params)
    return _page_of([R.goal(g, doc) for g in doc.get("goals", [])] if doc else [], params, count, offset)


def search_task(actor, params, count, offset):
    doc = _current_doc(actor, params)
    return _page_of([R.task(m, doc) for m in doc.get("measures", [])] if doc else [], params, count, offset)


def search_document_reference(actor, params, count, offset):
    """The sub-plans of the current plan, then the person's letters and scans (when the reader may see them)."""
    from helhet.documents.selectors import documents_if_allowed

    doc = _current_doc(actor, params)
    found = [_document_reference(sp, doc) for sp in doc.get("subplans", [])] if doc else []
    found += [R.letter_reference(d) for d in documents_if_allowed(actor=actor, person_id=_patient_param(params))]
    return _page_of(found, params, count, offset)


def search_related_person(actor, params, count, offset):
    person, data = _person_record(actor, _patient_param(params))
    return _page_of([R.related_person(r, person.pk) for r in data["relatives"]], params, count, offset)


def search_consent(actor, params, count, offset):
    person, data = _person_record(actor, _patient_param(params))
    return _page_of(_consents(person, data), params, count, offset)


def search_appointment(actor, params, count, offset):
    from helhet.meetings.selectors import meetings_of_plan

    plan_id = _current_plan_id(actor, _patient_param(params))
    if plan_id is None:
        return [], 0, []
    meetings = meetings_of_plan(actor=actor, plan_id=plan_id).meetings
    conditions = _last_updated(params)
    ids = [m.pk for m in meetings if _matches_updated({"meta": R._meta(m.updated_at)}, conditions)]
    return [_meeting(actor, i) for i in ids[offset:offset + count]], len(ids), []


def _communications(actor, plan_id, limit_threads: int) -> list[dict]:
    from helhet.meetings.selectors import thread_detail, threads_of_plan

    out = []
    for thread in threads_of_plan(actor=actor, plan_id=plan_id).threads[:limit_threads]:
        view = thread_detail(actor=actor, thread_id=thread.pk)
        out += [R.communication(p, view.thread, view.plan.person_id) for p in view.posts]
    return out


def search_communication(actor, params, count, offset):
    plan_id = _current_plan_id(actor, _patient_param(params))
    found = _communications(actor, plan_id, MAX_EVERYTHING) if plan_id else []
    return _page_of(found, params, count, offset)


def search_audit_event(actor, params, count, offset):
    from helhet.audit.selectors import access_log_for_person, event_text

    person_id = _patient_param(params)
    _person, events = access_log_for_person(actor=actor, person_id=person_id)
    # The log grows while it is paged (reading it is an event): the links pin the newest event of the first page.
    newest = params.get("_maxid") or str(events.values_list("pk", flat=True).first() or 0)
    events = events.filter(pk__lte=_pk(newest))
    total = events.count()
    rows = list(events[offset:offset + count])
    return [R.audit_event(e, person_id, event_text(e)) for e in rows], total, [], {"_maxid": newest}


SEARCHES = {
    "Patient": search_patient, "CarePlan": search_careplan, "CareTeam": search_careteam, "Goal": search_goal, "Task": search_task,
    "RelatedPerson": search_related_person, "Consent": search_consent, "Appointment": search_appointment,
    "Communication": search_communication, "AuditEvent": search_audit_event, "DocumentReference": search_document_reference,
}
assert set(SEARCHES) == set(SEARCH_PARAMS), "the CapabilityStatement lists exactly the searches served"


def _links(request, rtype, params, count, offset, total, pinned: dict) -> dict[str, str]:
    base = f"{_base(request)}{rtype}"
    kept = [(k, v) for k in params for v in params.getlist(k) if k not in ("_count", "_offset", *pinned)]
    kept += list(pinned.items())

    def url(off):
        return f"{base}?{urlencode([*kept, ('_count', count), ('_offset', off)])}"

    links = {"self": url(offset)}
    if count and offset + count < total:  # _count=0 asks for the total only: no next page
        links["next"] = url(offset + count)
    if offset > 0 and count:
        links["previous"] = url(max(0, offset - count))
    return links


def _search_bundle(request, rtype, run) -> dict:
    params = request.GET
    count, offset = _paging(params)
    matches, total, included, *pinned = run(request.user, params, count, offset)
    entries = [(r, "match") for r in matches]
    seen = {(r["resourceType"], r["id"]) for r in matches}
    for r in included:
        if (r["resourceType"], r["id"]) not in seen:
            seen.add((r["resourceType"], r["id"]))
            entries.append((r, "include"))
    return R.validate(R.bundle(entries, base=_base(request), total=total,
                               links=_links(request, rtype, params, count, offset, total, pinned[0] if pinned else {})))


# ---------------------------------------------------------------- views


@_fhir_view(public=True)
def metadata(request):
    """The CapabilityStatement: exactly the interactions and search parameters served here."""
    return _json(capability_statement(_base(request)))


@_fhir_view
def type_search(request, rtype: str):
    run = SEARCHES.get(rtype)
    if run is None:
        if rtype in READERS:
            raise BadRequest(_("Søk støttes ikke for %(type)s; les ressursen med id.") % {"type": rtype})
        raise NotFound(_("Ressurstypen %(type)s støttes ikke.") % {"type": rtype})
    return _json(_search_bundle(request, rtype, run))


@_fhir_view
def instance_read(request, rtype: str, rid: str):
    reader = READERS.get(rtype)
    if reader is None:
        raise NotFound(_("Ressurstypen %(type)s støttes ikke.") % {"type": rtype})
    return _json(reader(request.user, rid))


@_fhir_view
def patient_everything(request, rid: str):
    """Patient/<id>/$everything: the record and the current plan with what it references, bounded (MAX_EVERYTHING
    meetings and threads). Each part is read through its own selector, so each leaves its own audit event."""
    actor = request.user
    person, data = _person_record(actor, _pk(rid))
    out = [R.patient(person, data)]
    out += [R.related_person(r, person.pk) for r in data["relatives"]]
    out += _consents(person, data)
    plan_id = _current_plan_id(actor, person.pk)
    if plan_id:
        doc = _plan_doc(actor, plan_id)
        out.append(R.careplan(doc, _plan_updated([plan_id]).get(plan_id)))
        out.append(R.careteam(doc))
        out += [R.goal(g, doc) for g in doc.get("goals", [])]
        out += [R.task(m, doc) for m in doc.get("measures", [])]
        out += [_document_reference(sp, doc) for sp in doc.get("subplans", [])]
        out += _referenced(doc)
        from helhet.meetings.selectors import meetings_of_plan

        for m in meetings_of_plan(actor=actor, plan_id=plan_id).meetings[:MAX_EVERYTHING]:
            out.append(_meeting(actor, m.pk))
        out += _communications(actor, plan_id, MAX_EVERYTHING)
    if person.home_municipality_id:
        out.append(R.organization(person.home_municipality))
    entries = [(r, "match") for r in out]
    total = len(entries)
    return _json(R.validate(R.bundle(entries, base=_base(request), total=total,
                                     links={"self": request.build_absolute_uri()})))


def _referenced(doc) -> list[dict]:
    """The staff and units the plan document names (participants, coordinators, responsible units): two queries."""
    from django.contrib.auth import get_user_model

    from helhet.organizations.models import ServiceUnit

    user_ids = {p["user_id"] for p in doc.get("participants", []) if p.get("user_id")}
    user_ids |= {c["user_id"] for c in doc.get("coordinators", []) if c.get("user_id")}
    user_ids |= {m["responsible_person_id"] for m in doc.get("measures", []) if m.get("responsible_person_id")}
    unit_ids = {doc["main_responsibility"]["unit_id"]} | {p["unit_id"] for p in doc.get("participants", []) if p.get("unit_id")}
    unit_ids |= {c["unit_id"] for c in doc.get("coordinators", []) if c.get("unit_id")}
    unit_ids |= {m["responsible_unit_id"] for m in doc.get("measures", []) if m.get("responsible_unit_id")}
    users = get_user_model().objects.filter(pk__in=user_ids).order_by("pk")
    units = ServiceUnit.objects.filter(pk__in=unit_ids).select_related("organization").order_by("pk")
    return [R.practitioner(u) for u in users] + [R.unit_organization(u) for u in units]


def not_found(request, rest: str = ""):
    """Anything else under /fhir/R4/: an OperationOutcome, never the HTML 404 page."""
    return _json(R.outcome("not-found", _("Fant ikke det du ba om.")), status=404)

