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
