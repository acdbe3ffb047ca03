import datetime as dt

from django.db.models import Q, QuerySet

from .models import Rule


def rules_in_force(day: dt.date, *, organization=None, codes: list[str] | None = None) -> QuerySet[Rule]:
    """National rules, plus the organisation's local ones, in force on `day` (rules are reference data: no audit)."""
    qs = Rule.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    qs = qs.filter(Q(organization__isnull=True) | Q(organization=organization)) if organization else qs.filter(organization__isnull=True)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return qs.order_by("code")


def rule_in_force(code: str, day: dt.date, *, organization=None) -> Rule | None:
    """The one version of a rule in force on `day`; a local version wins over the national one."""
    candidates = list(rules_in_force(day, organization=organization, codes=[code]))
    local = [r for r in candidates if r.organization_id]
    return (local or candidates or [None])[0]
