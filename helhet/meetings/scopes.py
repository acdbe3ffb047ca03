"""Consent scopes for minutes and messages: the ADAPTER between this app and the sharing-consent rules.

Every read of minutes or message content in helhet/meetings goes through `may_see_category()` (and the
batch form `visible_categories()`), so there is exactly one place to point at the consent engineer's
function (helhet.access.queries.plan_access, looked up by name at call time; while it is absent the
fallback below applies).

The rules here (DOMAIN.md "Consent"):
- nobody without Action.PLAN_VIEW on the person sees anything (404).
- with helhet.access.queries.plan_access present (the sharing-consent work): ITS answer,
  plan_access(user, plan).may_see(category) - the one policy (helhet.access.policy.may_see_category):
  the person, their representative, the coordinator and the KE of the responsible tenant see every
  category; other staff only the categories a valid sharing consent (or a personal grant) gives them.
- fallback while it is absent: "general" for anyone with PLAN_VIEW; other categories only for the person,
  their representative, the coordinator and KE - default deny for everyone else.
- a relative (not a user of Helhet) sees "general" only; a relative who may consent for the person
  (guardian, parents) sees every category (relative_may_see).
"""

from __future__ import annotations

import datetime as dt
import importlib

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhet.access.policy import Action, Rel, permits

GENERAL = "general"


def _category_choices() -> list[tuple[str, object]]:
    """The consent engineer's categories (helhet.consent.categories.Category) when present, else a fallback.

    Stored values are plain strings (no `choices` on the model fields, so the migration does not depend on
    this list); services validate against CATEGORIES.
    """
    try:
        from helhet.consent.categories import Category
    except ImportError:
        return [(GENERAL, _("Generelt")), ("health_function", _("Helse og funksjon")), ("social_family", _("Sosialt og familie")),
                ("school", _("Skole og barnehage")), ("economy_work", _("Økonomi og arbeid")), ("child_welfare", _("Barnevern"))]
    choices = [(c.value, c.label) for c in Category]
    # "general" first: it is the default and the most common.
    return sorted(choices, key=lambda c: c[0] != GENERAL)


CATEGORY_CHOICES = _category_choices()
CATEGORIES = [key for key, _label in CATEGORY_CHOICES]


def category_label(value: str) -> str:
    return str(dict(CATEGORY_CHOICES).get(value, value))


# Fallback only (no plan_access in helhet.access yet): who always sees every category.
ALWAYS = {Rel.KE, Rel.COORDINATOR, Rel.SELF, Rel.REPRESENTATIVE}


def _plan_access():
    """helhet.access.queries.plan_access(user, plan, *, rels, day) -> object with .may_see(category), if it exists."""
    module = importlib.import_module("helhet.access.queries")
    fn = getattr(module, "plan_access", None)
    return fn if callable(fn) else None


class _Fallback:
    def __init__(self, rels):
        self.rels = {Rel(r) for r in rels if r in Rel._value2member_map_}

    def may_see(self, category: str) -> bool:
        return category == GENERAL or bool(self.rels & ALWAYS)


def access_for(user, plan, *, rels: frozenset[str] | None = None, day: dt.date | None = None):
    """What `user` may see of `plan`'s categorised content: an object with may_see(category). None: not even the plan."""
    from helhet.access.queries import actor_context, relationships

    day = day or timezone.localdate()
    rels = relationships(user, plan.person, day=day) if rels is None else rels
    if not permits(actor_context(user).roles, rels, Action.PLAN_VIEW):
        return None
    fn = _plan_access()
    return fn(user, plan, rels=rels, day=day) if fn else _Fallback(rels)


def may_see_category(user, plan, category: str, *, rels: frozenset[str] | None = None, day: dt.date | None = None) -> bool:
    """May this staff/portal user read content of `category` in this plan's group? `rels` saves a query when known."""
    access = access_for(user, plan, rels=rels, day=day)
    return bool(access) and access.may_see(category)


def visible_categories(user, plan, *, rels: frozenset[str] | None = None, day: dt.date | None = None) -> list[str]:
    """The categories this user may read in this plan's group (for filtering lists in one query)."""
    access = access_for(user, plan, rels=rels, day=day)
    return [c for c in CATEGORIES if access and access.may_see(c)]


def relative_may_see(relative, category: str) -> bool:
    """A relative who is not a Helhet user: general only, unless they may consent on the person's behalf."""
    return category == GENERAL or bool(getattr(relative, "may_consent", False))
