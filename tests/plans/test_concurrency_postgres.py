"""On PostgreSQL: two concurrent requests to start a plan for the same person; exactly one wins."""

import threading

import pytest
from django.db import connection

from helhet.core.errors import Conflict
from helhet.plans import services
from helhet.plans.models import IndividualPlan

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _only_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def _race(fn, n: int = 2) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        from django.db import connections

        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_concurrent_plan_creations_only_one_wins(plan_person, users, world):
    actors = [users["coordinator"], users["ke"]]
    units = [("health_care", world.units["fjordvik_care"].pk), ("nav", world.units["fjordvik_nav"].pk)]

    def create(i):
        from helhet.organizations.models import User

        actor = User.objects.get(pk=actors[i].pk)  # a fresh user per thread (actor context is cached on the object)
        return services.plan_create(actor=actor, person_id=plan_person.pk, main_sector=units[i][0], main_unit_id=units[i][1])

    results = _race(create)
    wins = [r for r in results if isinstance(r, IndividualPlan)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "plan_exists"
    assert IndividualPlan.objects.filter(person=plan_person).count() == 1


def test_two_concurrent_edits_on_the_same_version_only_one_wins(plan, users):
    def edit(i):
        from helhet.organizations.models import User

        actor = User.objects.get(pk=users["coordinator"].pk)
        return services.goal_add(actor=actor, plan_id=plan.pk, based_on_version=plan.version, text=f"Mål {i}")

    results = _race(edit)
    assert sum(1 for r in results if isinstance(r, Conflict) and r.code == "stale") == 1, results
    assert plan.goals.count() == 1
