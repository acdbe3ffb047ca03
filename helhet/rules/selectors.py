import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q, QuerySet

from . import guidelines
from .guidelines import Guideline
from .models import LocalGuideline, Rule


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


def rule_first_in_force(code: str) -> dt.date | None:
    """The first day a national rule was in force (for messages such as "gjelder fra ...")."""
    return Rule.objects.filter(code=code, organization__isnull=True).order_by("valid_from").values_list("valid_from", flat=True).first()


class GuidelineValue(NamedTuple):
    value: int
    source: str


@dataclass
class GuidelineState:
    """One key's value for one organisation on one day, for pages and reminders."""

    guideline: Guideline
    value: int
    source: str
    version: LocalGuideline | None  # None: the registry default applies
    history: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.guideline.key

    @property
    def is_default(self) -> bool:
        return self.version is None


def _org_id(organization) -> int | None:
    return getattr(organization, "pk", organization)


def _version_in_force(versions, day: dt.date) -> LocalGuideline | None:
    """versions sorted by (valid_from, id): the last one that has started on `day`."""
    found = None
    for v in versions:
        if v.valid_from <= day:
            found = v
    return found


def guideline_value(key: str, organization, on: dt.date) -> GuidelineValue:
    """(value, source) of the local guideline `key` in force for `organization` on `on`, or the default.

    `organization` may be an Organization, its id, or None (the default). One
    query; an unknown key is a KeyError (a programming error, not user input).
    """
    g = guidelines.get(key)
    org_id = _org_id(organization)
    if org_id is not None:
        version = (LocalGuideline.objects.filter(organization_id=org_id, key=key, valid_from__lte=on)
                   .order_by("-valid_from", "-id").only("value", "source").first())
        if version is not None:
            return GuidelineValue(version.value, version.source)
    return GuidelineValue(g.default, str(g.source))


def guideline_states(organization, on: dt.date, *, with_history: bool = False) -> list[GuidelineState]:
    """Every registry key's value in force for `organization` on `on` (one query), in registry order."""
    org_id = _org_id(organization)
    by_key: dict[str, list[LocalGuideline]] = {}
    if org_id is not None:
        qs = LocalGuideline.objects.filter(organization_id=org_id).order_by("valid_from", "id")
        if with_history:
            qs = qs.select_related("changed_by")
        else:
            qs = qs.filter(valid_from__lte=on)
        for v in qs:
            by_key.setdefault(v.key, []).append(v)
    out = []
    for g in guidelines.GUIDELINES.values():
        versions = by_key.get(g.key, [])
        current = _version_in_force(versions, on)
        out.append(GuidelineState(
            guideline=g,
            value=current.value if current else g.default,
            source=current.source if current else str(g.source),
            version=current,
            history=list(reversed(versions)) if with_history else [],
        ))
    return out


def rules_for_organizations(org_ids, day: dt.date | None = None) -> QuerySet[Rule]:
    """National rules plus the local rules of `org_ids`; only those in force on `day` when given."""
    qs = Rule.objects.filter(Q(organization__isnull=True) | Q(organization_id__in=list(org_ids)))
    if day is not None:
        qs = qs.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    return qs.select_related("organization").order_by("organization_id", "code", "valid_from")


def rule_visible(pk, org_ids) -> Rule | None:
    """One rule, if it is national or local to one of `org_ids`."""
    try:
        return rules_for_organizations(org_ids).get(pk=pk)
    except (Rule.DoesNotExist, ValueError, TypeError):
        return None
