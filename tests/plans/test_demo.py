from helhet.plans.models import IndividualPlan, PlanVersion


def test_seed_plans_creates_plans_in_every_state(world):
    from helhet.core.demo import seed_demo
    from helhet.plans.demo import seed_plans

    w = seed_demo(n_persons=30)
    seed_plans(w)  # seed_demo may already have called it; either way the plans are there
    assert {"draft", "active", "under_evaluation", "closed"} <= set(IndividualPlan.objects.values_list("status", flat=True))
    assert IndividualPlan.objects.filter(predecessor__isnull=False).exists()
    assert PlanVersion.objects.values("plan").distinct().count() >= 2
    assert max(p.goals.count() for p in IndividualPlan.objects.all()) >= 8
    assert IndividualPlan.objects.filter(subplans__file__gt="").exists()
    assert seed_plans(w) == []  # idempotent
