"""Sharing consents that expire: the first rows on the KE overview with "5 av N – Se alle", the whole list paged."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone


def _expiring(make_person, share, n: int) -> None:
    for i in range(n):
        p = make_person(given_name=f"Utlop{i:02d}", family_name="Samtykkesen")
        share(p, ["general"], to_users=["nav"], valid_to=timezone.localdate() + dt.timedelta(days=5 + i % 3))


def test_overview_shows_five_and_the_list_shows_all(make_person, share, client_for):
    _expiring(make_person, share, 7)
    client = client_for("ke")
    overview = client.get(reverse("ke_overview")).content.decode()
    section = overview[overview.index('id="h-consent-expiry"'):]
    assert section.count("Samtykkesen") == 5 and "5 av 7" in section
    assert f'href="{reverse("consent_expiry_list")}"' in section
    whole = client.get(reverse("consent_expiry_list")).content.decode()
    assert whole.count("Samtykkesen") == 7 and "Viser 1–7 av 7" in whole
    assert len(set(re.findall(r"Utlop\d\d", whole))) == 7


def test_outsider_sees_and_counts_none(make_person, share, client_for):
    _expiring(make_person, share, 3)
    page = client_for("outsider").get(reverse("consent_expiry_list")).content.decode()
    assert "Samtykkesen" not in page and "Viser" not in page and "Ingen samtykker utløper" in page


def test_a_bad_cursor_gives_the_first_page(make_person, share, client_for):
    _expiring(make_person, share, 2)
    response = client_for("ke").get(reverse("consent_expiry_list"), {"etter": "x", "foer": "y"})
    assert response.status_code == 200 and "Viser 1–2 av 2" in response.content.decode()


def test_login_is_required(client, db):
    response = client.get(reverse("consent_expiry_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
