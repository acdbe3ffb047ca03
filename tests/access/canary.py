"""Canaries: a person whose every field holds a unique marker tagged with its group, and a walk of every read
endpoint that reports which markers each reader's responses contained.

Used by tests/access/test_canary_fields.py and tests/access/test_refusal_events.py. Nothing here decides what a
reader may see: that is the specification table in test_canary_fields.py. This module only

  * builds the scenario through the services (helhet.*.services) and the ORM, registering every canary;
  * finds the endpoints: every URL pattern of the URL configuration (django.urls.get_resolver(), recursively)
    and every GET operation of the OpenAPI document (/api/v1/openapi.json), filling path parameters by name
    with the ids of the created objects; what it cannot fill is listed in `Endpoints.skipped`;
  * fetches them as a logged-in reader and reports the canaries found in each body.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from helhet.consent.categories import CATEGORY_VALUES
from helhet.core.world import synthetic_national_id

# ---------------------------------------------------------------- canaries

PLAN_GROUPS = {c: f"PLAN_{c.upper()}" for c in CATEGORY_VALUES}
GROUPS = ("NATIONAL_ID", "CASE", "CONTACT", "RELATIVES", "INVOLVEMENT_HEALTH", "INVOLVEMENT_NAV", "INVOLVEMENT_SCHOOL",
          *PLAN_GROUPS.values(), "AGENDA")


@dataclass(frozen=True)
class Canary:
    token: str
    group: str
    home: str  # "person" (held on the person: person page/API must show it), "plan" (plan page/API), "case", "meeting", "thread"
    where: str  # which field, for the report
    owner: str = ""  # INVOLVEMENT_*: the persona whose own involvement it is


@dataclass
class Canaries:
    items: dict[str, Canary] = field(default_factory=dict)
    n: int = 0

    def new(self, group: str, home: str, where: str, *, owner: str = "", email: bool = False) -> str:
        assert group in GROUPS, group
        self.n += 1
        token = f"cnry-{group.lower()}-{self.n:03d}@example.invalid" if email else f"CNRY-{group}-{self.n:03d}"
        self.items[token.lower()] = Canary(token, group, home, where, owner)
        return token

    def add_literal(self, token: str, group: str, home: str, where: str, variants=()) -> None:
        """A canary that cannot carry the CNRY- prefix (the national id): `variants` are other spellings of it."""
        canary = Canary(token, group, home, where)
        self.items[token.lower()] = canary
        for v in variants:
            self.items[v.lower()] = canary

    def found(self, text: str) -> set[Canary]:
        low = text.lower()
        return {c for key, c in self.items.items() if key in low}

    def of(self, *, home: str | None = None) -> set[Canary]:
        return {c for c in self.items.values() if home is None or c.home == home}


# ---------------------------------------------------------------- the scenario


@dataclass
class Scenario:
    person: object
    plan: object
    users: dict  # persona -> user (world.users plus "self" and "representative")
    canaries: Canaries
    ids: dict  # object kind -> list of ids (first is used to fill a parameter)
    items: dict  # plan section -> {category: item id}
    outbox: list  # e-mails sent while building
    notes: list  # what could not be created, for the report


# The parent's name: plain text, not a canary (a participant and contributor of the plan: the frame).
GUARDIAN_NAME = "Frida Kanarifugl"
# Plain texts looked for in every body besides the canaries (test_canary_fields requires them on the plan documents).
FRAME_MARKERS = (GUARDIAN_NAME,)


def _version(plan_id) -> int:
    from helhet.plans.models import IndividualPlan

    return IndividualPlan.objects.values_list("version", flat=True).get(pk=plan_id)


def _ten_years_ago(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 10)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 10, day=28)


def build_scenario(world) -> Scenario:
    """The person (a 10-year-old in Fjordvik) and everything around them, every text a canary. No sharing consent."""
    from helhet.cases import services as cases
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.services import consent_record
    from helhet.meetings import services as meetings
    from helhet.meetings.models import Meeting
    from helhet.people import services as people
    from helhet.plans import services as plans

    User = get_user_model()
    u, units = dict(world.users), world.units
    ke, coord = u["ke"], u["coordinator"]
    cn = Canaries()
    ids: dict[str, list] = defaultdict(list)
    notes: list[str] = []
    today = timezone.localdate()
    mail.outbox = []

    birth = _ten_years_ago(today)
    nid = synthetic_national_id(birth, 137)
    person = people.person_create(actor=ke, national_id=nid, given_name="Sol", family_name="Kanarifugl", home_municipality_id=world.orgs["fjordvik"].pk,
                                  address=cn.new("CONTACT", "person", "Person.address"), phone=cn.new("CONTACT", "person", "Person.phone"),
                                  email=cn.new("CONTACT", "person", "Person.email", email=True))
    cn.add_literal(nid, "NATIONAL_ID", "person", "Person.national_id", variants=[f"{nid[:6]} {nid[6:]}", f"{nid[:6]}-{nid[6:]}"])
    ids["person"].append(person.pk)

    # The person themself (Rel.SELF: a login with the person's national id) and a parent who may consent (Rel.REPRESENTATIVE).
    me = User.objects.create(username="canary-self", first_name="Sol", last_name="Kanarifugl", email="canary-self@example.invalid", national_id=nid)
    parent = User.objects.create(username="canary-parent", first_name="Forelder", last_name="Kanarifugl", email="canary-parent@example.invalid")
    u["self"], u["representative"] = me, parent
    # The parent takes part in the plan work (a relative participant, and a contributor below): who takes part and who
    # contributes is the plan frame (plan item b), shown to every plan reader, so the parent's NAME is no canary; their
    # phone and e-mail are. The sibling is in no plan group: their name is a RELATIVES canary too.
    guardian = people.relative_add(actor=ke, person=person, name=GUARDIAN_NAME, relationship="parent",
                                   phone=cn.new("RELATIVES", "person", "Relative.phone (parent)"),
                                   email=cn.new("RELATIVES", "person", "Relative.email (parent)", email=True),
                                   is_closest_relative=True, may_take_part=True, may_consent=True, user=parent)
    sibling = people.relative_add(actor=ke, person=person, name=cn.new("RELATIVES", "person", "Relative.name (sibling)"), relationship="sibling",
                                  phone=cn.new("RELATIVES", "person", "Relative.phone (sibling)"),
                                  email=cn.new("RELATIVES", "person", "Relative.email (sibling)", email=True))
    ids["relative"] += [guardian.pk, sibling.pk]

    # Involved staff: each involvement's description is a canary of its sector (the clinician's is left blank, so the
    # only INVOLVEMENT_HEALTH canary belongs to the GP).
    start = today - dt.timedelta(days=60)
    for unit_key, user_key, group in (("fjordvik_gp", "gp", "INVOLVEMENT_HEALTH"), ("fjordvik_nav", "nav", "INVOLVEMENT_NAV"),
                                      ("fjordvik_school", "teacher", "INVOLVEMENT_SCHOOL"), ("trust_ward", "clinician", None)):
        desc = cn.new(group, "person", f"Involvement.description ({unit_key})", owner=user_key) if group else ""
        inv = people.involvement_add(actor=ke, person=person, unit_id=units[unit_key].pk, staff_id=u[user_key].pk, description=desc, start=start)
        ids["involvement"].append(inv.pk)

    # Case history (staff-only by rule).
    info = cases.information_record(actor=ke, person=person, informed_on=today - dt.timedelta(days=40), wants_ip="wants", wants_coordinator="wants",
                                    note=cn.new("CASE", "person", "InformationRecord.note"))
    ids["information"].append(info.pk)
    finding = people.capacity_finding_record(actor=ke, person=person, capacity="lacking", reasons=cn.new("CASE", "person", "CapacityFinding.reasons"),
                                             found_on=today - dt.timedelta(days=39), scope="Samtykke til deling")
    ids["capacity_finding"].append(finding.pk)
    req = cases.request_create(actor=ke, person=person, received_on=today - dt.timedelta(days=38), channel="written", requester_kind="relative",
                               requester_name=cn.new("CASE", "case", "Request.requester_name"), wants_ip=True, wants_coordinator=True,
                               description=cn.new("CASE", "case", "Request.description"))
    ids["request"].append(req.pk)
    cases.assessment_create(actor=ke, request_id=req.pk, assessed_on=today - dt.timedelta(days=37), long_term=True, services_involved=3,
                            complex_needs=True, reasons=cn.new("CASE", "case", "Assessment.reasons"))
    decision = cases.decision_create(actor=ke, request_id=req.pk, decided_on=today - dt.timedelta(days=36), grants_ip=True, grants_coordinator=False,
                                     reasons=cn.new("CASE", "case", "Decision.reasons"))
    ids["decision"].append(decision.pk)
    appeal = cases.appeal_create(actor=ke, decision_id=decision.pk, received_on=today - dt.timedelta(days=30),
                                 grounds=cn.new("CASE", "case", "Appeal.grounds"))
    ids["appeal"].append(appeal.pk)

    # Consents to the work (not to sharing), given by the parent.
    for kind in ("coordinator", "plan_work"):
        c = consent_record(actor=ke, person=person, kind=kind, given_by="parents", given_by_relative_id=guardian.pk, given_by_name="Foresatt",
                           method="oral", given_on=today - dt.timedelta(days=35))
        ids["consent"].append(c.pk)

    # Appointments: the municipal coordinator and the hospital coordinator.
    for kind, key, unit in (("coordinator", "coordinator", "fjordvik_care"), ("hospital_coordinator", "hospital_coordinator", "trust_ward")):
        a = CoordinatorAppointment.objects.create(person=person, kind=kind, coordinator=u[key], unit=units[unit], appointed_by=ke, request=req,
                                                  start=today - dt.timedelta(days=34))
        ids["appointment"].append(a.pk)

    # The plan: participants (the person, the parent, staff), then one item of every category in every section (the
    # general contribution is the parent's), published as v1 (frame only) and v2 (all).
    plan = plans.plan_create(actor=coord, person_id=person.pk, main_sector="health_care", main_unit_id=units["fjordvik_care"].pk)
    ids["plan"].append(plan.pk)
    plans.participant_add(actor=coord, plan_id=plan.pk, based_on_version=_version(plan.pk), kind="person", role="Eier av planen")
    parent_participant = plans.participant_add(actor=coord, plan_id=plan.pk, based_on_version=_version(plan.pk), kind="relative",
                                               relative_id=guardian.pk, role="Forelder")
    for key, unit in (("nav", "fjordvik_nav"), ("teacher", "fjordvik_school"), ("gp", "fjordvik_gp"), ("clinician", "trust_ward")):
        p = plans.participant_add(actor=coord, plan_id=plan.pk, based_on_version=_version(plan.pk), kind="staff", user_id=u[key].pk,
                                  unit_id=units[unit].pk, role="Deltaker")
        ids["participant"].append(p.pk)
    ids["participant"].append(parent_participant.pk)  # after the staff: the walk edits the first (a staff row)
    try:
        plans.plan_publish(actor=coord, plan_id=plan.pk, based_on_version=_version(plan.pk), reason="Første versjon")
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        notes.append(f"publishing v1 (frame only) failed: {exc!r}")
    items: dict[str, dict[str, int]] = defaultdict(dict)
    care = units["fjordvik_care"].pk
    for cat in CATEGORY_VALUES:
        g = PLAN_GROUPS[cat]

        def t(where, g=g, cat=cat):
            return cn.new(g, "plan", f"{where} [{cat}]")

        fields_by_section = {
            "goals": {"text": t("Goal.text"), "written_by": "person"},
            "resources": {"text": t("Resource.text"), "written_by": "person"},
            "needs": {"text": t("Need.text"), "area": t("Need.area")},
            "measures": {"title": t("Measure.title"), "scope": t("Measure.scope"), "how": t("Measure.how"), "responsible_unit_id": care},
            "contributions": ({"by": "relative", "relative_id": guardian.pk, "text": t("Contribution.text")} if cat == "general"
                              else {"by": "service", "unit_id": care, "text": t("Contribution.text")}),
            "cooperation": {"partner": t("Cooperation.partner"), "kind": "service", "purpose": t("Cooperation.purpose")},
            "subplans": {"kind": "training", "title": t("SubPlan.title"), "responsible_unit_id": care, "text": t("SubPlan.text")},
            "evaluations": {"planned_on": today + dt.timedelta(days=90), "reviewed": t("Evaluation.reviewed")},
        }
        for section, fields in fields_by_section.items():
            obj = plans.item_add(actor=coord, plan_id=plan.pk, based_on_version=_version(plan.pk), section=section, fields={**fields, "category": cat})
            assert obj.category == cat, (section, cat, obj.category)
            items[section][cat] = obj.pk
    try:
        plans.plan_publish(actor=coord, plan_id=plan.pk, based_on_version=_version(plan.pk), reason="Alle opplysninger")
    except Exception as exc:  # noqa: BLE001
        notes.append(f"publishing v2 failed: {exc!r}")

    # Plan group: a meeting (invitations), its minutes (health_function, sent), a message thread (social_family).
    try:
        now = timezone.now()
        meeting = meetings.meeting_create(actor=coord, plan_id=plan.pk, title="Ansvarsgruppemøte", agenda=cn.new("AGENDA", "meeting", "Meeting.agenda"),
                                          start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=1, hours=1), place="Rådhuset")
        ids["meeting"].append(meeting.pk)
        Meeting.objects.filter(pk=meeting.pk).update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(hours=1))
        meetings.minutes_write(actor=coord, meeting_id=meeting.pk, based_on_version=_version(plan.pk), category="health_function",
                               text=cn.new("PLAN_HEALTH_FUNCTION", "meeting", "Minutes.text [health_function]"))
        meetings.minutes_send(actor=coord, meeting_id=meeting.pk)
    except Exception as exc:  # noqa: BLE001
        notes.append(f"meeting/minutes: {exc!r}")
    try:
        thread = meetings.thread_create(actor=coord, plan_id=plan.pk, subject=cn.new("PLAN_SOCIAL_FAMILY", "thread", "Thread.subject [social_family]"),
                                        text=cn.new("PLAN_SOCIAL_FAMILY", "thread", "Post.text [social_family]"), category="social_family")
        meetings.post_add(actor=coord, thread_id=thread.pk, text=cn.new("PLAN_SOCIAL_FAMILY", "thread", "Post.text reply [social_family]"))
        ids["thread"].append(thread.pk)
    except Exception as exc:  # noqa: BLE001
        notes.append(f"thread: {exc!r}")

    _coordination_objects(world, person, u, ids, notes, guardian)
    # E-mails wait in the outbox until commit (helhet.core.outbox); the test never commits, so send them now.
    from helhet.core import outbox as mail_outbox

    mail_outbox.deliver_due()
    outbox = list(mail.outbox)
    plan.refresh_from_db()
    return Scenario(person=person, plan=plan, users=u, canaries=cn, ids=dict(ids), items=dict(items), outbox=outbox, notes=notes)


def _coordination_objects(world, person, u, ids, notes, guardian) -> None:
    """Objects whose pages are about the person (need notification, transfer, disagreement): plain texts, so the walk
    reaches those pages too. Each is optional: a refusal is reported, not fatal."""
    from helhet.cases.models import CoordinatorAppointment
    from helhet.coordination import services as co

    today = timezone.localdate()
    attempts = {
        "need_notification": lambda: co.need_notification_send(
            actor=u["coordinator"], person=person, direction="to_hospital", sent_on=today, summary="Behov for koordinator på sykehuset",
            contact_name="Koordinator", needs_coordinator=True, to_unit_id=world.units["trust_ward"].pk, consent_given_by="parents",
            consent_given_by_relative_id=guardian.pk, consent_given_by_name="Foresatt", consent_method="oral", consent_given_on=today),
        "transfer": lambda: co.transfer_start(actor=u["ke"], person=person, kind="coordinator_leaves", effective_on=today + dt.timedelta(days=20),
                                              from_appointment_id=CoordinatorAppointment.objects.get(person=person, coordinator=u["coordinator"]).pk),
        "disagreement": lambda: co.disagreement_raise(actor=u["ke"], person=person, kind="main_responsibility", description="Hvem har hovedansvaret",
                                                      raised_on=today, parties="Hjemmetjenesten og sykehuset"),
    }
    for kind, make in attempts.items():
        try:
            with transaction.atomic():
                ids[kind].append(make().pk)
        except Exception as exc:  # noqa: BLE001
            notes.append(f"{kind}: {exc!r}")


# ---------------------------------------------------------------- an objection to the health-personnel rule (hpl. § 25)


def record_health_objection(*, actor, person, on: dt.date | None = None):
    """Record the person's objection to sharing among cooperating health personnel (helhet.access.models.
    HealthSharingObjection; not the objection to informing partners, helhet.coordination PartnerInformationObjection):
    through the service helhet.access.services.objection_record, or with the ORM while the service does not exist."""
    on = on or timezone.localdate()
    try:
        from helhet.access.services import objection_record
    except ImportError:
        from helhet.access.models import HealthSharingObjection

        return HealthSharingObjection.objects.create(person=person, objected_on=on, given_by_name="Foresatt", how="oral", note="",
                                                     recorded_by=actor)
    return objection_record(actor=actor, person=person, objected_on=on, given_by_name="Foresatt", how="oral", note="")


def withdraw_health_objection(*, actor, objection, on: dt.date | None = None) -> None:
    """The person no longer objects (helhet.access.services.objection_withdraw, or the ORM while it does not exist)."""
    on = on or timezone.localdate()
    try:
        from helhet.access.services import objection_withdraw
    except ImportError:
        type(objection).objects.filter(pk=objection.pk).update(withdrawn_on=on, withdrawn_by=actor)
        return
    objection_withdraw(actor=actor, objection_id=objection.pk, on=on)


# ---------------------------------------------------------------- endpoints

# A `pk` is filled by the literal segment before it (the route names the collection).
PK_SEGMENTS = {
    "personer": "person", "henvendelser": "request", "klager": "appeal", "samtykker": "consent", "koordinatoroppdrag": "appointment",
    "meldinger": "need_notification", "overforinger": "transfer", "reservasjoner": "partner_objection", "uenigheter": "disagreement",
    "tilganger": "grant", "forste-kontakt": "appointment", "regler": "rule",
}
# Named parameters (URL patterns and OpenAPI alike).
NAMED = {
    "person_id": "person", "plan_id": "plan", "request_id": "request", "meeting_id": "meeting", "thread_id": "thread",
    "appointment_id": "appointment", "notification_id": "need_notification", "transfer_id": "transfer", "disagreement_id": "disagreement",
    "subplan_id": "subplan", "consent_id": "consent", "grant_id": "grant", "decision_id": "decision", "appeal_id": "appeal",
}
NOT_PERSON_DATA = {"rule"}
# Query parameters a page or operation needs to show anything (the rest are optional filters and left out).
QUERY = {"plan_diff": "?a=1&b=2"}
API_QUERY_VALUES = {"from_version": "1", "to_version": "2", "since": "0", "person_id": None}
# Never fetched: would end the session or leave the site.
SKIP_ROUTES = ("admin/", "api/v1/", "i18n/", "logout/", "oidc/")


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # "urlconf" or "openapi"
    pattern: str  # the route / OpenAPI path it came from
    name: str  # URL name or operation id
    person_data: bool  # a filled parameter refers to the person or their objects


@dataclass
class Endpoints:
    items: list[Endpoint]
    skipped: list[tuple[str, str]]  # (pattern, why)
    patterns_total: int
    operations_total: int

    @property
    def person_data(self) -> list[Endpoint]:
        return [e for e in self.items if e.person_data]


def _walk_resolver(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            route = str(p.pattern) if isinstance(p.pattern, RoutePattern) else None
            if route is None:
                yield prefix + str(p.pattern), None, False
                continue
            yield from _walk_resolver(p, prefix + route)
        elif isinstance(p, URLPattern):
            ok = isinstance(p.pattern, RoutePattern)
            yield prefix + str(p.pattern), p.name, ok


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _values_for(kind: str, scenario: Scenario) -> list:
    if kind == "rule":
        from helhet.rules.models import Rule

        first = Rule.objects.order_by("pk").values_list("pk", flat=True).first()
        return [first] if first else []
    if kind == "subplan":
        return list(scenario.items.get("subplans", {}).values())[:1]
    return scenario.ids.get(kind, [])[:1]


def _item_values(section: str, scenario: Scenario, route: str) -> list:
    """One item per form: a health item (the health-personnel rule) on edit/status forms, a child-welfare item (nobody
    but the whole-plan readers) on remove forms. One each keeps the walk inside its time budget."""
    by_cat = scenario.items.get(section, {})
    cat = "child_welfare" if "/fjern/" in route else "health_function"
    return [by_cat[cat]] if cat in by_cat else []


def urlconf_endpoints(scenario: Scenario) -> tuple[list[Endpoint], list[tuple[str, str]], int]:
    from helhet.plans.views import (  # the URL vocabulary (slugs, section keys), not the access policy
        SECTION_ORDER,
        SLUGS,
    )

    out, skipped, total = [], [], 0
    for route, name, ok in _walk_resolver(get_resolver()):
        if route.startswith(SKIP_ROUTES):
            continue
        total += 1
        if not ok:
            skipped.append((route, "regex pattern"))
            continue
        segments = route.split("/")
        # Each parameter: a list of (value, kind); combined below. slug + item_id go together (the item of that section).
        choices: list[list[dict]] = [{}]
        problem = None
        for i, seg in enumerate(segments):
            m = _PARAM.fullmatch(seg)
            if not m:
                continue
            pname = m.group(2)
            prev = segments[i - 1] if i else ""
            new = []
            for c in choices:
                if pname == "pk":
                    kind = PK_SEGMENTS.get(prev)
                    vals = _values_for(kind, scenario) if kind else []
                    if not vals and not problem:
                        problem = f"pk after '{prev}': no object" if kind else f"pk after '{prev}': unknown collection"
                    new += [{**c, pname: (v, kind)} for v in vals]
                elif pname == "slug":
                    new += [{**c, pname: (s, "slug")} for s in SLUGS]
                elif pname == "key" and prev == "seksjon":
                    new += [{**c, pname: (k, "section")} for k in SECTION_ORDER]
                elif pname == "item_id":
                    slug = c["slug"][0] if "slug" in c else prev
                    section = SLUGS.get(slug)
                    vals = _item_values(section, scenario, route) if section else []
                    if not vals and section not in ("participants",):
                        problem = problem or f"item_id after '{prev}': no item"
                    if section == "participants":
                        vals = scenario.ids.get("participant", [])[:1]
                    new += [{**c, pname: (v, "item")} for v in vals]
                elif pname in NAMED:
                    vals = _values_for(NAMED[pname], scenario)
                    if not vals:
                        problem = problem or f"{pname}: no object"
                    new += [{**c, pname: (v, NAMED[pname])} for v in vals]
                else:
                    problem = problem or f"{pname}: no value known"
            choices = new
        if not choices:
            skipped.append((route, problem or "unfillable"))
            continue
        for c in choices:
            url = "/" + _PARAM.sub(lambda m, c=c: str(c[m.group(2)][0]), route)
            person_data = any(kind not in NOT_PERSON_DATA and kind not in ("slug", "section") for _, kind in c.values())
            out.append(Endpoint(url + QUERY.get(name or "", ""), "urlconf", route, name or "", person_data))
    return out, skipped, total


def openapi_endpoints(scenario: Scenario, client: Client) -> tuple[list[Endpoint], list[tuple[str, str]], int]:
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200, resp.status_code
    doc = resp.json()
    base = doc.get("servers", [{}])[0].get("url", "") if doc.get("servers") else ""
    out, skipped, total = [], [], 0
    for path, ops in doc["paths"].items():
        op = ops.get("get")
        if op is None:
            continue
        total += 1
        values, query, problem, person_data = {}, [], None, False
        for prm in op.get("parameters", []):
            pname, where = prm["name"], prm["in"]
            if where == "path":
                if pname == "number":
                    values[pname] = "2"
                    continue
                kind = NAMED.get(pname)
                vals = _values_for(kind, scenario) if kind else []
                if not vals:
                    problem = problem or f"{pname}: no value"
                    continue
                values[pname] = vals[0]
                person_data = person_data or kind not in NOT_PERSON_DATA
            elif where == "query" and prm.get("required"):
                v = API_QUERY_VALUES.get(pname)
                if v is None and pname in NAMED:
                    v = (_values_for(NAMED[pname], scenario) or [None])[0]
                if v is None:
                    problem = problem or f"query {pname}: no value"
                    continue
                query.append(f"{pname}={v}")
        if problem:
            skipped.append((path, problem))
            continue
        url = base + re.sub(r"\{(\w+)\}", lambda m, values=values: str(values[m.group(1)]), path)
        if not url.startswith("/api/"):
            url = "/api/v1" + url if not url.startswith("/") else url
        if query:
            url += "?" + "&".join(query)
        out.append(Endpoint(url, "openapi", path, op.get("operationId", ""), person_data))
        # The versions of a plan: also the first one (frame only).
        if "{number}" in path:
            out.append(Endpoint(url.replace("/versions/2", "/versions/1"), "openapi", path, op.get("operationId", ""), person_data))
    return out, skipped, total


def endpoints(scenario: Scenario, ke_client: Client) -> Endpoints:
    a, sa, ta = urlconf_endpoints(scenario)
    b, sb, tb = openapi_endpoints(scenario, ke_client)
    return Endpoints(items=a + b, skipped=sa + sb, patterns_total=ta, operations_total=tb)


# ---------------------------------------------------------------- fetching


@dataclass(frozen=True)
class Hit:
    endpoint: Endpoint
    status: int
    found: frozenset  # of Canary
    error: str = ""
    seconds: float = 0.0
    frame: frozenset = frozenset()  # FRAME_MARKERS found (plain texts every reader of the document must see)


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _body(resp) -> str:
    if getattr(resp, "streaming", False):
        data = b"".join(resp.streaming_content)
    else:
        data = resp.content
    return data.decode("utf-8", errors="replace")


# URLs found to be htmx partials (a full-page request redirected, the htmx request did not): later readers fetch them
# as htmx does straight away, which halves their cost. The view decides access before it looks at the HX header, so
# a refusal is the same 404 either way. Shared by every walk in the process (the same URL is the same view).
HTMX_URLS: set[str] = set()


def fetch(client: Client, endpoint: Endpoint, canaries: Canaries) -> Hit:
    began = time.perf_counter()
    if endpoint.url in HTMX_URLS:
        resp = client.get(endpoint.url, HTTP_HX_REQUEST="true")
    else:
        resp = client.get(endpoint.url)
        if resp.status_code in (301, 302) and endpoint.source == "urlconf":
            # htmx partials redirect a full-page request to their page: fetch them as htmx does.
            htmx = client.get(endpoint.url, HTTP_HX_REQUEST="true")
            if htmx.status_code not in (301, 302):
                resp = htmx
                HTMX_URLS.add(endpoint.url)
    text = _body(resp)
    error = ""
    if resp.status_code >= 500:
        error = text[:200]
    frame = frozenset(m for m in FRAME_MARKERS if m.lower() in text.lower())
    return Hit(endpoint, resp.status_code, frozenset(canaries.found(text)), error, time.perf_counter() - began, frame)


def walk(user, items: list[Endpoint], canaries: Canaries) -> list[Hit]:
    client = client_for(user)
    return [fetch(client, e, canaries) for e in items]
