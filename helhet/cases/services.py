"""Writes for the case process: information, request, assessment, decision, appeal, coordinators.

Each service checks access (before its transaction, so a refusal's audit
event survives), validates, saves, and records the audit event in the same
transaction. Browser views and API handlers call these and nothing else.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import (
    acting_ke_organization,
    acting_unit,
    check,
    check_object,
    load,
    may_object,
)
from helhet.audit.services import label, record
from helhet.consent.models import Consent
from helhet.consent.selectors import has_valid_consent
from helhet.core.errors import Conflict, validate
from helhet.core.errors import invalid as _invalid
from helhet.organizations.models import Level, ServiceUnit
from helhet.people.models import Person
from helhet.rules.selectors import rule_first_in_force, rule_in_force, rules_in_force

from .models import (
    Appeal,
    AppealEvent,
    Assessment,
    ContactDoctor,
    CoordinationLead,
    CoordinatorAppointment,
    Decision,
    InformationRecord,
    PathwayCoordinator,
    Request,
)
from .rules import (
    appeal_deadline,
    appeal_route,
    appealable_refusals,
    assess_criteria,
    new_decision_due,
)


def information_record(*, actor, person: Person, informed_on: dt.date, about_ip: bool = True, about_coordinator: bool = True,
                       wants_ip: str = "undecided", wants_coordinator: str = "undecided", note: str = "") -> InformationRecord:
    why = check(actor, Action.INFORMATION_RECORD, person)
    if not (about_ip or about_coordinator):
        raise _invalid("about_ip", _("Kryss av for hva personen ble informert om."))
    if informed_on > timezone.localdate():
        raise _invalid("informed_on", _("Datoen kan ikke være fram i tid."))
    unit = acting_unit(actor)
    info = InformationRecord(person=person, informed_on=informed_on, informed_by=actor, unit=unit, about_ip=about_ip,
                             about_coordinator=about_coordinator, wants_ip=wants_ip, wants_coordinator=wants_coordinator, note=note)
    validate(info)
    with transaction.atomic():
        info.save()
        record(actor=actor, action="create", obj=info, person=person, reason=why, summary=gettext_noop("Registrerte at personen er informert om IP og koordinator"))
    return info


def request_create(*, actor, person: Person, received_on: dt.date, channel: str, requester_kind: str, requester_name: str = "",
                   wants_ip: bool = False, wants_coordinator: bool = False, wants_child_coordinator: bool = False,
                   description: str = "") -> Request:
    why = check(actor, Action.REQUEST_CREATE, person)
    if not (wants_ip or wants_coordinator or wants_child_coordinator):
        raise _invalid("wants_ip", _("Kryss av for hva henvendelsen gjelder: individuell plan, koordinator eller barnekoordinator."))
    if received_on > timezone.localdate():
        raise _invalid("received_on", _("Mottatt dato kan ikke være fram i tid."))
    req = Request(person=person, organization=acting_ke_organization(actor, person), received_on=received_on, channel=channel,
                  requester_kind=requester_kind, requester_name=requester_name, wants_ip=wants_ip,
                  wants_coordinator=wants_coordinator, wants_child_coordinator=wants_child_coordinator,
                  description=description, registered_by=actor)
    validate(req)
    with transaction.atomic():
        req.save()
        record(actor=actor, action="create", obj=req, person=person, reason=why,
               summary=gettext_noop("Registrerte henvendelse (%(channel)s)"), params={"channel": label(req, "channel")})
    return req


def _request_for(actor, request_id, action: Action) -> tuple[Request, str]:
    """The request, if the actor is the KE of the tenant that handles it (Action.CASE_HANDLE and `action`)."""
    return load(actor, Request, request_id, None, object_action=action, queryset=Request.objects.select_related("person", "organization"))


def assessment_create(*, actor, request_id, assessed_on: dt.date, long_term: bool, services_involved: int, complex_needs: bool = False,
                      child_serious_condition: bool = False, child_needs_complex_services: bool = False, reasons: str,
                      pathway_coordinator_id=None, pathway_coordinator_fills_role: bool | None = None) -> Assessment:
    """`pathway_coordinator_id` / `pathway_coordinator_fills_role`: the person's pathway coordinator, and whether they fill
    the coordinator function (recorded with the assessment; DOMAIN glossary PathwayCoordinator)."""
    req, why = _request_for(actor, request_id, Action.ASSESSMENT_CREATE)
    if hasattr(req, "assessment"):
        raise Conflict("already_assessed", _("Henvendelsen er allerede vurdert."))
    if not (reasons or "").strip():
        raise _invalid("reasons", _("Vurderingen må begrunnes."))
    if assessed_on < req.received_on:
        raise _invalid("assessed_on", _("Vurderingen kan ikke være datert før henvendelsen ble mottatt."))
    if assessed_on > timezone.localdate():
        raise _invalid("assessed_on", _("Datoen kan ikke være fram i tid."))
    if services_involved is None or services_involved < 0:
        raise _invalid("services_involved", _("Oppgi antall tjenester (0 eller flere)."))
    result = assess_criteria(
        day=req.received_on, age=req.person.age_on(assessed_on), long_term=long_term, services_involved=services_involved,
        complex_needs=complex_needs, child_serious_condition=child_serious_condition,
        child_needs_complex_services=child_needs_complex_services, organization=req.organization,
    )
    assessment = Assessment(request=req, assessed_on=assessed_on, assessed_by=actor, long_term=long_term,
                            services_involved=services_involved, complex_needs=complex_needs,
                            child_serious_condition=child_serious_condition,
                            child_needs_complex_services=child_needs_complex_services, reasons=reasons,
                            meets_ip=result.meets_ip, meets_coordinator=result.meets_coordinator,
                            meets_child_coordinator=result.meets_child_coordinator,
                            ip_right_suspended=result.ip_right_suspended)
    if pathway_coordinator_id:
        assessment.pathway_coordinator = PathwayCoordinator.objects.filter(pk=pathway_coordinator_id, person_id=req.person_id).first()
        if assessment.pathway_coordinator is None:
            raise _invalid("pathway_coordinator", _("Velg en forløpskoordinator registrert for personen."))
        if pathway_coordinator_fills_role is None:
            raise _invalid("pathway_coordinator_fills_role", _("Oppgi om forløpskoordinatoren fyller koordinatorrollen."))
        assessment.pathway_coordinator_fills_role = bool(pathway_coordinator_fills_role)
    validate(assessment)
    with transaction.atomic():
        assessment.save()
        assessment.rules_applied.set(result.rules)
        req.status = Request.Status.ASSESSED
        req.save(update_fields=["status"])
        record(actor=actor, action="create", obj=assessment, person=req.person, reason=why, summary=gettext_noop("Vurderte henvendelse"),
               detail={"rules": [r.code for r in result.rules]})
    return assessment


def decision_create(*, actor, request_id, decided_on: dt.date, grants_ip: bool = False, grants_coordinator: bool = False,
                    grants_child_coordinator: bool = False, reasons: str, law: str = Decision.Law.PATIENTS_RIGHTS) -> Decision:
    """A written, reasoned decision. `law`: the law it is made under, which decides the appeal deadline (rules data).
    A follow-up request after an appeal decided for the person needs no new assessment (the appeal body found the
    right); once it is decided, the appealed request is closed."""
    req, why = _request_for(actor, request_id, Action.DECISION_CREATE)
    if law not in Decision.Law.values:
        raise _invalid("law", _("Velg loven avgjørelsen treffes etter."))
    given_right = req.follows_appeal_id is not None and req.follows_appeal.status in Appeal.GIVES_RIGHT
    if not hasattr(req, "assessment") and not given_right:
        raise Conflict("not_assessed", _("Henvendelsen må vurderes før det kan treffes en avgjørelse."))
    if hasattr(req, "decision"):
        raise Conflict("already_decided", _("Henvendelsen har allerede en avgjørelse."))
    if not (reasons or "").strip():
        raise _invalid("reasons", _("Avgjørelsen må begrunnes skriftlig."))
    if hasattr(req, "assessment") and decided_on < req.assessment.assessed_on:
        raise _invalid("decided_on", _("Avgjørelsen kan ikke være datert før vurderingen."))
    if decided_on < req.received_on:
        raise _invalid("decided_on", _("Avgjørelsen kan ikke være datert før henvendelsen ble mottatt."))
    if decided_on > timezone.localdate():
        raise _invalid("decided_on", _("Datoen kan ikke være fram i tid."))
    if (grants_ip and not req.wants_ip) or (grants_coordinator and not req.wants_coordinator) or (
        grants_child_coordinator and not req.wants_child_coordinator
    ):
        raise _invalid("grants_ip", _("En avgjørelse kan bare innvilge det henvendelsen gjelder."))
    asked = [req.wants_ip, req.wants_coordinator, req.wants_child_coordinator]
    granted = [grants_ip and req.wants_ip, grants_coordinator and req.wants_coordinator, grants_child_coordinator and req.wants_child_coordinator]
    if sum(granted) == sum(asked):
        outcome = Decision.Outcome.GRANTED
    elif sum(granted) == 0:
        outcome = Decision.Outcome.REFUSED
    else:
        outcome = Decision.Outcome.PARTLY
    decision = Decision(request=req, decided_on=decided_on, decided_by=actor, grants_ip=granted[0], grants_coordinator=granted[1],
                        grants_child_coordinator=granted[2], outcome=outcome, reasons=reasons, law=law)
    refusals = appealable_refusals(decision, req)
    decision.appeal_route = appeal_route(decided_on, req.organization) if refusals else ""
    codes = ["ip.right", "covid-2020.no-new-ip", "coordinator.duty", "coordinator.right", "child-coordinator.right", "appeal.route"]
    rules = list(rules_in_force(decided_on, organization=req.organization, codes=codes))
    deadline = appeal_deadline(decision, req.organization)
    if deadline is not None:
        rules.append(deadline[1])  # the deadline the refusal names is one of the rules the decision applied
    validate(decision)
    with transaction.atomic():
        decision.save()
        decision.rules_applied.set(rules)
        req.status = Request.Status.DECIDED
        req.save(update_fields=["status"])
        if req.follows_appeal_id:
            Request.objects.filter(pk=req.follows_appeal.decision.request_id, status=Request.Status.NEW_DECISION).update(status=Request.Status.CLOSED)
        record(actor=actor, action="create", obj=decision, person=req.person, reason=why,
               summary=gettext_noop("Traff avgjørelse: %(outcome)s"), params={"outcome": label(decision, "outcome")},
               detail={"rules": [r.code for r in rules]})
    return decision


def appeal_create(*, actor, decision_id, received_on: dt.date, grounds: str) -> Appeal:
    decision, _why = load(actor, Decision, decision_id, None, person_of=None,
                          queryset=Decision.objects.select_related("request__person", "request__organization"))
    req, why = _request_for(actor, decision.request_id, Action.APPEAL_MANAGE)
    if not appealable_refusals(decision, req):
        raise Conflict("not_appealable", _("Avgjørelsen har ikke noe avslag som kan påklages."))
    if not (grounds or "").strip():
        raise _invalid("grounds", _("Skriv hva klagen gjelder."))
    if received_on < decision.decided_on:
        raise _invalid("received_on", _("Klagen kan ikke være mottatt før avgjørelsen ble truffet."))
    if received_on > timezone.localdate():
        raise _invalid("received_on", _("Datoen kan ikke være fram i tid."))
    if decision.appeals.exclude(status__in=[Appeal.Status.REVERSED, Appeal.Status.UPHELD_BY_SF, Appeal.Status.REJECTED_BY_SF, Appeal.Status.WITHDRAWN]).exists():
        raise Conflict("appeal_open", _("Det er allerede en åpen klage på denne avgjørelsen."))
    if decision.appeals.filter(status__in=list(Appeal.NEEDS_NEW_DECISION)).exists():
        raise Conflict("new_decision_pending", _("Klagen er allerede avgjort for personen eller sendt tilbake; det treffes en ny avgjørelse."))
    appeal = Appeal(decision=decision, received_on=received_on, grounds=grounds, registered_by=actor)
    validate(appeal)
    with transaction.atomic():
        appeal.save()
        AppealEvent.objects.create(appeal=appeal, status=appeal.status, on=received_on, by=actor, note="")
        req.status = Request.Status.APPEALED
        req.save(update_fields=["status"])
        record(actor=actor, action="create", obj=appeal, person=req.person, reason=why, summary=gettext_noop("Registrerte klage"))
    return appeal


def appeal_advance(*, actor, appeal_id, status: str, on: dt.date, note: str = "") -> Appeal:
    appeal, _why = load(actor, Appeal, appeal_id, None, person_of=None, queryset=Appeal.objects.select_related("decision__request__person"))
    req, why = _request_for(actor, appeal.decision.request_id, Action.APPEAL_MANAGE)
    allowed = Appeal.TRANSITIONS.get(appeal.status, set())
    if status not in allowed:
        raise Conflict("bad_transition", _("Klagen kan ikke gå fra «%(from)s» til «%(to)s».") % {
            "from": appeal.get_status_display(), "to": dict(Appeal.Status.choices).get(status, status)})
    if on < appeal.received_on or on > timezone.localdate():
        raise _invalid("on", _("Datoen må være mellom klagen ble mottatt og i dag."))
    with transaction.atomic():
        # Conditional update: two officers advancing the same appeal at once cannot both win.
        updated = Appeal.objects.filter(pk=appeal.pk, status=appeal.status).update(status=status)
        if not updated:
            raise Conflict("stale", _("Klagen ble endret av en annen i mellomtiden. Last siden på nytt."))
        appeal.status = status
        AppealEvent.objects.create(appeal=appeal, status=status, on=on, note=note, by=actor)
        follow_up = None
        if status in Appeal.NEEDS_NEW_DECISION:
            # Given right (or sent back): the case is not over. The KE must decide again; the follow-up request is that
            # task, due by the rule appeal.new-decision, on the KE's worklist (helhet.cases.deadlines).
            follow_up = _follow_up_request(actor, appeal, req, on, why)
            req.status = Request.Status.NEW_DECISION
            req.save(update_fields=["status"])
        elif not appeal.is_open:
            req.status = Request.Status.CLOSED
            req.save(update_fields=["status"])
        record(actor=actor, action="update", obj=appeal, person=req.person, reason=why,
               summary=gettext_noop("Klage: %(status)s"), params={"status": label(appeal, "status")},
               detail={"follow_up_request": follow_up.pk} if follow_up else None)
    appeal.follow_up_request = follow_up
    return appeal


def _follow_up_request(actor, appeal: Appeal, req: Request, on: dt.date, why: str) -> Request:
    """The new request the KE decides after an appeal decided for the person or sent back: it asks for what was refused."""
    refused = set(appealable_refusals(appeal.decision, req))
    due, _rule = new_decision_due(on, req.organization)
    follow_up = Request(person=req.person, organization=req.organization, received_on=on, channel=Request.Channel.APPEAL_OUTCOME,
                        requester_kind=req.requester_kind, requester_name=req.requester_name, wants_ip="ip" in refused,
                        wants_coordinator="coordinator" in refused, wants_child_coordinator="child_coordinator" in refused,
                        description=_("Ny avgjørelse etter klage: %(status)s (%(on)s). Frist for ny avgjørelse: %(due)s.") % {
                            "status": appeal.get_status_display(), "on": on.strftime("%d.%m.%Y"), "due": due.strftime("%d.%m.%Y")},
                        follows_appeal=appeal, registered_by=actor)
    validate(follow_up)
    follow_up.save()
    record(actor=actor, action="create", obj=follow_up, person=req.person, reason=why,
           summary=gettext_noop("Opprettet ny behandling etter klage"), detail={"appeal": appeal.pk})
    return follow_up


def _appointment_action(kind: str) -> Action:
    return Action.HOSPITAL_COORDINATOR_APPOINT if kind == CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR else Action.COORDINATOR_APPOINT


def _validate_appointee(actor, *, person: Person, kind: str, coordinator_id, unit_id, start: dt.date):
    try:
        unit = ServiceUnit.objects.select_related("organization").get(pk=unit_id)
    except (ServiceUnit.DoesNotExist, ValueError, TypeError):
        raise _invalid("unit", _("Velg en gyldig enhet.")) from None
    hospital = kind == CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR
    if hospital:
        if unit.level != Level.SPECIALIST:
            raise _invalid("unit", _("Koordinator i spesialisthelsetjenesten må komme fra en enhet i spesialisthelsetjenesten."))
        if not may_object(actor, Action.HOSPITAL_APPOINT_FROM_UNIT, unit):
            raise _invalid("unit", _("Bare enhetslederen eller helseforetakets koordinerende enhet kan oppnevne koordinator for denne enheten."))
    else:
        if not unit.organization.is_municipality:
            raise _invalid("unit", _("Koordinator og barnekoordinator oppnevnes i kommunen."))
        if not may_object(actor, Action.APPOINT_FROM_UNIT, unit):
            raise _invalid("unit", _("Du kan bare oppnevne koordinator fra enheter i din egen kommune."))
    membership = unit.memberships.filter(user_id=coordinator_id, active=True).select_related("user").first()
    if membership is None:
        raise _invalid("coordinator", _("Koordinatoren må være ansatt i den valgte enheten."))
    if kind == CoordinatorAppointment.Kind.CHILD_COORDINATOR:
        if person.age_on(start) >= 18:
            raise _invalid("kind", _("Barnekoordinator kan bare oppnevnes for barn under 18 år."))
        if rule_in_force("child-coordinator.right", start) is None:
            since = rule_first_in_force("child-coordinator.right")
            raise _invalid("start", _("Ordningen med barnekoordinator gjelder fra %(d)s.") % {"d": since.strftime("%d.%m.%Y") if since else "–"})
    if not has_valid_consent(person, [Consent.Kind.COORDINATOR, Consent.Kind.PLAN_WORK], start):
        raise Conflict("no_consent", _("Koordinator kan ikke oppnevnes uten samtykke fra personen eller den som samtykker på vegne av personen. Registrer samtykket først."))
    return membership.user, unit


def coordinator_appoint(*, actor, person: Person, kind: str, coordinator_id, unit_id, start: dt.date, person_wish: str = "",
                        request_id=None) -> CoordinatorAppointment:
    """Appoint a coordinator. There is never more than one open appointment of a kind (database constraint)."""
    if kind not in CoordinatorAppointment.Kind.values:
        raise _invalid("kind", _("Ugyldig koordinatortype."))
    why = check(actor, _appointment_action(kind), person)
    coordinator, unit = _validate_appointee(actor, person=person, kind=kind, coordinator_id=coordinator_id, unit_id=unit_id, start=start)
    request = None
    if request_id:
        request = Request.objects.filter(pk=request_id, person=person).first()
        if request is None:
            raise _invalid("request", _("Henvendelsen hører ikke til denne personen."))
    existing = CoordinatorAppointment.objects.filter(person=person, kind=kind, end__isnull=True).select_related("coordinator").first()
    if existing:
        raise Conflict("coordinator_exists", _("%(name)s har allerede %(kind)s (%(coordinator)s). Bruk «Bytt koordinator» for å overlevere.") % {
            "name": person.full_name, "kind": existing.get_kind_display().lower(), "coordinator": existing.coordinator})
    appointment = CoordinatorAppointment(person=person, kind=kind, coordinator=coordinator, unit=unit, appointed_by=actor,
                                         request=request, person_wish=person_wish, start=start)
    validate(appointment, constraints=False)
    try:
        with transaction.atomic():
            appointment.save()
            record(actor=actor, action="create", obj=appointment, person=person, reason=why,
                   summary=gettext_noop("Oppnevnte %(kind)s: %(name)s"), params={"kind": label(appointment, "kind"), "name": coordinator})
    except IntegrityError:
        raise Conflict("coordinator_exists", _("En annen oppnevnte nettopp en koordinator for denne personen. Last siden på nytt.")) from None
    return appointment


def _appointment_for(actor, appointment_id) -> tuple[CoordinatorAppointment, str]:
    appointment, _why = load(actor, CoordinatorAppointment, appointment_id, None, person_of=None,
                             queryset=CoordinatorAppointment.objects.select_related("person"))
    return appointment, check(actor, _appointment_action(appointment.kind), appointment.person)


def coordinator_handover(*, actor, appointment_id, coordinator_id, unit_id, on: dt.date, reason: str, person_wish: str = "") -> CoordinatorAppointment:
    """Replace a coordinator in one step: the old period ends the day the new one starts (no gap, no overlap)."""
    old, why = _appointment_for(actor, appointment_id)
    if old.end is not None:
        raise Conflict("appointment_ended", _("Denne oppnevningen er allerede avsluttet."))
    if on <= old.start:
        raise _invalid("on", _("Overleveringen må skje etter at nåværende koordinator ble oppnevnt."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Oppgi grunnen til byttet."))
    coordinator, unit = _validate_appointee(actor, person=old.person, kind=old.kind, coordinator_id=coordinator_id, unit_id=unit_id, start=on)
    if coordinator.pk == old.coordinator_id:
        raise _invalid("coordinator", _("Velg en annen koordinator enn den nåværende."))
    new = CoordinatorAppointment(person=old.person, kind=old.kind, coordinator=coordinator, unit=unit, appointed_by=actor,
                                 request=old.request, person_wish=person_wish, start=on, replaces=old)
    try:
        with transaction.atomic():
            ended = CoordinatorAppointment.objects.filter(pk=old.pk, end__isnull=True).update(end=on, end_reason=reason)
            if not ended:
                raise Conflict("stale", _("Koordinatoren ble byttet av en annen i mellomtiden. Last siden på nytt."))
            validate(new)
            new.save()
            record(actor=actor, action="update", obj=old, person=old.person, reason=why, summary=gettext_noop("Koordinatorbytte: %(old)s → %(new)s"), params={
                "old": old.coordinator, "new": coordinator}, detail={"new_appointment": new.pk})
    except IntegrityError:
        raise Conflict("coordinator_exists", _("Koordinatoren ble byttet av en annen i mellomtiden. Last siden på nytt.")) from None
    return new


def coordinator_end(*, actor, appointment_id, on: dt.date, reason: str) -> CoordinatorAppointment:
    appointment, why = _appointment_for(actor, appointment_id)
    if appointment.end is not None:
        raise Conflict("appointment_ended", _("Denne oppnevningen er allerede avsluttet."))
    if on <= appointment.start:
        raise _invalid("on", _("Sluttdatoen må være etter startdatoen."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Oppgi grunnen til at koordinatoroppdraget avsluttes."))
    with transaction.atomic():
        CoordinatorAppointment.objects.filter(pk=appointment.pk).update(end=on, end_reason=reason)
        appointment.end, appointment.end_reason = on, reason
        record(actor=actor, action="update", obj=appointment, person=appointment.person, reason=why, summary=gettext_noop("Avsluttet koordinatoroppdrag"))
    return appointment


# --- Contact doctor, pathway coordinator, samordningsansvar (issue 11) ---------------------------------------------


def _unit(unit_id, field: str = "unit") -> ServiceUnit:
    try:
        return ServiceUnit.objects.select_related("organization").get(pk=unit_id)
    except (ServiceUnit.DoesNotExist, ValueError, TypeError):
        raise _invalid(field, _("Velg en gyldig enhet.")) from None


def _not_future(field: str, day: dt.date | None) -> dt.date:
    if day is None:
        raise _invalid(field, _("Oppgi en dato."))
    if day > timezone.localdate():
        raise _invalid(field, _("Datoen kan ikke være fram i tid."))
    return day


def _staff_of(unit: ServiceUnit, user_id, field: str):
    if not user_id:
        return None
    membership = unit.memberships.filter(user_id=user_id, active=True).select_related("user").first()
    if membership is None:
        raise _invalid(field, _("Personen må være ansatt i den valgte enheten."))
    return membership.user


def contact_doctor_record(*, actor, person: Person, unit_id, need_found_on: dt.date, kind: str = ContactDoctor.Kind.DOCTOR,
                          clinician_id=None, clinician_name: str = "", appointed_on: dt.date | None = None) -> ContactDoctor:
    """The hospital unit leader records that the person needs a contact doctor (or psychologist), and may appoint at once.

    Not yet appointed, it is a deadline on the unit leader's list (cases.deadlines.contact_doctor_deadlines)."""
    why = check(actor, Action.CONTACT_DOCTOR_APPOINT, person)
    if kind not in ContactDoctor.Kind.values:
        raise _invalid("kind", _("Velg kontaktlege eller kontaktpsykolog."))
    unit = _unit(unit_id)
    if unit.level != Level.SPECIALIST or unit.organization.is_municipality:
        raise _invalid("unit", _("Kontaktlege oppnevnes i en enhet i spesialisthelsetjenesten."))
    check_object(actor, Action.CONTACT_DOCTOR_FROM_UNIT, unit, person=person)
    need_found_on = _not_future("need_found_on", need_found_on)
    if rule_in_force("contact-doctor.right", need_found_on) is None:
        raise _invalid("need_found_on", _("Retten til kontaktlege gjaldt ikke på denne datoen."))
    row = ContactDoctor(person=person, kind=kind, unit=unit, need_found_on=need_found_on, recorded_by=actor)
    if clinician_id or (clinician_name or "").strip():
        row.clinician = _staff_of(unit, clinician_id, "clinician")
        row.clinician_name = "" if row.clinician else clinician_name.strip()
        row.appointed_on = _not_future("appointed_on", appointed_on or timezone.localdate())
        row.appointed_by = actor
        if row.appointed_on < need_found_on:
            raise _invalid("appointed_on", _("Oppnevningen kan ikke være før behovet ble avdekket."))
    validate(row, constraints=False)
    try:
        with transaction.atomic():
            row.save()
            record(actor=actor, action="create", obj=row, person=person, reason=why,
                   summary=gettext_noop("Registrerte behov for %(kind)s") if not row.appointed_on else gettext_noop("Oppnevnte %(kind)s"),
                   params={"kind": label(row, "kind")})
    except IntegrityError:
        raise Conflict("contact_doctor_open", _("Personen har allerede kontaktlege eller kontaktpsykolog i denne enheten.")) from None
    return row


