"""The portal's personas: the demo's own citizen logins (helhet.core.demo.seed_portal), on the shared world."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def portal(world):
    from helhet.core.demo import seed_portal
    from helhet.organizations.models import User
    from helhet.people.models import Person

    seed_portal(world)
    people = {p.given_name: p for p in Person.objects.filter(given_name__in=["Amalie", "Theo", "Ida", "Henrik"])}
    return {"users": {u.username: u for u in User.objects.filter(username__in=["ung", "forelder", "verge"])}, "persons": people}


@pytest.fixture
def login():
    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make
