"""Browser views for the individual plan. Thin: parse a form, call one service (plans/services.py) or selector, render.

Editing in place (htmx): every section of the plan page is a <section id="sec-<key>">. "Legg til"/"Endre"
fetch a form fragment into that section (hx-get); the form posts (hx-post) and on success the whole section
is swapped back in read mode, so unsaved input in OTHER sections is untouched. The success response carries
an HX-Trigger "plan-version" event {"from": old, "to": new}; plans/plan_detail.html moves every other open
form that was based on `from` to `to` (only this user's own save happened in between, so they are not stale).
On failure the form fragment is re-rendered in place (HX-Retarget to the form) with status 400/409.

Without JavaScript the same URLs are plain pages: GET shows the form on its own page, POST redirects back to
the plan (POST-redirect-GET), errors re-render the page with 400/409.

The first screen (plan_detail) is the frame (person, coordinator, status, main responsibility), a section
navigation with item counts, and the person's own goals. A long section (COLLAPSIBLE: participants, measures,
evaluations) with more than COLLAPSE_AFTER items is shown collapsed: its heading, its count and a link "Vis tiltak (23)". The link's href is the plan page with
`?vis=<key>` (that section open, no JS needed); with htmx it fetches plan_section into place instead. A saved
section carries a "Lagret" status message that plan-sections.js moves focus to.

A stale edit (Conflict 'stale', 409) keeps the user's input in the form, lists what others changed (the
service's details["changes"]) and moves the form's based_on_version to the current version, so saving
again after reading the changes is a deliberate choice.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from helhet.access.policy import Action
from helhet.access.queries import deny
from helhet.core.forms import submit
from helhet.people.models import Person, Relative

from . import forms as f
from . import selectors, services

# URL slug (Norwegian) -> section key (services.SECTIONS).
SLUGS = {
    "mal": "goals", "ressurser": "resources", "behov": "needs", "deltakere": "participants", "bidrag": "contributions",
    "tiltak": "measures", "evalueringer": "evaluations", "samarbeid": "cooperation", "delplaner": "subplans",
}
SLUG_OF = {v: k for k, v in SLUGS.items()}

# The plan page's order (DOMAIN.md a–i), starting with the person's own goals. `editable`: has item forms.
SECTION_ORDER = ["goals", "resources", "needs", "participants", "coordinators", "contributions", "measures", "period", "cooperation",
                 "consent", "subplans"]

# The section navigation's labels, in SECTION_ORDER.
NAV_LABELS = {
    "goals": gettext_lazy("Hva er viktig for deg?"), "resources": gettext_lazy("Ressurser"), "needs": gettext_lazy("Behov for tjenester"),
    "participants": gettext_lazy("Deltakere"), "coordinators": gettext_lazy("Koordinator"), "contributions": gettext_lazy("Bidrag"),
    "measures": gettext_lazy("Tiltak"), "period": gettext_lazy("Planperiode og evaluering"), "cooperation": gettext_lazy("Samarbeid"),
    "consent": gettext_lazy("Samtykke"), "subplans": gettext_lazy("Delplaner"),
}

# A long section (one of these with more items than COLLAPSE_AFTER) is collapsed on the first screen and loaded on
# demand, so the page the plan opens on does not grow with the plan; the person's own goals and the short text
# sections are always shown. key -> (its heading, as in _section.html; its link). tests/access/test_canary_fields.py
# requires the first screen (/planer/<id>/) to show every field a reader may see, for its plan with 7 items per
# section (one per information category): a smaller COLLAPSE_AFTER needs its walk to ask for ?vis=<key> too.
COLLAPSE_AFTER = 10
COLLAPSED_LABELS = {
    "participants": (gettext_lazy("Deltakere i planarbeidet"), gettext_lazy("Vis deltakere (%(n)s)")),
    "measures": (gettext_lazy("Tiltak"), gettext_lazy("Vis tiltak (%(n)s)")),
    "period": (gettext_lazy("Planperiode og evaluering"), gettext_lazy("Vis evalueringer (%(n)s)")),
}
COLLAPSIBLE = frozenset(COLLAPSED_LABELS)

ADD_LABELS = {
    "goals": gettext_lazy("Legg til mål"), "resources": gettext_lazy("Legg til ressurs"), "needs": gettext_lazy("Legg til behov"),
    "participants": gettext_lazy("Legg til deltaker"), "contributions": gettext_lazy("Legg til bidrag"), "measures": gettext_lazy("Legg til tiltak"),
    "evaluations": gettext_lazy("Planlegg evaluering"), "cooperation": gettext_lazy("Legg til samarbeid"), "subplans": gettext_lazy("Legg til delplan"),
}

_DATE_KEYS = {"start", "end", "deadline", "planned_on", "held_on", "next_on", "status_on", "given_on", "valid_to", "withdrawn_on", "on",
              "birth_date", "next_evaluation", "today"}
_DATETIME_KEYS = {"published_at", "created_at", "at"}


def _dates(value, key=None):
    """ISO strings in a plan document -> date/datetime objects, for the templates' |date filter."""
    if isinstance(value, dict):
        return {k: _dates(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v, key if key in ("sharing",) else None) for v in value]
    if isinstance(value, str) and value:
        try:
            if key in _DATE_KEYS:
                return dt.date.fromisoformat(value)
            if key in _DATETIME_KEYS:
                return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _doc(request, plan_id, action: Action | None = None) -> dict:
    """The plan document (access-checked, audited) with dates as objects and the actor's permissions.

    `action`: a form page for a write (edit, publish, close, reopen): shown only to those the policy allows it
    (its `allowed` list), so a form never shows a reader what only editors see (choice lists of relatives, units).
    """
    doc = _dates(selectors.plan_document(actor=request.user, plan_id=plan_id))
    if action is not None and action.value not in doc.get("allowed", []):
        deny(request.user, action, person=Person.objects.get(pk=doc["person"]["id"]))
    return _with_flags(doc, doc.get("allowed", []))


