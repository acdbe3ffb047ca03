"""The UI is set in Inter (Designsystemet's font), served by Helhet itself, with a sans-serif fallback: never the
browser's serif default."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/login/", "/min-plan/"])
def test_pages_render_in_inter_from_our_own_server(world, page, live_server, path):
    fonts = []
    page.on("response", lambda r: fonts.append((r.url, r.status)) if r.url.endswith(".woff2") else None)
    page.goto(f"{live_server.url}{path}")
    page.evaluate("document.fonts.ready")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.split(",")[0].strip().strip('"') == "Inter" and "sans-serif" in family
    assert page.evaluate("document.fonts.check('16px Inter')")
    assert fonts and all(url.startswith(live_server.url) and status == 200 for url, status in fonts), fonts
