"""Pages: the rules (national and the user's organisations' local ones), one rule's "hvorfor?" page, and the KE's local guidelines."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhet.access.policy import Action
from helhet.access.queries import check_role, organizations, organizations_for
from helhet.core.errors import DomainError, NotFound
from helhet.core.paging import offset_page

from . import guidelines, selectors, services
from .models import Rule

HISTORY_PAGE_SIZE = 20


def _parse_date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


@login_required
@require_GET
def rule_list(request):
    raw = request.GET.get("dato", "").strip()
    day, error, status = None, "", 200
    if raw:
        day = _parse_date(raw)
        if day is None:
            error, status = _("Skriv datoen som åååå-mm-dd, for eksempel 2020-04-15."), 400
    org_ids = sorted(organizations_for(request.user, Action.RULES_READ_LOCAL))
    rules = selectors.rules_for_organizations(org_ids, day) if not error else Rule.objects.none()
    # Each table pages on its own (?nasjonal_side=, ?lokal_side=); the date filter stays in the links.
    national = offset_page(rules.filter(organization__isnull=True).order_by("code", "valid_from", "id"), request.GET, prefix="nasjonal_")
    local = offset_page(rules.filter(organization__isnull=False).order_by("organization__name", "organization_id", "code", "valid_from", "id"),
                        request.GET, prefix="lokal_")
    guideline_day = day or timezone.localdate()
    orgs = organizations(request.user, Action.RULES_READ_LOCAL)
    local_guidelines = [(org, selectors.guideline_states(org, guideline_day)) for org in orgs] if not error else []
    return render(request, "rules/rule_list.html", {
        "national": national, "local": local, "day": day, "raw_day": raw, "error": error,
        "local_guidelines": local_guidelines, "guideline_day": guideline_day, "today": timezone.localdate(),
    }, status=status)


@login_required
@require_GET
def rule_detail(request, pk: int):
    org_ids = organizations_for(request.user, Action.RULES_READ_LOCAL)
    rule = selectors.rule_visible(pk, org_ids)
    if rule is None:
        raise NotFound()
    versions = list(selectors.rules_for_organizations(org_ids).filter(code=rule.code))
    today = timezone.localdate()
    return render(request, "rules/rule_detail.html", {"rule": rule, "versions": versions, "today": today,
                                                      "in_force": rule.in_force_on(today)})


def _guideline_page(request, *, status=200, posted=None, errors=None):
    orgs = organizations(request.user, Action.GUIDELINE_SET)
    today = timezone.localdate()
    posted, errors = posted or {}, errors or {}
    sections = []
    for org in orgs:
        states = selectors.guideline_states(org, today, with_history=True)
        for state in states:
            # The change history grows with every change: paged per guideline, newest first.
            state.history = offset_page(state.history, request.GET, per_page=HISTORY_PAGE_SIZE, prefix=f"historikk_{org.pk}_{state.key}_")
            target = posted.get("organization") == str(org.pk) and posted.get("key") == state.key
            state.form_values = posted if target else {}
            state.form_errors = errors if target else {}
        sections.append((org, states))
    return render(request, "rules/local_guidelines.html", {
        "sections": sections, "today": today, "errors": errors,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def local_guidelines(request):
    check_role(request.user, Action.KE_WORKLIST)
    if request.method == "GET":
        return _guideline_page(request)
    data = request.POST
    posted = {k: data.get(k, "") for k in ("organization", "key", "value", "reason", "source", "valid_from")}
    valid_from = None
    if posted["valid_from"].strip():
        valid_from = _parse_date(posted["valid_from"])
        if valid_from is None:
            return _guideline_page(request, status=400, posted=posted,
                                   errors={"valid_from": _("Skriv datoen som åååå-mm-dd.")})
    try:
        version = services.guideline_set(actor=request.user, organization_id=posted["organization"], key=posted["key"],
                                         value=posted["value"], reason=posted["reason"], source=posted["source"],
                                         valid_from=valid_from)
    except DomainError as exc:
        if exc.status != 400:
            raise
        fields = exc.details.get("fields") or {"value": [exc.message]}
        return _guideline_page(request, status=400, posted=posted, errors={k: " ".join(v) for k, v in fields.items()})
    g = guidelines.get(version.key)
    messages.success(request, _("%(label)s er satt til %(value)s dager fra %(date)s.") % {
        "label": g.label, "value": version.value, "date": version.valid_from.strftime("%d.%m.%Y")})
    return redirect("local_guidelines")
