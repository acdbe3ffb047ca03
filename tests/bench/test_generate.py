"""The benchmark data generator: a small run on the test database, with the counts it promises."""

import io

import pytest

from bench.generate import GenerateRefused, Progress, generate
from helhet.audit.models import AuditEvent
from helhet.people.models import Person
from helhet.plans.models import IndividualPlan, Measure, PlanVersion


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
