import datetime as dt

import pytest

from helhet.core.errors import Conflict, DomainError, NotFound
from helhet.plans import selectors, services
from helhet.plans.models import MeasureStatusChange


def fill_plan(plan, users, world, person):
    """Every content item a–i, through the services. Returns the latest version."""
    from helhet.people.models import Relative

    c = users["coordinator"]
    v = plan.version
    kw = dict(actor=c, plan_id=plan.pk)
    goal = services.goal_add(**kw, based_on_version=v, text="Jeg vil klare meg selv hjemme", written_by="person")
    v += 1
    services.resource_add(**kw, based_on_version=v, text="God til å lage mat")
    v += 1
    services.need_add(**kw, based_on_version=v, text="Hjelp med medisiner", area="Helse")
    v += 1
    rel = Relative.objects.create(person=person, name="Per Fjellheim", relationship="sibling", may_take_part=True)
    services.participant_add(**kw, based_on_version=v, kind="person", role="Eier av planen")
    v += 1
    services.participant_add(**kw, based_on_version=v, kind="relative", relative_id=rel.pk, role="Støtteperson")
    v += 1
    services.participant_add(**kw, based_on_version=v, kind="staff", user_id=users["nav"].pk, unit_id=world.units["fjordvik_nav"].pk,
                             role="NAV-veileder")
    v += 1
    services.contribution_add(**kw, based_on_version=v, by="person", text="Lager middag selv tre dager i uka")
    v += 1
    services.contribution_add(**kw, based_on_version=v, by="service", unit_id=world.units["fjordvik_care"].pk, text="Medisinhjelp")
    v += 1
    measure = services.measure_add(**kw, based_on_version=v, title="Medisinhjelp morgen og kveld", goal_ids=[goal.pk], scope="2 besøk daglig",
                                   how="Hjemmesykepleien kommer hjem", responsible_unit_id=world.units["fjordvik_care"].pk,
                                   responsible_person_id=c.pk, start=dt.date(2026, 1, 1), deadline=dt.date(2026, 6, 1))
    v += 1
    services.plan_update(**kw, based_on_version=v, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31),
                         evaluation_interval_months=6)
    v += 1
    services.evaluation_add(**kw, based_on_version=v, planned_on=dt.date(2026, 6, 1))
    v += 1
    services.cooperation_add(**kw, based_on_version=v, partner="Fjordvik frivilligsentral", kind="institution", purpose="Besøksvenn")
    v += 1
    services.subplan_add(**kw, based_on_version=v, kind="crisis", title="Kriseplan", responsible_unit_id=world.units["fjordvik_mh"].pk,
                         text="Ring legevakt ved forverring.")
    v += 1
    return v, goal, measure


def test_every_content_item_is_stored_and_in_the_document(plan, users, world, plan_person):
    v, goal, measure = fill_plan(plan, users, world, plan_person)
    doc = selectors.plan_document(actor=users["coordinator"], plan_id=plan.pk)
    assert doc["version"] == v
    assert doc["goals"][0]["text"] == "Jeg vil klare meg selv hjemme"  # a
    assert doc["resources"][0]["text"] and doc["needs"][0]["area"] == "Helse"  # a
    assert {p["kind"] for p in doc["participants"]} == {"person", "relative", "staff"}  # b
    assert doc["participants"][2]["sector"] == "nav"
    assert doc["coordinators"][0]["name"] == "Ola Strand"  # c
    assert len(doc["contributions"]) == 2  # d
    m = doc["measures"][0]  # e, f
    assert m["goal_ids"] == [goal.pk] and m["responsible_person"] == "Ola Strand" and m["how"] and m["deadline"] == "2026-06-01"
    assert doc["period"]["evaluation_interval_months"] == 6 and doc["period"]["next_evaluation"] == "2026-06-01"  # g
    assert doc["consent"]["plan_work"]["kind"] == "plan_work"  # h
    assert doc["cooperation"][0]["partner"] == "Fjordvik frivilligsentral"  # i
    assert doc["subplans"][0]["kind"] == "crisis"


def test_edits_of_different_items_never_conflict_and_a_stale_edit_of_the_same_item_is_refused(plan, users):
    """Per-item versions: two people adding, or editing different items, from the same version both get through; an
    edit of an item someone else changed since is refused with what changed and who."""
    c, ke = users["coordinator"], users["ke"]
    first = services.goal_add(actor=c, plan_id=plan.pk, based_on_version=1, text="Først")  # version 2
    second = services.goal_add(actor=ke, plan_id=plan.pk, based_on_version=1, text="Andre")  # also from 1: version 3
    assert plan.goals.count() == 2
    services.item_update(actor=c, plan_id=plan.pk, based_on_version=3, section="goals", item_id=first.pk, fields={"text": "Først, endret"})
    with pytest.raises(Conflict) as exc:
        services.item_update(actor=ke, plan_id=plan.pk, based_on_version=3, section="goals", item_id=first.pk, fields={"text": "Samtidig"})
    assert exc.value.code == "stale"
    assert exc.value.details["current_version"] == 4
    assert exc.value.details["changes"][0]["summary"].startswith("Endret mål")
    first.refresh_from_db()
    assert first.text == "Først, endret"
    # The other goal, from the same old version: nobody changed it, so it goes through.
    services.item_update(actor=ke, plan_id=plan.pk, based_on_version=3, section="goals", item_id=second.pk, fields={"text": "Andre, endret"})
    second.refresh_from_db()
    assert second.text == "Andre, endret" and second.plan.version == 5
    # Whole-plan steps still need the current version.
    with pytest.raises(Conflict):
        services.plan_update(actor=c, plan_id=plan.pk, based_on_version=3, period_end=dt.date(2030, 1, 1))


