"""FHIR R4 resources built from what a reader may see: pure functions, no queries, no access decisions.

Every builder takes data that a selector has ALREADY cut down to the reader (the masked person and the record
parts of helhet.people.selectors.person_detail; the restricted plan document of helhet.plans.selectors; the
meeting and thread views of helhet.meetings.selectors; the access log of helhet.audit.selectors) and maps it
field by field, so a FHIR reader sees exactly what the page and the JSON API show them: a field that is None
there is absent here. helhet/interop/views.py calls the selectors; tests/interop/ compare the two for every role.

Every resource is validated with the `fhir.resources` **R4B** models (`validate`): R4B (4.3.0) is wire-compatible
with R4 (4.0.1) for the resources served here; the R5 defaults of fhir.resources 8 are never used.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from fhir.resources.R4B import get_fhir_model_class

# Norwegian identifier systems (HL7 Norway no-basis; the OIDs are Direktoratet for e-helse's).
FNR = "urn:oid:2.16.578.1.12.4.1.4.1"  # fødselsnummer
DNR = "urn:oid:2.16.578.1.12.4.1.4.2"  # D-nummer
HPR = "urn:oid:2.16.578.1.12.4.1.4.4"  # HPR-nummer (helsepersonellregisteret)
ORGNR = "urn:oid:2.16.578.1.12.4.1.4.101"  # organisasjonsnummer (Enhetsregisteret)
# Helhet's own code systems (local, not registered anywhere: named so a receiver can tell them apart).
CS = "https://helhet.example.no/fhir/CodeSystem"
CATEGORY_SYSTEM = f"{CS}/informasjonskategori"
SECTION_SYSTEM = f"{CS}/plandel"
PLAN_CATEGORY = {"coding": [{"system": f"{CS}/plantype", "code": "individuell-plan", "display": "Individuell plan"}],
                 "text": "Individuell plan"}  # a code's display: the code system's own term, not translated


def validate(data: dict) -> dict:
    """Parse `data` with its R4B model (raises pydantic.ValidationError) and return it as JSON-ready, None-free."""
    model = get_fhir_model_class(data["resourceType"])
    return model.model_validate(data).model_dump(mode="json", exclude_none=True)


def _clean(data: dict) -> dict:
    """Drop empty values (FHIR forbids empty strings, lists and objects)."""
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _clean(value)
        elif isinstance(value, list):
            value = [_clean(v) if isinstance(v, dict) else v for v in value]
            value = [v for v in value if v not in (None, "", {}, [])]
        if value in (None, "", {}, []):
            continue
        out[key] = value
    return out


def resource(data: dict) -> dict:
    return validate(_clean(data))


def ref(kind: str, pk, display: str | None = None) -> dict:
    return {"reference": f"{kind}/{pk}", "display": display or None}


def unit_ref(unit_id, name: str | None = None) -> dict | None:
    return ref("Organization", f"unit-{unit_id}", name) if unit_id else None


def _instant(value) -> str | None:
    if not value:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat()
    return value.isoformat()


def _meta(updated) -> dict | None:
    at = _instant(updated)
    return {"lastUpdated": at} if at else None


def _category(code: str, label: str | None = None) -> dict:
    return {"coding": [{"system": CATEGORY_SYSTEM, "code": code, "display": label or None}]}


def _tag(item: dict) -> dict | None:
    # The item's information category as a meta tag: what a consent must cover for another reader to see it.
    code = item.get("category")
    return {"tag": [{"system": CATEGORY_SYSTEM, "code": code, "display": item.get("category_label") or None}]} if code else None


# ---------------------------------------------------------------- the person and their record


def patient(person, data: dict) -> dict:
    """Patient (no-basis style) from the MASKED person of person_detail: hidden fields are None there, absent here."""
    identifier = []
    if person.national_id:
        identifier.append({"use": "official", "system": DNR if person.is_d_number else FNR, "value": person.national_id})
    telecom = [t for t in ({"system": "phone", "value": person.phone} if person.phone else None,
                           {"system": "email", "value": person.email} if person.email else None) if t]
    communication = []
    if person.preferred_language:
        communication.append({"language": {"text": person.preferred_language}, "preferred": True})
    out = {
        "resourceType": "Patient", "id": str(person.pk), "meta": _meta(person.updated_at),
        "identifier": identifier,
        "name": [{"use": "official", "family": person.family_name, "given": [person.given_name], "text": person.full_name}],
        "telecom": telecom,
        # Birth date only for readers who may see the national id; otherwise the birth year (a FHIR partial date).
        "birthDate": person.birth_date.isoformat() if person.birth_date else str(person.birth_year),
        "address": [{"text": person.address}] if person.address else [],
        "communication": communication,
        "managingOrganization": ref("Organization", f"org-{person.home_municipality_id}", str(person.home_municipality))
        if person.home_municipality_id else None,
    }
    if person.deceased_on:
        out["deceasedDateTime"] = person.deceased_on.isoformat()
    return resource(out)


RELATIONSHIP_CODES = {  # v3-RoleCode
    "parent": "PRN", "guardian": "GUARD", "spouse": "SPS", "child": "CHILD", "sibling": "SIB", "other": "FAMMEMB",
}


def related_person(relative, person_id) -> dict:
    """RelatedPerson from a relative person_detail gave the reader (it gives none to readers without RELATIVES)."""
    telecom = [t for t in ({"system": "phone", "value": relative.phone} if relative.phone else None,
                           {"system": "email", "value": relative.email} if relative.email else None) if t]
    return resource({
        "resourceType": "RelatedPerson", "id": str(relative.pk), "patient": ref("Patient", person_id),
        "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                      "code": RELATIONSHIP_CODES.get(relative.relationship, "FAMMEMB")}],
                          "text": relative.get_relationship_display()}],
        "name": [{"text": relative.name}], "telecom": telecom,
    })


def consent(c, person_id, today: dt.date) -> dict:
    """Consent: the record (plan work, coordinator, sharing) with its provision: permit to the named recipients for
    the purpose and period, limited to the information categories; what must not be shared as a nested deny."""
    if c.withdrawn_on and c.withdrawn_on <= today:
        status = "inactive"
    elif c.valid_on(today):
        status = "active"
    elif c.valid_to and c.valid_to < today:
        status = "inactive"
    else:
        status = "proposed"
    provision: dict = {
        "type": "permit",
        "period": {"start": (c.valid_from or c.given_on).isoformat(), "end": c.valid_to.isoformat() if c.valid_to else None},
        "purpose": [{"system": f"{CS}/samtykketype", "code": c.kind, "display": c.get_kind_display()}],
        "code": [_category(code) for code in (c.categories or [])],
    }
    if c.kind == "sharing":
        # Recipients and exclusions only for readers whose page lists them (those who record consent): fhir_recipients.
        users, units = getattr(c, "fhir_recipients", None) or ([], [])
        provision["actor"] = [
            *({"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]},
               "reference": ref("Practitioner", u.pk, u.get_full_name() or u.username)} for u in users),
            *({"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]},
               "reference": unit_ref(unit.pk, unit.name)} for unit in units),
        ]
        if c.exclusions and getattr(c, "fhir_recipients", None) is not None:
            provision["provision"] = [{"type": "deny", "code": [{"text": c.exclusions}]}]
    return resource({
        "resourceType": "Consent", "id": str(c.pk), "meta": _meta(c.created_at), "status": status,
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                              "code": "patient-privacy" if c.kind == "sharing" else "treatment"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}],
                      "text": c.get_kind_display()}],
        "patient": ref("Patient", person_id),
        "dateTime": c.given_on.isoformat(),
        "performer": [{"display": f"{c.given_by_name} ({c.get_given_by_display()})"}],
        "policyRule": {"text": " – ".join(x for x in (c.purpose, c.get_method_display()) if x)},
        "provision": provision,
    })


# ---------------------------------------------------------------- staff and organisations (reference data)


def organization(org) -> dict:
    return resource({
        "resourceType": "Organization", "id": f"org-{org.pk}", "active": True,
        "identifier": [{"system": ORGNR, "value": org.org_number}],
        "type": [{"text": org.get_kind_display()}], "name": org.name,
    })


def unit_organization(unit) -> dict:
    return resource({
        "resourceType": "Organization", "id": f"unit-{unit.pk}", "active": True,
        "identifier": [{"system": ORGNR, "value": unit.org_number}] if unit.org_number else [],
        "type": [{"text": unit.get_sector_display()}], "name": unit.name,
        "partOf": ref("Organization", f"org-{unit.organization_id}", unit.organization.name),
    })


def practitioner(user) -> dict:
    """Name, title and HPR number (public in the HPR register); never the staff member's phone, e-mail or national id."""
    return resource({
        "resourceType": "Practitioner", "id": str(user.pk), "active": user.is_active,
        "identifier": [{"system": HPR, "value": user.hpr_number}] if user.hpr_number else [],
        "name": [{"text": user.get_full_name() or user.username, "family": user.last_name, "given": [user.first_name] if user.first_name else []}],
        "qualification": [{"code": {"text": user.title}}] if user.title else [],
    })


