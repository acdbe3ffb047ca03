"""Meetings: invitation e-mails with a valid .ics, updates and cancellation (SEQUENCE), attendance, minutes whose
action items become measures in the plan, and sending the minutes (time recorded, consent scopes respected)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.core.errors import Conflict, DomainError, NotFound
from helhet.meetings import services
from helhet.meetings.models import Invitee, Meeting, Minutes, MinutesDelivery
from helhet.plans import services as plan_services
from helhet.plans.models import IndividualPlan, Measure

icalendar = pytest.importorskip("icalendar")

pytestmark = pytest.mark.django_db


def _ics(message):
    [part] = [a for a in message.attachments if not isinstance(a, tuple)]
    assert part.get_content_type() == "text/calendar"
    assert part.get_filename() == "invitasjon.ics"
    return icalendar.Calendar.from_ical(part.get_payload(decode=True).decode()), part.get_param("method")


def test_convening_sends_each_invitee_an_email_with_a_parsable_ics(plan, convene, users):
    meeting = convene(plan)
    invitees = list(meeting.invitees.order_by("id"))
    assert [i.kind for i in invitees] == ["person", "relative", "staff", "staff"]
    assert [m.to for m in mail.outbox] == [[i.email] for i in invitees]
    cal, method = _ics(mail.outbox[0])
    assert method == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == meeting.start.astimezone(dt.UTC)
    assert event.decoded("DTEND") == meeting.end.astimezone(dt.UTC)
    assert str(event["LOCATION"]) == "Fjordvik rådhus, møterom 2"
    assert str(event["ORGANIZER"]) == f"mailto:{users['coordinator'].email}"
    attendees = event["ATTENDEE"]
    # Every invitee by name; an e-mail address only for the recipient of this copy (contact details need consent).
    assert {str(a.params["CN"]) for a in attendees} == {i.name for i in invitees}
    assert [str(a) for a in attendees if str(a).startswith("mailto:")] == [f"mailto:{invitees[0].email}"]
    assert "Tiltak, ansvar; frister" in mail.outbox[0].body
    assert meeting.invitations_sent_at is not None
    assert AuditEvent.objects.filter(object_type="meeting", object_id=str(meeting.pk), action="create").exists()


def test_the_person_is_invited_even_when_not_a_participant(plan, convene, users):
    meeting = convene(plan, participant_ids=[p.pk for p in plan.participants.filter(kind="staff")])
    assert sorted(meeting.invitees.values_list("kind", flat=True)) == ["person", "staff", "staff"]


def test_a_video_link_instead_of_a_place(plan, convene):
    meeting = convene(plan, place="", video_url="https://video.example.invalid/rom/1")
    [event] = _ics(mail.outbox[0])[0].walk("VEVENT")
    assert str(event["URL"]) == meeting.video_url


def test_update_bumps_sequence_and_cancel_sends_method_cancel(plan, convene, users):
    meeting = convene(plan)
    mail.outbox.clear()
    start = meeting.start + dt.timedelta(days=1)
    services.meeting_update(actor=users["coordinator"], meeting_id=meeting.pk, title=meeting.title, agenda="Ny saksliste", start=start,
                            end=start + dt.timedelta(hours=2), place="Helsehuset")
    cal, method = _ics(mail.outbox[0])
    [event] = cal.walk("VEVENT")
    assert method == "REQUEST" and int(event["SEQUENCE"]) == 1 and str(event["UID"]) == meeting.uid
    assert str(event["LOCATION"]) == "Helsehuset"
    mail.outbox.clear()
    services.meeting_cancel(actor=users["coordinator"], meeting_id=meeting.pk, reason="Sykdom")
    cal, method = _ics(mail.outbox[0])
    [event] = cal.walk("VEVENT")
    assert method == "CANCEL" and str(cal["METHOD"]) == "CANCEL" and int(event["SEQUENCE"]) == 2
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    with pytest.raises(Conflict):
        services.meeting_cancel(actor=users["coordinator"], meeting_id=meeting.pk, reason="igjen")


@pytest.mark.parametrize("kw, field", [
    ({"title": ""}, "title"),
    ({"agenda": "  "}, "agenda"),
    ({"place": "", "video_url": ""}, "place"),
    ({"start": timezone.now() - dt.timedelta(days=1)}, "start"),
    ({"participant_ids": [999999]}, "participant_ids"),
])
def test_bad_input_is_refused_with_nothing_written_and_nothing_sent(plan, convene, kw, field):
    with pytest.raises(DomainError) as exc:
        convene(plan, **kw)
    assert exc.value.status == 400 and field in exc.value.details["fields"]
    assert not Meeting.objects.exists() and not mail.outbox


def test_end_before_start_is_refused(plan, users):
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        services.meeting_create(actor=users["coordinator"], plan_id=plan.pk, title="x", agenda="y", start=start, end=start, place="z")
    assert "end" in exc.value.details["fields"]


@pytest.mark.parametrize("who", ["outsider", "nav", "teacher", "gp"])
def test_only_coordinator_and_ke_convene(plan, convene, who):
    with pytest.raises(NotFound):
        convene(plan, actor_key=who)
    assert not Meeting.objects.exists()


def test_ke_may_convene(plan, convene):
    assert convene(plan, actor_key="ke").organizer.username == "ke"


def test_attendance_is_recorded_per_invitee_and_marks_the_meeting_held(held, users):
    person, relative, nav, teacher = held.invitees.order_by("id")
    services.attendance_record(actor=users["coordinator"], meeting_id=held.pk,
                               attendance={person.pk: "attended", relative.pk: "excused", nav.pk: "attended", teacher.pk: "absent"})
    assert dict(Invitee.objects.filter(meeting=held).values_list("name", "attendance")) == {
        person.name: "attended", relative.name: "excused", nav.name: "attended", teacher.name: "absent"}
    assert Meeting.objects.get(pk=held.pk).status == "held"


def test_attendance_refuses_bad_values_and_future_meetings(held, plan, convene, users):
    inv = held.invitees.first()
    for bad in ({inv.pk: "maybe"}, {999999: "attended"}, {}):
        with pytest.raises(DomainError):
            services.attendance_record(actor=users["coordinator"], meeting_id=held.pk, attendance=bad)
    assert not Invitee.objects.exclude(attendance="").exists()
    future = convene(plan)
    with pytest.raises(Conflict):
        services.attendance_record(actor=users["coordinator"], meeting_id=future.pk, attendance={future.invitees.first().pk: "attended"})


def test_minutes_action_items_become_measures_with_responsible_and_deadline(held, plan, users, world):
    c = users["coordinator"]
    goal = plan_services.goal_add(actor=c, plan_id=plan.pk, based_on_version=plan.version, text="Komme i jobb")
    version = goal.plan.version
    minutes = services.minutes_write(actor=c, meeting_id=held.pk, based_on_version=version, text="Vi ble enige om arbeidstrening.", action_items=[
        {"text": "Søke arbeidstrening", "responsible_person_id": users["nav"].pk, "responsible_unit_id": world.units["fjordvik_nav"].pk,
         "deadline": dt.date(2030, 3, 1), "goal_id": goal.pk},
        {"text": "Avklare skoleplass", "responsible_unit_id": world.units["fjordvik_school"].pk, "deadline": "2030-04-01"},
    ])
    first, second = Measure.objects.filter(plan=plan).order_by("id")
    assert first.title == "Søke arbeidstrening" and first.responsible_person == users["nav"]
    assert first.responsible_unit == world.units["fjordvik_nav"] and first.deadline == dt.date(2030, 3, 1)
    assert list(first.goals.all()) == [goal]
    assert second.responsible_unit == world.units["fjordvik_school"] and second.deadline == dt.date(2030, 4, 1)
    assert list(minutes.action_items.values_list("measure_id", flat=True)) == [first.pk, second.pk]
    assert IndividualPlan.objects.get(pk=plan.pk).version == version + 2
    assert Meeting.objects.get(pk=held.pk).status == "held"
    with pytest.raises(Conflict):  # written once
        services.minutes_write(actor=c, meeting_id=held.pk, based_on_version=version + 2, text="igjen")


def test_a_plan_version_from_the_future_writes_nothing(held, plan, users, world):
    c = users["coordinator"]
    with pytest.raises(Conflict) as exc:
        services.minutes_write(actor=c, meeting_id=held.pk, based_on_version=plan.version + 5, text="Referat",
                               action_items=[{"text": "Tiltak", "responsible_unit_id": world.units["fjordvik_care"].pk}])
    assert exc.value.code == "stale"
    assert not Minutes.objects.exists() and not Measure.objects.filter(plan=plan).exists()


def test_someone_elses_change_meanwhile_does_not_block_the_minutes(held, plan, users, world):
    """Per-item versions: the action items are new measures, so another item's change is no conflict."""
    base = plan.version
    plan_services.goal_add(actor=users["ke"], plan_id=plan.pk, based_on_version=base, text="Noen andres endring")
    services.minutes_write(actor=users["coordinator"], meeting_id=held.pk, based_on_version=base, text="Referat",
                           action_items=[{"text": "Tiltak", "responsible_unit_id": world.units["fjordvik_care"].pk}])
    assert Minutes.objects.count() == 1 and Measure.objects.filter(plan=plan, title="Tiltak").exists()


