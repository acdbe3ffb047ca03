"""Writes for the individual plan. Browser views and API handlers call these and nothing else.

Every service is keyword-only with `actor` first. It checks access through helhet.access.queries.check
BEFORE its transaction (so the audit event of a refusal survives), validates, saves, and records the
audit event in the same transaction. Failures are DomainError (400), NotFound (404: not there or not
yours), Conflict (409).

Optimistic locking: every edit carries `based_on_version`, the plan's `version` the editor started from.
The edit bumps it with a conditional UPDATE; when someone else got there first the edit is refused with
Conflict("stale", details={"current_version": n, "changes": [...]}) where `changes` lists what was done
since the editor's base (PlanChange rows: version, section, section_label, op, item_id, summary, by, at).
A successful edit returns the object; its plan's new version is `obj.plan.version` (or `plan.version`).

Interface (all return the saved model instance unless noted):

Plan
    plan_create(*, actor, person_id, main_sector, main_unit_id, main_basis="agreement", main_reason="",
                period_start=None, period_end=None, evaluation_interval_months=None, consent_id=None,
                predecessor_id=None) -> IndividualPlan          # predecessor_id: start a successor of a closed plan
    plan_update(*, actor, plan_id, based_on_version, **fields)  # period_start, period_end, evaluation_interval_months
    plan_set_status(*, actor, plan_id, based_on_version, status, reason="")   # draft->active<->under_evaluation
    main_responsibility_set(*, actor, plan_id, based_on_version, sector, unit_id, basis, reason="", on=None)
    plan_publish(*, actor, plan_id, based_on_version, reason) -> PlanVersion
    plan_close(*, actor, plan_id, based_on_version, reason, on=None, note="")
    plan_reopen(*, actor, plan_id, based_on_version, reason, on=None)       # KE only (Action.PLAN_REOPEN)

Content items (section in SECTIONS: goals, resources, needs, participants, contributions, measures,
evaluations, cooperation, subplans; `fields` as in SECTIONS[section].fields, FKs as <name>_id,
measures also take goal_ids=[...])
    item_add(*, actor, plan_id, based_on_version, section, fields) -> item
    item_update(*, actor, plan_id, based_on_version, section, item_id, fields) -> item
    item_remove(*, actor, plan_id, based_on_version, section, item_id) -> None
    and per-section shorthands: goal_add(*, actor, plan_id, based_on_version, **fields), goal_update(..., item_id, **fields),
    goal_remove(..., item_id); likewise resource_, need_, participant_, contribution_, measure_, evaluation_,
    cooperation_, subplan_.
    goal_set_status(*, actor, plan_id, based_on_version, goal_id, status, on=None, note="")
    measure_set_status(*, actor, plan_id, based_on_version, measure_id, status, on=None, note="")
    evaluation_record(*, actor, plan_id, based_on_version, held_on, reviewed, changes="", next_on=None,
                      evaluation_id=None, planned_on=None) -> Evaluation
    subplan_add(*, actor, plan_id, based_on_version, kind, title, responsible_unit_id, text="", file=None, order=0)
        # file: a Django UploadedFile/File; PDF, DOCX, ODT, PNG, JPEG, max 10 MB, checked by content (magic bytes)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import (
    check,
    check_plan,
    get_person,
    load,
    may,
    permitted_actions,
    plan_access,
    plan_relationships,
)
from helhet.audit.services import label, record
from helhet.consent.models import Consent, valid_consents_q
from helhet.core.errors import Conflict, DomainError, NotFound, validate
from helhet.core.errors import invalid as _invalid
from helhet.organizations.models import ServiceUnit
from helhet.people.models import Person

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
    PlanChange,
    PlanStatusChange,
    PlanTemplate,
    PlanVersion,
    Resource,
    SubPlan,
)


@dataclass(frozen=True)
class Section:
    model: type
    fields: tuple[str, ...]
    label: object
    noun: object  # for audit summaries: "Mål", "Tiltak" ...


SECTIONS: dict[str, Section] = {
    "goals": Section(Goal, ("text", "written_by", "order", "category"), gettext_lazy("Mål"), gettext_lazy("mål")),
    "resources": Section(Resource, ("text", "written_by", "order", "category"), gettext_lazy("Ressurser"), gettext_lazy("ressurs")),
    "needs": Section(Need, ("text", "area", "written_by", "order", "category"), gettext_lazy("Behov"), gettext_lazy("behov")),
    "participants": Section(Participant, ("kind", "relative_id", "user_id", "unit_id", "sector", "role", "active", "order"),
                            gettext_lazy("Deltakere i planarbeidet"), gettext_lazy("deltaker")),
    "contributions": Section(Contribution, ("by", "relative_id", "unit_id", "text", "order", "category"), gettext_lazy("Egen innsats og bidrag"),
                             gettext_lazy("bidrag")),
    "measures": Section(Measure, ("title", "goal_ids", "scope", "how", "responsible_unit_id", "responsible_person_id", "start", "end",
                                  "deadline", "deprioritised", "deprioritised_reason", "order", "category"), gettext_lazy("Tiltak"), gettext_lazy("tiltak")),
    "evaluations": Section(Evaluation, ("planned_on", "held_on", "reviewed", "changes", "next_on", "category"), gettext_lazy("Evalueringer"),
                           gettext_lazy("evaluering")),
    "cooperation": Section(Cooperation, ("partner", "kind", "unit_id", "purpose", "contact", "order", "category"),
                           gettext_lazy("Samarbeid med andre tjenester"), gettext_lazy("samarbeid")),
    "subplans": Section(SubPlan, ("kind", "title", "responsible_unit_id", "text", "order", "category"), gettext_lazy("Delplaner"), gettext_lazy("delplan")),
}
# Labels for the non-item parts a change can touch (PlanChange.section).
OTHER_SECTION_LABELS = {"plan": gettext_lazy("Planen"), "main_responsibility": gettext_lazy("Hovedansvar")}


def section_label(section: str) -> str:
    if section in SECTIONS:
        return str(SECTIONS[section].label)
    return str(OTHER_SECTION_LABELS.get(section, section))



def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- loading, locking


def _load(actor, plan_id, action: Action) -> tuple[IndividualPlan, str]:
    plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None,
                      queryset=IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization"))
    return plan, check_plan(actor, action, plan)


def _editable(actor, plan_id, action: Action = Action.PLAN_EDIT) -> tuple[IndividualPlan, str]:
    plan, why = _load(actor, plan_id, action)
    if plan.is_closed:
        raise Conflict("closed", _("Planen er avsluttet %(on)s og er låst for endringer. Koordinerende enhet kan gjenåpne den.") % {
            "on": plan.closed_on.strftime("%d.%m.%Y")})
    return plan, why


def _as_version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _invalid("based_on_version", _("Oppgi hvilken versjon av planen endringen bygger på.")) from None


def changes_since(plan_id, version: int, limit: int = 50) -> list[dict]:
    """What was done to the working copy after `version` (for the stale-edit message)."""
    rows = PlanChange.objects.filter(plan_id=plan_id, version__gt=version).select_related("by").order_by("version", "id")[:limit]
    return [
        {"version": c.version, "section": c.section, "section_label": section_label(c.section), "op": c.op, "item_id": c.item_id,
         "summary": c.summary, "by": c.by.get_full_name() or c.by.username, "at": c.at.isoformat()}
        for c in rows
    ]


def _stale(plan: IndividualPlan, based_on: int) -> Conflict:
    current = IndividualPlan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
    changes = changes_since(plan.pk, based_on)
    lines = "; ".join(f"{c['section_label']}: {c['summary']} ({c['by']})" for c in changes[:5])
    message = _("Planen er endret av en annen siden du begynte (din versjon %(base)s, nå %(current)s). Endringen din er ikke lagret.") % {
        "base": based_on, "current": current}
    if lines:
        message += " " + _("Endret i mellomtiden: %(lines)s.") % {"lines": lines}
    return Conflict("stale", message, details={"current_version": current, "based_on_version": based_on, "changes": changes})


# Edits of one item of a content section: they conflict only with changes to the same item (per-item versions).
# Whole-plan steps (period, status, main responsibility, publish, close, reopen) still need the current version.
ITEM_OPS = frozenset({"add", "update", "remove", "status"})
PLAN_SECTIONS = frozenset({"plan", "main_responsibility"})


def _rebase_to(plan: IndividualPlan, based_on: int, *, section: str, op: str, item_id) -> int | None:
    """The version an item edit based on an older version may build on: the current one, when nobody changed this
    item since `based_on` (an added item is new: nothing can have changed it). None: a real conflict."""
    if op not in ITEM_OPS or section in PLAN_SECTIONS:
        return None
    current = IndividualPlan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
    if current is None or based_on > current:
        return None
    if op != "add" and PlanChange.objects.filter(plan=plan, version__gt=based_on, section=section, item_id=item_id).exists():
        return None
    return current


def _bump(actor, plan: IndividualPlan, based_on_version, *, section: str, op: str, summary: str, item_id=None) -> None:
    """Inside the caller's transaction: move the working copy from based_on_version to +1, or raise Conflict('stale').

    An item edit based on an older version goes through when only other items changed meanwhile (_rebase_to); a
    race with another writer on the same version is retried a few times, each time asking again."""
    based_on = version = _as_version(based_on_version)
    for _attempt in range(5):
        updated = IndividualPlan.objects.filter(pk=plan.pk, version=version).update(version=F("version") + 1, updated_at=timezone.now())
        if updated:
            break
        version = _rebase_to(plan, based_on, section=section, op=op, item_id=item_id)
        if version is None:
            raise _stale(plan, based_on)
    else:
        raise _stale(plan, based_on)
    plan.version = version + 1
    PlanChange.objects.create(plan=plan, version=plan.version, section=section, op=op, item_id=item_id, summary=summary[:300], by=actor)


def _audit(actor, action: str, obj, plan: IndividualPlan, why: str, summary: str, params: dict | None = None, **detail) -> None:
    """`summary` is a message id (gettext_noop) and `params` its parameters: the log renders them in the reader's
    language (labels passed lazily, see audit.services.label)."""
    record(actor=actor, action=action, obj=obj, person=plan.person, reason=why, summary=summary, params=params,
           detail={"plan": plan.pk, "version": plan.version, **detail})


def _unit(unit_id, field: str = "unit") -> ServiceUnit:
    try:
        return ServiceUnit.objects.get(pk=unit_id)
    except (ServiceUnit.DoesNotExist, ValueError, TypeError):
        raise _invalid(field, _("Velg en gyldig enhet.")) from None


def _valid_plan_consent(person: Person, consent_id=None, actor=None) -> Consent:
    qs = Consent.objects.filter(valid_consents_q(_today()), person=person, kind=Consent.Kind.PLAN_WORK)
    if consent_id:
        consent = qs.filter(pk=consent_id).first()
        if consent is None:
            raise _invalid("consent", _("Samtykket finnes ikke, gjelder ikke planarbeid for denne personen, eller er ikke gyldig i dag."))
        return consent
    consent = qs.order_by("-given_on", "-id").first()
    if consent is None:
        raise _no_consent(person, actor)
    return consent


def _contacts(person: Person) -> dict:
    """Whom to contact about the person's plan: the KE of the home municipality and the municipal coordinator(s).
    Both are part of the frame everyone who may see the person sees (policy.FIELD_RULES: IDENTITY, COORDINATORS)."""
    from helhet.cases.models import CoordinatorAppointment

    day = _today()
    names = [str(a.coordinator.get_full_name() or a.coordinator.username) for a in CoordinatorAppointment.objects.filter(
        person=person, start__lte=day).filter(models.Q(end__isnull=True) | models.Q(end__gt=day)).exclude(
        kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR).select_related("coordinator").order_by("start", "id")]
    return {"coordinating_unit": _("Koordinerende enhet i %(municipality)s") % {"municipality": person.home_municipality.name if person.home_municipality_id else person.home_municipality_label},
            "coordinators": names}


def _contact_sentence(contacts: dict) -> str:
    if contacts["coordinators"]:
        return _("Ta kontakt med %(ke)s eller koordinatoren (%(names)s).") % {"ke": contacts["coordinating_unit"],
                                                                             "names": ", ".join(contacts["coordinators"])}
    return _("Ta kontakt med %(ke)s.") % {"ke": contacts["coordinating_unit"]}


def _no_consent(person: Person, actor=None) -> Conflict:

    contacts = _contacts(person)
    if actor is not None and may(actor, Action.CONSENT_RECORD, person):
        tail = _("Registrer samtykket først.")
    else:
        tail = _("Samtykket registreres av koordinerende enhet eller koordinatoren.") + " " + _contact_sentence(contacts)
    return Conflict("no_consent", _("Individuell plan kan ikke opprettes uten samtykke til planarbeidet fra personen eller den som "
                                    "samtykker på vegne av personen.") + " " + tail, details={"contact": contacts})


def _not_allowed(person: Person) -> DomainError:
    contacts = _contacts(person)
    return DomainError("plan_start_not_allowed", _(
        "Du kan ikke starte individuell plan for %(name)s. Planen startes av koordinerende enhet, koordinatoren eller en "
        "velferdstjeneste som gir personen tjenester og har plikt til å utarbeide individuell plan (helse og omsorg, NAV, "
        "barnevern).") % {"name": person.full_name} + " " + _contact_sentence(contacts), status=403, details={"contact": contacts})


def plan_start_refusal(*, actor, person: Person) -> DomainError | None:
    """Why the actor cannot start a plan for this person they may see, or None: a plan is open (409, naming its main
    responsibility), they may not (403, naming whom to contact), or there is no valid plan-work consent (409).
    For the page that offers the start (no audit event: nothing was attempted); plan_create raises the same errors."""

    existing = _existing_open(person)
    if existing:
        return _open_plan_conflict(person, existing)
    if not may(actor, Action.PLAN_CREATE, person):
        return _not_allowed(person)
    if not Consent.objects.filter(valid_consents_q(_today()), person=person, kind=Consent.Kind.PLAN_WORK).exists():
        return _no_consent(person, actor)
    return None


def _open_plan_conflict(person: Person, existing: IndividualPlan) -> Conflict:
    return Conflict("plan_exists", _(
        "%(name)s har allerede en individuell plan (%(status)s, opprettet %(created)s). Hovedansvaret ligger hos %(sector)s – "
        "%(unit)s. Hver person har bare én individuell plan; ta kontakt med dem for å bidra i den.") % {
        "name": person.full_name, "status": existing.get_status_display().lower(), "created": timezone.localtime(existing.created_at).strftime("%d.%m.%Y"),
        "sector": existing.get_main_sector_display(), "unit": existing.main_unit.name},
        details={"plan_id": existing.pk, "main_sector": existing.main_sector, "main_unit": existing.main_unit.name})


def _existing_open(person: Person, exclude_pk=None) -> IndividualPlan | None:
    qs = IndividualPlan.objects.filter(person=person).exclude(status=IndividualPlan.Status.CLOSED).select_related("main_unit")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def _hospital_may_lead(person: Person, main_sector: str) -> None:
    """DOMAIN rule 5 (rule ip.one-plan-main-responsibility, data): when both the municipality and the hospital are
    involved the municipality leads; the hospital leads only when only hospital services are involved."""
    from helhet.organizations.models import Level
    from helhet.people.models import Involvement
    from helhet.rules.selectors import rule_in_force

    if main_sector != "specialist":
        return
    rule = rule_in_force("ip.one-plan-main-responsibility", _today())
    if rule is None:
        return
    day = _today()
    municipal = Involvement.objects.filter(person=person, unit__level=Level.MUNICIPAL, start__lte=day).filter(
        models.Q(end__isnull=True) | models.Q(end__gte=day))
    if municipal.exists():
        raise _invalid("main_sector", _("Når både kommunen og spesialisthelsetjenesten gir tjenester, har kommunen hovedansvaret "
                                        "for planen (%(source)s). Velg en kommunal tjeneste.") % {"source": rule.source})


# ---------------------------------------------------------------- the plan


def plan_create(*, actor, person_id, main_sector: str, main_unit_id, main_basis: str = IndividualPlan.Basis.AGREEMENT, main_reason: str = "",
                period_start: dt.date | None = None, period_end: dt.date | None = None, evaluation_interval_months: int | None = None,
                consent_id=None, predecessor_id=None, template_id=None) -> IndividualPlan:
    """Start the person's one individual plan (or the successor of a closed one). Needs valid consent to the plan work.

    template_id: an active plan template (PlanTemplate) of the person's home municipality or the main unit's
    organisation; its lines become the new plan's first goals, needs, cooperation and measures (each audited).

    Any welfare service with the duty may start it (policy: Action.PLAN_CREATE). Whoever may not see the person gets 404;
    whoever sees them but may not start gets a reason and whom to contact: plan_exists (409), plan_start_not_allowed
    (403; the refusal is a 'denied' audit event), no_consent (409)."""
    person, _seen = get_person(actor, person_id, action=Action.PERSON_VIEW)
    existing = _existing_open(person)
    if existing:
        raise _open_plan_conflict(person, existing)
    try:
        why = check(actor, Action.PLAN_CREATE, person)
    except NotFound:
        raise _not_allowed(person) from None
    consent = _valid_plan_consent(person, consent_id, actor)
    predecessor = None
    if predecessor_id:
        predecessor = IndividualPlan.objects.filter(pk=predecessor_id, person=person).first()
        if predecessor is None:
            raise _invalid("predecessor", _("Forrige plan hører ikke til denne personen."))
        if not predecessor.is_closed:
            raise _invalid("predecessor", _("En ny plan kan bare følge etter en avsluttet plan."))
    unit = _unit(main_unit_id, "main_unit")
    _hospital_may_lead(person, main_sector)
    template = _template_for_plan(template_id, person, unit)
    plan = IndividualPlan(person=person, main_sector=main_sector, main_unit=unit, main_basis=main_basis, main_reason=main_reason,
                          period_start=period_start, period_end=period_end, evaluation_interval_months=evaluation_interval_months,
                          consent=consent, predecessor=predecessor, created_by=actor)
    validate(plan)
    today = _today()
    try:
        with transaction.atomic():
            plan.save()
            PlanStatusChange.objects.create(plan=plan, from_status="", to_status=plan.status, on=today, by=actor,
                                            reason=_("Ny plan etter plan %(id)s") % {"id": predecessor.pk} if predecessor else "")
            MainResponsibilityChange.objects.create(plan=plan, sector=main_sector, unit=unit, basis=main_basis, reason=main_reason,
                                                    on=today, by=actor)
            PlanChange.objects.create(plan=plan, version=plan.version, section="plan", op="create", summary=_("Planen ble opprettet"), by=actor)
            _audit(actor, "create", plan, plan, why, gettext_noop("Opprettet individuell plan"), predecessor=predecessor.pk if predecessor else None,
                   template=template.pk if template else None)
            if template is not None:
                _prefill(actor, plan, template, why)
    except IntegrityError:
        existing = _existing_open(person)
        if existing:
            raise _open_plan_conflict(person, existing) from None
        raise Conflict("plan_exists", _("En annen opprettet nettopp en plan for denne personen. Last siden på nytt.")) from None
    return plan


PLAN_FIELDS = ("period_start", "period_end", "evaluation_interval_months")


def plan_update(*, actor, plan_id, based_on_version, **fields) -> IndividualPlan:
    """Plan period and evaluation interval (item g)."""
    plan, why = _editable(actor, plan_id)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], _("Feltet kan ikke endres her."))
    for name, value in fields.items():
        setattr(plan, name, value)
    validate(plan)
    with transaction.atomic():
        _bump(actor, plan, based_on_version, section="plan", op="update", summary=_("Endret planperiode / evalueringsintervall"))
        IndividualPlan.objects.filter(pk=plan.pk).update(**{k: getattr(plan, k) for k in fields})
        _audit(actor, "update", plan, plan, why, gettext_noop("Endret planperiode"), fields=sorted(fields))
    return plan


def plan_set_status(*, actor, plan_id, based_on_version, status: str, reason: str = "") -> IndividualPlan:
    """Draft -> active, active -> under evaluation, under evaluation -> active. Closing: plan_close."""
    plan, why = _editable(actor, plan_id)
    allowed = IndividualPlan.TRANSITIONS.get(plan.status, set())
    if status not in allowed:
        raise Conflict("bad_transition", _("Planen kan ikke gå fra «%(from)s» til «%(to)s».") % {
            "from": plan.get_status_display(), "to": dict(IndividualPlan.Status.choices).get(status, status)})
    old = plan.status
    with transaction.atomic():
        _bump(actor, plan, based_on_version, section="plan", op="status",
              summary=_("Status: %(status)s") % {"status": dict(IndividualPlan.Status.choices)[status]})
        IndividualPlan.objects.filter(pk=plan.pk).update(status=status)
        plan.status = status
        PlanStatusChange.objects.create(plan=plan, from_status=old, to_status=status, on=_today(), reason=reason, by=actor)
        _audit(actor, "update", plan, plan, why, gettext_noop("Planstatus: %(status)s"), {"status": label(plan, "status")})
    return plan


def main_responsibility_set(*, actor, plan_id, based_on_version, sector: str, unit_id, basis: str, reason: str = "",
                            on: dt.date | None = None) -> IndividualPlan:
    """Change which service leads the plan: an agreement between the services, or the municipality's reasoned decision."""
    plan, why = _editable(actor, plan_id, Action.PLAN_MAIN_RESPONSIBILITY)
    unit = _unit(unit_id)
    plan.main_sector, plan.main_unit, plan.main_basis, plan.main_reason = sector, unit, basis, reason
    validate(plan)
    change = MainResponsibilityChange(plan=plan, sector=sector, unit=unit, basis=basis, reason=reason, on=on or _today(), by=actor)
    validate(change)
    with transaction.atomic():
        _bump(actor, plan, based_on_version, section="main_responsibility", op="update",
              summary=_("Hovedansvar: %(sector)s – %(unit)s") % {"sector": plan.get_main_sector_display(), "unit": unit.name})
        IndividualPlan.objects.filter(pk=plan.pk).update(main_sector=sector, main_unit=unit, main_basis=basis, main_reason=reason)
        change.save()
        _audit(actor, "update", plan, plan, why, gettext_noop("Endret hovedansvar til %(sector)s"), {"sector": label(plan, "main_sector")})
    return plan


