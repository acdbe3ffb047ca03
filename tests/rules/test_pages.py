import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhet.audit.models import AuditEvent
from helhet.rules.models import LocalGuideline, Rule
from helhet.rules.services import guideline_set


@pytest.mark.parametrize("name,args", [("rule_list", []), ("rule_detail", [1]), ("local_guidelines", [])])
def test_login_required(db, name, args):
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_rule_list_shows_rules_and_badge(client_for):
    response = client_for("coordinator").get(reverse("rule_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rett til koordinator" in html and "Pasient- og brukerrettighetsloven § 2-5 a" in html
    assert "må kontrolleres" in html  # the covid rule needs checking
    assert "Koordinators første kontakt etter oppnevning" in html


def test_rule_list_date_filter(client_for):
    client = client_for("coordinator")
    html = client.get(reverse("rule_list"), {"dato": "2020-04-15"}).content.decode()
    assert "Midlertidig regel (covid-19)" in html and "Rett til koordinator<" not in html
    html = client.get(reverse("rule_list"), {"dato": "2023-01-10"}).content.decode()
    assert "Midlertidig regel (covid-19)" not in html and "Rett til koordinator<" in html


def test_rule_list_bad_date_is_400(client_for):
    response = client_for("coordinator").get(reverse("rule_list"), {"dato": "15.04.2020x"})
    assert response.status_code == 400
    assert "åååå-mm-dd" in response.content.decode()


def test_local_rules_only_for_own_org(world, client_for):
    Rule.objects.create(code="local.fjordvik", kind="deadline", title="Fjordvik-regelen", text="t", source="Fjordvik",
                        valid_from="2020-01-01", organization=world.orgs["fjordvik"])
    assert "Fjordvik-regelen" in client_for("ke").get(reverse("rule_list")).content.decode()
    assert "Fjordvik-regelen" not in client_for("outsider").get(reverse("rule_list")).content.decode()
    rule = Rule.objects.get(code="local.fjordvik")
    assert client_for("ke").get(reverse("rule_detail", args=[rule.pk])).status_code == 200
    assert client_for("outsider").get(reverse("rule_detail", args=[rule.pk])).status_code == 404


def test_rule_detail(client_for):
    rule = Rule.objects.get(code="covid-2020.no-new-ip")
    response = client_for("coordinator").get(reverse("rule_detail", args=[rule.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and rule.source in html and "må kontrolleres" in html and "27.03.2020" in html
    assert client_for("coordinator").get(reverse("rule_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "clinician"])
def test_guidelines_page_404_for_non_ke(client_for, who):
    client = client_for(who)
    assert client.get(reverse("local_guidelines")).status_code == 404
    assert client.post(reverse("local_guidelines"), {"organization": 1, "key": "minutes_days", "value": 3, "reason": "x"}).status_code == 404
    assert not LocalGuideline.objects.exists()


def test_other_tenant_ke_gets_404_on_post(world, client_for):
    response = client_for("outsider").post(reverse("local_guidelines"), {
        "organization": world.orgs["fjordvik"].pk, "key": "minutes_days", "value": 3, "reason": "x"})
    assert response.status_code == 404
    assert not LocalGuideline.objects.exists()


def test_ke_changes_guideline_through_page(world, users, client_for):
    client = client_for("ke")
    page = client.get(reverse("local_guidelines"))
    assert page.status_code == 200 and "Fjordvik kommune" in page.content.decode()
    response = client.post(reverse("local_guidelines"), {
        "organization": world.orgs["fjordvik"].pk, "key": "first_contact_days", "value": "21",
        "reason": "Lang reisevei", "source": "Retningslinje UNN/kommunene i Troms og Ofoten"})
    assert response.status_code == 302
    row = LocalGuideline.objects.get()
    assert (row.value, row.previous_value, row.changed_by, row.reason) == (21, 14, users["ke"], "Lang reisevei")
    html = client.get(reverse("local_guidelines")).content.decode()
    assert "Lang reisevei" in html and "Endringshistorikk (1 endring)" in html
    # Havbygd's KE still sees the default.
    html = client_for("outsider").get(reverse("local_guidelines")).content.decode()
    assert "Havbygd kommune" in html and "Lang reisevei" not in html


@pytest.mark.parametrize("data,message", [
    ({"value": "0", "reason": "x"}, "mellom 1 og 90"),
    ({"value": "tre", "reason": "x"}, "helt antall dager"),
    ({"value": "30", "reason": ""}, "lengre frist"),
    ({"value": "10", "reason": "x", "valid_from": "i morgen"}, "åååå-mm-dd"),
])
def test_bad_input_400_nothing_written(world, client_for, data, message):
    events = AuditEvent.objects.count()
    response = client_for("ke").post(reverse("local_guidelines"), {
        "organization": world.orgs["fjordvik"].pk, "key": "first_contact_days", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not LocalGuideline.objects.exists()
    assert AuditEvent.objects.count() == events


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_pinned(world, users, client_for):
    client = client_for("ke")
    client.get(reverse("rule_list"))  # the first request stamps the session (SessionRefreshMiddleware saves it)
    # One local rule from the start: an empty table's page costs its COUNT only (no rows query).
    Rule.objects.create(code="local.first", kind="deadline", title="R", text="t", source="s", valid_from="2020-01-01",
                        organization=world.orgs["fjordvik"])
    rule_list = _count(client, reverse("rule_list"))
    guidelines_page = _count(client, reverse("local_guidelines"))
    detail = _count(client, reverse("rule_detail", args=[Rule.objects.get(code="ip.right").pk]))
    # More data must not mean more queries.
    for i in range(5):
        Rule.objects.create(code=f"local.r{i}", kind="deadline", title=f"R{i}", text="t", source="s", valid_from="2020-01-01",
                            organization=world.orgs["fjordvik"])
    for key in ("first_contact_days", "minutes_days", "evaluation_interval_days"):
        guideline_set(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, key=key, value=5, reason="r")
    assert _count(client, reverse("rule_list")) == rule_list
    assert _count(client, reverse("rule_list"), dato="2020-04-15") == rule_list
    assert _count(client, reverse("local_guidelines")) == guidelines_page
    assert _count(client, reverse("rule_detail", args=[Rule.objects.get(code="ip.right").pk])) == detail
    # Pinned: session, user, memberships, rules (the list: a COUNT and the page's rows for each of its two tables;
    # + versions on detail), guideline versions, the menu's unread-notification count; no session save (the session
    # is refreshed at most every few minutes).
    assert (rule_list, guidelines_page, detail) == (9, 5, 6)


def test_why_tag(world, users):
    request = RequestFactory().get("/")
    request.user = users["coordinator"]
    t = Template('{% load rules_tags %}{% why "coordinator.right" %}|{% why "covid-2020.no-new-ip" %}|{% why "first_contact_days" %}')
    html = t.render(Context({"request": request}))
    right, covid, first = html.split("|")
    rule = Rule.objects.get(code="coordinator.right")
    assert reverse("rule_detail", args=[rule.pk]) in right and "Hvorfor?" in right and "§ 2-5 a" in right
    assert covid == ""
    assert "14 dager" in first and "UNN" in first
    import datetime as dt
    t = Template('{% load rules_tags %}{% why "covid-2020.no-new-ip" day=d %}')
    assert "Hvorfor?" in t.render(Context({"request": request, "d": dt.date(2020, 4, 15)}))
