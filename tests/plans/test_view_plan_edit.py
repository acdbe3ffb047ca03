"""Editing the plan in the browser: in place with htmx and without JS; bad input, stale edits, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.plans import services
from helhet.plans.models import Goal, IndividualPlan, Measure, PlanVersion

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _version(plan) -> int:
    return IndividualPlan.objects.get(pk=plan.pk).version


def test_coordinator_adds_a_goal_without_js_and_is_redirected_back(client_for, plan):
    url = reverse("plan_item_add", args=[plan.pk, "mal"])
    client = client_for("coordinator")
    assert client.get(url).status_code == 200
    response = client.post(url, {"based_on_version": plan.version, "text": "Jeg vil gå på skolen", "written_by": "person"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/planer/{plan.pk}/#sec-goals")
    assert Goal.objects.get(plan=plan).text == "Jeg vil gå på skolen"


def test_htmx_add_returns_the_section_and_announces_the_new_version(client_for, plan):
    url = reverse("plan_item_add", args=[plan.pk, "mal"])
    client = client_for("coordinator")
    fragment = client.get(url, **HX)
    assert fragment.status_code == 200
    assert b'hx-post="' + url.encode() in fragment.content
    assert b"<html" not in fragment.content
    response = client.post(url, {"based_on_version": plan.version, "text": "Å bo hjemme", "written_by": "person"}, **HX)
    assert response.status_code == 200
    assert b'id="sec-goals"' in response.content and "Å bo hjemme" in response.content.decode()
    assert '"plan-version"' in response["HX-Trigger"]


def test_measure_with_goal_responsible_and_deadline(client_for, plan, users):
    goal = services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, text="Jobb", written_by="person")
    response = client_for("coordinator").post(reverse("plan_item_add", args=[plan.pk, "tiltak"]), {
        "based_on_version": goal.plan.version, "title": "Arbeidstrening", "goal_ids": [goal.pk],
        "responsible_person": users["coordinator"].pk, "deadline": "2030-06-01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    measure = Measure.objects.get(plan=plan)
    assert list(measure.goals.all()) == [goal]
    assert measure.deadline == dt.date(2030, 6, 1) and measure.responsible_person == users["coordinator"]


def test_bad_input_is_400_with_nothing_written(client_for, plan):
    client = client_for("coordinator")
    response = client.post(reverse("plan_item_add", args=[plan.pk, "mal"]), {"based_on_version": plan.version, "text": "", "written_by": "person"})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    # A domain refusal (deprioritised without a reason) is a 400 too.
    response = client.post(reverse("plan_item_add", args=[plan.pk, "tiltak"]), {"based_on_version": plan.version, "title": "X", "deprioritised": "on"},
                           **HX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#form-measures-add"
    assert Goal.objects.filter(plan=plan).count() == 0 and Measure.objects.filter(plan=plan).count() == 0
    assert _version(plan) == plan.version


def test_stale_edit_is_409_shows_what_changed_and_keeps_the_users_input(client_for, plan, users):
    goal = services.goal_add(actor=users["ke"], plan_id=plan.pk, based_on_version=plan.version, text="Felles mål", written_by="staff")
    base = goal.plan.version
    services.item_update(actor=users["ke"], plan_id=plan.pk, based_on_version=base, section="goals", item_id=goal.pk,
                         fields={"text": "Noen andres endring"})
    for headers in ({}, HX):
        response = client_for("coordinator").post(reverse("plan_item_edit", args=[plan.pk, "mal", goal.pk]),
                                                  {"based_on_version": base, "text": "Mitt ulagrede mål", "written_by": "person"}, **headers)
        assert response.status_code == 409
        html = response.content.decode()
        assert "endret av noen andre" in html
        assert "Noen andres endring" in html  # what changed
        assert "Mitt ulagrede mål" in html  # the user's input is kept
        assert f'name="based_on_version" value="{base + 1}"' in html  # saving again is a deliberate choice
    assert list(Goal.objects.filter(plan=plan).values_list("text", flat=True)) == ["Noen andres endring"]


def test_adding_from_an_older_version_is_no_conflict(client_for, plan, users):
    """Per-item versions: someone else's new goal does not make my new goal stale."""
    base = plan.version
    services.goal_add(actor=users["ke"], plan_id=plan.pk, based_on_version=base, text="Noen andres mål", written_by="staff")
    response = client_for("coordinator").post(reverse("plan_item_add", args=[plan.pk, "mal"]),
                                              {"based_on_version": base, "text": "Mitt mål", "written_by": "person"})
    assert response.status_code == 302
    assert sorted(Goal.objects.filter(plan=plan).values_list("text", flat=True)) == ["Mitt mål", "Noen andres mål"]


