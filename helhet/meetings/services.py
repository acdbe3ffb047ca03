"""Writes for plan-group meetings, minutes and messages. Browser views and API handlers call these only.

Each service is keyword-only with `actor` first, checks access through helhet.access.queries.check BEFORE
its transaction (a refusal's 'denied' audit event survives; anything not the actor's is NotFound/404),
validates, saves and writes its audit event in the same transaction. E-mails are written to the outbox in that
transaction and sent after commit (helhet.core.outbox): a failed write sends nothing, and a failed e-mail is retried
by the worker, never a 500 for a write that committed.

Interface:
    meeting_create(*, actor, plan_id, title, agenda, start, end, place="", video_url="", participant_ids=None,
                   invite_person=True) -> Meeting
        Invitees = the chosen active plan participants (None: all active ones) + the person when they are not a
        participant already. Sends each invitee with an e-mail address an invitation with a METHOD:REQUEST .ics.
    meeting_update(*, actor, meeting_id, title, agenda, start, end, place="", video_url="") -> Meeting
        SEQUENCE + 1 and the updated REQUEST sent again.
    meeting_cancel(*, actor, meeting_id, reason) -> Meeting              # METHOD:CANCEL sent
    attendance_record(*, actor, meeting_id, attendance: dict[invitee_id, "attended"|"absent"|"excused"]) -> Meeting
    minutes_write(*, actor, meeting_id, based_on_version, text, category="general", action_items=[...]) -> Minutes
        action_items: dicts with text, responsible_unit_id, responsible_person_id, deadline, goal_id (all but text
        optional). Each becomes a Measure in the plan through helhet.plans.services.measure_add, chained from
        `based_on_version` (the plan's working version the writer started from; stale -> Conflict 409, nothing saved).
    minutes_send(*, actor, meeting_id) -> Minutes
        Sends the minutes to every invitee: with content to those allowed to see its category
        (helhet.meetings.scopes), a notice without content to the others; records sent_at and each delivery.
    thread_create(*, actor, plan_id, subject, text, category="general") -> Thread
    post_add(*, actor, thread_id, text) -> Post
    thread_mark_read(*, actor, thread) -> None          # after the thread was shown (selectors.thread_detail)
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import check, check_plan, deny, load
from helhet.audit.services import record
from helhet.core import limits, outbox
from helhet.core.errors import Conflict, validate
from helhet.core.errors import (
    invalid as _invalid,  # the one 400 helper (helhet.core.errors.invalid)
)
from helhet.core.times import require_aware
from helhet.organizations.models import ServiceUnit, User
from helhet.plans import services as plan_services
from helhet.plans.models import Goal, IndividualPlan, Participant

from . import ical, scopes
from .models import ActionItem, Invitee, Meeting, Minutes, MinutesDelivery, Post, ReadMarker, Thread


def _plan(actor, plan_id, action: Action) -> tuple[IndividualPlan, str]:
    plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None,
                      queryset=IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization", "consent"))
    return plan, _check(actor, action, plan)


def _check(actor, action: Action, plan) -> str:
    """Meeting management is a plan action (its responsible KE, the coordinator); posting a message a person action."""
    return check_plan(actor, action, plan) if action == Action.MEETING_MANAGE else check(actor, action, plan.person)


def _meeting(actor, meeting_id, action: Action = Action.MEETING_MANAGE) -> tuple[Meeting, str]:
    meeting, _why = load(actor, Meeting, meeting_id, None, person_of=None,
                         queryset=Meeting.objects.select_related("plan__person__home_municipality", "plan__main_unit__organization",
                                                                 "plan__consent", "organizer"))
    return meeting, _check(actor, action, meeting.plan)


def _open(plan: IndividualPlan) -> None:
    if plan.is_closed:
        raise Conflict("closed", _("Planen er avsluttet. Det kan ikke kalles inn til nye møter i den."))


def _audit(actor, action: str, obj, plan: IndividualPlan, why: str, summary: str, **detail) -> None:
    record(actor=actor, action=action, obj=obj, person=plan.person, reason=why, summary=summary, detail={"plan": plan.pk, **detail})


def _fmt(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y kl. %H:%M")


# ---------------------------------------------------------------- meetings


def _invitee_from(participant: Participant) -> Invitee:
    if participant.kind == Participant.Kind.STAFF:
        return Invitee(participant=participant, kind=participant.kind, user=participant.user, name=participant.name,
                       email=participant.user.email or "")
    if participant.kind == Participant.Kind.RELATIVE:
        return Invitee(participant=participant, kind=participant.kind, relative=participant.relative, name=participant.relative.name,
                       email=participant.relative.email or "")
    person = participant.plan.person
    return Invitee(participant=participant, kind=participant.kind, name=person.full_name, email=person.email or "")


def _may_be_invited(participant: Participant) -> bool:
    """Relatives are invited only while registered as taking part in the plan work (plans.services._participant_may_join)."""
    return participant.kind != Participant.Kind.RELATIVE or bool(participant.relative and participant.relative.may_take_part)


def _invitee_may_be_invited(invitee: Invitee) -> bool:
    """An existing invitee: by their plan participant (_may_be_invited); a relative whose participant row is gone, by the
    relative's own registration."""
    if invitee.participant is not None:
        return _may_be_invited(invitee.participant)
    return invitee.kind != Participant.Kind.RELATIVE or bool(invitee.relative and invitee.relative.may_take_part)