def practitioner_role(membership) -> dict:
    return resource({
        "resourceType": "PractitionerRole", "id": f"{membership.user_id}-{membership.unit_id}", "active": membership.active,
        "practitioner": ref("Practitioner", membership.user_id, membership.user.get_full_name() or membership.user.username),
        "organization": unit_ref(membership.unit_id, membership.unit.name),
        "code": [{"coding": [{"system": f"{CS}/rolle", "code": membership.role, "display": membership.get_role_display()}]}],
    })


# ---------------------------------------------------------------- the plan (from the restricted document)

PLAN_STATUS = {"draft": "draft", "active": "active", "under_evaluation": "active", "closed": "completed"}
GOAL_STATUS = {"active": "active", "achieved": "completed", "changed": "active", "dropped": "cancelled"}
TASK_STATUS = {"planned": "requested", "ongoing": "in-progress", "paused": "on-hold", "done": "completed", "cancelled": "cancelled"}

# Plan sections that have no FHIR resource of their own: carried as CarePlan notes, labelled by section.
NOTE_SECTIONS = {
    "resources": (gettext_noop("Ressurs"), ("text",)), "needs": (gettext_noop("Behov"), ("area", "text")),
    "contributions": (gettext_noop("Egen innsats"), ("text",)),
    "evaluations": (gettext_noop("Evaluering"), ("planned_on", "held_on", "reviewed", "changes", "next_on")),
    "cooperation": (gettext_noop("Samarbeid"), ("partner", "purpose", "contact")),
    "subplans": (gettext_noop("Delplan"), ("kind_label", "title", "text")),
}
MEASURE_NOTES = (("scope", gettext_noop("Omfang")), ("how", gettext_noop("Gjennomføring")),
                 ("deprioritised_reason", gettext_noop("Nedprioritert")))


