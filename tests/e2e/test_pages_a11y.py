"""axe-core (WCAG 2.1 A/AA) and the 320 px reflow check (WCAG 1.4.10: no sideways scrolling, no text cut off;
tests/e2e/reflow.py) over the main staff pages, as a KE officer and as a coordinator, including forms showing errors."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: tests/e2e is not on sys.path
from reflow import assert_reflows  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The UI is Norwegian first; LocaleMiddleware would otherwise follow Chromium's default en-US.
    return {**browser_context_args, "locale": "nb-NO"}


@pytest.fixture
def case(world, person, consent_for):
    from helhet.cases import services

    call_command("sync_rules", stdout=open("/dev/null", "w"))  # transactional tests flush the migration-loaded rules
    ke = world.users["ke"]
    day = timezone.localdate() - dt.timedelta(days=5)
    req = services.request_create(actor=ke, person=person, received_on=day, channel="written", requester_kind="person", wants_coordinator=True,
                                  description="Ber om koordinator.")
    services.assessment_create(actor=ke, request_id=req.pk, assessed_on=day, long_term=False, services_involved=1, reasons="Ett tilbud.")
    decision = services.decision_create(actor=ke, request_id=req.pk, decided_on=day, reasons="Ikke oppfylt.")
    services.appeal_create(actor=ke, decision_id=decision.pk, received_on=day, grounds="Uenig.")
    fresh = services.request_create(actor=ke, person=person, received_on=day, channel="oral", requester_kind="person", wants_ip=True)
    services.assessment_create(actor=ke, request_id=fresh.pk, assessed_on=day, long_term=True, services_involved=2, reasons="To tjenester.")
    consent = consent_for(person)
    appointment = services.coordinator_appoint(actor=ke, person=person, kind="coordinator", coordinator_id=world.users["coordinator"].pk,
                                               unit_id=world.units["fjordvik_care"].pk, start=day)
    return {"person": person, "req": req, "fresh": fresh, "consent": consent, "appointment": appointment}


def test_main_pages_as_ke_officer(case, login, page, axe, live_server):
    p, base = case["person"].pk, live_server.url
    login("ke")
    paths = [
        "/ke/", "/ke/?status=appealed&kind=coordinator&q=Fjell", "/personer/", "/personer/ny/", f"/personer/{p}/",
        f"/personer/{p}/parorende/ny/", f"/personer/{p}/tjenester/ny/", f"/personer/{p}/samtykkekompetanse/",
        f"/personer/{p}/informert/", f"/personer/{p}/samtykke/nytt/", f"/samtykker/{case['consent'].pk}/trekk-tilbake/",
        f"/personer/{p}/henvendelser/ny/", f"/henvendelser/{case['req'].pk}/", f"/henvendelser/{case['fresh'].pk}/",
        f"/henvendelser/{case['fresh'].pk}/avgjorelse/", f"/personer/{p}/koordinator/ny/",
        f"/koordinatoroppdrag/{case['appointment'].pk}/bytt/", f"/koordinatoroppdrag/{case['appointment'].pk}/avslutt/",
        "/ke/frister/", "/frister/", "/varsler/", "/ke/meldinger/", "/meldinger/sendt/", "/ke/utenfor-helhet/", "/ke/opplaering/",
        "/ke/statistikk/", "/kommuneregister/", "/planmaler/", "/regler/", "/ke/retningslinjer/", "/ke/barnekoordinator-18/",
        f"/personer/{p}/samhandling/", f"/personer/{p}/dokumenter/",
        f"/personer/{p}/plan/", "/arbeid/innboks/", "/arbeid/kalender/",
        "/ke/oversikt/venter/", "/ke/oversikt/klager/", "/ke/oversikt/koordinatorer/", "/ke/oversikt/overforinger/",
        "/samtykker/utloper/",
    ]
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        axe()
        assert_reflows(page)


def test_forms_showing_errors_as_ke_officer(case, login, page, axe, live_server):
    p, base = case["person"].pk, live_server.url
    login("ke")
    page.goto(f"{base}/personer/ny/")
    page.get_by_label("Fødselsnummer eller D-nummer").fill("01019012345")
    page.get_by_role("button", name="Registrer person").click()
    page.wait_for_load_state()
    assert "Kontrollsifrene" in page.locator("#id_national_id_error").inner_text()
    assert page.get_by_role("alert").is_visible()
    axe()
    assert_reflows(page)
    page.goto(f"{base}/personer/{p}/henvendelser/ny/")
    page.get_by_role("button", name="Registrer henvendelse").click()
    page.wait_for_load_state()
    axe()
    page.goto(f"{base}/personer/{p}/informert/")
    page.get_by_label("Informert om individuell plan").uncheck()
    page.get_by_label("Informert om koordinator").uncheck()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    axe()


def test_main_pages_as_coordinator(case, login, page, axe, live_server):
    p, base = case["person"].pk, live_server.url
    login("koordinator")
    for path in ["/mine/", "/personer/", f"/personer/{p}/", f"/henvendelser/{case['req'].pk}/", f"/personer/{p}/informert/",
                 f"/personer/{p}/samtykke/nytt/", f"/personer/{p}/parorende/ny/", f"/personer/{p}/samtykkekompetanse/",
                 "/frister/", "/varsler/", "/arbeid/involvert/", "/arbeid/innboks/", "/arbeid/kalender/", f"/personer/{p}/samhandling/",
                 f"/personer/{p}/samtykke/foreldre/", "/samtykker/utloper/"]:
        response = page.goto(base + path)
        assert response.status == 200, path
        axe()
        assert_reflows(page)
