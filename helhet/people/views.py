from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@login_required
@require_GET
def person_list(request):
    search = request.GET.get("q", "")
    persons = selectors.person_list(actor=request.user, search=search, limit=100)
    return render(request, "people/person_list.html", {"persons": persons, "q": search})


@login_required
@require_GET
def person_detail(request, pk: int):
    person, data = selectors.person_detail(actor=request.user, person_id=pk)
    return render(request, "people/person_detail.html", {"person": person, **data})
