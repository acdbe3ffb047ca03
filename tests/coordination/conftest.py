from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.cases import services as case_services
from helhet.cases.models import CoordinatorAppointment, Request
from helhet.coordination import services
from helhet.coordination.models import (
    Disagreement,
    NeedNotification,
    PartnerInformation,
    PartnerInformationObjection,
    Transfer,
    TransferChecklistItem,
)

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


@pytest.fixture
def loop(world, users, make_person, consent_for, share):
    """patient: in hospital (clinician involved) with a municipal coordinator, a need notification to Fjordvik's KE, a request for a
    hospital coordinator to the ward (both sent under a sharing consent of health and function naming the KE and the ward),
    and an open disagreement. other: an open transfer and an objection to partner information."""
    patient = make_person(given_name="Mari", family_name="Fjellheim", involve=(("trust_ward", "clinician"), ("fjordvik_care", "coordinator")))
    other = make_person(given_name="Per", family_name="Olsen")
    for p in (patient, other):
        consent_for(p, given_on=TODAY() - dt.timedelta(days=90))
        consent_for(p, kind="sharing", given_on=TODAY() - dt.timedelta(days=90))
        case_services.coordinator_appoint(actor=users["ke"], person=p, kind="coordinator", coordinator_id=users["coordinator"].pk,
                                          unit_id=world.units["fjordvik_care"].pk, start=TODAY() - dt.timedelta(days=60))
    health = share(patient, ["health_function"], units=[world.units["fjordvik_ke"], world.units["trust_ward"]])
    n = services.need_notification_send(actor=users["clinician"], person=patient, direction="to_municipality", sent_on=TODAY(),
                                        summary="Trenger oppfølging.", contact_name="Jonas Lie", needs_coordinator=True, consent_id=health.pk)
    rev = services.need_notification_send(actor=users["ke"], person=patient, direction="to_hospital", sent_on=TODAY(), summary="Innlagt.",
                                          contact_name="Kari Nordvik", to_unit_id=world.units["trust_ward"].pk, consent_id=health.pk)
    d = services.disagreement_raise(actor=users["ke"], person=patient, kind="needs_or_rights", description="Uenige om behov.",
                                    raised_on=TODAY(), health_trust_id=world.orgs["trust"].pk)
    t = services.transfer_start(actor=users["ke"], person=other, kind="coordinator_leaves", effective_on=TODAY())
    o = services.partner_objection_record(actor=users["ke"], person=other, objected_on=TODAY(), given_by_name="Per Olsen", how="oral")
    return {"patient": patient, "other": other, "n": n, "rev": rev, "d": d, "t": t, "o": o, "health": health}


def snapshot():
    """Everything the coordination pages and endpoints could write."""
    return (
        AuditEvent.objects.filter(action__in=["create", "update"]).count(),
        list(NeedNotification.objects.order_by("pk").values_list("pk", "status", "acknowledged_on")),
        list(Transfer.objects.order_by("pk").values_list("pk", "status")),
        list(TransferChecklistItem.objects.order_by("pk").values_list("pk", "done_on", "not_applicable", "note")),
        list(Disagreement.objects.order_by("pk").values_list("pk", "status")),
        list(PartnerInformationObjection.objects.order_by("pk").values_list("pk", "withdrawn_on")),
        PartnerInformation.objects.count(), Request.objects.count(), CoordinatorAppointment.objects.count(),
    )