def _check_times(start, end) -> None:
    if not isinstance(start, dt.datetime):
        raise _invalid("start", _("Oppgi når møtet starter."))
    if not isinstance(end, dt.datetime):
        raise _invalid("end", _("Oppgi når møtet slutter."))
    # A time without a UTC offset is refused before anything is written (it was a 500 after the write): the API
    # refuses it in its schema already (helhet.core.times.AwareDateTime), the forms read Oslo time.
    require_aware("start", start)
    require_aware("end", end)
    if end <= start:
        raise _invalid("end", _("Møtet må slutte etter at det starter."))


def _send_invitations(meeting: Meeting, invitees: list[Invitee], *, method: str) -> int:
    """One e-mail per invitee with an address, each with its own copy of the .ics (same UID, SEQUENCE) attached: the
    other invitees are listed by name only, and only the recipient's own address is in it (helhet.meetings.ical).

    Called INSIDE the write's transaction: the e-mails go to the outbox (helhet.core.outbox) and are sent after
    commit; a failure (SMTP, a title with CR/LF in the subject) is retried by the worker, never raised."""
    where = ", ".join(x for x in (meeting.place, meeting.video_url) if x)
    if method == "CANCEL":
        subject = _("Avlyst: %(title)s %(when)s") % {"title": meeting.title, "when": _fmt(meeting.start)}
        body = _("Møtet i plangruppen er avlyst.\n\n%(title)s\nTid: %(when)s\nSted: %(where)s\n\nÅrsak: %(reason)s\n") % {
            "title": meeting.title, "when": _fmt(meeting.start), "where": where, "reason": meeting.cancelled_reason}
    else:
        prefix = _("Endret innkalling") if meeting.sequence else _("Innkalling")
        subject = f"{prefix}: {meeting.title} {_fmt(meeting.start)}"
        body = _("Du er innkalt til møte i plangruppen.\n\n%(title)s\nTid: %(when)s – %(until)s\nSted: %(where)s\n\nSaksliste:\n%(agenda)s\n") % {
            "title": meeting.title, "when": _fmt(meeting.start), "until": timezone.localtime(meeting.end).strftime("%H:%M"),
            "where": where, "agenda": meeting.agenda}
    sent = 0
    for invitee in invitees:
        if not invitee.email:
            continue
        ics = ical.invitation(meeting, invitees, method=method, recipient=invitee)
        outbox.enqueue(to=invitee.email, subject=subject, body=body, purpose=f"meeting.{method.lower()}",
                       attachments=[{"filename": "invitasjon.ics", "content": ics, "mimetype": "text/calendar",
                                     "params": {"method": method}}])
        sent += 1
    return sent


