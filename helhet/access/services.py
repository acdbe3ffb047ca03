"""Personal, time-limited access grants.

    grant_create(*, actor, person, grantee_id, consent_id, valid_from, valid_to, categories, reason) -> AccessGrant
    grant_revoke(*, actor, grant_id, note="") -> AccessGrant

Only the person's KE or coordinator may grant (Action.GRANT_MANAGE). A grant rests on a valid sharing consent
of the person, may not reach beyond it (categories within the consent's, the window inside its period), and
is audited on creation and revocation. The grantee may work in any organisation: this is how a hospital
clinician reads a municipal plan.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.audit.services import record
from helhet.consent.categories import clean_categories
from helhet.consent.models import Consent
from helhet.core.errors import Conflict, validate
from helhet.core.errors import invalid as _invalid

from .models import AccessGrant
from .policy import Action
from .queries import check, load

MAX_GRANT_DAYS = 366



def grant_create(*, actor, person, grantee_id, consent_id, valid_from: dt.date, valid_to: dt.date, categories, reason: str) -> AccessGrant:
    why = check(actor, Action.GRANT_MANAGE, person)
    today = timezone.localdate()
    grantee = (get_user_model().objects.filter(pk=grantee_id, is_active=True, memberships__active=True).distinct().first()
               if str(grantee_id).isdigit() else None)
    if grantee is None:
        raise _invalid("grantee", _("Velg en navngitt tjenesteyter som skal få tilgang."))
    if grantee.pk == actor.pk:
        raise _invalid("grantee", _("Du kan ikke gi tilgang til deg selv."))
    consent = (Consent.objects.filter(pk=consent_id, person=person, kind=Consent.Kind.SHARING).first()
               if str(consent_id).isdigit() else None)
    if consent is None:
        raise _invalid("consent", _("Tilgangen må bygge på et samtykke til deling for denne personen."))
    if not valid_from or not valid_to:
        raise _invalid("valid_to", _("Personlig tilgang er tidsbegrenset: oppgi fra og til dato."))
    if not consent.valid_on(max(valid_from, today)):
        raise _invalid("consent", _("Samtykket er ikke gyldig i perioden."))
    if valid_to < valid_from:
        raise _invalid("valid_to", _("Til-datoen kan ikke være før fra-datoen."))
    if valid_to < today:
        raise _invalid("valid_to", _("Perioden er allerede over."))
    if (valid_to - valid_from).days > MAX_GRANT_DAYS:
        raise _invalid("valid_to", _("Personlig tilgang kan gis for høyst ett år om gangen."))
    if consent.valid_to and valid_to > consent.valid_to:
        raise _invalid("valid_to", _("Tilgangen kan ikke vare lenger enn samtykket (til %(d)s).") % {"d": consent.valid_to.strftime("%d.%m.%Y")})
    try:
        categories = clean_categories(categories)
    except ValueError as exc:
        raise _invalid("categories", _("Ukjent kategori: %(c)s") % {"c": exc}) from None
    if not categories:
        raise _invalid("categories", _("Velg hvilke opplysninger tilgangen gjelder."))
    beyond = [c for c in categories if c not in (consent.categories or [])]
    if beyond:
        raise _invalid("categories", _("Samtykket dekker ikke alle de valgte opplysningene."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Oppgi hvorfor tilgangen trengs (tjenstlig behov)."))
    grant = AccessGrant(person=person, grantee=grantee, granted_by=actor, consent=consent, valid_from=valid_from, valid_to=valid_to,
                        categories=categories, reason=reason.strip())
    validate(grant)
    with transaction.atomic():
        grant.save()
        record(actor=actor, action="create", obj=grant, person=person, reason=why,
               summary=gettext_noop("Ga personlig tilgang til %(who)s, %(a)s–%(b)s"), params={
                   "who": grantee.get_full_name() or grantee.username, "a": valid_from.strftime("%d.%m.%Y"), "b": valid_to.strftime("%d.%m.%Y")},
               detail={"grantee": grantee.pk, "consent": consent.pk, "categories": categories, "valid_from": valid_from.isoformat(),
                       "valid_to": valid_to.isoformat()})
    return grant


def grant_revoke(*, actor, grant_id, note: str = "") -> AccessGrant:
    grant, why = load(actor, AccessGrant, grant_id, Action.GRANT_MANAGE, queryset=AccessGrant.objects.select_related("person", "grantee"))
    if grant.revoked_at:
        raise Conflict("already_revoked", _("Tilgangen er allerede trukket tilbake."))
    now = timezone.now()
    with transaction.atomic():
        AccessGrant.objects.filter(pk=grant.pk).update(revoked_at=now, revoked_by=actor)
        grant.revoked_at, grant.revoked_by = now, actor
        record(actor=actor, action="update", obj=grant, person=grant.person, reason=why,
               summary=gettext_noop("Trakk tilbake personlig tilgang for %(who)s"), params={"who": grant.grantee.get_full_name() or grant.grantee.username},
               detail={"revoked": True, "note": note[:200]})
    return grant


# ---------------------------------------------------------------- objection to sharing with cooperating health personnel


def objection_record(*, actor, person, objected_on: dt.date, given_by_name: str, how: str, note: str = ""):
    """Record that the person (or whoever acts for them) objects to cooperating health personnel receiving their
    health information without a consent (the rule 'health-personnel.cooperation'). Takes effect at the next request."""
    from .models import HealthSharingObjection

    why = check(actor, Action.OBJECTION_RECORD, person)
    if objected_on is None:
        raise _invalid("objected_on", _("Oppgi datoen personen motsatte seg deling."))
    if objected_on > timezone.localdate():
        raise _invalid("objected_on", _("Datoen kan ikke være fram i tid."))
    if not (given_by_name or "").strip():
        raise _invalid("given_by_name", _("Oppgi hvem som motsatte seg deling."))
    if how not in Consent.Method.values:
        raise _invalid("how", _("Velg hvordan personen ga beskjed."))
    if HealthSharingObjection.objects.active_on(timezone.localdate()).filter(person=person).exists():
        raise Conflict("objection_exists", _("Personen har allerede motsatt seg deling med helsepersonell."))
    objection = HealthSharingObjection(person=person, objected_on=objected_on, given_by_name=given_by_name.strip(), how=how,
                                       note=(note or "").strip(), recorded_by=actor)
    validate(objection)
    with transaction.atomic():
        objection.save()
        record(actor=actor, action="create", obj=objection, person=person, reason=why,
               summary=gettext_noop("Registrerte at personen motsetter seg deling med helsepersonell"))
    return objection


def objection_withdraw(*, actor, objection_id, on: dt.date | None = None):
    """The person no longer objects: from `on` (default today) the rule applies again."""
    from .models import HealthSharingObjection

    objection, why = load(actor, HealthSharingObjection, objection_id, Action.OBJECTION_RECORD,
                          queryset=HealthSharingObjection.objects.select_related("person"))
    on = on or timezone.localdate()
    if objection.withdrawn_on is not None:
        raise Conflict("already_withdrawn", _("Innsigelsen er allerede trukket tilbake."))
    if on < objection.objected_on:
        raise _invalid("on", _("Datoen kan ikke være før innsigelsen ble registrert."))
    with transaction.atomic():
        updated = HealthSharingObjection.objects.filter(pk=objection.pk, withdrawn_on__isnull=True).update(withdrawn_on=on, withdrawn_by=actor)
        if not updated:
            raise Conflict("already_withdrawn", _("Innsigelsen er allerede trukket tilbake."))
        objection.withdrawn_on, objection.withdrawn_by = on, actor
        record(actor=actor, action="update", obj=objection, person=objection.person, reason=why,
               summary=gettext_noop("Personen motsetter seg ikke lenger deling med helsepersonell"))
    return objection
