"""Browser pages for plan-group meetings, minutes and messages. Thin: parse a form, call one service or
selector, render. A DomainError from a service is shown on the form with its status (400/409); 404s pass
through to the 404 page (DomainErrorMiddleware). Successful POSTs redirect (POST-redirect-GET).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhet.core.errors import DomainError, NotFound
from helhet.core.forms import form_page, submit
from helhet.core.paging import offset_page
from helhet.plans.models import Goal, Participant

from . import forms as f
from . import ical, selectors, services

# ---------------------------------------------------------------- meetings


@login_required
@require_GET
def meeting_list(request, plan_id: int):
    view = selectors.meetings_of_plan(actor=request.user, plan_id=plan_id)
    view.meetings = offset_page(view.meetings, request.GET)  # one plan's meetings: a bounded list
    return render(request, "meetings/meeting_list.html", {"view": view, "plan": view.plan})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, plan_id: int):
    view = selectors.meetings_of_plan(actor=request.user, plan_id=plan_id)  # checks access: 404 for outsiders
    if not view.may_manage:
        raise NotFound()
    participants = list(Participant.objects.filter(plan=view.plan, active=True).select_related("user", "relative", "plan__person"))
    start = f.default_start()
    form = f.MeetingForm(request.POST or None, participants=participants,
                         initial={"start": start, "end": start.replace(hour=11)})

    def run(d):
        return services.meeting_create(actor=request.user, plan_id=plan_id, title=d["title"], agenda=d["agenda"], start=d["start"],
                                       end=d["end"], place=d["place"], video_url=d["video_url"],
                                       participant_ids=[int(p) for p in d["participants"]])

    return form_page(request, form=form, template="meetings/meeting_form.html", context={"plan": view.plan, "title": _("Kall inn til møte")},
                     run=run, success=_meeting_url, message=_("Møtet er opprettet, og innkallingen er sendt."))


def _meeting_url(meeting) -> str:
    return reverse("meeting_detail", kwargs={"meeting_id": meeting.pk})


@login_required
@require_GET
def meeting_detail(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    return render(request, "meetings/meeting_detail.html", {"view": view, "meeting": view.meeting, "plan": view.plan,
                                                            "attendance_form": f.AttendanceForm(invitees=view.invitees)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    if not view.may_manage:
        raise NotFound()
    m = view.meeting
    form = f.MeetingEditForm(request.POST or None, initial={"title": m.title, "agenda": m.agenda, "start": m.start, "end": m.end,
                                                            "place": m.place, "video_url": m.video_url})

    def run(d):
        services.meeting_update(actor=request.user, meeting_id=m.pk, title=d["title"], agenda=d["agenda"], start=d["start"],
                                end=d["end"], place=d["place"], video_url=d["video_url"])
        return m

    return form_page(request, form=form, template="meetings/meeting_form.html", context={"plan": view.plan, "meeting": m, "title": _("Endre møte")},
                     run=run, success=_meeting_url, message=_("Møtet er endret, og ny innkalling er sendt."))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    if not view.may_manage:
        raise NotFound()
    form = f.CancelForm(request.POST or None)

    def run(d):
        services.meeting_cancel(actor=request.user, meeting_id=meeting_id, reason=d["reason"])
        return view.meeting

    return form_page(request, form=form, template="meetings/meeting_form.html",
                     context={"plan": view.plan, "meeting": view.meeting, "title": _("Avlys møte"), "danger": True},
                     run=run, success=_meeting_url, message=_("Møtet er avlyst, og deltakerne har fått beskjed."))


@login_required
@require_http_methods(["POST"])
def attendance(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    form = f.AttendanceForm(request.POST, invitees=view.invitees)
    outcome = submit(request, form, lambda d: services.attendance_record(actor=request.user, meeting_id=meeting_id,
                                                                         attendance=form.attendance()))
    if outcome.done:
        messages.success(request, _("Oppmøtet er registrert."))
        return redirect("meeting_detail", meeting_id=meeting_id)
    return render(request, "meetings/meeting_detail.html", {"view": view, "meeting": view.meeting, "plan": view.plan,
                                                            "attendance_form": form, "error": outcome.error}, status=outcome.status)


@login_required
@require_http_methods(["GET", "POST"])
def minutes_write(request, meeting_id: int):
    from helhet.people import selectors as people_selectors

    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    if not view.may_manage:
        raise NotFound()
    plan = view.plan
    units = people_selectors.unit_choices(actor=request.user, person=plan.person)
    staff = people_selectors.staff_choices(units)  # [(unit name, [(user id, label)])]: optgroups
    goals = list(Goal.objects.filter(plan=plan).only("id", "text"))
    data = request.POST or None
    form = f.MinutesForm(data, initial={"based_on_version": plan.version})
    items = f.ActionItemFormSet(data, prefix="items", form_kwargs={"units": units, "staff": staff, "goals": goals})

    def run(d):
        services.minutes_write(actor=request.user, meeting_id=meeting_id, based_on_version=d["based_on_version"], text=d["text"],
                               category=d["category"], action_items=[i for i in (x.item() for x in items.forms) if i])
        return view.meeting

    return form_page(request, form=form, template="meetings/minutes_form.html",
                     context={"plan": plan, "meeting": view.meeting, "items": items, "title": _("Skriv referat")}, also_valid=[items],
                     run=run, success=_meeting_url, message=_("Referatet er lagret. Oppfølgingspunktene er lagt inn som tiltak i planen."))


@login_required
@require_http_methods(["POST"])
def minutes_send(request, meeting_id: int):
    try:
        services.minutes_send(actor=request.user, meeting_id=meeting_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
        return render(request, "meetings/meeting_detail.html", {"view": view, "meeting": view.meeting, "plan": view.plan, "error": exc,
                                                                "attendance_form": f.AttendanceForm(invitees=view.invitees)}, status=exc.status)
    messages.success(request, _("Referatet er sendt til deltakerne."))
    return redirect("meeting_detail", meeting_id=meeting_id)


@login_required
@require_GET
def meeting_ics(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    method = "CANCEL" if view.meeting.status == "cancelled" else "REQUEST"
    # The reader's own copy: other invitees by name only, the reader's own address only (helhet.meetings.ical).
    text = ical.invitation(view.meeting, view.invitees, method=method, recipient=ical.invitee_for(view.invitees, request.user))
    response = HttpResponse(text, content_type=f"text/calendar; method={method}; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mote.ics"'
    return response


# ---------------------------------------------------------------- messages


@login_required
@require_http_methods(["GET", "POST"])
def thread_list(request, plan_id: int):
    view = selectors.threads_of_plan(actor=request.user, plan_id=plan_id)
    view.threads = offset_page(view.threads, request.GET)  # one plan's threads: a bounded list
    form = f.ThreadForm(request.POST or None, categories=view.categories)
    if request.method == "POST" and not view.may_post:
        raise NotFound()

    def run(d):
        return services.thread_create(actor=request.user, plan_id=plan_id, subject=d["subject"], text=d["text"], category=d["category"])

    return form_page(request, form=form, template="meetings/thread_list.html", context={"view": view, "plan": view.plan},
                     run=run, success=lambda thread: reverse("thread_detail", kwargs={"thread_id": thread.pk}), message=_("Meldingen er sendt."))


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request, thread_id: int):
    view = selectors.thread_detail(actor=request.user, thread_id=thread_id)
    form = f.PostForm(request.POST or None)
    if request.method == "POST" and not view.may_post:
        raise NotFound()
    if request.method != "POST" and view.posts:
        services.thread_mark_read(actor=request.user, thread=view.thread, last_post_id=view.posts[-1].pk)
    return form_page(request, form=form, template="meetings/thread_detail.html",
                     context={"view": view, "plan": view.plan, "thread": view.thread},
                     run=lambda d: services.post_add(actor=request.user, thread_id=thread_id, text=d["text"]),
                     success=lambda _post: reverse("thread_detail", kwargs={"thread_id": thread_id}), message=None)
