"""Reads of personal access grants. Each takes the actor and returns only what they may see (404 otherwise)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from helhet.audit.services import record

from .models import AccessGrant
from .policy import Action
from .queries import check, get_person


def grants_of_person(*, actor, person_id) -> tuple[object, list[AccessGrant]]:
    """The person's grants, newest first, for those who may manage them (the person's KE or coordinator)."""
    person, _why = get_person(actor, person_id)
    why = check(actor, Action.GRANT_MANAGE, person)
    rows = list(AccessGrant.objects.filter(person=person).select_related("grantee", "granted_by", "consent").order_by("-valid_from", "-id"))
    record(actor=actor, action="view", object_type="accessgrant", object_id="list", person=person, reason=why,
           summary=gettext_noop("Så personlige tilganger"))
    return person, rows


def grant_state(grant: AccessGrant, day=None) -> str:
    """'revoked', 'pending', 'active' or 'expired' (consent withdrawal shows as 'consent_invalid')."""
    day = day or timezone.localdate()
    if grant.revoked_at:
        return "revoked"
    if day < grant.valid_from:
        return "pending"
    if day > grant.valid_to:
        return "expired"
    if not grant.consent.valid_on(day):
        return "consent_invalid"
    return "active"


STATE_LABELS = {"revoked": _("Trukket tilbake"), "pending": _("Ikke startet"), "expired": _("Utløpt"),
                "consent_invalid": _("Samtykket gjelder ikke"), "active": _("Aktiv")}
