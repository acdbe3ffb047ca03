"""Reads for the person's own pages. Everything through the one access policy (helhet.access.queries) and the
existing readers, which audit: the plan document as restricted for this reader (helhet.plans.selectors), meetings and
messages (helhet.meetings.selectors), the access log (helhet.audit.selectors).

    my_persons(*, actor) -> list[Person]                     # whom this login may open "Min plan" for (self, acts for)
    my_plan(*, actor, person_id, params) -> dict             # the portal's front page for one person (meetings: a page)
    my_consents(*, actor, person_id, params) -> dict         # the consents this reader may see, in plain words (earlier: a page)
    consent_change_preview(consent, *, categories, user_ids, unit_ids) -> list[dict]   # who loses what (pure-ish)
    my_mapping(*, actor, person_id) -> (Person, Mapping | None)   # the person's own kartlegging (PLAN_OWN_WRITE)
    my_documents(*, actor, person_id) -> dict                     # documents this reader may see (documents.selectors)
    plan_from_person(*, actor, plan_id) -> dict                   # staff: comments and sent kartlegging, by the policy
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import (
    acting_unit,
    allowed_actions,
    get_person,
    person_access,
    visible_persons_q,
)
from helhet.audit.services import record
from helhet.consent.categories import CATEGORY_VALUES, label
from helhet.consent.models import Consent
from helhet.people.models import Person

from .models import Mapping, MeasureComment, MeetingResponse

# What each information category means, in plain words (the consent page: "what does this consent cover?").
PLAIN: dict[str, str] = {
    "health_function": gettext_noop("Helsen din og hva du klarer i hverdagen, og tiltakene for det."),
    "medication": gettext_noop("Hvilke medisiner du bruker."),
    "social_family": gettext_noop("Familien din, venner og hvordan du har det sosialt."),
    "school": gettext_noop("Skole eller barnehage, også opplæringsplanen (IOP)."),
    "economy_work": gettext_noop("Penger, arbeid og ytelser fra NAV."),
    "child_welfare": gettext_noop("Opplysninger fra barnevernet."),
    "general": gettext_noop("Det du selv har skrevet i planen: målene dine, hva du er god til og hva du bidrar med."),
}


# The person's own sections after their goals: (plan section, URL slug, heading, when empty, add button).
OWN_BLOCKS = (
    ("resources", "ressurs", gettext_lazy("Dette får jeg til / dette hjelper meg"), gettext_lazy("Ingenting er skrevet ennå."),
     gettext_lazy("Skriv hva du får til")),
    ("contributions", "bidrag", gettext_lazy("Dette gjør jeg selv"), gettext_lazy("Ingenting er skrevet ennå."),
     gettext_lazy("Skriv hva du gjør selv")),
)


def _date(value):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return None


def plain(category: str) -> str:
    return _(PLAIN.get(category, "")) if category in PLAIN else ""


def my_persons(*, actor) -> list[Person]:
    """The persons whose "Min plan" this login may open: themself, those they act for (no audit: only names, of
    people the login stands to; opening one is audited)."""
    return list(Person.objects.filter(visible_persons_q(actor, action=Action.PORTAL_VIEW)).order_by("given_name", "family_name", "pk"))


def _person(actor, person_id) -> tuple[Person, str, frozenset[str]]:
    person, why = get_person(actor, person_id, action=Action.PORTAL_VIEW)
    return person, why, allowed_actions(actor, person)


def my_plan(*, actor, person_id, params=None, per_page: int = 10) -> dict:
    """The person's plan as this reader may see it (restricted and audited by plans.selectors), with upcoming meetings
    and message threads (audited by meetings.selectors), the coordinators' contact details and the reader's rights.
    The upcoming meetings are a page (helhet.core.paging, ?moter_side=; `params` the request's query string), paged
    in the database: a COUNT and the page's rows, whatever the number of meetings."""
    from helhet.core.paging import offset_page
    from helhet.meetings import selectors as meetings
    from helhet.organizations.models import User
    from helhet.plans import selectors as plans

    person, why, allowed = _person(actor, person_id)
    doc = plans.plan_for_person(actor=actor, person_id=person.pk)
    out = {"person": person, "why": why, "allowed": allowed, "plan": doc, "threads": [], "contacts": {},
           "meetings": offset_page([], params, per_page=per_page, prefix="moter_"),
           "self": why == "self", "limited": why == "parent_limited"}
    if out["limited"] or "parents_objection.record" in allowed:
        from helhet.consent.parents_objection import effect_at_age

        # What the rules tell the parents at this age: the parent's page says why it is narrowed (by age, or neutrally:
        # a young person's objection, never its reasons); the young person's page links to "Hva foreldrene dine får vite"
        # while they are young enough for it to matter.
        out["parents_effect"] = effect_at_age(person, timezone.localdate())[0]
        out["limited_by_age"] = out["parents_effect"] == "parental_responsibility_only"
        out["parents_link"] = "parents_objection.record" in allowed and out["parents_effect"] in ("full", "unless_child_objects")
    if doc is None:
        return out
    for m in doc.get("measures", []):
        m["deadline"] = _date(m.get("deadline"))
    doc["closed"] = {**doc.get("closed", {}), "on": _date(doc.get("closed", {}).get("on"))}
    coordinators = [c for c in doc.get("coordinators", []) if not c.get("end")]
    ids = [c["user_id"] for c in coordinators if c.get("user_id")]
    out["coordinators"] = coordinators
    out["contacts"] = {u.pk: u for u in User.objects.filter(pk__in=ids).only("id", "email", "phone", "first_name", "last_name", "title")}
    for c in coordinators:
        c["contact"] = out["contacts"].get(c.get("user_id"))
    if doc["status"] != "closed" and why != "parent_limited":  # a parent with narrowed information: the frame only
        # Soonest first (ties: the newest first, as before); the page's answers in one query.
        found = meetings.meetings_of_plan(actor=actor, plan_id=doc["id"], upcoming=True)
        upcoming = offset_page(found.meetings, params, per_page=per_page, prefix="moter_")
        answers = dict(MeetingResponse.objects.filter(meeting__in=[m.pk for m in upcoming], user=actor).values_list("meeting_id", "answer"))
        for m in upcoming:
            m.my_answer = answers.get(m.pk, "")
        out["meetings"] = upcoming
        out["threads"] = meetings.threads_of_plan(actor=actor, plan_id=doc["id"]).threads
    # Comments on the measures this reader sees (doc["measures"] is already cut to their access), one query.
    comments: dict[int, list] = {}
    for c in MeasureComment.objects.filter(measure_id__in=[m["id"] for m in doc.get("measures", [])]).select_related("author"):
        comments.setdefault(c.measure_id, []).append(c)
    for m in doc.get("measures", []):
        m["comments"] = comments.get(m["id"], [])
    from .services import own_sections

    out["own_sections"] = own_sections() if "plan.own_write" in allowed and doc["status"] != "closed" else ()
    out["own_blocks"] = [
        {"section": section, "slug": slug, "heading": heading, "empty": empty, "add": add,
         "items": [{**i, "mine": i.get("written_by", i.get("by")) if i.get("written_by", i.get("by")) in ("person", "relative") else ""}
                   for i in doc.get(section, [])]}
        for section, slug, heading, empty, add in OWN_BLOCKS]
    return out


def my_mapping(*, actor, person_id) -> tuple[Person, Mapping | None]:
    """The person's own questionnaire, for the person or whoever writes for them (PLAN_OWN_WRITE); audited."""
    person, why = get_person(actor, person_id, action=Action.PLAN_OWN_WRITE)
    mapping = Mapping.objects.filter(person=person).first()
    record(actor=actor, action="view", object_type="mapping", object_id=mapping.pk if mapping else "none", person=person, reason=why,
           summary=gettext_noop("Så kartleggingen sin"))
    return person, mapping


def my_documents(*, actor, person_id) -> dict:
    """The person's sub-plans (from the plan document, already cut to this reader's access) and documents
    (helhet.documents.selectors.person_documents: DOCUMENT_VIEW and each document's field rule; audited there)."""
    from helhet.documents import selectors as documents

    data = my_plan(actor=actor, person_id=person_id)
    plan = data["plan"]
    subplans = plan.get("subplans", []) if plan and not data["limited"] else []
    docs, hidden = [], 0
    if "document.view" in data["allowed"]:
        _person_, docs, hidden = documents.person_documents(actor=actor, person_id=data["person"].pk)
    hidden_subplans = (plan or {}).get("restricted", {}).get("hidden", {}).get("subplans", 0) if plan else 0
    return {**data, "subplans": subplans, "documents": docs, "hidden": hidden, "hidden_subplans": hidden_subplans}


def plan_from_person(*, actor, plan_id) -> dict:
    """What the person wrote in the portal, for the plan group on the staff plan page: comments on the measures the
    reader may see (by the measure's information category), and the sent questionnaire when the reader may see the
    person's own words (the category of goals). PLAN_VIEW on the plan (404 otherwise); audited when anything is shown."""
    from helhet.access.queries import check_with_relationships, load, permitted_actions, plan_access
    from helhet.consent.categories import SECTION_DEFAULTS
    from helhet.plans.models import IndividualPlan, Measure

    plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None,
                      queryset=IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization"))
    why, rels = check_with_relationships(actor, Action.PLAN_VIEW, plan.person)
    access = plan_access(actor, plan, rels=rels)
    measures = [m for m in Measure.objects.filter(plan=plan).only("id", "title", "category", "plan_id") if access.may_see(m.category)]
    titles = {m.pk: m.title for m in measures}
    comments = list(MeasureComment.objects.filter(measure_id__in=titles).select_related("author").order_by("-created_at", "-id"))
    for c in comments:
        c.measure_title = titles[c.measure_id]
    mapping = None
    if access.may_see(SECTION_DEFAULTS["goals"]):
        mapping = Mapping.objects.filter(person=plan.person, status=Mapping.Status.SENT).first()
    if comments or mapping:
        record(actor=actor, action="view", obj=plan, person=plan.person, reason=why, summary=gettext_noop("Så det personen skrev i Min plan"),
               detail={"comments": len(comments), "mapping": bool(mapping)})
    allowed = permitted_actions(actor, access.relationships, prefix="plan.")
    used = {u["question"] for u in mapping.used} if mapping else set()
    answers = [{"code": q, "question": label_, "text": text, "used": q in used} for q, label_, text in mapping.answers() if text] if mapping else []
    to_sections = [("goals", _("Gjør til mål")), ("resources", _("Gjør til ressurs")), ("needs", _("Gjør til behov"))]
    return {"plan": plan, "comments": comments, "mapping": mapping, "answers": answers, "to_sections": to_sections,
            "may_edit": "plan.edit" in allowed and not plan.is_closed}


def _recipients_prefetch():
    """The recipients of a list of consents, with where each user works (their first active membership, as
    acting_unit): three queries for the whole list, none per recipient."""
    from django.db.models import Prefetch

    from helhet.organizations.models import Membership

    working = Membership.objects.filter(active=True).select_related("unit__organization").order_by("id")
    return ("recipient_users", Prefetch("recipient_users__memberships", queryset=working, to_attr="active_memberships"),
            "recipient_units__organization")


def _works_at(user):
    memberships = getattr(user, "active_memberships", None)
    if memberships is None:
        return acting_unit(user)
    return memberships[0].unit if memberships else None


def _recipients(consent: Consent) -> list[dict]:
    rows = []
    for user in consent.recipient_users.all():
        unit = _works_at(user)  # where they work: "Lars Vik i NAV Fjordvik"
        rows.append({"kind": "user", "id": user.pk, "name": user.get_full_name() or user.username, "title": user.title,
                     "organization": unit.name if unit else ""})
    for unit in consent.recipient_units.all():
        rows.append({"kind": "unit", "id": unit.pk, "name": unit.name, "title": "", "organization": unit.organization.name})
    return rows


def describe(consent: Consent) -> dict:
    today = timezone.localdate()
    return {"consent": consent, "id": consent.pk, "valid": consent.valid_on(today),
            "categories": [{"code": c, "label": label(c), "plain": plain(c)} for c in consent.categories or []],
            "recipients": _recipients(consent)}


def my_consents(*, actor, person_id, params=None, per_page: int = 10) -> dict:
    """The person's consents this reader may see (the policy's query fragment, person_consents_q: PersonAccess's
    sees_consent as a query), in plain words: the sharing consents valid today, the other kinds, and the earlier
    sharing consents as a page (?tidligere_side=; they grow over the years), paged in the database: a COUNT and the
    page's rows, newest first. One audit event, as before."""
    from helhet.access.queries import person_consents_q
    from helhet.consent.models import valid_consents_q
    from helhet.core.paging import offset_page

    person, why, allowed = _person(actor, person_id)
    access = person_access(actor, person)
    today = timezone.localdate()
    consents = (Consent.objects.filter(person_consents_q(access), person=person).select_related("given_by_relative")
                .prefetch_related(*_recipients_prefetch()).order_by("-given_on", "-id"))
    valid_now = Consent.objects.filter(valid_consents_q(today), person=person).values("pk")
    sharing = consents.filter(kind=Consent.Kind.SHARING)
    record(actor=actor, action="view", object_type="consent", object_id="list", person=person, reason=why,
           summary=gettext_noop("Så samtykkene sine"))
    ended = offset_page(sharing.exclude(pk__in=valid_now), params, per_page=per_page, prefix="tidligere_")
    ended.object_list = [describe(c) for c in ended.object_list]
    return {"person": person, "allowed": allowed, "why": why,
            "sharing": [describe(c) for c in sharing.filter(pk__in=valid_now)],
            "ended": ended,
            "other": list(consents.exclude(kind=Consent.Kind.SHARING))}


def my_consent(*, actor, person_id, consent_id) -> tuple[Person, dict]:
    """One of the person's valid sharing consents, for narrowing or withdrawing (404 when not theirs to see)."""
    from helhet.core.errors import NotFound

    person, why, _allowed = _person(actor, person_id)
    access = person_access(actor, person)
    consent = (Consent.objects.filter(person=person, kind=Consent.Kind.SHARING, pk=consent_id)
               .prefetch_related("recipient_users", "recipient_units__organization").first() if str(consent_id).isdigit() else None)
    if consent is None or not access.sees_consent(consent) or not consent.valid_on(timezone.localdate()):
        raise NotFound()
    record(actor=actor, action="view", obj=consent, person=person, reason=why, summary=gettext_noop("Så et samtykke"))
    return person, describe(consent)


def consent_change_preview(described: dict, *, categories, user_ids, unit_ids) -> list[dict]:
    """Who will no longer see what once the consent is narrowed to these categories and recipients (withdrawn: all
    empty). One row per recipient that loses something: name, organisation, the categories lost."""
    keep = {c for c in categories if c in CATEGORY_VALUES}
    users, units = {int(u) for u in user_ids}, {int(u) for u in unit_ids}
    rows = []
    for r in described["recipients"]:
        stays = r["id"] in (users if r["kind"] == "user" else units)
        lost = [c for c in described["categories"] if not stays or c["code"] not in keep]
        if lost:
            rows.append({**r, "lost": lost, "all": not stays})
    return rows