def contact_doctor_appoint(*, actor, contact_doctor_id, clinician_id=None, clinician_name: str = "",
                           appointed_on: dt.date | None = None) -> ContactDoctor:
    """Appoint the contact doctor for a recorded need (ends the deadline)."""
    row, why = load(actor, ContactDoctor, contact_doctor_id, Action.CONTACT_DOCTOR_APPOINT,
                    queryset=ContactDoctor.objects.select_related("person", "unit__organization"))
    check_object(actor, Action.CONTACT_DOCTOR_FROM_UNIT, row.unit, person=row.person)
    if row.ended_on is not None:
        raise Conflict("ended", _("Oppnevningen er avsluttet."))
    if not clinician_id and not (clinician_name or "").strip():
        raise _invalid("clinician", _("Velg eller skriv hvem som er kontaktlege."))
    row.clinician = _staff_of(row.unit, clinician_id, "clinician")
    row.clinician_name = "" if row.clinician else clinician_name.strip()
    row.appointed_on = _not_future("appointed_on", appointed_on or timezone.localdate())
    if row.appointed_on < row.need_found_on:
        raise _invalid("appointed_on", _("Oppnevningen kan ikke være før behovet ble avdekket."))
    row.appointed_by = actor
    validate(row, constraints=False)
    with transaction.atomic():
        row.save()
        record(actor=actor, action="update", obj=row, person=row.person, reason=why, summary=gettext_noop("Oppnevnte %(kind)s"),
               params={"kind": label(row, "kind")})
    return row


