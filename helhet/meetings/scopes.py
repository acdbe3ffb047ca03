"""Consent scopes for minutes and messages: a thin adapter over the one policy in helhet/access.

Every read of minutes or message content in helhet/meetings asks `may_see_category()` (or `visible_categories()`
for lists), which is helhet.access.queries.plan_access — the same decision as for the plan document: the person,
their representative, the municipal coordinator and the responsible KE see every category; other staff the
categories a valid sharing consent, a personal grant or the rule on cooperating health personnel gives them.
Nobody who may not read the plan (also when its plan-work consent is withdrawn) sees anything.
A relative who is not a Helhet user: helhet.access.policy.relative_may_see.
"""

from __future__ import annotations

import datetime as dt

from helhet.access import policy
from helhet.access.queries import plan_access
from helhet.consent.categories import Category

GENERAL = Category.GENERAL.value
# "general" first: it is the default and the most common. Stored values are plain strings; services validate.
CATEGORY_CHOICES = sorted(((c.value, c.label) for c in Category), key=lambda c: c[0] != GENERAL)
CATEGORIES = [key for key, _label in CATEGORY_CHOICES]


def category_label(value: str) -> str:
    return str(dict(CATEGORY_CHOICES).get(value, value))


def access_for(user, plan, *, rels: frozenset[str] | None = None, day: dt.date | None = None):
    """What `user` may see of `plan`'s categorised content (helhet.access.queries.PlanAccess), or None."""
    return plan_access(user, plan, rels=rels, day=day, refuse=False)


def may_see_category(user, plan, category: str, *, rels: frozenset[str] | None = None, day: dt.date | None = None) -> bool:
    """May this staff/portal user read content of `category` in this plan's group? `rels` saves a query when known."""
    access = access_for(user, plan, rels=rels, day=day)
    return bool(access) and access.may_see(category)


def visible_categories(user, plan, *, rels: frozenset[str] | None = None, day: dt.date | None = None) -> list[str]:
    """The categories this user may read in this plan's group (for filtering lists in one query)."""
    access = access_for(user, plan, rels=rels, day=day)
    return [c for c in CATEGORIES if access and access.may_see(c)]


def relative_may_see(relative, category: str) -> bool:
    return policy.relative_may_see(bool(getattr(relative, "may_consent", False)), category)
