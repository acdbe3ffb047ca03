import datetime as dt

import pytest
from django.core.management import call_command

from helhet.rules.models import Rule
from helhet.rules.selectors import rule_in_force, rules_in_force

pytestmark = pytest.mark.django_db


def codes(day):
    return {r.code for r in rules_in_force(day)}


def test_2020_temporary_rule_by_date():
    assert "covid-2020.no-new-ip" in codes(dt.date(2020, 4, 15))
    assert "coordinator.duty" in codes(dt.date(2020, 4, 15))
    assert "ke.duty" in codes(dt.date(2020, 4, 15))


def test_2023_ordinary_rules():
    c = codes(dt.date(2023, 1, 10))
    assert "covid-2020.no-new-ip" not in c
    assert "coordinator.right" in c
    assert "coordinator.duty" not in c


def test_2021_duty_not_right():
    c = codes(dt.date(2021, 6, 1))
    assert "coordinator.duty" in c
    assert "coordinator.right" not in c
    assert "covid-2020.no-new-ip" not in c


def test_boundaries_are_inclusive():
    assert rule_in_force("covid-2020.no-new-ip", dt.date(2020, 3, 27))
    assert rule_in_force("covid-2020.no-new-ip", dt.date(2020, 5, 27))
    assert rule_in_force("covid-2020.no-new-ip", dt.date(2020, 5, 28)) is None
    assert rule_in_force("coordinator.duty", dt.date(2022, 7, 31))
    assert rule_in_force("coordinator.right", dt.date(2022, 8, 1))


def test_sync_rules_command_restores_edited_rule():
    Rule.objects.filter(code="ip.right").update(title="endret")
    call_command("sync_rules", stdout=open("/dev/null", "w"))
    assert Rule.objects.get(code="ip.right").title == "Rett til individuell plan"
    assert Rule.objects.get(code="covid-2020.no-new-ip").needs_check is True
