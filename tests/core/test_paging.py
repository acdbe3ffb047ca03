"""helhet/core/paging.py: keyset and offset pages, their links, bad parameters, and the person list that uses them."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from helhet.core import paging
from helhet.people.models import Person


def _params(url: str = "") -> QueryDict:
    return QueryDict(url.lstrip("?"))


def _names(page) -> list[str]:
    return [p.given_name for p in page]


@pytest.fixture
def twelve(make_person):
    # Ties on the family name (and on the given name for two of them): the primary key decides.
    people = [make_person(given_name=f"P{i:02d}", family_name="Paging" if i % 2 else "Avsider") for i in range(10)]
    people += [make_person(given_name="P99", family_name="Paging"), make_person(given_name="P99", family_name="Paging")]
    return people


def _all_in_order():
    return Person.objects.filter(given_name__startswith="P", family_name__in=["Paging", "Avsider"]).order_by("family_name", "given_name")


def test_keyset_walks_forward_and_back_over_ties(db, twelve):
    expected = [p.pk for p in _all_in_order().order_by("family_name", "given_name", "pk")]
    seen, page, pages = [], paging.keyset_page(_all_in_order(), _params(), per_page=5), []
    while True:
        pages.append(page)
        assert page.total == 12
        assert page.start_index == len(seen) + 1
        seen += [p.pk for p in page]
        assert page.end_index == len(seen)
        if not page.next_url:
            break
        page = paging.keyset_page(_all_in_order(), _params(page.next_url), per_page=5)
    assert seen == expected
    assert [len(p) for p in pages] == [5, 5, 2]
    assert pages[0].previous_url == ""
    back = paging.keyset_page(_all_in_order(), _params(pages[2].previous_url), per_page=5)
    assert [p.pk for p in back] == expected[5:10] and back.start_index == 6
    first = paging.keyset_page(_all_in_order(), _params(back.previous_url), per_page=5)
    assert [p.pk for p in first] == expected[:5] and first.start_index == 1 and first.previous_url == ""


def test_descending_order_and_other_parameters_are_kept(db, twelve):
    qs = Person.objects.filter(pk__in=[p.pk for p in twelve]).order_by("-pk")
    page = paging.keyset_page(qs, _params("q=Paging&status=x"), per_page=5)
    assert [p.pk for p in page] == sorted((p.pk for p in twelve), reverse=True)[:5]
    query = _params(page.next_url)
    assert query["q"] == "Paging" and query["status"] == "x" and "etter" in query
    second = paging.keyset_page(qs, query, per_page=5)
    assert [p.pk for p in second] == sorted((p.pk for p in twelve), reverse=True)[5:10]
    assert _params(second.previous_url)["q"] == "Paging"


@pytest.mark.parametrize("bad", ["etter=garbage", "foer=garbage", "etter=", "etter=" + "x" * 5000, "side=abc", "etter=a:b:c"])
def test_a_bad_cursor_gives_the_first_page(db, twelve, bad):
    page = paging.keyset_page(_all_in_order(), _params(bad), per_page=5)
    assert page.start_index == 1 and len(page) == 5 and page.previous_url == ""


def test_a_cursor_signed_for_another_order_gives_the_first_page(db, twelve):
    other = paging.keyset_page(Person.objects.order_by("-birth_date"), _params(), per_page=2)  # (birth_date, pk): two keys
    page = paging.keyset_page(Person.objects.order_by("family_name"), _params(other.next_url), per_page=5)
    assert page.start_index == 1


def test_offset_page_numbers_and_bad_numbers(db):
    rows = list(range(1, 131))
    page = paging.offset_page(rows, _params("side=2&q=x"), per_page=50)
    assert list(page) == list(range(51, 101)) and page.total == 130 and (page.start_index, page.end_index) == (51, 100)
    assert _params(page.next_url)["side"] == "3" and _params(page.previous_url)["q"] == "x"
    assert [(n, current) for n, _url, current in page.numbers] == [(1, False), (2, True), (3, False)]
    for bad in ("side=abc", "side=-1", "side=0", "side=" + "9" * 40):
        p = paging.offset_page(rows, _params(bad), per_page=50)
        assert p.total == 130 and len(p) > 0
    assert paging.offset_page(rows, _params("side=abc"), per_page=50).start_index == 1
    empty = paging.offset_page([], _params(), per_page=50)
    assert empty.total == 0 and empty.start_index == 0 and not empty.has_other_pages


# --- The person list (keyset) ---------------------------------------------------------------------------------


def _rows(html: str) -> list[str]:
    return re.findall(r'href="/personer/(\d+)/">', html)


def test_person_list_pages_with_count_and_keeps_the_search(db, client_for, make_person, settings):
    for i in range(55):
        make_person(given_name=f"Sidetest{i:02d}", family_name="Listesen")
    client = client_for("coordinator")
    html = client.get(reverse("person_list") + "?q=Sidetest").content.decode()
    assert len(_rows(html)) == 50
    assert "Viser 1–50 av 55" in html
    assert 'aria-label="Sider med personer"' in html
    next_url = re.search(r'href="(\?[^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "q=Sidetest" in next_url
    second = client.get(reverse("person_list") + next_url).content.decode()
    assert len(_rows(second)) == 5 and "Viser 51–55 av 55" in second
    assert not set(_rows(html)) & set(_rows(second))
    assert client.get(reverse("person_list") + "?q=Sidetest&etter=nonsense").status_code == 200


def test_person_list_counts_only_visible_persons(db, client_for, make_person):
    for i in range(3):
        make_person(given_name=f"Synlig{i}", family_name="Listesen")
    for i in range(4):
        make_person(given_name=f"Synlig{i}", family_name="Listesen", involve=())  # nobody involved: the coordinator sees none
    html = client_for("coordinator").get(reverse("person_list") + "?q=Synlig").content.decode()
    assert "Viser 1–3 av 3" in html
    outsider = client_for("outsider").get(reverse("person_list") + "?q=Synlig").content.decode()
    assert _rows(outsider) == [] and "Viser" not in outsider


@pytest.mark.parametrize("n", [3, 30])
def test_person_list_query_count_does_not_grow(db, client_for, make_person, django_assert_max_num_queries, n):
    for i in range(n):
        make_person(given_name=f"Teller{i:02d}", family_name="Listesen")
    client = client_for("coordinator")
    client.get(reverse("person_list"))  # session, caches
    with django_assert_max_num_queries(12):
        response = client.get(reverse("person_list") + "?q=Teller")
    assert len(_rows(response.content.decode())) == n