def _note_text(section: str, item: dict) -> str:
    label, fields = NOTE_SECTIONS[section]
    parts = [str(item[f]) for f in fields if item.get(f)]
    return f"{_(label)}: " + " – ".join(parts)


def careplan(doc: dict, updated_at=None) -> dict:
    """CarePlan: the individual plan's frame, its goals and measures by reference, the other sections as notes."""
    pid = doc["person"]["id"]
    main = doc["main_responsibility"]
    period = doc.get("period") or {}
    status = PLAN_STATUS.get(doc["status"], "unknown")
    notes = []
    for section in NOTE_SECTIONS:
        for item in doc.get(section, []):
            notes.append({"text": _note_text(section, item),
                          "authorString": item.get("by_label") or item.get("written_by_label") or None})
    return resource({
        "resourceType": "CarePlan", "id": str(doc["id"]), "meta": _meta(updated_at),
        "status": status, "intent": "plan", "category": [PLAN_CATEGORY],
        "title": _("Individuell plan for %(name)s") % {"name": doc["person"]["name"]},
        "subject": ref("Patient", pid, doc["person"]["name"]),
        "period": {"start": period.get("start"), "end": period.get("end") or (doc.get("closed") or {}).get("on")},
        "created": doc.get("created_at"),
        # Main responsibility (hovedansvar): the responsible unit.
        "author": unit_ref(main.get("unit_id"), main.get("unit")),
        "contributor": [unit_ref(main.get("unit_id"), main.get("unit"))],
        "careTeam": [ref("CareTeam", doc["id"])],
        "goal": [ref("Goal", g["id"], g.get("label")) for g in doc.get("goals", [])],
        "activity": [{"reference": ref("Task", m["id"], m.get("label"))} for m in doc.get("measures", [])],
        "note": notes,
        "replaces": [ref("CarePlan", doc["predecessor_id"])] if doc.get("predecessor_id") else [],
    })


