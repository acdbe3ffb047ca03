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


def test_two_concurrent_edits_of_the_same_item_only_one_wins(plan, users):
    goal = services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, text="Mål")
    base = goal.plan.version

    def edit(i):
        from helhet.organizations.models import User

        actor = User.objects.get(pk=users["coordinator"].pk)
        return services.item_update(actor=actor, plan_id=plan.pk, based_on_version=base, section="goals", item_id=goal.pk,
                                    fields={"text": f"Mål {i}"})

    results = _race(edit)
    assert sum(1 for r in results if isinstance(r, Conflict) and r.code == "stale") == 1, results
    plan.refresh_from_db()
    assert plan.version == base + 1


def test_two_concurrent_additions_on_the_same_version_both_go_through(plan, users):
    base = plan.version

    def add(i):
        from helhet.organizations.models import User

        actor = User.objects.get(pk=users["coordinator"].pk)
        return services.goal_add(actor=actor, plan_id=plan.pk, based_on_version=base, text=f"Mål {i}")

    results = _race(add)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert plan.goals.count() == 2
    plan.refresh_from_db()
    assert plan.version == base + 2
    assert sorted(plan.changes.filter(version__gt=base).values_list("version", flat=True)) == [base + 1, base + 2]