def meeting_create(*, actor, plan_id, title: str, agenda: str, start: dt.datetime, end: dt.datetime, place: str = "", video_url: str = "",
                   participant_ids: list | None = None, invite_person: bool = True) -> Meeting:
    """Convene a meeting of the plan group and send the invitations."""
    plan, why = _plan(actor, plan_id, Action.MEETING_MANAGE)
    _open(plan)
    _check_times(start, end)
    if start < timezone.now():
        raise _invalid("start", _("Et nytt møte kan ikke legges tilbake i tid."))
    if not (title or "").strip():
        raise _invalid("title", _("Gi møtet en tittel."))
    if not (agenda or "").strip():
        raise _invalid("agenda", _("Skriv sakslisten."))
    participants = list(Participant.objects.filter(plan=plan, active=True).select_related("user", "relative", "plan__person"))
    if participant_ids is not None:
        try:
            wanted = {int(p) for p in participant_ids}
        except (TypeError, ValueError):
            raise _invalid("participant_ids", _("Ugyldige deltakere.")) from None
        if wanted - {p.pk for p in participants}:
            raise _invalid("participant_ids", _("Bare aktive deltakere i planarbeidet kan innkalles."))
        participants = [p for p in participants if p.pk in wanted]
        barred = [p for p in participants if not _may_be_invited(p)]
        if barred:
            raise _invalid("participant_ids", _("%(name)s er ikke registrert som pårørende som kan delta i planarbeidet, og kan ikke "
                                                "innkalles.") % {"name": barred[0].relative.name})
    # A relative who may not take part (Relative.may_take_part=False, e.g. changed after they joined) is not invited.
    invitees = [_invitee_from(p) for p in participants if _may_be_invited(p)]
    if invite_person and not any(i.kind == Participant.Kind.PERSON for i in invitees):
        invitees.insert(0, Invitee(kind=Participant.Kind.PERSON, name=plan.person.full_name, email=plan.person.email or ""))
    if not invitees:
        raise _invalid("participant_ids", _("Velg hvem som skal innkalles."))
    meeting = Meeting(plan=plan, title=title.strip(), agenda=agenda.strip(), start=start, end=end, place=(place or "").strip(),
                      video_url=(video_url or "").strip(), organizer=actor)
    validate(meeting)
    now = timezone.now()
    with transaction.atomic():
        meeting.invitations_sent_at = now
        meeting.save()
        for invitee in invitees:
            invitee.meeting = meeting
        Invitee.objects.bulk_create(invitees)
        _audit(actor, "create", meeting, plan, why, _("Kalte inn til møte: %(title)s") % {"title": meeting.title},
               invitees=[i.name for i in invitees])
        record(actor=actor, action="export", obj=meeting, person=plan.person, reason=why,
               summary=gettext_noop("Sendte innkalling til %(n)s deltakere"), params={"n": len(invitees)},
               detail={"plan": plan.pk, "to": [i.email for i in invitees if i.email]})
        _send_invitations(meeting, list(meeting.invitees.all()), method="REQUEST")
    return meeting


def meeting_update(*, actor, meeting_id, title: str, agenda: str, start: dt.datetime, end: dt.datetime, place: str = "",
                   video_url: str = "") -> Meeting:
    """Change time, place or agenda; the invitation is sent again with a higher SEQUENCE."""
    meeting, why = _meeting(actor, meeting_id)
    _open(meeting.plan)
    if meeting.status != Meeting.Status.PLANNED:
        raise Conflict("not_planned", _("Bare planlagte møter kan endres."))
    _check_times(start, end)
    meeting.title, meeting.agenda, meeting.start, meeting.end = (title or "").strip(), (agenda or "").strip(), start, end
    meeting.place, meeting.video_url = (place or "").strip(), (video_url or "").strip()
    validate(meeting)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.sequence = locked.sequence + 1
        meeting.invitations_sent_at = timezone.now()
        meeting.save()
        _audit(actor, "update", meeting, meeting.plan, why, _("Endret møte: %(title)s") % {"title": meeting.title}, sequence=meeting.sequence)
        # A relative who may no longer take part (Relative.may_take_part turned off after the first invitation) is not
        # sent the changed invitation, and is not listed in it: the same rule as meeting_create (_may_be_invited).
        invitees = [i for i in meeting.invitees.select_related("participant__relative", "relative") if _invitee_may_be_invited(i)]
        _send_invitations(meeting, invitees, method="REQUEST")
    return meeting