def careteam(doc: dict) -> dict:
    """CareTeam: the plan group (the person, relatives, staff by unit) and the coordinators: the plan frame."""
    pid = doc["person"]["id"]
    participants = []
    for p in doc.get("participants", []):
        if not p.get("active", True):
            continue
        if p["kind"] == "person":
            member = ref("Patient", pid, p.get("name"))
        elif p["kind"] == "relative":
            member = ref("RelatedPerson", p["relative_id"], p.get("name")) if p.get("relative_id") else {"display": p.get("name")}
        else:
            member = ref("Practitioner", p["user_id"], p.get("name")) if p.get("user_id") else {"display": p.get("name")}
        participants.append({"role": [{"text": p.get("role") or p.get("kind_label")}], "member": member,
                             "onBehalfOf": unit_ref(p.get("unit_id"), p.get("unit")) if p["kind"] == "staff" else None})
    for c in doc.get("coordinators", []):
        if c.get("end") and c["end"] < (doc.get("today") or c["end"]):
            continue
        participants.append({"role": [{"coding": [{"system": f"{CS}/koordinator", "code": c["kind"], "display": c.get("kind_label")}]}],
                             "member": ref("Practitioner", c["user_id"], c.get("name")) if c.get("user_id") else {"display": c.get("name")},
                             "onBehalfOf": unit_ref(c.get("unit_id"), c.get("unit")),
                             "period": {"start": c.get("start"), "end": c.get("end")}})
    main = doc["main_responsibility"]
    return resource({
        "resourceType": "CareTeam", "id": str(doc["id"]),
        "status": "inactive" if doc["status"] == "closed" else "active",
        "category": [PLAN_CATEGORY],
        "name": _("Plangruppen"),
        "subject": ref("Patient", pid, doc["person"]["name"]),
        "participant": participants,
        "managingOrganization": [unit_ref(main.get("unit_id"), main.get("unit"))],
    })


def goal(g: dict, doc: dict) -> dict:
    """Goal: the person's goal in their own words, expressed by the person (or the relative / staff who wrote it)."""
    pid = doc["person"]["id"]
    expressed = ref("Patient", pid, doc["person"]["name"]) if g.get("written_by") == "person" else {"display": g.get("written_by_label")}
    return resource({
        "resourceType": "Goal", "id": str(g["id"]), "meta": _tag(g),
        "lifecycleStatus": GOAL_STATUS.get(g.get("status"), "active"),
        "achievementStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/goal-achievement", "code": "achieved"}]}
        if g.get("status") == "achieved" else None,
        "description": {"text": g["text"]},
        "subject": ref("Patient", pid, doc["person"]["name"]),
        "expressedBy": expressed,
        "statusDate": g.get("status_on"),
        "statusReason": g.get("status_note") or None,
        "category": [_category(g["category"], g.get("category_label"))] if g.get("category") else [],
    })


