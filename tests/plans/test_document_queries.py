"""The plan document at the database's speed (issue 14): its sections are values() rows fetched in one round trip on
PostgreSQL and one query per section on SQLite, whatever the plan's size; its labels are the choice fields' own."""

import pytest
from django.db import connection
from django.utils import translation

from helhet.plans import documents
from helhet.plans.documents import build_document
from helhet.plans.models import IndividualPlan
from tests.plans.test_query_counts import grow

# The sections: goals, resources, needs, participants, contributions, measures, their goal links, their status history,
# evaluations, cooperation, sub-plans, the two histories, coordinators, sharing consents, successors, versions.
SECTIONS = 17
# The access decision of the plan read (helhet.access.queries.plan_read, issue 14): the plan row (loaded once), the
# actor's memberships, their relationships to the plan's person and the person's sharing-consent facts (for the
# renewal notice): ONE round trip on PostgreSQL (4 statements; it was 4 queries), one query each on SQLite.
ACCESS_QUERIES = {"postgresql": 1, "sqlite": 4}
# The rest of the plan API request besides the sections: session, user, the audit event (chain head, insert; on
# PostgreSQL the chain's advisory lock goes with the head). Other work on the session and the audit write changes
# these; the access decision's share is ACCESS_QUERIES.
OTHER_QUERIES = 4


def _rest_of_request() -> int:
    return ACCESS_QUERIES.get(connection.vendor, ACCESS_QUERIES["sqlite"]) + OTHER_QUERIES


def _document_queries() -> int:
    return 1 if connection.vendor == "postgresql" else SECTIONS


def _loaded(plan):
    return IndividualPlan.objects.select_related("person", "main_unit", "consent").get(pk=plan.pk)


def test_the_document_runs_one_round_trip_on_postgresql_and_one_query_per_section_on_sqlite(
    plan, users, world, plan_person, django_assert_num_queries
):
    grow(plan, users, world, plan_person, 1)
    loaded = _loaded(plan)
    build_document(plan.pk, plan=loaded)  # the first call compiles the SQL
    with django_assert_num_queries(_document_queries()):
        build_document(plan.pk, plan=loaded)
    grow(plan, users, world, plan_person, 4)
    loaded = _loaded(plan)
    with django_assert_num_queries(_document_queries()):
        doc = build_document(plan.pk, plan=loaded)
    assert len(doc["goals"]) == 5 and len(doc["measures"]) == 5 and len(doc["versions"]) == 5
    # Without the loaded row the plan is read once more; a snapshot leaves out successors and versions.
    with django_assert_num_queries(_document_queries() + 1):
        build_document(plan.pk)
    with django_assert_num_queries(1 + (1 if connection.vendor == "postgresql" else SECTIONS - 2)):
        build_document(plan.pk, snapshot=True)


def test_the_plan_api_request_runs_a_pinned_number_of_queries_whatever_the_plan_size(
    plan, users, world, plan_person, client_for, django_assert_num_queries
):
    client = client_for("coordinator")
    grow(plan, users, world, plan_person, 1)
    assert client.get(f"/api/v1/plans/{plan.pk}").status_code == 200  # warm-up: the session's first request
    expected = _rest_of_request() + _document_queries()
    with django_assert_num_queries(expected):
        assert client.get(f"/api/v1/plans/{plan.pk}").status_code == 200
    grow(plan, users, world, plan_person, 5)
    with django_assert_num_queries(expected):
        response = client.get(f"/api/v1/plans/{plan.pk}")
    assert len(response.json()["measures"]) == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one round trip exists on PostgreSQL only")
def test_the_one_round_trip_gives_the_same_document_as_one_query_per_section(plan, users, world, plan_person, monkeypatch):
    grow(plan, users, world, plan_person, 3)
    batched = {snap: build_document(plan.pk, snapshot=snap) for snap in (False, True)}
    monkeypatch.setattr(documents, "_one_round_trip", lambda connection: False)
    for snap in (False, True):
        assert build_document(plan.pk, snapshot=snap) == batched[snap]


def test_labels_are_the_choice_fields_own_in_every_language(plan, users, world, plan_person):
    grow(plan, users, world, plan_person, 1)
    from helhet.plans.models import Goal, Measure, Participant

    items = [plan, *Goal.objects.filter(plan=plan), *Measure.objects.filter(plan=plan), *Participant.objects.filter(plan=plan)]
    for language in ("nb", "nn", "en"):
        with translation.override(language):
            for obj in items:
                for field in obj._meta.concrete_fields:
                    if field.choices:
                        value = getattr(obj, field.attname)
                        assert documents._label(type(obj), field.name, value) == getattr(obj, f"get_{field.name}_display")()
            doc = build_document(plan.pk)
            assert doc["status_label"] == IndividualPlan.objects.get(pk=plan.pk).get_status_display()
    with translation.override("nb"):
        nb = build_document(plan.pk)["goals"][0]["status_label"]
    with translation.override("en"):
        en = build_document(plan.pk)["goals"][0]["status_label"]
    assert nb and en and nb != en
