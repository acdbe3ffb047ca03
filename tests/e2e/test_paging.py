"""A paged list in headless Chromium: the person list with 55 matches, "Viser 1–50 av 55", Neste keeps the search,
Forrige goes back; axe (WCAG 2.1 AA) and reflow at 320 px with the pager shown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: tests/e2e is not on sys.path
from reflow import assert_reflows  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def test_person_list_pages_forward_and_back(make_person, login, page, axe, live_server):
    for i in range(55):
        make_person(given_name=f"Sidevis{i:02d}", family_name="Bla")
    login("koordinator")
    page.goto(f"{live_server.url}/personer/?q=Sidevis")
    assert page.get_by_text("Viser 1–50 av 55").count() == 1
    pager = page.get_by_role("navigation", name="Sider med personer")
    axe()
    assert_reflows(page, widths=(360, 320))
    pager.get_by_role("link", name="Neste").click()
    page.wait_for_load_state()
    assert "q=Sidevis" in page.url
    assert page.get_by_text("Viser 51–55 av 55").count() == 1
    assert page.get_by_role("link", name="Sidevis54 Bla").count() == 1
    axe()
    page.get_by_role("navigation", name="Sider med personer").get_by_role("link", name="Forrige").click()
    page.wait_for_load_state()
    assert page.get_by_text("Viser 1–50 av 55").count() == 1