def task(m: dict, doc: dict) -> dict:
    """Task: a measure (tiltak) with its responsible unit and person (owner), period, deadline and status."""
    pid = doc["person"]["id"]
    owner = (ref("Practitioner", m["responsible_person_id"], m.get("responsible_person")) if m.get("responsible_person_id")
             else unit_ref(m.get("responsible_unit_id"), m.get("responsible_unit")))
    notes = [{"text": f"{_(label)}: {m[key]}"} for key, label in MEASURE_NOTES if m.get(key)]
    return resource({
        "resourceType": "Task", "id": str(m["id"]), "meta": _tag(m),
        "status": TASK_STATUS.get(m.get("status"), "requested"), "intent": "plan",
        "priority": None,
        "description": m["title"],
        "basedOn": [ref("CarePlan", doc["id"])],
        "for": ref("Patient", pid, doc["person"]["name"]),
        "owner": owner,
        "executionPeriod": {"start": m.get("start"), "end": m.get("end")},
        "restriction": {"period": {"end": m["deadline"]}} if m.get("deadline") else None,
        "reasonReference": ref("Goal", m["goal_ids"][0]) if m.get("goal_ids") else None,
        "note": notes,
    })


def document_reference(sp: dict, doc: dict, file_url: str | None) -> dict:
    """DocumentReference: a sub-plan (IOP, treatment, crisis, training plan). Its text inline (as in the plan
    document); an attached file by URL, served by the JSON API's download (which checks access again)."""
    import base64

    content = []
    if sp.get("text"):
        content.append({"attachment": {"contentType": "text/plain; charset=utf-8", "title": sp.get("title"),
                                       "data": base64.b64encode(sp["text"].encode("utf-8")).decode("ascii")}})
    if sp.get("file") and file_url:
        f = sp["file"]
        content.append({"attachment": {"contentType": f.get("content_type") or "application/octet-stream", "url": file_url,
                                       "size": f.get("size"), "title": f.get("name")}})
    return resource({
        "resourceType": "DocumentReference", "id": str(sp["id"]), "meta": _tag(sp),
        "status": "current",
        "type": {"coding": [{"system": f"{CS}/delplan", "code": sp["kind"], "display": sp.get("kind_label")}], "text": sp.get("kind_label")},
        "category": [_category(sp["category"], sp.get("category_label"))] if sp.get("category") else [],
        "subject": ref("Patient", doc["person"]["id"], doc["person"]["name"]),
        "custodian": unit_ref(sp.get("responsible_unit_id"), sp.get("responsible_unit")),
        "description": sp.get("title"),
        "content": content or [{"attachment": {"title": sp.get("title")}}],
        "context": {"related": [ref("CarePlan", doc["id"])]},
    })


LETTER_ID_PREFIX = "letter-"  # a generated letter or a scan in the document area; sub-plans keep their numeric ids


def letter_reference(d) -> dict:
    """DocumentReference: a document of the person's document area (helhet/documents: decision letters, letters to
    the GP and partners, receipts, letters to municipalities outside Helhet, scanned consents). The file by URL,
    served by the JSON API's download (which checks access again)."""
    return resource({
        "resourceType": "DocumentReference", "id": f"{LETTER_ID_PREFIX}{d.pk}", "meta": _meta(d.created_at),
        "status": "current",
        "type": {"coding": [{"system": f"{CS}/dokument", "code": d.kind, "display": str(d.get_kind_display())}],
                 "text": str(d.get_kind_display())},
        "subject": ref("Patient", d.person_id),
        "date": d.created_at.isoformat(),
        "author": [ref("Practitioner", d.created_by_id, d.created_by.get_full_name() or d.created_by.username)],
        "description": d.title,
        "content": [{"attachment": {"contentType": d.content_type, "language": d.language, "url": f"/api/v1/documents/{d.pk}/file",
                                    "size": d.size, "title": d.title, "creation": d.created_at.isoformat()}}],
    })


# ---------------------------------------------------------------- meetings, messages, the access log

APPOINTMENT_STATUS = {"planned": "booked", "held": "fulfilled", "cancelled": "cancelled"}
ATTENDANCE = {"attended": "accepted", "absent": "declined", "excused": "declined", "": "needs-action"}


