import datetime as dt

from django.db.models import Q

from .models import Consent


def valid_consents_q(day: dt.date, prefix: str = "") -> Q:
    """Q for consents valid on `day`; used by access queries and checks."""
    p = prefix
    return (
        Q(**{f"{p}given_on__lte": day})
        & (Q(**{f"{p}withdrawn_on__isnull": True}) | Q(**{f"{p}withdrawn_on__gt": day}))
        & (Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": day}))
    )


def has_valid_consent(person, kinds: list[str], day: dt.date) -> bool:
    return Consent.objects.filter(valid_consents_q(day), person=person, kind__in=kinds).exists()