def test_edit_status_and_remove_a_goal(client_for, plan, users):
    goal = services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, text="Gammel", written_by="person")
    client = client_for("coordinator")
    v = goal.plan.version
    assert client.get(reverse("plan_item_edit", args=[plan.pk, "mal", goal.pk]), **HX).status_code == 200
    r = client.post(reverse("plan_item_edit", args=[plan.pk, "mal", goal.pk]), {"based_on_version": v, "text": "Ny", "written_by": "relative"})
    assert r.status_code == 302
    goal.refresh_from_db()
    assert goal.text == "Ny" and goal.written_by == "relative"
    r = client.post(reverse("plan_goal_status", args=[plan.pk, goal.pk]), {"based_on_version": v + 1, "status": "achieved", "on": "2024-01-02"})
    assert r.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "achieved"
    r = client.post(reverse("plan_item_remove", args=[plan.pk, "mal", goal.pk]), {"based_on_version": v + 2})
    assert r.status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_every_section_can_be_added_to(client_for, plan, users, world):
    client = client_for("coordinator")
    care = world.units["fjordvik_care"].pk
    data = {
        "ressurser": {"text": "God på musikk", "written_by": "person"},
        "behov": {"text": "Hjelp til lekser", "area": "skole", "written_by": "relative"},
        "deltakere": {"kind": "person", "role": "Hovedperson", "active": "on"},
        "bidrag": {"by": "service", "unit": care, "text": "Hjemmebesøk"},
        "evalueringer": {"planned_on": "2031-01-01"},
        "samarbeid": {"partner": "Skolen", "kind": "institution", "purpose": "Tilrettelegging"},
        "delplaner": {"kind": "crisis", "title": "Kriseplan", "responsible_unit": care, "text": "Ring 113"},
    }
    for slug, fields in data.items():
        v = _version(plan)
        r = client.post(reverse("plan_item_add", args=[plan.pk, slug]), {"based_on_version": v, **fields})
        assert r.status_code == 302, (slug, r.content.decode()[:3000])
        assert _version(plan) == v + 1
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    for text in ("God på musikk", "Hjelp til lekser", "Hovedperson", "Hjemmebesøk", "Skolen", "Kriseplan"):
        assert text in page