def _with_flags(doc: dict, allowed) -> dict:
    closed = doc["status"] == "closed"
    doc["allowed"] = allowed
    doc["may_edit"] = "plan.edit" in allowed and not closed
    doc["may_publish"] = "plan.publish" in allowed and not closed
    doc["may_close"] = "plan.close" in allowed and not closed
    doc["may_reopen"] = "plan.reopen" in allowed and closed
    doc["is_closed"] = closed
    return doc


def _fresh(request, doc: dict) -> dict:
    """After a successful write: the document again as this actor may see it (consent-filtered), without a
    second 'view' audit event (the write has its own)."""
    return _with_flags(_dates(selectors.plan_document_after_write(actor=request.user, plan_id=doc["id"])), doc["allowed"])


def _section_key(slug: str) -> str:
    if slug not in SLUGS:
        raise Http404()
    return SLUGS[slug]


def _item(doc: dict, section: str, item_id: int) -> dict:
    for item in doc[section]:
        if item["id"] == item_id:
            return item
    raise Http404()


def _choices(request, doc: dict, section: str) -> dict:
    """Choice lists for a section's form. Called only after plan_document has checked access."""
    from helhet.people import selectors as people_selectors

    kwargs: dict = {}
    if section in ("participants", "contributions", "measures", "cooperation", "subplans"):
        person = Person.objects.select_related("home_municipality").get(pk=doc["person"]["id"])
        units = people_selectors.unit_choices(actor=request.user, person=person)
        kwargs["units"] = units
        if section in ("participants", "measures"):
            kwargs["staff"] = people_selectors.staff_choices(units)
        if section in ("participants", "contributions"):
            kwargs["relatives"] = list(Relative.objects.filter(person_id=person.pk).order_by("name"))
    if section == "measures":
        kwargs["goals"] = [SimpleNamespace(pk=g["id"], text=g["text"]) for g in doc["goals"]]
    return kwargs


