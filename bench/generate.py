"""Synthetic bulk data for benchmarks: persons, cases, consents, coordinators and plans of realistic size.

Built on the shared synthetic world (helhet.core.world.build_world). Rows are written in batches,
never through the services: with COPY on PostgreSQL (ids reserved from the tables' sequences, _copy),
with bulk_create on SQLite or with copy=False. This is bulk test data, not a user's action, so it
leaves no audit events unless asked for: audit_events_per_plan=N adds a year of synthetic but valid,
chained events (_AuditWriter). Published plan versions get their snapshot from the plans selector
(helhet.plans.documents.build_document) when it exists, else from an inline JSON of the same shape
built from the batch's objects. generate(jobs=N) builds the persons in N forked worker processes on PostgreSQL
(_generate_parallel): disjoint shares, ids from the sequences, national ids by residue class, audit events
chained and written by the parent alone (one writer per chain).

Everything is synthetic: names from short lists, national ids synthetic test numbers (month + 80,
helhet.core.world.synthetic_national_id) that can never be a real person's.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import random
import sys
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from helhet.audit import keys
from helhet.audit.models import TRANSLATED_PARAMS, AuditEvent, render
from helhet.audit.services import DIGEST_FIELDS, GENESIS, chain_for, event_digest
from helhet.cases.models import (
    Appeal,
    AppealEvent,
    Assessment,
    CoordinatorAppointment,
    Decision,
    InformationRecord,
    Request,
)
from helhet.consent.models import Consent
from helhet.core.world import World, build_world, synthetic_national_id
from helhet.organizations.models import Membership, Role, Sector, User
from helhet.people.models import Involvement, Person, Relative
from helhet.plans import models as pm

GIVEN = [
    "Emma",
    "Noah",
    "Nora",
    "Jakob",
    "Sofie",
    "Emil",
    "Ella",
    "Lukas",
    "Maja",
    "Filip",
    "Ingrid",
    "Aksel",
    "Leah",
    "Henrik",
    "Olivia",
    "Mathias",
    "Frida",
    "Isak",
    "Selma",
    "Oskar",
    "Tiril",
    "Magnus",
    "Hedda",
    "Elias",
    "Astrid",
    "Sander",
    "Vilde",
    "Jonas",
    "Mina",
    "Tobias",
    "Live",
    "Even",
    "Sigrid",
    "Håkon",
    "Ida",
    "Torstein",
]
FAMILY = [
    "Fjellheim",
    "Solbakken",
    "Nyland",
    "Bergsvik",
    "Haugland",
    "Lindeberg",
    "Østrem",
    "Våge",
    "Kvamme",
    "Rustad",
    "Tangen",
    "Myklebust",
    "Sæther",
    "Hovland",
    "Eide",
    "Brekke",
    "Aasen",
    "Lunde",
    "Moen",
    "Dale",
    "Strøm",
    "Ruud",
]
GOALS = [
    "Jeg vil bo hjemme så lenge som mulig.",
    "Jeg vil klare å handle selv.",
    "Jeg ønsker å komme i jobb, gjerne deltid.",
    "Jeg vil gå på tur med hunden hver dag.",
    "Jeg vil ha færre innleggelser.",
    "Jeg vil mestre skolehverdagen.",
    "Jeg vil ha en fast person å ringe når det er vanskelig.",
    "Jeg vil sove bedre om natta.",
    "Jeg vil treffe venner minst en gang i uka.",
    "Jeg vil klare å lage middag selv.",
    "Jeg vil ut av rusen.",
    "Jeg vil forstå mer av min egen diagnose.",
    "Jeg vil slippe å fortelle historien min på nytt hver gang.",
]
RESOURCES = [
    "God støtte fra familien.",
    "Motivert for endring.",
    "Liker å være ute.",
    "Har en god venn i nabolaget.",
    "Flink med data.",
    "Har tidligere arbeidserfaring.",
    "Humoristisk og sosial.",
]
NEEDS = [
    ("Praktisk bistand i hjemmet.", "bolig"),
    ("Oppfølging av medisiner.", "helse"),
    ("Arbeidsrettet tiltak.", "arbeid"),
    ("Støtte i skolen.", "opplæring"),
    ("Samtaler om psykisk helse.", "psykisk helse"),
    ("Transport til behandling.", "transport"),
    ("Avlastning for familien.", "familie"),
]
MEASURES = [
    "Hjemmesykepleie morgen og kveld",
    "Praktisk bistand to timer i uka",
    "Arbeidspraksis hos lokal bedrift",
    "Fysioterapi en gang i uka",
    "Samtaler med psykiatrisk sykepleier",
    "Medisinhåndtering med dosett",
    "Støttekontakt hver fjortende dag",
    "Spesialundervisning i matematikk",
    "Avlastningsopphold en helg i måneden",
    "Oppfølging hos fastlege hver tredje måned",
    "Kurs i mestring av angst",
    "Ukentlig møte med koordinator",
]
PARTNERS = [
    ("Fjordvik frivilligsentral", "institution"),
    ("Politiet, forebyggende avdeling", "agency"),
    ("Distriktspsykiatrisk senter", "service"),
    ("Husbanken", "agency"),
    ("Fjordvik idrettslag", "institution"),
]
ROLE_TEXT = [
    "Fast kontaktperson",
    "Deltar på møter",
    "Ansvar for tiltak",
    "Faglig rådgiver",
    "Tjenesteyter",
]

# Plan states and their shares among persons with a plan.
PLAN_STATES = [("draft", 0.15), ("active", 0.50), ("under_evaluation", 0.15), ("closed", 0.20)]
# What happens to persons without a plan.
NO_PLAN_STATES = [
    "registered",
    "informed",
    "assessed",
    "granted_waiting",
    "refused",
    "appealed",
    "forwarded",
]
SUCCESSOR_SHARE = 0.1  # closed plans followed by a new plan (predecessor link)
STAFF_ROLE_BY_SECTOR = {
    Sector.HEALTH_CARE: Role.COORDINATOR,
    Sector.MENTAL_HEALTH: Role.COORDINATOR,
    Sector.NAV: Role.NAV_ADVISER,
    Sector.SPECIALIST: Role.CLINICIAN,
    Sector.GP: Role.GP,
}
BENCH_USER_PREFIX = "bench-"


class GenerateRefused(Exception):
    pass


def expected_plans_per_person(plans_ratio: float) -> float:
    closed = dict(PLAN_STATES)["closed"]
    return plans_ratio * (1 + closed * SUCCESSOR_SHARE)


class Progress:
    """A small progress bar on stderr (no dependency): label, bar, count, rate (and rows/s when given) and ETA."""

    def __init__(
        self, total: int, label: str, *, enabled: bool = True, stream=None, width: int = 30
    ):
        self.total, self.label, self.enabled, self.width = max(total, 1), label, enabled, width
        self.stream = stream or sys.stderr
        self.done, self.started, self._last = 0, time.monotonic(), 0.0
        self.rows = None

    def update(self, n: int = 1, *, rows: int | None = None) -> None:
        """`n` more items done; `rows`: the rows written so far, if the caller counts them."""
        self.done += n
        if rows is not None:
            self.rows = rows
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        frac = min(self.done / self.total, 1.0)
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        bar = "#" * int(frac * self.width) + "." * (self.width - int(frac * self.width))
        rows = (
            f"  {self.rows:,} rows {self.rows / elapsed:8,.0f} rows/s"
            if self.rows is not None and elapsed > 0
            else ""
        )
        self.stream.write(
            f"\r{self.label} [{bar}] {self.done:,}/{self.total:,} {frac:6.1%} {rate:7.1f}/s{rows}  {elapsed:5.0f}s  eta {eta:4.0f}s "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


def _staff_pool(w: World, rng: random.Random, n: int) -> list[tuple[User, object]]:
    """Synthetic staff users with one membership each (unusable passwords: nobody logs in as them)."""
    units = [u for key, u in w.units.items() if not key.endswith("_ke")]
    existing = list(User.objects.filter(username__startswith=BENCH_USER_PREFIX).order_by("id"))
    missing = max(0, n - len(existing))
    if missing:
        start = len(existing)
        new = [
            User(
                username=f"{BENCH_USER_PREFIX}{start + i:05d}",
                first_name=rng.choice(GIVEN),
                last_name=rng.choice(FAMILY),
                title="Tjenesteyter",
                email=f"{BENCH_USER_PREFIX}{start + i:05d}@example.invalid",
                password="!bench",
            )
            for i in range(missing)
        ]
        User.objects.bulk_create(new)
        new = list(User.objects.filter(username__in=[u.username for u in new]).order_by("id"))
        Membership.objects.bulk_create(
            [
                Membership(
                    user=u,
                    unit=(unit := units[(start + i) % len(units)]),
                    role=STAFF_ROLE_BY_SECTOR.get(unit.sector, Role.WELFARE_STAFF),
                )
                for i, u in enumerate(new)
            ]
        )
    pool = []
    by_id = {u.pk: u for u in w.units.values()}
    for m in Membership.objects.filter(user__username__startswith=BENCH_USER_PREFIX).order_by(
        "user_id"
    ):
        pool.append((m.user_id, by_id[m.unit_id]))
    return pool


def _snapshot_function(mode: str):
    if mode == "inline":
        return None
    try:
        from helhet.plans.documents import build_document
    except ImportError:
        if mode == "selector":
            raise
        return None
    return lambda plan_id: build_document(plan_id, snapshot=True)


def _earlier(doc: dict, k: int, n: int) -> dict:
    """An earlier published version: the first k/n of the goals and measures (so versions differ)."""
    if k == n:
        return doc
    earlier = dict(doc)
    for key in ("goals", "measures", "evaluations"):
        if isinstance(doc.get(key), list):
            items = doc[key]
            earlier[key] = items[: max(1, math.ceil(len(items) * k / n))] if items else items
    return earlier


class _Ctx:
    def __init__(
        self,
        w: World,
        rng: random.Random,
        pool,
        used_ids: set[str],
        snapshot,
        today: dt.date,
        *,
        seq: int | None = None,
        share: tuple[int, int] = (0, 1),
    ):
        self.w, self.rng, self.pool, self.used_ids, self.snapshot, self.today = (
            w,
            rng,
            pool,
            used_ids,
            snapshot,
            today,
        )
        self.ke = w.users["ke"]
        self.ke_of = {
            w.orgs["fjordvik"].pk: w.users["ke"],
            w.orgs["havbygd"].pk: w.users["outsider"],
        }
        self.seq = Person.objects.count() if seq is None else seq  # the phone numbers' counter
        # (k, n): this process takes only national ids whose individual number is k modulo n, so that n
        # parallel workers never pick the same one (_national_id); (0, 1) in one process.
        self.share = share
        self.n_versions = 0
        self.rows = 0  # rows written so far (the progress bar's rows/s)
        self.copy = False  # write with COPY (PostgreSQL only; generate(copy=...))
        self.audit = None  # an _AuditWriter when generate(audit_events_per_plan > 0)
        # In a parallel worker (_worker): the batch's audit event drafts, sent to the parent to be chained
        # there after the batch has committed; None: chain and write them in the batch (one process).
        self.drafts: list | None = None


def _national_id(ctx: _Ctx, birth: dt.date, d_number: bool) -> str:
    seed = ctx.rng.randrange(1000)
    k, n = ctx.share
    for _ in range(2000):
        value = synthetic_national_id(birth, seed, d_number=d_number)
        # value[6:9] is the individual number (ddmmyy iii cc): disjoint per worker.
        if value not in ctx.used_ids and int(value[6:9]) % n == k:
            ctx.used_ids.add(value)
            return value
        seed += 1
    raise ValueError("no free national id for this birth date")


def _days(ctx: _Ctx, lo: int, hi: int) -> dt.date:
    return ctx.today - dt.timedelta(days=ctx.rng.randint(lo, hi))


def _pick_state(rng: random.Random, plans_ratio: float) -> str:
    if rng.random() >= plans_ratio:
        return rng.choice(NO_PLAN_STATES)
    x, acc = rng.random(), 0.0
    for state, share in PLAN_STATES:
        acc += share
        if x < acc:
            return state
    return PLAN_STATES[-1][0]


def _batch(ctx: _Ctx, n: int, plans_ratio: float) -> None:  # noqa: C901 - one linear recipe, easier to read in one place
    rng, w, today = ctx.rng, ctx.w, ctx.today
    fjordvik, havbygd = w.orgs["fjordvik"], w.orgs["havbygd"]

    # 1. Persons (birth_date / is_d_number are set by Person.save(), which bulk_create skips: set them here).
    persons, meta = [], []
    for _ in range(n):
        ctx.seq += 1
        child = rng.random() < 0.25
        birth = dt.date(
            today.year - (rng.randint(2, 17) if child else rng.randint(18, 90)),
            rng.randint(1, 12),
            rng.randint(1, 28),
        )
        d_number = rng.random() < 0.02
        home = fjordvik if rng.random() < 0.85 else havbygd
        persons.append(
            Person(
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(FAMILY),
                national_id=_national_id(ctx, birth, d_number),
                birth_date=birth,
                is_d_number=d_number,
                home_municipality=home,
                phone=f"4{ctx.seq:07d}"[-8:],
                needs_interpreter=rng.random() < 0.05,
                capacity_to_consent="lacking" if rng.random() < 0.04 else "full",
                address=f"Storgata {rng.randint(1, 200)}",
            )
        )
        meta.append({"child": child, "home": home, "state": _pick_state(rng, plans_ratio)})
    _save(ctx, Person, persons)

    # 2. Relatives, involvements, information, requests.
    relatives, involvements, infos, requests = [], [], [], []
    for p, m in zip(persons, meta, strict=True):
        m["relatives"] = []
        for j in range(rng.choice([0, 1, 1, 2]) + (1 if m["child"] else 0)):
            parent = m["child"] and j == 0
            r = Relative(
                person=p,
                name=f"{rng.choice(GIVEN)} {p.family_name}",
                phone=f"9{rng.randint(0, 9999999):07d}",
                relationship=Relative.Relationship.PARENT
                if parent
                else rng.choice(["spouse", "sibling", "child", "other"]),
                is_closest_relative=j == 0,
                may_take_part=True,
                may_consent=parent,
            )
            relatives.append(r)
            m["relatives"].append(r)
        m["start"] = start = _days(ctx, 40, 1500)
        m["staff"] = rng.sample(ctx.pool, rng.randint(2, 5))
        for user_id, unit in m["staff"]:
            involvements.append(
                Involvement(
                    person=p,
                    unit=unit,
                    staff_id=user_id,
                    start=start,
                    description="Tjenester etter vedtak",
                )
            )
        if m["state"] != "registered":
            infos.append(
                InformationRecord(
                    person=p,
                    informed_on=start,
                    informed_by=ctx.ke_of[m["home"].pk],
                    unit=None,
                    wants_ip="wants",
                    wants_coordinator="wants",
                )
            )
        if m["state"] != "informed":
            status = {
                "registered": "registered",
                "assessed": "assessed",
                "appealed": "appealed",
                "forwarded": "appealed",
            }.get(m["state"], "decided")
            m["request"] = Request(
                person=p,
                organization=m["home"],
                received_on=start + dt.timedelta(days=2),
                channel=rng.choice(["written", "oral", "electronic"]),
                requester_kind="relative" if m["child"] else "person",
                wants_ip=True,
                wants_coordinator=True,
                wants_child_coordinator=m["child"] and rng.random() < 0.5,
                description="Trenger hjelp til å samordne tjenestene.",
                status=status,
                registered_by=ctx.ke_of[m["home"].pk],
            )
            requests.append(m["request"])
    _save(ctx, Relative, relatives)
    _save(ctx, Involvement, involvements)
    _save(ctx, InformationRecord, infos)
    _save(ctx, Request, requests)

    # 3. Assessments, decisions, appeals.
    assessments, decisions = [], []
    for m in meta:
        req = m.get("request")
        if req is None or m["state"] == "registered":
            continue
        refused = m["state"] in ("refused", "appealed", "forwarded")
        ke = ctx.ke_of[m["home"].pk]
        assessments.append(
            Assessment(
                request=req,
                assessed_on=req.received_on + dt.timedelta(days=3),
                assessed_by=ke,
                long_term=True,
                services_involved=1 if refused else 3,
                complex_needs=not refused,
                meets_ip=not refused,
                meets_coordinator=not refused,
                meets_child_coordinator=req.wants_child_coordinator and not refused,
                child_serious_condition=m["child"],
                child_needs_complex_services=m["child"],
                reasons="Vurdert i samtale med personen og tjenestene.",
            )
        )
        if m["state"] == "assessed":
            continue
        m["decision"] = Decision(
            request=req,
            decided_on=req.received_on + dt.timedelta(days=8),
            decided_by=ke,
            grants_ip=not refused,
            grants_coordinator=not refused,
            grants_child_coordinator=req.wants_child_coordinator and not refused,
            outcome="refused" if refused else "granted",
            reasons="Behovet er kortvarig og gjelder én tjeneste."
            if refused
            else "Vilkårene er oppfylt.",
            appeal_route="Klage sendes kommunen innen fire uker." if refused else "",
        )
        decisions.append(m["decision"])
    _save(ctx, Assessment, assessments)
    _save(ctx, Decision, decisions)
    appeals = []
    for m in meta:
        if m["state"] in ("appealed", "forwarded"):
            d = m["decision"]
            m["appeal"] = Appeal(
                decision=d,
                received_on=d.decided_on + dt.timedelta(days=10),
                grounds="Jeg mener behovet er langvarig.",
                status="forwarded" if m["state"] == "forwarded" else "received",
                registered_by=ctx.ke_of[m["home"].pk],
            )
            appeals.append(m["appeal"])
    _save(ctx, Appeal, appeals)
    events = []
    for m in meta:
        if m["state"] == "forwarded":
            a, by = m["appeal"], ctx.ke_of[m["home"].pk]
            events += [
                AppealEvent(
                    appeal=a, status="under_review", on=a.received_on + dt.timedelta(days=1), by=by
                ),
                AppealEvent(
                    appeal=a,
                    status="forwarded",
                    on=a.received_on + dt.timedelta(days=9),
                    note="Avgjørelsen opprettholdes.",
                    by=by,
                ),
            ]
    _save(ctx, AppealEvent, events)

    # 4. Consents (plan work, coordinator) and coordinator appointments.
    consents, appointments = [], []
    plan_states = {s for s, _share in PLAN_STATES}
    for p, m in zip(persons, meta, strict=True):
        m["has_plan"] = m["state"] in plan_states
        if not m["has_plan"]:
            continue
        guardian = next((r for r in m["relatives"] if r.may_consent), None)
        given_on = m["decision"].decided_on + dt.timedelta(days=2)
        common = {
            "person": p,
            "given_by": "parents" if guardian else "person",
            "given_by_relative": guardian,
            "given_by_name": guardian.name if guardian else p.full_name,
            "method": rng.choice(["signed_in_app", "oral", "paper"]),
            "given_on": given_on,
            "recorded_by": ctx.ke_of[m["home"].pk],
        }
        m["consent"] = Consent(kind="plan_work", **common)
        consents.append(m["consent"])
        if m["state"] == "closed" and rng.random() < 0.5:
            m["consent"].withdrawn_on = today - dt.timedelta(days=rng.randint(1, 30))
        if rng.random() < 0.85:  # the rest wait for a coordinator: they show on the KE overview
            consents.append(Consent(kind="coordinator", **common))
            coord_id, unit = rng.choice(
                [
                    (u, unit)
                    for u, unit in ctx.pool
                    if unit.sector in (Sector.HEALTH_CARE, Sector.MENTAL_HEALTH)
                ]
                or ctx.pool
            )
            kind = "child_coordinator" if m["request"].wants_child_coordinator else "coordinator"
            m["coordinator"] = (coord_id, unit)
            appointments.append(
                CoordinatorAppointment(
                    person=p,
                    kind=kind,
                    coordinator_id=coord_id,
                    unit=unit,
                    appointed_by=ctx.ke_of[m["home"].pk],
                    request=m["request"],
                    start=given_on + dt.timedelta(days=1),
                    person_wish="Ønsker en fra hjemmetjenesten.",
                )
            )
    _save(ctx, Consent, consents)
    _save(ctx, CoordinatorAppointment, appointments)

    # 5. Plans: closed plans, some followed by a successor.
    plans = []
    main_units = {
        Sector.HEALTH_CARE: w.units["fjordvik_care"],
        Sector.NAV: w.units["fjordvik_nav"],
        Sector.CHILD_WELFARE: w.units["fjordvik_cw"],
        Sector.SPECIALIST: w.units["trust_ward"],
    }
    for p, m in zip(persons, meta, strict=True):
        if not m["has_plan"]:
            continue
        m["plans"] = []
        chain = (
            [m["state"]]
            if m["state"] != "closed" or rng.random() >= SUCCESSOR_SHARE
            else ["closed", rng.choice(["draft", "active"])]
        )
        for state in chain:
            sector = rng.choices(
                [Sector.HEALTH_CARE, Sector.NAV, Sector.CHILD_WELFARE, Sector.SPECIALIST],
                [6, 2, 1, 1],
            )[0]
            unit = (
                main_units[sector]
                if m["home"] == fjordvik or sector == Sector.SPECIALIST
                else w.units["havbygd_care"]
            )
            if unit.sector != sector and sector != Sector.SPECIALIST:
                sector = unit.sector
            period_start = m["consent"].given_on + dt.timedelta(days=5)
            basis = "municipality_decision" if rng.random() < 0.1 else "agreement"
            closed = state == "closed"
            plan = pm.IndividualPlan(
                person=p,
                status=state,
                main_sector=sector,
                main_unit=unit,
                main_basis=basis,
                main_reason="Tjenestene ble ikke enige; kommunen avgjorde."
                if basis == "municipality_decision"
                else "",
                period_start=period_start,
                period_end=period_start + dt.timedelta(days=365 * rng.randint(1, 3)),
                evaluation_interval_months=rng.choice([3, 6, 12]),
                consent=m["consent"],
                predecessor=m["plans"][-1] if m["plans"] else None,
                closed_on=min(today, period_start + dt.timedelta(days=rng.randint(30, 400)))
                if closed
                else None,
                close_reason=rng.choice(pm.IndividualPlan.CloseReason.values) if closed else "",
                created_by=ctx.ke_of[m["home"].pk],
            )
            if plan.closed_on and plan.closed_on < plan.period_start:
                plan.closed_on = plan.period_start
            m["plans"].append(plan)
            plans.append((plan, p, m))
    # Predecessors first (a successor points at a saved plan).
    _save(ctx, pm.IndividualPlan, [pl for pl, _p, _m in plans if pl.predecessor is None])
    for pl, _p, _m in plans:
        if pl.predecessor is not None:
            pl.predecessor = pl.predecessor  # re-assign so predecessor_id picks up the saved pk
    _save(ctx, pm.IndividualPlan, [pl for pl, _p, _m in plans if pl.predecessor is not None])

    # 6. Plan content.
    rows: dict[type, list] = {
        k: []
        for k in (
            pm.PlanStatusChange,
            pm.MainResponsibilityChange,
            pm.Goal,
            pm.Resource,
            pm.Need,
            pm.Participant,
            pm.Contribution,
            pm.Measure,
            pm.Evaluation,
            pm.Cooperation,
            pm.SubPlan,
        )
    }
    measures_of: list[tuple[pm.Measure, list]] = []
    for plan, _p, m in plans:
        by = ctx.ke_of[m["home"].pk]
        on = plan.period_start
        rows[pm.MainResponsibilityChange].append(
            pm.MainResponsibilityChange(
                plan=plan,
                sector=plan.main_sector,
                unit=plan.main_unit,
                basis=plan.main_basis,
                reason=plan.main_reason,
                on=on,
                by=by,
            )
        )
        path = {
            "draft": [],
            "active": ["active"],
            "under_evaluation": ["active", "under_evaluation"],
            "closed": ["active", "closed"],
        }[plan.status]
        prev = "draft"
        for step in path:
            rows[pm.PlanStatusChange].append(
                pm.PlanStatusChange(
                    plan=plan,
                    from_status=prev,
                    to_status=step,
                    on=on,
                    by=by,
                    reason="Planen ble avsluttet." if step == "closed" else "",
                )
            )
            prev = step
        goals = [
            pm.Goal(
                plan=plan,
                order=i,
                text=rng.choice(GOALS),
                written_by=rng.choices(["person", "relative", "staff"], [6, 2, 2])[0],
                status=(
                    st := rng.choices(["active", "achieved", "changed", "dropped"], [7, 2, 1, 1])[0]
                ),
                status_on=on + dt.timedelta(days=60) if st != "active" else None,
                status_note="Endret ved evaluering." if st != "active" else "",
            )
            for i in range(rng.randint(3, 12))
        ]
        rows[pm.Goal] += goals
        rows[pm.Resource] += [
            pm.Resource(plan=plan, order=i, text=rng.choice(RESOURCES))
            for i in range(rng.randint(2, 5))
        ]
        rows[pm.Need] += [
            pm.Need(
                plan=plan,
                order=i,
                text=(nd := rng.choice(NEEDS))[0],
                area=nd[1],
                written_by="staff",
            )
            for i in range(rng.randint(2, 6))
        ]
        parts = [pm.Participant(plan=plan, order=0, kind="person", role="Personen selv")]
        for r in m["relatives"][: rng.randint(0, 2)]:
            parts.append(
                pm.Participant(
                    plan=plan, order=len(parts), kind="relative", relative=r, role="Pårørende"
                )
            )
        for user_id, unit in rng.sample(ctx.pool, max(1, rng.randint(3, 10) - len(parts))):
            parts.append(
                pm.Participant(
                    plan=plan,
                    order=len(parts),
                    kind="staff",
                    user_id=user_id,
                    unit=unit,
                    sector=unit.sector,
                    role=rng.choice(ROLE_TEXT),
                    active=rng.random() < 0.9,
                )
            )
        rows[pm.Participant] += parts
        contribs = [
            pm.Contribution(
                plan=plan,
                order=0,
                by="person",
                text="Møter opp til avtaler og sier fra når noe ikke fungerer.",
            )
        ]
        if m["relatives"]:
            contribs.append(
                pm.Contribution(
                    plan=plan,
                    order=1,
                    by="relative",
                    relative=m["relatives"][0],
                    text="Hjelper til med handling i helgene.",
                )
            )
        for i in range(rng.randint(1, 3)):
            contribs.append(
                pm.Contribution(
                    plan=plan,
                    order=len(contribs) + i,
                    by="service",
                    unit=rng.choice(ctx.pool)[1],
                    text="Følger opp tiltakene i planen.",
                )
            )
        rows[pm.Contribution] += contribs
        for i in range(rng.randint(5, 25)):
            user_id, unit = rng.choice(ctx.pool)
            s = rng.choices(["planned", "ongoing", "paused", "done", "cancelled"], [3, 5, 1, 2, 1])[
                0
            ]
            start = on + dt.timedelta(days=rng.randint(0, 120))
            dep = rng.random() < 0.03
            measure = pm.Measure(
                plan=plan,
                order=i,
                title=rng.choice(MEASURES),
                scope=f"{rng.randint(1, 10)} timer per uke",
                how="Etter avtale med personen.",
                responsible_unit=unit,
                responsible_person_id=user_id,
                start=start,
                end=start + dt.timedelta(days=rng.randint(30, 365))
                if s in ("done", "cancelled")
                else None,
                deadline=start + dt.timedelta(days=rng.randint(30, 200)),
                status=s,
                deprioritised=dep,
                deprioritised_reason="Vurdert som forsvarlig å utsette." if dep else "",
            )
            rows[pm.Measure].append(measure)
            measures_of.append((measure, rng.sample(goals, rng.randint(1, min(3, len(goals)))), by))
        for i in range(rng.randint(1, 4)):
            planned = on + dt.timedelta(days=90 * (i + 1))
            held = planned if planned < today and rng.random() < 0.8 else None
            rows[pm.Evaluation].append(
                pm.Evaluation(
                    plan=plan,
                    order=i,
                    planned_on=planned,
                    held_on=held,
                    reviewed="Mål og tiltak gjennomgått med personen." if held else "",
                    changes="Justert omfang på tiltak." if held else "",
                    next_on=held + dt.timedelta(days=90) if held else None,
                )
            )
        for i in range(rng.randint(1, 3)):
            partner, kind = rng.choice(PARTNERS)
            rows[pm.Cooperation].append(
                pm.Cooperation(
                    plan=plan,
                    order=i,
                    partner=partner,
                    kind=kind,
                    purpose="Samarbeid om oppfølging.",
                    contact="Sentralbord",
                )
            )
        for i in range(rng.choice([0, 0, 1, 1, 2])):
            rows[pm.SubPlan].append(
                pm.SubPlan(
                    plan=plan,
                    order=i,
                    kind=(k := rng.choice(pm.SubPlan.Kind.values)),
                    title=dict(pm.SubPlan.Kind.choices)[k],
                    responsible_unit=rng.choice(ctx.pool)[1],
                    text="Se egne notater fra ansvarlig enhet. " * 5,
                )
            )
    for model, objs in rows.items():
        _save(ctx, model, objs)
    through = pm.Measure.goals.through
    _save(
        ctx,
        through,
        [through(measure_id=me.pk, goal_id=g.pk) for me, gs, _by in measures_of for g in gs],
    )
    history = []
    for me, _gs, by in measures_of:
        if me.status != "planned":
            history.append(
                pm.MeasureStatusChange(
                    measure=me,
                    from_status="planned",
                    to_status="ongoing" if me.status != "ongoing" else me.status,
                    on=me.start,
                    by=by,
                )
            )
            if me.status not in ("ongoing",):
                history.append(
                    pm.MeasureStatusChange(
                        measure=me,
                        from_status="ongoing",
                        to_status=me.status,
                        on=me.end or me.start,
                        by=by,
                    )
                )
    _save(ctx, pm.MeasureStatusChange, history)

    # The plan content by plan, for inline snapshots (built from these objects: no queries).
    content: dict[int, dict[str, list]] = {plan.pk: {} for plan, _p, _m in plans}
    for model in (pm.Goal, pm.Resource, pm.Need, pm.Participant, pm.Measure, pm.Evaluation):
        for obj in rows[model]:
            content[obj.plan_id].setdefault(model._meta.model_name, []).append(obj)

    # 7. Published versions (1–5 for every plan past draft; a third of drafts has one), with matching publish changes.
    versions, changes, bumps = [], [], []
    for plan, _p, m in plans:
        n = rng.randint(1, 5) if plan.status != "draft" else (1 if rng.random() < 0.33 else 0)
        if not n:
            continue
        by = ctx.ke_of[m["home"].pk]
        doc = ctx.snapshot(plan.pk) if ctx.snapshot else _inline_document(plan, content[plan.pk])
        working = rng.randint(n, n + 20)
        for k in range(1, n + 1):
            based_on = max(1, working * k // n)
            versions.append(
                pm.PlanVersion(
                    plan=plan,
                    number=k,
                    based_on_version=based_on,
                    snapshot=_earlier(doc, k, n),
                    author=by,
                    reason="Første versjon" if k == 1 else "Etter evaluering",
                )
            )
            changes.append(
                pm.PlanChange(
                    plan=plan,
                    version=based_on,
                    section="plan",
                    op="publish",
                    summary=f"Publiserte versjon {k}",
                    by=by,
                )
            )
        plan.version, plan.published_number = working, n
        bumps.append(plan)
    _save(ctx, pm.PlanVersion, versions)
    _save(ctx, pm.PlanChange, changes)
    _bump_versions(bumps)
    ctx.n_versions += len(versions)

    # 8. Audit events (generate(audit_events_per_plan=...); none by default).
    if ctx.audit is not None:
        drafts = ctx.audit.drafts(ctx, plans, content)
        if ctx.drafts is None:
            _save_events(ctx, ctx.audit.chain(drafts))
        else:  # a parallel worker: the parent chains them once this batch has committed
            ctx.drafts += drafts


def _save(ctx: _Ctx, model, objs: list) -> None:
    """Write new rows: COPY on PostgreSQL (ctx.copy), else bulk_create. Either way every object gets its pk."""
    if not objs:
        return
    ctx.rows += len(objs)
    if ctx.copy:
        _copy(model, objs)
    else:
        model.objects.bulk_create(objs, batch_size=500 if model is pm.PlanVersion else 2000)


class _CopySpec:
    """How one model's rows become COPY rows: its columns, and the fields whose value needs preparing
    (auto_now / auto_now_add timestamps via pre_save, JSON as Jsonb); every other value is the attribute as is."""

    _cache: dict = {}

    def __init__(self, model):
        meta = model._meta
        self.table, self.pk = meta.db_table, meta.pk
        self.fields = list(meta.concrete_fields)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.attnames = [f.attname for f in self.fields]
        self.stamped = [
            f
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.json = [i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"]
        # Text columns may hold a choice enum or a lazy label; foreign keys may point at an object saved after
        # it was assigned (its *_id still None: taken from the cached object, as bulk_create does).
        self.text = [
            i
            for i, f in enumerate(self.fields)
            if f.get_internal_type() in ("CharField", "TextField")
        ]
        self.fks = [(f.attname, f.name) for f in self.fields if f.is_relation]

    @classmethod
    def of(cls, model) -> _CopySpec:
        if model not in cls._cache:
            cls._cache[model] = cls(model)
        return cls._cache[model]


def _copy(model, objs: list) -> None:
    """COPY `objs` into the model's table on PostgreSQL, with ids reserved from the table's own sequence.

    The ids come from nextval() on the pk's sequence (one round trip for the whole list), so the sequence
    stays ahead of every row and a normal INSERT afterwards never collides. Foreign keys to objects saved
    earlier in the batch are picked up from the cached object, as bulk_create does. Choice enums
    are written as their values, lazy texts as str.
    """
    from psycopg.types.json import Jsonb

    spec = _CopySpec.of(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [spec.table, spec.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    with connection.connection.cursor() as cursor:
        with cursor.copy(f'COPY "{spec.table}" ({spec.columns}) FROM STDIN') as out:
            for obj, pk in zip(objs, ids, strict=True):
                d, state = obj.__dict__, obj._state
                for attname, name in spec.fks:
                    if d[attname] is None and (related := state.fields_cache.get(name)) is not None:
                        if related.pk is None:
                            raise ValueError(
                                f"{model.__name__}.{name}: the related object is not saved"
                            )
                        d[attname] = related.pk
                obj.pk = pk
                state.adding, state.db = False, connection.alias
                for f in spec.stamped:
                    f.pre_save(obj, add=True)  # sets the attribute, as bulk_create does
                row = [d[a] for a in spec.attnames]
                for i in spec.text:
                    value = row[i]
                    if isinstance(value, enum.Enum):
                        row[i] = value.value
                    elif isinstance(value, Promise):  # a lazy label (a choice's title)
                        row[i] = str(value)
                for i in spec.json:
                    row[i] = Jsonb(row[i])
                out.write_row(row)


class _Event:
    """An audit event's stored fields (services.DIGEST_FIELDS and the hash) without a model instance: the events
    are most of the rows, and services.event_digest reads only these attributes."""

    __slots__ = (*DIGEST_FIELDS, "hash")

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)


def _save_events(ctx: _Ctx, events: list[_Event]) -> None:
    """COPY the events on PostgreSQL (the id from the table's own default), else bulk_create."""
    if not events:
        return
    ctx.rows += len(events)
    columns = _Event.__slots__
    if not ctx.copy:
        AuditEvent.objects.bulk_create(
            [AuditEvent(**{c: getattr(e, c) for c in columns}) for e in events], batch_size=2000
        )
        return
    from psycopg.types.json import Jsonb

    json = {columns.index(c) for c in ("params", "withheld", "detail")}
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.connection.cursor() as cursor:
        checked = _check_chains_at_once(cursor, events)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as out:
            for e in events:
                out.write_row(
                    [
                        Jsonb(getattr(e, c)) if i in json else getattr(e, c)
                        for i, c in enumerate(columns)
                    ]
                )
        if checked:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {CHAIN_TRIGGER}")


# The partitioned audit table's BEFORE INSERT trigger (helhet.audit.partitions): per row, the chain's advisory
# lock and an EXISTS over (chain, seq) in every month partition; 0.5 ms a row against 0.04 ms without it
# (20,000 events, measured 2026-12-01), i.e. most of the national run's time.
CHAIN_TRIGGER = "audit_auditevent_chain_seq_unique"


def _check_chains_at_once(cursor, events: list[_Event]) -> bool:
    """The trigger's check once per chain and batch instead of once per row, when this connection owns the audit
    table and the table has the trigger (else False: the trigger checks every row as usual).

    In this transaction (the caller's atomic block), in this order: every chain's advisory lock (the one record()
    and the trigger take: no other writer can extend these chains until commit), then ALTER TABLE ... DISABLE
    TRIGGER (a SHARE ROW EXCLUSIVE lock: no other session inserts into the audit table at all until commit, and
    the change is rolled back with the transaction if anything fails), then one range query per chain: no event
    of the chain already has a seq in the batch's range, or IntegrityError as the trigger would raise. The caller
    COPYs and ENABLEs the trigger again before the commit; other sessions never see it disabled."""
    from django.db import IntegrityError

    from helhet.audit.services import _CHAIN_LOCK

    if not connection.in_atomic_block:
        return False
    table = AuditEvent._meta.db_table
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = %s"
        " AND tgenabled <> 'D') AND pg_has_role(current_user,"
        " (SELECT relowner FROM pg_class WHERE oid = to_regclass(%s)), 'USAGE')",
        [table, CHAIN_TRIGGER, table],
    )
    if not cursor.fetchone()[0]:
        return False
    ranges: dict[int, tuple[int, int]] = {}
    for e in events:
        lo, hi = ranges.get(e.chain, (e.seq, e.seq))
        ranges[e.chain] = (min(lo, e.seq), max(hi, e.seq))
    # The locks first, in one order (record() takes its lock before it inserts: no lock cycle).
    for chain in sorted(ranges):
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK, chain % 2_147_483_647])
    quoted = connection.ops.quote_name(table)
    cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER {CHAIN_TRIGGER}")
    for chain, (lo, hi) in sorted(ranges.items()):
        cursor.execute(
            f"SELECT min(seq) FROM {quoted} WHERE chain = %s AND seq BETWEEN %s AND %s",
            [chain, lo, hi],
        )
        (taken,) = cursor.fetchone()
        if taken is not None:
            raise IntegrityError(
                f'duplicate key value violates unique constraint "audit_chain_seq": (chain, seq)=({chain}, {taken})'
            )
    return True