def test_period_publish_close_and_reopen(client_for, plan):
    client = client_for("coordinator")
    r = client.post(reverse("plan_period", args=[plan.pk]), {"based_on_version": plan.version, "period_start": "2024-01-01",
                                                              "period_end": "2023-01-01"})
    assert r.status_code == 400
    r = client.post(reverse("plan_period", args=[plan.pk]), {"based_on_version": plan.version, "period_start": "2024-01-01",
                                                              "period_end": "2026-01-01", "evaluation_interval_months": 6})
    assert r.status_code == 302
    r = client.post(reverse("plan_publish", args=[plan.pk]), {"based_on_version": _version(plan), "reason": ""})
    assert r.status_code == 400 and not PlanVersion.objects.exists()
    r = client.post(reverse("plan_publish", args=[plan.pk]), {"based_on_version": _version(plan), "reason": "Første versjon"})
    assert r.status_code == 302
    assert PlanVersion.objects.get(plan=plan).reason == "Første versjon"
    r = client.post(reverse("plan_close", args=[plan.pk]), {"based_on_version": _version(plan), "reason": "need_ended",
                                                             "on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    assert IndividualPlan.objects.get(pk=plan.pk).status == "closed"
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "låst for endringer" in page and "Legg til mål" not in page
    # Reopening is the KE's step: the coordinator is not even shown the form.
    assert client.get(reverse("plan_reopen", args=[plan.pk])).status_code == 404
    assert client_for("ke").get(reverse("plan_reopen", args=[plan.pk])).status_code == 200
    r = client.post(reverse("plan_reopen", args=[plan.pk]), {"based_on_version": _version(plan), "reason": "Nytt behov"})
    assert r.status_code == 404
    r = client_for("ke").post(reverse("plan_reopen", args=[plan.pk]), {"based_on_version": _version(plan), "reason": "Nytt behov"})
    assert r.status_code == 302
    assert IndividualPlan.objects.get(pk=plan.pk).status == "active"


def _urls(plan, goal, subplan):
    return [
        reverse("plan_detail", args=[plan.pk]), reverse("plan_print", args=[plan.pk]), reverse("plan_versions", args=[plan.pk]),
        reverse("plan_diff", args=[plan.pk]) + "?a=1&b=0", reverse("plan_section", args=[plan.pk, "goals"]),
        reverse("plan_item_add", args=[plan.pk, "mal"]), reverse("plan_item_edit", args=[plan.pk, "mal", goal.pk]),
        reverse("plan_item_remove", args=[plan.pk, "mal", goal.pk]), reverse("plan_goal_status", args=[plan.pk, goal.pk]),
        reverse("plan_item_add", args=[plan.pk, "delplaner"]), reverse("plan_item_edit", args=[plan.pk, "delplaner", subplan.pk]),
        reverse("plan_subplan_file", args=[plan.pk, subplan.pk]), reverse("plan_period", args=[plan.pk]),
        reverse("plan_status", args=[plan.pk]), reverse("plan_publish", args=[plan.pk]), reverse("plan_close", args=[plan.pk]),
        reverse("plan_reopen", args=[plan.pk]), reverse("plan_evaluation_record_new", args=[plan.pk]),
        reverse("person_plan", args=[plan.person_id]), reverse("plan_create", args=[plan.person_id]),
    ]


@pytest.fixture
def content(plan, users, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    goal = services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, text="Mål", written_by="person")
    subplan = services.subplan_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=goal.plan.version, kind="iop", title="IOP",
                                   responsible_unit_id=world.units["fjordvik_care"].pk,
                                   file=SimpleUploadedFile("iop.pdf", b"%PDF-1.4\n%hemmelig\n", content_type="application/pdf"))
    services.plan_publish(actor=users["coordinator"], plan_id=plan.pk, based_on_version=subplan.plan.version, reason="v1")
    return goal, subplan


def test_login_is_required_everywhere(client, plan, content):
    for url in _urls(plan, *content):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_outsider_gets_404_on_every_page_and_post(client_for, plan, content):
    outsider = client_for("outsider")
    before = _version(plan)
    for url in _urls(plan, *content):
        assert outsider.get(url).status_code == 404, url
        posted = outsider.post(url, {"based_on_version": before, "text": "x", "written_by": "person", "reason": "x"}).status_code
        assert posted in (404, 405), url  # 405 only on read-only pages, which say nothing about the plan
    assert _version(plan) == before


def test_subplan_file_is_downloaded_through_the_access_checked_view(client_for, plan, content):
    response = client_for("coordinator").get(reverse("plan_subplan_file", args=[plan.pk, content[1].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_file_upload_of_the_wrong_type_is_refused_with_400(client_for, plan, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client_for("coordinator").post(reverse("plan_item_add", args=[plan.pk, "delplaner"]), {
        "based_on_version": plan.version, "kind": "iop", "title": "IOP", "responsible_unit": world.units["fjordvik_care"].pk,
        "file": SimpleUploadedFile("iop.pdf", b"MZ not a pdf", content_type="application/pdf")})
    assert r.status_code == 400
    assert "Filtypen" in r.content.decode() or "stemmer ikke" in r.content.decode()
