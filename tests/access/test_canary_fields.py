"""Canary test: no read anywhere returns a field of the person that the specification denies to the reader.

A person is built whose every field holds a unique canary tagged with its group (tests/access/canary.py). Every
URL pattern of the URL configuration and every GET operation of the OpenAPI document is fetched as every persona;
the canaries found in each body are compared with the SPECIFICATION table below, which is the law as the lead
implements it (written from the brief, not from helhet/access). The person page, the person API, the plan page and
the plan API document must also SHOW every canary the table allows.

    pytest -s tests/access/test_canary_fields.py      # prints the walk report (endpoints walked, skipped, findings)

The consent part is a hypothesis test with a fixed seed (HELHET_HYPOTHESIS_SEED) and a small default budget
(8 examples, each walking every content endpoint for every reader a consent names). For a long run, each example
walks, for one drawn reader among those the consents name, the person and plan API documents plus a drawn sample of
the other content endpoints (pages included), so that 10^4 examples fit in about an hour:

    HELHET_HYPOTHESIS_EXAMPLES=10000 HELHET_CANARY_ENDPOINTS=3 pytest tests/access/test_canary_fields.py -k sharing
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from helhet.consent.categories import CATEGORY_VALUES

from .canary import (
    GROUPS,
    GUARDIAN_NAME,
    Canary,
    build_scenario,
    client_for,
    endpoints,
    record_health_objection,
    walk,
    withdraw_health_objection,
)

EXAMPLES = int(os.environ.get("HELHET_HYPOTHESIS_EXAMPLES", "8"))
SEED = int(os.environ.get("HELHET_HYPOTHESIS_SEED", "20261201"))
# How many content endpoints besides the person and plan documents one example walks: "all" (the default, CI) or a
# number drawn per example by hypothesis (a long run: every endpoint is still walked many times over the run).
ENDPOINTS = os.environ.get("HELHET_CANARY_ENDPOINTS", "all")

# ================================================================ the specification (brief of the access rewrite)
#
# Relationships of the personas to the person (a 10-year-old, home Fjordvik), as the scenario builds them:
#   ke                    KE officer of the home municipality (Fjordvik)
#   coordinator           municipal coordinator (appointment kind coordinator, unit fjordvik_care)
#   hospital_coordinator  appointed hospital coordinator (appointment kind hospital_coordinator, unit trust_ward)
#   gp, clinician         involved health personnel (Involvement staff=user: fjordvik_gp, trust_ward)
#   unit_leader           unit leader of trust_ward, an involved hospital unit (through the clinician's involvement)
#   nav, teacher          involved non-health staff (Involvement: fjordvik_nav, fjordvik_school)
#   self                  the person themself (a login whose national_id is the person's)
#   representative        a parent (Relative may_consent=True, relationship parent) linked to a login (Relative.user);
#                         also a relative participant of the plan and the contributor of one contribution
#   trust_ke              KE officer of the health trust, whose ward (trust_ward) is involved with the person
#   outsider              KE officer of another municipality: no relationship
#   coordinator2          coordinator in Fjordvik mental health, not involved with the person: no relationship
# nav, teacher, gp and clinician are also staff participants in the plan group (they get the meeting invitation), with
# the person and the parent.

WHOLE = ("ke", "coordinator", "self", "representative")  # see every field of the person and the whole plan
# The person record as the KE sees it. trust_ke (lead's decision 1): the KE of a tenant that handles the person (its
# ward is involved) stands to the person as KE, so it sees the record as the KE does (identity, national id, case,
# contact, relatives, involvements, consents). The PLAN is another matter: only the KE of the plan's responsible
# tenant or of the home municipality sees the whole plan; trust_ke is not health personnel, so it reads the plan
# frame and no item without a sharing consent naming it (it is in PLAN_WHOLE's complement and in LIMITED).
RECORD_WHOLE = (*WHOLE, "trust_ke")
PLAN_WHOLE = WHOLE
# Health personnel with a care relationship (helsepersonelloven § 25, rule "health-personnel.cooperation"): the gp and
# the clinician (involved), the hospital coordinator, and the unit leader of an involved hospital unit (decision 3).
HEALTH_PERSONNEL = ("gp", "clinician", "hospital_coordinator", "unit_leader")
HEALTH_RULE_CATEGORIES = ("health_function", "medication")  # what § 25 lets cooperating health personnel see, unless the person objects
NO_RELATIONSHIP = ("outsider", "coordinator2")  # nothing at all: 404 everywhere
READERS = (*WHOLE, "trust_ke", "hospital_coordinator", "gp", "clinician", "unit_leader", "nav", "teacher", *NO_RELATIONSHIP)
LIMITED = ("nav", "teacher", "gp", "clinician", "hospital_coordinator", "unit_leader", "trust_ke")  # readers a sharing consent can name

OWN = "own-unit staff"  # the staff member of that involvement's own unit


@dataclass(frozen=True)
class Row:
    without_consent: tuple  # who sees the group with no sharing consent at all
    opened_by: str | None  # the category whose sharing consent, naming the reader, also opens it to them
    health_rule: bool = False  # HEALTH_PERSONNEL see it (§ 25) unless the person has recorded an objection


# group                   without any sharing consent                                        consent category   § 25
SPECIFICATION: dict[str, Row] = {
    # By rule only (no consent opens it). Health personnel with a care relationship need it to identify the patient;
    # decision 3: the unit leader of an involved hospital unit is such health personnel, like the gp and the clinician.
    # Not a health category: an objection (§ 25) does not withdraw it. trust_ke: the record as the KE (decision 1).
    "NATIONAL_ID":          Row((*RECORD_WHOLE, "hospital_coordinator", "gp", "clinician", "unit_leader"), None),
    # Staff-only case history; trust_ke as KE (decision 1).
    "CASE":                 Row((*RECORD_WHOLE, "hospital_coordinator"),                          None),
    # trust_ke as KE (decision 1); everyone else only by consent.
    "CONTACT":              Row(RECORD_WHOLE,                                                     "general"),
    # Relatives' phone and e-mail, and the name of a relative who is NOT in the plan group (decision 4: a participant's
    # or contributor's name is the plan frame, no canary); trust_ke as KE (decision 1).
    "RELATIVES":            Row(RECORD_WHOLE,                                                     "social_family"),
    # Involvements of health units are health_function: decision 2, the § 25 rule reaches the whole record, not only
    # plan items, so health personnel see them without consent unless the person objected. trust_ke as KE (decision 1).
    "INVOLVEMENT_HEALTH":   Row((*RECORD_WHOLE, OWN),                                             "health_function",  True),
    # trust_ke as KE (decision 1); no § 25 (not health information).
    "INVOLVEMENT_NAV":      Row((*RECORD_WHOLE, OWN),                                             "economy_work"),
    "INVOLVEMENT_SCHOOL":   Row((*RECORD_WHOLE, OWN),                                             "school"),
    # Plan items (and minutes, messages): the whole plan only for PLAN_WHOLE; trust_ke is category-limited (decision 1).
    # Health and medication items under § 25 for health personnel, everywhere (decision 2), unless objected (decision 5).
    "PLAN_HEALTH_FUNCTION": Row(PLAN_WHOLE,                                                       "health_function",  True),
    "PLAN_MEDICATION":      Row(PLAN_WHOLE,                                                       "medication",       True),
    # Not health categories: consent alone, for everyone outside PLAN_WHOLE (trust_ke included: decision 1).
    "PLAN_SOCIAL_FAMILY":   Row(PLAN_WHOLE,                                                       "social_family"),
    "PLAN_SCHOOL":          Row(PLAN_WHOLE,                                                       "school"),
    "PLAN_ECONOMY_WORK":    Row(PLAN_WHOLE,                                                       "economy_work"),
    "PLAN_CHILD_WELFARE":   Row(PLAN_WHOLE,                                                       "child_welfare"),
    "PLAN_GENERAL":         Row(PLAN_WHOLE,                                                       "general"),
}
# Name and birth year: everyone with a relationship (not canaries: they are the frame every page needs). So are the
# names of the plan's participants and contributors (decision 4), the parent's included.
# Plan items include the meeting minutes (category health_function) and the message thread (social_family).
# The meeting agenda (AGENDA) has no category in the data model and no row in the brief: reported, never failed.
# nav and teacher are in no HEALTH_PERSONNEL row: no health information ever without consent.
assert set(SPECIFICATION) | {"AGENDA"} == set(GROUPS)
assert all(row.opened_by in (None, *CATEGORY_VALUES) for row in SPECIFICATION.values())
assert all(row.opened_by in HEALTH_RULE_CATEGORIES for row in SPECIFICATION.values() if row.health_rule)


def allowed(reader: str, canary: Canary, shares: dict[str, set[str]], objection: bool = False) -> bool | None:
    """The table applied: may `reader` see `canary`, given sharing consents {reader: categories}? None: unspecified."""
    row = SPECIFICATION.get(canary.group)
    if row is None:
        return None
    if reader in NO_RELATIONSHIP:
        return False
    if reader in row.without_consent or (OWN in row.without_consent and canary.owner == reader):
        return True
    if row.health_rule and reader in HEALTH_PERSONNEL and not objection:
        return True
    return row.opened_by is not None and row.opened_by in shares.get(reader, set())


# The documents that must show what they are allowed to (URL name / OpenAPI path -> canary home).
MUST_SHOW = {"person_detail": "person", "/api/v1/persons/{person_id}": "person", "plan_detail": "plan", "/api/v1/plans/{plan_id}": "plan"}
MIN_PERSON_DATA_URLS = 20
FORM_PARTS = ("/seksjon/", "/ny/", "/endre/", "/fjern/")


# ================================================================ checking


@dataclass(frozen=True)
class Finding:
    kind: str  # "leak" (denied canary shown), "missing" (allowed canary not shown), "not-404" (no relationship, got a page), "error" (5xx)
    reader: str
    endpoint: str
    group: str
    detail: str


def check(reader: str, hits, scenario, shares, objection=False) -> list[Finding]:
    out = []
    expected_home = {}
    for hit in hits:
        e = hit.endpoint
        where = f"{e.pattern} [{e.url}]"
        if hit.status >= 500:
            out.append(Finding("error", reader, where, "-", f"{hit.status}: {hit.error[:120]!r}"))
        if reader in NO_RELATIONSHIP and e.person_data and hit.status not in (404, 405):
            out.append(Finding("not-404", reader, where, "-", f"status {hit.status}"))
        for c in hit.found:
            if allowed(reader, c, shares, objection) is False:
                out.append(Finding("leak", reader, where, c.group, c.where))
        home = MUST_SHOW.get(e.name) or MUST_SHOW.get(e.pattern)
        if home:
            expected_home[where] = (home, hit)
    for where, (home, hit) in expected_home.items():
        if reader not in NO_RELATIONSHIP:
            # Everyone with a relationship reads the person's record and the plan frame (decisions 1 and 4): the
            # participants' and contributors' names, the parent's included, are on every plan document they read.
            if hit.status != 200:
                out.append(Finding("missing", reader, where, "-", f"status {hit.status} (a reader with a relationship)"))
            elif home == "plan" and GUARDIAN_NAME not in hit.frame:
                out.append(Finding("missing", reader, where, "FRAME", "the parent's name (a participant and contributor)"))
        for c in scenario.canaries.of(home=home):
            if allowed(reader, c, shares, objection) and c not in hit.found:
                out.append(Finding("missing", reader, where, c.group, f"{c.where} (status {hit.status})"))
    return out


def report(title: str, findings: list[Finding]) -> str:
    """Grouped: kind, group, endpoint -> readers (and one example field)."""
    grouped = defaultdict(lambda: [set(), set()])
    for f in findings:
        key = (f.kind, f.group, f.endpoint)
        grouped[key][0].add(f.reader)
        grouped[key][1].add(f.detail)
    lines = [f"== {title}: {len(findings)} findings in {len(grouped)} groups"]
    for (kind, group, endpoint), (readers, details) in sorted(grouped.items()):
        lines.append(f"  {kind:8} {group:21} {endpoint}  readers={','.join(sorted(readers))}  e.g. {sorted(details)[0]}")
    return "\n".join(lines)


# The endpoints that show a whole-plan reader (the KE) any canary: only there can a consent's reader see one. Computed
# by the first test's walk and reused by the consent and objection tests (the scenario is built the same way each time,
# so the same URLs name the same objects; the key checks that), or walked again when they run alone.
_CONTENT: dict[tuple, list] = {}


def _content_key(scenario, walked) -> tuple:
    return tuple(e.url for e in walked.person_data), tuple(sorted(scenario.canaries.items))


def content_endpoints(scenario, walked, ke_hits=None) -> list:
    key = _content_key(scenario, walked)
    if ke_hits is not None:
        _CONTENT[key] = [h.endpoint for h in ke_hits if h.endpoint.person_data and h.found]
    if key not in _CONTENT:
        _CONTENT[key] = [h.endpoint for h in walk(scenario.users["ke"], walked.person_data, scenario.canaries) if h.found]
    # The plan's htmx section partials and item forms render the same filtered document as the plan page, and are
    # walked for every reader without consent in the first test; leaving them out keeps the file inside its budget.
    return [e for e in _CONTENT[key] if not any(part in e.pattern for part in FORM_PARTS)]


@pytest.fixture
def scenario(world, settings):
    # Sessions in signed cookies: the walk makes some 2,500 requests, and SESSION_SAVE_EVERY_REQUEST would write the
    # session row on each. Where the session lives has no part in what a reader may see.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    return build_scenario(world)


@pytest.fixture
def walked(scenario):
    return endpoints(scenario, client_for(scenario.users["ke"]))


# ================================================================ the tests


@pytest.mark.django_db
def test_no_endpoint_shows_a_field_the_specification_denies_without_consent(scenario, walked, capsys):
    eps = walked
    lines = [f"URL patterns (without admin/api/i18n/logout/oidc): {eps.patterns_total}; OpenAPI GET operations: {eps.operations_total}",
             f"URLs walked: {len(eps.items)} ({sum(e.source == 'urlconf' for e in eps.items)} pages, "
             f"{sum(e.source == 'openapi' for e in eps.items)} API), about the person: {len(eps.person_data)}",
             f"readers: {', '.join(READERS)}"]
    lines += [f"  skipped {p}: {why}" for p, why in eps.skipped]
    lines += [f"  scenario note: {n}" for n in scenario.notes]
    findings: list[Finding] = []
    agenda_seen = defaultdict(set)
    slow, by_reader = defaultdict(float), defaultdict(float)
    for reader in READERS:
        hits = walk(scenario.users[reader], eps.items, scenario.canaries)
        for h in hits:
            slow[h.endpoint.pattern] += h.seconds
            by_reader[reader] += h.seconds
        findings += check(reader, hits, scenario, shares={})
        if reader == "ke":
            content_endpoints(scenario, eps, ke_hits=hits)
        for h in hits:
            if any(c.group == "AGENDA" for c in h.found):
                agenda_seen[reader].add(h.endpoint.pattern)
    lines.append(f"walk: {sum(slow.values()):.1f} s; slowest patterns (s, all readers): "
                 + ", ".join(f"{p} {t:.1f}" for p, t in sorted(slow.items(), key=lambda x: -x[1])[:12])
                 + "; by reader: " + ", ".join(f"{r} {t:.1f}" for r, t in by_reader.items()))
    lines.append("AGENDA (no rule; reported only): " + "; ".join(f"{r}: {len(p)} endpoints" for r, p in sorted(agenda_seen.items())))
    text = "\n".join(lines) + "\n" + report("without consent", findings)
    with capsys.disabled():
        print("\n" + text)
    assert len(eps.person_data) >= MIN_PERSON_DATA_URLS, f"only {len(eps.person_data)} person-data URLs walked"
    assert not findings, text


# ---------------------------------------------------------------- with sharing consents (hypothesis)

consents = st.lists(
    st.tuples(st.sets(st.sampled_from(CATEGORY_VALUES), min_size=1, max_size=4), st.sets(st.sampled_from(LIMITED), min_size=1, max_size=2)),
    min_size=1, max_size=2)


@pytest.mark.django_db
def test_a_sharing_consent_opens_exactly_its_categories_to_the_readers_it_names(scenario, walked, capsys):
    from helhet.consent.services import sharing_consent_record
    from helhet.people.models import Relative

    person, users = scenario.person, scenario.users
    guardian = Relative.objects.get(person=person, may_consent=True)
    content = content_endpoints(scenario, walked)
    all_findings: list[Finding] = []
    today = timezone.localdate()

    documents = [e for e in content if e.name in MUST_SHOW or e.pattern in MUST_SHOW]
    assert len(documents) == len(MUST_SHOW), [e.pattern for e in documents]
    api_documents = [e for e in documents if e.source == "openapi"]
    if ENDPOINTS == "all":
        endpoint_sets = st.just(content)
    else:
        # The two API documents always (they must show what the table allows), the pages and the rest drawn.
        rest = [e for e in content if e not in api_documents]
        endpoint_sets = st.lists(st.sampled_from(rest), min_size=1, max_size=int(ENDPOINTS), unique_by=lambda e: e.url).map(
            lambda drawn: api_documents + drawn)
    walked_per_example = []

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(consent_list=consents, objection=st.booleans(), endpoints_walked=endpoint_sets, data=st.data())
    def example(consent_list, objection, endpoints_walked, data):
        walked_per_example.append(len(endpoints_walked))
        if EXAMPLES >= 1000 and len(walked_per_example) % 500 == 0:  # progress of a long run
            print(f"[canary] {len(walked_per_example)} examples, {timezone.now():%H:%M:%S}", flush=True)
        with transaction.atomic():
            shares: dict[str, set[str]] = defaultdict(set)
            for cats, to in consent_list:
                sharing_consent_record(actor=users["ke"], person=person, given_by="parents", given_by_relative_id=guardian.pk, given_by_name="Foresatt",
                                       method="oral", given_on=today, categories=sorted(cats), purpose="Samarbeid i plangruppen",
                                       valid_to=today + dt.timedelta(days=90), recipient_user_ids=[users[k].pk for k in sorted(to)])
                for k in to:
                    shares[k] |= set(cats)
            if objection:
                record_health_objection(actor=users["ke"], person=person)
            readers = sorted(set(shares) | ({"gp"} if objection else set()))
            if ENDPOINTS != "all":  # a long run: one of them per example, drawn
                readers = [data.draw(st.sampled_from(readers), label="reader")]
            found = []
            for reader in readers:
                found += check(reader, walk(users[reader], endpoints_walked, scenario.canaries), scenario, shares, objection)
            for f in found:
                all_findings.append(Finding(f.kind, f"{f.reader}<{'+'.join(sorted(shares.get(f.reader, ())))}{'|objection' if objection else ''}>",
                                            f.endpoint, f.group, f.detail))
            transaction.set_rollback(True)

    example()
    text = (f"seed {SEED}: {len(walked_per_example)} examples, content endpoints {len(content)} "
            f"({'all, for every reader named' if ENDPOINTS == 'all' else f'one drawn reader: the {len(api_documents)} API documents + up to {ENDPOINTS} drawn'}), "
            f"{sum(walked_per_example)} endpoint walks per reader in all\n")
    text += report("with sharing consents", all_findings)
    with capsys.disabled():
        print("\n" + text)
    assert not all_findings, text


@pytest.mark.django_db
def test_an_objection_ends_the_health_personnel_rule(scenario, walked):
    """With the person's objection recorded (decision 5), gp/clinician/hospital coordinator/unit leader see no health
    category anywhere without consent: no health or medication plan item, minutes or message, no health unit's
    involvement but their own. What the rule does not give (the national id, their own involvement) stays."""
    users = scenario.users
    content = content_endpoints(scenario, walked)
    # Before the objection the rule applies: the first test's "missing" check holds the person and plan documents to
    # showing these readers their health items, so this test only needs the state after it.
    objection = record_health_objection(actor=users["ke"], person=scenario.person)
    findings = []
    for reader in HEALTH_PERSONNEL:
        findings += check(reader, walk(users[reader], content, scenario.canaries), scenario, {}, objection=True)
    assert not findings, report("objection recorded", findings)
    # Withdrawn (objection_withdraw): the rule applies again at the next request, on the documents that must show it.
    withdraw_health_objection(actor=users["ke"], objection=objection)
    documents = [e for e in content if e.name in MUST_SHOW or e.pattern in MUST_SHOW]
    assert len(documents) == len(MUST_SHOW), [e.pattern for e in documents]
    for reader in ("gp", "clinician"):
        findings += check(reader, walk(users[reader], documents, scenario.canaries), scenario, {}, objection=False)
    assert not findings, report("objection withdrawn", findings)


# ---------------------------------------------------------------- e-mails


@pytest.mark.django_db
def test_no_email_carries_a_field_the_specification_denies_its_recipient(scenario, capsys):
    users = scenario.users
    by_address = {u.email.lower(): key for key, u in users.items() if u.email}
    by_address[scenario.person.email.lower()] = "self"
    from helhet.people.models import Relative

    for r in Relative.objects.filter(person=scenario.person):
        if r.email:
            by_address[r.email.lower()] = "representative" if r.may_consent else "relative"
    findings, lines = [], [f"e-mails sent while building the scenario: {len(scenario.outbox)}"]
    for message in scenario.outbox:
        parts = [message.subject, message.body]
        parts += [a[1] if isinstance(a, tuple) else a.get_payload(decode=True).decode("utf-8", "replace") for a in message.attachments]
        parts += [alt[0] for alt in getattr(message, "alternatives", [])]
        found = scenario.canaries.found("\n".join(str(p) for p in parts))
        for address in message.to:
            reader = by_address.get(address.lower(), f"<{address}>")
            lines.append(f"  {message.subject[:50]!r} -> {reader}: {sorted(c.group for c in found)}")
            for c in found:
                if reader not in users:
                    continue  # a unit's address or a relative who may not consent: no row in the table (reported above)
                if allowed(reader, c, {}) is False:
                    findings.append(Finding("leak", reader, f"e-mail {message.subject[:60]!r}", c.group, c.where))
    text = "\n".join(lines) + "\n" + report("e-mails", findings)
    with capsys.disabled():
        print("\n" + text)
    assert scenario.outbox, "the scenario sent no e-mail (invitations, minutes): nothing checked"
    assert not findings, text
