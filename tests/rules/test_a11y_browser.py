"""axe-core (WCAG 2.1 A/AA) on the rules pages, in headless Chromium (same set-up as tests/e2e)."""

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HELHET_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
_missing = not os.path.exists(CHROMIUM) or not AXE.exists()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(_missing and not os.environ.get("HELHET_REQUIRE_BROWSER"), reason="chromium or axe-core not installed"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nb-NO"}


def _axe(page):
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")  # not a <script> tag: the CSP forbids inline scripts
    result = page.evaluate("async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})")
    violations = [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
    assert not violations, page.url + "\n" + json.dumps(violations, indent=1, ensure_ascii=False)


def _login(page, live_server, username):
    from helhet.core.world import DEMO_PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()


def test_rules_pages_are_accessible(world, page, live_server):
    from helhet.rules.models import Rule

    _login(page, live_server, "ke")
    page.goto(f"{live_server.url}/regler/")
    _axe(page)
    page.goto(f"{live_server.url}/regler/?dato=2020-04-15")
    _axe(page)
    page.goto(f"{live_server.url}/regler/?dato=feil")
    _axe(page)
    page.goto(f"{live_server.url}/regler/{Rule.objects.get(code='covid-2020.no-new-ip').pk}/")
    _axe(page)
    page.goto(f"{live_server.url}/ke/retningslinjer/")
    _axe(page)
    org = world.orgs["fjordvik"].pk
    # Change a guideline through the form, then submit a bad value and check the error page too.
    page.get_by_label("Antall dager (1–60)").fill("5")
    page.locator(f"#reason-{org}-minutes_days").fill("Raskere referat")
    page.locator(f"form:has(#value-{org}-minutes_days) button[type=submit]").click()
    page.wait_for_load_state()
    assert "Raskere referat" in page.content()
    _axe(page)
    page.locator(f"#value-{org}-first_contact_days").fill("40")
    page.locator(f"form:has(#value-{org}-first_contact_days) button[type=submit]").click()
    page.wait_for_load_state()
    assert "lengre frist" in page.content()
    _axe(page)
