import datetime as dt

import pytest
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.core.errors import DomainError, NotFound
from helhet.rules import guidelines
from helhet.rules.models import LocalGuideline
from helhet.rules.selectors import guideline_states, guideline_value
from helhet.rules.services import guideline_set


def today():
    return timezone.localdate()


def test_registry_defaults_and_flags():
    g = guidelines.GUIDELINES
    assert g["first_contact_days"].default == 14 and g["first_contact_days"].longer_needs_reason
    assert "UNN" in g["first_contact_days"].source
    assert g["minutes_days"].default == 7
    assert g["evaluation_interval_days"].default == 180
    assert g["need_notification_response_days"].default == 14 and g["need_notification_response_days"].needs_check
    assert g["appeal_handling_days"].default == 28 and g["appeal_handling_days"].needs_check


def test_default_without_local_value(world):
    value, source = guideline_value("first_contact_days", world.orgs["fjordvik"], today())
    assert value == 14 and "UNN" in source
    assert guideline_value("minutes_days", None, today()) == (7, guidelines.get("minutes_days").source)


def test_change_affects_only_its_tenant(world, users):
    fjordvik, havbygd = world.orgs["fjordvik"], world.orgs["havbygd"]
    guideline_set(actor=users["ke"], organization_id=fjordvik.pk, key="first_contact_days", value=21,
                  reason="Lang reisevei i kommunen", source="Retningslinje UNN/kommunene i Troms og Ofoten")
    assert guideline_value("first_contact_days", fjordvik, today()) == (21, "Retningslinje UNN/kommunene i Troms og Ofoten")
    assert guideline_value("first_contact_days", havbygd, today())[0] == 14
    assert guideline_value("first_contact_days", havbygd.pk, today())[0] == 14
    assert guideline_value("minutes_days", fjordvik, today())[0] == 7


def test_value_by_date_and_history(world, users):
    fjordvik = world.orgs["fjordvik"]
    later = today() + dt.timedelta(days=30)
    guideline_set(actor=users["ke"], organization_id=fjordvik.pk, key="minutes_days", value=5, reason="Raskere referat")
    guideline_set(actor=users["ke"], organization_id=fjordvik.pk, key="minutes_days", value=10, reason="Ferieavvikling", valid_from=later)
    assert guideline_value("minutes_days", fjordvik, today() - dt.timedelta(days=1))[0] == 7
    assert guideline_value("minutes_days", fjordvik, today())[0] == 5
    assert guideline_value("minutes_days", fjordvik, later)[0] == 10
    rows = list(LocalGuideline.objects.filter(organization=fjordvik, key="minutes_days").order_by("id"))
    assert [(r.previous_value, r.value, r.changed_by_id, r.reason) for r in rows] == [
        (7, 5, users["ke"].pk, "Raskere referat"), (5, 10, users["ke"].pk, "Ferieavvikling")]
    assert rows[0].source == "Lokal retningslinje, Fjordvik kommune"
    events = AuditEvent.objects.filter(object_type="local_guideline", action="update").order_by("id")
    assert [e.detail["new_value"] for e in events] == [5, 10]
    assert events[0].detail["old_value"] == 7 and events[0].organization_id == fjordvik.pk
    states = {s.key: s for s in guideline_states(fjordvik, later, with_history=True)}
    assert states["minutes_days"].value == 10 and len(states["minutes_days"].history) == 2
    assert states["evaluation_interval_days"].is_default


@pytest.mark.parametrize("who", ["outsider", "coordinator", "clinician"])
def test_only_own_ke_may_set(world, users, who):
    with pytest.raises(NotFound):
        guideline_set(actor=users[who], organization_id=world.orgs["fjordvik"].pk, key="first_contact_days", value=10, reason="x")
    assert not LocalGuideline.objects.exists()
    assert not AuditEvent.objects.filter(object_type="local_guideline", action="update").exists()
    assert AuditEvent.objects.filter(object_type="organization", action="denied", summary="guideline.set").exists()


@pytest.mark.parametrize("key,value,reason,field", [
    ("first_contact_days", 0, "ok", "value"),
    ("first_contact_days", -3, "ok", "value"),
    ("first_contact_days", "abc", "ok", "value"),
    ("first_contact_days", 1000, "ok", "value"),
    ("first_contact_days", 30, "  ", "reason"),
    ("minutes_days", 3, "", "reason"),
    ("nope", 3, "ok", "key"),
])
def test_bad_input_writes_nothing(world, users, key, value, reason, field):
    with pytest.raises(DomainError) as exc:
        guideline_set(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, key=key, value=value, reason=reason)
    assert exc.value.status == 400 and field in exc.value.details["fields"]
    assert not LocalGuideline.objects.exists()
    assert not AuditEvent.objects.filter(object_type="local_guideline").exists()


def test_longer_deadline_reason_message(world, users):
    with pytest.raises(DomainError) as exc:
        guideline_set(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, key="first_contact_days", value=30, reason="")
    assert "lengre frist" in exc.value.message


def test_valid_from_in_past_refused(world, users):
    with pytest.raises(DomainError):
        guideline_set(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, key="minutes_days", value=3, reason="x",
                      valid_from=today() - dt.timedelta(days=1))
    assert not LocalGuideline.objects.exists()
