"""Who may consent for a person, for a matter, on a day: a pure function of facts and the rules in force.

No database, no clock: the caller passes the person's age on the consent's date, their recorded capacity
(Person.capacity_to_consent), the matter, the would-be consenter, and the rules in force on that date
(`rule_facts(rules)` turns Rule rows from helhet.rules.selectors.rules_in_force into facts). The ages and the
matters each rule covers are data in helhet/rules/national.py (parameters["consent"]), so a correction of the
law is a data change (ARCHITECTURE "Law is data"). helhet.consent.services.consent_giver_check is the one
caller that decides a consent; tests/consent/test_capacity_rules.py is the table.

Rule parameters (under "consent"):
    self_from_age, matters          the person consents themselves for these matters from this age, unless their
                                    recorded capacity is 'lacking'
    representatives, matters,       these roles (parents, guardian, closest_relative) may consent on the person's
    from_age, below_age, capacity   behalf when the person's age is in [from_age, below_age) and either the person
                                    is too young for the matter or their capacity is one of `capacity`
    child_heard_from_age,           a child of this age is heard / their opinion weighs heavily when others consent
    child_great_weight_from_age
    parents_information             {child_may_object_from_age, narrowed_from_age, ends_at_age}: parents' right to
                                    information about their child (parents_information())
Matters: "plan_work", "coordinator", and "sharing:<category>" per information category; "*" covers every matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

PERSON, PARENTS, GUARDIAN, CLOSEST_RELATIVE = "person", "parents", "guardian", "closest_relative"
ROLES = (PERSON, PARENTS, GUARDIAN, CLOSEST_RELATIVE)  # = helhet.consent.models.Consent.GivenBy values
REPRESENTATIVES = (PARENTS, GUARDIAN, CLOSEST_RELATIVE)
# The relationship (Relative.Relationship) a registered relative must have to consent in a role.
ROLE_RELATIONSHIP = {PARENTS: "parent", GUARDIAN: "guardian"}
MATTERS = ("plan_work", "coordinator", "sharing")
FULL, LACKING, PARTIAL = "full", "lacking", "partial"


@dataclass(frozen=True)
class RuleFact:
    code: str
    consent: Mapping = field(default_factory=dict)  # the rule's parameters["consent"]


@dataclass(frozen=True)
class RelativeFact:
    relationship: str = "other"
    is_closest_relative: bool = False
    may_consent: bool = False
    of_person: bool = True  # registered as a relative of THIS person


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str                              # "ok" or why not (see decide)
    rule_codes: tuple[str, ...] = ()         # the rules the answer rests on
    may_consent: tuple[str, ...] = ()        # the roles that may consent in this matter (for the message)
    child_heard: bool = False                # a representative consents: the child must be heard first ...
    child_great_weight: bool = False         # ... and their opinion weighs heavily


def rule_facts(rules: Iterable) -> tuple[RuleFact, ...]:
    """The consent rules among Rule rows (or dicts with code and parameters): those with parameters["consent"]."""
    out = []
    for r in rules:
        code = r["code"] if isinstance(r, Mapping) else r.code
        params = (r.get("parameters") if isinstance(r, Mapping) else r.parameters) or {}
        if isinstance(params.get("consent"), Mapping):
            out.append(RuleFact(code=code, consent=params["consent"]))
    return tuple(sorted(out, key=lambda f: f.code))


def sub_matters(matter: str, categories: Iterable[str] = ()) -> tuple[str, ...]:
    """The matters the rules are written for: a sharing consent is one matter per information category."""
    if matter == "sharing":
        cats = tuple(dict.fromkeys(categories or ()))
        return tuple(f"sharing:{c}" for c in cats) or ("sharing",)
    return (matter,)


def _covers(rule: RuleFact, matter: str) -> bool:
    matters = rule.consent.get("matters") or ()
    return "*" in matters or matter in matters or (matter.startswith("sharing:") and "sharing" in matters)


def _own(rules, age: int, matter: str) -> list[str]:
    """Rules under which a person of `age` consents themselves in `matter` (capacity aside)."""
    return [r.code for r in rules if "self_from_age" in r.consent and _covers(r, matter) and age >= int(r.consent["self_from_age"])]


def _represent(rules, role: str, age: int, capacity: str, matter: str, too_young: bool) -> list[str]:
    codes = []
    for r in rules:
        c = r.consent
        if role not in (c.get("representatives") or ()) or not _covers(r, matter):
            continue
        if "from_age" in c and age < int(c["from_age"]):
            continue
        if "below_age" in c and age >= int(c["below_age"]):
            continue
        if too_young or capacity in (c.get("capacity") or ()):
            codes.append(r.code)
    return codes


def who_may_consent(*, age: int, capacity: str, matter: str, rules: Iterable[RuleFact], categories: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
    """{role: rule codes} for every role that may consent in the matter (for a sharing consent: in every category)."""
    rules = tuple(rules)
    per_role: dict[str, list[str]] = {}
    for i, m in enumerate(sub_matters(matter, categories)):
        own = _own(rules, age, m)
        found = {PERSON: own} if own and capacity != LACKING else {}
        for role in REPRESENTATIVES:
            codes = _represent(rules, role, age, capacity, m, too_young=not own)
            if codes:
                found[role] = codes
        if i == 0:
            per_role = {role: list(codes) for role, codes in found.items()}
        else:
            per_role = {role: per_role[role] + found[role] for role in per_role if role in found}
    return {role: tuple(sorted(set(per_role[role]))) for role in ROLES if role in per_role}


def _child_voice(rules, age: int) -> tuple[bool, bool, list[str]]:
    heard = weight = False
    codes = []
    for r in rules:
        c = r.consent
        if "child_heard_from_age" in c or "child_great_weight_from_age" in c:
            h = "child_heard_from_age" in c and age >= int(c["child_heard_from_age"])
            w = "child_great_weight_from_age" in c and age >= int(c["child_great_weight_from_age"])
            if h or w:
                heard, weight = heard or h or w, weight or w
                codes.append(r.code)
    return heard, weight, codes


def decide(*, age: int, capacity: str, matter: str, role: str, relative: RelativeFact | None, rules: Iterable[RuleFact],
           categories: Iterable[str] = ()) -> Verdict:
    """May `role` (with `relative`, the registered relative who consented, if any) consent for this person in `matter`?

    Reasons when not allowed: unknown_role, no_rules, relative_not_expected (the person consents: no relative),
    relative_required, relative_of_other, not_closest_relative, relative_may_not_consent, wrong_relationship,
    lacks_capacity, too_young (the person themself), not_allowed (the role may not consent for this person here:
    a young person who consents themself, an adult with capacity, a child's closest relative).
    """
    rules = tuple(rules)
    if role not in ROLES:
        return Verdict(False, "unknown_role")
    if not any("self_from_age" in r.consent or "representatives" in r.consent for r in rules):
        return Verdict(False, "no_rules")
    who = who_may_consent(age=age, capacity=capacity, matter=matter, rules=rules, categories=categories)
    may = tuple(who)

    def no(reason: str) -> Verdict:
        return Verdict(False, reason, may_consent=may)

    if role == PERSON:
        if relative is not None:
            return no("relative_not_expected")
        if PERSON in who:
            return Verdict(True, "ok", who[PERSON], may)
        return no("lacks_capacity" if capacity == LACKING else "too_young")
    if relative is None:
        return no("relative_required")
    if not relative.of_person:
        return no("relative_of_other")
    if role == CLOSEST_RELATIVE:
        if not relative.is_closest_relative:
            return no("not_closest_relative")
    else:
        if not relative.may_consent:
            return no("relative_may_not_consent")
        if relative.relationship != ROLE_RELATIONSHIP[role]:
            return no("wrong_relationship")
    if role not in who:
        return no("not_allowed")
    # A child (not yet of age for every matter) for whom a representative consents is heard first.
    child = PERSON not in who and not _own(rules, age, "*")
    heard, weight, voice = _child_voice(rules, age) if child else (False, False, [])
    return Verdict(True, "ok", tuple(sorted(set(who[role]) | set(voice))), may, heard, weight)


def parents_information(*, age: int, rules: Iterable[RuleFact]) -> tuple[str, tuple[str, ...]]:
    """What the parents of a person of `age` are told, and by which rule: 'full' (both child and parents are informed),
    'unless_child_objects' (not when the child, for reasons that should be respected, does not want it),
    'parental_responsibility_only' (only what they need to fulfil the parental responsibility), or 'none' (adult)."""
    for r in rules:
        p = r.consent.get("parents_information")
        if not isinstance(p, Mapping):
            continue
        if age >= int(p.get("ends_at_age", 18)):
            return "none", (r.code,)
        if age >= int(p.get("narrowed_from_age", 16)):
            return "parental_responsibility_only", (r.code,)
        if age >= int(p.get("child_may_object_from_age", 12)):
            return "unless_child_objects", (r.code,)
        return "full", (r.code,)
    return "none", ()


# ---------------------------------------------------------------- the message a refusal shows (Norwegian, via gettext)


def role_labels(roles: Iterable[str]) -> list[str]:
    labels = {
        PERSON: _("personen selv"),
        PARENTS: _("foreldre eller andre med foreldreansvaret (registrert som forelder med rett til å samtykke)"),
        GUARDIAN: _("verge (registrert som verge med rett til å samtykke)"),
        CLOSEST_RELATIVE: _("den registrerte nærmeste pårørende"),
    }
    return [str(labels[r]) for r in roles if r in labels]


def who_may_text(verdict: Verdict) -> str:
    roles = role_labels(verdict.may_consent)
    if not roles:
        return _("Ingen kan samtykke etter reglene som gjelder for datoen. Kontroller personens samtykkekompetanse.")
    who = roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + " " + _("eller") + " " + roles[-1]
    return _("Samtykket kan gis av: %(who)s.") % {"who": who}


def refusal(verdict: Verdict, *, age: int) -> tuple[str, str]:
    """(field, Norwegian message) for a refused verdict: what was wrong, then who may consent."""
    reasons = {
        "unknown_role": ("given_by", _("Ukjent egenskap for den som samtykket.")),
        "no_rules": ("given_on", _("Ingen regler om samtykkekompetanse gjelder for denne datoen.")),
        "relative_not_expected": ("given_by_relative", _("Velg ingen pårørende når personen selv samtykker.")),
        "relative_required": ("given_by_relative", _("Velg hvilken registrert pårørende som samtykket.")),
        "relative_of_other": ("given_by_relative", _("Velg en pårørende som hører til personen.")),
        "not_closest_relative": ("given_by_relative", _("Denne pårørende er ikke registrert som personens nærmeste pårørende.")),
        "relative_may_not_consent": ("given_by_relative", _("Denne pårørende er ikke registrert med rett til å samtykke på vegne av personen.")),
        "wrong_relationship": ("given_by_relative", _("Den pårørende er ikke registrert i denne egenskapen (forelder eller verge).")),
        "lacks_capacity": ("given_by", _("Personen er vurdert til å mangle samtykkekompetanse og kan ikke samtykke selv.")),
        "too_young": ("given_by", _("Personen er %(age)s år og kan ikke samtykke selv i dette spørsmålet.") % {"age": age}),
        "not_allowed": ("given_by", _("Den valgte kan ikke samtykke på vegne av personen i dette spørsmålet (personen er %(age)s år).") % {"age": age}),
    }
    field_name, message = reasons.get(verdict.reason, ("given_by", _("Samtykket kan ikke registreres.")))
    return field_name, f"{message} {who_may_text(verdict)}"
