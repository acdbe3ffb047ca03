"""Browser tests: Playwright drives Debian's headless Chromium against Django's live server.

Chromium comes from Debian (scripts/system-deps.sh); Playwright's own browser
download cannot work here. Without chromium these tests skip, unless
HELHET_REQUIRE_BROWSER is set (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make for set-up are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HELHET_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
    if not os.path.exists(CHROMIUM) or not AXE.exists():
        missing = "chromium" if not os.path.exists(CHROMIUM) else "axe-core (npm install)"
        if os.environ.get("HELHET_REQUIRE_BROWSER"):
            raise pytest.UsageError(f"Browser tests are required but {missing} is missing.")
        skip = pytest.mark.skip(reason=f"{missing} not installed")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Norwegian users' browsers ask for bokmål; without this Chromium asks for English and gets it.
    return {**browser_context_args, "locale": "nb-NO"}


@pytest.fixture
def login(page, live_server):
    """login("ke") logs the persona in through the real login form."""
    from helhet.core.world import DEMO_PASSWORD

    def do(username: str):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Brukernavn").fill(username)
        page.get_by_label("Passord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_load_state()
        return page

    return do


@pytest.fixture
def axe(page):
    """axe(page) runs axe-core (WCAG 2.1 A/AA rules) on the current page and fails on any violation."""

    def check(p=None):
        p = p or page
        # Evaluated through the DevTools protocol, not a <script> tag: the strict CSP
        # (helhet.accounts.middleware) refuses inline scripts, as it should.
        if not p.evaluate("typeof window.axe !== 'undefined'"):
            p.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        result = p.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})"
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert not violations, "axe-core found WCAG violations on " + p.url + ":\n" + json.dumps(violations, indent=1, ensure_ascii=False)
        return result

    return check
