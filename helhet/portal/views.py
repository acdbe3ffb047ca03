"""The person's own pages ("Min plan"), for the person and whoever acts for them. Thin: parse, call one selector or
service, render. Every read and write goes through helhet.access (via the selectors and services they call); an
outsider gets 404. Mobile first: templates under portal/ use lists and cards, never wide tables.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhet.consent.categories import Category
from helhet.core.errors import DomainError
from helhet.core.forms import form_page, submit
from helhet.core.paging import keyset_page, offset_page

from . import forms as f
from . import selectors, services

ACCESS_LOG_PAGE_SIZE = 25
LIST_PAGE_SIZE = 10  # the portal's shorter lists: meetings and message threads on "Min plan", earlier consents


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
    from helhet.cases.selectors import roles_for_person

    data = selectors.my_plan(actor=request.user, person_id=person_id, params=request.GET, per_page=LIST_PAGE_SIZE)
    # The contact doctor and pathway coordinator, when this reader may see them (helhet/cases, issue 11).
    _person, roles = roles_for_person(actor=request.user, person_id=person_id, missing_ok=True)
    # The meetings (paged in the database by my_plan) and message threads page on their own (?moter_side=,
    # ?meldinger_side=); the plan's own lists (goals, measures) are the plan and are not paged.
    data["threads"] = offset_page(data["threads"], request.GET, per_page=LIST_PAGE_SIZE, prefix="meldinger_")
    return render(request, "portal/plan.html", {**data, "portal_person": data["person"], "hide_whose": True, "roles": roles})


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

    def run(cd):
        if goal is None:
            return plans.item_add(actor=request.user, plan_id=plan["id"], based_on_version=cd["based_on_version"], section="goals",
                                  fields={"text": cd["text"]})
        return plans.item_update(actor=request.user, plan_id=plan["id"], based_on_version=cd["based_on_version"], section="goals",
                                 item_id=goal["id"], fields={"text": cd["text"]})

    return form_page(request, form=form, template="portal/goal_form.html", context={**data, "portal_person": data["person"], "goal": goal},
                     run=run, success=lambda _goal: reverse("portal_plan", args=[person_id]) + "#mine-mal",
                     message=_("Lagret. Målet ditt står nå i planen."))


@login_required
@require_GET
def consents(request, person_id: int):
    data = selectors.my_consents(actor=request.user, person_id=person_id, params=request.GET, per_page=LIST_PAGE_SIZE)  # "ended": a page
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

    def run(cd):
        return consent_services.own_sharing_consent_give(actor=request.user, person=person, categories=cd["categories"],
                                                         recipient_user_ids=_ids(cd["users"]), purpose=cd["purpose"], valid_to=cd["valid_to"])

    return form_page(request, form=form, template="portal/consent_give.html", context={**data, "portal_person": person}, run=run,
                     success=lambda _c: reverse("portal_consents", args=[person.pk]), message=_("Samtykket er gitt og gjelder fra nå."))


@login_required
@require_GET
def access_log(request, person_id: int):
    from helhet.audit import selectors as audit

    person, events = audit.access_log_for_person(actor=request.user, person_id=person_id)
    page = keyset_page(events, request.GET, per_page=ACCESS_LOG_PAGE_SIZE)
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
    if request.method != "POST" and view.posts:
        meeting_services.thread_mark_read(actor=request.user, thread=view.thread, last_post_id=view.posts[-1].pk)
    return form_page(request, form=form, template="portal/thread.html", context={"portal_person": view.plan.person, "view": view},
                     run=lambda cd: meeting_services.post_add(actor=request.user, thread_id=thread_id, text=cd["text"]),
                     success=lambda _post: reverse("portal_thread", args=[person_id, thread_id]), message=_("Meldingen er sendt."))


@login_required
@require_http_methods(["GET", "POST"])
def thread_new(request, person_id: int):
    from helhet.meetings import services as meeting_services

    data = selectors.my_plan(actor=request.user, person_id=person_id)
    if data["plan"] is None or "message.post" not in data["allowed"]:
        raise Http404()
    form = f.ThreadForm(request.POST or None, auto_id="thread-%s")

    def run(cd):
        return meeting_services.thread_create(actor=request.user, plan_id=data["plan"]["id"], subject=cd["subject"], text=cd["text"])

    return form_page(request, form=form, template="portal/thread_new.html", context={**data, "portal_person": data["person"]}, run=run,
                     success=lambda t: reverse("portal_thread", args=[person_id, t.pk]), message=_("Meldingen er sendt til plangruppen."))


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


# ---------------------------------------------------------------- own resources and contributions, comments, kartlegging

OWN_SLUGS = {"ressurs": "resources", "bidrag": "contributions"}
OWN_TITLES = {
    "resources": (_lazy("Skriv hva du får til"), _lazy("Endre det du får til"), _lazy("Lagret. Det står nå i planen din.")),
    "contributions": (_lazy("Skriv hva du gjør selv"), _lazy("Endre det du gjør selv"), _lazy("Lagret. Det står nå i planen din.")),
}


@login_required
@require_http_methods(["GET", "POST"])
def own_item_edit(request, person_id: int, slug: str, item_id: int | None = None):
    """The person's own resource ("Dette får jeg til") or contribution ("Dette gjør jeg selv"): through
    services.own_item_save, which calls plans.services.item_add / item_update."""
    section = OWN_SLUGS.get(slug)
    data = selectors.my_plan(actor=request.user, person_id=person_id)
    plan = data["plan"]
    if section is None or plan is None or section not in data["own_sections"]:
        raise Http404()
    item = None
    if item_id is not None:
        item = next((i for i in plan[section] if i["id"] == item_id and _own(i)), None)
        if item is None:
            raise Http404()
    form = f.OwnItemForm(request.POST or None, section=section, auto_id="own-%s",
                         initial={"based_on_version": plan["version"], "text": item["text"] if item else ""})

    def run(cd):
        return services.own_item_save(actor=request.user, plan_id=plan["id"], based_on_version=cd["based_on_version"], section=section,
                                      text=cd["text"], item_id=item["id"] if item else None)

    title = OWN_TITLES[section][1 if item else 0]
    return form_page(request, form=form, template="portal/own_item_form.html",
                     context={**data, "portal_person": data["person"], "item": item, "title": title}, run=run,
                     success=lambda _i: reverse("portal_plan", args=[person_id]) + "#" + section, message=str(OWN_TITLES[section][2]))


def _own(item: dict) -> bool:
    """Written by the person or a relative (resources: written_by; contributions: by)."""
    return item.get("written_by", item.get("by")) in ("person", "relative")


@login_required
@require_http_methods(["GET", "POST"])
def measure_comment(request, person_id: int, measure_id: int):
    data = selectors.my_plan(actor=request.user, person_id=person_id)
    plan = data["plan"]
    measure = next((m for m in (plan or {}).get("measures", []) if m["id"] == measure_id), None)
    if measure is None or "plan.own_write" not in data["allowed"] or plan["status"] == "closed":
        raise Http404()
    form = f.CommentForm(request.POST or None, auto_id="comment-%s")
    return form_page(request, form=form, template="portal/comment_form.html", context={**data, "portal_person": data["person"], "measure": measure},
                     run=lambda cd: services.measure_comment_add(actor=request.user, measure_id=measure_id, text=cd["text"]),
                     success=lambda _c: reverse("portal_plan", args=[person_id]) + f"#tiltak-{measure_id}",
                     message=_("Lagret. Kommentaren er sendt til plangruppen."))


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request, person_id: int):
    """Kartlegging before the first meeting: save a draft, or send it to the coordinator."""
    person, current = selectors.my_mapping(actor=request.user, person_id=person_id)
    initial = {q: getattr(current, q) for q in current.QUESTIONS} if current else {}
    form = f.MappingForm(request.POST or None, initial=initial, auto_id="mapping-%s")
    send = request.POST.get("action") == "send"
    outcome = submit(request, form, lambda cd: services.mapping_save(actor=request.user, person_id=person.pk, answers=cd, send=send))
    if outcome.done and send:
        messages.success(request, _("Sendt. Koordinatoren ser nå svarene dine."))
        return redirect(reverse("portal_plan", args=[person.pk]) + "#kartlegging")
    if outcome.done:
        messages.success(request, _("Lagret som utkast. Bare du ser det til du sender det."))
        return redirect("portal_mapping", person_id=person.pk)
    return render(request, "portal/mapping.html", {"portal_person": person, "person": person, "mapping": current, "form": form,
                                                   "error": outcome.error}, status=outcome.status)


@login_required
@require_GET
def documents(request, person_id: int):
    data = selectors.my_documents(actor=request.user, person_id=person_id)
    data["documents"] = offset_page(data["documents"], request.GET)
    return render(request, "portal/documents.html", {**data, "portal_person": data["person"]})


@login_required
@require_http_methods(["GET", "POST"])
def consent_renew(request, person_id: int, consent_id: int):
    """Renew a time-limited sharing consent: a new end date, a preview of what continues, then a confirmation."""
    person, described = selectors.my_consent(actor=request.user, person_id=person_id, consent_id=consent_id)
    if not described["consent"].valid_to:
        raise Http404()
    form = f.ConsentRenewForm(request.POST or None, auto_id="renew-%s")
    ctx = {"portal_person": person, "person": person, "c": described, "form": form, "error": None}
    if request.method == "GET":
        return render(request, "portal/consent_renew.html", ctx)
    if not form.is_valid():
        return render(request, "portal/consent_renew.html", ctx, status=400)
    valid_to = form.cleaned_data["valid_to"]
    if request.POST.get("confirm") != "1":
        return render(request, "portal/consent_renew_preview.html", {**ctx, "valid_to": valid_to})
    try:
        services.own_consent_renew(actor=request.user, consent_id=consent_id, valid_to=valid_to)
    except DomainError as exc:
        ctx["error"] = _fail(exc)
        form.add_domain_error(exc)
        return render(request, "portal/consent_renew.html", ctx, status=exc.status)
    messages.success(request, _("Lagret. Samtykket er fornyet og gjelder til og med %(on)s.") % {"on": valid_to.strftime("%d.%m.%Y")})
    return redirect("portal_consents", person_id=person.pk)


# ---------------------------------------------------------------- staff: what the person wrote, on the plan page


@login_required
@require_GET
def plan_from_person(request, plan_id: int):
    """The panel the staff plan page loads (portal/_from_person_panel.html): comments and the sent kartlegging."""
    data = selectors.plan_from_person(actor=request.user, plan_id=plan_id)
    template = "portal/_from_person.html" if request.headers.get("HX-Request") else "portal/from_person_page.html"
    return render(request, template, data)


@login_required
@require_POST
def mapping_to_item(request, plan_id: int):
    try:
        item = services.mapping_answer_to_item(actor=request.user, plan_id=plan_id, based_on_version=request.POST.get("based_on_version"),
                                               question=request.POST.get("question", ""), section=request.POST.get("section", ""))
    except DomainError as exc:
        _fail(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Lagret i planen: %(text)s") % {"text": item.text[:80]})
    return redirect(reverse("plan_detail", args=[plan_id]) + "#fra-personen")


# ---------------------------------------------------------------- the session: stay logged in


@require_POST
def keepalive(request):
    """The session-warning script's "Fortsett innlogget": touch the session so its expiry moves on; tells how long it
    now lasts. Not logged in (the session already ended): 401 with the same JSON shape, never a redirect."""
    from django.conf import settings
    from django.http import JsonResponse

    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "remaining": 0}, status=401)
    request.session["_helhet_refreshed_at"] = 0  # SessionRefreshMiddleware then saves it with a fresh expiry
    return JsonResponse({"authenticated": True, "remaining": int(settings.SESSION_COOKIE_AGE)})


@login_required
@require_http_methods(["GET", "POST"])
def parents_information(request, person_id: int):
    """"Hva foreldrene dine får vite": the young person says they do not want their parents informed, or changes their
    mind (helhet.consent.parents_objection; the policy lets only the person themself and their staff do it)."""
    from helhet.consent import parents_objection as objections

    if request.method == "POST":
        data = objections.objection_overview(actor=request.user, person_id=person_id, portal=True)
        try:
            if request.POST.get("do") == "withdraw" and data["open"] is not None:
                objections.objection_withdraw(actor=request.user, objection_id=data["open"].pk)
                messages.success(request, _("Du har ombestemt deg. Foreldrene dine får vite om planen din igjen."))
            else:
                objections.objection_record(actor=request.user, person=data["person"])
                messages.success(request, _("Vi har fått beskjed. Helsepersonell som kjenner deg vil snakke med deg om det."))
        except DomainError as exc:
            messages.error(request, _fail(exc).message)
        return redirect("portal_parents_information", person_id=person_id)
    data = objections.objection_overview(actor=request.user, person_id=person_id, portal=True)
    return render(request, "portal/parents_information.html", {**data, "portal_person": data["person"]})
