"""Browser views: the coordinator's deadlines, the KE's deadlines, first contact / longer deadline forms, notifications. Thin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhet.core.forms import form_page
from helhet.core.paging import keyset_page, offset_page
from helhet.rules.deadlines import KIND_LABELS
from helhet.rules.templatetags.rules_tags import why

from . import selectors, services
from .forms import ExtensionForm, FirstContactForm

FORM_PAGE = "people/_form_page.html"


def _data(request):
    return request.POST if request.method == "POST" else None


def _attach_why(rows) -> None:
    """One "Hvorfor?" link per distinct (rule, tenant), not per row: the page's query count stays flat."""
    cache: dict = {}
    today = timezone.localdate()
    for row in rows:
        key = (row.deadline.rule_code, row.deadline.organization_id)
        if key not in cache:
            cache[key] = why({}, key[0], day=today, organization=key[1])
        row.why = cache[key]


@login_required
@require_GET
def my_deadlines(request):
    rows = selectors.my_deadlines(actor=request.user)
    page = offset_page(rows, request.GET)  # computed deadlines (helhet.rules.deadlines.collect): paged after sorting
    _attach_why(page)
    return render(request, "notifications/my_deadlines.html", {"rows": page, "overdue": sum(r.overdue for r in rows)})


@login_required
@require_GET
def ke_deadlines(request):
    kind = request.GET.get("kind", "")
    if kind not in KIND_LABELS and kind != selectors.WAITING:
        kind = ""
    overdue_only = request.GET.get("overdue") == "1"
    data = selectors.ke_deadlines(actor=request.user, kind=kind, overdue_only=overdue_only)
    data["rows"] = offset_page(data["rows"], request.GET)
    data["waiting"] = keyset_page(data["waiting"], request.GET, prefix="venter_")
    _attach_why(data["rows"])
    return render(request, "notifications/ke_deadlines.html", {**data, "kind": kind, "overdue_only": overdue_only, "WAITING": selectors.WAITING})


def _back(appointment) -> str:
    return reverse("my_deadlines") if appointment.actor_reason == "coordinator" else reverse("ke_deadlines") + "?kind=first_contact"


@login_required
@require_http_methods(["GET", "POST"])
def first_contact_record(request, pk: int):
    appointment = services.appointment_for_deadline(actor=request.user, appointment_id=pk)
    return form_page(
        request, form=FirstContactForm(_data(request)), template=FORM_PAGE,
        context={"title": _("Registrer første kontakt"), "person": appointment.person, "cancel_url": _back(appointment),
                 "intro": _("Koordinatorens første kontakt med personen etter oppnevningen (%(kind)s fra %(start)s).")
                 % {"kind": appointment.get_kind_display(), "start": appointment.start.strftime("%d.%m.%Y")}},
        run=lambda cd: services.first_contact_record(actor=request.user, appointment_id=appointment.pk, **cd),
        success=lambda _obj: _back(appointment), message=_("Første kontakt er registrert."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deadline_extend(request, pk: int):
    appointment = services.appointment_for_deadline(actor=request.user, appointment_id=pk)
    return form_page(
        request, form=ExtensionForm(_data(request)), template=FORM_PAGE,
        context={"title": _("Lengre frist for første kontakt"), "person": appointment.person, "cancel_url": _back(appointment),
                 "intro": _("En lengre frist enn retningslinjen krever en registrert begrunnelse.")},
        run=lambda cd: services.deadline_extend(actor=request.user, appointment_id=appointment.pk, **cd),
        success=lambda _obj: _back(appointment), message=_("Fristen er forlenget."),
    )


@login_required
@require_GET
def notification_list(request):
    items = keyset_page(selectors.notification_list(actor=request.user), request.GET)
    return render(request, "notifications/notification_list.html", {"items": items, "unread": selectors.unread_count(actor=request.user)})


@login_required
@require_POST
def notifications_mark_read(request):
    raw = request.POST.getlist("id")
    ids = [int(i) for i in raw if i.isdigit()] if raw else None
    services.notifications_mark_read(actor=request.user, ids=ids)
    return redirect("notifications")