@pytest.mark.parametrize("items", [
    [{"text": "", "responsible_unit_id": 1}],
    [{"text": "Uten ansvarlig"}],
    [{"text": "Ugyldig enhet", "responsible_unit_id": 999999}],
    [{"text": "Ugyldig frist", "responsible_person_id": None, "responsible_unit_id": None, "deadline": "31.12.2030"}],
])
def test_bad_action_items_write_nothing(held, plan, users, items):
    with pytest.raises(DomainError) as exc:
        services.minutes_write(actor=users["coordinator"], meeting_id=held.pk, based_on_version=plan.version, text="Referat", action_items=items)
    assert exc.value.status == 400
    assert not Minutes.objects.exists() and not Measure.objects.filter(plan=plan).exists()


def test_minutes_cannot_be_written_before_the_meeting(plan, convene, users):
    meeting = convene(plan)
    with pytest.raises(Conflict):
        services.minutes_write(actor=users["coordinator"], meeting_id=meeting.pk, based_on_version=plan.version, text="For tidlig")


def test_sending_records_the_time_once_and_mails_everyone(held, plan, users, share):
    share(["general"], "nav", "teacher")
    c = users["coordinator"]
    services.minutes_write(actor=c, meeting_id=held.pk, based_on_version=plan.version, text="Generelt referat")
    mail.outbox.clear()
    minutes = services.minutes_send(actor=c, meeting_id=held.pk)
    assert Minutes.objects.get(pk=minutes.pk).sent_at == minutes.sent_at is not None
    assert len(mail.outbox) == 4 and all("Generelt referat" in m.body for m in mail.outbox)
    assert MinutesDelivery.objects.filter(minutes=minutes, with_content=True).count() == 4
    assert AuditEvent.objects.filter(action="export", object_type="minutes", object_id=str(minutes.pk)).exists()
    with pytest.raises(Conflict):
        services.minutes_send(actor=c, meeting_id=held.pk)