def test_measure_status_history_and_deprioritising(plan, users):
    c = users["coordinator"]
    m = services.measure_add(actor=c, plan_id=plan.pk, based_on_version=1, title="Tiltak")
    services.measure_set_status(actor=c, plan_id=plan.pk, based_on_version=2, measure_id=m.pk, status="ongoing")
    with pytest.raises(DomainError):
        services.measure_update(actor=c, plan_id=plan.pk, based_on_version=3, item_id=m.pk, deprioritised=True)
    services.measure_update(actor=c, plan_id=plan.pk, based_on_version=3, item_id=m.pk, deprioritised=True,
                            deprioritised_reason="Forsvarlig å utsette (midlertidig forskrift)")
    assert list(MeasureStatusChange.objects.filter(measure=m).values_list("to_status", flat=True)) == ["planned", "ongoing"]


def test_goal_status_needs_a_note_when_dropped(plan, users):
    c = users["coordinator"]
    g = services.goal_add(actor=c, plan_id=plan.pk, based_on_version=1, text="Mål")
    with pytest.raises(DomainError):
        services.goal_set_status(actor=c, plan_id=plan.pk, based_on_version=2, goal_id=g.pk, status="dropped")
    services.goal_set_status(actor=c, plan_id=plan.pk, based_on_version=2, goal_id=g.pk, status="achieved", note="Klarte det!")
    g.refresh_from_db()
    assert g.status == "achieved" and g.status_on


def test_measure_cannot_link_to_another_plans_goal(plan, users, make_person, appoint, consent_for, make_plan):
    other_person = make_person()
    appoint(other_person)
    consent_for(other_person, kind="plan_work")
    other = make_plan(other_person)
    g = services.goal_add(actor=users["coordinator"], plan_id=other.pk, based_on_version=1, text="Annet mål")
    with pytest.raises(DomainError):
        services.measure_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=1, title="x", goal_ids=[g.pk])


def test_evaluation_record_ends_under_evaluation_and_plans_next(plan, users):
    c = users["coordinator"]
    services.plan_set_status(actor=c, plan_id=plan.pk, based_on_version=1, status="active")
    services.plan_set_status(actor=c, plan_id=plan.pk, based_on_version=2, status="under_evaluation")
    services.evaluation_record(actor=c, plan_id=plan.pk, based_on_version=3, held_on=dt.date(2026, 1, 2), reviewed="Alle tiltak",
                               changes="Nytt mål", next_on=dt.date(2026, 7, 1))
    plan.refresh_from_db()
    assert plan.status == "active"
    assert plan.evaluations.count() == 2


def test_main_responsibility_change_is_ke_only_and_recorded(plan, users, world):
    with pytest.raises(NotFound):
        services.main_responsibility_set(actor=users["coordinator"], plan_id=plan.pk, based_on_version=1, sector="nav",
                                         unit_id=world.units["fjordvik_nav"].pk, basis="agreement")
    services.main_responsibility_set(actor=users["ke"], plan_id=plan.pk, based_on_version=1, sector="nav",
                                     unit_id=world.units["fjordvik_nav"].pk, basis="municipality_decision", reason="Uenighet; kommunen avgjør")
    assert plan.main_responsibility_changes.count() == 2


def test_participant_gets_read_access(plan, users, world, plan_person):
    from helhet.access.queries import relationships_to as relationships

    services.participant_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=1, kind="staff", user_id=users["gp"].pk,
                             unit_id=world.units["fjordvik_gp"].pk, role="Fastlege")
    assert "plan_participant" in relationships(users["gp"], plan_person)
    doc = selectors.plan_document(actor=users["gp"], plan_id=plan.pk)
    assert doc["allowed"] == ["plan.view"]


def test_every_write_leaves_an_audit_event(plan, users, world, plan_person):
    from helhet.audit.models import AuditEvent
    from helhet.plans.models import PlanChange

    fill_plan(plan, users, world, plan_person)
    writes = AuditEvent.objects.filter(detail__plan=plan.pk).exclude(action="view")
    assert writes.count() == PlanChange.objects.filter(plan=plan).count() == 14
    assert set(writes.values_list("action", flat=True)) == {"create", "update"}


def test_reopen_is_refused_while_a_successor_is_open(plan, plan_person, users, make_plan):
    services.plan_close(actor=users["coordinator"], plan_id=plan.pk, based_on_version=1, reason="transfer")
    make_plan(plan_person, predecessor_id=plan.pk)
    with pytest.raises(Conflict) as exc:
        services.plan_reopen(actor=users["ke"], plan_id=plan.pk, based_on_version=2, reason="Nytt behov")
    assert exc.value.code == "plan_exists"


def test_reopen_needs_valid_consent(plan, plan_person, users):
    from helhet.consent.models import Consent

    services.plan_close(actor=users["coordinator"], plan_id=plan.pk, based_on_version=1, reason="consent_withdrawn")
    Consent.objects.filter(person=plan_person).update(withdrawn_on=dt.date(2000, 1, 1))
    with pytest.raises(Conflict) as exc:
        services.plan_reopen(actor=users["ke"], plan_id=plan.pk, based_on_version=2, reason="Nytt behov")
    assert exc.value.code == "no_consent"


def test_published_versions_are_immutable(plan, users):
    v = services.goal_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=1, text="Mål").plan.version
    version = services.plan_publish(actor=users["coordinator"], plan_id=plan.pk, based_on_version=v, reason="v1")
    version.reason = "endret"
    with pytest.raises(ValueError):
        version.save()
