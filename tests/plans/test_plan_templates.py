"""Plan templates (planmaler, issue 11): the KE of an organisation manages them; a plan started from one is prefilled
with goals, needs, cooperation and measures (no responsible person), each write audited; no personal data in them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helhet.audit.models import AuditEvent
from helhet.core.errors import DomainError, NotFound
from helhet.plans import services
from helhet.plans.models import Cooperation, Goal, Measure, Need, PlanTemplate

API = "/api/v1/plans"

TEXTS = {
    "name": "Habilitering barn",
    "target_group": "Barn med habiliteringsbehov",
    "goals": "Delta i aktiviteter i nærmiljøet\nMestre hverdagen hjemme",
    "needs": "Fysioterapi\nAvlastning",
    "cooperation": "Barnehagen: tilrettelegging i hverdagen\nPPT",
    "measures": "Ukentlig fysioterapi\nAvlastningshelg hver måned",
}


@pytest.fixture
def template(users, world):
    return services.plan_template_save(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, **TEXTS)


# ---------------------------------------------------------------- service


def test_the_ke_creates_a_template_and_it_is_audited(template, users):
    assert template.active and template.organization.name
    event = AuditEvent.objects.filter(object_type="plantemplate", object_id=str(template.pk)).latest("id")
    assert event.action == "create" and event.actor == users["ke"] and event.person is None


@pytest.mark.parametrize("key", ["coordinator", "nav", "gp", "outsider"])
def test_others_may_not_manage_the_templates(world, users, key):
    with pytest.raises(NotFound):
        services.plan_template_save(actor=users[key], organization_id=world.orgs["fjordvik"].pk, **TEXTS)
    assert not PlanTemplate.objects.exists()


def test_the_outsider_ke_cannot_change_or_deactivate_anothers_template(template, users):
    with pytest.raises(NotFound):
        services.plan_template_save(actor=users["outsider"], template_id=template.pk, name="Endret")
    with pytest.raises(NotFound):
        services.plan_template_set_active(actor=users["outsider"], template_id=template.pk, active=False)
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).exists()


@pytest.mark.parametrize("text", ["Mari 17058012345 trenger hjelp", "fnr 170580 12345", "17058012345"])
def test_a_national_id_in_a_template_is_refused(world, users, text):
    with pytest.raises(DomainError) as info:
        services.plan_template_save(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, **{**TEXTS, "needs": text})
    assert info.value.status == 400
    assert "11 sifre" in str(info.value.details["fields"]["needs"])
    assert not PlanTemplate.objects.exists()


def test_other_numbers_are_allowed(world, users):
    t = services.plan_template_save(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk,
                                    **{**TEXTS, "measures": "2 timer i uken\nTelefon 77 12 34 56"})
    assert t.pk


def test_too_long_text_is_refused_with_400(world, users):
    with pytest.raises(DomainError) as info:
        services.plan_template_save(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, **{**TEXTS, "description": "x" * 5001})
    assert "description" in info.value.details["fields"]


def test_duplicate_names_in_one_organisation_are_refused(template, world, users):
    with pytest.raises(DomainError) as info:
        services.plan_template_save(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, **TEXTS)
    assert "name" in info.value.details["fields"]


def test_deactivate_and_reactivate(template, users):
    services.plan_template_set_active(actor=users["ke"], template_id=template.pk, active=False)
    assert not PlanTemplate.objects.get(pk=template.pk).active
    services.plan_template_set_active(actor=users["ke"], template_id=template.pk, active=True)
    assert PlanTemplate.objects.get(pk=template.pk).active


def test_a_plan_started_from_a_template_is_prefilled_and_every_item_audited(template, plan_person, make_plan, users):
    plan = make_plan(plan_person, template_id=template.pk)
    assert list(Goal.objects.filter(plan=plan).values_list("text", "written_by")) == [
        ("Delta i aktiviteter i nærmiljøet", "staff"), ("Mestre hverdagen hjemme", "staff")]
    assert list(Need.objects.filter(plan=plan).values_list("text", flat=True)) == ["Fysioterapi", "Avlastning"]
    assert list(Cooperation.objects.filter(plan=plan).values_list("partner", "purpose")) == [
        ("Barnehagen", "tilrettelegging i hverdagen"), ("PPT", "PPT")]
    measures = list(Measure.objects.filter(plan=plan))
    assert [m.title for m in measures] == ["Ukentlig fysioterapi", "Avlastningshelg hver måned"]
    assert all(m.responsible_person_id is None for m in measures)
    created = AuditEvent.objects.filter(person=plan_person, action="create", actor=users["coordinator"])
    assert created.count() == 1 + 2 + 2 + 2 + 2  # the plan and each prefilled item
    assert created.filter(detail__template=template.pk).count() == 9


def test_an_inactive_template_cannot_be_used(template, plan_person, make_plan, users):
    services.plan_template_set_active(actor=users["ke"], template_id=template.pk, active=False)
    with pytest.raises(DomainError) as info:
        make_plan(plan_person, template_id=template.pk)
    assert "template" in info.value.details["fields"]
    assert not plan_person.plans.exists()


def test_another_municipalitys_template_cannot_be_used(world, users, plan_person, make_plan):
    other = services.plan_template_save(actor=users["outsider"], organization_id=users["outsider"].memberships.first().unit.organization_id,
                                        **TEXTS)
    with pytest.raises(DomainError):
        make_plan(plan_person, template_id=other.pk)
    assert not plan_person.plans.exists()


# ---------------------------------------------------------------- pages


def test_the_ke_lists_creates_edits_and_deactivates_on_the_pages(client_for, world, template):
    c = client_for("ke")
    page = c.get("/planmaler/")
    assert page.status_code == 200 and "Habilitering barn" in page.content.decode()
    new = c.get("/planmaler/ny/")
    assert "personopplysninger" in new.content.decode()
    r = c.post("/planmaler/ny/", {**TEXTS, "name": "Psykisk helse", "target_group": "Psykisk helse og rus",
                                  "organization": world.orgs["fjordvik"].pk})
    assert r.status_code == 302
    created = PlanTemplate.objects.get(name="Psykisk helse")
    r = c.post(f"/planmaler/{created.pk}/endre/", {**TEXTS, "name": "Psykisk helse og rus", "target_group": "Voksne"})
    assert r.status_code == 302
    assert PlanTemplate.objects.get(pk=created.pk).target_group == "Voksne"
    r = c.post(f"/planmaler/{created.pk}/aktiv/", {"active": "0"})
    assert r.status_code == 302 and not PlanTemplate.objects.get(pk=created.pk).active


def test_the_page_refuses_a_national_id_with_a_clear_message(client_for, world):
    r = client_for("ke").post("/planmaler/ny/", {**TEXTS, "goals": "Ola 17058012345", "organization": world.orgs["fjordvik"].pk})
    assert r.status_code == 400
    assert "11 sifre" in r.content.decode()
    assert not PlanTemplate.objects.exists()


@pytest.mark.parametrize("key", ["coordinator", "outsider"])
def test_the_pages_are_404_for_others(client_for, template, key):
    c = client_for(key)
    listing = c.get("/planmaler/")
    if key == "outsider":  # a KE elsewhere has its own (empty) list, never Fjordvik's templates
        assert listing.status_code == 200 and "Habilitering barn" not in listing.content.decode()
    else:
        assert listing.status_code == 404
    assert c.get(f"/planmaler/{template.pk}/endre/").status_code == 404
    assert c.post(f"/planmaler/{template.pk}/aktiv/", {"active": "0"}).status_code == 404
    assert PlanTemplate.objects.get(pk=template.pk).active


def test_login_is_required(client, template):
    r = client.get("/planmaler/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_the_plan_start_page_offers_the_template_and_uses_it(client_for, world, template, plan_person):
    c = client_for("coordinator")
    page = c.get(f"/personer/{plan_person.pk}/plan/ny/")
    assert "Start fra en planmal" in page.content.decode() and "Habilitering barn" in page.content.decode()
    r = c.post(f"/personer/{plan_person.pk}/plan/ny/", {"main_sector": "health_care", "main_unit": world.units["fjordvik_care"].pk,
                                                         "main_basis": "agreement", "template": template.pk})
    assert r.status_code == 302
    plan = plan_person.plans.get()
    assert Measure.objects.filter(plan=plan).count() == 2


# ---------------------------------------------------------------- API


def test_the_api_creates_a_plan_from_a_template(client_for, world, template, plan_person):
    r = client_for("coordinator").post(f"{API}/", {"person_id": plan_person.pk, "main_sector": "health_care",
                                                   "main_unit_id": world.units["fjordvik_care"].pk, "template_id": template.pk},
                                       content_type="application/json")
    assert r.status_code == 201, r.content
    plan = plan_person.plans.get()
    assert Need.objects.filter(plan=plan).count() == 2


def test_the_api_refuses_an_unusable_template_with_400(client_for, world, template, plan_person, users):
    services.plan_template_set_active(actor=users["ke"], template_id=template.pk, active=False)
    r = client_for("coordinator").post(f"{API}/", {"person_id": plan_person.pk, "main_sector": "health_care",
                                                   "main_unit_id": world.units["fjordvik_care"].pk, "template_id": template.pk},
                                       content_type="application/json")
    assert r.status_code == 400
    assert not plan_person.plans.exists()
