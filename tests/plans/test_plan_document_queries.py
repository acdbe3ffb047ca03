"""The plan API document's exact query count is pinned (issue 14: the plan row is loaded once, labels are looked up
once per document). A change that adds a query here must say why."""

from django.db import connection
from django.utils import translation

from helhet.plans.documents import build_document
from helhet.plans.models import IndividualPlan

# The access decision (helhet.access.queries.plan_read): the plan row (once), the actor's memberships and their
# relationships to the plan's person, with the sharing-consent facts on PostgreSQL: ONE round trip there (it was 4
# queries); on SQLite one query each, no consent facts (this plan has no staff participant: no renewal list).
ACCESS_QUERIES = {"postgresql": 1, "sqlite": 3}
# Session read (never saved on a plain read), user, the audit event (chain head, insert; PostgreSQL takes the chain's
# advisory lock with the head). The document's sections: one round trip on PostgreSQL, one query per section on
# SQLite (a plan without measures has no measure links or history to ask for).
# tests/plans/test_document_queries.py pins the document itself.
REST_QUERIES = 4
SQLITE_SECTIONS = 15


def test_the_plan_api_document_runs_a_pinned_number_of_queries(
    plan, client_for, django_assert_num_queries
):
    client = client_for("coordinator")
    assert (
        client.get(f"/api/v1/plans/{plan.pk}").status_code == 200
    )  # warm-up: the session's first request
    postgresql = connection.vendor == "postgresql"
    expected = ACCESS_QUERIES["postgresql" if postgresql else "sqlite"] + REST_QUERIES + (1 if postgresql else SQLITE_SECTIONS)
    with django_assert_num_queries(expected):
        response = client.get(f"/api/v1/plans/{plan.pk}")
    assert response.status_code == 200


def test_the_document_is_the_same_with_the_loaded_plan_row_and_without(plan):
    loaded = IndividualPlan.objects.select_related(
        "person__home_municipality", "main_unit__organization", "consent"
    ).get(pk=plan.pk)
    for language in ("nb", "en"):
        with translation.override(language):
            assert build_document(plan.pk, plan=loaded) == build_document(plan.pk)
            loaded = IndividualPlan.objects.select_related("person", "main_unit", "consent").get(
                pk=plan.pk
            )


def test_labels_follow_the_active_language_per_document(plan):
    with translation.override("nb"):
        nb = build_document(plan.pk)["status_label"]
    with translation.override("en"):
        en = build_document(plan.pk)["status_label"]
    assert nb and en and nb != en
