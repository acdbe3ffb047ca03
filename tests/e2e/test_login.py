import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_ke_officer_logs_in_and_lands_on_the_overview(world, login, page, axe, live_server):
    page.goto(f"{live_server.url}/login/")
    axe()
    login("ke")
    assert page.url.endswith("/ke/")
    assert page.get_by_role("heading", name="Oversikt for koordinerende enhet").is_visible()
    axe()


def test_wrong_password_shows_a_norwegian_message(world, page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brukernavn").fill("ke")
    page.get_by_label("Passord").fill("feil-passord-her")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("alert").inner_text().startswith("Feil brukernavn eller passord")


def _csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: found.append(str(err)) if "Content Security Policy" in str(err) else None)
    return found


def test_a_ke_officer_sets_up_two_factor_in_the_browser_and_then_must_use_it(world, users, login, page, live_server, settings, axe):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.HELHET_REQUIRE_2FA = True
    violations = _csp_violations(page)
    login("ke")
    assert "/konto/2fa/oppsett/" in page.url
    assert page.locator(".qr-code svg").is_visible()
    axe()
    device = TOTPDevice.objects.get(user=users["ke"], confirmed=False)
    page.get_by_label("Engangskode").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Slå på tofaktor").click()
    page.wait_for_load_state()
    assert page.url.endswith("/ke/")

    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_load_state()
    login("ke")
    assert "/konto/2fa/" in page.url
    axe()
    page.get_by_label("Engangskode").fill("000000" if f"{totp(device.bin_key):06d}" != "000000" else "111111")
    page.get_by_role("button", name="Bekreft").click()
    assert page.get_by_role("alert").inner_text().startswith("Koden stemmer ikke")
    assert violations == []


def test_too_many_wrong_passwords_lock_the_login_with_a_norwegian_message(world, page, live_server):
    for _ in range(6):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Brukernavn").fill("koordinator")
        page.get_by_label("Passord").fill("feil-passord-her")
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_load_state()
    assert "For mange mislykkede innlogginger" in page.get_by_role("alert").inner_text()


def test_the_pages_and_htmx_run_under_the_strict_csp_without_violations(world, login, page, live_server, make_person, consent_for):
    """Every page sends a CSP without 'unsafe-inline' or 'unsafe-eval'; the browser must report no violation."""
    import datetime as dt

    from django.utils import timezone

    from helhet.cases.models import CoordinatorAppointment
    from helhet.plans import services

    violations = _csp_violations(page)
    users = world.users
    person = make_person(given_name="Csp", family_name="Testesen")
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))
    consent_for(person, kind="plan_work")
    services.plan_create(actor=users["coordinator"], person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk)
    login("koordinator")
    page.goto(f"{live_server.url}/personer/{person.pk}/plan/")
    page.locator("#add-goals").get_by_role("link", name="Legg til mål").click()  # htmx in place
    page.locator("#form-goals-add").wait_for()
    for path in ("/mine/", "/personer/", "/regler/", "/konto/", f"/personer/{person.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.config.includeIndicatorStyles === false")
    assert violations == []