def _initial(form_cls, item: dict) -> dict:
    out = {}
    for name in form_cls.base_fields:
        if name in ("based_on_version", "file"):
            continue
        if name in ("unit", "user", "relative", "responsible_unit", "responsible_person"):
            out[name] = item.get(f"{name}_id")
        else:
            out[name] = item.get(name)
    return out


def _version_trigger(response, old: int, new: int):
    response["HX-Trigger"] = json.dumps({"plan-version": {"from": old, "to": new}})
    return response


def _render_section(request, doc: dict, section: str, *, status: int = 200, warnings=(), saved: str = ""):
    ctx = {"plan": doc, "key": _page_section(section), "warnings": list(warnings), "saved": saved}
    return render(request, "plans/_section.html", ctx, status=status)


def _page_section(section: str) -> str:
    return "period" if section in ("evaluations", "period") else section


def _count(doc: dict, key: str) -> int:
    """The number of items the reader sees in a section of the plan page (consent-filtered document)."""
    if key == "period":
        return len(doc["evaluations"])
    if key == "consent":
        return int(bool(doc["consent"]["plan_work"])) + len(doc["consent"]["sharing"])
    return len(doc[key])


def _sections(doc: dict, shown) -> list[SimpleNamespace]:
    """The plan page's sections in order, each with its count and whether it is collapsed (loaded on demand).
    `shown`: the keys asked for with ?vis=<key>, always open."""
    shown = [key for key in SECTION_ORDER if key in shown]
    out = []
    for key in SECTION_ORDER:
        n = _count(doc, key)
        s = SimpleNamespace(key=key, nav=NAV_LABELS[key], count=n, collapsed=key in COLLAPSIBLE and key not in shown and n > COLLAPSE_AFTER)
        if s.collapsed:
            s.heading, show = COLLAPSED_LABELS[key]
            s.show_label = show % {"n": n}
            s.url = "?" + urlencode({"vis": [*shown, key]}, doseq=True) + f"#sec-{key}"  # keeps those already opened
        out.append(s)
    return out


def _section_url(plan_id: int, key: str) -> str:
    """The plan page with this section open (no JS): a long section is collapsed unless asked for."""
    url = reverse("plan_detail", args=[plan_id])
    return (f"{url}?vis={key}" if key in COLLAPSIBLE else url) + f"#sec-{key}"


def _current_coordinators(doc: dict) -> list[dict]:
    today = doc.get("today")
    return [c for c in doc["coordinators"] if (not c["start"] or c["start"] <= today) and (not c["end"] or c["end"] > today)]


def _form_response(request, doc, *, form, section: str, form_id: str, action: str, title: str, error=None, status=200,
                   submit_label=None, multipart=False, danger=False):
    """The form: a fragment in place (htmx) or its own page (no JS)."""
    ctx = {"plan": doc, "form": form, "error": error, "form_id": form_id, "action": action, "title": title,
           "section": _page_section(section), "htmx": _is_htmx(request), "submit_label": submit_label or _("Lagre"),
           "multipart": multipart, "danger": danger, "back_url": _section_url(doc["id"], _page_section(section))}
    if _is_htmx(request):
        response = render(request, "plans/_form.html", ctx, status=status)
        if status >= 400:
            response["HX-Retarget"] = f"#{form_id}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "plans/form_page.html", ctx, status=status)


def _run(request, doc, *, form, section: str, form_id: str, action: str, title: str, call, message: str, submit_label=None,
         multipart=False, danger=False, after=None):
    """POST: the interface kit's one loop (helhet.core.forms.submit); success -> section (htmx) or redirect;
    failure -> the form with 400/409 (after a stale edit it builds on the current version)."""
    outcome = submit(request, form, call)
    if outcome.done:
        if after:
            return after(outcome.result)
        base = form.cleaned_data.get("based_on_version")
        # Saved, with something to tell (services.measure_warnings): in the section (htmx) or on the next page.
        warnings = getattr(outcome.result, "warnings", None) or []
        if _is_htmx(request):
            fresh = _fresh(request, doc)
            response = _render_section(request, fresh, section, warnings=warnings, saved=message)
            return _version_trigger(response, base, fresh["version"]) if base else response
        messages.success(request, message)
        for warning in warnings:
            messages.warning(request, warning)
        return redirect(_section_url(doc["id"], _page_section(section)))
    return _form_response(request, doc, form=form, section=section, form_id=form_id, action=action, title=title, error=outcome.error,
                          status=outcome.status, submit_label=submit_label, multipart=multipart, danger=danger)


