"""One length table (helhet/core/limits.py), enforced in the services: the API and the forms refuse the same
too-long text; constraint violations are domain errors (409 plan_exists), never the database's raw text."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError
from django.urls import reverse

from helhet.core import limits
from helhet.core.errors import Conflict, DomainError, validate
from helhet.meetings.models import Post, Thread
from helhet.plans.models import Goal, IndividualPlan

pytestmark = pytest.mark.django_db
HUGE = "x" * 100_000


def _post(client, path, body):
    return client.post("/api/v1" + path, data=json.dumps(body), content_type="application/json")


def test_a_100000_character_goal_is_refused_by_the_api_naming_the_field(plan, client_for):
    r = _post(client_for("coordinator"), f"/plans/{plan.pk}/goals", {"based_on_version": plan.version, "text": HUGE, "written_by": "person"})
    assert r.status_code == 400, r.content[:500]
    body = r.json()
    assert body["code"] == "invalid" and "text" in body["details"]["fields"]
    assert "4 000" in body["details"]["fields"]["text"][0]
    assert not Goal.objects.filter(plan=plan).exists()


def test_the_goal_form_refuses_it_too_in_norwegian(plan, client_for):
    r = client_for("coordinator").post(reverse("plan_item_add", args=[plan.pk, "mal"]),
                                       {"based_on_version": plan.version, "text": HUGE, "written_by": "person"})
    assert r.status_code == 400
    assert "4000" in r.content.decode() or "4 000" in r.content.decode()
    assert not Goal.objects.filter(plan=plan).exists()


def test_a_goal_at_the_limit_is_accepted_by_both(plan, client_for):
    text = "y" * limits.limit_for(Goal, "text")
    r = _post(client_for("coordinator"), f"/plans/{plan.pk}/goals", {"based_on_version": plan.version, "text": text, "written_by": "person"})
    assert r.status_code == 201, r.content[:500]


def test_a_100000_character_post_and_thread_are_refused_by_the_api(plan, client_for):
    c = client_for("coordinator")
    r = _post(c, f"/plan-group/plans/{plan.pk}/threads", {"subject": "Emne", "text": HUGE})
    assert r.status_code == 400 and "text" in r.json()["details"]["fields"]
    assert not Thread.objects.exists()
    r = _post(c, f"/plan-group/plans/{plan.pk}/threads", {"subject": "Emne", "text": "Hei"})
    assert r.status_code == 201
    r = _post(c, f"/plan-group/threads/{r.json()['id']}/posts", {"text": HUGE})
    assert r.status_code == 400 and "text" in r.json()["details"]["fields"]
    assert Post.objects.count() == 1


def test_a_100000_character_need_summary_is_refused_by_validate_which_the_service_calls():
    from helhet.coordination.models import NeedNotification

    with pytest.raises(DomainError) as exc:
        validate(NeedNotification(summary=HUGE))
    assert exc.value.status == 400 and list(exc.value.details["fields"]) == ["summary"]


def test_every_text_field_has_a_limit():
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if not model.__module__.startswith("helhet."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField | models.CharField):
                assert limits.limit_for(model, field.name), f"{model._meta.label}.{field.name}"


def test_an_open_plan_that_already_exists_is_a_409_plan_exists_not_the_constraint_text(plan):
    second = IndividualPlan(person=plan.person, main_sector=plan.main_sector, main_unit=plan.main_unit, created_by=plan.created_by,
                            consent=plan.consent)
    with pytest.raises(Conflict) as exc:
        validate(second)
    assert exc.value.code == "plan_exists" and exc.value.status == 409
    assert "constraint" not in exc.value.message.lower()


def test_an_integrity_error_the_service_did_not_foresee_is_a_409_in_the_api(person, client_for, world, monkeypatch):
    from helhet.plans import services

    def race(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: plans_individualplan.person_id")

    monkeypatch.setattr(services, "plan_create", race)
    r = _post(client_for("coordinator"), "/plans/", {"person_id": person.pk, "main_sector": "health_care",
                                                     "main_unit_id": world.units["fjordvik_care"].pk})
    assert r.status_code == 409, r.content
    assert r.json()["code"] in ("conflict", "plan_exists") and "UNIQUE" not in r.content.decode()
