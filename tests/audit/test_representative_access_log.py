"""Whoever acts for the person (a guardian or parent with a login) sees the person's access log; others do not."""

from helhet.organizations.models import User
from helhet.people.models import Relative


def test_a_guardian_with_a_login_sees_the_access_log_and_a_mere_relative_does_not(world, client, make_person):
    from django.test import Client

    child = make_person(given_name="Liv")
    guardian = User.objects.create_user("verge-liv", password="x" * 16)
    Relative.objects.create(person=child, name="Verge", relationship="guardian", may_consent=True, user=guardian)
    aunt = User.objects.create_user("tante-liv", password="x" * 16)
    Relative.objects.create(person=child, name="Tante", relationship="other", may_consent=False, user=aunt)

    c = Client()
    c.force_login(guardian)
    page = c.get(f"/personer/{child.pk}/tilgangslogg/")
    assert page.status_code == 200
    assert "Tilgangslogg" in page.content.decode()

    c2 = Client()
    c2.force_login(aunt)
    assert c2.get(f"/personer/{child.pk}/tilgangslogg/").status_code == 404