def _data(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


# ---------------------------------------------------------------- pages


@login_required
@require_GET
def plan_detail(request, plan_id: int):
    doc = _doc(request, plan_id)
    ctx = {"plan": doc, "sections": _sections(doc, set(request.GET.getlist("vis"))), "coordinators_now": _current_coordinators(doc)}
    return render(request, "plans/plan_detail.html", ctx)


@login_required
@require_GET
def plan_section(request, plan_id: int, key: str):
    """One section in read mode: a collapsed section loaded on demand, htmx "Avbryt" and refresh. Read like the
    plan page (plan_document: access policy, 'view' audit event, 404 and a refusal event for others)."""
    if key not in SECTION_ORDER:
        raise Http404()
    doc = _doc(request, plan_id)
    if not _is_htmx(request):
        return redirect(_section_url(doc["id"], key))
    return _render_section(request, doc, key)


@login_required
@require_GET
def plan_print(request, plan_id: int):
    doc = _doc(request, plan_id)
    doc["may_edit"] = False  # paper has no buttons
    return render(request, "plans/plan_print.html", {"plan": doc, "sections": SECTION_ORDER})


@login_required
@require_GET
def person_plan(request, person_id: int):
    """From the person page: their open plan (or latest closed one), or an offer to start one."""
    doc = selectors.plan_for_person(actor=request.user, person_id=person_id)
    if doc is not None:
        return redirect("plan_detail", plan_id=doc["id"])
    person = Person.objects.select_related("home_municipality").get(pk=person_id)  # plan_for_person checked the actor may see it
    refusal = services.plan_start_refusal(actor=request.user, person=person)
    return render(request, "plans/person_no_plan.html", {"person": person, "refusal": refusal})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, person_id: int):
    from helhet.people import selectors as people_selectors

    existing = selectors.plan_for_person(actor=request.user, person_id=person_id)  # checks access (404 for outsiders)
    if existing is not None and existing["status"] != "closed" and request.method == "GET":
        return redirect("plan_detail", plan_id=existing["id"])
    person = Person.objects.select_related("home_municipality").get(pk=person_id)
    units = people_selectors.unit_choices(actor=request.user, person=person)
    templates = selectors.plan_template_choices(person=person, units=units)
    form = f.PlanCreateForm(_data(request), units=units, templates=templates, initial={"period_start": timezone.localdate()})
    error = None
    # Who may see the person but not start the plan is told why and whom to contact, before filling in the form.
    refusal = services.plan_start_refusal(actor=request.user, person=person) if request.method == "GET" else None
    if refusal is not None:
        error = refusal

    def run(cd):
        return services.plan_create(actor=request.user, person_id=person.pk, main_sector=cd["main_sector"], main_unit_id=int(cd["main_unit"]),
                                    main_basis=cd["main_basis"], main_reason=cd["main_reason"], period_start=cd["period_start"],
                                    period_end=cd["period_end"], evaluation_interval_months=cd["evaluation_interval_months"],
                                    template_id=cd.get("template") or None)

    outcome = submit(request, form, run)
    if outcome.done:
        messages.success(request, _("Individuell plan er startet."))
        return redirect("plan_detail", plan_id=outcome.result.pk)
    return render(request, "plans/plan_create.html", {"person": person, "form": form, "error": outcome.error or error},
                  status=outcome.status)