def appointment(view, person_id) -> dict:
    """Appointment: a plan-group meeting (helhet.meetings.selectors.meeting_detail: the agenda is the plan frame;
    minutes are not part of it). Invitees by name only, as in the invitation (their addresses are contact data)."""
    m = view.meeting
    participants = []
    for inv in view.invitees:
        if inv.kind == "person":
            actor = ref("Patient", person_id, inv.name)
        elif inv.kind == "relative" and inv.relative_id:
            actor = ref("RelatedPerson", inv.relative_id, inv.name)
        elif inv.user_id:
            actor = ref("Practitioner", inv.user_id, inv.name)
        else:
            actor = {"display": inv.name}
        participants.append({"actor": actor, "status": ATTENDANCE.get(inv.attendance or "", "needs-action")})
    participants.append({"actor": ref("Practitioner", m.organizer_id, m.organizer.get_full_name() or m.organizer.username),
                         "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PPRF"}]}],
                         "status": "accepted"})
    return resource({
        "resourceType": "Appointment", "id": str(m.pk), "meta": _meta(m.updated_at),
        "status": APPOINTMENT_STATUS.get(m.status, "booked"),
        "cancelationReason": {"text": m.cancelled_reason} if m.cancelled_reason else None,
        "description": m.title, "comment": m.agenda,
        "start": _instant(m.start), "end": _instant(m.end),
        "basedOn": [],
        "supportingInformation": [ref("CarePlan", m.plan_id)],
        "participant": participants,
        "patientInstruction": m.place or None,
    })


def communication(post, thread, person_id) -> dict:
    """Communication: one message in a plan-group thread the reader may read (its category is covered)."""
    author = post.author
    return resource({
        "resourceType": "Communication", "id": str(post.pk), "meta": {**(_meta(post.created_at) or {}), **(_tag({"category": thread.category}) or {})},
        "status": "completed",
        "category": [_category(thread.category)],
        "subject": ref("Patient", person_id),
        "topic": {"text": thread.subject},
        "partOf": [ref("CarePlan", thread.plan_id)],
        "sent": _instant(post.created_at),
        "sender": ref("Practitioner", author.pk, author.get_full_name() or author.username),
        "payload": [{"contentString": post.text}],
    })


AUDIT_ACTIONS = {"view": "R", "create": "C", "update": "U", "delete": "D", "export": "R"}


def audit_event(event, person_id, text: str) -> dict:
    """AuditEvent: one row of the person's access log (helhet.audit.selectors.access_log_for_person), as the log
    page shows it: when, who (name, role, organisation), what, and whether it was refused or partly withheld."""
    denied = event.action == "denied"
    return resource({
        "resourceType": "AuditEvent", "id": str(event.pk),
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"},
        "subtype": [{"system": f"{CS}/hendelse", "code": event.action, "display": event.get_action_display()}],
        "action": AUDIT_ACTIONS.get(event.action, "E"),
        "recorded": _instant(event.at),
        "outcome": "4" if denied else "0",
        "outcomeDesc": text,
        "agent": [{"who": {"display": event.actor_name or "Helhet"}, "requestor": True,
                   "role": [{"coding": [{"system": f"{CS}/rolle", "code": event.actor_role}], "text": event.actor_role_label}]
                   if event.actor_role else [],
                   "name": event.actor_name or None}],
        "source": {"observer": {"display": "Helhet"},
                   "site": event.organization.name if event.organization_id and event.organization else None},
        "entity": [{"what": ref("Patient", person_id),
                    "securityLabel": [{"system": CATEGORY_SYSTEM, "code": c} for c in (event.withheld or [])]}],
    })


# ---------------------------------------------------------------- OperationOutcome and Bundle


def outcome(code: str, text: str, severity: str = "error") -> dict:
    return resource({"resourceType": "OperationOutcome", "issue": [{"severity": severity, "code": code, "diagnostics": text}]})


def bundle(entries: list[dict], *, base: str, total: int | None, links: dict[str, str], kind: str = "searchset") -> dict:
    """A searchset Bundle; `entries` are (resource, mode) pairs already validated."""
    return {
        "resourceType": "Bundle", "type": kind, "total": total,
        "link": [{"relation": rel, "url": url} for rel, url in links.items()],
        "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": mode}} for r, mode in entries],
    } if total is not None else {
        "resourceType": "Bundle", "type": kind,
        "link": [{"relation": rel, "url": url} for rel, url in links.items()],
        "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": mode}} for r, mode in entries],
    }
