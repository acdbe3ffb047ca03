"""Writes of the person's own pages (helhet/portal), and the staff step that links a relative to a login.

    meeting_respond(*, actor, meeting_id, answer) -> MeetingResponse       # "accept" | "decline"
    relative_login_link(*, actor, relative_id, national_id) -> Relative      # the KE links a relative to a login
    relative_login_end(*, actor, relative_id) -> Relative                    # ... and ends it

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
from helhet.core.errors import Conflict, DomainError
from helhet.core.validators import validate_national_id
from helhet.meetings.models import Meeting
from helhet.people.models import Relative

from .models import MeetingResponse


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
