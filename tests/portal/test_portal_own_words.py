"""The person's own words in the portal: resources and contributions (through plans.services), comments on measures
(shown to the plan group by the policy), the mapping questionnaire the coordinator turns into plan items, sub-plans and
documents, consent renewal, and the session keep-alive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.consent.models import Consent
from helhet.plans import services as plans_services
from helhet.plans.models import Goal, Measure, Need, Resource
from helhet.portal.models import Mapping, MeasureComment

pytestmark = pytest.mark.django_db

def _html(response) -> str:
    return response.content.decode()


def _amalie(portal):
    return portal["persons"]["Amalie"]


def test_the_plan_page_offers_own_sections_only_when_the_plan_service_accepts_them(portal, login):
    amalie = _amalie(portal)
    c = login(portal["users"]["ung"])
    html = _html(c.get(f"/min-plan/{amalie.pk}/"))
    assert "Dette får jeg til / dette hjelper meg" in html and "Dette gjør jeg selv" in html
    offered = "resources" in plans_services.OWN_SECTIONS
    assert (f"/min-plan/{amalie.pk}/ressurs/ny/" in html) is offered
    if not offered:  # no page offers an action that ends in 404: the URL itself is not found either
        assert c.get(f"/min-plan/{amalie.pk}/ressurs/ny/").status_code == 404


def test_the_person_writes_and_changes_a_resource_marked_as_theirs(portal, login):
    amalie = _amalie(portal)
    c = login(portal["users"]["ung"])
    plan = amalie.plans.get()
    r = c.post(f"/min-plan/{amalie.pk}/ressurs/ny/", {"text": "Jeg er god til å lage mat.", "based_on_version": plan.version})
    assert r.status_code == 302
    res = Resource.objects.get(plan=plan, text="Jeg er god til å lage mat.")
    assert res.written_by == "person"
    plan.refresh_from_db()
    r = c.post(f"/min-plan/{amalie.pk}/ressurs/{res.pk}/endre/", {"text": "Jeg lager god middag.", "based_on_version": plan.version})
    assert r.status_code == 302
    res.refresh_from_db()
    assert res.text == "Jeg lager god middag."


def test_an_unknown_own_section_is_404(portal, login):
    amalie = _amalie(portal)
    assert login(portal["users"]["ung"]).get(f"/min-plan/{amalie.pk}/tiltak/ny/").status_code == 404


def test_the_person_comments_on_a_measure_and_the_plan_group_sees_it_by_the_policy(portal, login, client_for):
    amalie = _amalie(portal)
    plan = amalie.plans.get()
    home = Measure.objects.get(plan=plan, title="Hjemmetjeneste to ganger i uka")  # health: NAV's consent does not cover it
    work = Measure.objects.get(plan=plan, title="Avklaring av arbeid og aktivitet")  # economy_work: NAV sees it
    c = login(portal["users"]["ung"])
    assert c.get(f"/min-plan/{amalie.pk}/tiltak/{home.pk}/kommentar/").status_code == 200
    r = c.post(f"/min-plan/{amalie.pk}/tiltak/{home.pk}/kommentar/", {"text": "Tirsdag passer best."})
    assert r.status_code == 302
    c.post(f"/min-plan/{amalie.pk}/tiltak/{work.pk}/kommentar/", {"text": "Jeg vil gjerne prøve butikkjobb."})
    comment = MeasureComment.objects.get(measure=home)
    assert comment.written_by == "person" and comment.author == portal["users"]["ung"]
    assert AuditEvent.objects.filter(person=amalie, action="create", reason="self", object_type="measurecomment").exists()
    assert "Tirsdag passer best." in _html(c.get(f"/min-plan/{amalie.pk}/"))

    coord = client_for("coordinator").get(f"/planer/{plan.pk}/fra-personen/", HTTP_HX_REQUEST="true")
    assert coord.status_code == 200 and "Tirsdag passer best." in _html(coord) and "butikkjobb" in _html(coord)
    nav = client_for("nav").get(f"/planer/{plan.pk}/fra-personen/")
    assert nav.status_code == 200
    assert "butikkjobb" in _html(nav) and "Tirsdag passer best." not in _html(nav)  # the health measure is not NAV's to see
    assert client_for("outsider").get(f"/planer/{plan.pk}/fra-personen/").status_code == 404


def test_an_empty_comment_is_a_norwegian_message_and_outsiders_get_404(portal, login):
    amalie = _amalie(portal)
    measure = Measure.objects.filter(plan__person=amalie).first()
    c = login(portal["users"]["ung"])
    r = c.post(f"/min-plan/{amalie.pk}/tiltak/{measure.pk}/kommentar/", {"text": ""})
    assert r.status_code == 400 and "Noe må rettes" in _html(r)
    stranger = login(portal["users"]["verge"])
    assert stranger.post(f"/min-plan/{amalie.pk}/tiltak/{measure.pk}/kommentar/", {"text": "x"}).status_code == 404
    from helhet.portal import services

    with pytest.raises(Exception) as exc:
        services.measure_comment_add(actor=portal["users"]["verge"], measure_id=measure.pk, text="x")
    assert getattr(exc.value, "status", None) == 404
    assert not MeasureComment.objects.exists()


def test_mapping_draft_then_send_and_the_coordinator_turns_an_answer_into_a_goal(portal, login, client_for):
    amalie = _amalie(portal)
    plan = amalie.plans.get()
    c = login(portal["users"]["ung"])
    assert c.get(f"/min-plan/{amalie.pk}/kartlegging/").status_code == 200
    r = c.post(f"/min-plan/{amalie.pk}/kartlegging/", {"important": "Å få en jobb.", "works": "Å gå tur med hunden.", "hard": "",
                                                      "who": "Mamma", "action": "draft"})
    assert r.status_code == 302
    m = Mapping.objects.get(person=amalie)
    assert m.status == "draft"
    panel = _html(client_for("coordinator").get(f"/planer/{plan.pk}/fra-personen/"))
    assert "Å få en jobb." not in panel  # a draft is the person's own
    r = c.post(f"/min-plan/{amalie.pk}/kartlegging/", {"important": "Å få en jobb.", "works": "Å gå tur med hunden.", "hard": "",
                                                      "who": "Mamma", "action": "send"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == "sent" and m.sent_at
    coord = client_for("coordinator")
    panel = _html(coord.get(f"/planer/{plan.pk}/fra-personen/"))
    assert "Å få en jobb." in panel and "Gjør til mål" in panel
    plan.refresh_from_db()
    r = coord.post(f"/planer/{plan.pk}/fra-personen/til-planen/", {"question": "important", "section": "goals",
                                                                   "based_on_version": plan.version})
    assert r.status_code == 302
    goal = Goal.objects.get(plan=plan, text="Å få en jobb.")
    assert goal.written_by == "person"
    m.refresh_from_db()
    assert m.used[0]["item_id"] == goal.pk
    assert AuditEvent.objects.filter(person=amalie, object_type="mapping", action="update", actor=portal["users"]["ung"]).count() == 2
    assert AuditEvent.objects.filter(person=amalie, object_type="goal", action="create").exists()
    plan.refresh_from_db()
    coord.post(f"/planer/{plan.pk}/fra-personen/til-planen/", {"question": "works", "section": "needs", "based_on_version": plan.version})
    assert Need.objects.filter(plan=plan, text="Å gå tur med hunden.").exists()


def test_mapping_send_needs_an_answer_and_only_the_plan_editor_converts(portal, login, client_for):
    amalie = _amalie(portal)
    plan = amalie.plans.get()
    c = login(portal["users"]["ung"])
    r = c.post(f"/min-plan/{amalie.pk}/kartlegging/", {"action": "send"})
    assert r.status_code == 400 and "Svar på minst ett" in _html(r)
    c.post(f"/min-plan/{amalie.pk}/kartlegging/", {"important": "Venner.", "action": "send"})
    r = client_for("nav").post(f"/planer/{plan.pk}/fra-personen/til-planen/", {"question": "important", "section": "goals",
                                                                               "based_on_version": plan.version})
    assert r.status_code == 404
    assert not Goal.objects.filter(plan=plan, text="Venner.").exists()
    r = client_for("coordinator").post(f"/planer/{plan.pk}/fra-personen/til-planen/", {"question": "important", "section": "measures",
                                                                                       "based_on_version": plan.version}, follow=True)
    assert r.status_code == 200 and "Velg mål, ressurs eller behov." in _html(r)
    assert client_for("coordinator").get(f"/min-plan/{amalie.pk}/kartlegging/").status_code == 404


def test_a_guardian_answers_the_mapping_for_an_adult_without_capacity(portal, login):
    henrik = portal["persons"]["Henrik"]
    c = login(portal["users"]["verge"])
    assert c.post(f"/min-plan/{henrik.pk}/kartlegging/", {"important": "Trygghet hjemme.", "action": "send"}).status_code == 302
    assert Mapping.objects.get(person=henrik).written_by == "relative"


def test_subplans_and_documents_the_person_may_see(portal, login, users):
    from helhet.plans import services as plans

    amalie = _amalie(portal)
    plan = amalie.plans.get()
    plans.subplan_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, kind="crisis", title="Kriseplan vinter",
                      responsible_unit_id=plan.main_unit_id, text="Ring koordinator ved behov.")
    html = _html(login(portal["users"]["ung"]).get(f"/min-plan/{amalie.pk}/dokumenter/"))
    assert "Kriseplan vinter" in html and "Ring koordinator ved behov." in html
    assert AuditEvent.objects.filter(person=amalie, summary="Så personens dokumenter", reason="self").exists()
    assert login(portal["users"]["verge"]).get(f"/min-plan/{amalie.pk}/dokumenter/").status_code == 404


def test_the_parent_of_a_16_year_old_sees_no_subplans(portal, login, users):
    from helhet.plans import services as plans

    ida = portal["persons"]["Ida"]
    plan = ida.plans.get()
    plans.subplan_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, kind="crisis", title="Idas kriseplan",
                      responsible_unit_id=plan.main_unit_id, text="Hemmelig.")
    html = _html(login(portal["users"]["forelder"]).get(f"/min-plan/{ida.pk}/dokumenter/"))
    assert "Idas kriseplan" not in html


def test_renewing_a_consent_previews_then_continues_to_the_new_date(portal, login):
    amalie = _amalie(portal)
    old = Consent.objects.get(person=amalie, kind="sharing", withdrawn_on__isnull=True)
    c = login(portal["users"]["ung"])
    assert "Forny" in _html(c.get(f"/min-plan/{amalie.pk}/samtykker/"))
    url = f"/min-plan/{amalie.pk}/samtykker/{old.pk}/forny/"
    assert c.get(url).status_code == 200
    new_to = old.valid_to + dt.timedelta(days=200)
    r = c.post(url, {"valid_to": new_to.isoformat()})
    assert r.status_code == 200 and "kan fortsatt se dette til og med" in _html(r)
    assert Consent.objects.filter(person=amalie, kind="sharing").count() == 1  # a preview changes nothing
    r = c.post(url, {"valid_to": new_to.isoformat(), "confirm": "1"})
    assert r.status_code == 302
    old.refresh_from_db()
    assert old.withdrawn_on == timezone.localdate()
    new = Consent.objects.get(person=amalie, kind="sharing", withdrawn_on__isnull=True)
    assert new.valid_to == new_to and sorted(new.categories) == sorted(old.categories)
    assert set(new.recipient_users.all()) == set(old.recipient_users.all())


def test_renewing_to_an_earlier_date_is_refused_in_norwegian(portal, login):
    amalie = _amalie(portal)
    old = Consent.objects.get(person=amalie, kind="sharing", withdrawn_on__isnull=True)
    c = login(portal["users"]["ung"])
    r = c.post(f"/min-plan/{amalie.pk}/samtykker/{old.pk}/forny/", {"valid_to": (old.valid_to - dt.timedelta(days=1)).isoformat(),
                                                                    "confirm": "1"})
    assert r.status_code == 400 and "Velg en dato etter" in _html(r)
    r = c.post(f"/min-plan/{amalie.pk}/samtykker/{old.pk}/forny/", {"valid_to": "i morgen"})
    assert r.status_code == 400
    assert login(portal["users"]["verge"]).get(f"/min-plan/{amalie.pk}/samtykker/{old.pk}/forny/").status_code == 404


def test_keepalive_moves_the_session_on_and_says_so_without_login(portal, login, client):
    c = login(portal["users"]["ung"])
    r = c.post("/min-plan/sesjon/forleng/")
    assert r.status_code == 200 and r.json()["authenticated"] is True and r.json()["remaining"] > 0
    r = client.post("/min-plan/sesjon/forleng/")
    assert r.status_code == 401 and r.json() == {"authenticated": False, "remaining": 0}


def test_every_page_carries_the_session_guard(portal, login, client_for):
    amalie = _amalie(portal)
    html = _html(login(portal["users"]["ung"]).get(f"/min-plan/{amalie.pk}/"))
    assert 'id="session-guard"' in html and "portal/session.js" in html and f'data-user="{portal["users"]["ung"].pk}"' in html
    staff = _html(client_for("coordinator").get("/mine/"))
    assert 'id="session-guard"' in staff


def test_the_staff_panel_include_loads_through_the_policy_view(portal):
    from django.template.loader import render_to_string

    plan = _amalie(portal).plans.get()
    html = render_to_string("portal/_from_person_panel.html", {"plan": plan})
    assert f'hx-get="/planer/{plan.pk}/fra-personen/"' in html and 'id="fra-personen"' in html


def test_session_remaining_counts_down_from_the_last_refresh(rf, settings):
    import time

    from django.contrib.sessions.backends.db import SessionStore

    from helhet.portal.templatetags.portal_session import session_remaining

    settings.SESSION_COOKIE_AGE, settings.HELHET_SESSION_REFRESH_SECONDS = 1800, 300
    request = rf.get("/")
    request.session = SessionStore()
    request.session["_helhet_refreshed_at"] = int(time.time()) - 100
    request.session.modified = False
    assert 1690 <= session_remaining({"request": request}) <= 1700
    request.session["_helhet_refreshed_at"] = int(time.time()) - 400  # the middleware refreshes it on this response
    assert session_remaining({"request": request}) == 1800
