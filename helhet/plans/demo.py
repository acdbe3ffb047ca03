"""Demo plans: seed_plans(world) gives persons with an open coordinator appointment a plan, in every state.

Called from helhet/core/demo.py after the case-process demo data. Idempotent: does nothing when any plan
exists. Everything goes through the services (consent first, then the plan), so the audit log is real.

States, round-robin over the eligible persons: active (many goals and measures, sub-plans, three
published versions), draft, under_evaluation (two versions), closed (need ended), active with a
successor history (closed plan followed by a new one), active (small).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from helhet.consent.models import Consent
from helhet.consent.services import consent_record

from . import services
from .models import IndividualPlan

GOALS = [
    "Jeg vil bo hjemme i mitt eget hus så lenge som mulig.",
    "Jeg vil komme meg ut og gå tur minst tre ganger i uka.",
    "Jeg ønsker å komme i arbeid eller aktivitet på dagtid.",
    "Jeg vil klare å handle og lage mat selv.",
    "Jeg vil ha bedre kontakt med familien min.",
    "Jeg vil sove bedre og ha mindre smerter.",
    "Jeg vil klare skolehverdagen og ha venner.",
    "Jeg vil forstå sykdommen min og vite hvem jeg kan ringe.",
]
MEASURES = [
    ("Hjemmesykepleie morgen og kveld", "2 besøk daglig", "Hjelp med medisiner og personlig stell", "fjordvik_care"),
    ("Arbeidsavklaring", "Oppfølgingssamtale hver 14. dag", "NAV-veileder kartlegger muligheter og tiltak", "fjordvik_nav"),
    ("Fysioterapi i hjemmet", "1 time per uke", "Styrke- og balansetrening", "fjordvik_care"),
    ("Samtaler om psykisk helse", "Hver uke i 3 måneder", "Samtaler med psykiatrisk sykepleier", "fjordvik_mh"),
    ("Støttekontakt", "4 timer per uke", "Følge på aktiviteter etter eget ønske", "fjordvik_care"),
    ("Tilrettelagt undervisning", "5 timer per uke", "Spesialundervisning etter IOP", "fjordvik_school"),
]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SCENARIOS = ["rich", "draft", "under_evaluation", "closed", "successor", "small"]


def seed_plans(world, *, limit: int | None = None) -> list[IndividualPlan]:
    from helhet.cases.models import CoordinatorAppointment
    from helhet.people.models import Person

    if IndividualPlan.objects.exists():
        return []
    today = timezone.localdate()
    ke = world.users["ke"]
    persons = list(Person.objects.filter(coordinator_appointments__end__isnull=True,
                                         coordinator_appointments__kind__in=[CoordinatorAppointment.Kind.COORDINATOR,
                                                                             CoordinatorAppointment.Kind.CHILD_COORDINATOR])
                   .distinct().order_by("pk"))
    if limit:
        persons = persons[:limit]
    plans = []
    with transaction.atomic():
        for i, person in enumerate(persons):
            _consent(ke, person, today)
            plans.append(_seed(world, person, SCENARIOS[i % len(SCENARIOS)], i, today))
    return plans


def _consent(actor, person, today):
    if Consent.objects.filter(person=person, kind=Consent.Kind.PLAN_WORK, withdrawn_on__isnull=True).exists():
        return
    relative = person.relatives.filter(may_consent=True).first()
    consent_record(actor=actor, person=person, kind=Consent.Kind.PLAN_WORK, given_by="parents" if relative else "person",
                   given_by_relative_id=relative.pk if relative else None, method="signed_in_app", given_on=today - dt.timedelta(days=40))


def _seed(world, person, scenario: str, i: int, today: dt.date) -> IndividualPlan:
    ke = world.users["ke"]
    u = world.units
    child = person.age_on(today) < 18
    sector, unit = ("child_welfare", u["fjordvik_cw"]) if child and i % 2 else ("health_care", u["fjordvik_care"])
    plan = services.plan_create(actor=ke, person_id=person.pk, main_sector=sector, main_unit_id=unit.pk,
                                period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=335),
                                evaluation_interval_months=6)
    if scenario == "successor":
        _fill(world, plan, n_goals=2, n_measures=1, today=today)
        services.plan_close(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), reason="transfer",
                            on=today - dt.timedelta(days=5), note="Flyttet til bofellesskap; ny plan med nytt hovedansvar.")
        plan = services.plan_create(actor=ke, person_id=person.pk, main_sector="nav", main_unit_id=u["fjordvik_nav"].pk, predecessor_id=plan.pk,
                                    period_start=today - dt.timedelta(days=4), evaluation_interval_months=12)
        scenario = "small"
    if scenario == "draft":
        _fill(world, plan, n_goals=1, n_measures=0, today=today)
        return plan
    n_goals, n_measures = (8, 12) if scenario == "rich" else (3, 3)
    _fill(world, plan, n_goals=n_goals, n_measures=n_measures, today=today, child=child, subplans=scenario in ("rich", "under_evaluation"))
    _status(ke, plan, "active")
    services.plan_publish(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), reason="Planen er ferdig utarbeidet sammen med personen.")
    if scenario in ("rich", "under_evaluation"):
        goal = plan.goals.order_by("id").first()
        services.goal_set_status(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), goal_id=goal.pk, status="achieved",
                                 note="Nådd – personen er fornøyd.")
        measure = plan.measures.order_by("id").first()
        services.measure_set_status(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), measure_id=measure.pk, status="ongoing")
        services.plan_publish(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), reason="Første mål nådd; tiltak i gang.")
    if scenario == "rich":
        measure = plan.measures.order_by("id")[1]
        services.measure_update(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), item_id=measure.pk, deprioritised=True,
                                deprioritised_reason="Utsatt etter individuell vurdering; forsvarlig i en periode.")
        services.goal_add(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), text="Jeg vil lære meg å bruke nettbank.", written_by="staff")
        services.plan_publish(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), reason="Nytt mål etter ansvarsgruppemøte.")
    if scenario == "under_evaluation":
        _status(ke, plan, "under_evaluation")
    if scenario == "closed":
        services.plan_close(actor=ke, plan_id=plan.pk, based_on_version=_v(plan), reason="need_ended", on=today - dt.timedelta(days=1),
                            note="Personen klarer seg nå uten koordinerte tjenester.")
    return plan


def _v(plan) -> int:
    # Services load their own copy of the plan; read the working version they left behind.
    plan.refresh_from_db(fields=["version", "status"])
    return plan.version


def _status(actor, plan, status):
    services.plan_set_status(actor=actor, plan_id=plan.pk, based_on_version=_v(plan), status=status)


def _fill(world, plan, *, n_goals: int, n_measures: int, today: dt.date, child: bool = False, subplans: bool = False):
    ke = world.users["ke"]
    u = world.units
    person = plan.person

    def kw():
        return {"actor": ke, "plan_id": plan.pk, "based_on_version": _v(plan)}

    goals = [services.goal_add(**kw(), text=GOALS[(plan.pk + k) % len(GOALS)], written_by="person" if k % 3 else "relative", order=k)
             for k in range(n_goals)]
    services.resource_add(**kw(), text="Har god humor og er flink til å si fra om hva som er viktig.")
    services.resource_add(**kw(), text="Har en nær venn i nabolaget.")
    services.need_add(**kw(), text="Hjelp med medisiner og oppfølging av helse.", area="Helse")
    services.need_add(**kw(), text="Avklaring av arbeid og økonomi.", area="Arbeid")
    services.participant_add(**kw(), kind="person", role="Eier av planen")
    relative = person.relatives.first()
    if relative:
        services.participant_add(**kw(), kind="relative", relative_id=relative.pk, role="Pårørende")
    services.participant_add(**kw(), kind="staff", user_id=world.users["nav"].pk, unit_id=u["fjordvik_nav"].pk, role="NAV-veileder")
    services.participant_add(**kw(), kind="staff", user_id=world.users["gp"].pk, unit_id=u["fjordvik_gp"].pk, role="Fastlege")
    services.contribution_add(**kw(), by="person", text="Tar medisinene selv når dosetten er fylt.")
    services.contribution_add(**kw(), by="service", unit_id=u["fjordvik_care"].pk, text="Fyller dosett ukentlig.")
    for k in range(n_measures):
        title, scope, how, unit_key = MEASURES[k % len(MEASURES)]
        services.measure_add(**kw(), title=title if k < len(MEASURES) else f"{title} ({k // len(MEASURES) + 1})", scope=scope, how=how,
                             goal_ids=[goals[k % len(goals)].pk] if goals else [], responsible_unit_id=u[unit_key].pk,
                             responsible_person_id=world.users["coordinator"].pk if unit_key == "fjordvik_care" else None,
                             start=today - dt.timedelta(days=20), deadline=today + dt.timedelta(days=60 + 7 * k), order=k)
    services.evaluation_add(**kw(), planned_on=today + dt.timedelta(days=150))
    services.cooperation_add(**kw(), partner="Fjordvik frivilligsentral", kind="institution", purpose="Besøksvenn og turgruppe",
                             contact="post@frivillig.example.invalid")
    if subplans:
        services.subplan_add(**kw(), kind="crisis", title="Kriseplan", responsible_unit_id=u["fjordvik_mh"].pk,
                             text="Tegn på forverring: søvnløshet, trekker seg unna.\nRing: psykiatrisk sykepleier, så legevakt 116 117.")
        services.subplan_add(**kw(), kind="iop" if child else "treatment", title="IOP" if child else "Behandlingsplan",
                             responsible_unit_id=(u["fjordvik_school"] if child else u["trust_ward"]).pk,
                             file=SimpleUploadedFile("delplan.pdf", PDF, content_type="application/pdf"))
