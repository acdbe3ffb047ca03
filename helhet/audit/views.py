from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helhet.core.paging import keyset_page

from . import selectors

ACCESS_LOG_PAGE_SIZE = 50


@login_required
@require_GET
def person_access_log(request, pk: int):
    person, events = selectors.access_log_for_person(actor=request.user, person_id=pk)
    page = keyset_page(events, request.GET, per_page=ACCESS_LOG_PAGE_SIZE)
    return render(request, "audit/person_access_log.html", {"person": person, "page": page})


@login_required
@require_GET
def unusual_access(request):
    data = selectors.unusual_access(actor=request.user, params=request.GET)
    return render(request, "audit/unusual_access.html", data)