def test_minutes_of_a_health_category_go_only_to_those_allowed_others_get_a_notice(held, plan, users, share):
    share(["general"], "nav", "teacher")
    c = users["coordinator"]
    services.minutes_write(actor=c, meeting_id=held.pk, based_on_version=plan.version, text="Diagnose og medisinering", category="health_function")
    mail.outbox.clear()
    services.minutes_send(actor=c, meeting_id=held.pk)
    by_to = {m.to[0]: m.body for m in mail.outbox}
    assert "Diagnose" in by_to["mari@example.invalid"]  # the person always
    for other in ("eva@example.invalid", users["nav"].email, users["teacher"].email):  # no sharing consent for health
        assert "Diagnose" not in by_to[other] and "samtykke" in by_to[other]
    assert dict(MinutesDelivery.objects.values_list("invitee__kind", "with_content").filter(invitee__kind="person")) == {"person": True}
    assert MinutesDelivery.objects.filter(with_content=False).count() == 3


def test_a_participant_whose_sharing_consent_covers_the_category_gets_the_content(held, plan, users, share):
    if share(["general", "health_function"], "nav") is None:
        pytest.skip("sharing consent with categories not in this build")
    share(["general"], "teacher")
    c = users["coordinator"]
    services.minutes_write(actor=c, meeting_id=held.pk, based_on_version=plan.version, text="Diagnose og medisinering", category="health_function")
    mail.outbox.clear()
    services.minutes_send(actor=c, meeting_id=held.pk)
    by_to = {m.to[0]: m.body for m in mail.outbox}
    assert "Diagnose" in by_to[users["nav"].email]
    assert "Diagnose" not in by_to[users["teacher"].email]


def test_send_without_minutes_is_a_conflict(held, users):
    with pytest.raises(Conflict):
        services.minutes_send(actor=users["coordinator"], meeting_id=held.pk)
