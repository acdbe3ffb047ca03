"""Deadline fixtures: appointments on a given start date, time travel to a fixed day (Europe/Oslo)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

D0 = dt.date(2026, 3, 2)  # a Monday; every deadline test starts here


def at(day: dt.date, hour: int = 9):
    """time_machine destination: `day` at `hour` o'clock in Oslo (UTC+1 in March)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@pytest.fixture
def travel():
    """travel(day) moves the clock to that day (09:00 Oslo) and keeps it there until the next travel() or the test ends."""
    state = {"t": None}

    def go(day: dt.date, hour: int = 9):
        if state["t"] is not None:
            state["t"].stop()
        state["t"] = time_machine.travel(at(day, hour), tick=False)
        state["t"].start()

    yield go
    if state["t"] is not None:
        state["t"].stop()


@pytest.fixture
def appoint_on(world, users):
    """appoint_on(person, start, user_key='coordinator', unit_key='fjordvik_care') -> an open CoordinatorAppointment."""
    from helhet.cases.models import CoordinatorAppointment

    def make(person, start: dt.date = D0, user_key: str = "coordinator", unit_key: str = "fjordvik_care", kind: str = "coordinator"):
        return CoordinatorAppointment.objects.create(person=person, kind=kind, coordinator=users[user_key], unit=world.units[unit_key],
                                                     appointed_by=users["ke"], start=start)

    return make


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _only_these_providers(monkeypatch):
    # These tests count deadlines exactly, so collect() reads only the providers in helhet.notifications.providers;
    # the minutes and need-notification providers are tested in their own apps.
    from helhet.notifications import providers
    from helhet.rules import deadlines

    ours = [p for p in deadlines._PROVIDERS if p.__module__ == providers.__name__]
    monkeypatch.setattr(deadlines, "_PROVIDERS", ours)