def plan_publish(*, actor, plan_id, based_on_version, reason: str) -> PlanVersion:
    """Freeze the working copy as an immutable, numbered version. Does not move the working version."""
    from .documents import build_document

    plan, why = _editable(actor, plan_id, Action.PLAN_PUBLISH)
    based_on = _as_version(based_on_version)
    if not (reason or "").strip():
        raise _invalid("reason", _("Skriv kort hva som er endret i denne versjonen."))
    last = plan.versions.order_by("-number").values_list("based_on_version", flat=True).first()
    if last is not None and last == based_on == plan.version:
        raise Conflict("nothing_to_publish", _("Ingenting er endret siden forrige publiserte versjon."))
    with transaction.atomic():
        # Publishing does not bump `version` (it would make everyone's open edits stale), but it must
        # freeze exactly what the publisher saw, and two publishers must not get the same number.
        updated = IndividualPlan.objects.filter(pk=plan.pk, version=based_on, published_number=plan.published_number).update(
            published_number=F("published_number") + 1)
        if not updated:
            raise _stale(plan, based_on)
        number = plan.published_number + 1
        plan.published_number = number
        snapshot = build_document(plan.pk, snapshot=True)
        version = PlanVersion.objects.create(plan=plan, number=number, based_on_version=based_on, snapshot=snapshot, reason=reason.strip(),
                                             author=actor)
        PlanChange.objects.create(plan=plan, version=plan.version, section="plan", op="publish",
                                  summary=_("Publiserte versjon %(n)s") % {"n": number}, by=actor)
        _audit(actor, "create", version, plan, why, gettext_noop("Publiserte versjon %(n)s av planen"), {"n": number}, number=number)
    return version