def pathway_coordinator_record(*, actor, person: Person, pathway: str, name: str, unit_id, start: dt.date, end: dt.date | None = None,
                               user_id=None) -> PathwayCoordinator:
    """Register the person's pathway coordinator (forløpskoordinator): who, which unit, which pathway, from / to."""
    why = check(actor, Action.PATHWAY_COORDINATOR_RECORD, person)
    if pathway not in PathwayCoordinator.Pathway.values:
        raise _invalid("pathway", _("Velg forløp."))
    unit = _unit(unit_id)
    user = _staff_of(unit, user_id, "user")
    name = (name or "").strip() or (user.get_full_name() if user else "")
    if not name:
        raise _invalid("name", _("Oppgi navnet på forløpskoordinatoren."))
    if start is None:
        raise _invalid("start", _("Oppgi en dato."))
    if end is not None and end < start:
        raise _invalid("end", _("Sluttdatoen kan ikke være før startdatoen."))
    row = PathwayCoordinator(person=person, pathway=pathway, name=name, user=user, unit=unit, start=start, end=end, recorded_by=actor)
    validate(row)
    with transaction.atomic():
        row.save()
        record(actor=actor, action="create", obj=row, person=person, reason=why, summary=gettext_noop("Registrerte forløpskoordinator: %(pathway)s"),
               params={"pathway": label(row, "pathway")})
    return row


