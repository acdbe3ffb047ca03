"""Browser pages for plan-group meetings, minutes and messages. Thin: parse a form, call one service or
selector, render. A DomainError from a service is shown on the form with its status (400/409); 404s pass
through to the 404 page (DomainErrorMiddleware). Successful POSTs redirect (POST-redirect-GET).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhet.core.errors import DomainError, NotFound
from helhet.plans.models import Goal, Participant

from . import forms as f
from . import ical, selectors, services


def _fail(form, exc: DomainError):
    if exc.status == 404:
        raise exc
    form.add_domain_error(exc)
    return exc, exc.status


# ---------------------------------------------------------------- meetings


@login_required
@require_GET
def meeting_list(request, plan_id: int):
    view = selectors.meetings_of_plan(actor=request.user, plan_id=plan_id)
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
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                meeting = services.meeting_create(actor=request.user, plan_id=plan_id, title=d["title"], agenda=d["agenda"], start=d["start"],
                                                  end=d["end"], place=d["place"], video_url=d["video_url"],
                                                  participant_ids=[int(p) for p in d["participants"]])
            except DomainError as exc:
                error, status = _fail(form, exc)
            else:
                messages.success(request, _("Møtet er opprettet, og innkallingen er sendt."))
                return redirect("meeting_detail", meeting_id=meeting.pk)
        else:
            status = 400
    return render(request, "meetings/meeting_form.html", {"plan": view.plan, "form": form, "error": error,
                                                          "title": _("Kall inn til møte")}, status=status)


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
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.meeting_update(actor=request.user, meeting_id=m.pk, title=d["title"], agenda=d["agenda"], start=d["start"],
                                        end=d["end"], place=d["place"], video_url=d["video_url"])
            except DomainError as exc:
                error, status = _fail(form, exc)
            else:
                messages.success(request, _("Møtet er endret, og ny innkalling er sendt."))
                return redirect("meeting_detail", meeting_id=m.pk)
        else:
            status = 400
    return render(request, "meetings/meeting_form.html", {"plan": view.plan, "meeting": m, "form": form, "error": error,
                                                          "title": _("Endre møte")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    if not view.may_manage:
        raise NotFound()
    form = f.CancelForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_cancel(actor=request.user, meeting_id=meeting_id, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                error, status = _fail(form, exc)
            else:
                messages.success(request, _("Møtet er avlyst, og deltakerne har fått beskjed."))
                return redirect("meeting_detail", meeting_id=meeting_id)
        else:
            status = 400
    return render(request, "meetings/meeting_form.html", {"plan": view.plan, "meeting": view.meeting, "form": form, "error": error,
                                                          "title": _("Avlys møte"), "danger": True}, status=status)


@login_required
@require_http_methods(["POST"])
def attendance(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    form = f.AttendanceForm(request.POST, invitees=view.invitees)
    error, status = None, 400
    if form.is_valid():
        try:
            services.attendance_record(actor=request.user, meeting_id=meeting_id, attendance=form.attendance())
        except DomainError as exc:
            error, status = _fail(form, exc)
        else:
            messages.success(request, _("Oppmøtet er registrert."))
            return redirect("meeting_detail", meeting_id=meeting_id)
    return render(request, "meetings/meeting_detail.html", {"view": view, "meeting": view.meeting, "plan": view.plan,
                                                            "attendance_form": form, "error": error}, status=status)


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
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid() and items.is_valid():
            d = form.cleaned_data
            try:
                services.minutes_write(actor=request.user, meeting_id=meeting_id, based_on_version=d["based_on_version"], text=d["text"],
                                       category=d["category"], action_items=[i for i in (x.item() for x in items.forms) if i])
            except DomainError as exc:
                error, status = _fail(form, exc)
                if exc.code == "stale" and exc.details.get("current_version"):
                    form.data = form.data.copy()
                    form.data["based_on_version"] = str(exc.details["current_version"])
            else:
                messages.success(request, _("Referatet er lagret. Oppfølgingspunktene er lagt inn som tiltak i planen."))
                return redirect("meeting_detail", meeting_id=meeting_id)
        else:
            status = 400
    return render(request, "meetings/minutes_form.html", {"plan": plan, "meeting": view.meeting, "form": form, "items": items,
                                                          "error": error, "title": _("Skriv referat")}, status=status)


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
    form = f.ThreadForm(request.POST or None, categories=view.categories)
    error, status = None, 200
    if request.method == "POST":
        if not view.may_post:
            raise NotFound()
        if form.is_valid():
            d = form.cleaned_data
            try:
                thread = services.thread_create(actor=request.user, plan_id=plan_id, subject=d["subject"], text=d["text"], category=d["category"])
            except DomainError as exc:
                error, status = _fail(form, exc)
            else:
                messages.success(request, _("Meldingen er sendt."))
                return redirect("thread_detail", thread_id=thread.pk)
        else:
            status = 400
    return render(request, "meetings/thread_list.html", {"view": view, "plan": view.plan, "form": form, "error": error}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request, thread_id: int):
    view = selectors.thread_detail(actor=request.user, thread_id=thread_id)
    form = f.PostForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST":
        if not view.may_post:
            raise NotFound()
        if form.is_valid():
            try:
                services.post_add(actor=request.user, thread_id=thread_id, text=form.cleaned_data["text"])
            except DomainError as exc:
                error, status = _fail(form, exc)
            else:
                return redirect("thread_detail", thread_id=thread_id)
        else:
            status = 400
    elif view.posts:
        services.thread_mark_read(actor=request.user, thread=view.thread, last_post_id=view.posts[-1].pk)
    return render(request, "meetings/thread_detail.html", {"view": view, "plan": view.plan, "thread": view.thread, "form": form,
                                                           "error": error}, status=status)