def meeting_cancel(*, actor, meeting_id, reason: str) -> Meeting:
    meeting, why = _meeting(actor, meeting_id)
    if meeting.status != Meeting.Status.PLANNED:
        raise Conflict("not_planned", _("Bare planlagte møter kan avlyses."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Skriv hvorfor møtet avlyses."))
    if len(reason.strip()) > limits.limit_for(Meeting, "cancelled_reason"):
        raise _invalid("reason", _("Årsaken kan være høyst %(max)s tegn.") % {"max": limits.limit_for(Meeting, "cancelled_reason")})
    with transaction.atomic():
        updated = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.PLANNED).update(
            status=Meeting.Status.CANCELLED, cancelled_reason=reason.strip(), sequence=meeting.sequence + 1, updated_at=timezone.now())
        if not updated:
            raise Conflict("not_planned", _("Møtet er allerede avlyst eller gjennomført."))
        meeting.status, meeting.cancelled_reason, meeting.sequence = Meeting.Status.CANCELLED, reason.strip(), meeting.sequence + 1
        _audit(actor, "update", meeting, meeting.plan, why, _("Avlyste møte: %(title)s") % {"title": meeting.title})
        _send_invitations(meeting, list(meeting.invitees.all()), method="CANCEL")
    return meeting


def _mark_held(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.PLANNED:
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, updated_at=timezone.now())
        meeting.status = Meeting.Status.HELD


def _started(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise Conflict("cancelled", _("Møtet er avlyst."))
    if meeting.start > timezone.now():
        raise Conflict("not_started", _("Møtet har ikke startet ennå (%(when)s).") % {"when": _fmt(meeting.start)})


def attendance_record(*, actor, meeting_id, attendance: dict) -> Meeting:
    """Record attended / absent / excused per invitee; marks the meeting held."""
    meeting, why = _meeting(actor, meeting_id)
    _started(meeting)
    invitees = {i.pk: i for i in meeting.invitees.all()}
    changes = {}
    for key, value in (attendance or {}).items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise _invalid("attendance", _("Ukjent deltaker.")) from None
        if pk not in invitees:
            raise _invalid("attendance", _("Ukjent deltaker."))
        if value not in Invitee.Attendance.values:
            raise _invalid("attendance", _("Ugyldig oppmøte."))
        changes[pk] = value
    if not changes:
        raise _invalid("attendance", _("Registrer oppmøte for minst én deltaker."))
    with transaction.atomic():
        for pk, value in changes.items():
            Invitee.objects.filter(pk=pk).update(attendance=value)
        _mark_held(meeting)
        _audit(actor, "update", meeting, meeting.plan, why, _("Registrerte oppmøte: %(title)s") % {"title": meeting.title},
               attendance={invitees[pk].name: v for pk, v in changes.items()})
    return meeting


# ---------------------------------------------------------------- minutes


def _action_item(plan: IndividualPlan, raw: dict, n: int) -> ActionItem:
    text = (raw.get("text") or "").strip()
    if not text:
        raise _invalid("action_items", _("Oppfølgingspunkt %(n)s mangler tekst.") % {"n": n})
    if len(text) > 300:
        raise _invalid("action_items", _("Oppfølgingspunkt %(n)s er for langt (høyst 300 tegn).") % {"n": n})
    item = ActionItem(text=text)
    unit_id, person_id, goal_id, deadline = (raw.get("responsible_unit_id"), raw.get("responsible_person_id"), raw.get("goal_id"),
                                             raw.get("deadline"))
    try:
        if unit_id:
            item.responsible_unit = ServiceUnit.objects.get(pk=unit_id)
        if person_id:
            item.responsible_person = User.objects.get(pk=person_id, is_active=True)
        if goal_id:
            item.goal = Goal.objects.get(pk=goal_id, plan=plan)
    except (ServiceUnit.DoesNotExist, User.DoesNotExist, Goal.DoesNotExist, ValueError, TypeError):
        raise _invalid("action_items", _("Oppfølgingspunkt %(n)s: ugyldig ansvarlig eller mål.") % {"n": n}) from None
    if deadline:
        if isinstance(deadline, str):
            try:
                deadline = dt.date.fromisoformat(deadline)
            except ValueError:
                raise _invalid("action_items", _("Oppfølgingspunkt %(n)s: ugyldig frist.") % {"n": n}) from None
        if not isinstance(deadline, dt.date):
            raise _invalid("action_items", _("Oppfølgingspunkt %(n)s: ugyldig frist.") % {"n": n})
        item.deadline = deadline
    if not (item.responsible_unit or item.responsible_person):
        raise _invalid("action_items", _("Oppfølgingspunkt %(n)s: oppgi hvem som er ansvarlig.") % {"n": n})
    return item


def minutes_write(*, actor, meeting_id, based_on_version, text: str, category: str = scopes.GENERAL, action_items: list | None = None) -> Minutes:
    """Write the minutes; each action item becomes a measure in the plan (with responsible and deadline)."""
    meeting, why = _meeting(actor, meeting_id)
    _open(meeting.plan)
    _started(meeting)
    if Minutes.objects.filter(meeting=meeting).exists():
        raise Conflict("minutes_exist", _("Referatet for dette møtet er allerede skrevet."))
    if not (text or "").strip():
        raise _invalid("text", _("Skriv referatet."))
    if category not in scopes.CATEGORIES:
        raise _invalid("category", _("Velg en gyldig opplysningskategori."))
    items = [_action_item(meeting.plan, raw or {}, n) for n, raw in enumerate(action_items or [], start=1)]
    based_on_version = plan_services._as_version(based_on_version)  # 400 when missing, before anything is written
    minutes = Minutes(meeting=meeting, text=text.strip(), category=category, written_by=actor)
    limits.enforce(minutes)
    when = timezone.localtime(meeting.start).strftime("%d.%m.%Y")
    with transaction.atomic():
        minutes.save()
        version = based_on_version
        for item in items:
            measure = plan_services.measure_add(
                actor=actor, plan_id=meeting.plan_id, based_on_version=version, title=item.text,
                how=_("Fra referat fra møtet %(title)s %(when)s.") % {"title": meeting.title, "when": when},
                responsible_unit_id=item.responsible_unit.pk if item.responsible_unit else None,
                responsible_person_id=item.responsible_person.pk if item.responsible_person else None,
                deadline=item.deadline, goal_ids=[item.goal.pk] if item.goal else [])
            version = measure.plan.version
            item.minutes, item.measure = minutes, measure
            item.save()
        _mark_held(meeting)
        _audit(actor, "create", minutes, meeting.plan, why, _("Skrev referat: %(title)s") % {"title": meeting.title},
               meeting=meeting.pk, category=category, measures=[i.measure_id for i in items])
    minutes.plan_version = version if items else None
    return minutes


def minutes_send(*, actor, meeting_id) -> Minutes:
    """Send the minutes to every invitee, respecting consent scopes; the sending time is recorded once."""
    meeting, why = _meeting(actor, meeting_id)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        raise Conflict("no_minutes", _("Referatet er ikke skrevet ennå."))
    if minutes.sent_at:
        raise Conflict("already_sent", _("Referatet ble sendt %(when)s.") % {"when": _fmt(minutes.sent_at)})
    invitees = list(meeting.invitees.select_related("user", "relative"))
    person = meeting.plan.person
    day = timezone.localdate()
    deliveries = []
    now = timezone.now()
    for invitee in invitees:
        if invitee.kind == Participant.Kind.PERSON:
            allowed = True
        elif invitee.kind == Participant.Kind.RELATIVE:
            allowed = scopes.relative_may_see(invitee.relative, minutes.category)
        else:
            allowed = invitee.user is not None and scopes.may_see_category(invitee.user, meeting.plan, minutes.category, day=day)
        deliveries.append(MinutesDelivery(minutes=minutes, invitee=invitee, with_content=allowed, email=invitee.email, sent_at=now))
    with transaction.atomic():
        updated = Minutes.objects.filter(pk=minutes.pk, sent_at__isnull=True).update(sent_at=now, sent_by=actor)
        if not updated:
            raise Conflict("already_sent", _("Referatet er allerede sendt."))
        minutes.sent_at, minutes.sent_by = now, actor
        MinutesDelivery.objects.bulk_create(deliveries)
        record(actor=actor, action="export", obj=minutes, person=person, reason=why,
               summary=gettext_noop("Sendte referat fra %(title)s"), params={"title": meeting.title},
               detail={"plan": meeting.plan_id, "meeting": meeting.pk, "category": minutes.category,
                       "with_content": [d.invitee.name for d in deliveries if d.with_content],
                       "notice_only": [d.invitee.name for d in deliveries if not d.with_content]})
        _mail_minutes(meeting, minutes, deliveries)  # to the outbox: sent after commit, retried by the worker
    return minutes


def _mail_minutes(meeting: Meeting, minutes: Minutes, deliveries: list[MinutesDelivery]) -> None:
    when = timezone.localtime(meeting.start).strftime("%d.%m.%Y")
    subject = _("Referat: %(title)s %(when)s") % {"title": meeting.title, "when": when}
    items = list(minutes.action_items.select_related("responsible_unit", "responsible_person"))
    lines = [minutes.text, ""]
    if items:
        lines.append(_("Oppfølgingspunkter (lagt inn som tiltak i planen):"))
        for item in items:
            who = item.responsible_person.get_full_name() if item.responsible_person else (item.responsible_unit.name if item.responsible_unit else "")
            due = item.deadline.strftime("%d.%m.%Y") if item.deadline else "–"
            lines.append(f"- {item.text} ({_('ansvarlig')}: {who}; {_('frist')}: {due})")
    full = "\n".join(lines)
    notice = _("Referatet fra møtet i plangruppen %(when)s er klart. Det inneholder opplysninger (%(category)s) som du ikke har "
               "samtykke til å få, og derfor sendes ikke innholdet til deg. Ta kontakt med koordinatoren ved spørsmål.") % {
        "when": when, "category": minutes.get_category_display().lower()}
    for delivery in deliveries:
        if not delivery.email:
            continue
        body = full if delivery.with_content else notice
        outbox.enqueue(to=delivery.email, subject=subject, body=body, purpose="meeting.minutes")


# ---------------------------------------------------------------- messages


def thread_create(*, actor, plan_id, subject: str, text: str, category: str = scopes.GENERAL) -> Thread:
    plan, why = _plan(actor, plan_id, Action.MESSAGE_POST)
    if not (subject or "").strip():
        raise _invalid("subject", _("Skriv et emne."))
    if len(subject.strip()) > 200:
        raise _invalid("subject", _("Emnet er for langt (høyst 200 tegn)."))
    if not (text or "").strip():
        raise _invalid("text", _("Skriv meldingen."))
    if category not in scopes.CATEGORIES:
        raise _invalid("category", _("Velg en gyldig opplysningskategori."))
    if not scopes.may_see_category(actor, plan, category):
        raise _invalid("category", _("Du kan ikke skrive i en kategori du selv ikke har tilgang til."))
    limits.enforce(Post(text=text.strip()))
    with transaction.atomic():
        thread = Thread.objects.create(plan=plan, subject=subject.strip(), category=category, created_by=actor, last_post_at=timezone.now())
        post = Post.objects.create(thread=thread, author=actor, text=text.strip())
        ReadMarker.objects.create(thread=thread, user=actor, last_read_post_id=post.pk)
        _audit(actor, "create", thread, plan, why, _("Ny melding: %(subject)s") % {"subject": thread.subject}, category=category)
    return thread


def post_add(*, actor, thread_id, text: str) -> Post:
    thread, why = load(actor, Thread, thread_id, Action.MESSAGE_POST, person_of=lambda t: t.plan.person,
                       queryset=Thread.objects.select_related("plan__person", "plan__main_unit__organization", "plan__consent"))
    if not scopes.may_see_category(actor, thread.plan, thread.category):
        deny(actor, Action.MESSAGE_POST, obj=thread, person=thread.plan.person)
    if not (text or "").strip():
        raise _invalid("text", _("Skriv meldingen."))
    limits.enforce(Post(text=text.strip()))
    with transaction.atomic():
        post = Post.objects.create(thread=thread, author=actor, text=text.strip())
        Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
        ReadMarker.objects.update_or_create(thread=thread, user=actor, defaults={"last_read_post_id": post.pk})
        _audit(actor, "create", post, thread.plan, why, _("Svarte i: %(subject)s") % {"subject": thread.subject}, thread=thread.pk)
    return post


def thread_mark_read(*, actor, thread: Thread, last_post_id: int) -> None:
    """Move the actor's read marker forward (never back). Called after the thread was shown to them."""
    marker, created = ReadMarker.objects.get_or_create(thread=thread, user=actor, defaults={"last_read_post_id": last_post_id})
    if not created and marker.last_read_post_id < last_post_id:
        ReadMarker.objects.filter(pk=marker.pk, last_read_post_id__lt=last_post_id).update(last_read_post_id=last_post_id)
