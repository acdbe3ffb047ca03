"""Issue 10: the rules list (national and local tables) and each local guideline's change history are paged
("Viser 1–50 av 55"), in a fixed order, with the date filter kept and a query count that does not grow with the rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhet.core.paging import PER_PAGE
from helhet.rules.models import LocalGuideline, Rule
from helhet.rules.services import guideline_set
from helhet.rules.views import HISTORY_PAGE_SIZE

pytestmark = pytest.mark.django_db


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _local_rules(org, n: int, start: int = 0):
    for i in range(start, start + n):
        Rule.objects.create(code=f"local.p{i:03d}", kind="deadline", title=f"Lokal regel {i:03d}", text="t", source="Fjordvik",
                            valid_from="2020-01-01", organization=org)


def _local_section(body: str) -> str:
    return body.split('id="h-local"')[1]


def test_the_local_rules_are_paged_with_the_date_filter_kept(world, client_for):
    client = client_for("ke")
    client.get(reverse("rule_list"))  # the first request stamps the session
    _local_rules(world.orgs["fjordvik"], 3)
    body, few = _get(client, reverse("rule_list"), dato="2021-01-01")
    assert "Viser 1–3 av 3" in _local_section(body)
    _local_rules(world.orgs["fjordvik"], PER_PAGE + 2, start=3)
    body, many = _get(client, reverse("rule_list"), dato="2021-01-01")
    assert many == few
    total = PER_PAGE + 5
    local = _local_section(body)
    assert f"Viser 1–{PER_PAGE} av {total}" in local
    assert "?dato=2021-01-01&amp;lokal_side=2" in local  # the filter stays in the link
    first = re.findall(r"Lokal regel (\d{3})", local)
    body2, _n = _get(client, reverse("rule_list"), dato="2021-01-01", lokal_side="2")
    second = re.findall(r"Lokal regel (\d{3})", _local_section(body2))
    assert f"Viser {PER_PAGE + 1}–{total} av {total}" in _local_section(body2)
    assert first + second == [f"{i:03d}" for i in range(total)]  # by code, then id: every rule once, in order
    # The national table keeps its own page (1) while the local one moves.
    national = re.findall(r'href="/regler/(\d+)/"', body.split('id="h-local"')[0])
    assert national and national == re.findall(r'href="/regler/(\d+)/"', body2.split('id="h-local"')[0])
    # Another municipality's KE sees none of Fjordvik's rules.
    other, _n = _get(client_for("outsider"), reverse("rule_list"))
    assert "Lokal regel" not in other


def test_a_guidelines_change_history_is_paged(world, users, client_for):
    org = world.orgs["fjordvik"]
    client = client_for("ke")
    client.get(reverse("local_guidelines"))
    for i in range(3):
        guideline_set(actor=users["ke"], organization_id=org.pk, key="minutes_days", value=5 + i, reason=f"Endring {i:03d}")
    body, few = _get(client, reverse("local_guidelines"))
    for i in range(3, HISTORY_PAGE_SIZE + 5):
        guideline_set(actor=users["ke"], organization_id=org.pk, key="minutes_days", value=5 + i % 5, reason=f"Endring {i:03d}")
    body, many = _get(client, reverse("local_guidelines"))
    assert many == few
    total = HISTORY_PAGE_SIZE + 5
    assert LocalGuideline.objects.filter(organization=org, key="minutes_days").count() == total
    assert f"Endringshistorikk ({total} endringer)" in body and f"Viser 1–{HISTORY_PAGE_SIZE} av {total}" in body
    param = f"historikk_{org.pk}_minutes_days_side"
    assert f"?{param}=2" in body
    newest = re.findall(r"Endring (\d{3})", body)
    body2, _n = _get(client, reverse("local_guidelines"), **{param: "2"})
    older = re.findall(r"Endring (\d{3})", body2)
    assert newest + older == [f"{i:03d}" for i in reversed(range(total))]  # newest first, every change once
    # The page the reader asked for is open; on the first page every history is closed.
    assert re.search(rf'<details class="ds-details" open>\s*<summary>Endringshistorikk \({total} endringer\)', body2)
    assert "<details class=\"ds-details\" open>" not in body
    # Only the organisation's own KE has the page.
    assert client_for("coordinator").get(reverse("local_guidelines")).status_code == 404
