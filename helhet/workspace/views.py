"""The staff's landing pages (thin: parse the page number, call one selector, render)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helhet.notifications.selectors import unread_count

from . import selectors


@login_required
@require_GET
def involved(request):
    page = selectors.involved_persons(actor=request.user, params=request.GET)
    return render(request, "workspace/involved.html", {"page": page, "unread_notifications": unread_count(actor=request.user),
                                                       "current": "involved"})


@login_required
@require_GET
def inbox(request):
    page = selectors.inbox(actor=request.user, params=request.GET)
    return render(request, "workspace/inbox.html", {"page": page, "current": "inbox"})


@login_required
@require_GET
def calendar(request):
    page = selectors.calendar(actor=request.user, params=request.GET)
    return render(request, "workspace/calendar.html", {"page": page, "current": "calendar"})


@login_required
@require_GET
def overdue(request):
    """The overdue counts as a fragment (loaded into the KE overview and "Mine personer" by workspace/_overdue_slot.html)."""
    scope = "ke" if request.GET.get("for") == "ke" else "mine"
    counts = selectors.overdue_counts(actor=request.user, scope=scope)
    return render(request, "workspace/_overdue.html", {"overdue": counts})
