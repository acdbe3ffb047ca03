"""The KE overview's blocks show their first rows with "5 av N – Se alle"; each block's own page is keyset-paged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.cases.models import CoordinatorAppointment


def _appoint(world, make_person, n: int, *, home: str = "fjordvik", unit: str = "fjordvik_care") -> list:
    start = timezone.localdate() - dt.timedelta(days=3)
    out = []
    for i in range(n):
        p = make_person(given_name=f"Koord{i:02d}", family_name="Blokksen", home=home)
        out.append(CoordinatorAppointment.objects.create(person=p, kind="coordinator", coordinator=world.users["coordinator"],
                                                         unit=world.units[unit], appointed_by=world.users["ke"], start=start))
    return out


def _next(html: str) -> str:
    return re.search(r'href="(\?[^"]+)" rel="next"', html).group(1).replace("&amp;", "&")


def test_overview_block_says_5_of_n_and_links_to_the_whole_list(world, make_person, client_for):
    _appoint(world, make_person, 7)
    html = client_for("ke").get(reverse("ke_overview")).content.decode()
    assert html.count("Blokksen") == 5
    assert "5 av 7" in html and f'href="{reverse("ke_list", args=["koordinatorer"])}"' in html


def test_the_whole_list_pages_by_cursor(world, make_person, client_for):
    _appoint(world, make_person, 53)
    client = client_for("ke")
    url = reverse("ke_list", args=["koordinatorer"])
    first = client.get(url).content.decode()
    assert first.count("Blokksen") == 50 and "Viser 1–50 av 53" in first and 'aria-label="Sider: Koordinatorer"' in first
    second = client.get(url + _next(first)).content.decode()
    assert second.count("Blokksen") == 3 and "Viser 51–53 av 53" in second and 'rel="prev"' in second
    names = set(re.findall(r"Koord\d\d", first)) | set(re.findall(r"Koord\d\d", second))
    assert len(names) == 53
    assert "Viser 1–50 av 53" in client.get(url + "?etter=tull").content.decode()


def test_outsider_and_other_roles_see_none_of_the_rows(world, make_person, client_for):
    _appoint(world, make_person, 3)
    other = client_for("outsider").get(reverse("ke_list", args=["koordinatorer"]))  # Havbygd's KE: none of Fjordvik's
    assert other.status_code == 200 and "Blokksen" not in other.content.decode() and "Viser" not in other.content.decode()
    assert client_for("coordinator").get(reverse("ke_list", args=["koordinatorer"])).status_code == 404
    assert client_for("ke").get(reverse("ke_list", args=["finnes-ikke"])).status_code == 404


def test_rows_of_another_tenant_are_not_counted(world, make_person, client_for):
    _appoint(world, make_person, 2)
    _appoint(world, make_person, 4, home="havbygd", unit="havbygd_care")
    html = client_for("ke").get(reverse("ke_list", args=["koordinatorer"])).content.decode()
    assert "Viser 1–2 av 2" in html


def test_login_is_required(client, db):
    response = client.get(reverse("ke_list", args=["venter"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("n", [3, 30])
def test_whole_list_query_count_does_not_grow(world, make_person, client_for, django_assert_max_num_queries, n):
    _appoint(world, make_person, n)
    client = client_for("ke")
    client.get(reverse("ke_list", args=["koordinatorer"]))
    with django_assert_max_num_queries(10):
        html = client.get(reverse("ke_list", args=["koordinatorer"])).content.decode()
    assert html.count("Blokksen") == n
