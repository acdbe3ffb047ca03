"""The person's own pages ("Min plan"), for the person and whoever acts for them. Thin: parse, call one selector or
service, render. Every read and write goes through helhet.access (via the selectors and services they call); an
outsider gets 404. Mobile first: templates under portal/ use lists and cards, never wide tables.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhet.consent.categories import Category
from helhet.core.errors import DomainError

from . import forms as f
from . import selectors, services

ACCESS_LOG_PAGE_SIZE = 25


def _fail(exc: DomainError):
    if exc.status == 404:
        raise exc
    return exc


@login_required
@require_GET
def portal_home(request):
    """One person: straight to their plan; several (a parent with two children, self and a child): a chooser."""
    persons = selectors.my_persons(actor=request.user)
    if len(persons) == 1:
        return redirect("portal_plan", person_id=persons[0].pk)
    return render(request, "portal/home.html", {"persons": persons})


@login_required
@require_GET
def portal_plan(request, person_id: int):
    data = selectors.my_plan(actor=request.user, person_id=person_id)
    return render(request, "portal/plan.html", {**data, "portal_person": data["person"], "hide_whose": True})


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, person_id: int, goal_id: int | None = None):
    """Write a new goal, or change one the person (or their representative) wrote: plans.services.item_add/item_update."""
    from helhet.plans import services as plans

    data = selectors.my_plan(actor=request.user, person_id=person_id)
    plan = data["plan"]
    if plan is None or "plan.own_write" not in data["allowed"]:
        raise Http404()
    goal = None
    if goal_id is not None:
        goal = next((g for g in plan["goals"] if g["id"] == goal_id and g["written_by"] in ("person", "relative")), None)
        if goal is None:
            raise Http404()
    initial = {"based_on_version": plan["version"], "text": goal["text"] if goal else ""}
    form = f.GoalForm(request.POST or None, initial=initial, auto_id="goal-%s")
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            try:
                if goal is None:
                    plans.item_add(actor=request.user, plan_id=plan["id"], based_on_version=cd["based_on_version"], section="goals",
                                   fields={"text": cd["text"]})
                else:
                    plans.item_update(actor=request.user, plan_id=plan["id"], based_on_version=cd["based_on_version"], section="goals",
                                      item_id=goal["id"], fields={"text": cd["text"]})
            except DomainError as exc:
                error, status = _fail(exc), exc.status
                form.add_domain_error(exc)
                if exc.code == "stale" and exc.details.get("current_version"):
                    form.data = form.data.copy()
                    form.data["based_on_version"] = exc.details["current_version"]
            else:
                messages.success(request, _("Lagret. Målet ditt står nå i planen."))
                return redirect(reverse("portal_plan", args=[person_id]) + "#mine-mal")
        else:
            status = 400
    return render(request, "portal/goal_form.html", {**data, "portal_person": data["person"], "form": form, "error": error, "goal": goal},
                  status=status)


@login_required
@require_GET
def consents(request, person_id: int):
    data = selectors.my_consents(actor=request.user, person_id=person_id)
    return render(request, "portal/consents.html", {**data, "portal_person": data["person"]})


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@login_required
@require_http_methods(["GET", "POST"])
def consent_change(request, person_id: int, consent_id: int, withdraw: bool = False):
    """Narrow (untick) or withdraw a sharing consent: a preview of who loses what, then a confirmation; at once."""
    from helhet.consent import services as consent_services

    person, described = selectors.my_consent(actor=request.user, person_id=person_id, consent_id=consent_id)
    form = None if withdraw else f.ConsentNarrowForm(request.POST or None, described=described, auto_id="narrow-%s", initial={
        "categories": [c["code"] for c in described["categories"]],
        "users": [str(r["id"]) for r in described["recipients"] if r["kind"] == "user"],
        "units": [str(r["id"]) for r in described["recipients"] if r["kind"] == "unit"]})
    ctx = {"portal_person": person, "person": person, "c": described, "form": form, "withdraw": withdraw, "error": None}
    if request.method == "GET":
        return render(request, "portal/consent_change.html", ctx)
    if withdraw:
        keep_categories, keep_users, keep_units = [], [], []
    else:
        if not form.is_valid():
            return render(request, "portal/consent_change.html", ctx, status=400)
        keep_categories = form.cleaned_data["categories"]
        keep_users, keep_units = _ids(form.cleaned_data.get("users", [])), _ids(form.cleaned_data.get("units", []))
    preview = selectors.consent_change_preview(described, categories=keep_categories, user_ids=keep_users, unit_ids=keep_units)
    if request.POST.get("confirm") != "1":
        return render(request, "portal/consent_preview.html", {**ctx, "preview": preview, "keep_categories": keep_categories,
                                                               "keep_users": keep_users, "keep_units": keep_units})
    try:
        if withdraw:
            consent_services.own_consent_withdraw(actor=request.user, consent_id=consent_id)
        else:
            consent_services.own_sharing_consent_narrow(actor=request.user, consent_id=consent_id, categories=keep_categories,
                                                        recipient_user_ids=keep_users, recipient_unit_ids=keep_units)
    except DomainError as exc:
        ctx["error"] = _fail(exc)
        if form is not None:
            form.add_domain_error(exc)
        return render(request, "portal/consent_change.html", ctx, status=exc.status)
    for row in preview:
        messages.success(request, _("%(name)s i %(org)s ser ikke lenger: %(what)s.") % {
            "name": row["name"], "org": row["organization"] or "–", "what": ", ".join(c["label"] for c in row["lost"])})
    messages.success(request, _("Samtykket er trukket tilbake.") if withdraw else _("Samtykket er endret. Endringen gjelder fra nå."))
    return redirect("portal_consents", person_id=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def consent_give(request, person_id: int):
    """Give a new sharing consent to members of the plan group (the capacity rules decide who may)."""
    from helhet.consent import services as consent_services

    data = selectors.my_plan(actor=request.user, person_id=person_id)
    person, plan = data["person"], data["plan"]
    if plan is None or "consent.give" not in data["allowed"]:
        raise Http404()
    members = [(str(p["user_id"]), f"{p['name']} ({p['unit']})" if p.get("unit") else p["name"])
               for p in plan["participants"] if p["kind"] == "staff" and p["active"] and p.get("user_id")]
    categories = [(c.value, f"{c.label} – {selectors.plain(c.value)}") for c in Category]
    form = f.ConsentGiveForm(request.POST or None, categories=categories, members=members, auto_id="give-%s")
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            try:
                consent_services.own_sharing_consent_give(actor=request.user, person=person, categories=cd["categories"],
                                                          recipient_user_ids=_ids(cd["users"]), purpose=cd["purpose"], valid_to=cd["valid_to"])
            except DomainError as exc:
                error, status = _fail(exc), exc.status
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Samtykket er gitt og gjelder fra nå."))
                return redirect("portal_consents", person_id=person.pk)
        else:
            status = 400
    return render(request, "portal/consent_give.html", {**data, "portal_person": person, "form": form, "error": error}, status=status)


@login_required
@require_GET
def access_log(request, person_id: int):
    from helhet.audit import selectors as audit

    person, events = audit.access_log_for_person(actor=request.user, person_id=person_id)
    page = Paginator(events, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "portal/access_log.html", {"portal_person": person, "person": person, "page": page})


@login_required
@require_POST
def meeting_respond(request, person_id: int, meeting_id: int):
    try:
        response = services.meeting_respond(actor=request.user, meeting_id=meeting_id, answer=request.POST.get("answer", ""))
    except DomainError as exc:
        _fail(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Svaret ditt er sendt: %(answer)s.") % {"answer": response.get_answer_display()})
    return redirect(reverse("portal_plan", args=[person_id]) + "#moter")


@login_required
@require_http_methods(["GET", "POST"])
def thread(request, person_id: int, thread_id: int):
    from helhet.meetings import selectors as meetings
    from helhet.meetings import services as meeting_services

    view = meetings.thread_detail(actor=request.user, thread_id=thread_id)
    if view.plan.person_id != person_id:
        raise Http404()
    form = f.PostForm(request.POST or None, auto_id="post-%s")
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting_services.post_add(actor=request.user, thread_id=thread_id, text=form.cleaned_data["text"])
            except DomainError as exc:
                error, status = _fail(exc), exc.status
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Meldingen er sendt."))
                return redirect("portal_thread", person_id=person_id, thread_id=thread_id)
        else:
            status = 400
    if view.posts:
        meeting_services.thread_mark_read(actor=request.user, thread=view.thread, last_post_id=view.posts[-1].pk)
    return render(request, "portal/thread.html", {"portal_person": view.plan.person, "view": view, "form": form, "error": error},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def thread_new(request, person_id: int):
    from helhet.meetings import services as meeting_services

    data = selectors.my_plan(actor=request.user, person_id=person_id)
    if data["plan"] is None or "message.post" not in data["allowed"]:
        raise Http404()
    form = f.ThreadForm(request.POST or None, auto_id="thread-%s")
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                t = meeting_services.thread_create(actor=request.user, plan_id=data["plan"]["id"], subject=form.cleaned_data["subject"],
                                                   text=form.cleaned_data["text"])
            except DomainError as exc:
                error, status = _fail(exc), exc.status
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Meldingen er sendt til plangruppen."))
                return redirect("portal_thread", person_id=person_id, thread_id=t.pk)
        else:
            status = 400
    return render(request, "portal/thread_new.html", {**data, "portal_person": data["person"], "form": form, "error": error}, status=status)


# ---------------------------------------------------------------- staff: link a relative to a login


@login_required
@require_http_methods(["GET", "POST"])
def relative_login(request, person_id: int, relative_id: int):
    from helhet.access.policy import Action
    from helhet.access.queries import load
    from helhet.people.models import Relative

    relative, _why = load(request.user, Relative, relative_id, Action.RELATIVE_MANAGE, queryset=Relative.objects.select_related("person", "user"))
    if relative.person_id != person_id:
        raise Http404()
    form = f.RelativeLoginForm(request.POST or None, auto_id="rel-login-%s")
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.POST.get("end") == "1":
                services.relative_login_end(actor=request.user, relative_id=relative.pk)
                messages.success(request, _("Koblingen til innloggingen er avsluttet."))
                return redirect("person_detail", pk=person_id)
            if form.is_valid():
                services.relative_login_link(actor=request.user, relative_id=relative.pk, national_id=form.cleaned_data["national_id"])
                messages.success(request, _("%(name)s er koblet til en innlogging.") % {"name": relative.name})
                return redirect("person_detail", pk=person_id)
            status = 400
        except DomainError as exc:
            error, status = _fail(exc), exc.status
            form.add_domain_error(exc)
    return render(request, "portal/relative_login.html", {"relative": relative, "person": relative.person, "form": form, "error": error},
                  status=status)
