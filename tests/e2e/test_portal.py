"""The person's own pages in a real browser at 360 px: the young adult and a parent log in, write a goal, narrow a
sharing consent and see who lost access, read the access log. axe-core finds nothing, and no page scrolls sideways
(WCAG 1.4.10, which axe does not test) at 360 or 320 px."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 320)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nb-NO", "viewport": {"width": 360, "height": 740}}


@pytest.fixture
def portal(world):
    from helhet.core.demo import seed_portal
    from helhet.people.models import Person

    call_command("sync_rules", stdout=open("/dev/null", "w"))  # transactional tests flush the migration-loaded rules
    seed_portal(world)
    return {p.given_name: p for p in Person.objects.filter(given_name__in=["Amalie", "Theo"])}


def _no_sideways_scroll(page):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        wide = page.evaluate("""() => {
            const doc = document.documentElement;
            const out = [];
            if (doc.scrollWidth > doc.clientWidth) out.push('page ' + doc.scrollWidth + ' > ' + doc.clientWidth);
            for (const el of document.querySelectorAll('main *')) {
                const r = el.getBoundingClientRect();
                if (r.width && (r.right > doc.clientWidth + 1 || r.left < -1) && !el.closest('.ds-sr-only')
                    && getComputedStyle(el).position !== 'absolute') out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
            }
            return out.slice(0, 5);
        }""")
        assert not wide, f"{page.url} at {width} px: {wide}"
    page.set_viewport_size({"width": 360, "height": 740})


def _check(page, axe):
    axe()
    _no_sideways_scroll(page)


def _flow(page, axe, base, person, *, lost_text: str):
    """Write a goal, narrow the sharing consent to 'general' only, read the access log; check every page on the way."""
    assert page.url.endswith(f"/min-plan/{person.pk}/")
    assert page.get_by_role("heading", name="Hva er viktig for deg?").is_visible()
    _check(page, axe)
    page.get_by_role("link", name="Skriv et nytt mål").click()
    page.wait_for_load_state()
    _check(page, axe)
    page.get_by_role("button", name="Lagre målet").click()  # empty: an error summary, no 500
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    _check(page, axe)
    page.get_by_label("Hva er viktig for deg?").fill("Jeg vil spille fotball med venner.")
    page.get_by_role("button", name="Lagre målet").click()
    page.wait_for_load_state()
    assert page.get_by_text("Jeg vil spille fotball med venner.", exact=True).is_visible()

    page.get_by_role("link", name="Samtykker", exact=True).click()
    page.wait_for_load_state()
    _check(page, axe)
    page.get_by_role("link", name="Ta bort noe").first.click()
    page.wait_for_load_state()
    _check(page, axe)
    page.get_by_label("Økonomi og arbeid").uncheck()
    page.get_by_role("button", name="Se hva som endres").click()
    page.wait_for_load_state()
    assert page.get_by_text(lost_text).is_visible()
    _check(page, axe)
    page.get_by_role("button", name="Bekreft endringen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Lars Vik i NAV Fjordvik ser ikke lenger: Økonomi og arbeid.").is_visible()
    _check(page, axe)

    page.goto(f"{base}/min-plan/{person.pk}/samtykker/nytt/")
    _check(page, axe)
    page.get_by_role("link", name="Hvem har sett planen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Samtykke trukket tilbake").first.is_visible()
    _check(page, axe)
    page.goto(f"{base}/min-plan/{person.pk}/meldinger/ny/")
    _check(page, axe)
    page.goto(f"{base}/min-plan/{person.pk}/")
    page.get_by_role("link", name="Velkommen til plangruppen").click()
    page.wait_for_load_state()
    _check(page, axe)


def test_the_young_adult_writes_a_goal_narrows_a_consent_and_reads_the_log(portal, login, page, axe, live_server):
    login("ung")
    _flow(page, axe, live_server.url, portal["Amalie"], lost_text="Lars Vik i NAV Fjordvik vil ikke lenger se:")


def test_the_parent_does_the_same_for_a_child(portal, login, page, axe, live_server):
    login("forelder")
    assert page.url.endswith("/min-plan/")  # two children: a chooser
    _check(page, axe)
    page.get_by_role("link", name="Theo Aasen").click()
    page.wait_for_load_state()
    _flow(page, axe, live_server.url, portal["Theo"], lost_text="Lars Vik i NAV Fjordvik vil ikke lenger se:")