# ---------------------------------------------------------------- content items


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request, plan_id: int, slug: str):
    section = _section_key(slug)
    doc = _doc(request, plan_id, Action.PLAN_EDIT)
    form_cls = f.SECTION_FORMS[section]
    form = form_cls(_data(request), _files(request), initial={"based_on_version": doc["version"]}, auto_id=f"form-{section}-add-%s",
                    **_choices(request, doc, section))

    def call(cd):
        if section == "subplans":
            fields = form.to_fields()
            return services.subplan_add(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], kind=fields["kind"],
                                        title=fields["title"], responsible_unit_id=fields["responsible_unit_id"], text=fields["text"],
                                        file=fields.get("file"))
        return services.item_add(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], section=section,
                                 fields=form.to_fields())

    return _run(request, doc, form=form, section=section, form_id=f"form-{section}-add", action=reverse("plan_item_add", args=[doc["id"], slug]),
                title=str(ADD_LABELS[section]), call=call, message=_("Lagret."), multipart=section == "subplans")


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, plan_id: int, slug: str, item_id: int):
    section = _section_key(slug)
    doc = _doc(request, plan_id, Action.PLAN_EDIT)
    item = _item(doc, section, item_id)
    form_cls = f.EDIT_FORMS[section]
    form = form_cls(_data(request), initial={**_initial(form_cls, item), "based_on_version": doc["version"]}, auto_id=f"form-{section}-{item_id}-%s",
                    **_choices(request, doc, section))

    def call(cd):
        return services.item_update(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], section=section,
                                    item_id=item_id, fields=form.to_fields())

    return _run(request, doc, form=form, section=section, form_id=f"form-{section}-{item_id}",
                action=reverse("plan_item_edit", args=[doc["id"], slug, item_id]), title=_("Endre: %(label)s") % {"label": item["label"]},
                call=call, message=_("Endringen er lagret."))


@login_required
@require_http_methods(["GET", "POST"])
def item_remove(request, plan_id: int, slug: str, item_id: int):
    section = _section_key(slug)
    doc = _doc(request, plan_id, Action.PLAN_EDIT)
    item = _item(doc, section, item_id)
    form = f.RemoveForm(_data(request), initial={"based_on_version": doc["version"]}, auto_id=f"form-{section}-{item_id}-%s")

    def call(cd):
        return services.item_remove(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], section=section,
                                    item_id=item_id)

    return _run(request, doc, form=form, section=section, form_id=f"form-{section}-{item_id}",
                action=reverse("plan_item_remove", args=[doc["id"], slug, item_id]), title=_("Fjerne «%(label)s»?") % {"label": item["label"]},
                call=call, message=_("Fjernet."), submit_label=_("Fjern"), danger=True)


@login_required
@require_http_methods(["GET", "POST"])
def goal_status(request, plan_id: int, item_id: int):
    doc = _doc(request, plan_id, Action.PLAN_EDIT)
    item = _item(doc, "goals", item_id)
    form = f.GoalStatusForm(_data(request), initial={"based_on_version": doc["version"], "status": item["status"], "on": doc.get("today")},
                              auto_id=f"form-goals-{item_id}-%s")

    def call(cd):
        return services.goal_set_status(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], goal_id=item_id,
                                        status=cd["status"], on=cd["on"], note=cd["note"])

    return _run(request, doc, form=form, section="goals", form_id=f"form-goals-{item_id}", action=reverse("plan_goal_status", args=[doc["id"], item_id]),
                title=_("Status for målet «%(label)s»") % {"label": item["label"]}, call=call, message=_("Status er lagret."))


