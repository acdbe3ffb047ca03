"""Demo data for `make run`: the shared world plus about 30 synthetic persons in every case state.

Idempotent: running it again changes nothing. Demo users exist only when
HELHET_DEMO is on (seed_demo refuses otherwise).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from helhet.cases import services as cases
from helhet.consent.services import consent_record
from helhet.people.models import Involvement, Person, Relative
from helhet.people.services import person_create, relative_add
from helhet.plans.demo import seed_plans

from .world import World, build_world, synthetic_national_id

GIVEN = ["Emma", "Noah", "Nora", "Jakob", "Sofie", "Emil", "Ella", "Lukas", "Maja", "Filip", "Ingrid", "Aksel", "Leah", "Henrik",
         "Olivia", "Mathias", "Frida", "Isak", "Selma", "Oskar", "Tiril", "Magnus", "Hedda", "Elias", "Astrid", "Sander", "Vilde",
         "Jonas", "Mina", "Tobias", "Live", "Even"]
FAMILY = ["Fjellheim", "Solbakken", "Nyland", "Bergsvik", "Haugland", "Lindeberg", "Østrem", "Våge", "Kvamme", "Rustad",
          "Tangen", "Myklebust", "Sæther", "Hovland", "Eide", "Brekke"]

STATES = ["registered", "informed", "assessed", "granted", "coordinator", "refused", "appealed", "forwarded", "child", "hospital"]


def seed_demo(n_persons: int = 30) -> World:
    w = build_world()
    if Person.objects.exists():
        return w
    rng = random.Random(2026)
    ke = w.users["ke"]
    today = timezone.localdate()
    with transaction.atomic():
        for i in range(n_persons):
            state = STATES[i % len(STATES)]
            child = state == "child" or i % 7 == 3
            birth = dt.date(today.year - (rng.randint(3, 15) if child else rng.randint(19, 88)), rng.randint(1, 12), rng.randint(1, 28))
            person = person_create(actor=ke, national_id=synthetic_national_id(birth, 100 + i * 7, d_number=(i == 5)),
                                   given_name=GIVEN[i % len(GIVEN)], family_name=FAMILY[(i * 5) % len(FAMILY)],
                                   home_municipality_id=w.orgs["fjordvik"].pk, phone=f"400{i:05d}",
                                   needs_interpreter=(i % 9 == 4), preferred_language="arabisk" if i % 9 == 4 else "norsk")
            _seed_person(w, person, state, i, child, today)
        seed_plans(w)
        seed_portal(w)
        seed_coordination(w)
    return w


# ---------------------------------------------------------------- coordination and the other roles (issue 11)


def seed_coordination(w: World) -> None:
    """What a first-time user should meet: a held meeting with minutes, a message thread with replies, need notifications
    both ways, a move to another municipality in progress, a contact doctor (one appointed, one due), a pathway coordinator
    and samordningsansvar. Through the services; a meeting can only be created ahead of time, so the held one is moved
    into the past in the database (demo only). Idempotent: nothing when a transfer exists."""
    from helhet.coordination import services as coordination
    from helhet.coordination.models import Transfer
    from helhet.meetings import services as meetings
    from helhet.meetings.models import Meeting
    from helhet.plans.models import IndividualPlan

    if Transfer.objects.exists():
        return
    today = timezone.localdate()
    ke, coord, leader = w.users["ke"], w.users["coordinator"], w.users["unit_leader"]

    # A held meeting with minutes, and a thread the coordinator and NAV write in, on the young adult's plan.
    plan = IndividualPlan.objects.filter(person__given_name="Amalie", person__family_name="Lund").select_related("person").first()
    if plan is not None:
        at = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        meeting = meetings.meeting_create(actor=coord, plan_id=plan.pk, title="Oppstartsmøte", agenda="Mål, tiltak og hvem som gjør hva.",
                                          start=at, end=at + dt.timedelta(hours=1), place="Fjordvik helsehus")
        held = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=9)
        Meeting.objects.filter(pk=meeting.pk).update(start=held, end=held + dt.timedelta(hours=1))
        plan.refresh_from_db(fields=["version"])
        meetings.minutes_write(actor=coord, meeting_id=meeting.pk, based_on_version=plan.version,
                               text="Amalie fortalte om målene sine. NAV og hjemmetjenesten gikk gjennom tiltakene. Neste møte om seks uker.")
        meetings.minutes_send(actor=coord, meeting_id=meeting.pk)
        thread = meetings.thread_create(actor=coord, plan_id=plan.pk, subject="Tider for samtaler med NAV",
                                        text="Passer det med samtaler annenhver tirsdag?")
        meetings.post_add(actor=w.users["nav"], thread_id=thread.pk, text="Tirsdager passer fint for oss, klokka ti.")

    # The hospital persons (hospital coordinator, in the ward): a contact doctor appointed for one, due for another; a
    # pathway coordinator; need notifications both ways, each with the consent given for it recorded.
    hospital = list(Person.objects.filter(involvements__unit=w.units["trust_ward"]).distinct().order_by("pk")[:3])
    ward = w.units["trust_ward"].pk
    if hospital:
        first = hospital[0]
        cases.contact_doctor_record(actor=leader, person=first, unit_id=ward, need_found_on=today - dt.timedelta(days=6),
                                    clinician_id=w.users["clinician"].pk, appointed_on=today - dt.timedelta(days=5))
        cases.pathway_coordinator_record(actor=leader, person=first, pathway="cancer", name="Liv Forløp", unit_id=ward,
                                         start=today - dt.timedelta(days=20))
        coordination.need_notification_send(
            actor=w.users["clinician"], person=first, direction="to_municipality", sent_on=today - dt.timedelta(days=2),
            summary="Utskrives snart og trenger koordinerte tjenester hjemme.", contact_name="Jonas Lie", contact_phone="77000000",
            needs_ip=True, consent_given_by="person", consent_method="oral", consent_given_on=today - dt.timedelta(days=2))
    if len(hospital) > 1:
        cases.contact_doctor_record(actor=leader, person=hospital[1], unit_id=ward, need_found_on=today, kind="psychologist")
        coordination.need_notification_send(
            actor=ke, person=hospital[1], direction="to_hospital", sent_on=today - dt.timedelta(days=1),
            summary="Innlagt; kommunen ber om koordinator i sykehuset.", contact_name="Kari Nordvik", to_unit_id=ward,
            consent_given_by="person", consent_method="oral", consent_given_on=today - dt.timedelta(days=1))

    # A move to Havbygd in progress: the old coordinator continues until Havbygd's KE appoints.
    movers = Person.objects.filter(coordinator_appointments__end__isnull=True, coordinator_appointments__kind="coordinator").exclude(
        pk__in=[p.pk for p in hospital]).exclude(involvements__unit=w.units["fjordvik_school"]).distinct().order_by("pk")
    mover = movers.first()
    if mover is not None:
        t = coordination.transfer_start(actor=ke, person=mover, kind="move", effective_on=today + dt.timedelta(days=14),
                                        to_organization_id=w.orgs["havbygd"].pk, note="Flytter til Havbygd i forbindelse med ny jobb.")
        for key in ("plan_handed_over", "person_informed"):
            coordination.transfer_item_set(actor=ke, transfer_id=t.pk, key=key, done=True, on=today)

    # Samordningsansvar for a person without the right to a plan or a coordinator (a refused request).
    from helhet.cases.models import CoordinatorAppointment

    coordinated = CoordinatorAppointment.objects.filter(end__isnull=True).values("person_id")
    refused = (Person.objects.filter(requests__decision__outcome="refused").exclude(pk__in=coordinated)
               .distinct().order_by("pk").first())
    if refused is not None:
        cases.coordination_lead_decide(actor=ke, person=refused, unit_id=w.units["fjordvik_nav"].pk, decided_on=today,
                                       contact_name="Lars Vik", reason="Ikke rett til individuell plan; NAV gir de fleste tjenestene og samordner.")
    seed_letters(w)


def seed_letters(w: World) -> None:
    """Generated letters in the document area (helhet/documents): the decision letter of a refusal, in bokmål and
    nynorsk, and the letter informing the GP and partners that a coordinator was appointed."""
    from helhet.cases.models import CoordinatorAppointment, Decision
    from helhet.coordination import services as coordination
    from helhet.documents import services as documents

    ke = w.users["ke"]
    decision = Decision.objects.filter(outcome="refused", request__organization=w.orgs["fjordvik"]).order_by("pk").first()
    if decision is not None:
        for language in ("nb", "nn"):
            documents.decision_letter_create(actor=ke, decision_id=decision.pk, language=language)
    appointment = (CoordinatorAppointment.objects.filter(end__isnull=True, kind="coordinator", coordinator=w.users["coordinator"])
                   .select_related("person").order_by("pk").first())
    if appointment is not None and coordination.partner_recipients(appointment.person):
        coordination.partners_inform(actor=w.users["coordinator"], person=appointment.person, event="coordinator_appointed", method="letter")


# ---------------------------------------------------------------- the person's own logins (helhet/portal)
#
# Three citizen logins, listed in README: a young adult with their own plan ("ung"), a parent of two children
# ("forelder": a 10-year-old, and a 17-year-old whose parent sees only the frame under the rules), and the guardian
# of an adult without consent capacity ("verge"). Each plan has goals, a measure, NAV in the plan group with a sharing
# consent the person can narrow, an upcoming meeting and a message thread.
PORTAL_USERS = {"ung": ("Amalie", "Lund"), "forelder": ("Kristin", "Aasen"), "verge": ("Geir", "Holm")}


def _citizen(username: str, national_id: str, password: str):
    from helhet.organizations.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        first, last = PORTAL_USERS[username]
        user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.invalid", national_id=national_id)
        user.set_password(password)
        user.save()
    return user


def _portal_person(w: World, *, given: str, family: str, birth: dt.date, seed: int, today: dt.date, child: bool = False,
                   relative: tuple[str, str] | None = None, lacking: bool = False, consent_by: str = "person",
                   sharing: tuple[str, ...] = ("economy_work", "general")):
    """A person with a coordinator, a plan and a plan group, through the services (so the audit log is real)."""
    from helhet.consent.services import sharing_consent_record
    from helhet.meetings import services as meetings
    from helhet.people.services import capacity_finding_record
    from helhet.plans import services as plans

    ke, coord = w.users["ke"], w.users["coordinator"]
    person = person_create(actor=ke, national_id=synthetic_national_id(birth, seed), given_name=given, family_name=family,
                           home_municipality_id=w.orgs["fjordvik"].pk, phone="40012345")
    start = today - dt.timedelta(days=50)
    Involvement.objects.create(person=person, unit=w.units["fjordvik_care"], staff=coord, start=start, description="Oppfølging i hjemmet")
    Involvement.objects.create(person=person, unit=w.units["fjordvik_nav"], staff=w.users["nav"], start=start, description="Arbeidsavklaring")
    rel = None
    if relative:
        rel = relative_add(actor=ke, person=person, name=relative[0], relationship=relative[1], may_take_part=True, may_consent=True,
                           is_closest_relative=True, phone="41234567")
    if lacking:
        capacity_finding_record(actor=ke, person=person, capacity="lacking", reasons="Vurdert av fastlege og koordinerende enhet.",
                                found_on=start)
    giver = {"given_by": consent_by, "given_by_relative_id": rel.pk if rel and consent_by != "person" else None}
    cases.information_record(actor=ke, person=person, informed_on=start, wants_ip="wants", wants_coordinator="wants")
    req = cases.request_create(actor=ke, person=person, received_on=start, channel="written", requester_kind="relative" if rel else "person",
                               wants_ip=True, wants_coordinator=True, description="Ønsker én kontaktperson og en felles plan.")
    cases.assessment_create(actor=ke, request_id=req.pk, assessed_on=start + dt.timedelta(days=3), long_term=True, services_involved=3,
                            complex_needs=True, child_serious_condition=child, child_needs_complex_services=child,
                            reasons="Vurdert i samtale med personen og tjenestene.")
    cases.decision_create(actor=ke, request_id=req.pk, decided_on=start + dt.timedelta(days=6), grants_ip=True, grants_coordinator=True,
                          reasons="Vilkårene er oppfylt.")
    consent_record(actor=ke, person=person, kind="coordinator", method="oral", given_on=start + dt.timedelta(days=7), **giver)
    cases.coordinator_appoint(actor=ke, person=person, kind="coordinator", coordinator_id=coord.pk, unit_id=w.units["fjordvik_care"].pk,
                              start=start + dt.timedelta(days=8), request_id=req.pk)
    consent_record(actor=ke, person=person, kind="plan_work", method="oral", given_on=start + dt.timedelta(days=9), **giver)
    plan = plans.plan_create(actor=coord, person_id=person.pk, main_sector="health_care", main_unit_id=w.units["fjordvik_care"].pk,
                             period_start=start + dt.timedelta(days=10))

    def v():
        plan.refresh_from_db(fields=["version"])
        return plan.version

    goal = plans.goal_add(actor=coord, plan_id=plan.pk, based_on_version=v(), text="Jeg vil klare meg mer selv hjemme.",
                          written_by="relative" if rel and consent_by != "person" else "person")
    plans.participant_add(actor=coord, plan_id=plan.pk, based_on_version=v(), kind="staff", user_id=w.users["nav"].pk,
                          unit_id=w.units["fjordvik_nav"].pk, role="NAV-veileder")
    plans.measure_add(actor=coord, plan_id=plan.pk, based_on_version=v(), title="Hjemmetjeneste to ganger i uka", scope="2 besøk per uke",
                      how="Hjelp med innkjøp og matlaging", goal_ids=[goal.pk], responsible_unit_id=w.units["fjordvik_care"].pk,
                      responsible_person_id=coord.pk, start=start + dt.timedelta(days=12), deadline=today + dt.timedelta(days=60))
    plans.measure_add(actor=coord, plan_id=plan.pk, based_on_version=v(), title="Avklaring av arbeid og aktivitet", scope="Samtale hver 14. dag",
                      how="NAV-veileder kartlegger muligheter", responsible_unit_id=w.units["fjordvik_nav"].pk, category="economy_work",
                      start=start + dt.timedelta(days=12), deadline=today + dt.timedelta(days=90))
    sharing_consent_record(actor=ke, person=person, method="oral", given_on=start + dt.timedelta(days=11), categories=list(sharing),
                           purpose="Samarbeid i plangruppen", valid_to=today + dt.timedelta(days=300), recipient_user_ids=[w.users["nav"].pk],
                           **giver)
    from django.utils import timezone as tz

    at = tz.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=14)
    meetings.meeting_create(actor=coord, plan_id=plan.pk, title="Ansvarsgruppemøte", agenda="Gjennomgang av planen og målene.",
                            start=at, end=at + dt.timedelta(hours=1), place="Fjordvik helsehus")
    meetings.thread_create(actor=coord, plan_id=plan.pk, subject="Velkommen til plangruppen",
                           text="Her kan du skrive til oss som jobber med planen din.")
    return person, rel


def seed_portal(w: World, password: str | None = None) -> None:
    """The portal's demo logins (idempotent: nothing when the young adult's login exists)."""
    from helhet.organizations.models import User

    from .world import DEMO_PASSWORD

    if User.objects.filter(username="ung").exists():
        return
    password = password or DEMO_PASSWORD
    today = timezone.localdate()

    young_birth = dt.date(today.year - 19, 1, 10) if today >= dt.date(today.year, 1, 10) else dt.date(today.year - 20, 1, 10)
    young, _rel = _portal_person(w, given="Amalie", family="Lund", birth=young_birth, seed=401, today=today)
    _citizen("ung", young.national_id, password)

    parent_nid = synthetic_national_id(dt.date(today.year - 44, 6, 2), 411)
    parent = _citizen("forelder", parent_nid, password)
    child, rel = _portal_person(w, given="Theo", family="Aasen", birth=dt.date(today.year - 10, 2, 3), seed=421, today=today, child=True,
                                relative=("Kristin Aasen", Relative.Relationship.PARENT), consent_by="parents")
    Relative.objects.filter(pk=rel.pk).update(user=parent)
    teen, rel2 = _portal_person(w, given="Ida", family="Aasen", birth=dt.date(today.year - 17, 1, 5), seed=431, today=today, child=True,
                                relative=("Kristin Aasen", Relative.Relationship.PARENT), consent_by="person",
                                sharing=("general",))
    Relative.objects.filter(pk=rel2.pk).update(user=parent)

    guardian = _citizen("verge", synthetic_national_id(dt.date(today.year - 60, 9, 9), 441), password)
    adult, rel3 = _portal_person(w, given="Henrik", family="Holm", birth=dt.date(today.year - 45, 4, 4), seed=451, today=today,
                                 relative=("Geir Holm", Relative.Relationship.GUARDIAN), lacking=True, consent_by="guardian")
    Relative.objects.filter(pk=rel3.pk).update(user=guardian)


def _seed_person(w: World, person: Person, state: str, i: int, child: bool, today: dt.date):
    ke, coord = w.users["ke"], w.users["coordinator"]
    start = today - dt.timedelta(days=60 + i)
    Involvement.objects.create(person=person, unit=w.units["fjordvik_care"], staff=coord, start=start, description="Hjemmesykepleie")
    Involvement.objects.create(person=person, unit=w.units["fjordvik_nav"], staff=w.users["nav"], start=start, description="Arbeidsavklaring")
    if child:
        relative = relative_add(actor=ke, person=person, name=f"Forelder {person.family_name}", relationship=Relative.Relationship.PARENT,
                                may_take_part=True, may_consent=True, is_closest_relative=True, phone="41000000")
        Involvement.objects.create(person=person, unit=w.units["fjordvik_school"], staff=w.users["teacher"], start=start, description="Spesialundervisning")
    if state == "registered":
        cases.request_create(actor=ke, person=person, received_on=today - dt.timedelta(days=3), channel="oral", requester_kind="person", wants_ip=True, wants_coordinator=True)
        return
    cases.information_record(actor=ke, person=person, informed_on=start, wants_ip="wants", wants_coordinator="wants")
    if state == "informed":
        return
    req = cases.request_create(actor=ke, person=person, received_on=start + dt.timedelta(days=2), channel="written" if i % 2 else "oral",
                               requester_kind="relative" if child else "person", wants_ip=True, wants_coordinator=True,
                               wants_child_coordinator=child and state == "child", description="Trenger hjelp til å samordne tjenestene.")
    refused = state in ("refused", "appealed", "forwarded")
    cases.assessment_create(actor=ke, request_id=req.pk, assessed_on=start + dt.timedelta(days=5), long_term=True,
                            services_involved=1 if refused else 3, complex_needs=not refused,
                            child_serious_condition=child, child_needs_complex_services=child,
                            reasons="Vurdert i samtale med personen og tjenestene.")
    if state == "assessed":
        return
    decision = cases.decision_create(actor=ke, request_id=req.pk, decided_on=start + dt.timedelta(days=10), grants_ip=not refused,
                                     grants_coordinator=not refused, grants_child_coordinator=child and state == "child",
                                     reasons="Behovet er kortvarig og gjelder én tjeneste." if refused else "Vilkårene er oppfylt.")
    if refused:
        if state in ("appealed", "forwarded"):
            appeal = cases.appeal_create(actor=ke, decision_id=decision.pk, received_on=start + dt.timedelta(days=20), grounds="Jeg mener behovet er langvarig.")
            if state == "forwarded":
                cases.appeal_advance(actor=ke, appeal_id=appeal.pk, status="under_review", on=start + dt.timedelta(days=21))
                cases.appeal_advance(actor=ke, appeal_id=appeal.pk, status="forwarded", on=start + dt.timedelta(days=30), note="Avgjørelsen opprettholdes.")
        return
    if state == "granted":
        return  # waiting for a coordinator: shows on the KE overview
    relative = person.relatives.filter(may_consent=True).first()
    consent_record(actor=ke, person=person, kind="coordinator", given_by="parents" if relative else "person",
                   given_by_relative_id=relative.pk if relative else None, method="signed_in_app", given_on=start + dt.timedelta(days=11))
    kind = "child_coordinator" if state == "child" else "coordinator"
    unit = w.units["fjordvik_care"] if i % 2 == 0 else w.units["fjordvik_mh"]
    user = coord if i % 2 == 0 else w.users["coordinator2"]
    cases.coordinator_appoint(actor=ke, person=person, kind=kind, coordinator_id=user.pk, unit_id=unit.pk,
                              start=start + dt.timedelta(days=12), person_wish="Ønsker en fra hjemmetjenesten.", request_id=req.pk)
    if state == "hospital":
        Involvement.objects.create(person=person, unit=w.units["trust_ward"], staff=w.users["clinician"], start=start, description="Innlagt nevrologisk avdeling")
        cases.coordinator_appoint(actor=w.users["unit_leader"], person=person, kind="hospital_coordinator",
                                  coordinator_id=w.users["hospital_coordinator"].pk, unit_id=w.units["trust_ward"].pk, start=start + dt.timedelta(days=13))