def plan_close(*, actor, plan_id, based_on_version, reason: str, on: dt.date | None = None, note: str = "") -> IndividualPlan:
    """Close (and lock) the plan: need ended, consent withdrawn, death, transfer. It stays readable."""
    plan, why = _editable(actor, plan_id, Action.PLAN_CLOSE)
    if reason not in IndividualPlan.CloseReason.values:
        raise _invalid("reason", _("Velg årsaken til at planen avsluttes."))
    on = on or _today()
    if on > _today():
        raise _invalid("on", _("Datoen kan ikke være fram i tid."))
    old = plan.status
    reason_label = dict(IndividualPlan.CloseReason.choices)[reason]
    with transaction.atomic():
        _bump(actor, plan, based_on_version, section="plan", op="close", summary=_("Planen ble avsluttet: %(r)s") % {"r": reason_label})
        IndividualPlan.objects.filter(pk=plan.pk).update(status=IndividualPlan.Status.CLOSED, closed_on=on, close_reason=reason, close_note=note)
        plan.status, plan.closed_on, plan.close_reason, plan.close_note = IndividualPlan.Status.CLOSED, on, reason, note
        PlanStatusChange.objects.create(plan=plan, from_status=old, to_status=plan.status, on=on, reason=f"{reason_label}. {note}".strip(), by=actor)
        _audit(actor, "update", plan, plan, why, gettext_noop("Avsluttet planen: %(r)s"), {"r": reason_label}, close_reason=reason)
    return plan


