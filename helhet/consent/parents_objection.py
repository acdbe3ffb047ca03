"""A young person's wish that their parents are not given information (pasient- og brukerrettighetsloven § 3-4 second
paragraph: a child of 12-16 who, for reasons that should be respected, does not want it). Reads and writes:

    objection_overview(*, actor, person_id, portal=False) -> dict # the history, what it does at the person's age, rights
    objection_record(*, actor, person, note="") -> ParentsInformationObjection   # the young person (portal) or staff
    objection_assess(*, actor, objection_id, respected, note) -> ParentsInformationObjection   # health personnel
    objection_withdraw(*, actor, objection_id) -> ParentsInformationObjection   # the young person or staff
    effect_at_age(person, day) -> (str, rule codes)                # capacity.parents_information's answer for the person

Who may do what is decided in helhet.access.policy (Action.PARENTS_OBJECTION_RECORD / _ASSESS): never a parent or a
guardian. What the objection changes is decided in helhet.access.facts.branches: while a respected objection holds and
the rules answer 'unless_child_objects' for the person's age, a parent sees only the frame (Rel.PARENT_LIMITED).
Every read and write is an audit event; nothing is deleted (the assessment and the withdrawal are set once).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import allowed_actions, check, get_person, load
from helhet.audit.services import record
from helhet.core.errors import Conflict, DomainError, validate
from helhet.people.models import Person
from helhet.rules.selectors import rules_in_force

from . import capacity
from .models import ParentsInformationObjection as Objection


def effect_at_age(person: Person, day: dt.date) -> tuple[str, tuple[str, ...]]:
    """What the parents of this person are told at their age on `day` under the rules in force, and by which rules
    (capacity.parents_information): 'unless_child_objects' is the band where an objection narrows the parents to the frame."""
    from .selectors import capacity_rules_on

    return capacity.parents_information(age=person.age_on(day), rules=capacity_rules_on(day))


def objection_overview(*, actor, person_id, portal: bool = False) -> dict:
    """The person's objections, newest first, with the open one, what it does at their age and the actor's rights (audited).
    portal=True: the page in "Min plan", which also needs Action.PORTAL_VIEW (the young person themself)."""
    person, why = get_person(actor, person_id, action=Action.PARENTS_OBJECTION_RECORD)
    if portal:
        check(actor, Action.PORTAL_VIEW, person)
    history = list(Objection.objects.filter(person=person).select_related("recorded_by", "assessed_by", "withdrawn_by"))
    record(actor=actor, action="view", object_type="parentsinformationobjection", object_id="list", person=person, reason=why,
           summary=gettext_noop("Så hva foreldrene skal få vite"))
    today = timezone.localdate()
    effect, codes = effect_at_age(person, today)
    return {"person": person, "why": why, "history": history, "latest": history[0] if history else None,
            "open": next((o for o in history if o.state in ("pending", "respected")), None),
            "effect": effect, "rules": list(rules_in_force(today, codes=list(codes))), "allowed": allowed_actions(actor, person)}


def objection_record(*, actor, person: Person, note: str = "") -> Objection:
    """Record today that the young person does not want the parents informed: by themself in the portal, or told to staff.
    It narrows nothing until health personnel judge that the reasons should be respected (objection_assess)."""
    why = check(actor, Action.PARENTS_OBJECTION_RECORD, person)
    objection = Objection(person=person, recorded_on=timezone.localdate(), recorded_by=actor,
                          how=Objection.How.PORTAL if why == "self" else Objection.How.TOLD_STAFF, note=(note or "").strip())
    validate(objection, constraints=False)  # the one-open constraint is the IntegrityError below: a race is a 409
    if Objection.objects.filter(person=person, withdrawn_on__isnull=True).exclude(respected=False).exists():
        raise _already_open()
    try:
        with transaction.atomic():
            objection.save()
            record(actor=actor, action="create", obj=objection, person=person, reason=why,
                   summary=gettext_noop("Registrerte at foreldrene ikke skal få opplysninger"), detail={"how": objection.how})
    except IntegrityError:  # a concurrent second one (the one-open constraint)
        raise _already_open() from None
    return objection


def _already_open() -> Conflict:
    return Conflict("already_open", _("Det er allerede registrert at foreldrene ikke skal få opplysninger."))


def _load(actor, objection_id, action: Action) -> tuple[Objection, str]:
    return load(actor, Objection, objection_id, action, queryset=Objection.objects.select_related("person"))


def objection_assess(*, actor, objection_id, respected: bool, note: str) -> Objection:
    """Health personnel's judgement whether the reasons should be respected, with what it rests on (set once)."""
    objection, why = _load(actor, objection_id, Action.PARENTS_OBJECTION_ASSESS)
    note = (note or "").strip()
    if not note:
        message = _("Skriv kort hva vurderingen bygger på.")
        raise DomainError("invalid", message, details={"fields": {"note": [message]}})
    today = timezone.localdate()
    with transaction.atomic():
        done = (Objection.objects.filter(pk=objection.pk, respected__isnull=True, withdrawn_on__isnull=True)
                .update(respected=bool(respected), assessed_on=today, assessed_by=actor, assessment_note=note))
        if not done:
            raise Conflict("already_assessed", _("Ønsket er allerede vurdert eller trukket tilbake."))
        objection.respected, objection.assessed_on, objection.assessed_by, objection.assessment_note = bool(respected), today, actor, note
        record(actor=actor, action="update", obj=objection, person=objection.person, reason=why,
               summary=gettext_noop("Vurderte at grunnene bør respekteres") if respected else gettext_noop("Vurderte at grunnene ikke bør respekteres"),
               detail={"respected": bool(respected)})
    return objection


def objection_withdraw(*, actor, objection_id) -> Objection:
    """The young person (or staff, when told) withdraws the objection from today: the parents act for them again."""
    objection, why = _load(actor, objection_id, Action.PARENTS_OBJECTION_RECORD)
    today = timezone.localdate()
    with transaction.atomic():
        if not Objection.objects.filter(pk=objection.pk, withdrawn_on__isnull=True).update(withdrawn_on=today, withdrawn_by=actor):
            raise Conflict("already_withdrawn", _("Ønsket er allerede trukket tilbake."))
        objection.withdrawn_on, objection.withdrawn_by = today, actor
        record(actor=actor, action="update", obj=objection, person=objection.person, reason=why,
               summary=gettext_noop("Trakk tilbake at foreldrene ikke skal få opplysninger"))
    return objection
