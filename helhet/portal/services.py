"""Writes of the person's own pages (helhet/portal), and the staff step that links a relative to a login.

    meeting_respond(*, actor, meeting_id, answer) -> MeetingResponse       # "accept" | "decline"
    relative_login_link(*, actor, relative_id, national_id) -> Relative      # the KE links a relative to a login
    relative_login_end(*, actor, relative_id) -> Relative                    # ... and ends it
    own_item_save(*, actor, plan_id, based_on_version, section, text, item_id=None)  # own resource / contribution / goal
    measure_comment_add(*, actor, measure_id, text) -> MeasureComment        # the person comments on a measure
    mapping_save(*, actor, person_id, answers, send=False) -> Mapping        # kartlegging: draft, then "send"
    mapping_answer_to_item(*, actor, plan_id, based_on_version, question, section)  # the coordinator: answer -> item
    own_consent_renew(*, actor, consent_id, valid_to) -> Consent             # same consent, new end date

Goals go through helhet.plans.services.item_add / item_update (Action.PLAN_OWN_WRITE), consent through
helhet.consent.services.own_sharing_consent_* and messages through helhet.meetings.services: no step exists twice.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import load
from helhet.audit.services import record
from helhet.core.errors import Conflict, DomainError, NotFound
from helhet.core.validators import validate_national_id
from helhet.meetings.models import Meeting
from helhet.people.models import Relative

from .models import Mapping, MeasureComment, MeetingResponse

# Who wrote it, from the reason the policy gave for PLAN_OWN_WRITE (the same words as plans.services.OWN_AUTHOR).
AUTHOR = {"self": "person", "representative": "relative"}
TEXT_MAX = 2000


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("invalid", message, details={"fields": {field: [message]}})


def meeting_respond(*, actor, meeting_id, answer: str) -> MeetingResponse:
    meeting, why = load(actor, Meeting, meeting_id, Action.MEETING_RESPOND, person_of=lambda m: m.plan.person,
                        queryset=Meeting.objects.select_related("plan__person"))
    if answer not in MeetingResponse.Answer.values:
        raise _invalid("answer", _("Velg om du kommer eller ikke."))
    if meeting.status != Meeting.Status.PLANNED:
        raise Conflict("meeting_not_planned", _("Møtet er ikke lenger planlagt, så du kan ikke svare på det."))
    with transaction.atomic():
        response, _created = MeetingResponse.objects.update_or_create(meeting=meeting, user=actor, defaults={"answer": answer})
        record(actor=actor, action="update", obj=meeting, person=meeting.plan.person, reason=why,
               summary=gettext_noop("Svarte på møteinnkalling: %(answer)s"), params={"answer": response.get_answer_display()},
               detail={"answer": answer})
    return response


def _relative(actor, relative_id) -> tuple[Relative, str]:
    return load(actor, Relative, relative_id, Action.RELATIVE_MANAGE, queryset=Relative.objects.select_related("person"))


def relative_login_link(*, actor, relative_id, national_id: str) -> Relative:
    """Link a registered relative to the login of the person with this national id (made for them if they have none
    yet: a citizen login with no password, which ID-porten then signs in). Only a relative who may consent acts for
    the person in the portal; others get a login that shows nothing (the policy decides)."""
    from django.core.exceptions import ValidationError

    relative, why = _relative(actor, relative_id)
    national_id = (national_id or "").strip().replace(" ", "")
    try:
        validate_national_id(national_id)
    except ValidationError as exc:
        raise _invalid("national_id", " ".join(exc.messages)) from None
    if national_id == relative.person.national_id:
        raise _invalid("national_id", _("Det er personens eget fødselsnummer. Personen logger inn selv og trenger ingen kobling."))
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(national_id=national_id).order_by("id").first()
        if user is None:
            user = User(username=f"innbygger-{secrets.token_hex(6)}", first_name=relative.name[:150])
            user.national_id = national_id
            user.set_unusable_password()
            user.save()
        Relative.objects.filter(pk=relative.pk).update(user=user)
        relative.user = user
        record(actor=actor, action="update", obj=relative, person=relative.person, reason=why,
               summary=gettext_noop("Koblet pårørende til innlogging: %(name)s"), params={"name": relative.name},
               detail={"user": user.pk})
    return relative


def relative_login_end(*, actor, relative_id) -> Relative:
    relative, why = _relative(actor, relative_id)
    if relative.user_id is None:
        raise Conflict("not_linked", _("Den pårørende er ikke koblet til noen innlogging."))
    with transaction.atomic():
        old = relative.user_id
        Relative.objects.filter(pk=relative.pk).update(user=None)
        relative.user = None
        record(actor=actor, action="update", obj=relative, person=relative.person, reason=why,
               summary=gettext_noop("Avsluttet kobling mellom pårørende og innlogging: %(name)s"), params={"name": relative.name},
               detail={"user": old})
    return relative


# ---------------------------------------------------------------- the person's own words in the plan


def own_sections() -> tuple[str, ...]:
    """The plan sections the person may write in (their own goals, resources and contributions) that
    helhet.plans.services accepts from them today (its OWN_SECTIONS): the portal offers no button for a section the
    plans service would refuse (no action that ends in 404)."""
    from helhet.plans import services as plans

    return tuple(s for s in ("goals", "resources", "contributions") if s in plans.OWN_SECTIONS)


def own_item_save(*, actor, plan_id, based_on_version, section: str, text: str, item_id=None):
    """Write or change the person's own goal, resource or contribution: plans.services.item_add / item_update
    (Action.PLAN_OWN_WRITE there; the plans service marks the item as written by the person or relative)."""
    from helhet.plans import services as plans

    if section not in own_sections():
        raise NotFound()
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("Skriv noe før du lagrer."))
    if item_id is None:
        return plans.item_add(actor=actor, plan_id=plan_id, based_on_version=based_on_version, section=section, fields={"text": text})
    return plans.item_update(actor=actor, plan_id=plan_id, based_on_version=based_on_version, section=section, item_id=item_id,
                             fields={"text": text})


def _own_plan_item(actor, model, pk, action=Action.PLAN_OWN_WRITE):
    """A plan item of a person the actor writes for (PLAN_OWN_WRITE on the person), that they may also see (its
    category under their access). 404 with a 'denied' event otherwise."""
    from helhet.access.queries import deny, plan_access

    obj, why = load(actor, model, pk, action, person_of=lambda o: o.plan.person,
                    queryset=model.objects.select_related("plan__person__home_municipality", "plan__main_unit__organization"))
    access = plan_access(actor, obj.plan)
    if not access.may_see(obj.category):
        deny(actor, action, obj=obj, person=obj.plan.person)
    return obj, why


def measure_comment_add(*, actor, measure_id, text: str) -> MeasureComment:
    from helhet.plans.models import Measure

    measure, why = _own_plan_item(actor, Measure, measure_id)
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("Skriv kommentaren før du sender den."))
    if len(text) > TEXT_MAX:
        raise _invalid("text", _("Kommentaren kan være høyst %(n)s tegn.") % {"n": TEXT_MAX})
    if measure.plan.is_closed:
        raise Conflict("closed", _("Planen er avsluttet, så du kan ikke kommentere tiltakene lenger."))
    with transaction.atomic():
        comment = MeasureComment.objects.create(measure=measure, author=actor, written_by=AUTHOR.get(why, "person"), text=text)
        record(actor=actor, action="create", obj=comment, person=measure.plan.person, reason=why,
               summary=gettext_noop("Kommenterte tiltaket: %(title)s"), params={"title": measure.title[:60]},
               detail={"plan": measure.plan_id, "measure": measure.pk})
    return comment


# ---------------------------------------------------------------- the mapping questionnaire (kartlegging)


def mapping_save(*, actor, person_id, answers: dict, send: bool = False) -> Mapping:
    """Save the person's answers as a draft, or send them to the coordinator (send=True needs at least one answer).
    Changing a sent questionnaire makes it a draft again until it is sent anew."""
    from django.utils import timezone

    from helhet.access.queries import get_person

    person, why = get_person(actor, person_id, action=Action.PLAN_OWN_WRITE)
    clean = {}
    for q in Mapping.QUESTIONS:
        value = str(answers.get(q) or "").strip()
        if len(value) > TEXT_MAX:
            raise _invalid(q, _("Svaret kan være høyst %(n)s tegn.") % {"n": TEXT_MAX})
        clean[q] = value
    if send and not any(clean.values()):
        raise _invalid("important", _("Svar på minst ett av spørsmålene før du sender."))
    with transaction.atomic():
        mapping = Mapping.objects.select_for_update().filter(person=person).first() or Mapping(person=person)
        for q, value in clean.items():
            setattr(mapping, q, value)
        mapping.updated_by = actor
        mapping.written_by = AUTHOR.get(why, "person")
        mapping.status = Mapping.Status.SENT if send else Mapping.Status.DRAFT
        mapping.sent_at = timezone.now() if send else None
        mapping.save()
        record(actor=actor, action="update", obj=mapping, person=person, reason=why,
               summary=gettext_noop("Sendte kartleggingen til koordinatoren") if send else gettext_noop("Lagret utkast til kartlegging"),
               detail={"answered": [q for q, v in clean.items() if v], "sent": send})
    return mapping


MAPPING_SECTIONS = ("goals", "resources", "needs")


def mapping_answer_to_item(*, actor, plan_id, based_on_version, question: str, section: str):
    """The coordinator turns one sent answer into a goal, resource or need in the plan, in the person's own words
    (plans.services.item_add: PLAN_EDIT, the optimistic lock and its audit event), and notes which answer it came from."""
    from helhet.access.queries import check_plan
    from helhet.plans import services as plans
    from helhet.plans.models import IndividualPlan

    plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None, queryset=IndividualPlan.objects.select_related(
        "person__home_municipality", "main_unit__organization"))
    why = check_plan(actor, Action.PLAN_EDIT, plan)
    mapping = Mapping.objects.filter(person=plan.person, status=Mapping.Status.SENT).first()
    if mapping is None or question not in Mapping.QUESTIONS or not getattr(mapping, question).strip():
        raise NotFound()
    if section not in MAPPING_SECTIONS:
        raise _invalid("section", _("Velg mål, ressurs eller behov."))
    with transaction.atomic():
        item = plans.item_add(actor=actor, plan_id=plan.pk, based_on_version=based_on_version, section=section,
                              fields={"text": getattr(mapping, question).strip(), "written_by": mapping.written_by})
        mapping.used = [*mapping.used, {"question": question, "section": section, "item_id": item.pk, "by": actor.pk}]
        Mapping.objects.filter(pk=mapping.pk).update(used=mapping.used)
        record(actor=actor, action="update", obj=mapping, person=plan.person, reason=why,
               summary=gettext_noop("Gjorde et svar i kartleggingen til %(noun)s i planen"),
               params={"noun": plans.SECTIONS[section].noun}, detail={"plan": plan.pk, "question": question, "item": item.pk})
    return item


# ---------------------------------------------------------------- consent: renew


def own_consent_renew(*, actor, consent_id, valid_to):
    """Renew a time-limited sharing consent: the same information to the same recipients, to a new end date. Built
    from the consent service's own steps in one transaction (a new consent given today, the old one withdrawn as
    replaced), so who may renew, the capacity rules and the audit events are theirs."""
    import datetime as dt

    from django.utils import timezone

    from helhet.consent import services as consent_services
    from helhet.consent.models import Consent

    old = (Consent.objects.filter(pk=consent_id, kind=Consent.Kind.SHARING).select_related("person").first()
           if str(consent_id).isdigit() else None)
    if old is None:
        raise NotFound()
    if not isinstance(valid_to, dt.date):
        raise _invalid("valid_to", _("Velg en ny sluttdato."))
    if valid_to < timezone.localdate():
        raise _invalid("valid_to", _("Velg en sluttdato som ikke har passert."))
    if old.valid_to and valid_to <= old.valid_to:
        raise _invalid("valid_to", _("Velg en dato etter %(on)s, når samtykket gjelder til nå.") % {"on": old.valid_to.strftime("%d.%m.%Y")})
    with transaction.atomic():
        new = consent_services.own_sharing_consent_give(
            actor=actor, person=old.person, categories=list(old.categories or []),
            recipient_user_ids=list(old.recipient_users.values_list("pk", flat=True)),
            recipient_unit_ids=list(old.recipient_units.values_list("pk", flat=True)),
            purpose=old.purpose, valid_to=valid_to, exclusions=old.exclusions)
        consent_services.own_consent_withdraw(actor=actor, consent_id=old.pk)
    return new