class _AuditWriter:
    """Synthetic but valid audit events: a year of reads and writes of the batch's plans by the staff around them.

    Each plan gets about `per_plan` events (half to one and a half times that), by its involved staff, its
    coordinator and the KE officer of the home municipality, spread over the last year (from the plan's start
    when it is younger): four in five reads of the plan ("Så individuell plan", as plans.selectors.plan_document
    records them), the rest updates of one of its measures ("Endret tiltak: ...", as plans.services.item_update).
    The events are chained exactly as helhet.audit.services.record() chains them: the person's home
    municipality's chain (services.chain_for), seq following the chain's head, prev_hash the previous event's
    hash, hash = services.event_digest() with the current key; `manage.py audit_verify` checks them like any
    other. Within a batch the events of a chain are in time order; across batches each batch starts again
    a year back (seq order is time order only within a batch). The chain heads are read once and then kept here:
    the generator must be the database's only audit writer while it runs (a concurrent record() on the same chain
    makes the next batch fail on the (chain, seq) uniqueness, it never forks a chain).
    """

    READ_SHARE = 0.8

    def __init__(self, per_plan: int, actor_ids, now: dt.datetime):
        self.per_plan, self.now, self.key_id = per_plan, now, keys.current_key_id()
        self.heads: dict[int, tuple[int, str]] = {}
        self.summaries: dict[tuple, str] = {}
        # Every actor's name, role and organisation as record() names them (first active membership).
        self.actors: dict[int, tuple[str, str, int | None]] = {}
        users = {u.pk: u for u in User.objects.filter(pk__in=set(actor_ids))}
        for mem in (
            Membership.objects.filter(user_id__in=users, active=True)
            .select_related("unit")
            .order_by("id")
        ):
            u = users[mem.user_id]
            self.actors.setdefault(
                u.pk, (u.get_full_name() or u.username, mem.role, mem.unit.organization_id)
            )

    def _head(self, chain: int) -> tuple[int, str]:
        if chain not in self.heads:
            last = (
                AuditEvent.objects.filter(chain=chain, seq__isnull=False)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            self.heads[chain] = last or (0, GENESIS)
        return self.heads[chain]

    def _summary(self, code: str, params: dict) -> str:
        key = (code, tuple(sorted(params.items())))
        if key not in self.summaries:
            with translation.override(settings.LANGUAGE_CODE):
                self.summaries[key] = render(code, params, fallback=code)[:300]
        return self.summaries[key]

    def events(self, ctx: _Ctx, plans: list, content: dict) -> list[_Event]:
        return self.chain(self.drafts(ctx, plans, content))

    def drafts(self, ctx: _Ctx, plans: list, content: dict) -> list[tuple]:
        """The batch's events without their place in a chain (plain tuples, sorted by chain and time): the
        random part, done where the batch is built (a parallel worker sends them to the parent, _generate_parallel)."""
        rng, year = ctx.rng, dt.timedelta(days=365)
        drafts = []
        for plan, p, m in plans:
            ke = ctx.ke_of[m["home"].pk]
            actors = [(uid, "involved_staff") for uid, _unit in m["staff"]] + [(ke.pk, "ke")]
            if m.get("coordinator"):
                actors.append((m["coordinator"][0], "coordinator"))
            begin = dt.datetime.combine(plan.period_start, dt.time(8), tzinfo=dt.UTC)
            begin = max(self.now - year, min(begin, self.now - dt.timedelta(days=1)))
            span = (self.now - begin).total_seconds()
            measures = content[plan.pk].get("measure", [])
            chain = chain_for(person=p)
            for _ in range(rng.randint(self.per_plan // 2, self.per_plan * 3 // 2)):
                uid, why = rng.choice(actors)
                name, role, org = self.actors[uid]
                at = begin + dt.timedelta(seconds=rng.random() * span)
                if rng.random() < self.READ_SHARE or not measures:
                    action, obj_type, obj_id = "view", "individualplan", plan.pk
                    code, params = "Så individuell plan", {}
                    detail = {"relationships": [why], "shown_by": [], "hidden": {}}
                else:
                    me = rng.choice(measures)
                    action, obj_type, obj_id = "update", "measure", me.pk
                    code = "Endret %(noun)s: %(label)s"
                    params = {"noun": "tiltak", "label": me.title[:60], TRANSLATED_PARAMS: "noun"}
                    detail = {
                        "plan": plan.pk,
                        "version": plan.version,
                        "section": "measures",
                        "fields": ["status"],
                    }
                drafts.append(
                    (
                        chain,
                        at,
                        uid,
                        name,
                        role,
                        org,
                        action,
                        obj_type,
                        obj_id,
                        p.pk,
                        why,
                        code,
                        params,
                        detail,
                    )
                )
        drafts.sort(key=lambda e: (e[0], e[1]))
        return drafts

    def chain(self, drafts: list[tuple]) -> list[_Event]:
        """Chain the drafts after each chain's head (seq, prev_hash, HMAC): done in one process only, the
        one that keeps the heads (with --jobs, the parent: every chain has exactly one writer)."""
        out = []
        for (
            chain,
            at,
            uid,
            name,
            role,
            org,
            action,
            obj_type,
            obj_id,
            person_id,
            why,
            code,
            params,
            detail,
        ) in drafts:
            seq, prev = self._head(chain)
            event = _Event(
                at=at,
                actor_id=uid,
                actor_name=name,
                actor_role=role,
                organization_id=org,
                action=action,
                object_type=obj_type,
                object_id=str(obj_id),
                person_id=person_id,
                reason=why,
                summary=self._summary(code, params),
                code=code,
                params=params,
                withheld=[],
                detail=detail,
                prev_hash=prev,
                chain=chain,
                seq=seq + 1,
                key_id=self.key_id,
            )
            event.hash = event_digest(event)
            self.heads[chain] = (event.seq, event.hash)
            out.append(event)
        return out


def _audit_partitions(*, since: dt.date) -> None:
    """On PostgreSQL with monthly audit partitions (helhet.audit.partitions), create the months the generated
    events fall in, as the cron job would have, so that a year of events does not land in the DEFAULT partition.
    Only a connection that owns the tables can (the benchmark database runs as its owner); otherwise nothing."""
    if connection.vendor != "postgresql":
        return
    try:
        from helhet.audit import partitions
        from helhet.audit.grants import can_grant
    except ImportError:  # a tree without the partitioned audit table
        return
    with transaction.atomic(), connection.cursor() as cur:
        if partitions.is_partitioned(cur) and can_grant(cur):
            partitions.ensure(
                cur,
                today=timezone.localdate(),
                months_ahead=1,
                since=since,
                app=partitions.app_role(cur),
            )


def _bump_versions(plans: list) -> None:
    """Set each plan's working version and published count (one UPDATE ... FROM unnest on PostgreSQL)."""
    if not plans:
        return
    if connection.vendor != "postgresql":
        pm.IndividualPlan.objects.bulk_update(
            plans, ["version", "published_number"], batch_size=1000
        )
        return
    table = connection.ops.quote_name(pm.IndividualPlan._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS p SET version = v.version, published_number = v.published "
            "FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS v(id, version, published) WHERE p.id = v.id",
            [
                [p.pk for p in plans],
                [p.version for p in plans],
                [p.published_number for p in plans],
            ],
        )


def _inline_document(plan: pm.IndividualPlan, content: dict[str, list]) -> dict:
    """A snapshot of the same shape as the selector's, used when it is not available (or --snapshots inline),
    built from the plan's content objects of this batch (`content`: model name -> objects in order)."""

    def d(value):
        return value.isoformat() if value else None

    return {
        "id": plan.pk,
        "status": plan.status,
        "person": {"id": plan.person_id},
        "main_responsibility": {
            "sector": plan.main_sector,
            "unit_id": plan.main_unit_id,
            "basis": plan.main_basis,
            "reason": plan.main_reason,
        },
        "period": {
            "start": d(plan.period_start),
            "end": d(plan.period_end),
            "evaluation_interval_months": plan.evaluation_interval_months,
        },
        "goals": [
            {"id": g.pk, "text": g.text, "written_by": g.written_by, "status": g.status}
            for g in content.get("goal", [])
        ],
        "resources": [{"id": r.pk, "text": r.text} for r in content.get("resource", [])],
        "needs": [{"id": n.pk, "text": n.text, "area": n.area} for n in content.get("need", [])],
        "participants": [
            {"id": p.pk, "kind": p.kind, "unit_id": p.unit_id, "role": p.role}
            for p in content.get("participant", [])
        ],
        "measures": [
            {
                "id": m.pk,
                "title": m.title,
                "status": m.status,
                "deadline": d(m.deadline),
                "responsible_unit_id": m.responsible_unit_id,
            }
            for m in content.get("measure", [])
        ],
        "evaluations": [
            {"id": e.pk, "planned_on": d(e.planned_on), "held_on": d(e.held_on)}
            for e in content.get("evaluation", [])
        ],
    }


COUNTED = [
    Person,
    Relative,
    Involvement,
    InformationRecord,
    Request,
    Assessment,
    Decision,
    Appeal,
    Consent,
    CoordinatorAppointment,
    pm.IndividualPlan,
    pm.Goal,
    pm.Resource,
    pm.Need,
    pm.Participant,
    pm.Contribution,
    pm.Measure,
    pm.MeasureStatusChange,
    pm.Evaluation,
    pm.Cooperation,
    pm.SubPlan,
    pm.PlanVersion,
    pm.PlanChange,
]


def counts() -> dict[str, int]:
    return {model._meta.model_name: model.objects.count() for model in COUNTED}


class GenerateFailed(Exception):
    """A parallel worker failed; the message carries its traceback."""


def generate(
    *,
    persons: int,
    plans_ratio: float = 0.9,
    append: bool = False,
    seed: int = 2026,
    batch: int = 250,
    snapshots: str = "auto",
    progress: bool = True,
    copy: bool = True,
    audit_events_per_plan: int = 0,
    jobs: int = 1,
) -> dict[str, int]:
    """Add `persons` synthetic persons (with cases and, for `plans_ratio` of them, plans) to the database; return row counts.

    `copy`: on PostgreSQL write the rows with COPY (else, and always on SQLite, bulk_create).
    `audit_events_per_plan`: about this many valid, chained audit events per plan (_AuditWriter); 0: none.
    `jobs`: worker processes that build the persons in parallel (_generate_parallel), each with its own
    connection; PostgreSQL only, and not inside a transaction (the workers could not see its rows): otherwise,
    and with 1, everything happens in this process.
    """
    if not 0 <= plans_ratio <= 1:
        raise ValueError("plans_ratio must be between 0 and 1")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    w = build_world()
    existing = Person.objects.count()
    if existing and not append:
        raise GenerateRefused(
            f"The database already holds {existing:,} persons; use --append to add more."
        )
    rng = random.Random(seed + existing)
    pool = _staff_pool(w, rng, max(20, min(400, (existing + persons) // 40)))
    ctx = _Ctx(
        w,
        rng,
        pool,
        set(Person.objects.values_list("national_id", flat=True)),
        _snapshot_function(snapshots),
        timezone.localdate(),
        seq=existing,
    )
    ctx.copy = copy and connection.vendor == "postgresql"
    if audit_events_per_plan > 0:
        _audit_partitions(since=timezone.localdate() - dt.timedelta(days=366))
        ctx.audit = _AuditWriter(
            audit_events_per_plan,
            [uid for uid, _unit in pool] + [u.pk for u in ctx.ke_of.values()],
            timezone.now(),
        )
    bar = Progress(persons, "persons", enabled=progress)
    jobs = min(jobs, max(persons, 1))
    if jobs > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        _generate_parallel(ctx, persons, plans_ratio, batch, jobs, existing, seed, bar)
    else:
        done, next_analyze = 0, max(existing, batch)
        while done < persons:
            n = min(batch, persons - done)
            with transaction.atomic():
                _batch(ctx, n, plans_ratio)
            done += n
            bar.update(n, rows=ctx.rows)
            if existing + done >= next_analyze:
                # Fresh tables have no planner statistics: without this, the selector's look-ups turn into
                # sequential scans and generation slows down as it grows. Doubling keeps the cost small.
                _analyze()
                next_analyze = 2 * (existing + done)
    _analyze()
    bar.close()
    return counts()


def _shares(persons: int, jobs: int) -> list[int]:
    """`persons` split into `jobs` nearly equal, disjoint shares."""
    return [persons // jobs + (1 if k < persons % jobs else 0) for k in range(jobs)]


# A forked worker's inherited connection objects, never used and never freed (_worker).
_INHERITED: list = []


def _worker(
    k: int,
    jobs: int,
    share: int,
    seq_start: int,
    parent: _Ctx,
    plans_ratio: float,
    batch: int,
    existing: int,
    seed: int,
    out,
) -> None:
    """One parallel worker (a forked process, its own database connection): `share` persons in batches, one
    transaction each, written with COPY like the single process. Ids come from the tables' sequences (nextval
    never hands the same id to two connections); national ids are this worker's residue class (_national_id);
    its random stream is its own. Audit events are only drafted here: they go to the parent after the batch
    has committed (the events point at its persons), and the parent, the only writer of every chain, chains
    and writes them. Messages on `out`: ("progress", k, persons, rows), ("events", k, drafts, None),
    ("done", k, None, None) or ("error", k, traceback, None)."""
    import traceback

    from django.db import connections

    # Never touch a connection object inherited from the parent: Django's close() leaves a connection open when it
    # was closed inside a transaction (closed_in_transaction), and a forked child sharing that socket interleaves its
    # messages with the other processes' (a CI run failed with "unexpected message type 0x51 during COPY"). Dropped
    # here without closing, so this process's first query connects anew (connect() also resets the atomic state).
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _INHERITED.append(conn.connection)  # kept referenced: freeing it would send the server a Terminate
        conn.connection = None
    try:
        ctx = _Ctx(
            parent.w,
            random.Random(f"{seed}:{existing}:{k}/{jobs}"),
            parent.pool,
            parent.used_ids,
            parent.snapshot,
            parent.today,
            seq=seq_start,
            share=(k, jobs),
        )
        ctx.copy, ctx.audit = parent.copy, parent.audit
        done, next_analyze = 0, max(existing, batch)
        while done < share:
            n = min(batch, share - done)
            ctx.drafts = [] if ctx.audit is not None else None
            with transaction.atomic():
                _batch(ctx, n, plans_ratio)
            if ctx.drafts:
                out.put(("events", k, ctx.drafts, None))
            done += n
            out.put(("progress", k, n, ctx.rows))
            if (
                k == 0 and existing + done * jobs >= next_analyze
            ):  # one worker keeps the statistics fresh
                _analyze()
                next_analyze = 2 * (existing + done * jobs)
        out.put(("done", k, None, None))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the run
        out.put(("error", k, traceback.format_exc(), None))
    finally:
        connections.close_all()


def _generate_parallel(
    ctx: _Ctx,
    persons: int,
    plans_ratio: float,
    batch: int,
    jobs: int,
    existing: int,
    seed: int,
    bar: Progress,
) -> None:
    """`persons` built by `jobs` forked workers (_worker), disjoint shares; this process draws the progress bar
    (the sum over the workers) and, with audit events, chains and COPYs them as the workers' batches commit:
    every chain keeps one writer, so it stays one gap-free sequence (`manage.py audit_verify`)."""
    import multiprocessing
    import queue

    from django.db import connections

    mp = multiprocessing.get_context("fork")
    out = mp.Queue(
        maxsize=4 * jobs
    )  # back-pressure: workers wait when the audit writer falls behind
    shares = _shares(persons, jobs)
    connections.close_all()  # a forked child must not share this process's connection
    procs = [
        mp.Process(
            target=_worker,
            args=(
                k,
                jobs,
                share,
                existing + sum(shares[:k]),
                ctx,
                plans_ratio,
                batch,
                existing,
                seed,
                out,
            ),
            name=f"bench-generate-{k}",
            daemon=True,
        )
        for k, share in enumerate(shares)
    ]
    for p in procs:
        p.start()
    rows, events, finished = [0] * jobs, 0, set()
    try:
        while len(finished) < jobs:
            try:
                kind, k, a, b = out.get(timeout=1.0)
            except queue.Empty:
                for i, p in enumerate(procs):
                    if i not in finished and p.exitcode not in (None, 0):
                        raise GenerateFailed(
                            f"generator worker {i} died (exit code {p.exitcode})"
                        ) from None
                continue
            if kind == "events":
                with transaction.atomic():
                    chained = ctx.audit.chain(a)
                    _save_events(ctx, chained)
                events += len(chained)
                bar.update(0, rows=sum(rows) + events)
            elif kind == "progress":
                rows[k] = b
                bar.update(a, rows=sum(rows) + events)
            elif kind == "done":
                finished.add(k)
            else:
                raise GenerateFailed(f"generator worker {k} failed:\n{a}")
    finally:
        for p in procs:
            if p.is_alive() and len(finished) < jobs:
                p.terminate()
        for p in procs:
            p.join()
    ctx.rows = sum(rows) + events


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