def plan_reopen(*, actor, plan_id, based_on_version, reason: str, on: dt.date | None = None) -> IndividualPlan:
    """Reopen a closed plan (a recorded step by the KE). Needs valid consent and no other open plan."""
    plan, why = _load(actor, plan_id, Action.PLAN_REOPEN)
    if not plan.is_closed:
        raise Conflict("not_closed", _("Planen er ikke avsluttet."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Oppgi hvorfor planen gjenåpnes."))
    existing = _existing_open(plan.person, exclude_pk=plan.pk)
    if existing:
        raise _open_plan_conflict(plan.person, existing)
    consent = _valid_plan_consent(plan.person)
    try:
        with transaction.atomic():
            _bump(actor, plan, based_on_version, section="plan", op="reopen", summary=_("Planen ble gjenåpnet"))
            IndividualPlan.objects.filter(pk=plan.pk).update(status=IndividualPlan.Status.ACTIVE, closed_on=None, close_reason="", close_note="",
                                                             consent=consent)
            PlanStatusChange.objects.create(plan=plan, from_status=plan.status, to_status=IndividualPlan.Status.ACTIVE, on=on or _today(),
                                            reason=reason, by=actor)
            plan.status, plan.closed_on, plan.close_reason, plan.consent = IndividualPlan.Status.ACTIVE, None, "", consent
            _audit(actor, "update", plan, plan, why, gettext_noop("Gjenåpnet planen"))
    except IntegrityError:
        raise Conflict("plan_exists", _("Personen fikk nettopp en annen åpen plan. Last siden på nytt.")) from None
    return plan


# ---------------------------------------------------------------- content items


def _section(section: str) -> Section:
    if section not in SECTIONS:
        raise NotFound()
    return SECTIONS[section]


def _item(plan: IndividualPlan, section: str, item_id):
    spec = _section(section)
    try:
        return spec.model.objects.get(pk=item_id, plan=plan)
    except (spec.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _apply(spec: Section, obj, fields: dict) -> list | None:
    """Set the allowed fields on obj; return goal ids for measures (set after save)."""
    unknown = set(fields) - set(spec.fields)
    if unknown:
        name = sorted(unknown)[0]
        raise _invalid(name, _("Ukjent eller låst felt: %(f)s") % {"f": name})
    goal_ids = None
    for name, value in fields.items():
        if name == "goal_ids":
            goal_ids = list(value or [])
            continue
        field = obj._meta.get_field(name[:-3] if name.endswith("_id") else name)
        if value is None and not field.null:
            value = "" if isinstance(field, (models.CharField, models.TextField)) else field.get_default()
        setattr(obj, name, value)
    validate(obj)
    return goal_ids


def _check_goals(plan: IndividualPlan, goal_ids: list) -> list:
    try:
        ids = {int(g) for g in goal_ids}
    except (TypeError, ValueError):
        raise _invalid("goal_ids", _("Ugyldige mål.")) from None
    found = set(Goal.objects.filter(plan=plan, pk__in=ids).values_list("pk", flat=True))
    if found != ids:
        raise _invalid("goal_ids", _("Tiltaket kan bare knyttes til mål i denne planen."))
    return sorted(ids)


def _label(obj) -> str:
    for attr in ("text", "title", "partner", "role"):
        value = getattr(obj, attr, "")
        if value:
            value = str(value)
            return value if len(value) <= 60 else value[:57] + "…"
    if isinstance(obj, Participant):
        return obj.name
    if isinstance(obj, Evaluation):
        return obj.planned_on.strftime("%d.%m.%Y") if obj.planned_on else ""
    return str(obj.pk)


# What the person and whoever acts for them write themselves (Action.PLAN_OWN_WRITE, helhet/portal): their own goals,
# resources ("dette får jeg til") and contributions ("dette gjør jeg selv"), in their own words; only the text is
# theirs to set, and the item is marked as written by them (Goal/Resource.written_by, Contribution.by).
OWN_SECTIONS = ("goals", "resources", "contributions")
OWN_AUTHOR = {"self": "person", "representative": "relative"}


def _editable_for(actor, plan_id, section: str) -> tuple[IndividualPlan, str, str | None]:
    """(plan, why, own author or None): staff editors edit as before; the person or their representative may write their
    own goals (PLAN_OWN_WRITE) — before this, their submit was refused as a plan edit (404) and the text was lost."""
    if section in OWN_SECTIONS:
        plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None,
                          queryset=IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization"))
        allowed = permitted_actions(actor, plan_relationships(actor, plan), prefix="plan.")
        if Action.PLAN_EDIT.value not in allowed and Action.PLAN_OWN_WRITE.value in allowed:
            plan, why = _editable(actor, plan_id, Action.PLAN_OWN_WRITE)
            return plan, why, OWN_AUTHOR.get(why, "person")
    plan, why = _editable(actor, plan_id)
    return plan, why, None


def _author_field(section: str) -> str:
    return "by" if section == "contributions" else "written_by"


def _own_fields(fields: dict, author: str, section: str) -> dict:
    extra = sorted(set(fields) - {"text", "written_by", "by"})
    if extra:
        raise _invalid(extra[0], _("Du kan bare skrive teksten i det du skriver selv."))
    return {"text": fields.get("text", ""), _author_field(section): author}


def item_add(*, actor, plan_id, based_on_version, section: str, fields: dict):
    spec = _section(section)
    plan, why, own = _editable_for(actor, plan_id, section)
    if own:
        fields = _own_fields(dict(fields), own, section)
    obj = spec.model(plan=plan)
    goal_ids = _apply(spec, obj, dict(fields))
    if isinstance(obj, Participant):
        _participant_may_join(obj)
    if goal_ids:
        goal_ids = _check_goals(plan, goal_ids)
    with transaction.atomic():
        obj.save()
        message, params = gettext_noop("La til %(noun)s: %(label)s"), {"noun": spec.noun, "label": _label(obj)}
        summary = _(message) % params
        _bump(actor, plan, based_on_version, section=section, op="add", summary=summary, item_id=obj.pk)
        if goal_ids:
            obj.goals.set(goal_ids)
        if isinstance(obj, Measure):
            MeasureStatusChange.objects.create(measure=obj, from_status="", to_status=obj.status, on=_today(), by=actor)
        _audit(actor, "create", obj, plan, why, message, params, section=section)
    obj.plan = plan
    obj.warnings = measure_warnings(obj, plan) if isinstance(obj, Measure) else []
    return obj


def item_update(*, actor, plan_id, based_on_version, section: str, item_id, fields: dict):
    spec = _section(section)
    plan, why, own = _editable_for(actor, plan_id, section)
    obj = _item(plan, section, item_id)
    if own:
        if getattr(obj, _author_field(section)) not in OWN_AUTHOR.values():
            raise _invalid("text", _("Dette er skrevet av tjenesteyter. Be koordinatoren din om å endre det."))
        fields = _own_fields(dict(fields), own, section)
    obj.plan = plan
    before = (obj.kind, obj.relative_id, obj.active) if isinstance(obj, Participant) else None
    goal_ids = _apply(spec, obj, dict(fields))
    # A relative who may not take part stays out on update too: re-activating them, or pointing the row at another
    # relative (or turning it into a relative row), is the same joining as item_add. Deactivating is always allowed
    # (that is how such a relative leaves the plan group), so an inactive row is not checked.
    if before is not None and before != (obj.kind, obj.relative_id, obj.active) and obj.active:
        _participant_may_join(obj)
    if goal_ids:
        goal_ids = _check_goals(plan, goal_ids)
    with transaction.atomic():
        message, params = gettext_noop("Endret %(noun)s: %(label)s"), {"noun": spec.noun, "label": _label(obj)}
        summary = _(message) % params
        _bump(actor, plan, based_on_version, section=section, op="update", summary=summary, item_id=obj.pk)
        obj.save()
        if goal_ids is not None:
            obj.goals.set(goal_ids)
        _audit(actor, "update", obj, plan, why, message, params, section=section, fields=sorted(fields))
    obj.warnings = measure_warnings(obj, plan) if isinstance(obj, Measure) else []
    return obj


def item_remove(*, actor, plan_id, based_on_version, section: str, item_id) -> None:
    spec = _section(section)
    plan, why = _editable(actor, plan_id)
    obj = _item(plan, section, item_id)
    file_name = obj.file.name if isinstance(obj, SubPlan) and obj.file else ""
    with transaction.atomic():
        message, params = gettext_noop("Fjernet %(noun)s: %(label)s"), {"noun": spec.noun, "label": _label(obj)}
        summary = _(message) % params
        _bump(actor, plan, based_on_version, section=section, op="remove", summary=summary, item_id=obj.pk)
        _audit(actor, "delete", obj, plan, why, message, params, section=section)
        obj.delete()
        if file_name:
            storage = SubPlan._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(file_name))


def goal_set_status(*, actor, plan_id, based_on_version, goal_id, status: str, on: dt.date | None = None, note: str = "") -> Goal:
    """Mark a goal achieved / changed / dropped (or active again) with a date and a note."""
    plan, why = _editable(actor, plan_id)
    goal = _item(plan, "goals", goal_id)
    if status not in Goal.Status.values:
        raise _invalid("status", _("Ugyldig status."))
    if status in (Goal.Status.CHANGED, Goal.Status.DROPPED) and not (note or "").strip():
        raise _invalid("note", _("Skriv en merknad om hvorfor målet er endret eller lagt bort."))
    goal.status, goal.status_on, goal.status_note = status, on or _today(), note
    validate(goal)
    with transaction.atomic():
        message, params = gettext_noop("Mål «%(label)s»: %(status)s"), {"label": _label(goal), "status": label(goal, "status")}
        summary = _(message) % params
        _bump(actor, plan, based_on_version, section="goals", op="status", summary=summary, item_id=goal.pk)
        goal.save(update_fields=["status", "status_on", "status_note", "updated_at"])
        _audit(actor, "update", goal, plan, why, message, params, section="goals")
    goal.plan = plan
    return goal


def measure_set_status(*, actor, plan_id, based_on_version, measure_id, status: str, on: dt.date | None = None, note: str = "") -> Measure:
    """Move a measure to planned / ongoing / paused / done / cancelled; the change is kept in its history."""
    plan, why = _editable(actor, plan_id)
    measure = _item(plan, "measures", measure_id)
    if status not in Measure.Status.values:
        raise _invalid("status", _("Ugyldig status."))
    if status == measure.status:
        raise _invalid("status", _("Tiltaket har allerede denne statusen."))
    old = measure.status
    measure.status = status
    with transaction.atomic():
        message, params = gettext_noop("Tiltak «%(label)s»: %(status)s"), {"label": _label(measure), "status": label(measure, "status")}
        summary = _(message) % params
        _bump(actor, plan, based_on_version, section="measures", op="status", summary=summary, item_id=measure.pk)
        measure.save(update_fields=["status", "updated_at"])
        MeasureStatusChange.objects.create(measure=measure, from_status=old, to_status=status, on=on or _today(), note=note, by=actor)
        _audit(actor, "update", measure, plan, why, message, params, section="measures")
    measure.plan = plan
    return measure


def evaluation_record(*, actor, plan_id, based_on_version, held_on: dt.date, reviewed: str, changes: str = "", next_on: dt.date | None = None,
                      evaluation_id=None, planned_on: dt.date | None = None) -> Evaluation:
    """Record a held evaluation (against a planned one, or new); plans the next; ends 'under evaluation'."""
    plan, why = _editable(actor, plan_id)
    if not (reviewed or "").strip():
        raise _invalid("reviewed", _("Skriv hva som ble gjennomgått."))
    if held_on and held_on > _today():
        raise _invalid("held_on", _("En gjennomført evaluering kan ikke være datert fram i tid."))
    evaluation = _item(plan, "evaluations", evaluation_id) if evaluation_id else Evaluation(plan=plan, planned_on=planned_on or held_on)
    if evaluation.held_on:
        raise Conflict("already_held", _("Denne evalueringen er allerede registrert som gjennomført."))
    evaluation.held_on, evaluation.reviewed, evaluation.changes, evaluation.next_on = held_on, reviewed, changes, next_on
    validate(evaluation)
    with transaction.atomic():
        message, params = gettext_noop("Evaluering gjennomført %(on)s"), {"on": held_on.strftime("%d.%m.%Y")}
        summary = _(message) % params
        evaluation.save()
        _bump(actor, plan, based_on_version, section="evaluations", op="update", summary=summary, item_id=evaluation.pk)
        if next_on and not plan.evaluations.filter(planned_on=next_on, held_on__isnull=True).exists():
            Evaluation.objects.create(plan=plan, planned_on=next_on)
        if plan.status == IndividualPlan.Status.UNDER_EVALUATION:
            IndividualPlan.objects.filter(pk=plan.pk).update(status=IndividualPlan.Status.ACTIVE)
            PlanStatusChange.objects.create(plan=plan, from_status=plan.status, to_status=IndividualPlan.Status.ACTIVE, on=held_on,
                                            reason=_("Evaluering gjennomført"), by=actor)
            plan.status = IndividualPlan.Status.ACTIVE
        _audit(actor, "update", evaluation, plan, why, message, params, section="evaluations")
    evaluation.plan = plan
    return evaluation


# ---------------------------------------------------------------- sub-plan files

MAX_FILE_SIZE = 10 * 1024 * 1024
# extension -> content type. The type is decided by the file's content (_sniff), never by the client's claim.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


def _sniff(head: bytes, data_file) -> str | None:
    """The file's real type from its first bytes (and, for zip-based documents, its members)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        if head[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument.text" in head[38:100]:
            return "odt"
        try:
            data_file.seek(0)
            with zipfile.ZipFile(data_file) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "docx"
    return None


def check_upload(file) -> tuple[str, str, int, str]:
    """Validate an uploaded file; return (extension, content_type, size, sha256). Raises DomainError('invalid_file')."""
    size = getattr(file, "size", None)
    if size is None:
        raise _invalid("file", _("Fant ingen fil."))
    if size > MAX_FILE_SIZE:
        raise DomainError("file_too_large", _("Filen er for stor (%(mb).1f MB). Største tillatte størrelse er 10 MB.") % {"mb": size / 1024 / 1024},
                          details={"fields": {"file": [_("For stor fil.")]}, "max_bytes": MAX_FILE_SIZE})
    if size == 0:
        raise _invalid("file", _("Filen er tom."))
    name = (getattr(file, "name", "") or "").lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    wrong = DomainError("file_type", _("Filtypen er ikke tillatt. Last opp PDF, DOCX, ODT, PNG eller JPEG."),
                        details={"fields": {"file": [_("Filtypen er ikke tillatt.")]}, "allowed": sorted(ALLOWED_TYPES)})
    if ext not in ALLOWED_TYPES:
        raise wrong
    file.seek(0)
    data = file.read()
    file.seek(0)
    sniffed = _sniff(data[:512], io.BytesIO(data))
    normal = "jpg" if ext == "jpeg" else ext
    if sniffed != normal:
        raise DomainError("file_type", _("Innholdet i filen stemmer ikke med filtypen (.%(ext)s). Last opp PDF, DOCX, ODT, PNG eller JPEG.") % {"ext": ext},
                          details={"fields": {"file": [_("Innholdet stemmer ikke med filtypen.")]}, "allowed": sorted(ALLOWED_TYPES)})
    return ext, ALLOWED_TYPES[ext], size, hashlib.sha256(data).hexdigest()


def subplan_add(*, actor, plan_id, based_on_version, kind: str, title: str, responsible_unit_id, text: str = "", file=None,
                order: int = 0) -> SubPlan:
    """A sub-plan (IOP, treatment, crisis, training) with structured text or an attached, checked file."""
    plan, why = _editable(actor, plan_id)
    subplan = SubPlan(plan=plan, kind=kind, title=title, responsible_unit_id=responsible_unit_id, text=text or "", order=order or 0)
    if file is not None:
        _ext, content_type, size, digest = check_upload(file)
        original = (getattr(file, "name", "") or "fil").replace("/", "_").replace("\\", "_")[-200:]
        subplan.file_name, subplan.file_size, subplan.content_type, subplan.sha256 = original, size, content_type, digest
        subplan.file.save(original, file, save=False)  # written to disk now; removed again if the transaction fails
    try:
        validate(subplan)
        with transaction.atomic():
            subplan.save()
            message, params = gettext_noop("La til delplan: %(title)s"), {"title": title}
            summary = _(message) % params
            _bump(actor, plan, based_on_version, section="subplans", op="add", summary=summary, item_id=subplan.pk)
            _audit(actor, "create", subplan, plan, why, message, params, section="subplans", file=bool(file))
    except Exception:
        if subplan.file:
            subplan.file.storage.delete(subplan.file.name)
        raise
    subplan.plan = plan
    return subplan


# ---------------------------------------------------------------- per-section shorthands for the UI


def _shorthands(section: str):
    def add(*, actor, plan_id, based_on_version, **fields):
        return item_add(actor=actor, plan_id=plan_id, based_on_version=based_on_version, section=section, fields=fields)

    def update(*, actor, plan_id, based_on_version, item_id, **fields):
        return item_update(actor=actor, plan_id=plan_id, based_on_version=based_on_version, section=section, item_id=item_id, fields=fields)

    def remove(*, actor, plan_id, based_on_version, item_id):
        return item_remove(actor=actor, plan_id=plan_id, based_on_version=based_on_version, section=section, item_id=item_id)

    return add, update, remove


goal_add, goal_update, goal_remove = _shorthands("goals")
resource_add, resource_update, resource_remove = _shorthands("resources")
need_add, need_update, need_remove = _shorthands("needs")
participant_add, participant_update, participant_remove = _shorthands("participants")


def _participant_may_join(participant: Participant) -> None:
    """Adding a participant (item_add / participant_add): a relative joins the plan group only when registered as one
    who may take part (Relative.may_take_part, "bare så langt personen ønsker det"). Meetings leave such relatives
    out too (helhet.meetings.services.meeting_create)."""
    if participant.kind == Participant.Kind.RELATIVE and participant.relative is not None and not participant.relative.may_take_part:
        raise _invalid("relative_id", _("%(name)s er ikke registrert som pårørende som kan delta i planarbeidet. Personen bestemmer hvem "
                                        "som deltar: endre registreringen av den pårørende først.") % {"name": participant.relative.name})
contribution_add, contribution_update, contribution_remove = _shorthands("contributions")
measure_add, measure_update, measure_remove = _shorthands("measures")
evaluation_add, evaluation_update, evaluation_remove = _shorthands("evaluations")
cooperation_add, cooperation_update, cooperation_remove = _shorthands("cooperation")
subplan_update, subplan_remove = _shorthands("subplans")[1:]


# ---------------------------------------------------------------- warnings after a write


def measure_warnings(measure: Measure, plan: IndividualPlan) -> list[str]:
    """The measure was saved; warn when its responsible person cannot see it under the consent and access rules in force
    today (helhet.access.queries.plan_access with refuse=False: asking about them is not their read, so nothing of
    theirs is refused or logged). Shown by the page (messages.warning) and the API (`warnings`)."""
    user = measure.responsible_person
    if user is None:
        return []
    access = plan_access(user, plan, refuse=False)
    if access is not None and access.may_see(measure.category):
        return []
    name = user.get_full_name() or user.username
    return [_("%(name)s kan ikke se dette tiltaket med samtykket som gjelder nå. Tiltaket er lagret, men be personen om et "
              "samtykke til deling som dekker denne opplysningskategorien for %(name)s, eller velg en annen ansvarlig.") % {"name": name}]


# ---------------------------------------------------------------- plan templates (planmaler)
#
#   plan_template_save(*, actor, organization_id, template_id=None, name, target_group, description="", goals="",
#                      needs="", cooperation="", measures="") -> PlanTemplate      # the KE of the organisation
#   plan_template_set_active(*, actor, template_id, active: bool) -> PlanTemplate
# Templates hold no personal data (PlanTemplate.clean refuses 11-digit numbers); their writes are audited without a
# person. Access: Action.PLAN_TEMPLATE_MANAGE on the template's organisation (helhet/access: ORG_KE).


def _template_org(actor, organization_id):
    from helhet.organizations.models import Organization

    return load(actor, Organization, organization_id, None, person_of=None, object_action=Action.PLAN_TEMPLATE_MANAGE)


def _template(template_id) -> PlanTemplate:
    try:
        return PlanTemplate.objects.select_related("organization").get(pk=template_id)
    except (PlanTemplate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


TEMPLATE_FIELDS = ("name", "target_group", "description", "goals", "needs", "cooperation", "measures")


def plan_template_save(*, actor, organization_id=None, template_id=None, **fields) -> PlanTemplate:
    """Create (template_id None: in organization_id) or change a plan template; the KE of its organisation only."""
    unknown = sorted(set(fields) - set(TEMPLATE_FIELDS))
    if unknown:
        raise _invalid(unknown[0], _("Ukjent felt: %(f)s") % {"f": unknown[0]})
    if template_id is not None:
        template = _template(template_id)
        org, why = _template_org(actor, template.organization_id)
    else:
        org, why = _template_org(actor, organization_id)
        template = PlanTemplate(organization=org, created_by=actor)
    for name, value in fields.items():
        setattr(template, name, (value or "").strip())
    if PlanTemplate.objects.filter(organization=org, name__iexact=template.name).exclude(pk=template.pk).exists():
        raise _invalid("name", _("%(org)s har allerede en mal med dette navnet.") % {"org": org.name})
    validate(template)
    creating = template.pk is None
    with transaction.atomic():
        template.save()
        record(actor=actor, action="create" if creating else "update", obj=template, reason=why, organization=org,
               summary=gettext_noop("Opprettet planmal %(name)s") if creating else gettext_noop("Endret planmal %(name)s"),
               params={"name": template.name})
    return template


def plan_template_set_active(*, actor, template_id, active: bool) -> PlanTemplate:
    template = _template(template_id)
    org, why = _template_org(actor, template.organization_id)
    with transaction.atomic():
        PlanTemplate.objects.filter(pk=template.pk).update(active=bool(active), updated_at=timezone.now())
        template.active = bool(active)
        record(actor=actor, action="update", obj=template, reason=why, organization=org,
               summary=gettext_noop("Tok i bruk planmal %(name)s") if active else gettext_noop("Tok planmal %(name)s ut av bruk"),
               params={"name": template.name})
    return template


def _template_for_plan(template_id, person: Person, unit: ServiceUnit) -> PlanTemplate | None:
    """The template a plan may start from: active, of the person's home municipality or the main unit's organisation."""
    if template_id in (None, ""):
        return None
    try:
        template = PlanTemplate.objects.get(pk=template_id, active=True)
    except (PlanTemplate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise _invalid("template", _("Velg en mal som er i bruk.")) from None
    if template.organization_id not in {person.home_municipality_id, unit.organization_id}:
        raise _invalid("template", _("Malen hører til en annen organisasjon enn personens kommune eller den ansvarlige enheten."))
    return template


def _prefill(actor, plan: IndividualPlan, template: PlanTemplate, why: str) -> None:
    """The template's lines as the plan's first items (inside plan_create's transaction), each audited like item_add.
    Goals and needs are suggestions written by staff; measures have no responsible person."""
    today, lines = _today(), PlanTemplate.lines
    staff = "staff"  # WrittenBy.STAFF: a suggestion for the person to put in their own words
    items = [Goal(plan=plan, text=t, written_by=staff, order=i) for i, t in enumerate(lines(template.goals))]
    items += [Need(plan=plan, text=t, written_by=staff, order=i) for i, t in enumerate(lines(template.needs))]
    for i, line in enumerate(lines(template.cooperation)):
        partner, _sep, purpose = line.partition(":")
        items.append(Cooperation(plan=plan, partner=partner.strip()[:200], purpose=(purpose.strip() or partner.strip()), order=i))
    items += [Measure(plan=plan, title=t[:300], order=i) for i, t in enumerate(lines(template.measures))]
    for obj in items:
        validate(obj)
        obj.save()
        if isinstance(obj, Measure):
            MeasureStatusChange.objects.create(measure=obj, from_status="", to_status=obj.status, on=today, by=actor)
        section = next(k for k, spec in SECTIONS.items() if spec.model is type(obj))
        message, params = gettext_noop("La til %(noun)s fra planmal: %(label)s"), {"noun": SECTIONS[section].noun, "label": _label(obj)}
        _audit(actor, "create", obj, plan, why, message, params, section=section, template=template.pk)
    if items:
        PlanChange.objects.create(plan=plan, version=plan.version, section="plan", op="template", by=actor,
                                  summary=(_("Fylt ut fra planmalen «%(name)s»") % {"name": template.name})[:300])