@login_required
@require_http_methods(["GET", "POST"])
def measure_status(request, plan_id: int, item_id: int):
    doc = _doc(request, plan_id, Action.PLAN_EDIT)
    item = _item(doc, "measures", item_id)
    form = f.MeasureStatusForm(_data(request), initial={"based_on_version": doc["version"], "status": item["status"], "on": doc.get("today")},
                                 auto_id=f"form-measures-{item_id}-%s")

    def call(cd):
        return services.measure_set_status(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], measure_id=item_id,
                                           status=cd["status"], on=cd["on"], note=cd["note"])

    return _run(request, doc, form=form, section="measures", form_id=f"form-measures-{item_id}",
                action=reverse("plan_measure_status", args=[doc["id"], item_id]), title=_("Status for tiltaket «%(label)s»") % {"label": item["label"]},
                call=call, message=_("Status er lagret."))


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_record(request, plan_id: int, item_id: int | None = None):
    doc = _doc(request, plan_id, Action.PLAN_EDIT)
    if item_id is not None:
        _item(doc, "evaluations", item_id)
    form = f.EvaluationRecordForm(_data(request), initial={"based_on_version": doc["version"], "held_on": doc.get("today")},
                                  auto_id=f"form-evaluations-{item_id or 'record'}-%s")

    def call(cd):
        return services.evaluation_record(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], held_on=cd["held_on"],
                                          reviewed=cd["reviewed"], changes=cd["changes"], next_on=cd["next_on"], evaluation_id=item_id)

    action = reverse("plan_evaluation_record", args=[doc["id"], item_id]) if item_id else reverse("plan_evaluation_record_new", args=[doc["id"]])
    return _run(request, doc, form=form, section="period", form_id=f"form-evaluations-{item_id or 'record'}", action=action,
                title=_("Registrer gjennomført evaluering"), call=call, message=_("Evalueringen er registrert."))


@login_required
@require_http_methods(["GET", "POST"])
def plan_period(request, plan_id: int):
    doc = _doc(request, plan_id, Action.PLAN_EDIT)
    period = doc["period"]
    form = f.PlanPeriodForm(_data(request), initial={"based_on_version": doc["version"], "period_start": period["start"], "period_end": period["end"],
                                                     "evaluation_interval_months": period["evaluation_interval_months"]},
                             auto_id="form-period-%s")

    def call(cd):
        return services.plan_update(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], period_start=cd["period_start"],
                                    period_end=cd["period_end"], evaluation_interval_months=cd["evaluation_interval_months"])

    return _run(request, doc, form=form, section="period", form_id="form-period", action=reverse("plan_period", args=[doc["id"]]),
                title=_("Endre planperiode"), call=call, message=_("Planperioden er lagret."))


# ---------------------------------------------------------------- whole-plan steps (always full pages)


