"""Plan content by information category: relationship x consent scope x time, as a table (pure, no database).

may_see_category(relationships, category, scopes): whole-plan relationships see everything; category-limited
ones see a category only when a scope covers it; no relationship sees nothing. consent_covers decides which
consents are scopes for whom, and when (renewal): that part is tested over time below.
"""

import datetime as dt
import itertools

import pytest

from helhet.access.policy import (
    CATEGORY_LIMITED,
    FULL_PLAN,
    Participation,
    Rel,
    Scope,
    SharingConsentFacts,
    category_reason,
    consent_covers,
    may_see_category,
)
from helhet.consent.categories import CATEGORY_VALUES

HEALTH = Scope("consent:1", frozenset({"health_function", "general"}))
SCHOOL = Scope("consent:2", frozenset({"school"}))
GRANT = Scope("grant:7", frozenset({"medication"}))

# relationship, scopes, category, expected
TABLE = [
    # the person, their representative, the coordinator and the responsible KE see everything, with or without consent
    *[(rel, (), cat, True) for rel in ("self", "representative", "coordinator", "plan_ke") for cat in CATEGORY_VALUES],
    # a plan participant without consent sees nothing (default deny), 'general' included
    *[("plan_participant", (), cat, False) for cat in CATEGORY_VALUES],
    # ... with a consent: exactly its categories
    ("plan_participant", (HEALTH,), "health_function", True),
    ("plan_participant", (HEALTH,), "general", True),
    ("plan_participant", (HEALTH,), "medication", False),
    ("plan_participant", (HEALTH,), "child_welfare", False),
    ("plan_participant", (HEALTH, SCHOOL), "school", True),
    # involved staff, unit leaders and KE officers of OTHER tenants rest on consent like participants
    ("involved_staff", (), "health_function", False),
    ("involved_staff", (HEALTH,), "health_function", True),
    ("unit_leader", (SCHOOL,), "school", True),
    ("unit_leader", (SCHOOL,), "economy_work", False),
    ("ke", (), "general", False),
    ("ke", (HEALTH,), "general", True),
    # a grant holder sees the grant's categories, nothing else
    ("grant", (GRANT,), "medication", True),
    ("grant", (GRANT,), "health_function", False),
    ("grant", (), "medication", False),
    # no relationship: scopes alone give nothing (a consent naming you is not a relationship)
    (None, (HEALTH, GRANT), "health_function", False),
    (None, (), "general", False),
]


@pytest.mark.parametrize(("rel", "scopes", "category", "expected"), TABLE)
def test_category_table(rel, scopes, category, expected):
    rels = {rel} if rel else set()
    assert may_see_category(rels, category, scopes) is expected


def test_every_person_relationship_is_either_whole_plan_or_category_limited():
    # health_carer is derived from a care relationship (which is category-limited); object relationships never read a plan.
    person_rels = {r for r in Rel if r.value in ("ke", "coordinator", "hospital_coordinator", "involved_staff", "unit_leader",
                                                  "plan_participant", "self", "representative", "grant", "plan_ke")}
    assert FULL_PLAN | CATEGORY_LIMITED == person_rels
    assert not FULL_PLAN & CATEGORY_LIMITED


# Relationships to a person (the Rel members before CASE_KE); the rest are relationships to other objects.
PERSON_RELS = list(Rel)[: list(Rel).index(Rel.CASE_KE)]
OBJECT_RELS = list(Rel)[list(Rel).index(Rel.CASE_KE):]


@pytest.mark.parametrize("category", CATEGORY_VALUES)
def test_adding_relationships_never_takes_a_category_away(category):
    """Every set of person relationships (exhaustively), and each of them with one more relationship of any kind."""
    for n in range(len(PERSON_RELS) + 1):
        for combo in itertools.combinations(PERSON_RELS, n):
            for scopes in ((), (HEALTH,), (HEALTH, SCHOOL, GRANT)):
                seen = may_see_category(set(combo), category, scopes)
                for extra in (*PERSON_RELS, *OBJECT_RELS):
                    if seen:
                        assert may_see_category({*combo, extra}, category, scopes), (combo, extra, scopes)


def test_the_reason_names_the_relationship_or_the_scope():
    assert category_reason({"coordinator", "plan_participant"}, "school", (SCHOOL,)) == "coordinator"
    assert category_reason({"plan_participant"}, "school", (HEALTH, SCHOOL)) == "consent:2"
    assert category_reason({"grant"}, "medication", (GRANT,)) == "grant:7"
    assert category_reason({"plan_participant"}, "medication", (HEALTH,)) == ""


T0 = dt.datetime(2025, 1, 10, 12, 0, tzinfo=dt.UTC)


def _consent(users=(), units=(), at=T0):
    return SharingConsentFacts(id=1, categories=frozenset({"general"}), user_ids=frozenset(users), unit_ids=frozenset(units), recorded_at=at)


@pytest.mark.parametrize(("consent", "participations", "expected"), [
    (_consent(users={5}), [], True),  # named: always, participant or not
    (_consent(users={6}), [Participation(3, T0 - dt.timedelta(days=1))], False),  # someone else named
    (_consent(units={3}), [Participation(3, T0 - dt.timedelta(days=1))], True),  # unit named, took part before consent
    (_consent(units={3}), [Participation(3, T0)], True),  # same moment counts
    (_consent(units={3}), [Participation(3, T0 + dt.timedelta(seconds=1))], False),  # joined after: renewal needed
    (_consent(units={3}), [Participation(4, T0 - dt.timedelta(days=1))], False),  # another unit
    (_consent(units={3}), [], False),  # unit named but not in the plan group
])
def test_consent_covers_by_name_or_by_unit_at_consent_time(consent, participations, expected):
    assert consent_covers(consent, 5, participations) is expected
