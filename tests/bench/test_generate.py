"""The benchmark data generator: a small run on the test database, with the counts it promises.

On PostgreSQL the generator writes with COPY (ids reserved from the tables' sequences), on SQLite with
bulk_create; the suite runs on both, so each test here covers both paths."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, models, transaction

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


@pytest.mark.django_db(
    transaction=True
)  # the workers have their own connections: they see committed rows only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel generation is PostgreSQL only (each worker its own connection; on SQLite jobs=2 runs in one process)",
)
def test_two_jobs_build_the_data_model_with_unique_ids_and_valid_chains(capsys):
    from collections import Counter

    from helhet.core.validators import parse_national_id

    result = generate(
        persons=40,
        plans_ratio=0.9,
        seed=8,
        batch=7,
        progress=False,
        snapshots="inline",
        audit_events_per_plan=4,
        jobs=2,
    )

    # Both workers wrote (each takes the national ids whose individual number is its residue modulo 2), and
    # every number is unique and valid.
    ids = list(Person.objects.values_list("national_id", flat=True))
    assert result["person"] == len(ids) == 40 == len(set(ids))
    assert all(parse_national_id(n, allow_synthetic=True).is_synthetic for n in ids)
    assert Counter(int(n[6:9]) % 2 for n in ids) == {0: 20, 1: 20}
    # The data model's counts, as in one process: one plan_work consent and at most one open plan per person with
    # a plan; every plan its content and versions; no row of one worker's person points at the other's plan.
    with_plan = Person.objects.filter(consents__kind="plan_work").distinct().count()
    assert 0 < with_plan <= 40 and result["request"] + result["informationrecord"] >= 40
    assert IndividualPlan.objects.filter(predecessor__isnull=True).count() == with_plan
    assert with_plan <= result["individualplan"] <= with_plan * 1.2
    assert (
        IndividualPlan.objects.exclude(status="closed").values("person").distinct().count()
        == IndividualPlan.objects.exclude(status="closed").count()
    )
    for plan in IndividualPlan.objects.prefetch_related("goals", "measures", "versions"):
        assert 3 <= len(plan.goals.all()) <= 12 and 5 <= len(plan.measures.all()) <= 25
        assert plan.published_number == len(plan.versions.all()) <= 5
        assert plan.consent.person_id == plan.person_id
    assert not Measure.goals.through.objects.exclude(
        goal__plan_id=models.F("measure__plan_id")
    ).exists()

    # A year of events for the plans, each chain one gap-free sequence from 1, and audit_verify passes.
    events = AuditEvent.objects.filter(seq__isnull=False)
    n = events.count()
    assert 2 * result["individualplan"] <= n <= 6 * result["individualplan"]
    for chain in set(events.values_list("chain", flat=True)):
        seqs = list(events.filter(chain=chain).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1)), chain
    assert (
        not events.filter(person__isnull=False)
        .exclude(chain=models.F("person__home_municipality_id"))
        .exists()
    )
    call_command("audit_verify", checkpoint_file="")
    assert f"OK: {n} audit events" in capsys.readouterr().out

    # The sequences stay ahead of both workers' ids: a normal insert afterwards does not collide.
    goal = Goal.objects.create(plan=IndividualPlan.objects.first(), order=99, text="Et nytt mål.")
    assert goal.pk > max(Goal.objects.exclude(pk=goal.pk).values_list("pk", flat=True))


def test_jobs_must_be_at_least_one():
    with pytest.raises(ValueError, match="jobs"):
        generate(persons=1, jobs=0)


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path exists on PostgreSQL only"
)
def test_a_generated_event_that_would_fork_a_chain_is_refused():
    """The per-row trigger's check, made once per chain and batch by the generator (_check_chains_at_once), refuses
    a seq that the chain already has, as the trigger would; the trigger is enabled again either way."""
    import psycopg
    from django.db import IntegrityError

    from bench.generate import CHAIN_TRIGGER, _Ctx, _Event, _save_events
    from helhet.audit.services import DIGEST_FIELDS

    generate(persons=3, plans_ratio=1.0, seed=9, progress=False, audit_events_per_plan=2)
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    twin = _Event(**{name: getattr(last, name) for name in (*DIGEST_FIELDS, "hash")})
    ctx = _Ctx(build_world(), None, [], set(), None, None)
    ctx.copy = True
    # Django's IntegrityError from the batched check, psycopg's from the trigger (a role that does not own the table).
    with (
        pytest.raises((IntegrityError, psycopg.errors.IntegrityError), match="audit_chain_seq"),
        transaction.atomic(),
    ):
        _save_events(ctx, [twin])
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT tgenabled FROM pg_trigger WHERE tgname = %s", [CHAIN_TRIGGER])
        assert [row[0] for row in cur.fetchall()] in ([], ["O"])