def pathway_coordinator_end(*, actor, pathway_coordinator_id, end: dt.date) -> PathwayCoordinator:
    row, why = load(actor, PathwayCoordinator, pathway_coordinator_id, Action.PATHWAY_COORDINATOR_RECORD,
                    queryset=PathwayCoordinator.objects.select_related("person"))
    if end is None or end < row.start:
        raise _invalid("end", _("Sluttdatoen kan ikke være før startdatoen."))
    with transaction.atomic():
        PathwayCoordinator.objects.filter(pk=row.pk).update(end=end)
        row.end = end
        record(actor=actor, action="update", obj=row, person=row.person, reason=why, summary=gettext_noop("Avsluttet forløpskoordinator"))
    return row


def coordination_lead_decide(*, actor, person: Person, unit_id, decided_on: dt.date, reason: str, contact_name: str = "",
                             request_id=None) -> CoordinationLead:
    """Samordningsansvar: the municipality (its KE) decides which welfare service joins up the services when the person has
    no right to an individual plan or a coordinator, under its guideline (rule coordination-lead.duty, local version first).
    Replaces an earlier decision (ends it the same day)."""
    why = check(actor, Action.COORDINATION_LEAD_DECIDE, person)
    unit = _unit(unit_id)
    decided_on = _not_future("decided_on", decided_on)
    if not (reason or "").strip():
        raise _invalid("reason", _("Begrunn hvilken tjeneste som får samordningsansvaret."))
    if unit.is_coordinating_unit or unit.sector in ("gp",):
        raise _invalid("unit", _("Velg tjenesten som skal samordne (ikke koordinerende enhet eller fastlegen)."))
    if CoordinatorAppointment.objects.filter(person=person, end__isnull=True).exclude(kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR).exists():
        raise Conflict("has_coordinator", _("Personen har koordinator. Samordningsansvar gjelder bare når personen ikke har rett til "
                                            "individuell plan eller koordinator."))
    request = None
    if request_id:
        request = Request.objects.filter(pk=request_id, person=person).select_related("decision").first()
        if request is None:
            raise _invalid("request", _("Velg en sak for denne personen."))
        decision = getattr(request, "decision", None)
        if decision is not None and (decision.grants_ip or decision.grants_coordinator or decision.grants_child_coordinator):
            raise Conflict("right_granted", _("Saken ga rett til individuell plan eller koordinator; samordningsansvar brukes når slik rett mangler."))
    organization = acting_ke_organization(actor, person)
    if unit.organization_id != organization.pk:
        raise _invalid("unit", _("Velg en tjeneste i %(org)s.") % {"org": organization.name})
    rule = rule_in_force("coordination-lead.duty", decided_on, organization=organization)
    row = CoordinationLead(person=person, request=request, unit=unit, contact_name=(contact_name or "").strip(), decided_on=decided_on,
                           decided_by=actor, reason=reason.strip(), rule=rule)
    validate(row, constraints=False)
    try:
        with transaction.atomic():
            CoordinationLead.objects.filter(person=person, ended_on__isnull=True).update(ended_on=decided_on)
            row.save()
            record(actor=actor, action="create", obj=row, person=person, reason=why, summary=gettext_noop("Bestemte samordningsansvar: %(unit)s"),
                   params={"unit": unit.name}, detail={"rule": rule.code if rule else None})
    except IntegrityError:
        raise Conflict("stale", _("Samordningsansvaret ble endret av en annen i mellomtiden.")) from None
    return row
