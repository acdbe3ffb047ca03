"""The benchmark data generator: a small run on the test database, with the counts it promises.

On PostgreSQL the generator writes with COPY (ids reserved from the tables' sequences), on SQLite with
bulk_create; the suite runs on both, so each test here covers both paths."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from bench.generate import GenerateRefused, Progress, generate
from helhet.audit.models import AuditEvent
from helhet.audit.services import record
from helhet.core.world import build_world
from helhet.people.models import Person
from helhet.plans.models import Goal, IndividualPlan, Measure, PlanVersion


@pytest.mark.django_db
def test_generate_small_world_counts_and_no_audit():
    audit_before = AuditEvent.objects.count()
    result = generate(persons=20, plans_ratio=1.0, seed=1, batch=8, progress=False)

    assert result["person"] == Person.objects.count() == 20
    assert len(set(Person.objects.values_list("national_id", flat=True))) == 20
    # Every person has a plan (ratio 1.0); a closed plan may have a successor, never two open plans.
    assert 20 <= result["individualplan"] <= 22
    assert (
        IndividualPlan.objects.exclude(status="closed").values("person").distinct().count()
        == IndividualPlan.objects.exclude(status="closed").count()
    )
    assert IndividualPlan.objects.filter(predecessor__isnull=True).count() == 20
    for plan in IndividualPlan.objects.all():
        assert 3 <= plan.goals.count() <= 12
        assert 5 <= plan.measures.count() <= 25
        assert 1 <= plan.participants.count() <= 10
        assert (
            plan.resources.exists()
            and plan.needs.exists()
            and plan.contributions.exists()
            and plan.evaluations.exists()
        )
        assert plan.consent.kind == "plan_work"
        assert plan.published_number == plan.versions.count() <= 5
        if plan.status != "draft":
            assert plan.versions.exists()
    assert all(m.goals.exists() for m in Measure.objects.prefetch_related("goals"))
    assert (
        PlanVersion.objects.filter(snapshot__goals__isnull=False).count()
        == PlanVersion.objects.count()
        > 0
    )
    assert (
        result["request"] == 20
        and result["decision"] == 20
        and result["coordinatorappointment"] >= 1
    )
    # Bulk test data is nobody's read or write: no audit events.
    assert AuditEvent.objects.count() == audit_before

    with pytest.raises(GenerateRefused):
        generate(persons=1, progress=False)
    more = generate(persons=5, plans_ratio=0.0, append=True, seed=2, progress=False)
    assert more["person"] == 25 and more["individualplan"] == result["individualplan"]


def test_progress_bar_draws_on_its_stream():
    out = io.StringIO()
    bar = Progress(4, "persons", stream=out)
    bar.update(4)
    bar.close()
    assert "4/4" in out.getvalue() and "100.0%" in out.getvalue()
    bar.update(0, rows=1000)
    assert "rows/s" in out.getvalue()


def _fingerprint() -> tuple:
    """What the generator wrote, independent of ids: the persons' national ids and every measure's title and status
    in the order written."""
    return (
        list(Person.objects.order_by("id").values_list("national_id", "given_name", "family_name")),
        list(Measure.objects.order_by("id").values_list("title", "status", "deadline")),
        list(Goal.objects.order_by("id").values_list("text", "status")),
    )


class _Rollback(Exception):
    pass


@pytest.mark.django_db
def test_copy_writes_the_same_data_as_bulk_create():
    """Same seed, same recipe: COPY (PostgreSQL) and bulk_create write the same rows (on SQLite both are
    bulk_create). The bulk_create run is rolled back (a savepoint) so that both start from an empty database."""
    try:
        with transaction.atomic():
            bulk = generate(
                persons=12, plans_ratio=0.8, seed=3, batch=5, progress=False, copy=False
            )
            bulk_rows = _fingerprint()
            raise _Rollback
    except _Rollback:
        pass
    assert Person.objects.count() == 0
    copied = generate(persons=12, plans_ratio=0.8, seed=3, batch=5, progress=False, copy=True)
    assert copied == bulk and copied["measure"] > 0
    assert _fingerprint() == bulk_rows


@pytest.mark.django_db
def test_audit_events_form_valid_chains_and_normal_writes_follow(capsys):
    result = generate(
        persons=20, plans_ratio=0.9, seed=4, batch=8, progress=False, audit_events_per_plan=6
    )
    events = AuditEvent.objects.filter(seq__isnull=False)
    n = events.count()
    # About 6 per plan (3 to 9 each), reads and measure updates, by real staff users on the plans' persons.
    assert 3 * result["individualplan"] <= n <= 9 * result["individualplan"]
    assert set(events.values_list("action", flat=True)) == {"view", "update"}
    assert (
        not events.filter(actor__isnull=True).exists()
        and not events.filter(person__isnull=True).exists()
    )
    assert events.filter(action="view", object_type="individualplan").count() > n // 2
    assert set(events.values_list("chain", flat=True)) <= set(
        Person.objects.values_list("home_municipality_id", flat=True)
    )
    first = events.order_by("chain", "seq").first()
    assert first.seq == 1 and (
        first.text == "Så individuell plan" or first.text.startswith("Endret tiltak: ")
    )

    call_command("audit_verify", checkpoint_file="")
    assert f"OK: {n} audit events" in capsys.readouterr().out

    # Ids and sequences stay consistent: normal inserts after the generator do not collide, and a real event
    # goes on from the generated chain's head.
    person = Person.objects.order_by("id").first()
    plan = IndividualPlan.objects.filter(person=person).first()
    head = (
        events.filter(chain=person.home_municipality_id)
        .order_by("-seq")
        .values_list("seq", flat=True)[0]
    )
    goal = Goal.objects.create(plan=plan, order=99, text="Et nytt mål.")
    assert goal.pk > max(Goal.objects.exclude(pk=goal.pk).values_list("pk", flat=True))
    event = record(
        actor=build_world().users["ke"],
        action="view",
        obj=plan,
        person=person,
        reason="ke",
        summary="Så individuell plan",
    )
    assert event.seq == head + 1 and event.pk > first.pk
    more = generate(
        persons=3, plans_ratio=1.0, seed=5, append=True, progress=False, audit_events_per_plan=2
    )
    assert more["person"] == 23
    call_command("audit_verify", checkpoint_file="")
    assert "OK" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path exists on PostgreSQL only"
)
def test_copy_reserves_ids_from_the_sequences():
    generate(persons=5, plans_ratio=1.0, seed=6, progress=False)
    with connection.cursor() as cur:
        for model in (Person, Goal, Measure.goals.through, PlanVersion):
            table = model._meta.db_table
            cur.execute(f"SELECT max(id), pg_get_serial_sequence(%s, 'id') FROM {table}", [table])
            top, sequence = cur.fetchone()
            cur.execute(f"SELECT last_value FROM {sequence}")
            (last,) = cur.fetchone()
            assert top is not None and last >= top, table
