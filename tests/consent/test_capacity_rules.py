"""helhet.consent.capacity: who may consent, table-tested against the shipped national rules (no database).

The rules are the data in helhet/rules/national.py, taken as in force on a day; the tables below are the law as
DOMAIN.md "Consent" states it. A change of the rules' data that changes an answer here is a change of the law.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from helhet.consent import capacity as cap
from helhet.consent.capacity import (
    CLOSEST_RELATIVE,
    GUARDIAN,
    PARENTS,
    PERSON,
    RelativeFact,
    RuleFact,
)
from helhet.consent.categories import CATEGORY_VALUES
from helhet.rules.national import NATIONAL_RULES

DAY = dt.date(2025, 3, 1)


def rules_on(day: dt.date = DAY):
    return cap.rule_facts([r for r in NATIONAL_RULES if r["valid_from"] <= day and (r["valid_to"] is None or day <= r["valid_to"])])


RULES = rules_on()
PARENT = RelativeFact(relationship="parent", may_consent=True, is_closest_relative=True)
VERGE = RelativeFact(relationship="guardian", may_consent=True)
CLOSEST = RelativeFact(relationship="spouse", is_closest_relative=True)
RELATIVE_FOR = {PERSON: None, PARENTS: PARENT, GUARDIAN: VERGE, CLOSEST_RELATIVE: CLOSEST}
HEALTH_CATS = ("health_function", "medication", "general")
OTHER_CATS = tuple(c for c in CATEGORY_VALUES if c not in HEALTH_CATS)


def who(age, capacity="full", matter="plan_work", categories=()):
    return set(cap.who_may_consent(age=age, capacity=capacity, matter=matter, rules=RULES, categories=categories))


def decide(age, role, capacity="full", matter="plan_work", categories=(), relative="default", rules=RULES):
    relative = RELATIVE_FOR[role] if relative == "default" else relative
    return cap.decide(age=age, capacity=capacity, matter=matter, role=role, relative=relative, rules=rules, categories=categories)


# ---------------------------------------------------------------- the shipped rules are data with sources


def test_the_capacity_rules_are_shipped_as_data_with_sources_and_age_limits():
    codes = {f.code for f in RULES}
    assert {"consent.capacity-18", "consent.capacity-health-16", "consent.capacity-12", "consent.child-heard", "consent.parents",
            "consent.parents-information", "consent.guardian-adult", "consent.closest-relative"} <= codes
    by_code = {r["code"]: r for r in NATIONAL_RULES}
    assert by_code["consent.capacity-18"]["parameters"]["consent"]["self_from_age"] == 18
    assert by_code["consent.capacity-health-16"]["parameters"]["consent"]["self_from_age"] == 16
    assert by_code["consent.capacity-12"]["parameters"]["consent"]["self_from_age"] == 12
    assert by_code["consent.child-heard"]["parameters"]["consent"]["child_heard_from_age"] == 7
    for code in codes:
        assert by_code[code]["source"] and by_code[code]["text"]
    for code in ("consent.capacity-12", "consent.child-heard", "consent.closest-relative", "consent.guardian-adult"):
        assert by_code[code]["needs_check"] is True


def test_rules_without_consent_parameters_are_not_consent_facts():
    assert all(f.code.startswith("consent.") for f in RULES)
    assert cap.rule_facts([{"code": "x", "parameters": {"categories": ["a"]}}]) == ()


# ---------------------------------------------------------------- who may consent: age x capacity x matter


# (age, capacity, matter, categories) -> the roles that may consent
WHO = [
    # a four-year-old: parents or guardian, never the child
    (4, "full", "plan_work", (), {PARENTS, GUARDIAN}),
    (4, "full", "coordinator", (), {PARENTS, GUARDIAN}),
    (4, "full", "sharing", HEALTH_CATS, {PARENTS, GUARDIAN}),
    (4, "lacking", "plan_work", (), {PARENTS, GUARDIAN}),
    # 12 and 15: still the parents in every matter Helhet knows (no matter is listed under the 12-year rule)
    (12, "full", "plan_work", (), {PARENTS, GUARDIAN}),
    (15, "full", "plan_work", (), {PARENTS, GUARDIAN}),
    (15, "full", "sharing", ("school",), {PARENTS, GUARDIAN}),
    # from 16 the young person consents in health matters themselves, and the parents no longer do ...
    (16, "full", "plan_work", (), {PERSON}),
    (16, "full", "coordinator", (), {PERSON}),
    (16, "full", "sharing", ("health_function", "medication"), {PERSON}),
    (17, "full", "sharing", ("general",), {PERSON}),
    # ... but not (yet) in other matters: sharing school or NAV information needs the parents until 18
    (16, "full", "sharing", ("school",), {PARENTS, GUARDIAN}),
    (17, "full", "sharing", ("economy_work", "child_welfare"), {PARENTS, GUARDIAN}),
    # a sharing consent mixing health and other information: nobody alone covers both at 16
    (16, "full", "sharing", ("health_function", "school"), set()),
    # 16-18 and lacking capacity: the parents (pbrl. § 4-5); partial: both
    (16, "lacking", "plan_work", (), {PARENTS, GUARDIAN}),
    (17, "partial", "plan_work", (), {PERSON, PARENTS, GUARDIAN}),
    # adults
    (18, "full", "plan_work", (), {PERSON}),
    (18, "full", "sharing", CATEGORY_VALUES, {PERSON}),
    (45, "full", "coordinator", (), {PERSON}),
    (45, "partial", "plan_work", (), {PERSON, GUARDIAN}),
    (45, "lacking", "plan_work", (), {GUARDIAN, CLOSEST_RELATIVE}),
    (90, "lacking", "sharing", ("health_function", "social_family"), {GUARDIAN, CLOSEST_RELATIVE}),
]


@pytest.mark.parametrize("age,capacity,matter,categories,expected", WHO)
def test_who_may_consent(age, capacity, matter, categories, expected):
    assert who(age, capacity, matter, categories) == expected


@pytest.mark.parametrize("age,capacity,matter,categories,expected", WHO)
def test_decide_agrees_with_who_may_consent_for_every_role(age, capacity, matter, categories, expected):
    for role in cap.ROLES:
        verdict = decide(age, role, capacity, matter, categories)
        assert verdict.allowed is (role in expected), (role, verdict)
        assert set(verdict.may_consent) == expected
        if verdict.allowed:
            assert verdict.reason == "ok" and verdict.rule_codes


def test_exhaustively_the_person_consents_only_from_the_age_limit_and_with_capacity():
    health = ("plan_work", "coordinator")
    for age, capacity, matter in itertools.product(range(0, 100), ("full", "partial", "lacking"), health + ("sharing",)):
        categories = ("school",) if matter == "sharing" else ()
        limit = 18 if matter == "sharing" else 16
        roles = who(age, capacity, matter, categories)
        assert (PERSON in roles) is (age >= limit and capacity != "lacking"), (age, capacity, matter)
        # someone may always consent: the person, or a representative
        assert roles, (age, capacity, matter)
        # parents only for a minor; the closest relative only for an adult who lacks capacity
        assert (PARENTS in roles) <= (age < 18)
        assert (CLOSEST_RELATIVE in roles) is (age >= 18 and capacity == "lacking")
        # a representative never stands in for a young person or adult who has capacity for the matter
        if PERSON in roles and capacity == "full":
            assert roles == {PERSON}


def test_the_rules_named_are_those_the_answer_rests_on():
    assert decide(40, PERSON).rule_codes == ("consent.capacity-18", "consent.capacity-health-16")
    assert decide(40, PERSON, matter="sharing", categories=("school",)).rule_codes == ("consent.capacity-18",)
    assert decide(16, PERSON).rule_codes == ("consent.capacity-health-16",)
    assert set(decide(17, PERSON).rule_codes) == {"consent.capacity-health-16"}
    assert "consent.parents" in decide(4, PARENTS).rule_codes
    assert decide(50, CLOSEST_RELATIVE, "lacking").rule_codes == ("consent.closest-relative",)
    assert decide(50, GUARDIAN, "lacking").rule_codes == ("consent.guardian-adult",)


# ---------------------------------------------------------------- refusals and their reasons


REFUSALS = [
    # (age, role, capacity, relative, reason)
    (4, PERSON, "full", None, "too_young"),
    (15, PERSON, "full", None, "too_young"),
    (30, PERSON, "lacking", None, "lacks_capacity"),
    (30, PERSON, "full", CLOSEST, "relative_not_expected"),
    (4, PARENTS, "full", None, "relative_required"),
    (4, GUARDIAN, "full", None, "relative_required"),
    (40, CLOSEST_RELATIVE, "lacking", None, "relative_required"),
    (4, PARENTS, "full", RelativeFact(relationship="parent", may_consent=True, of_person=False), "relative_of_other"),
    (4, PARENTS, "full", RelativeFact(relationship="parent", may_consent=False), "relative_may_not_consent"),
    (4, PARENTS, "full", RelativeFact(relationship="sibling", is_closest_relative=True), "relative_may_not_consent"),
    (4, PARENTS, "full", VERGE, "wrong_relationship"),
    (40, GUARDIAN, "lacking", RelativeFact(relationship="parent", may_consent=True), "wrong_relationship"),
    (40, CLOSEST_RELATIVE, "lacking", RelativeFact(relationship="sibling"), "not_closest_relative"),
    (40, CLOSEST_RELATIVE, "full", CLOSEST, "not_allowed"),       # the person has capacity
    (40, CLOSEST_RELATIVE, "partial", CLOSEST, "not_allowed"),    # only when the person lacks capacity
    (10, CLOSEST_RELATIVE, "lacking", CLOSEST, "not_allowed"),    # a child: the parents
    (16, PARENTS, "full", PARENT, "not_allowed"),                 # from 16 the young person consents
    (40, GUARDIAN, "full", VERGE, "not_allowed"),                 # an adult with capacity consents themself
    (40, PARENTS, "lacking", PARENT, "not_allowed"),              # parents do not consent for an adult (a verge does)
    (40, "neighbour", "full", None, "unknown_role"),
]


@pytest.mark.parametrize("age,role,capacity,relative,reason", REFUSALS)
def test_refusals_say_why(age, role, capacity, relative, reason):
    verdict = decide(age, role, capacity, relative=relative)
    assert not verdict.allowed
    assert verdict.reason == reason
    field, message = cap.refusal(verdict, age=age)
    assert field in ("given_by", "given_by_relative")
    assert "Samtykket kan gis av" in message or reason == "unknown_role"


def test_a_refusal_message_names_who_may_consent():
    _field, message = cap.refusal(decide(4, PERSON), age=4)
    assert "4 år" in message and "foreldre" in message and "verge" in message
    field, message = cap.refusal(decide(40, CLOSEST_RELATIVE, "full"), age=40)
    assert field == "given_by" and "personen selv" in message
    field, message = cap.refusal(decide(40, CLOSEST_RELATIVE, "lacking", relative=RelativeFact(relationship="sibling")), age=40)
    assert field == "given_by_relative" and "nærmeste pårørende" in message


def test_no_rules_in_force_means_nobody_may_consent():
    verdict = decide(40, PERSON, rules=rules_on(dt.date(1990, 1, 1)))
    assert not verdict.allowed and verdict.reason == "no_rules"


# ---------------------------------------------------------------- the child's voice and the parents' information


@pytest.mark.parametrize("age,heard,weight", [(4, False, False), (6, False, False), (7, True, False), (11, True, False), (12, True, True), (15, True, True)])
def test_a_child_is_heard_from_7_and_weighs_heavily_from_12_when_the_parents_consent(age, heard, weight):
    verdict = decide(age, PARENTS)
    assert verdict.allowed
    assert (verdict.child_heard, verdict.child_great_weight) == (heard, weight)
    assert ("consent.child-heard" in verdict.rule_codes) is heard


def test_an_adult_represented_by_a_guardian_is_not_treated_as_a_child():
    verdict = decide(40, GUARDIAN, "lacking")
    assert verdict.allowed and not verdict.child_heard and "consent.child-heard" not in verdict.rule_codes


@pytest.mark.parametrize("age,level", [(3, "full"), (11, "full"), (12, "unless_child_objects"), (15, "unless_child_objects"),
                                       (16, "parental_responsibility_only"), (17, "parental_responsibility_only"), (18, "none"), (50, "none")])
def test_parents_right_to_information_narrows_from_12_and_16(age, level):
    assert cap.parents_information(age=age, rules=RULES) == (level, ("consent.parents-information",))


# ---------------------------------------------------------------- the rules are data: a correction changes the answer


def test_a_corrected_age_limit_is_a_data_change():
    corrected = [RuleFact(f.code, {**f.consent, "matters": ["sharing:school"]}) if f.code == "consent.capacity-12" else f for f in RULES]
    assert PERSON in cap.who_may_consent(age=13, capacity="full", matter="sharing", rules=corrected, categories=("school",))
    assert PERSON not in cap.who_may_consent(age=13, capacity="full", matter="sharing", rules=RULES, categories=("school",))


def test_sub_matters():
    assert cap.sub_matters("plan_work") == ("plan_work",)
    assert cap.sub_matters("sharing", ["school", "school", "general"]) == ("sharing:school", "sharing:general")
    assert cap.sub_matters("sharing") == ("sharing",)
