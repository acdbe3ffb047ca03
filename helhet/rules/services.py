"""Writing local guidelines: only the organisation's own KE, validated, with history and audit in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.access.policy import Action
from helhet.access.queries import load
from helhet.audit.services import record
from helhet.core.errors import invalid as _invalid

from . import guidelines
from .models import LocalGuideline
from .selectors import guideline_value


def guideline_set(*, actor, organization_id, key: str, value, reason: str, source: str = "",
                  valid_from: dt.date | None = None) -> LocalGuideline:
    """Set `organization_id`'s local guideline `key` to `value` days from `valid_from` (default today).

    Only a KE officer of that organisation may; anyone else gets NotFound (and
    a 'denied' audit event). Adds a new version row (never updates one) and an
    audit event in the same transaction. Bad input is a 400 DomainError with
    the offending field, and nothing is written.
    """
    from helhet.organizations.models import Organization

    organization, _why = load(actor, Organization, organization_id, None, person_of=None, object_action=Action.GUIDELINE_SET)
    org_id = organization.pk

    if key not in guidelines.GUIDELINES:
        raise _invalid("key", _("Ukjent retningslinje."))
    g = guidelines.get(key)
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise _invalid("value", _("Verdien må være et helt antall dager.")) from None
    if number < g.min_value or number > g.max_value:
        raise _invalid("value", _("Verdien må være mellom %(min)s og %(max)s dager.") % {"min": g.min_value, "max": g.max_value})
    reason = (reason or "").strip()
    if not reason:
        if g.longer_needs_reason and number > g.default:
            raise _invalid("reason", _("En lengre frist enn %(default)s dager krever en begrunnelse.") % {"default": g.default})
        raise _invalid("reason", _("Skriv en begrunnelse for endringen."))
    if len(reason) > 1000:
        raise _invalid("reason", _("Begrunnelsen kan være høyst 1000 tegn."))
    source = (source or "").strip()
    if len(source) > 300:
        raise _invalid("source", _("Kilden kan være høyst 300 tegn."))
    today = timezone.localdate()
    valid_from = valid_from or today
    if valid_from < today:
        raise _invalid("valid_from", _("En endring kan ikke gjelde fra en dato som har passert."))

    with transaction.atomic():
        from helhet.organizations.models import Organization

        org = Organization.objects.select_for_update().get(pk=org_id)
        previous = guideline_value(key, org_id, valid_from)
        if not source:
            source = _("Lokal retningslinje, %(org)s") % {"org": org.name}
        version = LocalGuideline.objects.create(
            organization=org, key=key, value=number, previous_value=previous.value, reason=reason,
            source=source, valid_from=valid_from, changed_by=actor,
        )
        record(
            actor=actor, action="update", obj=version, object_type="local_guideline", organization=org,
            summary=f"{key}: {previous.value} → {number}",
            detail={"key": key, "old_value": previous.value, "new_value": number, "reason": reason,
                    "source": source, "valid_from": valid_from.isoformat(), "organization_id": org_id},
        )
    return version
