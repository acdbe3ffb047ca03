"""Information categories: what a sharing consent names, and what every piece of plan content is tagged with.

A fixed list (DOMAIN.md "Consent"): the consent says WHICH information may be shared, and every plan item
carries one category (helhet.plans.models, field `category`), so the policy can compare the two
(helhet.access.policy.may_see_category). Adding a category is a code change on purpose: a new kind of
information must be consented to before anyone sees it (renewal).

What 'general' covers (docs/security.md): the person's own goals, resources and contributions in their own
words, evaluations, and cooperation with other services — unless the coordinator tags an item otherwise.
The plan's frame (person, status, main responsibility, period, participants, coordinators) carries no
category: everyone with plan.view sees it, because the plan group must know who takes part (items b, c).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    HEALTH_FUNCTION = "health_function", _("Helse og funksjon")
    MEDICATION = "medication", _("Legemidler")
    SOCIAL_FAMILY = "social_family", _("Sosialt og familie")
    SCHOOL = "school", _("Skole og barnehage")
    ECONOMY_WORK = "economy_work", _("Økonomi og arbeid")
    CHILD_WELFARE = "child_welfare", _("Barnevern")
    GENERAL = "general", _("Generelt om planen")


CATEGORY_VALUES: tuple[str, ...] = tuple(Category.values)

# Default category of each plan section's items (helhet.plans.models uses these as field defaults; old
# published snapshots without a category are read with them, helhet.plans.selectors._filter).
SECTION_DEFAULTS: dict[str, str] = {
    "goals": Category.GENERAL,
    "resources": Category.GENERAL,
    "needs": Category.HEALTH_FUNCTION,
    "contributions": Category.GENERAL,
    "measures": Category.HEALTH_FUNCTION,
    "evaluations": Category.GENERAL,
    "cooperation": Category.GENERAL,
    "subplans": Category.HEALTH_FUNCTION,
}

# Sub-plans default by kind: an IOP is school information; treatment, crisis and training plans are health.
SUBPLAN_KIND_DEFAULTS: dict[str, str] = {
    "iop": Category.SCHOOL,
    "treatment": Category.HEALTH_FUNCTION,
    "crisis": Category.HEALTH_FUNCTION,
    "training": Category.HEALTH_FUNCTION,
}


def label(value: str) -> str:
    try:
        return str(Category(value).label)
    except ValueError:
        return value


def clean_categories(values) -> list[str]:
    """Known categories, in the fixed order, without duplicates; raises ValueError on an unknown one."""
    values = list(values or [])
    unknown = [v for v in values if v not in CATEGORY_VALUES]
    if unknown:
        raise ValueError(", ".join(map(str, unknown)))
    return [v for v in CATEGORY_VALUES if v in values]
