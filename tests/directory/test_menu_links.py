"""The directory's pages are reachable from the menu, for those the policy lets in (and only them)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(client) -> str:
    html = client.get(reverse("rule_list")).content.decode()
    return html.split('aria-label="Hovedmeny"', 1)[1].split("</nav>", 1)[0]


def test_the_ke_menu_links_the_outside_items_the_training_list_and_the_directory(world, client_for):
    menu = _menu(client_for("ke"))
    for name in ("directory_outside", "directory_training", "directory_list"):
        assert f'href="{reverse(name)}"' in menu
    assert client_for("ke").get(reverse("directory_training")).status_code == 200


def test_other_staff_see_the_directory_link_but_not_the_ke_pages(world, client_for):
    menu = _menu(client_for("coordinator"))
    assert f'href="{reverse("directory_list")}"' in menu
    assert reverse("directory_outside") not in menu and reverse("directory_training") not in menu
