from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Request
from . import selectors


@login_required
@require_GET
def my_persons(request):
    return render(request, "cases/my_persons.html", {"appointments": selectors.my_persons(actor=request.user)})


@login_required
@require_GET
def ke_overview(request):
    filters = {"status": request.GET.get("status", ""), "search": request.GET.get("q", ""), "kind": request.GET.get("kind", "")}
    if filters["status"] not in Request.Status.values:
        filters["status"] = ""
    data = selectors.ke_overview(actor=request.user, **filters)
    return render(request, "cases/ke_overview.html", {**data, "filters": filters, "statuses": Request.Status.choices})