def _plan_step(request, plan_id, *, action, form_cls, title, call, message, submit_label, initial=None, danger=False, intro=""):
    doc = _doc(request, plan_id, action)
    form = form_cls(_data(request), initial={"based_on_version": doc["version"], **(initial or {})})
    outcome = submit(request, form, lambda cd: call(doc, cd))
    if outcome.done:
        messages.success(request, message)
        return redirect("plan_detail", plan_id=doc["id"])
    status = outcome.status
    ctx = {"plan": doc, "form": form, "error": outcome.error, "title": title, "submit_label": submit_label, "htmx": False, "danger": danger,
           "intro": intro, "form_id": "form-step", "action": request.path, "section": ""}
    return render(request, "plans/form_page.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_publish(request, plan_id: int):
    return _plan_step(
        request, plan_id, action=Action.PLAN_PUBLISH, form_cls=f.PublishForm, title=_("Publiser en ny versjon"), submit_label=_("Publiser versjon"),
        intro=_("En publisert versjon er et fast øyeblikksbilde av planen som alle med tilgang kan se og sammenligne."),
        call=lambda doc, cd: services.plan_publish(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], reason=cd["reason"]),
        message=_("Versjonen er publisert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_status(request, plan_id: int):
    return _plan_step(
        request, plan_id, action=Action.PLAN_EDIT, form_cls=f.PlanStatusForm, title=_("Endre status for planen"), submit_label=_("Lagre status"),
        call=lambda doc, cd: services.plan_set_status(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"],
                                                      status=cd["status"], reason=cd["reason"]),
        message=_("Statusen er endret."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_close(request, plan_id: int):
    return _plan_step(
        request, plan_id, action=Action.PLAN_CLOSE, form_cls=f.CloseForm, title=_("Avslutt planen"), submit_label=_("Avslutt planen"), danger=True,
        initial={"on": timezone.localdate()},
        intro=_("En avsluttet plan låses for endringer, men kan fortsatt leses av dem som har tilgang."),
        call=lambda doc, cd: services.plan_close(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], reason=cd["reason"],
                                                 on=cd["on"], note=cd["note"]),
        message=_("Planen er avsluttet."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_reopen(request, plan_id: int):
    return _plan_step(
        request, plan_id, action=Action.PLAN_REOPEN, form_cls=f.ReopenForm, title=_("Gjenåpne planen"), submit_label=_("Gjenåpne planen"),
        call=lambda doc, cd: services.plan_reopen(actor=request.user, plan_id=doc["id"], based_on_version=cd["based_on_version"], reason=cd["reason"]),
        message=_("Planen er gjenåpnet."),
    )


# ---------------------------------------------------------------- versions, diff, files


@login_required
@require_GET
def plan_versions(request, plan_id: int):
    versions = _dates(selectors.plan_versions(actor=request.user, plan_id=plan_id))
    return render(request, "plans/plan_versions.html", {"plan_id": plan_id, "versions": versions})


@login_required
@require_GET
def plan_diff(request, plan_id: int):
    versions = _dates(selectors.plan_versions(actor=request.user, plan_id=plan_id))  # checks access (404 for outsiders)
    numbers = [v["number"] for v in versions]
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    diff, error = None, None
    if a or b:
        try:
            a_n = int(a)
            b_n = int(b) if b not in ("", "0") else None
        except ValueError:
            a_n = b_n = None
        if a_n not in numbers or (b_n is not None and b_n not in numbers):
            error = _("Velg to publiserte versjoner å sammenligne.")
        else:
            diff = selectors.plan_diff(actor=request.user, plan_id=plan_id, from_number=a_n, to_number=b_n)
    ctx = {"plan_id": plan_id, "versions": versions, "a": a, "b": b, "diff": diff, "error": error}
    return render(request, "plans/plan_diff.html", ctx, status=400 if error else 200)


@login_required
@require_GET
def subplan_file(request, plan_id: int, item_id: int):
    got = selectors.subplan_file(actor=request.user, plan_id=plan_id, subplan_id=item_id)
    response = FileResponse(got.file, as_attachment=True, filename=got.name, content_type=got.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- plan templates (the KE's planmaler)


@login_required
@require_GET
def plan_templates(request):
    sections = selectors.plan_template_sections(actor=request.user)
    if not sections:
        raise Http404()
    return render(request, "plans/plan_templates.html", {"sections": sections})


@login_required
@require_http_methods(["GET", "POST"])
def plan_template_edit(request, template_id: int | None = None):
    from helhet.core.forms import form_page

    sections = selectors.plan_template_sections(actor=request.user)
    if not sections:
        raise Http404()
    orgs = [org for org, _templates in sections]
    template = selectors.plan_template_for_edit(actor=request.user, template_id=template_id) if template_id else None
    initial = {name: getattr(template, name) for name in services.TEMPLATE_FIELDS} if template else {}
    if template:
        initial["organization"] = template.organization_id
        orgs = [template.organization]
    form = f.PlanTemplateForm(_data(request), organizations=orgs, initial=initial)

    def run(cd):
        fields = {name: cd.get(name, "") for name in services.TEMPLATE_FIELDS}
        if template:
            return services.plan_template_save(actor=request.user, template_id=template.pk, **fields)
        return services.plan_template_save(actor=request.user, organization_id=cd.get("organization") or orgs[0].pk, **fields)

    title = _("Endre planmal") if template else _("Ny planmal")
    return form_page(request, form=form, template="plans/plan_template_form.html", context={"title": title, "template_obj": template},
                     run=run, success=lambda t: reverse("plan_templates"), message=_("Planmalen er lagret."))


@login_required
@require_http_methods(["POST"])
def plan_template_active(request, template_id: int):
    active = request.POST.get("active") == "1"
    template = services.plan_template_set_active(actor=request.user, template_id=template_id, active=active)
    messages.success(request, (_("%(name)s er tatt i bruk.") if active else _("%(name)s er tatt ut av bruk.")) % {"name": template.name})
    return redirect("plan_templates")
